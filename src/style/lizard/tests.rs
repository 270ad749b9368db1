//! Lizard colormaps against hand-computed colours: interpolation, log
//! interpolation and indexing, discrete classes, rescaling, JSON.

use super::*;
use crate::model::Rgb;
use crate::style::{Fill, LegendStep, Style, StyleLut, indices_into, indices_scalar_into};

fn def(kind: Kind, data: &[(f64, [u8; 4])]) -> Definition {
    Definition {
        kind,
        data: data.to_vec(),
        log: false,
        free: true,
        rescalable: None,
        invalid: None,
        masked: None,
        labels: Default::default(),
    }
}

const BLACK: [u8; 4] = [0, 0, 0, 255];

#[test]
fn gradient_interpolates_between_stops_in_value_space() {
    let d = def(
        Kind::GradientColormap,
        &[
            (0.0, BLACK),
            (1.0, [255, 0, 0, 255]),
            (3.0, [255, 255, 0, 255]),
        ],
    );
    let r = Ramp::new(&d, 0.0, 3.0);
    // 2.0 lies halfway between the stops at 1 and 3: 127.5 rounds to 128.
    assert_eq!(r.color(2.0), [255, 128, 0, 255]);
    assert_eq!(r.color(0.5), [128, 0, 0, 255]);
    assert_eq!(r.color(1.0), [255, 0, 0, 255]);
    assert_eq!(r.color(-1.0), BLACK);
    assert_eq!(r.color(9.0), [255, 255, 0, 255]);
    // Alpha is a channel like the others: 0 → 255 at a quarter is 63.75 → 64.
    let a = def(
        Kind::GradientColormap,
        &[(0.0, [0; 4]), (10.0, [100, 200, 51, 255])],
    );
    assert_eq!(Ramp::new(&a, 0.0, 10.0).color(2.5), [25, 50, 13, 64]);
}

#[test]
fn styles_limits_rescale_the_stop_domain_linearly() {
    let d = def(
        Kind::GradientColormap,
        &[
            (0.0, BLACK),
            (0.25, [200, 0, 0, 255]),
            (1.0, [200, 200, 0, 255]),
        ],
    );
    // [0, 1] onto [10, 20]: the middle stop moves to 12.5.
    let r = Ramp::new(&d, 10.0, 20.0);
    assert_eq!(r.color(12.5), [200, 0, 0, 255]);
    assert_eq!(r.color(11.25), [100, 0, 0, 255]);
    assert_eq!(r.color(16.25), [200, 100, 0, 255]);
    // A fixed map is not rescaled.
    let fixed = Definition { free: false, ..d };
    assert_eq!(Ramp::new(&fixed, 10.0, 20.0).color(0.25), [200, 0, 0, 255]);
}

#[test]
fn log_maps_interpolate_and_index_in_log_space() {
    let d = Definition {
        log: true,
        invalid: Some([9, 9, 9, 255]),
        ..def(
            Kind::GradientColormap,
            &[(1.0, BLACK), (100.0, [200, 100, 0, 255])],
        )
    };
    // 10 is halfway from 1 to 100 on a log axis (linear would be t = 9/99).
    assert_eq!(Ramp::new(&d, 1.0, 100.0).color(10.0), [100, 50, 0, 255]);
    let lut = StyleLut::lizard(&d, 1.0, 100.0);
    assert_eq!(lut.len(), 257);
    assert_eq!(lut.index_of(10.0), 128);
    // Entry 128 was sampled at t = 128/255: 200·0.50196 = 100.4 → 100.
    assert_eq!(lut.color_of(10.0), [100, 50, 0, 255]);
    assert_eq!(lut.index_of(1.0), 0);
    assert_eq!(lut.index_of(0.5), 0);
    assert_eq!(lut.index_of(100.0), 255);
    assert_eq!(lut.index_of(1e9), 255);
    assert_eq!(lut.color_of(0.0), [9, 9, 9, 255]);
    assert_eq!(lut.color_of(-3.0), [9, 9, 9, 255]);
    // The kernels agree with the scalar rule; nodata and outside pixels are masked.
    let values = [10.0f32, 0.0, 100.0, -9999.0, 0.5, f32::NAN, 3.0];
    let valid = [1, 1, 1, 1, 1, 1, 0];
    let (mut idx, mut mask) = ([0u16; 7], [0u8; 7]);
    let any = indices_into(
        &lut,
        &values,
        Some(-9999.0),
        Some(&valid),
        &mut idx,
        &mut mask,
    )
    .unwrap();
    assert!(any);
    assert_eq!(idx[..3], [128, 256, 255]);
    assert_eq!(idx[4], 0);
    assert_eq!(mask, [0, 0, 0, 1, 0, 1, 1]);
    let (mut idx2, mut mask2) = ([0u16; 7], [0u8; 7]);
    indices_scalar_into(
        &lut,
        &values,
        Some(-9999.0),
        Some(&valid),
        &mut idx2,
        &mut mask2,
    )
    .unwrap();
    assert_eq!((idx, mask), (idx2, mask2));
}

