//! The blocking render pipeline: `RenderRequest` → frame → warp → style → encode.
//! Runs on the rayon pool only (see `renderer.rs`).

use super::error::RenderError;
use super::warp::{Warped, warp};
use crate::cache::Rendered;
use crate::catalogue::Catalogue;
use crate::geo::cache::TransformCache;
use crate::model::{OutputFormat, RenderRequest};
use crate::storage::Store;
use std::sync::Arc;

/// What every render needs: the catalogue, the frames, the transforms.
pub struct Context {
    pub catalogue: Arc<Catalogue>,
    pub store: Arc<Store>,
    pub transforms: TransformCache,
}

/// Renders one request to encoded bytes.
pub fn render(ctx: &Context, req: &RenderRequest) -> Result<Rendered, RenderError> {
    let warped = warp_layer(ctx, req)?;
    match req.format {
        OutputFormat::Png => super::paint::png(&warped, req),
        OutputFormat::GeoTiff => {
            let bytes = crate::encode::geotiff::encode_geotiff(
                &warped.buf,
                req.grid.crs,
                &req.grid.transform(),
            );
            Ok(Rendered::from_vec(bytes, OutputFormat::GeoTiff.mime()))
        }
    }
}

/// The layer's values on the request grid; an all-invalid block when the layer
/// has no data yet.
pub fn warp_layer(ctx: &Context, req: &RenderRequest) -> Result<Warped, RenderError> {
    let snap = ctx.catalogue.snapshot();
    let layer = snap
        .layer(req.layer.id)
        .ok_or(RenderError::NoSuchLayer(req.layer.id))?;
    let Some(source) = snap.single_source(layer) else {
        if crate::catalogue::graphref::is_geoblock(&layer.graph) {
            return super::geoblock::evaluate(ctx, &snap, layer, &req.grid, req.time);
        }
        return Err(RenderError::BrokenLayer(layer.uuid));
    };
    let Some(frame) = source.frame_for(req.time) else {
        return Ok(Warped::nothing(
            &req.grid,
            source.grid.as_ref().map(|g| g.dtype),
        ));
    };
    let frame = ctx.store.open_frame(source.uuid, &frame.file)?;
    warp(&*frame, &req.grid, &ctx.transforms, req.resampling)
}
