//! SERVE: `dealwire serve` builds the site, serves it from memory on loopback,
//! rebuilds when a source changes, and reloads the open pages.
//!
//! The built site never touches `public/`: a rebuild keeps the parsed articles
//! and rendered pages of the last build (`pipeline::Cache`), swaps in the new
//! `Output` only when it built, and otherwise keeps serving the last good site
//! while the browser shows the errors over it. Until a first build succeeds,
//! every page is an error page listing the errors, which reloads once the site
//! builds. Pages are built with a base URL on the local address, under the path
//! of `base_url` (read from `site.yaml` even when the build fails), so links
//! behave as they will on the host.
//!
//! A panic inside a build ends that build only: it is reported like a build
//! error, the caches are dropped (the next change loads and builds everything
//! again), and watching goes on.

mod connections;
mod http;
mod watch;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, mpsc};
use std::time::Instant;

use tokio::sync::broadcast;

use crate::diag::Diagnostic;
use crate::live::Live;
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
    /// The site changed: the URL paths of the pages that changed (a page at
    /// `x/index.html` under both `/base/x/` and `/base/x/index.html`), or
    /// `None` when so many did that every page should reload.
    Reload(Option<std::sync::Arc<Vec<String>>>),
    /// The last change does not build: these are the error lines.
    Errors(Vec<String>),
    /// The site builds and the pages are as they were: hide the errors.
    Fixed,
    /// The server is stopping: end the event streams.
    Shutdown,
}

/// The site as currently served.
pub(crate) struct Snapshot {
    /// The last good build; `None` until a build succeeds.
    pub output: Option<Arc<Live>>,
    /// The path part of the base URL (`/briefing/`): the last good build's, or
    /// the one `site.yaml` names while there is none.
    pub base_path: String,
    /// The errors of the last build, empty when it built.
    pub errors: Vec<String>,
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            output: None,
            base_path: "/".into(),
            errors: Vec::new(),
        }
    }
}

/// State shared by the HTTP handlers and the rebuild loop.
pub(crate) struct Shared {
    pub snapshot: RwLock<Snapshot>,
    pub events: broadcast::Sender<LiveEvent>,
}

impl Shared {
    fn new() -> Shared {
        Shared {
            snapshot: RwLock::new(Snapshot::default()),
            events: broadcast::channel(64).0,
        }
    }

