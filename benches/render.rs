//! The render path, end to end and by stage, on synthetic data that always runs:
//!
//! * `warp/*`: level choice, mesh, window read and gather of one request grid
//!   from a stored 4096² f32 frame (EPSG:28992, 1 m; field A below): a zoom-16
//!   EPSG:3857 tile (reprojected), the same tile bilinear, and a 512² map in the
//!   frame's own CRS;
//! * `render/*`: the whole blocking render of a request (layer resolution in a
//!   catalogue snapshot, frame, warp, style, PNG) — what one uncached tile
//!   costs a render thread;
//! * `render/tile_3857_png_graph3`: the same tile of a computed layer,
//!   `FillNoData(Classify(Subtract(A, B)), C)` over three distinct sources (three
//!   synthetic fields with their own nodata, ingested on the same 4096² grid like
//!   layers derived from one DEM tiling), to compare with `render/tile_3857_png`;
//! * `overhead/const_source`: the same for a do-nothing source that fills its
//!   windows with one value, isolating the pipeline's own cost from data reads.
//!
//! Run: `cargo bench --bench render`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "benchmark setup: a bench that cannot build its inputs should stop loudly"
)]

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use std::path::PathBuf;
use std::sync::Arc;
use tegel::catalogue::{AccessModifier, Catalogue, IngestRequest, ingest};
use tegel::geo::cache::TransformCache;
use tegel::geo::tiles::xyz_bbox;
use tegel::model::{
    BBox, Crs, DataType, GeoTransform, GridSpec, LayerRef, LevelInfo, OutputFormat, PyramidInfo,
    RasterBuf, RasterData, RasterSource, RenderRequest, Resampling, Rgb, SourceError, TimeSel,
    Window,
};
use tegel::render::{Engine, Layer, warp};
use tegel::storage::{Limits, Store};

const SIZE: u32 = 4096;
/// Upper-left corner of the synthetic raster, near Amersfoort.
const ORIGIN: (f64, f64) = (150_000.0, 465_000.0);

fn bench_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tegel-bench-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One synthetic field: its formula over (column, row) and its nodata pattern.
struct Field {
    name: &'static str,
    value: fn(f32, f32) -> f32,
    /// Every `nodata_every`-th cell (row-major) is nodata.
    nodata_every: usize,
}

/// Three fields on one grid, like layers derived from one DEM tiling: a
/// surface, a second surface close to it, and a gap filler.
const FIELDS: [Field; 3] = [
    Field {
        name: "a",
        value: |x, y| 20.0 + 15.0 * (x / 300.0).sin() * (y / 250.0).cos(),
        nodata_every: 101,
    },
    Field {
        name: "b",
        value: |x, y| 20.0 + 14.0 * (x / 310.0).sin() * (y / 240.0).cos() + (x + y) / 8192.0,
        nodata_every: 89,
    },
    Field {
        name: "c",
        value: |x, y| 5.0 + 3.0 * ((x - y) / 400.0).sin(),
        nodata_every: 53,
    },
];

/// `field` sampled on the SIZE² grid at ORIGIN, as a GeoTIFF input file.
fn input_file(dir: &std::path::Path, field: &Field) -> PathBuf {
    let n = (SIZE * SIZE) as usize;
    let values: Vec<f32> = (0..n)
        .map(|i| {
            let (x, y) = ((i % SIZE as usize) as f32, (i / SIZE as usize) as f32);
            if i % field.nodata_every == 0 {
                -9999.0
            } else {
                (field.value)(x, y)
            }
        })
        .collect();
    let buf = RasterBuf {
        width: SIZE,
        height: SIZE,
        data: RasterData::F32(values),
        nodata: Some(-9999.0),
    };
    let gt = GeoTransform {
        origin_x: ORIGIN.0,
        origin_y: ORIGIN.1,
        pixel_x: 1.0,
        pixel_y: -1.0,
    };
    let path = dir.join(format!("{}.tif", field.name));
    std::fs::write(
        &path,
        tegel::encode::geotiff::encode_geotiff(&buf, Crs(28992), &gt),
    )
    .unwrap();
    path
}

