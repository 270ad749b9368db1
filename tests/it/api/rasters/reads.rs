//! Reading rasterlayers: the SEED's shape, derived fields against the demo
//! GeoTIFF, filters, ordering, paging and who sees what.

use super::{Fixture, names};
use crate::api::client::json;
use crate::support::repo;
use chrono::{TimeZone, Utc};
use serde_json::Value;
use std::sync::OnceLock;
use tegel::catalogue::{AccessModifier, LayerCollection, ObservationType};
use uuid::Uuid;

const COLLECTION: &str = "3d1c7a52-5f0e-4a8e-9c1a-1b2c3d4e5f60";

fn fx() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        Fixture::start("rasters-read", |d, f| {
            let t = Utc.with_ymd_and_hms(2016, 7, 14, 10, 7, 22).unwrap();
            d.observation_types.push(ObservationType {
                id: 521,
                code: "Waterdepth".into(),
                parameter: "Waterdepth".into(),
                unit: "m".into(),
                scale: "interval".into(),
                description: "interval".into(),
                domain_values: None,
                reference_frame: None,
                compartment: None,
                created: t,
                last_modified: t,
            });
            d.layer_collections.push(LayerCollection {
                uuid: Uuid::parse_str(COLLECTION).unwrap(),
                slug: "klimaat".into(),
                name: "Klimaatatlas".into(),
                description: String::new(),
                organisation: f.org,
                access_modifier: AccessModifier::Public,
                supplier: None,
                created: t,
                last_modified: t,
            });
            for l in &mut d.layers {
                // The fixture decides which layers are typed: only lochem.
                l.observation_type = None;
                if l.uuid == f.lochem {
                    l.observation_type = Some(521);
                    l.layer_collections = vec![Uuid::parse_str(COLLECTION).unwrap()];
                    l.supplier = Some(f.supplier_name.clone());
                }
                if l.uuid == f.dem {
                    l.access_modifier = AccessModifier::Private;
                }
            }
        })
    })
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// `(projection EPSG code, origin_x, origin_y (top), pixel_x, pixel_y, width, height, nodata)`
/// read from the GeoTIFF tags themselves.
fn georeference(path: &std::path::Path) -> (u16, f64, f64, f64, f64, u32, u32, Option<f64>) {
    use tiff::decoder::Decoder;
    use tiff::tags::Tag;
    let file = std::fs::File::open(path).expect("tiff");
    let mut dec = Decoder::new(std::io::BufReader::new(file)).expect("TIFF header");
    let (w, h) = dec.dimensions().expect("dimensions");
    let scale = dec.get_tag_f64_vec(Tag::ModelPixelScaleTag).expect("scale");
    let tie = dec
        .get_tag_f64_vec(Tag::ModelTiepointTag)
        .expect("tiepoint");
    let keys = dec
        .get_tag_u16_vec(Tag::GeoKeyDirectoryTag)
        .expect("geokeys");
    let epsg = keys[4..]
        .chunks_exact(4)
        .find(|k| k[0] == 3072)
        .map(|k| k[3])
        .expect("ProjectedCSTypeGeoKey");
    let nodata = dec
        .get_tag_ascii_string(Tag::GdalNodata)
        .ok()
        .and_then(|s| s.trim_end_matches('\0').trim().parse::<f64>().ok());
    // Tiepoint (i, j, k, x, y, z): raster (0, 0) at (x, y), pixel-is-area.
    assert_eq!((tie[0], tie[1]), (0.0, 0.0));
    (epsg, tie[3], tie[4], scale[0], -scale[1], w, h, nodata)
}