#[test]
fn discrete_maps_look_classes_up() {
    let d = Definition {
        invalid: Some([9, 9, 9, 255]),
        masked: Some([1, 2, 3, 255]),
        ..def(
            Kind::DiscreteColormap,
            &[
                (1.0, [10, 0, 0, 255]),
                (2.0, [0, 20, 0, 255]),
                (5.0, [0, 0, 50, 255]),
            ],
        )
    };
    let lut = StyleLut::lizard(&d, 1.0, 5.0);
    assert_eq!(lut.colors().len(), 4);
    assert_eq!(lut.color_of(2.0), [0, 20, 0, 255]);
    assert_eq!(lut.color_of(5.0), [0, 0, 50, 255]);
    assert_eq!(lut.color_of(3.0), [9, 9, 9, 255]);
    assert_eq!(lut.color_of(2.5), [9, 9, 9, 255]);
    assert_eq!(lut.color_of(0.0), [9, 9, 9, 255]);
    let values = [1u8, 2, 3, 5, 0];
    let (mut idx, mut mask) = ([0u8; 5], [0u8; 5]);
    let any = indices_into(&lut, &values, Some(0.0), None, &mut idx, &mut mask).unwrap();
    assert!(any);
    assert_eq!(idx[..4], [0, 1, 3, 2]);
    assert_eq!(mask, [0, 0, 0, 0, 1]);
    // A visible `masked` colour paints nodata whatever TRANSPARENT says.
    let fill = Fill {
        transparent: true,
        bgcolor: Rgb::WHITE,
    };
    assert_eq!(fill.nodata_color(&lut), [1, 2, 3, 255]);
}

