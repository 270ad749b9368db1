//! A raster source: the data container of one or more frames on one grid, and
//! how a time selection picks its frame.

use super::records::AccessModifier;
use crate::model::{Crs, DataType, GeoTransform, TimeEdge, TimeSel, TimeSpan};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One stored frame of a source: the store file and, for temporal sources, its instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    pub file: String,
    pub timestamp: Option<DateTime<Utc>>,
    /// Size of the frame file in the store.
    #[serde(default)]
    pub bytes: u64,
}

/// The grid all frames of a source share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceGrid {
    pub crs: u32,
    pub origin_x: f64,
    pub origin_y: f64,
    pub pixel_x: f64,
    pub pixel_y: f64,
    pub width: u32,
    pub height: u32,
    pub dtype: DataType,
    /// Stored as a JSON number, or `"nan"` for NaN (which JSON has no
    /// number for: written as a number it would come back as no nodata).
    #[serde(default, with = "nodata_json")]
    pub nodata: Option<f64>,
}

/// `Option<f64>` with NaN as the string `"nan"`.
mod nodata_json {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Number(f64),
        Text(String),
    }

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(x) if x.is_nan() => s.serialize_str("nan"),
            Some(x) => s.serialize_f64(*x),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        match Option::<Repr>::deserialize(d)? {
            None => Ok(None),
            Some(Repr::Number(x)) => Ok(Some(x)),
            Some(Repr::Text(t)) if t.eq_ignore_ascii_case("nan") => Ok(Some(f64::NAN)),
            Some(Repr::Text(t)) => Err(serde::de::Error::custom(format!(
                "nodata {t:?} is neither a number nor \"nan\""
            ))),
        }
    }
}

impl SourceGrid {
    pub fn crs(&self) -> Crs {
        Crs(self.crs)
    }

    pub fn transform(&self) -> GeoTransform {
        GeoTransform {
            origin_x: self.origin_x,
            origin_y: self.origin_y,
            pixel_x: self.pixel_x,
            pixel_y: self.pixel_y,
        }
    }
}

/// A raster source: a data container of one or more frames on one grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RasterSource {
    pub uuid: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub organisation: Uuid,
    pub access_modifier: AccessModifier,
    #[serde(default)]
    pub supplier: Option<String>,
    #[serde(default)]
    pub supplier_code: Option<String>,
    pub temporal: bool,
    /// The intended frame spacing of a temporal source, in milliseconds.
    #[serde(default)]
    pub interval_ms: Option<i64>,
    /// `None` until the first frame arrives.
    pub grid: Option<SourceGrid>,
    /// Sorted by timestamp for temporal sources.
    pub frames: Vec<Frame>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    /// Catalogue revision of the last change to this source or its data.
    pub revision: u64,
}

impl RasterSource {
    /// Bytes the source's frames take in the store.
    pub fn size(&self) -> u64 {
        self.frames.iter().map(|f| f.bytes).sum()
    }

    /// First and last frame instants (`None` without frames or time).
    pub fn period(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let first = self.frames.first()?.timestamp?;
        let last = self.frames.last()?.timestamp?;
        Some((first, last))
    }

    /// The frame a time selection picks: the last one for `Latest`, else the one
    /// nearest in time (the earlier one on a tie), clamped to the first/last frame.
    pub fn frame_for(&self, time: TimeSel) -> Option<&Frame> {
        match time {
            TimeSel::Latest => self.frames.last(),
            TimeSel::Span(a, b) => self
                .frame_for_spans(&[TimeSpan {
                    start: TimeEdge::At(a),
                    end: TimeEdge::At(b),
                    step: None,
                }])
                .map(|m| m.frame),
            TimeSel::Nearest(t) => {
                if !self.temporal {
                    return self.frames.last();
                }
                let idx = self
                    .frames
                    .partition_point(|f| f.timestamp.is_some_and(|ft| ft < t));
                let after = self.frames.get(idx);
                let before = idx.checked_sub(1).and_then(|i| self.frames.get(i));
                match (before, after) {
                    (Some(b), Some(a)) => {
                        let db = t - b.timestamp.unwrap_or(t);
                        let da = a.timestamp.unwrap_or(t) - t;
                        Some(if da < db { a } else { b })
                    }
                    (Some(b), None) => Some(b),
                    (None, a) => a,
                }
            }
        }
    }
}