#[test]
fn detail_has_the_seed_keys_in_order_and_the_geotiffs_grid() {
    let f = fx();
    let base = format!("http://{}", f.server.addr);
    let r = f
        .client(None)
        .get_json(&format!("/api/v4/rasters/{}/", f.lochem));
    assert_eq!(
        keys(&r),
        [
            "url",
            "uuid",
            "last_modified",
            "created",
            "organisation",
            "access_modifier",
            "supplier",
            "shared_with",
            "writable",
            "is_geoblock",
            "source",
            "weight",
            "raster_sources",
            "name",
            "description",
            "observation_type",
            "temporal",
            "layer_collections",
            "first_value_timestamp",
            "last_value_timestamp",
            "spatial_bounds",
            "projection",
            "origin_x",
            "origin_y",
            "upper_bound_x",
            "upper_bound_y",
            "pixelsize_x",
            "pixelsize_y",
            "interval",
            "wms_info",
            "options",
            "colormap",
            "rescalable",
            "aggregation_type",
            "dtype",
            "fill_value",
        ]
    );
    assert_eq!(r["url"], format!("{base}/api/v4/rasters/{}/", f.lochem));
    assert_eq!(r["uuid"], f.lochem.to_string());
    for k in ["last_modified", "created"] {
        let t = r[k].as_str().expect(k);
        assert!(t.ends_with('Z') && t.len() == 27, "{k}: {t}");
    }
    assert_eq!(keys(&r["organisation"]), ["url", "uuid", "name"]);
    assert_eq!(r["organisation"]["uuid"], f.org.to_string());
    assert_eq!(r["organisation"]["name"], "Nelen & Schuurmans Consultancy");
    assert_eq!(r["access_modifier"], "Public");
    assert_eq!(r["supplier"], f.supplier_name);
    assert_eq!(r["shared_with"], serde_json::json!([]));
    assert_eq!(r["writable"], false);
    assert_eq!(r["is_geoblock"], false);
    let source = f.source_of(f.lochem);
    assert_eq!(keys(&r["source"]), ["name", "graph"]);
    assert_eq!(
        r["raster_sources"],
        serde_json::json!([format!("{base}/api/v4/rastersources/{source}/")])
    );
    assert_eq!(r["weight"], 0);
    assert_eq!(r["name"], "p_lochem_kwel_wegzijging_2050");
    assert!(r["description"].is_string());
    let obs = &r["observation_type"];
    assert_eq!(
        keys(obs),
        [
            "url",
            "id",
            "code",
            "parameter",
            "unit",
            "scale",
            "description",
            "domain_values",
            "reference_frame",
            "compartment",
            "created",
            "last_modified"
        ]
    );
    assert_eq!(obs["url"], format!("{base}/api/v4/observationtypes/521/"));
    assert_eq!(
        (obs["id"].as_i64(), obs["unit"].as_str()),
        (Some(521), Some("m"))
    );
    assert_eq!(obs["created"], "2016-07-14T10:07:22.000000Z");
    assert_eq!(r["temporal"], false);
    let lc = &r["layer_collections"][0];
    assert_eq!(
        keys(lc),
        ["uuid", "slug", "access_modifier", "supplier", "url", "name"]
    );
    assert_eq!(lc["slug"], "klimaat");
    assert_eq!(r["first_value_timestamp"], "1970-01-01T00:00:00Z");
    assert_eq!(r["last_value_timestamp"], "1970-01-01T00:00:00Z");
    // The grid, read from the GeoTIFF's own tags.
    let (epsg, x0, y_top, px, py, w, h, nodata) =
        georeference(&repo().join("fixtures/demo/p_lochem_kwel_wegzijging_2050.tif"));
    assert_eq!(r["projection"], format!("EPSG:{epsg}"));
    assert_eq!(r["origin_x"].as_f64(), Some(x0));
    assert_eq!(r["origin_y"].as_f64(), Some(y_top + py * f64::from(h)));
    assert_eq!(r["upper_bound_x"].as_f64(), Some(x0 + px * f64::from(w)));
    assert_eq!(r["upper_bound_y"].as_f64(), Some(y_top));
    assert_eq!(r["pixelsize_x"].as_f64(), Some(px));
    assert_eq!(r["pixelsize_y"].as_f64(), Some(py));
    assert_eq!(r["dtype"], "float32");
    assert_eq!(r["fill_value"].as_f64(), nodata);
    assert!(nodata.is_some());
    // The demo file is the SEED's grid: Lizard's own bounds for it (~1 m).
    assert_eq!(
        (epsg, x0, y_top, px, w, h),
        (28992, 207_750.0, 473_500.0, 250.0, 91, 65)
    );
    let b = &r["spatial_bounds"];
    assert_eq!(keys(b), ["west", "east", "north", "south"]);
    for (k, want) in [
        ("west", 6.157092287525422),
        ("east", 6.492693862500658),
        ("north", 52.24701844341964),
        ("south", 52.098338971572794),
    ] {
        let got = b[k].as_f64().expect(k);
        assert!((got - want).abs() < 1e-5, "{k}: {got}");
    }
    assert_eq!(r["interval"], Value::Null);
    assert_eq!(keys(&r["wms_info"]), ["endpoint", "layer"]);
    assert_eq!(r["wms_info"]["endpoint"], format!("{base}/wms/"));
    assert_eq!(
        r["wms_info"]["layer"],
        "nelen-schuurmans:p_lochem_kwel_wegzijging_2050"
    );
    assert_eq!(r["options"]["styles"], "RdBu_r:-4.6:-1.17");
    assert_eq!(r["colormap"], serde_json::json!({}));
    assert!(r["rescalable"].is_boolean());
    assert!(r["aggregation_type"].is_string());
}

