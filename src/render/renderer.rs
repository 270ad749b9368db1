//! `Renderer`: the async front of the render path. Looks the request up in the
//! tile cache (single-flight on misses) and runs misses on the rayon pool behind
//! a bounded queue; a full queue answers `Busy` at once instead of queueing
//! forever. The only place that crosses from async to blocking work.

use super::error::RenderError;
use super::pipeline::{self, Context};
use crate::cache::{RenderKey, Rendered, TileCache};
use crate::model::RenderRequest;
use std::sync::Arc;
use tokio::sync::{Semaphore, oneshot};

/// A rendered response and its strong ETag.
#[derive(Clone, Debug)]
pub struct Output {
    pub rendered: Arc<Rendered>,
    pub etag: String,
}

pub struct Renderer {
    ctx: Arc<Context>,
    cache: TileCache,
    pool: rayon::ThreadPool,
    queue: Arc<Semaphore>,
}

impl Renderer {
    /// `threads == 0` uses one thread per core; `queue_depth` bounds the number
    /// of renders running or waiting on the pool.
    pub fn new(
        ctx: Context,
        cache: TileCache,
        threads: usize,
        queue_depth: usize,
    ) -> Result<Renderer, RenderError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tegel-render-{i}"))
            // A panicking job must not take the process down: its caller gets an
            // internal error when the job's channel closes.
            .panic_handler(|_| tracing::error!("a render job panicked"))
            .build()
            .map_err(|e| RenderError::Internal(e.to_string()))?;
        Ok(Renderer {
            ctx: Arc::new(ctx),
            cache,
            pool,
            queue: Arc::new(Semaphore::new(queue_depth.max(1))),
        })
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    pub fn cache(&self) -> &TileCache {
        &self.cache
    }

    /// The encoded response for `req`, from the cache or freshly rendered,
    /// with its ETag (a hash of every input that shapes the bytes).
    pub async fn render(&self, req: RenderRequest) -> Result<Output, RenderError> {
        let key = RenderKey::from(&req);
        let etag = key.etag();
        let rendered = self
            .cache
            .get_or_render(key, || self.render_on_pool(req))
            .await?;
        Ok(Output { rendered, etag })
    }

    /// Runs a blocking job on the pool behind the bounded queue.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Context) -> Result<T, RenderError> + Send + 'static,
    ) -> Result<T, RenderError> {
        let permit = self
            .queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| RenderError::Busy)?;
        let (tx, rx) = oneshot::channel();
        let ctx = self.ctx.clone();
        self.pool.spawn(move || {
            let out = job(&ctx);
            drop(permit);
            let _ = tx.send(out);
        });
        rx.await
            .map_err(|_| RenderError::Internal("render job was dropped".into()))?
    }

    async fn render_on_pool(&self, req: RenderRequest) -> Result<Rendered, RenderError> {
        self.run_blocking(move |ctx| pipeline::render(ctx, &req))
            .await
    }
}
