//! Painting warped values: style → palette indices (or RGBA) → PNG.

use super::error::RenderError;
use super::warp::Warped;
use crate::cache::Rendered;
use crate::model::RenderRequest;

/// Styles `warped` with the request's style and encodes a PNG.
pub fn png(warped: &Warped, req: &RenderRequest) -> Result<Rendered, RenderError> {
    let _ = (warped, req);
    Err(RenderError::Internal(
        "painting is wired when the style module lands".into(),
    ))
}
