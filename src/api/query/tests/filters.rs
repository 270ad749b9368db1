//! Filter tests: every lookup of every kind, to-many relations, NULLs, and
//! each bad value answered with a 400 naming the parameter.

use super::*;
use serde_json::json;

fn named() -> Vec<Row> {
    vec![
        row(1, "Waterdepth North"),
        row(2, "waterdepth south"),
        row(3, "Rainfall"),
        row(4, "Ünïcode Straße"),
    ]
}

#[test]
fn text_lookups_follow_django() {
    let cases: &[(&str, &str, &[u32])] = &[
        ("name", "Rainfall", &[3]),
        ("name", "rainfall", &[]),
        ("name__exact", "Rainfall", &[3]),
        ("name__iexact", "RAINFALL", &[3]),
        ("name__contains", "depth", &[1, 2]),
        ("name__contains", "Depth", &[]),
        ("name__icontains", "DEPTH", &[1, 2]),
        ("name__startswith", "Water", &[1]),
        ("name__istartswith", "WATER", &[1, 2]),
        ("name__endswith", "south", &[2]),
        ("name__iendswith", "NORTH", &[1]),
        ("name__in", "Rainfall, waterdepth south", &[2, 3]),
        // Unicode lowercase, not ASCII only.
        ("name__icontains", "ÜNÏCODE", &[4]),
        ("name__iexact", "ünïcode straße", &[4]),
    ];
    for (param, value, want) in cases {
        let mut got = ids(named(), &[(param, value), ("ordering", "name")]);
        got.sort();
        assert_eq!(got, *want, "{param}={value}");
    }
}

#[test]
fn null_text_matches_only_isnull_true() {
    let mut rows = named();
    rows[0].obs_parameter = Some("Waterdepth".into());
    rows[2].obs_parameter = Some("Rain".into());
    let f = |p: &str, v: &str| {
        let mut got = ids(named_with(&rows), &[(p, v)]);
        got.sort();
        got
    };
    assert_eq!(f("observation_type__parameter__icontains", "a"), vec![1, 3]);
    assert_eq!(
        f("observation_type__parameter__iexact", ""),
        vec![1, 2, 3, 4]
    ); // empty = no filter
    assert_eq!(f("observation_type__isnull", "true"), vec![2, 4]);
    assert_eq!(f("observation_type__isnull", "false"), vec![1, 3]);
    assert_eq!(f("observation_type__parameter__isnull", "True"), vec![2, 4]);
}

fn named_with(rows: &[Row]) -> Vec<Row> {
    rows.to_vec()
}

#[test]
fn uuid_lists_are_case_insensitive_and_cross_relations() {
    let mut rows = named();
    rows[0].org_uuid = Some(u(7));
    rows[1].org_uuid = Some(u(8));
    rows[1].sources = vec![u(20), u(21)];
    rows[2].sources = vec![u(21)];
    let upper = u(2).to_string().to_uppercase();
    let mut got = ids(rows.clone(), &[("uuid", &format!("{},{upper}", u(1)))]);
    got.sort();
    assert_eq!(got, vec![1, 2]);
    assert_eq!(
        ids(rows.clone(), &[("uuid__in", &u(3).to_string())]),
        vec![3]
    );
    assert_eq!(
        ids(rows.clone(), &[("organisation__uuid", &u(8).to_string())]),
        vec![2]
    );
    let mut got = ids(
        rows.clone(),
        &[("raster_sources__uuid", &u(21).to_string())],
    );
    got.sort();
    assert_eq!(got, vec![2, 3]);
    assert_eq!(
        ids(
            rows.clone(),
            &[("raster_sources__uuid", &u(20).to_string())]
        ),
        vec![2]
    );
    let mut got = ids(rows.clone(), &[("organisation__uuid__isnull", "true")]);
    got.sort();
    assert_eq!(got, vec![3, 4]);
    let mut got = ids(rows, &[("raster_sources__uuid__isnull", "1")]);
    got.sort();
    assert_eq!(got, vec![1, 4]);
}

