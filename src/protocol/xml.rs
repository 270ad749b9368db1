//! A small indenting XML writer with escaping, for capabilities and exception
//! documents. Output depends only on the calls made (byte-identical for equal
//! input). Knows nothing of OGC vocabularies.

/// Escapes text content: `&`, `<`, `>`; characters XML 1.0 forbids (control
/// characters other than tab, LF, CR; U+FFFE, U+FFFF) become U+FFFD.
pub fn escape_text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value (as [`escape_text`] plus `"` and `'`; tab, LF and
/// CR as character references so they survive attribute normalisation).
pub fn escape_attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(ch),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(ch),
        }
    }
    out
}

/// Writes elements with two-space indentation. Attribute values and text are
/// escaped here; names are trusted (they come from code, never from clients).
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// Starts a document with the `<?xml …?>` declaration (and `extra` lines
    /// such as a DOCTYPE, written verbatim).
    pub fn new(standalone_no: bool, extra: &str) -> XmlWriter {
        let mut out = String::from(if standalone_no {
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
        } else {
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        });
        out.push_str(extra);
        XmlWriter { out, depth: 0 }
    }

    fn tag(&mut self, name: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape_attr(v));
            self.out.push('"');
        }
    }

    /// `<name attrs>` and one level deeper.
    pub fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// `</name>` one level up.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs>text</name>` on one line.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.tag(name, attrs);
        self.out.push('>');
        self.out.push_str(&escape_text(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.tag(name, attrs);
        self.out.push_str("/>\n");
    }

    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_text("a<b & c>\"d'"), "a&lt;b &amp; c&gt;\"d'");
        assert_eq!(
            escape_attr("a<b & \"c\" 'd'\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&#10;"
        );
        assert_eq!(
            escape_text("x\u{0}y\u{1b}z\u{ffff}"),
            "x\u{fffd}y\u{fffd}z\u{fffd}"
        );
        assert_eq!(escape_text("tab\tnl\ncr\r"), "tab\tnl\ncr&#13;");
    }

    #[test]
    fn writer_layout() {
        let mut w = XmlWriter::new(false, "");
        w.open("a", &[("k", "v&")]);
        w.leaf("b", &[], "<t>");
        w.empty("c", &[("x", "1"), ("y", "2")]);
        w.close("a");
        let s = String::from_utf8(w.finish()).unwrap();
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a k=\"v&amp;\">\n  <b>&lt;t&gt;</b>\n  <c x=\"1\" y=\"2\"/>\n</a>\n"
        );
    }
}
