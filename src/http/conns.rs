//! The table of open connections and what each is doing: idle before its
//! first request, idle between keep-alive requests, or busy (a request head
//! arriving, or requests being answered).
//!
//! Admission never waits: below `server.max_connections` a new connection is
//! simply entered; at the cap the connection idle the longest is told to close
//! to make room, and when none is idle the new one is refused. The table also
//! carries the server's shutdown signal and lets it wait for the last
//! connection to end.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};

/// One open connection as the table and its own task see it.
#[derive(Debug)]
pub struct Conn {
    id: u64,
    /// Requests being answered (HTTP/2: streams).
    busy: AtomicUsize,
    /// Whether the connection sits in the table's idle order (evictable).
    evictable: AtomicBool,
    /// Bytes came in since the connection last became idle.
    head_started: AtomicBool,
    /// The connection speaks HTTP/2 (its first bytes were the preface).
    h2: AtomicBool,
    /// Whether any byte was ever read.
    read_any: AtomicBool,
    /// When the connection last became idle, ms after the table's epoch.
    idle_since_ms: AtomicU64,
    /// Since when a write has waited for the peer, ms after the epoch + 1
    /// (0: no write is waiting).
    write_stalled_ms: AtomicU64,
    /// When bytes were last written, ms after the epoch.
    last_write_ms: AtomicU64,
    /// Woken when the connection must close now (evicted, or shutdown's
    /// grace period is over).
    pub close: Notify,
}

impl Conn {
    /// Requests in flight.
    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::Acquire)
    }

    /// Whether a request head has started arriving since the connection
    /// became idle (it is then owed a 408 if the head never completes).
    pub fn head_started(&self) -> bool {
        self.head_started.load(Ordering::Acquire)
    }

    pub fn is_h2(&self) -> bool {
        self.h2.load(Ordering::Acquire)
    }
}

#[derive(Default)]
struct Inner {
    open: HashMap<u64, Arc<Conn>>,
    /// Idle connections by the order in which they became idle → their id.
    idle: BTreeMap<u64, u64>,
    /// Each connection's key in `idle`.
    idle_key: HashMap<u64, u64>,
    next_id: u64,
    next_idle: u64,
}

/// What admission decided for a new connection.
pub enum Admission {
    /// Entered (another may have been told to close to make room).
    Admitted(Arc<Conn>),
    /// At the cap with no idle connection to close.
    Refused,
}

/// All open connections.
pub struct Table {
    max: usize,
    epoch: Instant,
    inner: Mutex<Inner>,
    /// Signalled whenever the table becomes empty.
    emptied: Notify,
    shutdown: watch::Sender<bool>,
}

