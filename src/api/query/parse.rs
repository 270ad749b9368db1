//! Parsing of query-parameter values: booleans, instants, uuids, integers,
//! choices. Each parser returns the Django/DRF message on failure; the caller
//! puts it under the parameter's name in an `ApiError::Validation`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use uuid::Uuid;

/// `true`/`false`/`True`/`False`/`1`/`0` (django-filter's boolean widget).
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" | "True" | "1" => Ok(true),
        "false" | "False" | "0" => Ok(false),
        _ => Err(format!("Enter a valid boolean (true or false), not '{s}'.")),
    }
}

/// An ISO 8601 instant: `YYYY-MM-DDThh:mm[:ss[.ffffff]]` with `Z`, an
/// offset (`+00:00`, `+02:00`, converted to UTC) or none (taken as UTC, the
/// server's time zone), or a date `YYYY-MM-DD` (midnight UTC). A space may
/// replace the `T`, as Django accepts.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    let bad = || "Enter a valid date/time.".to_string();
    let t = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&t.replace('Z', "+00:00"), fmt) {
            return Ok(d.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(d.and_utc());
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(bad)
}

/// One uuid in its canonical 8-4-4-4-12 form, any case (partial, braced,
/// URN and hyphen-less forms are rejected, as Lizard does).
pub fn parse_uuid(s: &str) -> Result<Uuid, String> {
    let t = s.trim();
    let canonical = t.len() == 36
        && t.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !canonical {
        return Err(format!("'{t}' is not a valid UUID."));
    }
    Uuid::parse_str(t).map_err(|_| format!("'{t}' is not a valid UUID."))
}

/// A comma-separated list of canonical uuids (empty items are skipped).
pub fn parse_uuid_list(s: &str) -> Result<Vec<Uuid>, String> {
    split_list(s).map(parse_uuid).collect()
}

/// A decimal integer.
pub fn parse_int(s: &str) -> Result<i64, String> {
    s.trim()
        .parse()
        .map_err(|_| "Enter a whole number.".to_string())
}

/// A choice by name (any case) or numeric code; returns its index.
pub fn parse_choice(s: &str, choices: &[(&str, i64)]) -> Result<usize, String> {
    let t = s.trim();
    let code = t.parse::<i64>().ok();
    choices
        .iter()
        .position(|(name, c)| name.eq_ignore_ascii_case(t) || code == Some(*c))
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!(
                "Select a valid choice. {t} is not one of the available choices ({}).",
                names.join(", ")
            )
        })
}

/// The non-empty, trimmed items of a comma list.
pub fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn booleans() {
        for (s, b) in [
            ("true", true),
            ("True", true),
            ("1", true),
            ("false", false),
            ("False", false),
            ("0", false),
        ] {
            assert_eq!(parse_bool(s), Ok(b));
        }
        for s in ["yes", "TRUE", "", "2"] {
            assert!(parse_bool(s).is_err(), "{s}");
        }
    }

    #[test]
    fn instants_in_every_accepted_form() {
        let at = |h, mi, s| Utc.with_ymd_and_hms(2020, 5, 19, h, mi, s).unwrap();
        assert_eq!(parse_time("2020-05-19T12:03:18Z"), Ok(at(12, 3, 18)));
        assert_eq!(parse_time("2020-05-19T12:03:18+00:00"), Ok(at(12, 3, 18)));
        assert_eq!(parse_time("2020-05-19T14:03:18+02:00"), Ok(at(12, 3, 18)));
        assert_eq!(parse_time("2020-05-19T12:03:18"), Ok(at(12, 3, 18)));
        assert_eq!(parse_time("2020-05-19 12:03:18"), Ok(at(12, 3, 18)));
        assert_eq!(parse_time("2020-05-19T12:03Z"), Ok(at(12, 3, 0)));
        assert_eq!(parse_time("2020-05-19"), Ok(at(0, 0, 0)));
        let frac = parse_time("2020-05-19T12:03:18.300090Z").unwrap();
        assert_eq!(frac.timestamp_subsec_micros(), 300090);
        for s in [
            "2020-13-01",
            "2020-05-19T25:00:00Z",
            "yesterday",
            "",
            "2020-05-19T12:03:18Q",
        ] {
            assert!(parse_time(s).is_err(), "{s}");
        }
    }

    #[test]
    fn uuids_only_canonical_any_case() {
        let u = "d8f36211-68c5-4211-b530-2c22932f396b";
        assert_eq!(parse_uuid(u).unwrap().to_string(), u);
        assert_eq!(parse_uuid(&u.to_uppercase()).unwrap().to_string(), u);
        for s in [
            "d8f36211",
            "d8f3621168c54211b5302c22932f396b",
            "{d8f36211-68c5-4211-b530-2c22932f396b}",
            "urn:uuid:d8f36211-68c5-4211-b530-2c22932f396b",
            "g8f36211-68c5-4211-b530-2c22932f396b",
        ] {
            assert!(parse_uuid(s).is_err(), "{s}");
        }
        let two = format!("{u}, {}", u.to_uppercase());
        assert_eq!(parse_uuid_list(&two).unwrap().len(), 2);
        assert!(
            parse_uuid_list(&format!("{u},abc"))
                .unwrap_err()
                .contains("'abc'")
        );
    }

    #[test]
    fn integers_and_choices() {
        assert_eq!(parse_int(" -3 "), Ok(-3));
        assert!(parse_int("3.5").is_err());
        let c = &[
            ("Public", 0),
            ("Common", 100),
            ("Private", 200),
            ("Hidden", 300),
        ];
        assert_eq!(parse_choice("public", c), Ok(0));
        assert_eq!(parse_choice("PRIVATE", c), Ok(2));
        assert_eq!(parse_choice("300", c), Ok(3));
        let e = parse_choice("Secret", c).unwrap_err();
        assert!(e.contains("Secret") && e.contains("Public, Common"), "{e}");
        assert!(parse_choice("50", c).is_err());
    }
}
