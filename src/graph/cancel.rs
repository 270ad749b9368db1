//! `Cancel`: a shared flag that tells a running evaluation its answer is no
//! longer wanted (the request timed out or the client went away). Long
//! kernels poll it (`Cancel::check`) every few milliseconds of work and stop
//! with `GraphError::Cancelled`. A relaxed atomic load: free in hot loops.

use super::error::GraphError;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A cancellation token; clones share one flag. `Cancel::never()` is a
/// token nobody sets (benchmarks, metadata, tests).
#[derive(Clone, Debug, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    /// A fresh token, not yet set.
    pub fn new() -> Cancel {
        Cancel(Some(Arc::new(AtomicBool::new(false))))
    }

    /// A token that is never set.
    pub fn never() -> Cancel {
        Cancel(None)
    }

    /// Asks every holder to stop.
    pub fn cancel(&self) {
        if let Some(flag) = &self.0 {
            flag.store(true, Ordering::Relaxed);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(Cancelled)` once the token is set.
    #[inline]
    pub fn check(&self) -> Result<(), GraphError> {
        if self.is_cancelled() {
            Err(GraphError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cancel;

    #[test]
    fn clones_share_the_flag_and_never_stays_unset() {
        let a = Cancel::new();
        let b = a.clone();
        assert!(b.check().is_ok());
        a.cancel();
        assert!(b.is_cancelled());
        assert!(b.check().is_err());
        let n = Cancel::never();
        n.cancel();
        assert!(!n.is_cancelled());
    }
}