    /// The site as served (a panic elsewhere never locks the server out).
    pub(crate) fn read(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Snapshot> {
        self.snapshot.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The build side of a session: the source, caches and options.
struct Session {
    root: PathBuf,
    source: Option<SiteSource>,
    cache: Cache,
    origin: String,
    drafts: bool,
    /// Set to stop the check of the previous build (a newer change came).
    checking: Arc<AtomicBool>,
}

impl Session {
    /// Loads (or refreshes) and builds; updates the snapshot and tells browsers.
    fn build(&mut self, changed: &HashSet<PathBuf>, shared: &Arc<Shared>) {
        let started = Instant::now();
        self.checking.store(true, Ordering::Relaxed);
        let loaded = match self.source.take() {
            Some(previous) => source::reread(previous, changed).or_else(|previous| {
                let refreshed = source::refresh(&previous, changed);
                // A tree that cannot be read keeps the last one for next time.
                self.source = Some(previous);
                refreshed
            }),
            None => source::load(&self.root),
        };
        let source = match loaded {
            Ok(s) => s,
            Err(d) => return failed(&d.sorted(), None, shared),
        };
        let base_path = base_path_of(&source.config);
        let options = BuildOptions {
            base_url: Some(format!("{}{}", self.origin, base_path)),
            drafts: self.drafts,
            // serve shows scheduled articles, marked as such.
            future: true,
            preview: true,
        };
        let result = pipeline::rebuild(&source, &options, &mut self.cache);
        self.source = Some(source);
        match result.and_then(|live| publish(live, &base_path, started, shared)) {
            Ok(live) => self.checking = check_in_background(live, shared),
            Err(d) => failed(&d.sorted(), Some(base_path), shared),
        }
    }

    /// Runs one build step. A panic in it becomes an error line (overlay and
    /// stderr) and leaves fresh caches, since a build cut short may have left
    /// them inconsistent: the next change loads and builds everything.
    fn guarded(&mut self, shared: &Shared, step: impl FnOnce(&mut Session)) {
        let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| step(self))) else {
            return;
        };
        self.cache = Cache::default();
        self.source = None;
        let line = format!(
            "error: internal error while building: {}; please report it",
            panic_message(payload.as_ref())
        );
        eprintln!("{line}");
        show_errors(vec![line], None, shared);
    }
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// The path part of `base_url` in `site.yaml`, read on its own so that a site
/// that does not build (even for another key of `site.yaml`) is still served
/// under its path; `/` when no usable `base_url` can be read.
fn base_path_of(config_text: &str) -> String {
    crate::config::base_path_of(config_text).unwrap_or_else(|| "/".into())
}

/// Serves a new good build and tells the browsers what changed: the pages
/// they were given that render differently now (rendered before the swap,
/// so the reloads are answered at once), and the other files that changed.
/// Errors are those of a page a browser was given that no longer renders.
fn publish(
    live: Arc<Live>,
    base_path: &str,
    started: Instant,
    shared: &Shared,
) -> Result<Arc<Live>, crate::diag::Diagnostics> {
    let previous = shared.read().output.clone();
    let changed = match &previous {
        Some(old) => live.changed_since(old)?,
        None => Vec::new(),
    };
    crate::diag::report(&live.warnings);
    let mut snapshot = shared.write();
    let had_errors = !snapshot.errors.is_empty();
    // A first good build replaces the error page every browser shows.
    let reload = previous
        .as_ref()
        .and_then(|_| changed_urls(&changed, base_path));
    *snapshot = Snapshot {
        output: Some(Arc::clone(&live)),
        base_path: base_path.to_string(),
        errors: Vec::new(),
    };
    drop(snapshot);
    println!(
        "built {}, {} changed, in {} ms",
        crate::diag::count(live.articles, "article"),
        crate::diag::count(changed.len(), "file"),
        started.elapsed().as_millis()
    );
    if previous.is_none() || !changed.is_empty() {
        let _ = shared.events.send(LiveEvent::Reload(reload));
    } else if had_errors {
        let _ = shared.events.send(LiveEvent::Fixed);
    }
    Ok(live)
}

/// How long a build must stay the last one before its check begins.
const CHECK_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

/// Renders every file of a new build on another thread, keeping none, and
/// shows the errors of any (a template that fails on one page only) while
/// this build is still the one served. Setting the flag returned stops it.
fn check_in_background(live: Arc<Live>, shared: &Arc<Shared>) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let (flag, shared) = (Arc::clone(&stop), Arc::clone(shared));
    std::thread::spawn(move || {
        // Edits come in bursts: wait for a pause, then check on one thread,
        // leaving the other core to the requests and the next rebuild.
        std::thread::sleep(CHECK_AFTER);
        if flag.load(Ordering::Relaxed) {
            return;
        }
        let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(1).build() else {
            return;
        };
        let Err(errors) = pool.install(|| live.check(&flag)) else {
            return;
        };
        let still_served = shared
            .read()
            .output
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, &live));
        if still_served && !flag.load(Ordering::Relaxed) {
            failed(&errors.sorted(), None, &shared);
        }
    });
    stop
}

/// Past this many changed pages, every open page reloads (a template or
/// `site.yaml` edit): the list would outweigh the reloads it saves.
const RELOAD_LIST_MAX: usize = 1000;

