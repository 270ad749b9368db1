//! The catalogue database: round trips, failed changes, other processes'
//! writes, and the import of an earlier version's catalogue file.

use super::durable::Catalogue;
use super::error::CatalogueError;
use super::graphref;
use super::records::Organisation;
use super::source::{Frame, RasterSource};
use chrono::Utc;
use uuid::Uuid;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tegel-cat-{name}-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn org(slug: &str) -> Organisation {
    Organisation {
        uuid: Uuid::new_v4(),
        name: slug.to_uppercase(),
        slug: slug.into(),
        geoblocks: false,
        created: Utc::now(),
        last_modified: Utc::now(),
    }
}

fn source(org: Uuid, frames: usize) -> RasterSource {
    RasterSource {
        uuid: Uuid::new_v4(),
        name: "rain".into(),
        description: String::new(),
        organisation: org,
        access_modifier: Default::default(),
        supplier: Some("ann".into()),
        supplier_code: None,
        temporal: true,
        interval_ms: Some(300_000),
        grid: None,
        frames: (0..frames)
            .map(|i| Frame {
                file: format!("f{i}"),
                timestamp: Some(
                    chrono::DateTime::UNIX_EPOCH + chrono::TimeDelta::minutes(5 * i as i64),
                ),
                bytes: 10,
            })
            .collect(),
        created: Utc::now(),
        last_modified: Utc::now(),
        revision: 0,
    }
}

#[test]
fn writes_survive_reopening_and_failed_changes_store_nothing() {
    let dir = temp_dir("roundtrip");
    let cat = Catalogue::open(&dir).unwrap();
    let o = org("acme");
    let s = source(o.uuid, 3);
    cat.update(|d, _| {
        d.organisations.push(o.clone());
        d.sources.push(s.clone());
        Ok(())
    })
    .unwrap();
    // Change one frame, drop another.
    cat.update(|d, rev| {
        let src = &mut d.sources[0];
        src.frames.remove(1);
        src.frames[0].bytes = 99;
        src.revision = rev;
        Ok(())
    })
    .unwrap();
    let failed: Result<(), _> = cat.update(|d, _| {
        d.organisations.clear();
        Err(CatalogueError::Invalid("no".into()))
    });
    assert!(failed.is_err());
    let want = cat.snapshot().data().clone();
    assert_eq!(want.sources[0].frames.len(), 2);
    assert_eq!(want.sources[0].frames[0].bytes, 99);
    assert_eq!(want.revision, 2);
    drop(cat);
    let again = Catalogue::open(&dir).unwrap();
    assert_eq!(again.snapshot().data(), &want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unique_slugs_are_guarded_by_the_database() {
    let dir = temp_dir("unique");
    let cat = Catalogue::open(&dir).unwrap();
    cat.update(|d, _| {
        d.organisations.push(org("acme"));
        Ok(())
    })
    .unwrap();
    let err = cat
        .update(|d, _| {
            d.organisations.push(org("acme"));
            Ok(())
        })
        .unwrap_err();
    assert_eq!(err.class(), crate::model::ErrorClass::Conflict);
    assert_eq!(cat.snapshot().data().organisations.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn another_process_writes_are_seen_and_built_upon() {
    let dir = temp_dir("two");
    let a = Catalogue::open(&dir).unwrap();
    let b = Catalogue::open(&dir).unwrap();
    a.update(|d, _| {
        d.organisations.push(org("one"));
        Ok(())
    })
    .unwrap();
    // b has not reloaded, yet its write starts from a's.
    b.update(|d, _| {
        d.organisations.push(org("two"));
        Ok(())
    })
    .unwrap();
    assert_eq!(b.snapshot().data().organisations.len(), 2);
    assert!(a.reload_if_changed().unwrap());
    assert!(!a.reload_if_changed().unwrap());
    assert_eq!(a.snapshot().data(), b.snapshot().data());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_earlier_catalogue_file_is_imported_once() {
    let dir = temp_dir("legacy");
    let (o, s, l) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let file = serde_json::json!({
        "format": 1, "revision": 7,
        "organisations": [{"uuid": o, "name": "Demo", "slug": "demo"}],
        "sources": [{"uuid": s, "name": "dem", "organisation": o, "access_modifier": "Public",
            "temporal": false,
            "grid": {"crs": 28992, "origin_x": 0.0, "origin_y": 10.0, "pixel_x": 1.0,
                     "pixel_y": -1.0, "width": 10, "height": 10, "dtype": "f32", "nodata": -9999.0},
            "frames": [{"file": "abc", "timestamp": null}],
            "created": "2026-01-01T00:00:00Z", "last_modified": "2026-01-01T00:00:00Z", "revision": 3}],
        "layers": [{"uuid": l, "name": "DEM", "slug": "dem", "description": "d", "organisation": o,
            "access_modifier": "Public", "source": s, "style": "terrain:0:10",
            "created": "2026-01-01T00:00:00Z", "last_modified": "2026-01-01T00:00:00Z", "revision": 7}]
    });
    std::fs::create_dir_all(dir.join("sources").join(s.to_string())).unwrap();
    std::fs::write(
        dir.join("sources").join(s.to_string()).join("abc.tif"),
        [0u8; 1234],
    )
    .unwrap();
    std::fs::write(
        dir.join("catalogue.json"),
        serde_json::to_vec(&file).unwrap(),
    )
    .unwrap();
    let cat = Catalogue::open(&dir).unwrap();
    let snap = cat.snapshot();
    assert!(
        snap.revision() > 7,
        "revisions keep growing past the file's"
    );
    let layer = snap.layer(l).expect("the layer");
    assert_eq!(layer.default_style(), "terrain:0:10");
    assert_eq!(graphref::trivial_reference(&layer.graph), Some(s));
    assert_eq!(snap.single_source(layer).map(|x| x.uuid), Some(s));
    assert_eq!(snap.source(s).unwrap().size(), 1234);
    assert_eq!(snap.wms_name(layer).as_deref(), Some("demo:dem"));
    assert!(!dir.join("catalogue.json").exists());
    assert!(dir.join("catalogue.json.imported").exists());
    drop(cat);
    let again = Catalogue::open(&dir).unwrap();
    assert_eq!(again.snapshot().data(), snap.data());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_snapshot_carries_the_graph_limits_the_catalogue_was_opened_with() {
    use crate::graph::GraphLimits;
    let dir = temp_dir("limits");
    let limits = GraphLimits {
        max_nodes: 3,
        max_depth: 2,
        max_nesting: 1,
        max_values: 100,
        max_steps: 10,
        max_cost: 1000,
    };
    let cat = Catalogue::open_with_graph_limits(&dir, limits).unwrap();
    assert_eq!(cat.graph_limits(), limits);
    assert_eq!(cat.snapshot().graph_limits(), limits, "at open");
    cat.update(|d, _| {
        d.organisations.push(org("one"));
        Ok(())
    })
    .unwrap();
    assert_eq!(cat.snapshot().graph_limits(), limits, "after a write");
    // Another process (opened with the defaults) writes; the reload keeps ours.
    let other = Catalogue::open(&dir).unwrap();
    assert_eq!(other.snapshot().graph_limits(), GraphLimits::default());
    other
        .update(|d, _| {
            d.organisations.push(org("two"));
            Ok(())
        })
        .unwrap();
    assert_eq!(other.snapshot().graph_limits(), GraphLimits::default());
    assert!(cat.reload_if_changed().unwrap());
    assert_eq!(cat.snapshot().data().organisations.len(), 2);
    assert_eq!(cat.snapshot().graph_limits(), limits, "after a reload");
    let _ = std::fs::remove_dir_all(&dir);
}