struct Fixture {
    catalogue: Arc<Catalogue>,
    store: Arc<Store>,
    transforms: Arc<TransformCache>,
    engine: Engine,
    layer: LayerRef,
    /// The computed layer over the three sources (field A is `layer`'s).
    computed: LayerRef,
    /// The store and catalogue (~250 MB), removed when the run ends.
    dir: PathBuf,
}

fn fixture() -> Fixture {
    let dir = bench_dir();
    let store = Arc::new(Store::open(&dir, 16).unwrap());
    let catalogue = Arc::new(Catalogue::open(&dir).unwrap());
    let outcomes: Vec<_> = FIELDS
        .iter()
        .map(|field| {
            let input = input_file(&dir, field);
            let req = IngestRequest {
                files: vec![input.clone()],
                organisation: "bench".into(),
                access_modifier: AccessModifier::Public,
                style: Some("terrain:-5:40".into()),
                ..IngestRequest::default()
            };
            let out = ingest(
                &catalogue,
                &store,
                &req,
                &Limits::default(),
                &mut |_, _, _| {},
            )
            .unwrap();
            // The store holds its own copy.
            std::fs::remove_file(input).unwrap();
            out
        })
        .collect();
    let layer_id = outcomes[0].layer.unwrap();
    let layer = LayerRef {
        id: layer_id,
        version: 1,
    };
    let [a, b, c] = [0, 1, 2].map(|i| outcomes[i].source.to_string());
    let graph = serde_json::json!({"name": "filled", "graph": {
        "a": ["lizard_nxt.blocks.LizardRasterSource", a],
        "b": ["lizard_nxt.blocks.LizardRasterSource", b],
        "c": ["lizard_nxt.blocks.LizardRasterSource", c],
        "diff": ["dask_geomodeling.raster.elemwise.Subtract", "a", "b"],
        "classes": ["dask_geomodeling.raster.misc.Classify", "diff", [-1.0, 0.0, 1.0]],
        "filled": ["dask_geomodeling.raster.elemwise.FillNoData", "classes", "c"]}});
    let computed = catalogue
        .update(|d, rev| {
            let mut l = d
                .layers
                .iter()
                .find(|l| l.uuid == layer_id)
                .cloned()
                .unwrap();
            l.uuid = uuid::Uuid::new_v4();
            l.slug = "computed".into();
            l.graph = graph;
            l.revision = rev;
            let id = l.uuid;
            d.layers.push(l);
            Ok(id)
        })
        .unwrap();
    let transforms = Arc::new(TransformCache::new());
    Fixture {
        engine: Engine::new(store.clone(), transforms.clone()),
        catalogue,
        store,
        transforms,
        layer,
        computed: LayerRef {
            id: computed,
            version: 1,
        },
        dir,
    }
}

/// A zoom-16 tile inside the synthetic raster.
fn tile_grid() -> GridSpec {
    // The raster centre, 5.344°E 52.155°N, lies in this tile.
    let (z, x, y) = (16, 33740, 21601);
    GridSpec {
        crs: Crs(3857),
        bbox: xyz_bbox(z, x, y).unwrap(),
        width: 256,
        height: 256,
    }
}

fn native_grid() -> GridSpec {
    let (x0, y1) = (ORIGIN.0 + 1000.0, ORIGIN.1 - 1000.0);
    GridSpec {
        crs: Crs(28992),
        bbox: BBox::new(x0, y1 - 512.0, x0 + 512.0, y1),
        width: 512,
        height: 512,
    }
}

fn request(layer: LayerRef, grid: GridSpec) -> RenderRequest {
    RenderRequest {
        layer,
        grid,
        time: TimeSel::Latest,
        style: "terrain:-5.0:40.0".into(),
        format: OutputFormat::Png,
        resampling: Resampling::Nearest,
        transparent: true,
        bgcolor: Rgb::WHITE,
    }
}

