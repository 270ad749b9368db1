//! GetMap errors answered as images (`EXCEPTIONS=INIMAGE` / `BLANK`, 1.1.1
//! `application/vnd.ogc.se_inimage` / `…se_blank`): a PNG of the requested
//! size, Content-Type = FORMAT, never cached.
//!
//! BLANK: every pixel BGCOLOR (default white), or fully transparent with
//! TRANSPARENT=TRUE. INIMAGE: the same background with the error message
//! (`<code>: <message>` when there is a code) drawn with the built-in 5×7
//! font from (2, 2), wrapped at spaces to the image width and clipped at its
//! bottom; black text, white on dark backgrounds (luma below 128).

use super::response::{self, Body};
use super::state::AppState;
use crate::encode::font::ADVANCE;
use crate::encode::png::encode_rgba;
use crate::encode::text::{Canvas, wrap};
use crate::protocol::wms::{ExceptionsFormat, ImageExceptionParams, OgcError};
use crate::render::RenderError;
use http::StatusCode;
use hyper::Response;

/// Text inset from the top-left corner.
const INSET: u32 = 2;

/// The exception image's PNG bytes for `message`.
pub fn exception_png(p: &ImageExceptionParams, message: &str) -> Result<Vec<u8>, RenderError> {
    let n = p.width as usize * p.height as usize;
    let [r, g, b] = p.bgcolor.0;
    let bg = if p.transparent {
        [0, 0, 0, 0]
    } else {
        [r, g, b, 255]
    };
    let mut rgba: Vec<u8> = bg.iter().copied().cycle().take(n * 4).collect();
    if p.kind == ExceptionsFormat::InImage {
        let luma = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
        let ink = if !p.transparent && luma < 128 {
            [255, 255, 255, 255]
        } else {
            [0, 0, 0, 255]
        };
        let cols = (p.width.saturating_sub(2 * INSET) + 1) / ADVANCE;
        let lines = wrap(message, cols.max(1) as usize);
        let mut canvas = Canvas {
            rgba: &mut rgba,
            width: p.width,
            height: p.height,
        };
        canvas.lines(i64::from(INSET), i64::from(INSET), &lines, ink);
    }
    Ok(encode_rgba(p.width, p.height, &rgba)?)
}

/// The image answer to `err`; `None` when it cannot be made (the render pool
/// is busy or encoding failed): the caller answers XML instead.
pub async fn respond(
    state: &AppState,
    params: ImageExceptionParams,
    err: &OgcError,
    status: StatusCode,
) -> Option<Response<Body>> {
    let message = match err.code_str() {
        Some(code) => format!("{code}: {}", err.message),
        None => err.message.clone(),
    };
    let png = state
        .renderer
        .run_blocking(move |_| exception_png(&params, &message))
        .await
        .ok()?;
    let mut resp = response::bytes(status, "image/png", png);
    super::errors::no_store(&mut resp);
    Some(resp)
}
