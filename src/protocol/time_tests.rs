//! Tests of TIME parsing, ISO 8601 durations and time extents.

use super::*;
use chrono::TimeZone;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap()
}

fn instant(s: &str) -> DateTime<Utc> {
    match TimeParam::parse(s) {
        Ok(TimeParam::Instant(TimePoint::At(t))) => t,
        other => panic!("{s}: {other:?}"),
    }
}

#[test]
fn instant_forms_clients_send() {
    let t = utc(2020, 1, 1, 0, 0, 0);
    for s in [
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00.000Z",
        "2020-01-01T00:00:00",
        "2020-01-01",
        "2020-01",
        "2020",
        "2020-01-01T00:00Z",
        "2020-01-01T00",
        "2020-01-01 00:00:00",
        "2020-01-01t00:00:00z",
        " 2020-01-01T00:00:00Z ",
        "2020-01-01T01:00:00+01:00",
        "2020-01-01T01:00:00+0100",
        "2020-01-01T01:00:00+01",
        "2020-01-01T01:00:00 01:00",
        "2019-12-31T19:00:00-05:00",
    ] {
        assert_eq!(instant(s), t, "{s}");
    }
    assert_eq!(
        instant("2020-01-01T00:00:00.5Z"),
        t + TimeDelta::milliseconds(500)
    );
    assert_eq!(
        instant("2020-01-01T00:00:00.123456789Z"),
        t + TimeDelta::nanoseconds(123_456_789)
    );
    assert_eq!(
        instant("2024-02-29T23:59:59Z"),
        utc(2024, 2, 29, 23, 59, 59)
    );
}

#[test]
fn bad_instants_are_malformed() {
    for s in [
        "",
        "2020-13-01",
        "2020-02-30",
        "2023-02-29",
        "2020-01-01T24:00:00",
        "2020-01-01T00:60",
        "2020-01-01T00:00:60",
        "2020-1-1",
        "20200101",
        "yesterday",
        "2020-01-01T00:00:00.Z",
        "2020-01-01T00:00:00.1234567890Z",
        "2020-01-01T00:00:00+25:00",
        "2020-01-01T00:00:00Zjunk",
        "1e3",
        "NaN",
        "2020-01-01T00:00:00/",
        "a/b/c/d",
        "٢٠٢٠-01-01",
        "2020-01-01T00:00:00Z/2020-01-02/P",
        "2020/2021/PT",
        "2020/2021/P1DT",
        "2020/2021/P1.5D",
        "2020/2021/PT1.S",
        "2020/2021/P-1D",
        "2020/2021/1D",
        "2020/2021/P99999999999D",
    ] {
        assert!(
            matches!(TimeParam::parse(s), Err(TimeError::Malformed(_))),
            "{s}: {:?}",
            TimeParam::parse(s)
        );
    }
}

#[test]
fn current_intervals_and_lists() {
    assert_eq!(
        TimeParam::parse("current"),
        Ok(TimeParam::Instant(TimePoint::Current))
    );
    assert_eq!(
        TimeParam::parse("CURRENT"),
        Ok(TimeParam::Instant(TimePoint::Current))
    );
    let a = utc(2000, 1, 1, 0, 0, 0);
    let b = utc(2000, 1, 1, 0, 1, 0);
    assert_eq!(
        TimeParam::parse("2000-01-01T00:00:00Z/2000-01-01T00:01:00Z/PT5S"),
        Ok(TimeParam::Interval {
            start: TimePoint::At(a),
            end: TimePoint::At(b),
            period: Some(IsoDuration {
                seconds: 5,
                ..Default::default()
            })
        })
    );
    assert_eq!(
        TimeParam::parse("2000-01-01/current"),
        Ok(TimeParam::Interval {
            start: TimePoint::At(a),
            end: TimePoint::Current,
            period: None
        })
    );
    assert_eq!(
        TimeParam::parse("2000-01-01T00:00:00Z,2000-01-01T00:00:00Z/2000-01-01T00:01:00Z"),
        Ok(TimeParam::List(vec![
            TimeParam::Instant(TimePoint::At(a)),
            TimeParam::Interval {
                start: TimePoint::At(a),
                end: TimePoint::At(b),
                period: None
            }
        ]))
    );
    assert!(matches!(
        TimeParam::parse("2000-01-02/2000-01-01"),
        Err(TimeError::Reversed(_))
    ));
    let many = vec!["2000"; MAX_TIME_ITEMS + 1].join(",");
    assert_eq!(TimeParam::parse(&many), Err(TimeError::TooManyItems));
    assert!(matches!(
        TimeParam::parse("2000,"),
        Err(TimeError::Malformed(_))
    ));
}