#[test]
fn a_temporal_layer_shows_its_period_and_interval() {
    let f = fx();
    let r = f
        .client(None)
        .get_json(&format!("/api/v4/rasters/{}/", f.rain));
    assert_eq!(r["temporal"], true);
    assert_eq!(r["first_value_timestamp"], "2024-06-01T12:00:00Z");
    assert_eq!(r["last_value_timestamp"], "2024-06-01T12:55:00Z");
    assert_eq!(r["interval"], "00:05:00");
    assert_eq!(r["observation_type"], Value::Null);
    assert_eq!(r["supplier"], Value::Null);
}

#[test]
fn private_layers_are_invisible_to_outsiders_and_writable_follows_the_caller() {
    let f = fx();
    let all = ["dem", "p_lochem_kwel_wegzijging_2050", "rain"];
    let public = ["p_lochem_kwel_wegzijging_2050", "rain"];
    let dem = format!("/api/v4/rasters/{}/", f.dem);
    // (caller, sees, writable for lochem, dem, rain)
    let cases: [(Option<&str>, &[&str], [bool; 3]); 6] = [
        (None, &public, [false, false, false]),
        (Some(&f.stranger), &public, [false, false, false]),
        (Some(&f.member), &all, [false, false, false]),
        (Some(&f.supplier), &all, [true, false, false]),
        (Some(&f.admin), &all, [true, true, true]),
        (Some(&f.root), &all, [true, true, true]),
    ];
    for (key, sees, writable) in cases {
        let c = f.client(key);
        let list = c.get_json("/api/v4/rasters/?ordering=name");
        assert_eq!(names(&list), sees, "{key:?}");
        let status = c.get(&dem).status;
        assert_eq!(status, if sees.len() == 3 { 200 } else { 404 }, "{key:?}");
        for (layer, want) in [f.lochem, f.dem, f.rain].iter().zip(writable) {
            let resp = c.get(&format!("/api/v4/rasters/{layer}/"));
            if resp.status == 200 {
                assert_eq!(json(&resp)["writable"], want, "{key:?} {layer}");
            }
        }
        let mine = c.get_json("/api/v4/rasters/?writable=true");
        assert_eq!(
            mine["count"].as_u64(),
            Some(writable.iter().filter(|w| **w).count() as u64),
            "{key:?}"
        );
    }
}

