//! The test harness: copy a fixture site to a temporary folder, run the real
//! `dealwire` binary on it, and compare chosen outputs with the `expected/`
//! files beside the fixture. `DEALWIRE_BLESS=1` rewrites those files; an
//! `expected/` file that no test compares is reported as stale.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// A finished run of the binary.
pub struct Run {
    /// Exit status (`-1` when killed by a signal).
    pub status: i32,
    /// Standard output, with the temporary site path replaced by `$SITE`.
    pub stdout: String,
    /// Standard error, with the temporary site path replaced by `$SITE`.
    pub stderr: String,
}

/// A fixture copied to a temporary folder.
pub struct TestSite {
    _tmp: TempDir,
    /// The copied site root.
    pub root: PathBuf,
}

impl TestSite {
    /// Writes a file of the site (its folders made as needed).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
        std::fs::write(path, bytes).expect("write");
    }

    /// The default output folder.
    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    /// Reads an output file as text.
    pub fn read(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// Runs `dealwire ARGS --root SITE` (the root argument comes last).
    pub fn dealwire(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root.to_string_lossy().into_owned();
        all.extend(["--root", root.as_str()]);
        run_in(&self.root, &all, &self.root)
    }

    /// `dealwire build --root SITE`.
    pub fn build(&self) -> Run {
        self.dealwire(&["build"])
    }
}

/// The fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Copies `tests/fixtures/NAME` (without its `expected/`) to a temporary folder.
pub fn site(name: &str) -> TestSite {
    let tmp = tempfile::Builder::new()
        .prefix("dealwire-test-")
        .tempdir()
        .expect("temp dir");
    let root = tmp.path().join("site");
    copy_dir(&fixtures().join(name), &root);
    TestSite { _tmp: tmp, root }
}

/// An empty temporary site folder, to fill by hand.
pub fn empty_site() -> TestSite {
    let tmp = tempfile::Builder::new()
        .prefix("dealwire-test-")
        .tempdir()
        .expect("temp dir");
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).expect("site dir");
    TestSite { _tmp: tmp, root }
}

fn copy_dir(from: &Path, to: &Path) {
    assert!(from.is_dir(), "no fixture at {}", from.display());
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "expected" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Runs the binary with arguments in a folder; `site` is replaced by `$SITE` in its output.
pub fn run_in(cwd: &Path, args: &[&str], site: &Path) -> Run {
    run_env(cwd, args, site, &[])
}

/// Like `run_in`, with extra environment variables.
pub fn run_env(cwd: &Path, args: &[&str], site: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dealwire"));
    cmd.args(args).current_dir(cwd);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run dealwire");
    let site_text = site.to_string_lossy().into_owned();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).replace(&site_text, "$SITE"),
        stderr: String::from_utf8_lossy(&out.stderr).replace(&site_text, "$SITE"),
    }
}

/// Compares `expected/NAME` files of a fixture: `status`, `stdout` and `stderr`
/// with the run, `site:PATH` with a file of the site itself (kept as
/// `expected/site/PATH`), any other name with that file of the output. Blesses with `DEALWIRE_BLESS=1`.
/// Fails on expected files not listed (stale).
pub fn expect(fixture: &str, site: &TestSite, run: &Run, files: &[&str]) {
    let dir = fixtures().join(fixture).join("expected");
    let bless = std::env::var_os("DEALWIRE_BLESS").is_some();
    let mut failures = Vec::new();
    for name in files {
        let actual = match *name {
            "status" => format!("{}\n", run.status),
            "stderr" => run.stderr.clone(),
            "stdout" => run.stdout.clone(),
            rel if rel.starts_with("site:") => {
                let path = site.root.join(&rel["site:".len()..]);
                std::fs::read_to_string(&path).unwrap_or_else(|e| format!("<missing: {e}>"))
            }
            rel => {
                let page = rel.strip_prefix("main:").unwrap_or(rel);
                let text = std::fs::read_to_string(site.public().join(page))
                    .unwrap_or_else(|e| format!("<missing: {e}>"));
                if page == rel {
                    text
                } else {
                    main_element(&text)
                }
            }
        };
        let path = dir.join(expected_name(name));
        if bless {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, &actual).expect("bless");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == actual => {}
            Ok(want) => failures.push(format!(
                "{name} differs from {}:\n--- expected\n{want}\n--- actual\n{actual}",
                path.display()
            )),
            Err(_) => failures.push(format!(
                "{} is missing; run with DEALWIRE_BLESS=1 to create it. Actual:\n{actual}",
                path.display()
            )),
        }
    }
    if dir.is_dir() && !bless {
        for stale in walk(&dir) {
            if !files.iter().any(|f| expected_name(f) == stale) {
                failures.push(format!(
                    "stale expected file {} is compared by no test",
                    dir.join(&stale).display()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fixture {fixture}:\n{}\n(stdout: {})",
        failures.join("\n"),
        run.stdout
    );
}

/// The `expected/` file for a compared name: `main:PATH.html` (only the
/// page's `<main>` element, as mdBook's `check_main_file` does, so a change to
/// the frame re-blesses one whole-page golden, not every page) is kept as
/// `PATH.main.html`.
fn expected_name(name: &str) -> String {
    if let Some(file) = name.strip_prefix("site:") {
        return format!("site/{file}");
    }
    match name.strip_prefix("main:") {
        Some(page) => page.strip_suffix(".html").map_or_else(
            || format!("{page}.main"),
            |stem| format!("{stem}.main.html"),
        ),
        None => name.to_string(),
    }
}

/// The `<main …>…</main>` element of a page, or a note that it has none.
pub fn main_element(page: &str) -> String {
    match (page.find("<main"), page.rfind("</main>")) {
        (Some(start), Some(end)) if start < end => format!("{}\n", &page[start..end + 7]),
        _ => "<no main element>\n".to_string(),
    }
}

/// Every file under a folder, as relative paths with `/`.
pub fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Every file of a folder with its bytes, for whole-tree comparisons.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    walk(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).expect("read");
            (rel, bytes)
        })
        .collect()
}

/// Whether an output file is binary by design: the search bundle's index
/// chunks and WebAssembly (gzip and wasm bytes), which no text check applies
/// to. Its loader and entry file are text, and are checked like any other.
pub fn is_binary_output(rel: &str) -> bool {
    rel.starts_with("pagefind/")
        && [
            ".pf_meta",
            ".pf_index",
            ".pf_filter",
            ".pf_fragment",
            ".pagefind",
        ]
        .iter()
        .any(|ext| rel.ends_with(ext))
}
