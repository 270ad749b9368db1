//! `Pool`: the process's CPU pool. Blocking jobs (rendering, encoding,
//! compressing, drawing) run on a rayon pool behind a bounded queue; a full
//! queue answers `Busy` at once instead of queueing forever. The one place
//! that crosses from async to blocking work.

use super::error::RenderError;
use std::sync::Arc;
use tokio::sync::{Semaphore, oneshot};

/// A bounded rayon pool shared by every blocking job of the server.
pub struct Pool {
    /// The threads that run blocking jobs.
    threads: rayon::ThreadPool,
    /// Permits for jobs running or waiting; none left means the server is
    /// saturated and new work is refused with `Busy`.
    queue: Arc<Semaphore>,
}

impl Pool {
    /// `threads == 0` uses one thread per core; `queue_depth` bounds the
    /// number of jobs running or waiting.
    pub fn new(threads: usize, queue_depth: usize) -> Result<Pool, RenderError> {
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tegel-render-{i}"))
            // A panicking job must not take the process down: its caller gets an
            // internal error when the job's channel closes.
            .panic_handler(|_| tracing::error!("a render job panicked"))
            .build()
            .map_err(|e| RenderError::Internal(e.to_string()))?;
        Ok(Pool {
            threads,
            queue: Arc::new(Semaphore::new(queue_depth.max(1))),
        })
    }

    /// Runs `job` on the pool; `Busy` when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, RenderError> + Send + 'static,
    ) -> Result<T, RenderError> {
        let permit = self
            .queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| RenderError::Busy)?;
        let (tx, rx) = oneshot::channel();
        self.threads.spawn(move || {
            let out = job();
            drop(permit);
            // The caller may have gone (request abandoned): nothing to tell.
            let _ = tx.send(out);
        });
        rx.await
            .map_err(|_| RenderError::Internal("render job was dropped".into()))?
    }
}
