//! The NumPy promotion emulation against the table NumPy itself produced
//! (`tests/golden/graph/promotion.json`, written by `make_goldens.py`).

use super::*;

fn operand(v: &serde_json::Value) -> Operand {
    match v {
        serde_json::Value::String(s) => Operand::Raster(Dt::from_name(s).unwrap()),
        serde_json::Value::Bool(b) => Operand::Scalar(Scalar::Bool(*b)),
        serde_json::Value::Number(n) if n.is_i64() => {
            Operand::Scalar(Scalar::Int(n.as_i64().unwrap()))
        }
        serde_json::Value::Number(n) => Operand::Scalar(Scalar::Float(n.as_f64().unwrap())),
        other => panic!("unexpected operand {other}"),
    }
}

#[test]
fn result_type_matches_numpy_table() {
    let text = include_str!("../../tests/golden/graph/promotion.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let ops: Vec<Operand> = case["operands"]
            .as_array()
            .unwrap()
            .iter()
            .map(operand)
            .collect();
        let want = case["result"].as_str().unwrap();
        assert_eq!(result_type(&ops).name(), want, "{:?}", case["operands"]);
    }
}

#[test]
fn at_least_32_promotion() {
    assert_eq!(Dt::U8.at_least_32(), Dt::I32);
    assert_eq!(Dt::Bool.at_least_32(), Dt::I32);
    assert_eq!(Dt::U32.at_least_32(), Dt::I64);
    assert_eq!(Dt::F16.at_least_32(), Dt::F32);
    assert_eq!(Dt::F64.at_least_32(), Dt::F64);
    assert_eq!(Dt::I64.at_least_32(), Dt::I64);
}

#[test]
fn cast_wraps_and_rounds_like_numpy() {
    assert_eq!(cast(Dt::U8, 256.0), 0.0);
    assert_eq!(cast(Dt::I16, 0.5), 0.0);
    assert_eq!(cast(Dt::I8, -1.9), -1.0);
    assert_eq!(cast(Dt::F32, 0.1), f64::from(0.1f32));
    assert_eq!(cast(Dt::Bool, 3.0), 1.0);
    assert_eq!(Dt::F32.max(), Some(3.4028234663852886e38));
}
