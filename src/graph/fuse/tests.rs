//! The vectorised chunk loop against the per-cell reference, bit for bit,
//! for every instruction, over stored and f64 inputs with nodata, NaN,
//! infinities and lengths that are not a multiple of the chunk.

use super::exec::{self, CHUNK, Frames, Program};
use super::ops::{HasData, Op, Round};
use crate::graph::blocks::{MathOp, UnaryOp};
use crate::graph::dtype::Dt;
use crate::model::{RasterBuf, RasterData};

const LEN: usize = 3 * CHUNK + 37;

/// A deterministic mix of ordinary values, nodata, NaN and infinities.
fn values(seed: u64) -> Vec<f64> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..LEN)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (x >> 11) as f64 / (1u64 << 53) as f64;
            match i % 53 {
                0 => -9999.0,
                7 => f64::NAN,
                13 => f64::INFINITY,
                29 => 0.0,
                31 => 2.0,
                _ => (u - 0.5) * 80.0,
            }
        })
        .collect()
}

fn stored() -> Vec<RasterBuf> {
    let v: Vec<i16> = (0..LEN)
        .map(|i| {
            if i % 11 == 0 {
                -9999
            } else {
                (i % 97) as i16 - 40
            }
        })
        .collect();
    vec![RasterBuf {
        width: LEN as u32,
        height: 1,
        data: RasterData::I16(v),
        nodata: Some(-9999.0),
    }]
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Loads both inputs into registers 0 and 1, then runs `op` into 2 (plus
/// `pre` steps writing 2 first, for in-place instructions).
fn check(name: &str, pre: Vec<Op>, op: Op) {
    let f64s = vec![values(1), values(2)];
    let typed = stored();
    let inputs = [Frames::F64(&f64s), Frames::Typed(&typed)];
    for (ia, ib) in [(0, 1), (1, 0)] {
        let mut steps = vec![
            (0, Op::Load { input: ia, band: 0 }),
            (
                1,
                Op::Load {
                    input: if ib == 0 { 0 } else { 1 },
                    band: 0,
                },
            ),
        ];
        steps.extend(pre.iter().cloned().map(|p| (2, p)));
        steps.push((2, op.clone()));
        let prog = Program {
            regs: 3,
            consts: vec![],
            steps,
            out: 2,
        };
        let mut fast = vec![0.0; LEN];
        exec::run(&prog, &inputs, 0, &mut fast);
        let slow = exec::reference(&prog, &inputs, LEN);
        assert!(same(&fast, &slow), "{name}: chunked ≠ reference");
        let whole = exec::collect(&prog, &inputs, LEN);
        assert!(same(&whole, &slow), "{name}: collected ≠ reference");
        // Pieces starting mid-frame (the parallel split) agree too.
        let mut split = vec![0.0; LEN];
        let (a, b) = split.split_at_mut(CHUNK + 5);
        exec::run(&prog, &inputs, 0, a);
        exec::run(&prog, &inputs, CHUNK + 5, b);
        assert!(same(&split, &slow), "{name}: split ≠ reference");
    }
}

#[test]
fn every_binary_operation_and_rounding_matches_the_reference() {
    use MathOp::*;
    let ops = [
        Add,
        Subtract,
        Multiply,
        Divide,
        Power,
        Equal,
        NotEqual,
        Greater,
        GreaterEqual,
        Less,
        LessEqual,
        And,
        Or,
        Xor,
    ];
    let rounds = [
        (Round::None, true),
        (Round::F32, true),
        (Round::I32, false),
        (Round::Cast(Dt::U8), false),
        (Round::Cast(Dt::I16), false),
        (Round::Cast(Dt::F16), true),
    ];
    for op in ops {
        for (round, float) in rounds {
            for (na, nb) in [(-9999.0, -9999.0), (f64::NAN, 2.0)] {
                check(
                    &format!("{op:?} {round:?}"),
                    vec![],
                    Op::Binary {
                        op,
                        round,
                        float,
                        fill: -1.0,
                        a: 0,
                        na,
                        b: 1,
                        nb,
                    },
                );
            }
        }
    }
}

#[test]
fn every_single_input_instruction_matches_the_reference() {
    let has = [
        HasData::Always,
        HasData::NotEqual(-9999.0),
        HasData::of(Dt::F32, Some(-9999.0)),
        HasData::of(Dt::F64, Some(-9999.0)),
    ];
    check("invert", vec![], Op::Invert(0));
    for want in [true, false] {
        check(
            "isdata",
            vec![],
            Op::IsData {
                src: 0,
                nodata: -9999.0,
                want,
            },
        );
    }
    for op in [UnaryOp::Exp, UnaryOp::Log, UnaryOp::Log10] {
        for dt in [Dt::F64, Dt::F32] {
            check(
                "transcend",
                vec![],
                Op::Transcend {
                    op,
                    src: 0,
                    nodata: -9999.0,
                    dt,
                    fill: -3.0,
                },
            );
        }
    }
    for h in has {
        for cast in [None, Some(Dt::I16), Some(Dt::F32)] {
            check(
                "paste",
                vec![
                    Op::Fill(7.0),
                    Op::Paste {
                        src: 1,
                        has: HasData::NotEqual(-9999.0),
                        cast: None,
                    },
                ],
                Op::Paste {
                    src: 0,
                    has: h,
                    cast,
                },
            );
        }
        check(
            "mask",
            vec![],
            Op::Mask {
                src: 0,
                has: h,
                value: 5.0,
                fill: 0.0,
            },
        );
    }
    check(
        "maskbelow",
        vec![],
        Op::MaskBelow {
            src: 0,
            below: 2.0,
            nodata: -9999.0,
        },
    );
    check(
        "step",
        vec![],
        Op::Step {
            src: 0,
            nodata: -9999.0,
            at_value: 2.0,
            left: -1.0,
            at: 0.5,
            right: 1.0,
        },
    );
    for right in [true, false] {
        check(
            "classify",
            vec![],
            Op::Classify {
                src: 0,
                bins: vec![-10.0, 0.0, 2.0, 10.0],
                right,
                nodata: -9999.0,
                fill: 255.0,
            },
        );
    }
    for select in [true, false] {
        check(
            "reclassify",
            vec![],
            Op::Reclassify {
                src: 1,
                from: vec![-40.0, 0.0, 5.0],
                to: vec![1.0, 2.0, 3.0],
                dt: Dt::F32,
                select,
                nodata: -9999.0,
                fill: -1.0,
            },
        );
    }
}