#[test]
fn to_many_text_matches_any_element() {
    let mut rows = named();
    rows[0].collections = vec!["rain".into(), "klimaatatlas".into()];
    rows[3].collections = vec!["klimaat".into()];
    let mut got = ids(rows.clone(), &[("layer_collections__slug", "klimaat")]);
    got.sort();
    assert_eq!(got, vec![4]);
    let mut got = ids(
        rows.clone(),
        &[("layer_collections__slug__startswith", "klimaat")],
    );
    got.sort();
    assert_eq!(got, vec![1, 4]);
    let mut got = ids(rows, &[("layer_collections__slug__isnull", "true")]);
    got.sort();
    assert_eq!(got, vec![2, 3]);
}

#[test]
fn time_lookups_compare_instants() {
    let mut rows = named();
    for (i, r) in rows.iter_mut().enumerate().take(3) {
        r.created = Some(at(10 + i as u32));
    }
    let f = |p: &str, v: &str| {
        let mut got = ids(rows.clone(), &[(p, v)]);
        got.sort();
        got
    };
    assert_eq!(f("created", "2020-05-11T12:00:00Z"), vec![2]);
    assert_eq!(f("created__exact", "2020-05-11T14:00:00+02:00"), vec![2]);
    assert_eq!(f("created__lt", "2020-05-11T12:00:00Z"), vec![1]);
    assert_eq!(f("created__lte", "2020-05-11T12:00:00Z"), vec![1, 2]);
    assert_eq!(f("created__gt", "2020-05-11T12:00:00Z"), vec![3]);
    assert_eq!(f("created__gte", "2020-05-11"), vec![2, 3]);
    assert_eq!(f("created__gte", "2020-05-11T12:00:00.000001Z"), vec![3]);
    assert_eq!(f("created__isnull", "true"), vec![4]);
    assert_eq!(
        f("created__in", "2020-05-10T12:00:00Z,2020-05-12T12:00:00Z"),
        vec![1, 3]
    );
}

#[test]
fn bool_int_and_choice_filters() {
    let mut rows = named();
    rows[0].temporal = Some(true);
    rows[1].temporal = Some(false);
    rows[0].weight = Some(5);
    rows[1].weight = Some(-1);
    rows[2].weight = Some(10);
    rows[1].access = "Private";
    rows[2].access = "Hidden";
    let f = |pairs: &[(&str, &str)]| {
        let mut got = ids(rows.clone(), pairs);
        got.sort();
        got
    };
    for v in ["true", "True", "1"] {
        assert_eq!(f(&[("temporal", v)]), vec![1]);
    }
    for v in ["false", "False", "0"] {
        assert_eq!(f(&[("temporal", v)]), vec![2]);
    }
    assert_eq!(f(&[("temporal__isnull", "true")]), vec![3, 4]);
    assert_eq!(f(&[("weight", "5")]), vec![1]);
    assert_eq!(f(&[("weight__lt", "5")]), vec![2]);
    assert_eq!(f(&[("weight__lte", "5")]), vec![1, 2]);
    assert_eq!(f(&[("weight__gt", "5")]), vec![3]);
    assert_eq!(f(&[("weight__gte", "-1")]), vec![1, 2, 3]);
    assert_eq!(f(&[("weight__in", "10,-1")]), vec![2, 3]);
    assert_eq!(f(&[("access_modifier", "public")]), vec![1, 4]);
    assert_eq!(f(&[("access_modifier", "200")]), vec![2]);
    assert_eq!(f(&[("access_modifier__in", "Private,300")]), vec![2, 3]);
    // Filters combine with AND; the last value of a repeated parameter wins.
    assert_eq!(
        f(&[("access_modifier", "Public"), ("temporal", "true")]),
        vec![1]
    );
    assert_eq!(f(&[("weight", "zzz"), ("weight", "10")]), vec![3]);
}

#[test]
fn accepted_and_unknown_parameters_are_ignored() {
    let all = vec![1, 2, 3, 4];
    let f = |pairs: &[(&str, &str)]| {
        let mut got = ids(named(), pairs);
        got.sort();
        got
    };
    assert_eq!(f(&[("scenario__isnull", "true")]), all);
    assert_eq!(f(&[("scenario__isnull", "false")]), all);
    assert_eq!(
        f(&[
            ("writable", "true"),
            ("foo__bar", "x"),
            ("format", "json"),
            ("dry-run", "1")
        ]),
        all
    );
    assert_eq!(f(&[("organisation__foo", "x"), ("uuid", "")]), all);
    // A suffix that is no Django lookup makes an undeclared parameter.
    assert_eq!(
        f(&[("name__icontain", "zzz"), ("observation_type__unit", "m")]),
        all
    );
    // References to rows are rows too.
    let rows = named();
    let (page, info) = list(
        rows.iter().collect(),
        &SCHEMA,
        &q(&[("name", "Rainfall")]),
        BASE,
    )
    .unwrap();
    assert_eq!(
        (page.len(), page[0].name.as_str(), info.count),
        (1, "Rainfall", 1)
    );
}