/// The URL paths under which the changed output files are served.
fn changed_urls(changed: &[String], base_path: &str) -> Option<std::sync::Arc<Vec<String>>> {
    if changed.len() > RELOAD_LIST_MAX {
        return None;
    }
    let mut urls = Vec::with_capacity(changed.len() * 2);
    for file in changed {
        urls.push(format!("{base_path}{file}"));
        if let Some(folder) = file.strip_suffix("index.html") {
            urls.push(format!("{base_path}{folder}"));
        }
    }
    Some(std::sync::Arc::new(urls))
}

/// Reports a build that failed; `base_path` is `site.yaml`'s when it was read.
fn failed(diagnostics: &[Diagnostic], base_path: Option<String>, shared: &Shared) {
    crate::diag::report(diagnostics);
    let lines = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect();
    show_errors(lines, base_path, shared);
}

/// Shows error lines over the pages; with no good build yet, the error page
/// takes the base path of `site.yaml` (when known).
fn show_errors(lines: Vec<String>, base_path: Option<String>, shared: &Shared) {
    let mut snapshot = shared.write();
    if snapshot.output.is_none() {
        eprintln!("the site does not build; the pages show the errors until it does");
        if let Some(path) = base_path {
            snapshot.base_path = path;
        }
    } else {
        eprintln!("the site does not build; still serving the last good build");
    }
    snapshot.errors.clone_from(&lines);
    drop(snapshot);
    let _ = shared.events.send(LiveEvent::Errors(lines));
}

/// Builds once per batch of changes until the watcher stops. `follow` runs
/// first (new or restored folders are watched before the build reads them);
/// each build runs guarded, so a panic ends that build and not the loop.
fn rebuild_loop(
    session: &mut Session,
    changes: &mpsc::Receiver<HashSet<PathBuf>>,
    shared: &Shared,
    mut follow: impl FnMut(&HashSet<PathBuf>),
    mut step: impl FnMut(&mut Session, &HashSet<PathBuf>),
) {
    while let Ok(mut changed) = changes.recv() {
        gather(changes, &mut changed);
        follow(&changed);
        session.guarded(shared, |s| step(s, &changed));
    }
}

/// A batch this large is a bulk change (`git checkout`, an archive copied in):
/// wait for it to end rather than build its first part. A save touches one
/// path (or two, through a temporary file, which then arrive in one batch).
const BULK: usize = 2;
/// How long a small batch waits for more: a checkout's next files come
/// sooner than that, a single save's do not come at all.
const PEEK: std::time::Duration = std::time::Duration::from_millis(10);
/// How long a bulk change must stay quiet before the build (a writer that
/// shares a busy machine pauses now and then).
const SETTLE: std::time::Duration = std::time::Duration::from_millis(300);
/// The longest a build waits on a bulk change that goes on writing.
const SETTLE_MAX: std::time::Duration = std::time::Duration::from_secs(2);

/// Adds the changes that follow to `changed`: a small batch waits `PEEK` for
/// more; once the batch is a bulk change, it waits until the file system is
/// quiet for `SETTLE`, so that a checkout of a thousand files is one rebuild.
fn gather(changes: &mpsc::Receiver<HashSet<PathBuf>>, changed: &mut HashSet<PathBuf>) {
    let started = Instant::now();
    loop {
        while let Ok(more) = changes.try_recv() {
            changed.extend(more);
        }
        if started.elapsed() >= SETTLE_MAX {
            return;
        }
        let wait = if changed.len() < BULK { PEEK } else { SETTLE };
        match changes.recv_timeout(wait) {
            Ok(more) => changed.extend(more),
            Err(_) => return,
        }
    }
}

