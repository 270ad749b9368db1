//! Input files that are not usable rasters (wrong band count, no or unknown CRS,
//! truncated, not a TIFF, missing, headers claiming more than the file holds):
//! each is refused with a message naming the problem and adds nothing.

use super::tiffs::{write_claiming_tiff, write_geotiff};
use super::{RD_NEW, fixture, ingest_ok, refused};
use crate::support;
use std::path::{Path, PathBuf};
use tegel::catalogue::Catalogue;

#[test]
fn bad_input_files_are_refused_and_add_nothing() {
    let data = support::temp_dir("cli-bad-input");
    let dir = support::temp_dir("cli-bad-files");
    // The writer's good output is accepted, so the refusals below are about the defect.
    let good = dir.join("good.tif");
    write_geotiff(&good, 1, Some(RD_NEW as u16));
    let printed = ingest_ok(
        &data,
        &["--organisation", "my-org", good.to_str().expect("path")],
    );
    let snap = Catalogue::open(&data).expect("catalogue").snapshot();
    let grid = snap
        .source(printed.source)
        .and_then(|s| s.grid.clone())
        .expect("grid");
    assert_eq!((grid.width, grid.height, grid.crs), (16, 12, RD_NEW));
    assert_eq!(
        (grid.origin_x, grid.origin_y, grid.pixel_x),
        (200_000.0, 450_000.0, 100.0)
    );
    drop(snap);

    let three = dir.join("three_bands.tif");
    write_geotiff(&three, 3, Some(RD_NEW as u16));
    let no_crs = dir.join("no_crs.tif");
    write_geotiff(&no_crs, 1, None);
    let unknown_crs = dir.join("unknown_crs.tif");
    write_geotiff(&unknown_crs, 1, Some(9999));
    let truncated = dir.join("truncated.tif");
    let full = std::fs::read(fixture("p_lochem_kwel_wegzijging_2050.tif")).expect("fixture");
    std::fs::write(&truncated, &full[..full.len() / 2]).expect("write");
    let header_only = dir.join("header_only.tif");
    std::fs::write(&header_only, &full[..8]).expect("write");
    let text = dir.join("text.tif");
    std::fs::write(&text, "name,value\nlochem,1.5\n").expect("write");
    let empty = dir.join("empty.tif");
    std::fs::write(&empty, b"").expect("write");
    let missing = dir.join("does_not_exist.tif");
    // Headers that promise more than the file holds: refused without trying to
    // allocate what they claim.
    let honest = dir.join("honest.tif");
    write_claiming_tiff(&honest, 8, 8, 64);
    ingest_ok(
        &data,
        &["--organisation", "my-org", honest.to_str().expect("path")],
    );
    let huge = dir.join("huge.tif");
    write_claiming_tiff(&huge, 100_000, 100_000, 64);
    let hollow = dir.join("hollow.tif");
    write_claiming_tiff(&hollow, 20_000, 20_000, 64);
    let zero = dir.join("zero.tif");
    write_claiming_tiff(&zero, 0, 8, 64);

    let s = |p: &Path| p.to_string_lossy().into_owned();
    let cases: Vec<(PathBuf, Vec<&str>)> = vec![
        (three, vec!["3 bands"]),
        (no_crs, vec!["no CRS"]),
        (unknown_crs, vec!["EPSG:9999"]),
        (truncated, vec!["truncated.tif"]),
        (header_only, vec!["header_only.tif"]),
        (text, vec!["text.tif", "TIFF"]),
        (empty, vec!["empty.tif"]),
        (missing, vec!["does_not_exist.tif"]),
        (huge, vec!["100000x100000"]),
        (hollow, vec!["hollow.tif"]),
        (zero, vec!["zero.tif"]),
    ];
    for (file, words) in &cases {
        refused(&data, &["--organisation", "my-org", &s(file)], words);
    }
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&dir);
}