#[test]
fn every_filter_and_its_lookups() {
    let f = fx();
    let c = f.client(Some(&f.root));
    let q = |query: &str| names(&c.get_json(&format!("/api/v4/rasters/?ordering=name&{query}")));
    let lochem = "p_lochem_kwel_wegzijging_2050";
    let source = f.source_of(f.lochem);
    let created = c.get_json(&format!("/api/v4/rasters/{}/", f.dem))["created"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("name=dem".into(), vec!["dem"]),
        ("name=DEM".into(), vec![]),
        ("name__iexact=DEM".into(), vec!["dem"]),
        ("name__contains=ai".into(), vec!["rain"]),
        ("name__icontains=LOCHEM".into(), vec![lochem]),
        ("name__startswith=p_".into(), vec![lochem]),
        ("name__istartswith=R".into(), vec!["rain"]),
        ("name__endswith=2050".into(), vec![lochem]),
        ("name__iendswith=EM".into(), vec!["dem"]),
        ("name__in=dem,rain".into(), vec!["dem", "rain"]),
        (
            format!("uuid={},{}", f.dem, f.rain.to_string().to_uppercase()),
            vec!["dem", "rain"],
        ),
        (
            format!("organisation__uuid={}", f.org),
            vec!["dem", lochem, "rain"],
        ),
        (format!("organisation__uuid={}", f.other), vec![]),
        (
            format!("organisation={}", f.org),
            vec!["dem", lochem, "rain"],
        ),
        (
            "organisation__name__icontains=schuurmans".into(),
            vec!["dem", lochem, "rain"],
        ),
        ("organisation__name=Other".into(), vec![]),
        ("observation_type__code=Waterdepth".into(), vec![lochem]),
        (
            "observation_type__parameter__icontains=depth".into(),
            vec![lochem],
        ),
        ("observation_type__unit=m".into(), vec![lochem]),
        ("observation_type__unit=mm".into(), vec![]),
        ("observation_type__id=521".into(), vec![lochem]),
        ("observation_type=521".into(), vec![lochem]),
        ("observation_type__isnull=true".into(), vec!["dem", "rain"]),
        ("layer_collections__slug=klimaat".into(), vec![lochem]),
        ("layer_collections=klimaat".into(), vec![lochem]),
        (
            format!("layer_collections__uuid={COLLECTION}"),
            vec![lochem],
        ),
        (format!("raster_sources__uuid={source}"), vec![lochem]),
        ("access_modifier=Private".into(), vec!["dem"]),
        ("access_modifier=public".into(), vec![lochem, "rain"]),
        ("access_modifier=200".into(), vec!["dem"]),
        ("temporal=true".into(), vec!["rain"]),
        ("temporal=false".into(), vec!["dem", lochem]),
        ("is_geoblock=false".into(), vec!["dem", lochem, "rain"]),
        ("is_geoblock=true".into(), vec![]),
        ("scenario__isnull=true".into(), vec!["dem", lochem, "rain"]),
        (format!("supplier={}", f.supplier_name), vec![lochem]),
        ("supplier__isnull=true".into(), vec!["dem", "rain"]),
        (format!("created={created}"), vec!["dem"]),
        (format!("created__lt={created}"), vec![lochem]),
        (format!("created__gte={created}"), vec!["dem", "rain"]),
        (
            "last_modified__gt=2000-01-01T00:00:00Z".into(),
            vec!["dem", lochem, "rain"],
        ),
        ("last_modified__lte=2000-01-01T00:00:00Z".into(), vec![]),
        (
            "first_value_timestamp=2024-06-01T12:00:00Z".into(),
            vec!["rain"],
        ),
        (
            "first_value_timestamp__lt=2000-01-01T00:00:00Z".into(),
            vec!["dem", lochem],
        ),
        (
            "last_value_timestamp__gte=2024-06-01T12:55:00Z".into(),
            vec!["rain"],
        ),
        (
            "last_value_timestamp__gt=2024-06-01T12:55:00Z".into(),
            vec![],
        ),
        (
            "first_value_timestamp__gte=1970-01-01T00:00:00Z&temporal=false".into(),
            vec!["dem", lochem],
        ),
    ];
    for (query, want) in cases {
        assert_eq!(q(&query.replace('+', "%2B")), want, "{query}");
    }
}