#[test]
fn conversion_to_time_sel() {
    let a = utc(2000, 1, 1, 0, 0, 0);
    assert_eq!(
        TimeParam::parse("2000-01-01").unwrap().to_time_sel(),
        Ok(TimeSel::Nearest(a))
    );
    assert_eq!(
        TimeParam::parse("current").unwrap().to_time_sel(),
        Ok(TimeSel::Latest)
    );
    let e = TimeParam::parse("2000/2001")
        .unwrap()
        .to_time_sel()
        .unwrap_err();
    assert_eq!(e, TimeError::NotAnInstant("intervals"));
    assert_eq!(e.class(), ErrorClass::Unsupported);
    assert!(e.to_string().contains("single instant"));
    assert_eq!(
        TimeParam::parse("2000,2001").unwrap().to_time_sel(),
        Err(TimeError::NotAnInstant("lists"))
    );
}

#[test]
fn durations_parse_and_print() {
    let d = parse_duration("P1Y2M3W4DT5H6M7.25S").unwrap();
    assert_eq!(
        d,
        IsoDuration {
            years: 1,
            months: 2,
            weeks: 3,
            days: 4,
            hours: 5,
            minutes: 6,
            seconds: 7,
            nanos: 250_000_000
        }
    );
    assert_eq!(d.to_string(), "P1Y2M3W4DT5H6M7.25S");
    assert_eq!(parse_duration("PT5M").unwrap().to_string(), "PT5M");
    assert_eq!(parse_duration("P1M").unwrap().months, 1);
    assert_eq!(parse_duration("PT1M").unwrap().minutes, 1);
    assert_eq!(IsoDuration::default().to_string(), "PT0S");
    for s in [
        "P", "PT", "P1DT", "1D", "P1H", "PT1D", "P1.5D", "PT1.S", "P1D2", "PTT1H",
    ] {
        assert_eq!(parse_duration(s), None, "{s}");
    }
}

#[test]
fn durations_of_steps() {
    let cases = [
        (TimeDelta::minutes(5), "PT5M"),
        (TimeDelta::hours(1), "PT1H"),
        (TimeDelta::days(1), "P1D"),
        (
            TimeDelta::days(1)
                + TimeDelta::hours(1)
                + TimeDelta::minutes(1)
                + TimeDelta::seconds(1),
            "P1DT1H1M1S",
        ),
        (TimeDelta::milliseconds(500), "PT0.5S"),
        (TimeDelta::seconds(90), "PT1M30S"),
        (TimeDelta::zero(), "PT0S"),
    ];
    for (step, want) in cases {
        assert_eq!(duration_of(step).unwrap().to_string(), want);
    }
    assert_eq!(duration_of(TimeDelta::seconds(-1)), None);
}

#[test]
fn extents() {
    let t0 = utc(2020, 1, 1, 0, 0, 0);
    let five: Vec<_> = (0..4).map(|i| t0 + TimeDelta::minutes(5 * i)).collect();
    assert_eq!(
        time_extent(&five),
        "2020-01-01T00:00:00Z/2020-01-01T00:15:00Z/PT5M"
    );
    let mut shuffled = five.clone();
    shuffled.reverse();
    shuffled.push(five[1]);
    assert_eq!(time_extent(&shuffled), time_extent(&five));
    let uneven = [t0, t0 + TimeDelta::minutes(5), t0 + TimeDelta::minutes(11)];
    assert_eq!(
        time_extent(&uneven),
        "2020-01-01T00:00:00Z,2020-01-01T00:05:00Z,2020-01-01T00:11:00Z"
    );
    assert_eq!(
        time_extent(&[t0, t0 + TimeDelta::days(1)]),
        "2020-01-01T00:00:00Z,2020-01-02T00:00:00Z"
    );
    assert_eq!(time_extent(&[t0]), "2020-01-01T00:00:00Z");
    assert_eq!(time_extent(&[]), "");
    assert_eq!(
        format_instant(&(t0 + TimeDelta::milliseconds(250))),
        "2020-01-01T00:00:00.250Z"
    );
}

