//! The service layer without a socket: a call in, a `Reply` or a `Failure`
//! out, for every endpoint family (WMS, WMTS KVP and REST, XYZ/TMS, the
//! index and the colormap API). The demo data is ingested once into a data
//! dir shared by these tests; each builds its service the way `app` does.

mod families;

use crate::support::test_config;
use std::sync::{Arc, OnceLock};
use tegel::catalogue::{Caller, Snapshot};
use tegel::config::Config;
use tegel::serve::{Call, Failure, Refused, Reply, Service};

pub const DEM: &str = "nelen-schuurmans:dem";
/// A zoom-15 tile over the DEM (near 5.47°E 51.99°N).
pub const TILE: (u32, u32, u32) = (15, 16882, 10823);
pub const PUBLIC_URL: &str = "http://tegel.test";

/// The config of the shared data dir (demo data ingested).
fn base_config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let config = test_config("serve");
        let data = tegel::app::open_data_dir(&config).expect("data dir");
        tegel::app::ingest_demo_if_empty(&config, &data).expect("demo");
        config
    })
}

/// A service over the shared data dir, `edit` applied to its config.
pub struct Fixture {
    pub service: Service,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    pub fn new(edit: impl FnOnce(&mut Config)) -> Fixture {
        let mut config = base_config().clone();
        edit(&mut config);
        let data = tegel::app::open_data_dir(&config).expect("data dir");
        let service = tegel::app::build_service(&config, &data, PUBLIC_URL, &[]).expect("service");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        Fixture { service, runtime }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.service.snapshot()
    }

    /// `call` answered for an anonymous caller.
    pub fn anonymous(&self, call: Call<'_>) -> Result<Reply, Failure> {
        self.answer(Ok(Caller::Anonymous), call)
    }

    /// `call` answered for a caller whose credentials were refused.
    pub fn refused(&self, call: Call<'_>) -> Result<Reply, Failure> {
        self.answer(Err(Refused("Invalid username/password.".into())), call)
    }

    pub fn answer(
        &self,
        caller: Result<Caller, Refused>,
        call: Call<'_>,
    ) -> Result<Reply, Failure> {
        let snap = self.snapshot();
        self.runtime
            .block_on(self.service.answer(&snap, caller, call))
    }
}

/// The shared fixture with the default config.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| Fixture::new(|_| {}))
}

/// The reply of `result`, or a panic naming the failure.
pub fn ok(result: Result<Reply, Failure>) -> Reply {
    match result {
        Ok(r) => r,
        Err(f) => panic!("expected a reply, got {f:?}"),
    }
}

/// The failure of `result`, or a panic naming the reply.
pub fn failed(result: Result<Reply, Failure>) -> Failure {
    match result {
        Ok(r) => panic!(
            "expected a failure, got a reply of {} ({} bytes)",
            r.content_type,
            r.body.len()
        ),
        Err(f) => f,
    }
}