#[test]
fn malformed_filters_and_orderings_are_400_naming_the_parameter() {
    let f = fx();
    let c = f.client(None);
    for (query, param) in [
        ("uuid=abc", "uuid"),
        ("created__gt=yesterday", "created__gt"),
        ("temporal=maybe", "temporal"),
        ("access_modifier=Secret", "access_modifier"),
        ("observation_type__id=x", "observation_type__id"),
        ("name__gt=a", "name__gt"),
        ("scenario__isnull=perhaps", "scenario__isnull"),
        ("ordering=uuid", "ordering"),
        ("ordering=-nope", "ordering"),
    ] {
        let resp = c
            .get(&format!("/api/v4/rasters/?{query}"))
            .expect_status(400);
        let body = json(&resp);
        assert!(body["detail"][param].is_array(), "{query}: {body}");
    }
}

#[test]
fn every_ordering_field_both_ways() {
    let f = fx();
    let c = f.client(Some(&f.root));
    let lochem = "p_lochem_kwel_wegzijging_2050";
    let order = |o: &str| names(&c.get_json(&format!("/api/v4/rasters/?ordering={o}")));
    // Ascending with a distinguishing expectation; descending is checked
    // as a reversal where the keys are distinct.
    assert_eq!(order("name"), ["dem", lochem, "rain"]);
    assert_eq!(order("-name"), ["rain", lochem, "dem"]);
    assert_eq!(order("temporal,name"), ["dem", lochem, "rain"]);
    assert_eq!(order("-temporal,name"), ["rain", "dem", lochem]);
    assert_eq!(order("access_modifier,name"), [lochem, "rain", "dem"]);
    assert_eq!(order("-access_modifier,name"), ["dem", lochem, "rain"]);
    assert_eq!(
        order("first_value_timestamp,-name"),
        [lochem, "dem", "rain"]
    );
    assert_eq!(
        order("-first_value_timestamp,name"),
        ["rain", "dem", lochem]
    );
    assert_eq!(order("last_value_timestamp,name"), ["dem", lochem, "rain"]);
    assert_eq!(order("-last_value_timestamp,name"), ["rain", "dem", lochem]);
    // NULLs last ascending, first descending.
    for field in [
        "observation_type",
        "observation_type__code",
        "observation_type__parameter",
        "observation_type__unit",
        "supplier",
    ] {
        assert_eq!(
            order(&format!("{field},name")),
            [lochem, "dem", "rain"],
            "{field}"
        );
        assert_eq!(
            order(&format!("-{field},name")),
            ["dem", "rain", lochem],
            "{field}"
        );
    }
    assert_eq!(order("organisation__name,-name"), ["rain", lochem, "dem"]);
    // last_modified: make dem the newest.
    f.change(|d| {
        for l in &mut d.layers {
            if l.uuid == f.dem {
                l.last_modified = Utc::now();
            }
        }
    });
    assert_eq!(
        order("last_modified").last().map(String::as_str),
        Some("dem")
    );
    assert_eq!(order("-last_modified")[0], "dem");
}

#[test]
fn pages_and_their_links() {
    let f = fx();
    let c = f.client(Some(&f.root));
    let base = format!("http://{}/api/v4/rasters/", f.server.addr);
    let p1 = c.get_json("/api/v4/rasters/?ordering=name&page_size=2");
    assert_eq!(p1["count"], 3);
    assert_eq!(names(&p1), ["dem", "p_lochem_kwel_wegzijging_2050"]);
    assert_eq!(p1["previous"], Value::Null);
    let next = p1["next"].as_str().expect("next");
    assert!(next.starts_with(&base) && next.contains("page=2"), "{next}");
    let p2 = c.get_json(next.trim_start_matches(&format!("http://{}", f.server.addr)));
    assert_eq!(names(&p2), ["rain"]);
    assert_eq!(p2["next"], Value::Null);
    assert!(p2["previous"].is_string());
    let off = c.get_json("/api/v4/rasters/?ordering=name&limit=1&offset=2");
    assert_eq!(names(&off), ["rain"]);
    assert_eq!(c.get("/api/v4/rasters/?page=3&page_size=2").status, 404);
    let list = c.get_json("/api/v4/rasters/");
    assert_eq!(keys(&list), ["count", "next", "previous", "results"]);
}
