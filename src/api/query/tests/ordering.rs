//! Ordering tests: directions, several keys, NULL placement, byte order of
//! text, ties by default ordering then uuid then input order, bad names.

use super::*;
use serde_json::json;

fn rows() -> Vec<Row> {
    let mut r = vec![
        row(5, "b"),
        row(3, "B"),
        row(9, "a"),
        row(1, "c"),
        row(7, "a"),
    ];
    r[0].created = Some(at(2));
    r[1].created = Some(at(1));
    r[2].created = None;
    r[3].created = Some(at(3));
    r[4].created = Some(at(1));
    r
}

#[test]
fn ascending_descending_and_byte_order() {
    // Uppercase sorts before lowercase (C collation); ties ("a") by the
    // default ordering -created, where NULL comes first descending.
    assert_eq!(ids(rows(), &[("ordering", "name")]), vec![3, 9, 7, 5, 1]);
    assert_eq!(ids(rows(), &[("ordering", "-name")]), vec![1, 5, 9, 7, 3]);
}

#[test]
fn nulls_last_ascending_first_descending() {
    assert_eq!(ids(rows(), &[("ordering", "created")]), vec![3, 7, 5, 1, 9]);
    assert_eq!(
        ids(rows(), &[("ordering", "-created")]),
        vec![9, 1, 5, 3, 7]
    );
    // The default ordering alone (-created), ties by uuid.
    assert_eq!(ids(rows(), &[]), vec![9, 1, 5, 3, 7]);
    assert_eq!(ids(rows(), &[("ordering", "")]), vec![9, 1, 5, 3, 7]);
}

#[test]
fn several_keys_and_ties() {
    assert_eq!(
        ids(rows(), &[("ordering", "created,-name")]),
        vec![7, 3, 5, 1, 9]
    );
    assert_eq!(
        ids(rows(), &[("ordering", "-name, created")]),
        vec![1, 5, 7, 9, 3]
    );
    assert_eq!(
        ids(rows(), &[("ordering", "name,,created")]),
        vec![3, 7, 9, 5, 1]
    );
    // Full ties on every key and uuid keep input order (stable).
    let same = vec![row(2, "x"), row(2, "x"), row(1, "x")];
    let (page, _) = list(same.clone(), &SCHEMA, &q(&[("ordering", "name")]), BASE).unwrap();
    assert_eq!(
        page,
        vec![same[2].clone(), same[0].clone(), same[1].clone()]
    );
}

#[test]
fn other_value_kinds_order() {
    let mut r = rows();
    r[0].temporal = Some(true);
    r[1].temporal = Some(false);
    r[0].weight = Some(3);
    r[3].weight = Some(-2);
    r[2].sources = vec![u(40)];
    r[4].sources = vec![u(30), u(50)];
    assert_eq!(
        ids(r.clone(), &[("ordering", "temporal")]),
        vec![3, 5, 9, 1, 7]
    );
    assert_eq!(
        ids(r.clone(), &[("ordering", "-weight")]),
        vec![9, 3, 7, 5, 1]
    );
    assert_eq!(
        ids(r, &[("ordering", "raster_sources__uuid")]),
        vec![7, 9, 1, 5, 3]
    );
}

#[test]
fn unknown_ordering_names_are_400() {
    for (bad, named) in [
        ("foo", "foo"),
        ("-foo", "-foo"),
        ("name,uuid", "uuid"),
        ("--name", "--name"),
        ("+name", "+name"),
    ] {
        let detail = err(rows(), &[("ordering", bad)]);
        let msg = detail["ordering"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            msg.contains(&format!("choice. {named} is")),
            "{bad}: {detail}"
        );
    }
    assert_eq!(
        err(rows(), &[("ordering", "foo")]),
        json!({"ordering": ["Select a valid choice. foo is not one of the available choices (name, created, temporal, weight, organisation__name, raster_sources__uuid)."]})
    );
}
