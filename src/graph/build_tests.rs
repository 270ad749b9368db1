//! Building blocks from arguments: the count errors, which argument's error
//! wins, and every argument read.

use super::build;
use crate::graph::blocks::{Arg, Block, Operand};
use crate::graph::dtype::Scalar;

fn err(class: &str, args: &[Arg]) -> String {
    match build("x", class, args) {
        Ok(b) => panic!("{class} {args:?} built {b:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn counts_are_checked_first() {
    let r = Arg::Ref(0);
    let s = Arg::Str("no".into());
    let e = err("Clip", &[s.clone(), s.clone(), s.clone()]);
    assert!(e.ends_with("Clip takes 2 argument(s), got 3"), "{e}");
    let e = err("Step", &[]);
    assert!(e.ends_with("Step takes 1 to 5 argument(s), got 0"), "{e}");
    let e = err("TemporalAggregate", &vec![r.clone(); 7]);
    assert!(
        e.ends_with("TemporalAggregate takes 2 to 6 argument(s), got 7"),
        "{e}"
    );
    let e = err("Max", &[]);
    assert!(e.ends_with("Max needs at least 1 raster(s)"), "{e}");
}

#[test]
fn the_store_is_checked_after_the_other_arguments() {
    let s = Arg::Str("no".into());
    // Step checks its numbers before its store, Mask its store first.
    let e = err("Step", &[s.clone(), s.clone()]);
    assert!(
        e.ends_with("argument 2 of Step must be a number, got a string"),
        "{e}"
    );
    let e = err("Mask", &[s.clone(), s.clone()]);
    assert!(
        e.ends_with("argument 1 of Mask must be a raster block, got a string"),
        "{e}"
    );
    let e = err("Step", &[s.clone(), Arg::Int(1)]);
    assert!(
        e.ends_with("argument 1 of Step must be a raster block, got a string"),
        "{e}"
    );
    // TemporalAggregate checks the time zone (argument 6) with the frequency,
    // before the statistic.
    let e = err(
        "TemporalAggregate",
        &[
            Arg::Ref(0),
            Arg::Str("D".into()),
            s.clone(),
            Arg::Null,
            Arg::Null,
            Arg::Int(1),
        ],
    );
    assert!(e.contains("time zone"), "{e}");
}

#[test]
fn optional_arguments_take_their_defaults() {
    let b = build("x", "Step", &[Arg::Ref(0), Arg::Int(2), Arg::Int(3)]).unwrap();
    assert_eq!(
        b,
        Block::Step {
            store: 0,
            left: Scalar::Int(2),
            right: Scalar::Int(3),
            value: Scalar::Int(0),
            at: Scalar::Float(2.5),
        }
    );
    let b = build("x", "Power", &[Arg::Ref(0), Arg::Int(-2)]).unwrap();
    let want = Operand::Scalar(Scalar::Float(-2.0));
    assert!(
        matches!(b, Block::Math(_, Operand::Node(0), w) if w == want),
        "{b:?}"
    );
    let e = err("HillShade", &[Arg::Ref(0), Arg::Null]);
    assert!(
        e.ends_with("argument 2 of HillShade must be a number, got null"),
        "{e}"
    );
}