impl Table {
    pub fn new(max_connections: usize) -> Table {
        let (shutdown, _) = watch::channel(false);
        Table {
            max: max_connections.max(1),
            epoch: Instant::now(),
            inner: Mutex::new(Inner::default()),
            emptied: Notify::new(),
            shutdown,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// The instant `ms` after the epoch.
    pub fn instant(&self, ms: u64) -> Instant {
        self.epoch + Duration::from_millis(ms)
    }

    /// Enters a new connection, closing the one idle the longest when the
    /// table is full.
    pub fn admit(&self) -> Admission {
        let mut inner = self.lock();
        if inner.open.len() >= self.max {
            let Some((_, victim)) = inner.idle.pop_first() else {
                return Admission::Refused;
            };
            Self::evict(&mut inner, victim);
        }
        let id = inner.next_id;
        inner.next_id += 1;
        let conn = Arc::new(Conn {
            id,
            busy: AtomicUsize::new(0),
            evictable: AtomicBool::new(false),
            head_started: AtomicBool::new(false),
            h2: AtomicBool::new(false),
            read_any: AtomicBool::new(false),
            idle_since_ms: AtomicU64::new(self.now_ms()),
            write_stalled_ms: AtomicU64::new(0),
            last_write_ms: AtomicU64::new(0),
            close: Notify::new(),
        });
        inner.open.insert(id, conn.clone());
        Self::make_idle(&mut inner, &conn);
        Admission::Admitted(conn)
    }

    /// Tells the connection idle the longest to close, if one is idle.
    pub fn close_longest_idle(&self) {
        let mut inner = self.lock();
        if let Some((_, victim)) = inner.idle.pop_first() {
            Self::evict(&mut inner, victim);
        }
        if inner.open.is_empty() {
            self.emptied.notify_waiters();
        }
    }

    /// How many connections are open.
    pub fn len(&self) -> usize {
        self.lock().open.len()
    }

    /// Takes connection `id` (already out of the idle order) out of the
    /// table and tells it to close.
    fn evict(inner: &mut Inner, id: u64) {
        inner.idle_key.remove(&id);
        if let Some(conn) = inner.open.remove(&id) {
            conn.evictable.store(false, Ordering::Release);
            conn.close.notify_one();
        }
    }

    fn make_idle(inner: &mut Inner, conn: &Conn) {
        if !inner.open.contains_key(&conn.id) {
            return;
        }
        let key = inner.next_idle;
        inner.next_idle += 1;
        if let Some(old) = inner.idle_key.insert(conn.id, key) {
            inner.idle.remove(&old);
        }
        inner.idle.insert(key, conn.id);
        conn.evictable.store(true, Ordering::Release);
    }

    fn make_unevictable(&self, conn: &Conn) {
        if conn.evictable.swap(false, Ordering::AcqRel) {
            let mut inner = self.lock();
            if let Some(key) = inner.idle_key.remove(&conn.id) {
                inner.idle.remove(&key);
            }
        }
    }

    /// `n` > 0 bytes were read; `first` are the first bytes of that read.
    pub fn on_read(&self, conn: &Conn, first: &[u8]) {
        if !conn.read_any.swap(true, Ordering::AcqRel) && first.starts_with(b"PRI ") {
            conn.h2.store(true, Ordering::Release);
        }
        // HTTP/2 frames between streams (pings, settings) are not requests.
        if conn.is_h2() || conn.busy() > 0 {
            return;
        }
        conn.head_started.store(true, Ordering::Release);
        self.make_unevictable(conn);
    }

    /// A request was handed to the service.
    pub fn request_started(&self, conn: &Conn) {
        conn.busy.fetch_add(1, Ordering::AcqRel);
        self.make_unevictable(conn);
    }

    /// A request's response was written (or abandoned).
    pub fn request_done(&self, conn: &Conn) {
        if conn.busy.fetch_sub(1, Ordering::AcqRel) == 1 {
            conn.head_started.store(false, Ordering::Release);
            conn.idle_since_ms.store(self.now_ms(), Ordering::Release);
            let mut inner = self.lock();
            if conn.busy() == 0 {
                Self::make_idle(&mut inner, conn);
            }
        }
    }

    /// A write could not proceed (`true`) or did (`false`).
    pub fn write_stalled(&self, conn: &Conn, stalled: bool) {
        if stalled {
            if conn.write_stalled_ms.load(Ordering::Acquire) == 0 {
                conn.write_stalled_ms
                    .store(self.now_ms() + 1, Ordering::Release);
            }
        } else {
            conn.write_stalled_ms.store(0, Ordering::Release);
            conn.last_write_ms.store(self.now_ms(), Ordering::Release);
        }
    }

    /// Since when the connection has been idle: the end of its last
    /// response, or its accept; on HTTP/1 its last write if that came later
    /// (an answer still going out). HTTP/2 writes between streams are the
    /// server's own pings and settings, which do not count.
    pub fn idle_since(&self, conn: &Conn) -> Instant {
        let since = conn.idle_since_ms.load(Ordering::Acquire);
        if conn.is_h2() {
            return self.instant(since);
        }
        self.instant(since.max(conn.last_write_ms.load(Ordering::Acquire)))
    }

    /// Since when a write has waited for the peer, if one does.
    pub fn write_stalled_since(&self, conn: &Conn) -> Option<Instant> {
        match conn.write_stalled_ms.load(Ordering::Acquire) {
            0 => None,
            ms => Some(self.instant(ms - 1)),
        }
    }

    /// The connection ended: it leaves the table.
    pub fn remove(&self, conn: &Conn) {
        let mut inner = self.lock();
        inner.open.remove(&conn.id);
        if let Some(key) = inner.idle_key.remove(&conn.id) {
            inner.idle.remove(&key);
        }
        if inner.open.is_empty() {
            self.emptied.notify_waiters();
        }
    }

    /// A receiver of the shutdown signal (`true` once shutting down).
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Asks every connection to finish its requests and close.
    pub fn start_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Tells every connection still open to close now.
    pub fn close_all(&self) {
        for conn in self.lock().open.values() {
            conn.close.notify_one();
        }
    }

    /// Waits until no connection is open.
    pub async fn wait_empty(&self) {
        loop {
            let emptied = self.emptied.notified();
            if self.len() == 0 {
                return;
            }
            emptied.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(t: &Table) -> Arc<Conn> {
        match t.admit() {
            Admission::Admitted(c) => c,
            Admission::Refused => panic!("refused"),
        }
    }

    #[test]
    fn at_the_cap_the_longest_idle_connection_makes_room() {
        let t = Table::new(2);
        let a = admitted(&t);
        let b = admitted(&t);
        // `a` answers a request and becomes idle again, after `b`.
        t.request_started(&a);
        t.request_done(&a);
        let c = admitted(&t);
        assert_eq!(t.len(), 2);
        assert!(!t.lock().open.contains_key(&b.id), "b was idle the longest");
        assert!(t.lock().open.contains_key(&a.id));
        assert!(t.lock().open.contains_key(&c.id));
    }

    #[test]
    fn busy_connections_and_heads_under_way_are_not_evicted() {
        let t = Table::new(2);
        let a = admitted(&t);
        let b = admitted(&t);
        t.request_started(&a);
        t.on_read(&b, b"GET / HT");
        assert!(b.head_started());
        assert!(matches!(t.admit(), Admission::Refused));
        t.request_done(&a);
        assert!(!a.head_started());
        assert!(matches!(t.admit(), Admission::Admitted(_)));
        assert!(!t.lock().open.contains_key(&a.id));
    }

    #[test]
    fn http2_frames_between_streams_keep_a_connection_idle() {
        let t = Table::new(1);
        let a = admitted(&t);
        t.on_read(&a, b"PRI * HTTP/2.0\r\n");
        assert!(a.is_h2() && !a.head_started());
        assert!(matches!(t.admit(), Admission::Admitted(_)));
    }
}