#[test]
fn zero_periods_are_refused() {
    for raw in [
        "2000-01-01/2000-01-02/P0D",
        "2000-01-01/2000-01-02/PT0S",
        "2000-01-01/2000-01-02/P0Y0M0DT0H0M0S",
        "2000-01-01/2000-01-02/PT0.000S",
        "2000,2000-01-01/2000-01-02/P0W",
    ] {
        let e = TimeParam::parse(raw).unwrap_err();
        assert!(matches!(e, TimeError::ZeroPeriod(_)), "{raw}: {e:?}");
        assert_eq!(e.class(), ErrorClass::BadRequest, "{raw}");
        assert!(e.to_string().contains("positive"), "{raw}: {e}");
    }
    assert!(TimeParam::parse("2000-01-01/2000-01-02/PT0.5S").is_ok());
    assert!(IsoDuration::default().is_zero());
}

#[test]
fn a_million_items_are_refused_without_collecting_them() {
    let many = "2000-01-01,".repeat(1_000_000);
    let started = std::time::Instant::now();
    assert_eq!(TimeParam::parse(&many), Err(TimeError::TooManyItems));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        // Years 0001..=9999 at nanosecond precision: what four-digit years hold.
        (-62_135_596_800i64..253_402_300_799i64, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap_or_default())
    }

    fn duration() -> impl Strategy<Value = IsoDuration> {
        (
            0u32..3,
            0u32..13,
            0u32..5,
            0u32..400,
            0u32..48,
            0u32..120,
            0u32..120,
            prop_oneof![Just(0u32), 1u32..1_000_000_000],
        )
            .prop_map(
                |(years, months, weeks, days, hours, minutes, seconds, nanos)| IsoDuration {
                    years,
                    months,
                    weeks,
                    days,
                    hours,
                    minutes,
                    seconds,
                    nanos,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,40}") {
            let _ = TimeParam::parse(&s);
            let _ = parse_instant(&s);
            let _ = parse_duration(&s);
        }

        #[test]
        fn never_panics_on_its_own_alphabet(s in "[0-9TZtz:.,/+ PYMWDHS-]{0,48}") {
            if let Ok(t) = TimeParam::parse(&s) {
                let _ = t.to_time_sel();
                let _ = t.to_spans();
            }
        }

        #[test]
        fn formatted_instants_parse_back(t in instant()) {
            prop_assert_eq!(parse_instant(&format_instant(&t)), Some(t));
        }

        #[test]
        fn formatted_durations_parse_back(d in duration()) {
            prop_assert_eq!(parse_duration(&d.to_string()), Some(d));
        }

        #[test]
        fn formatted_extents_parse_back(mut ts in proptest::collection::vec(instant(), 1..8)) {
            ts.sort_unstable();
            ts.dedup();
            let text = time_extent(&ts);
            let parsed = TimeParam::parse(&text);
            prop_assert!(parsed.is_ok(), "{}: {:?}", text, parsed);
        }

        #[test]
        fn intervals_with_a_period_are_positive_or_refused(
            a in instant(), b in instant(), d in duration()
        ) {
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            let text = format!("{}/{}/{}", format_instant(&a), format_instant(&b), d);
            match TimeParam::parse(&text) {
                Ok(TimeParam::Interval { start, end, period }) => {
                    prop_assert!(!d.is_zero());
                    prop_assert_eq!(start, TimePoint::At(a));
                    prop_assert_eq!(end, TimePoint::At(b));
                    prop_assert_eq!(period, Some(d));
                }
                Err(TimeError::ZeroPeriod(_)) => prop_assert!(d.is_zero()),
                other => prop_assert!(false, "{}: {:?}", text, other),
            }
        }
    }
}