fn benches(c: &mut Criterion) {
    let fx = fixture();
    let snap = fx.catalogue.snapshot();
    let layer = snap.layer(fx.layer.id).unwrap();
    let source = snap.single_source(layer).unwrap();
    let frame = fx
        .store
        .open_frame(source.uuid, &source.frames[0].file)
        .unwrap();
    // The tile must really hit data, or the benchmark measures an empty fast path.
    let warped = warp(&*frame, &tile_grid(), &fx.transforms, Resampling::Nearest).unwrap();
    assert!(
        warped.valid.iter().filter(|&&v| v == 1).count() > 60_000,
        "tile outside the raster"
    );

    let mut g = c.benchmark_group("warp");
    g.throughput(Throughput::Elements(256 * 256));
    g.bench_function("tile_3857_nearest", |b| {
        b.iter(|| {
            warp(
                &*frame,
                black_box(&tile_grid()),
                &fx.transforms,
                Resampling::Nearest,
            )
            .unwrap()
        })
    });
    g.bench_function("tile_3857_bilinear", |b| {
        b.iter(|| {
            warp(
                &*frame,
                black_box(&tile_grid()),
                &fx.transforms,
                Resampling::Bilinear,
            )
            .unwrap()
        })
    });
    g.throughput(Throughput::Elements(512 * 512));
    g.bench_function("map_28992_512", |b| {
        b.iter(|| {
            warp(
                &*frame,
                black_box(&native_grid()),
                &fx.transforms,
                Resampling::Nearest,
            )
            .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("render");
    g.throughput(Throughput::Elements(1));
    // What a render thread does per request: resolve the layer in the
    // current snapshot, then render.
    let render = |req: RenderRequest| {
        let layer = Layer::resolve(&fx.catalogue.snapshot(), req.layer.id).unwrap();
        fx.engine.render(&layer, &req).unwrap()
    };
    g.bench_function("tile_3857_png", |b| {
        b.iter(|| render(black_box(request(fx.layer, tile_grid()))))
    });
    g.bench_function("tile_3857_png_graph3", |b| {
        b.iter(|| render(black_box(request(fx.computed, tile_grid()))))
    });
    g.bench_function("map_28992_512_png", |b| {
        b.iter(|| render(black_box(request(fx.layer, native_grid()))))
    });
    g.finish();

    let constant = ConstSource::new();
    let mut g = c.benchmark_group("overhead");
    g.throughput(Throughput::Elements(256 * 256));
    g.bench_function("const_source_tile", |b| {
        b.iter(|| {
            warp(
                &constant,
                black_box(&tile_grid()),
                &fx.transforms,
                Resampling::Nearest,
            )
            .unwrap()
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&fx.dir);
}

/// A source with the synthetic raster's grid whose every pixel is 1.0: no I/O.
struct ConstSource {
    info: PyramidInfo,
}

impl ConstSource {
    fn new() -> ConstSource {
        let levels = (0..5)
            .map(|k| LevelInfo {
                width: SIZE >> k,
                height: SIZE >> k,
                factor: 1 << k,
            })
            .collect();
        let transform = GeoTransform {
            origin_x: ORIGIN.0,
            origin_y: ORIGIN.1,
            pixel_x: 1.0,
            pixel_y: -1.0,
        };
        ConstSource {
            info: PyramidInfo {
                crs: Crs(28992),
                dtype: DataType::F32,
                nodata: None,
                transform,
                levels,
            },
        }
    }
}

impl RasterSource for ConstSource {
    fn info(&self) -> &PyramidInfo {
        &self.info
    }

    fn read_window(
        &self,
        _level: usize,
        _window: Window,
        out: &mut RasterBuf,
    ) -> Result<(), SourceError> {
        if let RasterData::F32(v) = &mut out.data {
            v.fill(1.0);
        }
        Ok(())
    }
}

criterion_group!(render_benches, benches);
criterion_main!(render_benches);