#[test]
fn json_round_trips_and_validates() {
    let text = r#"{"type": "GradientColormap", "data": [[0.1, [0, 0, 255, 0]], [10, [255, 0, 0, 255]]],
        "log": true, "free": false, "rescalable": false, "invalid": [0, 0, 0, 0],
        "masked": [0, 0, 0, 0], "labels": {"nl_NL": [[0.1, "weinig"], [10, "veel"]]}}"#;
    let d = Definition::from_json(text.as_bytes()).unwrap();
    assert_eq!(d.kind, Kind::GradientColormap);
    assert!(d.log && !d.free);
    assert_eq!(d.data[1], (10.0, [255, 0, 0, 255]));
    assert_eq!(d.labels["nl_NL"][1], (10.0, "veel".to_string()));
    let again = serde_json::to_vec(&d).unwrap();
    assert_eq!(Definition::from_json(&again).unwrap(), d);
    // Defaults: linear, free.
    let d = Definition::from_json(br#"{"type": "DiscreteColormap", "data": [[1, [1, 2, 3, 4]]]}"#)
        .unwrap();
    assert!(!d.log && d.free && d.invalid.is_none());
    for bad in [
        r#"{"type": "GradientColormap", "data": []}"#,
        r#"{"type": "GradientColormap", "data": [[2, [0,0,0,0]], [1, [0,0,0,0]]]}"#,
        r#"{"type": "DiscreteColormap", "data": [[1, [0,0,0,0]], [1, [0,0,0,0]]]}"#,
        r#"{"type": "GradientColormap", "log": true, "data": [[0, [0,0,0,0]], [1, [0,0,0,0]]]}"#,
        r#"{"type": "GradientColormap", "data": [[0, [0,0,300,0]]]}"#,
        r#"{"type": "Other", "data": [[0, [0,0,0,0]]]}"#,
    ] {
        assert!(Definition::from_json(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn builtins_are_valid_and_usable_as_styles() {
    let names: Vec<_> = builtins().iter().map(|m| m.name).collect();
    for n in [
        "transparent",
        "dem_nl",
        "radar-5min",
        "radar-hour",
        "radar-day",
        "landuse",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    for m in builtins() {
        m.definition.validate().unwrap();
        assert!(definition(m.name).is_some());
    }
    // Fixed log maps keep their own domain whatever the limits.
    let r = Style::parse("radar-5min").unwrap();
    assert_eq!(r.limits(), (0.01, 10.0));
    assert_eq!(Style::parse("radar-5min:0:1").unwrap(), r);
    assert!(r.is_log());
    assert_eq!(r.colormap_type(), "gradient");
    assert_eq!(r.canonical(), "radar-5min:0.01:10.0");
    // 1 mm is a stop of radar-5min: entry trunc(log(1/0.01)/log(1000)·256) = 170,
    // sampled at 0.01·1000^(170/255) = 0.01·1000^(2/3) = 1, the stop itself.
    assert_eq!(r.color_of(1.0), [0, 60, 220, 255]);
    assert_eq!(r.color_of(50.0), [220, 0, 0, 255]);
    // Free gradients rescale; partial forms take the native bound.
    let dem = Style::parse("dem_nl").unwrap();
    assert_eq!(dem.limits(), (-7.0, 100.0));
    assert_eq!(Style::parse("dem_nl:5").unwrap().limits(), (5.0, 100.0));
    let scaled = Style::parse("dem_nl:0:10.7").unwrap();
    assert_eq!(scaled.limits(), (0.0, 10.7));
    assert_eq!(scaled.color_of(-1.0), [0, 40, 110, 255]);
    assert_eq!(scaled.color_of(11.0), [250, 250, 250, 255]);
    assert_eq!(
        Style::parse("dem_nl:5:1").unwrap_err().class(),
        crate::model::ErrorClass::BadRequest
    );
    assert_eq!(
        Style::parse("DEM_NL").unwrap_err(),
        crate::style::StyleError::UnknownStyle("DEM_NL".into())
    );
    // Discrete: one legend step per class, with labels.
    let lu = Style::parse("landuse").unwrap();
    assert_eq!(lu.colormap_type(), "discrete");
    assert_eq!(lu.legend_steps(100).len(), 5);
    assert_eq!(
        lu.legend_steps(3)[4],
        LegendStep {
            value: 5.0,
            color: [60, 120, 220, 255]
        }
    );
    assert_eq!(lu.labels()["en"][4].1, "water");
    assert_eq!(lu.color_of(7.0), [0, 0, 0, 0]);
}

#[test]
fn log_legend_steps_are_log_spaced() {
    let r = Style::parse("radar-hour").unwrap();
    let steps = r.legend_steps(4);
    let values: Vec<_> = steps.iter().map(|s| s.value).collect();
    assert_eq!(values[0], 0.12);
    assert!((values[1] - 1.2).abs() < 1e-9 && (values[2] - 12.0).abs() < 1e-9);
    assert_eq!(values[3], 120.0);
}

#[test]
fn matplotlib_maps_in_lizard_form() {
    let accent = crate::style::colormap("Accent").unwrap();
    let d = from_matplotlib(accent);
    assert_eq!(d.data.len(), 16);
    assert_eq!(d.data[2], (0.125, accent.color(1).unwrap()));
    let r = Ramp::new(&d, 0.0, 1.0);
    let s = Style::parse("Accent").unwrap();
    for x in [0.01, 0.2, 0.51, 0.99] {
        assert_eq!(r.color(x), s.color_of(x), "{x}");
    }
    let v = from_matplotlib(crate::style::colormap("viridis").unwrap());
    assert_eq!(v.data.len(), 256);
    assert_eq!(v.data[255], (1.0, [253, 231, 36, 255]));
    assert_eq!(catalogue().len(), 182 + builtins().len());
}
