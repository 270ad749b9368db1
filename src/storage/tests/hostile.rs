//! A hostile corpus of store files: each must give an error from
//! `StoredFrame::open`, never a panic or a large allocation.

use super::*;
use crate::storage::{StoreError, StoredFrame, write_frame};
use std::path::Path;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Offsets of every classic IFD in the chain.
fn ifds(b: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = u32_at(b, 4) as usize;
    while at != 0 {
        out.push(at);
        let n = u16_at(b, at) as usize;
        at = u32_at(b, at + 2 + 12 * n) as usize;
    }
    out
}

/// Byte position of the value field of `tag` in the IFD at `ifd`.
fn value_pos(b: &[u8], ifd: usize, tag: u16) -> usize {
    let n = u16_at(b, ifd) as usize;
    (0..n)
        .map(|i| ifd + 2 + 12 * i)
        .find(|&e| u16_at(b, e) == tag)
        .map(|e| e + 8)
        .expect("tag present")
}

fn patched(b: &[u8], at: usize, value: &[u8]) -> Vec<u8> {
    let mut m = b.to_vec();
    m[at..at + value.len()].copy_from_slice(value);
    m
}

fn open_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<StoredFrame, StoreError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    StoredFrame::open(&path)
}

fn assert_corrupt(r: Result<StoredFrame, StoreError>, what: &str) {
    match r {
        Err(StoreError::Corrupt { .. }) => {}
        other => panic!("{what}: expected Corrupt, got {other:?}"),
    }
}

#[test]
fn hostile_store_files_are_errors() {
    let dir = temp_dir("hostile");
    let one = raster(DataType::U16, 40, 30, None, |r, c| f64::from(r + c));
    let many = raster(DataType::F32, 600, 300, Some(-1.0), |r, c| f64::from(r * c));
    write_frame(&dir.join("one.tif"), &one, &mut |_, _| {}).unwrap();
    write_frame(&dir.join("many.tif"), &many, &mut |_, _| {}).unwrap();
    let a = std::fs::read(dir.join("one.tif")).unwrap();
    let b = std::fs::read(dir.join("many.tif")).unwrap();
    assert!(StoredFrame::open(&dir.join("one.tif")).is_ok());
    let (a0, b_ifds) = (ifds(&a)[0], ifds(&b));
    assert_eq!(b_ifds.len(), 3); // 600×300, 300×150, 150×75

    // Truncations: header, IFD, tile data.
    for cut in [0, 4, 8, 20, 100, a.len() / 2, a.len() - 1] {
        assert!(
            open_bytes(&dir, "cut.tif", &a[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    assert!(matches!(
        open_bytes(&dir, "cut.tif", &a[..a.len() - 1]),
        Err(StoreError::Corrupt { .. })
    ));
    assert_corrupt(open_bytes(&dir, "garbage.tif", &[0xA5; 5000]), "garbage");
    assert_corrupt(open_bytes(&dir, "empty.tif", &[]), "empty");

    // The one tile's offset past the end of the file, or misaligned.
    let tile_pos = value_pos(&a, a0, 324);
    let len = a.len() as u32;
    assert_corrupt(
        open_bytes(&dir, "past.tif", &patched(&a, tile_pos, &len.to_le_bytes())),
        "offset past EOF",
    );
    let off = u32_at(&a, tile_pos) + 2;
    assert_corrupt(
        open_bytes(
            &dir,
            "misaligned.tif",
            &patched(&a, tile_pos, &off.to_le_bytes()),
        ),
        "misaligned",
    );
    assert_corrupt(
        open_bytes(
            &dir,
            "u32max.tif",
            &patched(&a, tile_pos, &u32::MAX.to_le_bytes()),
        ),
        "huge offset",
    );
    // Tile byte count wrong.
    let count_pos = value_pos(&a, a0, 325);
    assert_corrupt(
        open_bytes(
            &dir,
            "count.tif",
            &patched(&a, count_pos, &7u32.to_le_bytes()),
        ),
        "byte count",
    );

    // Huge or zero declared size.
    let width_pos = value_pos(&a, a0, 256);
    let huge = patched(&a, width_pos, &4_000_000_000u32.to_le_bytes());
    assert_corrupt(open_bytes(&dir, "huge.tif", &huge), "huge width");
    assert!(
        open_bytes(
            &dir,
            "zero.tif",
            &patched(&a, width_pos, &0u32.to_le_bytes())
        )
        .is_err()
    );

    // Compressed or multi-sample levels are not store files.
    let comp = value_pos(&a, a0, 259);
    assert_corrupt(
        open_bytes(&dir, "deflate.tif", &patched(&a, comp, &8u16.to_le_bytes())),
        "compression",
    );

    // IFD loop: the last directory points back to the first; or to itself.
    let last = b_ifds[2];
    let next_pos = last + 2 + 12 * u16_at(&b, last) as usize;
    let looped = patched(&b, next_pos, &(b_ifds[0] as u32).to_le_bytes());
    assert_corrupt(open_bytes(&dir, "loop.tif", &looped), "IFD loop");
    let selfloop = patched(&b, next_pos, &(last as u32).to_le_bytes());
    assert_corrupt(open_bytes(&dir, "selfloop.tif", &selfloop), "self loop");
    // An overview of the wrong size.
    let w1 = value_pos(&b, last, 256);
    assert_corrupt(
        open_bytes(&dir, "level.tif", &patched(&b, w1, &151u32.to_le_bytes())),
        "level size",
    );

    // Byte mutations of the header and directories never panic.
    let mut seed: u64 = 0x2545f4914f6cdd1d;
    for _ in 0..400 {
        let mut m = b.clone();
        for _ in 0..3 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed % 600) as usize;
            m[i] = (seed >> 32) as u8;
        }
        let _ = open_bytes(&dir, "mutant.tif", &m);
    }
    assert!(matches!(
        StoredFrame::open(&dir.join("missing.tif")),
        Err(StoreError::Io { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
