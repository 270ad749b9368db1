//! One tile of a resolved layer, as WMTS GetTile and XYZ/TMS both answer it:
//! the image-size limit, the render, and the reply with the layer's caching
//! policy and last change. Each caller reports a failure in its own format.

use super::layer::Resolved;
use super::reply::Reply;
use super::service::Service;
use crate::model::RenderRequest;
use crate::render::RenderError;

/// Why a tile was not drawn.
pub(super) enum TileError {
    /// The tile has more pixels than `render.max_pixels` (the message says so).
    TooLarge(String),
    Render(RenderError),
}

/// Renders `render` of `resolved` (cached) into its reply.
pub(super) async fn render_tile(
    service: &Service,
    resolved: &Resolved,
    render: RenderRequest,
) -> Result<Reply, TileError> {
    let (pixels, max) = (render.grid.pixels() as u64, service.settings.max_pixels);
    if pixels > max {
        let m = format!("a tile of {pixels} pixels is more than the {max} one image may have");
        return Err(TileError::TooLarge(m));
    }
    let time = render.time;
    let layer = resolved.eval().map_err(TileError::Render)?;
    let out = service
        .renderer
        .render_for(layer, render, resolved.caller_key.as_deref())
        .await
        .map_err(TileError::Render)?;
    let r = &out.rendered;
    let mut reply = Reply::new(r.content_type, r.bytes.clone())
        .etag(out.etag)
        .for_caller(!resolved.public);
    reply.cache_control = resolved.policy(service.settings.cache_control.as_deref(), time, false);
    reply.last_modified = resolved.last_modified;
    Ok(reply)
}
