//! Paging tests: page numbers and sizes (defaults, caps, invalid pages),
//! limit/offset, links that keep the other parameters, and the envelope.

use super::*;
use serde_json::json;

/// `n` rows numbered 1..=n with names in the same order.
fn many(n: u32) -> Vec<Row> {
    (1..=n).map(|i| row(i, &format!("r{i:04}"))).collect()
}

fn page(n: u32, pairs: &[(&str, &str)]) -> (Vec<u32>, PageInfo) {
    let mut pairs = pairs.to_vec();
    if !pairs.iter().any(|(k, _)| *k == "ordering") {
        pairs.push(("ordering", "name"));
    }
    let (rows, info) = list(many(n), &SCHEMA, &q(&pairs), BASE).unwrap();
    (
        rows.iter()
            .map(|r| (r.uuid.as_u128() & 0xffff_ffff) as u32)
            .collect(),
        info,
    )
}

fn invalid(n: u32, pairs: &[(&str, &str)]) {
    let got = list(many(n), &SCHEMA, &q(pairs), BASE);
    let e = got.err().unwrap_or_else(|| panic!("{pairs:?} accepted"));
    assert_eq!(e, ApiError::InvalidPage, "{pairs:?}");
    assert_eq!(e.status(), 404);
    assert_eq!(e.detail(), json!("Invalid page."));
}

#[test]
fn page_numbers_with_default_size() {
    let (ids, info) = page(25, &[]);
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    assert_eq!(info.count, 25);
    assert_eq!(
        info.next.as_deref(),
        Some("https://host/api/v4/rasters/?ordering=name&page=2")
    );
    assert_eq!(info.previous, None);
    let (ids, info) = page(25, &[("page", "2")]);
    assert_eq!(ids, (11..=20).collect::<Vec<_>>());
    assert_eq!(
        info.next.as_deref(),
        Some("https://host/api/v4/rasters/?page=3&ordering=name")
    );
    // The previous link of page 2 drops `page`.
    assert_eq!(
        info.previous.as_deref(),
        Some("https://host/api/v4/rasters/?ordering=name")
    );
    let (ids, info) = page(25, &[("page", "3")]);
    assert_eq!(ids, (21..=25).collect::<Vec<_>>());
    assert_eq!(info.next, None);
    assert_eq!(
        info.previous.as_deref(),
        Some("https://host/api/v4/rasters/?page=2&ordering=name")
    );
    let (ids, _) = page(25, &[("page", "last")]);
    assert_eq!(ids, (21..=25).collect::<Vec<_>>());
}

#[test]
fn page_sizes_default_and_cap() {
    assert_eq!(page(25, &[("page_size", "7")]).0.len(), 7);
    for bad in ["0", "-5", "abc", "", "1.5"] {
        assert_eq!(
            page(25, &[("page_size", bad)]).0.len(),
            DEFAULT_PAGE_SIZE,
            "{bad}"
        );
    }
    let (ids, info) = page(1500, &[("page_size", "10000")]);
    assert_eq!(ids.len(), MAX_PAGE_SIZE);
    assert_eq!(info.count, 1500);
    assert_eq!(
        info.next.as_deref(),
        Some("https://host/api/v4/rasters/?page_size=10000&ordering=name&page=2")
    );
    let (ids, info) = page(1500, &[("page_size", "10000"), ("page", "2")]);
    assert_eq!(ids.len(), 500);
    assert_eq!(info.next, None);
}

#[test]
fn invalid_pages_are_404() {
    for p in ["0", "4", "-1", "abc", "", "1.0", "99999999999999999999999"] {
        invalid(25, &[("page", p)]);
    }
    // An empty list still has page 1, and only page 1.
    let (ids, info) = page(0, &[("page", "1")]);
    assert!(ids.is_empty());
    assert_eq!((info.count, info.next, info.previous), (0, None, None));
    invalid(0, &[("page", "2")]);
    // Bad filters are reported before bad pages.
    let e = list(many(3), &SCHEMA, &q(&[("page", "9"), ("uuid", "x")]), BASE).unwrap_err();
    assert_eq!(e.status(), 400);
}