/// The frame a time request picked and whether it matched the request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameMatch<'a> {
    pub frame: &'a Frame,
    /// `false` when the request held no frame and the nearest one was taken.
    pub exact: bool,
}

impl RasterSource {
    /// The frame a list of time spans picks. Frames inside any span (on its
    /// step grid when it has one) match exactly and the latest of them wins;
    /// when none does, the frame nearest to any span is taken (the earlier one
    /// on a tie), so values outside the data clamp to the first/last frame.
    /// `TimeEdge::Latest` is the last frame's instant; a span that ends before
    /// it starts counts as its start instant. Non-temporal sources: the only
    /// frame, exact. `None` without frames. Cost: a binary search per span.
    pub fn frame_for_spans(&self, spans: &[TimeSpan]) -> Option<FrameMatch<'_>> {
        let last = self.frames.last()?;
        let latest = match (self.temporal, last.timestamp) {
            (true, Some(t)) => t,
            _ => {
                return Some(FrameMatch {
                    frame: last,
                    exact: true,
                });
            }
        };
        let at = |e: TimeEdge| match e {
            TimeEdge::At(t) => t,
            TimeEdge::Latest => latest,
        };
        let ts = |f: &Frame| f.timestamp.unwrap_or(latest);
        let mut inside: Option<&Frame> = None;
        let mut nearest: Option<(TimeDelta, &Frame)> = None;
        for span in spans {
            let start = at(span.start);
            let end = at(span.end).max(start);
            let lo = self.frames.partition_point(|f| ts(f) < start);
            let hi = self.frames.partition_point(|f| ts(f) <= end);
            let on_grid = |f: &&Frame| match span.step {
                Some(step) if step > TimeDelta::zero() => (ts(f) - start)
                    .num_nanoseconds()
                    .zip(step.num_nanoseconds())
                    .is_some_and(|(d, s)| d % s == 0),
                _ => true,
            };
            if let Some(f) = self
                .frames
                .get(lo..hi)
                .and_then(|fs| fs.iter().rev().find(on_grid))
            {
                if inside.is_none_or(|g| ts(f) > ts(g)) {
                    inside = Some(f);
                }
            }
            for t in [start, end] {
                if let Some(f) = self.frame_for(TimeSel::Nearest(t)) {
                    let d = if ts(f) < start {
                        start - ts(f)
                    } else if ts(f) > end {
                        ts(f) - end
                    } else {
                        TimeDelta::zero()
                    };
                    if nearest.is_none_or(|(nd, nf)| d < nd || (d == nd && ts(f) < ts(nf))) {
                        nearest = Some((d, f));
                    }
                }
            }
        }
        match (inside, nearest) {
            (Some(frame), _) => Some(FrameMatch { frame, exact: true }),
            (None, Some((_, frame))) => Some(FrameMatch {
                frame,
                exact: false,
            }),
            (None, None) => Some(FrameMatch {
                frame: last,
                exact: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: u32, sec: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 12, min, sec).unwrap()
    }

    #[test]
    fn nodata_survives_json_nan_included() {
        let grid = |nodata| SourceGrid {
            crs: 28992,
            origin_x: 0.0,
            origin_y: 10.0,
            pixel_x: 1.0,
            pixel_y: -1.0,
            width: 10,
            height: 10,
            dtype: DataType::F32,
            nodata,
        };
        for nodata in [None, Some(-9999.0), Some(f64::NAN), Some(f64::MAX)] {
            let text = serde_json::to_string(&grid(nodata)).unwrap();
            let back: SourceGrid = serde_json::from_str(&text).unwrap();
            assert_eq!(
                back.nodata.map(f64::to_bits),
                nodata.map(f64::to_bits),
                "{text}"
            );
        }
        // Documents written before: a number, null, or no field at all.
        let old = r#"{"crs":28992,"origin_x":0.0,"origin_y":10.0,"pixel_x":1.0,"pixel_y":-1.0,"width":10,"height":10,"dtype":"f32"}"#;
        let back: SourceGrid = serde_json::from_str(old).unwrap();
        assert_eq!(back.nodata, None);
        let bad = old.replace("}", r#","nodata":"zero"}"#);
        assert!(serde_json::from_str::<SourceGrid>(&bad).is_err());
    }

    /// Frames at 12:00, 12:05, …, 12:55.
    fn rain(temporal: bool) -> RasterSource {
        RasterSource {
            uuid: Uuid::nil(),
            name: "rain".into(),
            description: String::new(),
            organisation: Uuid::nil(),
            access_modifier: AccessModifier::Public,
            supplier: None,
            supplier_code: None,
            temporal,
            interval_ms: None,
            grid: None,
            frames: (0..12)
                .map(|i| Frame {
                    file: format!("{i}"),
                    timestamp: temporal.then(|| t(i * 5, 0)),
                    bytes: 0,
                })
                .collect(),
            created: t(0, 0),
            last_modified: t(0, 0),
            revision: 1,
        }
    }

    fn pick(src: &RasterSource, spans: &[TimeSpan]) -> (String, bool) {
        let m = src.frame_for_spans(spans).expect("a frame");
        (m.frame.file.clone(), m.exact)
    }

    fn span(a: DateTime<Utc>, b: DateTime<Utc>, step_min: Option<i64>) -> TimeSpan {
        TimeSpan {
            start: TimeEdge::At(a),
            end: TimeEdge::At(b),
            step: step_min.map(TimeDelta::minutes),
        }
    }

    #[test]
    fn instants_snap_to_the_nearest_frame_the_earlier_on_a_tie() {
        let src = rain(true);
        let at = |m, s| [TimeSpan::instant(TimeEdge::At(t(m, s)))];
        assert_eq!(pick(&src, &at(5, 0)), ("1".into(), true));
        assert_eq!(pick(&src, &at(7, 0)), ("1".into(), false));
        assert_eq!(pick(&src, &at(7, 30)), ("1".into(), false));
        assert_eq!(pick(&src, &at(8, 0)), ("2".into(), false));
        assert_eq!(pick(&src, &at(59, 0)), ("11".into(), false));
        assert_eq!(
            pick(&src, &[TimeSpan::instant(TimeEdge::Latest)]),
            ("11".into(), true)
        );
    }

    #[test]
    fn spans_pick_the_latest_frame_inside_on_their_step() {
        let src = rain(true);
        assert_eq!(
            pick(&src, &[span(t(1, 0), t(19, 0), None)]),
            ("3".into(), true)
        );
        assert_eq!(
            pick(&src, &[span(t(0, 0), t(59, 0), Some(10))]),
            ("10".into(), true)
        );
        // Inside the span but off its step: the nearest, flagged.
        assert_eq!(
            pick(&src, &[span(t(1, 0), t(4, 0), Some(2))]),
            ("0".into(), false)
        );
        // A list: the latest frame of any item.
        let list = [
            span(t(40, 0), t(40, 0), None),
            span(t(10, 0), t(20, 0), None),
        ];
        assert_eq!(pick(&src, &list), ("8".into(), true));
        // Ending at the latest data; starting after it counts as that start.
        let to_latest = |a| TimeSpan {
            start: TimeEdge::At(a),
            end: TimeEdge::Latest,
            step: None,
        };
        assert_eq!(pick(&src, &[to_latest(t(20, 0))]), ("11".into(), true));
        let later = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(pick(&src, &[to_latest(later)]), ("11".into(), false));
    }

    #[test]
    fn sources_without_time_or_frames() {
        let plain = rain(false);
        let any = [TimeSpan::instant(TimeEdge::At(t(3, 0)))];
        assert_eq!(pick(&plain, &any), ("11".into(), true));
        let mut empty = rain(true);
        empty.frames.clear();
        assert!(empty.frame_for_spans(&any).is_none());
    }
}
