//! `Pool`: the process's CPU pool. Blocking jobs (rendering, encoding,
//! compressing, drawing) run on a rayon pool behind a bounded queue; a full
//! queue answers `Busy` at once instead of queueing forever. The one place
//! that crosses from async to blocking work.
//!
//! Every job gets a [`Cancel`] token that is set when the future awaiting it
//! is dropped (a request timeout, a client that went away), so a long
//! evaluation stops instead of running on for nobody. Jobs that name a share
//! key (a layer, a caller) may hold at most `max_share` of the queue per key:
//! one busy layer cannot starve the others.

use super::error::RenderError;
use crate::graph::Cancel;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{Semaphore, oneshot};

/// A bounded rayon pool shared by every blocking job of the server.
pub struct Pool {
    /// The threads that run blocking jobs.
    threads: rayon::ThreadPool,
    /// Permits for jobs running or waiting; none left means the server is
    /// saturated and new work is refused with `Busy`.
    queue: Arc<Semaphore>,
    /// Jobs running or waiting per share key.
    shares: Arc<Mutex<HashMap<String, usize>>>,
    /// Most jobs one share key may hold.
    per_key: usize,
}

impl Pool {
    /// `threads == 0` uses one thread per core; `queue_depth` bounds the
    /// number of jobs running or waiting. Every share key may use the whole
    /// queue until [`Pool::with_max_share`] says otherwise.
    pub fn new(threads: usize, queue_depth: usize) -> Result<Pool, RenderError> {
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("tegel-render-{i}"))
            // A panicking job must not take the process down: its caller gets an
            // internal error when the job's channel closes.
            .panic_handler(|_| tracing::error!("a render job panicked"))
            .build()
            .map_err(|e| RenderError::Internal(e.to_string()))?;
        let depth = queue_depth.max(1);
        Ok(Pool {
            threads,
            queue: Arc::new(Semaphore::new(depth)),
            shares: Arc::default(),
            per_key: depth,
        })
    }

    /// Limits each share key to `share` of the queue (at least one job).
    pub fn with_max_share(mut self, share: f64) -> Pool {
        let depth = self.queue.available_permits().max(1);
        self.per_key = ((depth as f64 * share).floor() as usize).clamp(1, depth);
        self
    }

    /// Most jobs one share key may hold.
    pub fn max_per_key(&self) -> usize {
        self.per_key
    }

    /// Runs `job` on the pool; `Busy` when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, RenderError> + Send + 'static,
    ) -> Result<T, RenderError> {
        self.run_keyed(&[], move |_| job()).await
    }

    /// Runs `job` on the pool with a cancellation token that is set when
    /// this future is dropped; `Busy` when the queue is full or when one of
    /// `keys` already holds its share of the queue.
    pub async fn run_keyed<T: Send + 'static>(
        &self,
        keys: &[String],
        job: impl FnOnce(&Cancel) -> Result<T, RenderError> + Send + 'static,
    ) -> Result<T, RenderError> {
        let shares = self.take_shares(keys)?;
        let permit = self
            .queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| RenderError::Busy)?;
        let cancel = Cancel::new();
        let mut on_drop = CancelOnDrop(Some(cancel.clone()));
        let (tx, rx) = oneshot::channel();
        self.threads.spawn(move || {
            // Abandoned while waiting for a thread: nothing to start.
            let out = match cancel.is_cancelled() {
                true => Err(RenderError::Cancelled),
                false => job(&cancel),
            };
            drop(permit);
            drop(shares);
            // The caller may have gone (request abandoned): nothing to tell.
            let _ = tx.send(out);
        });
        let out = rx
            .await
            .map_err(|_| RenderError::Internal("render job was dropped".into()))?;
        // Finished: there is nothing left to cancel.
        on_drop.0 = None;
        out
    }

    /// One share of each key, or `Busy` (taking none) when a key holds its
    /// share already.
    fn take_shares(&self, keys: &[String]) -> Result<Shares, RenderError> {
        let mut map = self
            .shares
            .lock()
            .map_err(|_| RenderError::Internal("render share table poisoned".into()))?;
        if keys
            .iter()
            .any(|k| map.get(k).is_some_and(|n| *n >= self.per_key))
        {
            return Err(RenderError::Busy);
        }
        for k in keys {
            *map.entry(k.clone()).or_insert(0) += 1;
        }
        Ok(Shares {
            table: self.shares.clone(),
            keys: keys.to_vec(),
        })
    }
}

/// Sets the token when the awaiting future goes away before the answer.
struct CancelOnDrop(Option<Cancel>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(c) = &self.0 {
            c.cancel();
        }
    }
}

/// Shares held by one job, given back when it ends.
struct Shares {
    table: Arc<Mutex<HashMap<String, usize>>>,
    keys: Vec<String>,
}

impl Drop for Shares {
    fn drop(&mut self) {
        let Ok(mut map) = self.table.lock() else {
            return;
        };
        for k in &self.keys {
            if let Some(n) = map.get_mut(k) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    map.remove(k);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pool;
    use crate::render::RenderError;
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn a_dropped_caller_cancels_its_job() {
        let pool = Pool::new(1, 4).expect("pool");
        let (tx, rx) = std::sync::mpsc::channel();
        let fut = pool.run_keyed(&[], move |cancel| {
            let t = Instant::now();
            while !cancel.is_cancelled() && t.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = tx.send(t.elapsed());
            Ok(())
        });
        let _ = tokio::time::timeout(Duration::from_millis(50), fut).await;
        let ran = rx.recv_timeout(Duration::from_secs(5)).expect("job ended");
        assert!(ran < Duration::from_secs(1), "{ran:?}");
    }

    #[tokio::test]
    async fn one_key_holds_at_most_its_share() {
        let pool = Pool::new(1, 4).expect("pool").with_max_share(0.5);
        assert_eq!(pool.max_per_key(), 2);
        let key = vec!["layer-a".to_string()];
        let other = vec!["layer-b".to_string()];
        let slow = |_: &crate::graph::Cancel| {
            std::thread::sleep(Duration::from_millis(300));
            Ok(())
        };
        let (a, b, c, d) = tokio::join!(
            pool.run_keyed(&key, slow),
            pool.run_keyed(&key, slow),
            pool.run_keyed(&key, slow),
            pool.run_keyed(&other, |_| Ok(())),
        );
        assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
        assert!(matches!(c, Err(RenderError::Busy)), "{c:?}");
        assert!(d.is_ok(), "{d:?}");
        // Shares are given back when jobs end.
        assert!(pool.run_keyed(&key, |_| Ok(())).await.is_ok());
    }
}