#[test]
fn limit_and_offset_win_over_page() {
    let (ids, info) = page(25, &[("limit", "5"), ("offset", "10"), ("page", "99")]);
    assert_eq!(ids, (11..=15).collect::<Vec<_>>());
    assert_eq!(
        info.next.as_deref(),
        Some("https://host/api/v4/rasters/?limit=5&offset=15&page=99&ordering=name")
    );
    assert_eq!(
        info.previous.as_deref(),
        Some("https://host/api/v4/rasters/?limit=5&offset=5&page=99&ordering=name")
    );
    // The first window's previous link drops `offset`; no offset = 0.
    let (_, info) = page(25, &[("limit", "5"), ("offset", "3")]);
    assert_eq!(
        info.previous.as_deref(),
        Some("https://host/api/v4/rasters/?limit=5&ordering=name")
    );
    let (ids, info) = page(25, &[("limit", "1")]);
    assert_eq!((ids, info.count, info.previous), (vec![1], 25, None));
    assert_eq!(
        info.next.as_deref(),
        Some("https://host/api/v4/rasters/?limit=1&ordering=name&offset=1")
    );
    // Beyond the end: empty, not an error; bad offsets are 0; limit capped.
    let (ids, info) = page(25, &[("offset", "100")]);
    assert!(ids.is_empty());
    assert_eq!(info.next, None);
    assert_eq!(
        page(25, &[("offset", "-3")]).0,
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(page(2000, &[("limit", "5000")]).0.len(), MAX_PAGE_SIZE);
    assert_eq!(page(25, &[("limit", "0")]).0.len(), DEFAULT_PAGE_SIZE);
}

#[test]
fn links_keep_and_encode_other_parameters() {
    let (ids, info) = page(
        30,
        &[
            ("name__icontains", "R0"),
            ("x", "a&b=c/ü+% ,"),
            ("page", "2"),
            ("ordering", "-name"),
        ],
    );
    assert_eq!(ids, (11..=20).rev().collect::<Vec<_>>());
    assert_eq!(
        info.next.as_deref(),
        Some(
            "https://host/api/v4/rasters/?name__icontains=R0&x=a%26b%3Dc%2F%C3%BC%2B%25+%2C&page=3&ordering=-name"
        )
    );
    assert_eq!(
        info.previous.as_deref(),
        Some(
            "https://host/api/v4/rasters/?name__icontains=R0&x=a%26b%3Dc%2F%C3%BC%2B%25+%2C&ordering=-name"
        )
    );
    // Repeated `page` collapses into one.
    assert_eq!(
        link(
            BASE,
            &q(&[("page", "1"), ("a", "1"), ("page", "2")]),
            "page",
            Some(3)
        ),
        "https://host/api/v4/rasters/?page=3&a=1"
    );
    assert_eq!(link(BASE, &q(&[("page", "2")]), "page", None), BASE);
    assert_eq!(form_encode("aZ09-._~ *"), "aZ09-._~+%2A");
}

#[test]
fn envelope_has_lizards_keys_in_order() {
    let (_, info) = page(25, &[("page", "2"), ("ordering", "name")]);
    let body = envelope(&info, vec![json!({"name": "r0011"})]);
    let text = serde_json::to_string(&body).unwrap();
    assert!(text.starts_with(r#"{"count":25,"next":"https://host/api/v4/rasters/?page=3&ordering=name","previous":"https://host/api/v4/rasters/?ordering=name","results":[{"name":"r0011"}]}"#), "{text}");
    let empty = envelope(
        &PageInfo {
            count: 0,
            next: None,
            previous: None,
            range: 0..0,
        },
        vec![],
    );
    assert_eq!(
        serde_json::to_string(&empty).unwrap(),
        r#"{"count":0,"next":null,"previous":null,"results":[]}"#
    );
}