/// Runs the server until Ctrl-C. Errors are start-up failures (port taken…).
pub fn serve(options: &ServeOptions) -> Result<(), String> {
    let (listener, origin) = listen(options)?;
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    let config = root.join(crate::config::CONFIG_FILE);
    if !config.is_file() {
        return Err(format!("{}: no site configuration here", config.display()));
    }
    let shared = Arc::new(Shared::new());
    // Watch before the first build reads the site, so no edit falls between.
    let (changes_tx, changes_rx) = mpsc::channel::<HashSet<PathBuf>>();
    let mut watcher = watch::start(&root, changes_tx)
        .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    let mut session = Session {
        root: root.clone(),
        source: None,
        cache: Cache::default(),
        origin: origin.clone(),
        drafts: options.drafts,
        checking: Arc::default(),
    };
    session.guarded(&shared, |s| s.build(&HashSet::new(), &shared));
    let base_path = shared.read().base_path.clone();

    let loop_shared = Arc::clone(&shared);
    std::thread::spawn(move || {
        rebuild_loop(
            &mut session,
            &changes_rx,
            &loop_shared,
            |changed| watcher.follow_folders(&root, changed),
            |s, changed| s.build(changed, &loop_shared),
        );
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

/// Binds the listening socket; returns it with the origin pages are built for.
fn listen(options: &ServeOptions) -> Result<(std::net::TcpListener, String), String> {
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
    Ok((listener, origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session_on(fixture: &str) -> Session {
        Session {
            root: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures")
                .join(fixture),
            source: None,
            cache: Cache::default(),
            origin: "http://127.0.0.1:1".into(),
            drafts: false,
            checking: Arc::default(),
        }
    }

    #[test]
    fn a_panic_in_a_build_is_reported_and_the_next_change_still_builds() {
        let shared = Arc::new(Shared::new());
        let mut events = shared.events.subscribe();
        let mut session = session_on("ok-subpath");
        session.guarded(&shared, |s| s.build(&HashSet::new(), &shared));
        assert!(session.source.is_some(), "the first build ran");

        let (tx, rx) = mpsc::channel();
        tx.send(HashSet::from([PathBuf::from("first")])).unwrap();
        let mut sender = Some(tx);
        let mut batches = Vec::new();
        let mut after_panic = None;
        rebuild_loop(
            &mut session,
            &rx,
            &shared,
            |_| {},
            |s, changed| {
                batches.push(changed.clone());
                if let Some(tx) = sender.take() {
                    // The next change is queued, then the channel closes behind it.
                    tx.send(HashSet::from([PathBuf::from("second")])).unwrap();
                    panic!("boom");
                }
                let errors = shared.snapshot.read().unwrap().errors.clone();
                after_panic = Some((s.source.is_none(), errors));
                s.build(changed, &shared);
            },
        );

        assert_eq!(batches.len(), 2, "the change after the panic was built");
        let (source_dropped, errors) = after_panic.expect("a build after the panic");
        assert!(source_dropped, "the panic dropped the cached source");
        assert_eq!(
            errors,
            ["error: internal error while building: boom; please report it"]
        );
        let snapshot = shared.snapshot.read().unwrap();
        assert!(snapshot.errors.is_empty(), "{:?}", snapshot.errors);
        assert!(
            snapshot
                .output
                .as_ref()
                .is_some_and(|o| o.contains("index.html"))
        );
        assert_eq!(snapshot.base_path, "/briefing/");
        drop(snapshot);
        let mut seen = Vec::new();
        while let Ok(event) = events.try_recv() {
            seen.push(format!("{event:?}"));
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert!(
            seen[0].starts_with("Reload(") && seen[1].contains("boom"),
            "{seen:?}"
        );
        assert_eq!(seen[2], "Fixed", "the rebuilt site is the same site");
    }

    #[test]
    fn the_base_path_comes_from_site_yaml_even_when_it_does_not_validate() {
        let good = "title: T\nbase_url: https://example.org/briefing\n";
        assert_eq!(base_path_of(good), "/briefing/");
        let bad_key = "title: T\nbase_url: https://example.org/b/c/\nnot_a_key: 1\n";
        assert_eq!(base_path_of(bad_key), "/b/c/");
        assert_eq!(base_path_of("base_url: [unclosed"), "/");
        assert_eq!(base_path_of("title: T\nbase_url: not a url\n"), "/");
    }
}
