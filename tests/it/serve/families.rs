//! One test per endpoint family: what a call answers, and how it fails.

use super::{DEM, Fixture, PUBLIC_URL, TILE, failed, fixture, ok};
use crate::support::decode_png;
use tegel::geo::tiles::xyz_bbox;
use tegel::model::ErrorClass;
use tegel::protocol::wms::OgcCode;
use tegel::protocol::wmts::Binding;
use tegel::serve::{Call, Failure, Rows, Scope};

fn wms(query: &str) -> Call<'_> {
    Call::Wms {
        scope: &Scope::All,
        query,
    }
}

/// A 256² GetMap of the demo tile in EPSG:3857.
fn getmap(extra: &str) -> String {
    let (z, x, y) = TILE;
    let b = xyz_bbox(z, x, y).expect("tile");
    format!(
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={DEM}&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/png{extra}",
        b.min_x, b.min_y, b.max_x, b.max_y
    )
}

#[test]
fn wms_answers_maps_capabilities_legends_and_limits() {
    let f = fixture();
    let map = ok(f.anonymous(wms(&getmap(""))));
    assert_eq!(map.content_type, "image/png");
    let img = decode_png(&map.body);
    assert_eq!((img.width, img.height), (256, 256));
    assert!(
        img.rgba.chunks(4).any(|p| p[3] == 255),
        "the tile shows data"
    );
    assert!(map.etag.as_deref().is_some_and(|t| t.starts_with('"')));
    assert_eq!(map.cache_control.as_deref(), Some("public, max-age=3600"));
    assert!(
        !map.depends_on_caller,
        "a public layer's map is the same for all"
    );
    assert!(map.last_modified.is_some());

    let caps = ok(f.anonymous(wms("SERVICE=WMS&REQUEST=GetCapabilities")));
    assert!(caps.content_type.contains("xml"), "{}", caps.content_type);
    let text = String::from_utf8_lossy(&caps.body);
    assert!(text.contains(DEM) && text.contains(PUBLIC_URL), "{text}");
    assert!(caps.depends_on_caller);
    assert_eq!(caps.cache_control.as_deref(), Some("no-cache"));
    let again = ok(f.anonymous(wms("SERVICE=WMS&REQUEST=GetCapabilities")));
    assert_eq!(caps.etag, again.etag, "one recipe, stable across calls");

    let legend = ok(f.anonymous(wms(&format!(
        "SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&LAYER={DEM}&WIDTH=100&HEIGHT=200"
    ))));
    let img = decode_png(&legend.body);
    assert_eq!((img.width, img.height), (100, 200));

    let limits = ok(f.anonymous(wms(&format!(
        "SERVICE=WMS&REQUEST=getlimits&LAYERS={DEM}&WIDTH=32&HEIGHT=32&SRS=EPSG:3857&BBOX={}",
        {
            let b = xyz_bbox(TILE.0, TILE.1, TILE.2).expect("tile");
            format!("{},{},{},{}", b.min_x, b.min_y, b.max_x, b.max_y)
        }
    ))));
    let doc: serde_json::Value = serde_json::from_slice(&limits.body).expect("json");
    let (min, max) = (doc[0][0].as_f64(), doc[0][1].as_f64());
    assert!(matches!((min, max), (Some(a), Some(b)) if a < b), "{doc}");
    assert_eq!(limits.cache_control.as_deref(), Some("no-store"));

    let info = ok(f.anonymous(wms(&format!(
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={DEM}&QUERY_LAYERS={DEM}&STYLES=&CRS=EPSG:3857&BBOX={}&WIDTH=256&HEIGHT=256&INFO_FORMAT=application/json&I=128&J=128",
        {
            let b = xyz_bbox(TILE.0, TILE.1, TILE.2).expect("tile");
            format!("{},{},{},{}", b.min_x, b.min_y, b.max_x, b.max_y)
        }
    ))));
    assert_eq!(info.content_type, "application/json");
    assert_eq!(info.cache_control.as_deref(), Some("no-cache"));
}

#[test]
fn wms_failures_carry_their_report_and_class() {
    let f = fixture();
    let unknown = getmap("").replace(DEM, "nope:none");
    match failed(f.anonymous(wms(&unknown))) {
        Failure::Wms(e) => {
            assert_eq!(e.code, Some(OgcCode::LayerNotDefined));
            assert_eq!(e.locator.as_deref(), Some("LAYERS"));
        }
        other => panic!("{other:?}"),
    }
    // The same error drawn, when the GetMap asks for it so.
    match failed(f.anonymous(wms(&format!("{unknown}&EXCEPTIONS=INIMAGE")))) {
        Failure::WmsImage { error, png } => {
            assert_eq!(error.code, Some(OgcCode::LayerNotDefined));
            let img = decode_png(&png);
            assert_eq!((img.width, img.height), (256, 256));
        }
        other => panic!("{other:?}"),
    }
    let refused = failed(f.refused(wms(&getmap(""))));
    assert!(matches!(refused, Failure::Wms(_)), "{refused:?}");
    assert_eq!(refused.class(), ErrorClass::Unauthorized);

    let missing = Scope::Raster(uuid::Uuid::new_v4());
    let call = Call::Wms {
        scope: &missing,
        query: "SERVICE=WMS&REQUEST=GetCapabilities",
    };
    assert!(matches!(failed(f.anonymous(call)), Failure::WmsScope(_)));
    let missing = Scope::Collection("no-such-collection".into());
    let call = Call::Wms {
        scope: &missing,
        query: "SERVICE=WMS&REQUEST=GetCapabilities",
    };
    assert!(matches!(
        failed(f.anonymous(call)),
        Failure::Json(ErrorClass::NotFound, _)
    ));
}

