//! The `tegel` command: `serve` (the default), `ingest`, `admin`.
//!
//! Parses arguments, loads the config, and hands over to `tegel::app`.

#[path = "main/admin.rs"]
mod admin;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use tegel::catalogue::{AccessModifier, IngestRequest};
use tegel::config::Config;

#[derive(Parser)]
#[command(
    name = "tegel",
    version,
    about = "A raster map server: WMS, XYZ tiles and a Lizard-compatible catalogue"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve WMS, XYZ tiles and the API (the default command).
    Serve(ServeArgs),
    /// Ingest GeoTIFF files as a new raster source and layer, or as frames of an
    /// existing temporal source. Prints {"source", "layer", "wms_layer"} as JSON.
    Ingest(IngestArgs),
    /// Manage users, roles and API keys of a data dir.
    Admin(AdminArgs),
}

#[derive(Args)]
struct AdminArgs {
    #[command(flatten)]
    common: ConfigArgs,
    #[command(subcommand)]
    command: admin::AdminCommand,
}

#[derive(Args, Default)]
struct ConfigArgs {
    /// Config file (TOML); defaults are built in (see config/tegel.toml).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (catalogue and raster store); overrides [server] data_dir.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Args, Default)]
struct ServeArgs {
    #[command(flatten)]
    common: ConfigArgs,
    /// Address to listen on, e.g. 127.0.0.1:8080; overrides [server] listen.
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// Absolute URL clients use to reach this server; overrides [server] public_url.
    #[arg(long)]
    public_url: Option<String>,
}

#[derive(Args)]
struct IngestArgs {
    #[command(flatten)]
    common: ConfigArgs,
    /// Name of the new source and layer (default: the first file's name).
    #[arg(long)]
    name: Option<String>,
    /// Description of the new layer.
    #[arg(long, default_value = "")]
    description: String,
    /// Slug of the owning organisation (created when new).
    #[arg(long, default_value = "default")]
    organisation: String,
    /// Display name of the organisation when it is created.
    #[arg(long)]
    organisation_name: Option<String>,
    /// Public, Common, Private or Hidden.
    #[arg(long, default_value = "Public", value_parser = parse_access)]
    access_modifier: AccessModifier,
    /// Default STYLES of the new layer, e.g. "RdBu_r:-4.6:-1.17" (default: viridis over the data range).
    #[arg(long, value_parser = parse_style)]
    style: Option<String>,
    /// Timestamp of each file (ISO 8601), in file order: makes a temporal source.
    #[arg(long = "timestamp", value_parser = parse_time)]
    timestamps: Vec<DateTime<Utc>>,
    /// Add the files as frames of this existing temporal source.
    #[arg(long)]
    source: Option<uuid::Uuid>,
    /// GeoTIFF files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

fn parse_access(s: &str) -> Result<AccessModifier, String> {
    AccessModifier::parse(s)
        .ok_or_else(|| format!("{s:?} is not one of Public, Common, Private, Hidden"))
}

/// Checks a default style as WMS STYLES would parse it; keeps the text as given.
fn parse_style(s: &str) -> Result<String, String> {
    tegel::style::Style::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| format!("{s:?} is not a valid style: {e}"))
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    tegel::protocol::time::parse_instant(s)
        .ok_or_else(|| format!("{s:?} is not an ISO 8601 instant"))
}

fn main() -> ExitCode {
    let filter = std::env::var("TEGEL_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve(args),
        Command::Ingest(args) => ingest(args),
        Command::Admin(args) => load_config(&args.common, |_| Vec::new()).and_then(|config| {
            let catalogue = open_catalogue(&config)?;
            admin::run(&catalogue, args.command)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tegel: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The config file and environment, then the command-line overrides in `set`.
fn load_config(
    args: &ConfigArgs,
    set: impl FnOnce(&mut Config) -> Vec<&'static str>,
) -> Result<Config, String> {
    let mut config =
        Config::load(args.config.as_deref(), std::env::vars()).map_err(|e| e.to_string())?;
    let mut keys = set(&mut config);
    if let Some(dir) = &args.data_dir {
        config.server.data_dir = dir.clone();
        keys.push("server.data_dir");
    }
    config.revalidate(&keys).map_err(|e| e.to_string())?;
    Ok(config)
}

/// The catalogue of the config's data dir, under its graph limits.
fn open_catalogue(config: &Config) -> Result<tegel::catalogue::Catalogue, String> {
    tegel::catalogue::Catalogue::open_with_graph_limits(
        &config.server.data_dir,
        tegel::app::graph_limits(config),
    )
    .map_err(|e| e.to_string())
}

/// Raises the soft limit of open files to the hard one: every connection
/// is a file, and the default soft limit (often 1024) would cap the server
/// far below the connections it can keep and the idle ones it closes to make
/// room. Where it cannot be raised the server runs with what it has.
fn raise_open_files_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open files limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open files limit"),
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let config = load_config(&args.common, |config| {
        let mut keys = Vec::new();
        if let Some(listen) = args.listen {
            config.server.listen = listen;
            keys.push("server.listen");
        }
        if let Some(url) = &args.public_url {
            config.server.public_url = url.clone();
            keys.push("server.public_url");
        }
        keys
    })?;
    ensure_admin_key(&config)?;
    raise_open_files_limit();
    let io_threads = config.server.effective_io_threads();
    let mut builder = if io_threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(io_threads);
        b
    };
    let runtime = builder
        .enable_all()
        .thread_name("tegel-io")
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let running = tegel::app::start(config).await.map_err(|e| e.to_string())?;
        // Listen for signals before announcing the address: whoever reads it may
        // stop the server right away, and must get a graceful shutdown.
        let shutdown = shutdown_signal().map_err(|e| format!("cannot listen for signals: {e}"))?;
        print_urls(&running);
        shutdown.await;
        tracing::info!("shutting down");
        running.stop().await;
        Ok(())
    })
}

/// `TEGEL_ADMIN_KEY`: makes sure the superuser `admin` holds this key.
fn ensure_admin_key(config: &Config) -> Result<(), String> {
    let Some(key) = std::env::var("TEGEL_ADMIN_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
    else {
        return Ok(());
    };
    let catalogue = open_catalogue(config)?;
    tegel::catalogue::admin::ensure_admin_key(&catalogue, key.trim())
        .map_err(|e| format!("TEGEL_ADMIN_KEY: {e}"))?;
    tracing::info!("TEGEL_ADMIN_KEY is a key of the superuser \"admin\"");
    Ok(())
}

fn print_urls(running: &tegel::app::Running) {
    let base = &running.public_url;
    println!("tegel is serving on http://{}", running.addr);
    println!("  WMS (QGIS, GDAL):  {base}/wms/?SERVICE=WMS&REQUEST=GetCapabilities");
    println!("  WMTS (QGIS, GDAL): {base}/wmts/1.0.0/WMTSCapabilities.xml");
    let snap = running.state.service.snapshot();
    for layer in snap.layers() {
        if let Some(name) = snap.wms_name(layer) {
            println!("  XYZ {name:<48} {base}/tiles/{name}/{{z}}/{{x}}/{{y}}.png");
        }
    }
    println!("  health:            {base}/healthz");
}

/// SIGINT or SIGTERM (Ctrl-C elsewhere). The handlers are installed by this
/// call, not when the future is first polled.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {},
                _ = int.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

fn ingest(args: IngestArgs) -> Result<(), String> {
    let config = load_config(&args.common, |_| Vec::new())?;
    let data = tegel::app::open_data_dir(&config).map_err(|e| e.to_string())?;
    let req = IngestRequest {
        files: args.files,
        timestamps: args.timestamps,
        source: args.source,
        name: args.name,
        description: args.description,
        organisation: args.organisation,
        organisation_name: args.organisation_name,
        access_modifier: args.access_modifier,
        style: args.style,
    };
    let tty = std::io::stderr().is_terminal();
    let mut progress = |file: usize, count: usize, fraction: f64| {
        if tty {
            eprint!("\r  file {}/{count}: {:>3.0}%", file + 1, fraction * 100.0);
            if fraction >= 1.0 && file + 1 == count {
                eprintln!();
            }
        }
    };
    let limits = tegel::app::input_limits(&config);
    let outcome =
        tegel::catalogue::ingest(&data.catalogue, &data.store, &req, &limits, &mut progress)
            .map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string(&outcome).map_err(|e| e.to_string())?
    );
    Ok(())
}
