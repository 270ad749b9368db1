//! `Renderer`: the async front of the render path. A resolved layer and a
//! `RenderRequest` in, bytes and their ETag out: looked up in the tile cache
//! (single-flight on misses), misses rendered by the [`Engine`] on the
//! [`Pool`]. The other answers drawn from layers or styles (composites,
//! point values, limits, legends, exception images) run on the same pool.

use super::engine::Engine;
use super::error::RenderError;
use super::layer::Layer;
use super::point::PointValue;
use super::pool::Pool;
use crate::cache::{RenderKey, Rendered, TileCache};
use crate::model::{Crs, GridSpec, RenderRequest, Rgb, TimeSel};
use crate::style::Style;
use std::sync::Arc;

/// A rendered response and its strong ETag.
#[derive(Clone, Debug)]
pub struct Output {
    pub rendered: Arc<Rendered>,
    pub etag: String,
}

/// The render service of one process.
pub struct Renderer {
    /// Evaluates layers and encodes (blocking; shared with pool jobs).
    engine: Arc<Engine>,
    /// Rendered responses by `RenderKey`, so equal requests render once.
    cache: TileCache,
    /// Where blocking work runs, behind a bounded queue.
    pool: Arc<Pool>,
}

impl Renderer {
    pub fn new(engine: Engine, cache: TileCache, pool: Arc<Pool>) -> Renderer {
        Renderer {
            engine: Arc::new(engine),
            cache,
            pool,
        }
    }

    pub fn cache(&self) -> &TileCache {
        &self.cache
    }

    /// The pool this renderer runs on, for other blocking work of the server.
    pub fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// The encoded response for `req` of `layer`, from the cache or freshly
    /// rendered, with its ETag (a hash of every input that shapes the bytes).
    pub async fn render(&self, layer: &Layer, req: RenderRequest) -> Result<Output, RenderError> {
        self.render_for(layer, req, None).await
    }

    /// [`Renderer::render`] for a caller: a miss counts against the
    /// layer's share of the pool and, given a `caller` key, the caller's;
    /// dropping the future stops the render.
    pub async fn render_for(
        &self,
        layer: &Layer,
        req: RenderRequest,
        caller: Option<&str>,
    ) -> Result<Output, RenderError> {
        let key = RenderKey::from(&req);
        let etag = key.etag();
        let mut shares = vec![layer.share_key()];
        shares.extend(caller.map(str::to_string));
        let rendered = self
            .cache
            .get_or_render(key, || {
                let (engine, layer) = (self.engine.clone(), layer.clone());
                self.pool.run_keyed(&shares, move |cancel| {
                    engine.for_job(cancel).render(&layer, &req)
                })
            })
            .await?;
        Ok(Output { rendered, etag })
    }

    /// Several layers as one PNG: each rendered (and cached) on its own,
    /// then blended in order (see `composite.rs`).
    pub async fn composite(
        &self,
        layers: Vec<(Layer, RenderRequest)>,
        transparent: bool,
        bgcolor: Rgb,
    ) -> Result<Output, RenderError> {
        let (w, h) = layers
            .first()
            .map_or((0, 0), |(_, r)| (r.grid.width, r.grid.height));
        let mut parts = Vec::with_capacity(layers.len());
        for (layer, req) in layers {
            parts.push(self.render(&layer, req).await?);
        }
        let etag = super::composite::etag(&parts, transparent, bgcolor);
        let pngs: Vec<_> = parts.into_iter().map(|p| p.rendered).collect();
        let rendered = self
            .pool
            .run(move || super::composite::blend(&pngs, w, h, transparent, bgcolor))
            .await?;
        Ok(Output {
            rendered: Arc::new(rendered),
            etag,
        })
    }

    /// The values of `layer` at one point for each time selection.
    pub async fn values_at(
        &self,
        points: Vec<(Layer, TimeSel)>,
        crs: Crs,
        point: (f64, f64),
    ) -> Result<Vec<PointValue>, RenderError> {
        let engine = self.engine.clone();
        self.pool
            .run_keyed(&[], move |cancel| {
                let engine = engine.for_job(cancel);
                points
                    .iter()
                    .map(|(layer, time)| engine.value_at(layer, crs, point, *time))
                    .collect()
            })
            .await
    }

    /// See [`Engine::limits`].
    pub async fn limits(
        &self,
        layer: &Layer,
        grid: GridSpec,
        time: TimeSel,
    ) -> Result<Option<(f64, f64)>, RenderError> {
        let (engine, layer) = (self.engine.clone(), layer.clone());
        self.pool
            .run_keyed(&[layer.share_key()], move |cancel| {
                engine.for_job(cancel).limits(&layer, &grid, time)
            })
            .await
    }

    /// The legend PNG of `style` (see `legend.rs`).
    pub async fn legend_png(
        &self,
        style: Style,
        width: u32,
        height: u32,
        transparent: bool,
    ) -> Result<Vec<u8>, RenderError> {
        self.pool
            .run(move || super::legend::legend_png(&style, width, height, transparent))
            .await
    }

    /// An error drawn as an image (see `exception_image.rs`).
    pub async fn exception_png(
        &self,
        image: super::ExceptionImage,
    ) -> Result<Vec<u8>, RenderError> {
        self.pool.run(move || image.png()).await
    }
}