#[test]
fn a_map_beyond_max_pixels_is_refused_before_rendering() {
    let f = Fixture::new(|c| c.render.max_pixels = 256 * 255);
    let failure = failed(f.anonymous(wms(&getmap(""))));
    assert_eq!(failure.class(), ErrorClass::TooLarge);
    let Failure::Wms(e) = &failure else {
        panic!("{failure:?}");
    };
    assert!(e.message.contains("at most 65280"), "{}", e.message);
    let (z, x, y) = TILE;
    let tile = format!("{DEM}/{z}/{x}/{y}.png");
    let call = Call::Tile {
        path: &tile,
        query: "",
        rows: Rows::FromNorth,
    };
    assert_eq!(failed(f.anonymous(call)).class(), ErrorClass::TooLarge);
    // Below the limit all is as before.
    let f = Fixture::new(|c| c.render.max_pixels = 256 * 256);
    ok(f.anonymous(wms(&getmap(""))));
}

#[test]
fn wmts_answers_tiles_and_fails_by_binding() {
    let f = fixture();
    let (z, x, y) = TILE;
    let kvp = format!(
        "SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={DEM}&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    );
    let tile = ok(f.anonymous(Call::WmtsKvp { query: &kvp }));
    let img = decode_png(&tile.body);
    assert_eq!((img.width, img.height), (256, 256));
    assert_eq!(tile.cache_control.as_deref(), Some("public, max-age=3600"));

    let caps = ok(f.anonymous(Call::WmtsRest {
        path: "1.0.0/WMTSCapabilities.xml",
        accept: None,
    }));
    assert!(String::from_utf8_lossy(&caps.body).contains(DEM));
    match failed(f.anonymous(Call::WmtsRest {
        path: "1.0.0/WMTSCapabilities.xml",
        accept: Some("image/png"),
    })) {
        Failure::Wmts(e, Binding::Rest) => assert_eq!(e.class(), ErrorClass::NotAcceptable),
        other => panic!("{other:?}"),
    }
    let unknown = kvp.replace(DEM, "nope:none");
    match failed(f.anonymous(Call::WmtsKvp { query: &unknown })) {
        Failure::Wmts(e, Binding::Kvp) => assert_eq!(e.locator.as_deref(), Some("layer")),
        other => panic!("{other:?}"),
    }
    let refused = failed(f.refused(Call::WmtsKvp { query: &kvp }));
    assert!(matches!(refused, Failure::Wmts(_, Binding::Kvp)));
    assert_eq!(refused.class(), ErrorClass::Unauthorized);
}

#[test]
fn xyz_and_tms_answer_the_same_tile() {
    let f = fixture();
    let (z, x, y) = TILE;
    let xyz_path = format!("{DEM}/{z}/{x}/{y}.png");
    let tms_path = format!("{DEM}/{z}/{x}/{}.png", (1u32 << z) - 1 - y);
    let xyz = ok(f.anonymous(Call::Tile {
        path: &xyz_path,
        query: "",
        rows: Rows::FromNorth,
    }));
    let tms = ok(f.anonymous(Call::Tile {
        path: &tms_path,
        query: "",
        rows: Rows::FromSouth,
    }));
    assert_eq!(xyz.body, tms.body);
    assert_eq!(xyz.etag, tms.etag);
    let bilinear = ok(f.anonymous(Call::Tile {
        path: &xyz_path,
        query: "resampling=bilinear",
        rows: Rows::FromNorth,
    }));
    assert_ne!(bilinear.etag, xyz.etag);
    let missing = xyz_path.replace(":dem/", ":nope/");
    let call = Call::Tile {
        path: &missing,
        query: "",
        rows: Rows::FromNorth,
    };
    assert!(matches!(
        failed(f.anonymous(call)),
        Failure::Json(ErrorClass::NotFound, _)
    ));
    assert!(matches!(
        failed(f.refused(call)),
        Failure::Json(ErrorClass::Unauthorized, _)
    ));
}

#[test]
fn the_index_and_the_colormaps_answer_for_everyone() {
    let f = fixture();
    let index = ok(f.anonymous(Call::Index));
    assert!(index.content_type.starts_with("text/html"));
    assert!(index.depends_on_caller);
    assert!(String::from_utf8_lossy(&index.body).contains(&format!("{PUBLIC_URL}/tiles/")));
    let maps = ok(f.refused(Call::Colormaps {
        path: "/",
        query: "page_size=2",
    }));
    let doc: serde_json::Value = serde_json::from_slice(&maps.body).expect("json");
    assert_eq!(doc["results"].as_array().map(Vec::len), Some(2));
    let call = Call::Colormaps {
        path: "/no-such-map/",
        query: "",
    };
    assert!(matches!(
        failed(f.anonymous(call)),
        Failure::Json(ErrorClass::NotFound, _)
    ));
}