#[test]
fn bad_values_are_400s_naming_each_parameter() {
    let cases: &[(&str, &str)] = &[
        ("uuid", "d8f36211"),
        ("uuid", "d8f3621168c54211b5302c22932f396b"),
        ("organisation__uuid__in", "x,y"),
        ("temporal", "yes"),
        ("created__gte", "last week"),
        ("created", "2020-05-19T12:00:00+25:00"),
        ("weight", "1.5"),
        ("weight__in", "1,b"),
        ("access_modifier", "Secret"),
        ("scenario__isnull", "maybe"),
        ("name__isnull", "perhaps"),
        ("name__regex", "("),
        ("name__iregex", "[z-a]"),
        ("name__lt", "b"),
        ("name__year", "2020"),
        ("created__icontains", "2020"),
        ("weight__range", "1,2"),
        ("temporal__contains", "t"),
        ("uuid__icontains", "d8f3"),
        ("scenario__isnull__exact", "true"),
    ];
    for (param, value) in cases {
        let detail = err(named(), &[(param, value)]);
        let msgs = detail.get(*param).and_then(|m| m.as_array());
        assert!(
            msgs.is_some_and(|m| !m.is_empty()),
            "{param}={value}: {detail}"
        );
    }
    // All bad parameters at once, each under its own name.
    let detail = err(named(), &[("uuid", "x"), ("temporal", "y"), ("name", "ok")]);
    assert_eq!(detail.as_object().unwrap().len(), 2, "{detail}");
    assert!(
        detail["uuid"][0].as_str().unwrap().contains("'x'"),
        "{detail}"
    );
    let detail = err(named(), &[("name__gt", "a")]);
    assert_eq!(
        detail,
        json!({"name__gt": ["Unsupported lookup 'gt'; use one of: exact, iexact, contains, icontains, startswith, istartswith, endswith, iendswith, in, isnull, regex, iregex."]})
    );
}

fn specials() -> Vec<Row> {
    vec![
        row(1, "100% rain"),
        row(2, "rain_fall"),
        row(3, "back\\slash"),
        row(4, "plain"),
        row(5, "ΟΔΟΣ"),
        row(6, "Straße"),
    ]
}

#[test]
fn like_wildcards_are_literal_in_every_text_lookup() {
    let cases: &[(&str, &str, &[u32])] = &[
        ("name__contains", "%", &[1]),
        ("name__icontains", "%", &[1]),
        ("name__icontains", "_", &[2]),
        ("name__icontains", "\\", &[3]),
        ("name__contains", "\\s", &[3]),
        ("name__startswith", "%", &[]),
        ("name__istartswith", "_", &[]),
        ("name__endswith", "%", &[]),
        ("name__iendswith", "_", &[]),
        ("name__exact", "%", &[]),
        ("name__iexact", "_", &[]),
        ("name__iexact", "rain_fall", &[2]),
        ("name__iexact", "rain%fall", &[]),
        ("name__icontains", "n_f", &[2]),
        ("name__icontains", "n%f", &[]),
        ("name__istartswith", "100%", &[1]),
        ("name__iendswith", "\\SLASH", &[3]),
        ("name__icontains", "%%", &[]),
        ("name__icontains", ".*", &[]),
    ];
    for (param, value, want) in cases {
        let mut got = ids(specials(), &[(param, value)]);
        got.sort();
        assert_eq!(got, *want, "{param}={value}");
    }
}

#[test]
fn case_folding_is_postgres_upper() {
    let cases: &[(&str, &str, &[u32])] = &[
        // Final and medial sigma both upper-case to Σ.
        ("name__iexact", "οδος", &[5]),
        ("name__icontains", "ς", &[5]),
        ("name__icontains", "σ", &[5]),
        // ß has no one-letter upper case: it stays ß, so it is not SS.
        ("name__iexact", "STRASSE", &[]),
        ("name__iexact", "STRAßE", &[6]),
        ("name__icontains", "ß", &[6]),
    ];
    for (param, value, want) in cases {
        let mut got = ids(specials(), &[(param, value)]);
        got.sort();
        assert_eq!(got, *want, "{param}={value}");
    }
    assert_eq!(crate::api::query::filter::fold("aßςﬁ"), "AßΣﬁ");
}

