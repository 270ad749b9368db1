//! Response formats of the API: content negotiation (`?format=` and `Accept`)
//! and the browsable HTML page (DRF's `?format=api`).
//!
//! The page is self-contained (no scripts, styles inline, no external
//! assets): the request line, the status and headers, then the JSON
//! pretty-printed with 4-space indentation, where every string value that is
//! an `http(s)://` URL becomes a link. All text is HTML-escaped, so values
//! such as `"><script>` stay text. The page is also sent with
//! [`CONTENT_SECURITY_POLICY`] (and carries it as a `<meta>` element), which
//! forbids scripts, frames, forms and every other load, so nothing shown can
//! run even if escaping were missed. Pure: strings in, a string out.

use super::error::ApiError;
use serde_json::Value;
use std::fmt::Write;

/// The representation a client asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// DRF's browsable API: an HTML page around the JSON.
    Api,
}

impl Format {
    /// Chooses the format: `?format=` wins (`json` or `api`; any other
    /// non-empty value is a 404 "Not found.", as DRF answers an unknown
    /// format; an empty one is ignored, as DRF does);
    /// otherwise the `Accept` header: the first acceptable media type, by
    /// quality then position, that is `text/html` or `text/*` gives `Api`,
    /// `application/json`, `application/*` or `*/*` gives `Json`. No or an
    /// unmatched `Accept` gives `Json` (browsers send `text/html` first).
    pub fn negotiate(format_param: Option<&str>, accept: Option<&str>) -> Result<Format, ApiError> {
        match format_param {
            Some("json") => return Ok(Format::Json),
            Some("api") => return Ok(Format::Api),
            Some("") | None => {}
            Some(_) => return Err(ApiError::NotFound),
        }
        let Some(accept) = accept else {
            return Ok(Format::Json);
        };
        let mut ranges: Vec<(f32, &str)> = accept
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let media = parts.next()?.trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, media))
            })
            .collect();
        // Stable: equal qualities keep the client's order.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, media) in ranges {
            match media.to_ascii_lowercase().as_str() {
                "text/html" | "text/*" => return Ok(Format::Api),
                "application/json" | "application/*" | "*/*" => return Ok(Format::Json),
                _ => {}
            }
        }
        Ok(Format::Json)
    }

    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Api => "text/html; charset=utf-8",
        }
    }
}

