//! A request body read with `server.body_timeout_secs` as the longest gap
//! between two of its pieces. A body that stops short of its
//! `Content-Length` or its last chunk ends with an error instead of waiting
//! for ever, and remembers that it timed out so the answer can be
//! `408 Request Timeout`.

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use std::time::Duration;

/// Why a body could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Nothing arrived for the gap allowed.
    #[error("the client sent no body bytes for {} s", .0.as_secs())]
    TimedOut(Duration),
    /// The connection broke or the framing is invalid.
    #[error("{0}")]
    Broken(#[from] hyper::Error),
}

pub struct TimedBody {
    inner: Incoming,
    gap: Duration,
    timed_out: bool,
}

impl TimedBody {
    pub fn new(inner: Incoming, gap: Duration) -> TimedBody {
        TimedBody {
            inner,
            gap,
            timed_out: false,
        }
    }

    /// The next frame; `None` at the end of the body. After a timeout every
    /// further call fails at once.
    pub async fn frame(&mut self) -> Option<Result<Frame<Bytes>, BodyError>> {
        if self.timed_out {
            return Some(Err(BodyError::TimedOut(self.gap)));
        }
        match tokio::time::timeout(self.gap, self.inner.frame()).await {
            Ok(frame) => frame.map(|f| f.map_err(BodyError::Broken)),
            Err(_) => {
                self.timed_out = true;
                Some(Err(BodyError::TimedOut(self.gap)))
            }
        }
    }

    /// Whether a gap exceeded the timeout.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }
}
