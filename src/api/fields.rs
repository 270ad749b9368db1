//! Field forms shared by the endpoints: timestamps and durations as Django
//! REST framework writes them, nested organisation objects, and the parsing
//! of the write forms (uuid strings or objects, access modifier names or
//! codes, ISO 8601 or Django durations).

use super::request::ApiRequest;
use crate::catalogue::{AccessModifier, Organisation, Snapshot};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// `2020-05-19T12:03:18.300090Z`: UTC with microseconds, as Lizard.
pub fn timestamp(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// `1970-01-01T00:00:00Z`: whole seconds without a fraction (Lizard's form
/// for `first_value_timestamp`/`last_value_timestamp`), else microseconds.
pub fn instant(t: DateTime<Utc>) -> Value {
    if t.timestamp_subsec_micros() == 0 {
        Value::String(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    } else {
        timestamp(t)
    }
}

/// `{url, uuid, name}` of an organisation.
pub fn organisation_ref(req: &ApiRequest, org: &Organisation) -> Value {
    json!({
        "url": req.url(&format!("organisations/{}/", org.uuid)),
        "uuid": org.uuid.to_string(),
        "name": org.name,
    })
}

/// The organisation object for `uuid`, or null when it is gone.
pub fn organisation_of(req: &ApiRequest, snap: &Snapshot, uuid: Uuid) -> Value {
    snap.organisation(uuid)
        .map_or(Value::Null, |o| organisation_ref(req, o))
}

/// Django's `DurationField` form: `HH:MM:SS`, `D HH:MM:SS` past a day, with
/// `.ffffff` when there is a fraction; negative spans lead with `-D`.
pub fn duration(ms: i64) -> String {
    let micros = i128::from(ms) * 1000;
    let day = 86_400_000_000i128;
    let days = micros.div_euclid(day);
    let rest = micros.rem_euclid(day);
    let (secs, frac) = (rest / 1_000_000, rest % 1_000_000);
    let hms = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    let hms = if frac == 0 {
        hms
    } else {
        format!("{hms}.{frac:06}")
    };
    if days == 0 {
        hms
    } else {
        format!("{days} {hms}")
    }
}

/// A duration in milliseconds from ISO 8601 (`P0DT00H05M00S`, `PT5M`,
/// `P1DT2H`, `PT0.5S`, `P2W`) or Django's `[D ]HH:MM:SS[.ffffff]` (also
/// `MM:SS` and plain seconds, as Django parses them).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu], or ISO 8601 like P0DT01H00M00S (got {t:?})."
        )
    };
    let ms = if let Some(rest) = t.strip_prefix(['P', 'p']) {
        iso_duration(rest).ok_or_else(bad)?
    } else {
        django_duration(t).ok_or_else(bad)?
    };
    if ms.is_finite() && ms.abs() < 1e15 {
        Ok(ms.round() as i64)
    } else {
        Err(bad())
    }
}

fn iso_duration(rest: &str) -> Option<f64> {
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = 0.0;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        let mut last = 0;
        for ch in part.chars() {
            if ch.is_ascii_digit() || ch == '.' || ch == ',' {
                num.push(if ch == ',' { '.' } else { ch });
                continue;
            }
            let pos = units
                .iter()
                .position(|(u, _)| u.eq_ignore_ascii_case(&ch))?;
            if pos < last || num.is_empty() {
                return None;
            }
            last = pos + 1;
            total += num.parse::<f64>().ok()? * units[pos].1;
            num.clear();
            any = true;
        }
        num.is_empty().then_some(())
    };
    const S: f64 = 1000.0;
    take(
        date,
        &[
            ('Y', 365.0 * 86_400.0 * S),
            ('M', 30.0 * 86_400.0 * S),
            ('W', 7.0 * 86_400.0 * S),
            ('D', 86_400.0 * S),
        ],
    )?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        take(time, &[('H', 3600.0 * S), ('M', 60.0 * S), ('S', S)])?;
    }
    any.then_some(total)
}

fn django_duration(t: &str) -> Option<f64> {
    // `-1 23:00:00` is minus one day plus 23 hours; `-01:00:00` minus an hour.
    let (sign, t) = match t.strip_prefix('-') {
        Some(r) if !t.contains(' ') => (-1.0, r),
        _ => (1.0, t),
    };
    let (days, clock) = match t.split_once(' ') {
        Some((d, c)) => {
            let d = d.trim().trim_end_matches(',');
            let d = d
                .strip_suffix("days")
                .or_else(|| d.strip_suffix("day"))
                .unwrap_or(d)
                .trim();
            (d.parse::<f64>().ok()?, c.trim())
        }
        None => (0.0, t),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut secs = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if !last && !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !p.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return None;
        }
        secs = secs * 60.0 + p.parse::<f64>().ok()?;
    }
    Some(sign * (days * 86_400.0 + secs) * 1000.0)
}

/// An access modifier from its name (any case) or numeric code.
pub fn parse_access(v: &Value) -> Result<AccessModifier, String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    AccessModifier::parse(&text).ok_or_else(|| {
        format!("\"{text}\" is not a valid choice: use Public, Common, Private or Hidden (or 0, 100, 200, 300).")
    })
}

/// A uuid given as its string or as an object with a `uuid` key (the read
/// form sent back).
pub fn parse_uuid_ref(v: &Value) -> Result<Uuid, String> {
    let text = match v {
        Value::String(s) => s.as_str(),
        Value::Object(m) => m.get("uuid").and_then(Value::as_str).unwrap_or(""),
        _ => "",
    };
    Uuid::try_parse(text.trim()).map_err(|_| format!("\"{text}\" is not a valid UUID."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_both_forms_and_write_djangos() {
        for (text, ms) in [
            ("P0DT00H05M00S", 300_000),
            ("PT5M", 300_000),
            ("P1DT2H", 93_600_000),
            ("PT0.5S", 500),
            ("P2W", 1_209_600_000),
            ("01:00:00", 3_600_000),
            ("1 02:00:00", 93_600_000),
            ("00:05:00.250000", 300_250),
            ("05:00", 300_000),
            ("30", 30_000),
            ("-1 23:00:00", -3_600_000),
        ] {
            assert_eq!(parse_duration(text), Ok(ms), "{text}");
        }
        for bad in [
            "", "P", "PT", "P5", "PTM", "1:xx:00", "abc", "P1H", "PT1M1H",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(duration(300_000), "00:05:00");
        assert_eq!(duration(93_600_000), "1 02:00:00");
        assert_eq!(duration(300_250), "00:05:00.250000");
        assert_eq!(duration(-3_600_000), "-1 23:00:00");
    }

    #[test]
    fn timestamps_as_lizard_writes_them() {
        let t = DateTime::parse_from_rfc3339("2020-05-19T12:03:18.300090Z")
            .unwrap()
            .to_utc();
        assert_eq!(timestamp(t), "2020-05-19T12:03:18.300090Z");
        assert_eq!(instant(DateTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn write_forms() {
        assert_eq!(parse_access(&json!("private")), Ok(AccessModifier::Private));
        assert_eq!(parse_access(&json!(100)), Ok(AccessModifier::Common));
        assert!(parse_access(&json!("secret")).is_err());
        let u = Uuid::new_v4();
        assert_eq!(parse_uuid_ref(&json!(u.to_string())), Ok(u));
        assert_eq!(
            parse_uuid_ref(&json!({"uuid": u.to_string(), "name": "x"})),
            Ok(u)
        );
        assert!(parse_uuid_ref(&json!(3)).is_err());
    }
}
