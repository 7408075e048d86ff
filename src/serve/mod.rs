//! SERVE: `dealwire serve` builds the site, serves it from memory on loopback,
//! rebuilds when a source changes, and reloads the open pages.
//!
//! The built site never touches `public/`: a rebuild keeps the parsed articles
//! and rendered pages of the last build (`pipeline::Cache`), swaps in the new
//! `Output` only when it built, and otherwise keeps serving the last good site
//! while the browser shows the errors over it. Pages are built with a base URL
//! on the local address, under the same path as `base_url`, so links behave as
//! they will on the host.

mod http;
mod watch;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock, mpsc};
use std::time::Instant;

use tokio::sync::broadcast;

use crate::diag::Diagnostic;
use crate::output::Output;
use crate::pipeline::{self, BuildOptions, Cache};
use crate::source::{self, SiteSource};

/// What `serve` needs to know.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// The address to listen on (loopback unless asked otherwise).
    pub interface: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Builds drafts too.
    pub drafts: bool,
}

/// What the browser is told after a rebuild.
#[derive(Clone, Debug)]
pub(crate) enum LiveEvent {
    /// The site changed: reload.
    Reload,
    /// The last change does not build: these are the error lines.
    Errors(Vec<String>),
    /// The server is stopping: end the event streams.
    Shutdown,
}

/// The site as currently served.
#[derive(Default)]
pub(crate) struct Snapshot {
    /// The last good build.
    pub output: Output,
    /// The path part of the base URL (`/briefing/`).
    pub base_path: String,
    /// The errors of the last build, empty when it built.
    pub errors: Vec<String>,
}

/// State shared by the HTTP handlers and the rebuild loop.
pub(crate) struct Shared {
    pub snapshot: RwLock<Snapshot>,
    pub events: broadcast::Sender<LiveEvent>,
}

/// The build side of a session: the source, caches and options.
struct Session {
    source: Option<SiteSource>,
    cache: Cache,
    origin: String,
    drafts: bool,
}

impl Session {
    /// Loads (or refreshes) and builds; updates the snapshot and tells browsers.
    fn build(&mut self, changed: &HashSet<PathBuf>, root: &std::path::Path, shared: &Shared) {
        let started = Instant::now();
        let loaded = match &self.source {
            Some(previous) => source::reread(previous, changed)
                .map_or_else(|| source::refresh(previous, changed), Ok),
            None => source::load(root),
        };
        let source = match loaded {
            Ok(s) => s,
            Err(d) => return self.failed(d.sorted(), shared),
        };
        let base_path = crate::config::parse(&source.config)
            .map(|c| c.base_path)
            .unwrap_or_else(|_| "/".into());
        let options = BuildOptions {
            base_url: Some(format!("{}{}", self.origin, base_path)),
            drafts: self.drafts,
            collect_links: false,
        };
        let result = pipeline::rebuild(&source, &options, &mut self.cache);
        self.source = Some(source);
        match result {
            Ok(built) => {
                crate::cmd::report(&built.warnings);
                let mut snapshot = shared.snapshot.write().unwrap_or_else(|e| e.into_inner());
                let changed = snapshot.output.changed_paths(&built.output);
                let had_errors = !snapshot.errors.is_empty();
                *snapshot = Snapshot {
                    output: built.output,
                    base_path,
                    errors: Vec::new(),
                };
                drop(snapshot);
                println!(
                    "built {} article{}, {} page{} changed, in {} ms",
                    built.articles,
                    crate::cmd::plural(built.articles),
                    changed.len(),
                    crate::cmd::plural(changed.len()),
                    started.elapsed().as_millis()
                );
                if !changed.is_empty() || had_errors {
                    let _ = shared.events.send(LiveEvent::Reload);
                }
            }
            Err(d) => self.failed(d.sorted(), shared),
        }
    }

    fn failed(&self, diagnostics: Vec<Diagnostic>, shared: &Shared) {
        crate::cmd::report(&diagnostics);
        let lines: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        eprintln!("the site does not build; still serving the last good build");
        shared
            .snapshot
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .errors = lines.clone();
        let _ = shared.events.send(LiveEvent::Errors(lines));
    }
}

/// Runs the server until Ctrl-C. Errors are start-up failures (port taken…).
pub fn serve(options: &ServeOptions) -> Result<(), String> {
    let listener = std::net::TcpListener::bind(SocketAddr::new(options.interface, options.port))
        .map_err(|e| {
            format!(
                "cannot listen on {}:{}: {e}",
                options.interface, options.port
            )
        })?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    if !options.interface.is_loopback() {
        eprintln!(
            "warning: serving on {}, which other machines may reach; use --interface 127.0.0.1 to keep it local",
            options.interface
        );
    }
    let origin = match address {
        SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
    };
    let (events, _) = broadcast::channel(64);
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Snapshot::default()),
        events,
    });
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    let config = root.join(crate::config::CONFIG_FILE);
    if !config.is_file() {
        return Err(format!("{}: no site configuration here", config.display()));
    }
    let mut session = Session {
        source: None,
        cache: Cache::default(),
        origin: origin.clone(),
        drafts: options.drafts,
    };
    session.build(&HashSet::new(), &root, &shared);
    let base_path = shared
        .snapshot
        .read()
        .map(|s| s.base_path.clone())
        .unwrap_or_default();

    let (changes_tx, changes_rx) = mpsc::channel::<HashSet<PathBuf>>();
    let watcher = watch::start(&root, changes_tx)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    let loop_shared = Arc::clone(&shared);
    let loop_root = root.clone();
    std::thread::spawn(move || {
        let mut watcher = watcher;
        while let Ok(mut changed) = changes_rx.recv() {
            while let Ok(more) = changes_rx.try_recv() {
                changed.extend(more);
            }
            session.build(&changed, &loop_root, &loop_shared);
            watcher.follow_new_folders(&loop_root);
        }
    });

    println!("serving {origin}{base_path} (Ctrl-C to stop)");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(http::run(listener, shared))
}