#[test]
fn regex_lookups_are_bounded() {
    let f = |p: &str, v: &str| {
        let mut got = ids(specials(), &[(p, v)]);
        got.sort();
        got
    };
    assert_eq!(f("name__regex", "^rain"), vec![2]);
    assert_eq!(f("name__regex", "^RAIN"), Vec::<u32>::new());
    assert_eq!(f("name__iregex", "^RAIN"), vec![2]);
    assert_eq!(f("name__regex", "[0-9]+%"), vec![1]);
    // A catastrophic backtracking pattern runs in linear time.
    let started = std::time::Instant::now();
    let long = "a".repeat(255);
    let rows = vec![row(1, &long)];
    assert_eq!(
        ids(rows, &[("name__regex", "^(a+)+$")]),
        vec![1],
        "linear-time engine"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Too long or too big to compile: refused with the parameter named.
    let detail = err(specials(), &[("name__regex", &"a".repeat(257))]);
    assert!(detail["name__regex"][0].as_str().unwrap().contains("256"));
    let detail = err(specials(), &[("name__iregex", "(\\w{100}){100}")]);
    assert_eq!(
        detail["name__iregex"][0],
        "This regular expression is too complex."
    );
}

#[test]
fn nul_in_a_filter_value_is_refused_unknown_parameters_stay_ignored() {
    let detail = err(specials(), &[("name__icontains", "a\u{0}")]);
    assert_eq!(
        detail,
        json!({"name__icontains": ["Null characters are not allowed."]})
    );
    assert_eq!(ids(specials(), &[("bogus", "\u{0}")]).len(), 6);
    assert_eq!(ids(specials(), &[("name__bogus", "\u{0}")]).len(), 6);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const LOOKUPS: &[&str] = &[
        "",
        "__exact",
        "__iexact",
        "__contains",
        "__icontains",
        "__startswith",
        "__istartswith",
        "__endswith",
        "__iendswith",
        "__in",
        "__isnull",
        "__regex",
        "__iregex",
        "__gt",
        "__bogus",
    ];

    fn rows(names: &[String]) -> Vec<Row> {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| row(i as u32 + 1, n))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_parameter(
            param in "\\PC{0,24}",
            value in "\\PC{0,24}",
            names in proptest::collection::vec("\\PC{0,12}", 0..5),
        ) {
            let _ = list(rows(&names), &SCHEMA, &q(&[(&param, &value)]), BASE);
        }

        #[test]
        fn never_panics_on_lookups_and_special_characters(
            lookup in proptest::sample::select(LOOKUPS),
            value in "[%_\\\\a-cA-Cß*.+?()\\[\\]{}^$|ς Σ-]{0,16}",
            names in proptest::collection::vec("[%_\\\\a-cA-Cß ςΣ]{0,10}", 0..6),
        ) {
            let param = format!("name{lookup}");
            let _ = list(rows(&names), &SCHEMA, &q(&[(&param, &value)]), BASE);
        }

        #[test]
        fn contains_is_literal_substring_search(
            needle in "[%_\\\\ab]{1,3}",
            names in proptest::collection::vec("[%_\\\\ab]{0,8}", 1..8),
        ) {
            let mut got = ids(rows(&names), &[("name__contains", &needle)]);
            got.sort();
            let want: Vec<u32> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| n.contains(needle.as_str()))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            prop_assert_eq!(got, want);
        }

        #[test]
        fn icontains_folds_both_sides_as_upper(
            needle in "[a-cA-Cß%_]{1,3}",
            names in proptest::collection::vec("[a-cA-Cß%_ ]{0,8}", 1..8),
        ) {
            let fold = crate::api::query::filter::fold;
            let mut got = ids(rows(&names), &[("name__icontains", &needle)]);
            got.sort();
            let want: Vec<u32> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| fold(n).contains(&fold(&needle)))
                .map(|(i, _)| i as u32 + 1)
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