/// The `Content-Security-Policy` of the browsable page: nothing may load or
/// run; only the page's own inline style applies.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The browsable page of a response: `title` (e.g. "Raster List"),
/// `method_line` (e.g. `GET /api/v4/rasters/?page=2`), the status and `Allow`
/// value shown in the header block, and the response JSON.
pub fn browsable_html(
    title: &str,
    method_line: &str,
    status: u16,
    allow: &str,
    json: &Value,
) -> String {
    let title = escape(title);
    let mut body = String::new();
    pretty(json, 0, &mut body);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <title>{title}</title>\n<style>\n\
         body{{font-family:sans-serif;margin:2em;color:#222}}\n\
         pre{{background:#f5f5f5;border:1px solid #ddd;padding:1em;white-space:pre-wrap;word-break:break-all}}\n\
         .meta{{color:#555}} a{{color:#0645ad}}\n</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<pre class=\"request\"><b>{line}</b></pre>\n\
         <pre class=\"response\"><span class=\"meta\"><b>HTTP {status} {reason}</b>\n\
         <b>Allow:</b> {allow}\n<b>Content-Type:</b> application/json\n<b>Vary:</b> Accept\n\
         </span>\n{body}</pre>\n</body>\n</html>\n",
        csp = escape(CONTENT_SECURITY_POLICY),
        line = escape(method_line),
        reason = reason(status),
        allow = escape(allow),
    )
}

/// HTML-escapes text for element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a string value is shown as a link: `http://` or `https://` and
/// no whitespace or control characters.
fn is_link(s: &str) -> bool {
    let lower = s.get(..8).map(str::to_ascii_lowercase).unwrap_or_default();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Writes `value` as indented JSON with HTML escaping and URL links.
fn pretty(value: &Value, indent: usize, out: &mut String) {
    let pad = |n: usize| "    ".repeat(n);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&escape(&json_string(k)));
                out.push_str(": ");
                pretty(v, indent + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(list) if !list.is_empty() => {
            out.push_str("[\n");
            for (i, v) in list.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                pretty(v, indent + 1, out);
                out.push_str(if i + 1 < list.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Value::String(s) if is_link(s) => {
            let shown = json_string(s);
            let inner = &shown[1..shown.len() - 1];
            let _ = write!(
                out,
                "\"<a href=\"{}\" rel=\"nofollow\">{}</a>\"",
                escape(s),
                escape(inner)
            );
        }
        other => out.push_str(&escape(&other.to_string())),
    }
}

fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// The reason phrase of the statuses the API answers.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn format_parameter_wins_and_unknown_is_not_found() {
        let html = Some("text/html,application/xhtml+xml,*/*;q=0.8");
        assert_eq!(Format::negotiate(Some("json"), html), Ok(Format::Json));
        assert_eq!(Format::negotiate(Some("api"), None), Ok(Format::Api));
        assert_eq!(
            Format::negotiate(Some("xml"), None),
            Err(ApiError::NotFound)
        );
        assert_eq!(
            Format::negotiate(Some("JSON"), None),
            Err(ApiError::NotFound)
        );
        assert_eq!(Format::negotiate(Some(""), html), Ok(Format::Api));
    }

    #[test]
    fn accept_header_chooses_by_quality_then_order() {
        let n = |a| Format::negotiate(None, Some(a)).unwrap();
        assert_eq!(Format::negotiate(None, None), Ok(Format::Json));
        assert_eq!(
            n("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Format::Api
        );
        assert_eq!(n("application/json"), Format::Json);
        assert_eq!(n("*/*"), Format::Json);
        assert_eq!(n("application/json, text/html"), Format::Json);
        assert_eq!(n("text/html;q=0.5, application/json"), Format::Json);
        assert_eq!(n("application/json;q=0, text/html"), Format::Api);
        assert_eq!(n("TEXT/HTML"), Format::Api);
        assert_eq!(n("image/png"), Format::Json);
        assert_eq!(n(""), Format::Json);
        assert_eq!(Format::Api.content_type(), "text/html; charset=utf-8");
    }

    #[test]
    fn page_shows_request_status_headers_and_links() {
        let doc = json!({
            "count": 1,
            "next": null,
            "results": [{"url": "https://h/api/v4/rasters/1/", "name": "a", "n": 1.5, "t": true}],
            "empty": [],
            "obj": {}
        });
        let page = browsable_html(
            "Raster List",
            "GET /api/v4/rasters/",
            200,
            "GET, POST",
            &doc,
        );
        assert!(page.contains("<title>Raster List</title>"));
        assert!(page.contains("<b>GET /api/v4/rasters/</b>"));
        assert!(page.contains("HTTP 200 OK"));
        assert!(page.contains("<b>Allow:</b> GET, POST"));
        assert!(page.contains("<b>Content-Type:</b> application/json"));
        assert!(page.contains("<b>Vary:</b> Accept"));
        assert!(page.contains(
            "&quot;url&quot;: \"<a href=\"https://h/api/v4/rasters/1/\" rel=\"nofollow\">https://h/api/v4/rasters/1/</a>\""
        ));
        assert!(page.contains("    &quot;count&quot;: 1,\n"));
        assert!(page.contains("&quot;next&quot;: null,"));
        assert!(page.contains("&quot;n&quot;: 1.5,"));
        assert!(page.contains("&quot;empty&quot;: [],"));
        assert!(page.contains("&quot;obj&quot;: {}\n}"));
        assert!(!page.contains("<script") && !page.contains("src="));
    }

    #[test]
    fn hostile_values_stay_text() {
        let doc = json!({
            "name": "\"><script>alert(1)</script>",
            "<b>key": "x",
            "url": "https://h/\"><script>alert(1)</script>",
            "js": "javascript:alert(1)",
            "spaced": "https://h/a b"
        });
        let page = browsable_html("<T>", "GET /x?<y>", 404, "GET", &doc);
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<b>key"), "{page}");
        assert!(page.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;;"
        ));
        assert!(page.contains("<title>&lt;T&gt;</title>"));
        assert!(page.contains("HTTP 404 Not Found"));
        assert!(page.contains("<b>GET /x?&lt;y&gt;</b>"));
        assert!(
            page.contains("href=\"https://h/&quot;&gt;&lt;script&gt;"),
            "{page}"
        );
        // Only http(s) URLs without spaces become links.
        assert_eq!(page.matches("<a href").count(), 1, "{page}");
        assert!(page.contains("&quot;javascript:alert(1)&quot;"));
    }

    #[test]
    fn escape_covers_the_five_characters() {
        assert_eq!(escape(r#"&<>"'x"#), "&amp;&lt;&gt;&quot;&#x27;x");
        assert!(is_link("HTTPS://h/"));
        assert!(!is_link("http:/h"));
        assert!(!is_link("ftp://h/"));
    }
}
