//! `dealwire import zola|hugo|jekyll SOURCE [--into DIR] [--dry-run]`: reads
//! another generator's posts and writes them as dealwire articles under
//! `DIR/content/articles/` (see `import` for the conversion).
//!
//! Never overwrites: a post whose article (or a file of its folder) exists
//! already is not imported; symbolic links are not followed. Every post that
//! cannot be read, and every key left out, is reported; the others are
//! imported. The exit status is 1 when a post was not imported.

use std::path::{Path, PathBuf};

use crate::cli::ImportArgs;
use crate::config::CONFIG_FILE;
use crate::diag::{Diagnostic, Diagnostics, count, report};
use crate::import::{self, Converted};

/// Runs the import; false when a post was not imported.
pub fn run(args: &ImportArgs) -> bool {
    if !args.into.join(CONFIG_FILE).is_file() {
        eprintln!(
            "error: {}: no dealwire site here (make one with `dealwire init DIR`, then import into it)",
            args.into.join(CONFIG_FILE).display()
        );
        return false;
    }
    let posts_root = args.source.join(args.generator.posts_dir());
    if !posts_root.is_dir() {
        eprintln!(
            "error: {}: no such folder: is `{}` a {} site?",
            posts_root.display(),
            args.source.display(),
            args.generator.name()
        );
        return false;
    }
    let mut diags = Diagnostics::new();
    let mut converted = Vec::new();
    let mut sources = Vec::new();
    let mut dropped = 0;
    for path in files(&posts_root, &mut diags) {
        let shown = path.display().to_string();
        let Some(rel) = path
            .strip_prefix(&posts_root)
            .ok()
            .and_then(|r| r.to_str())
            .map(|r| r.replace('\\', "/"))
        else {
            diags.push(Diagnostic::error(
                &shown,
                "the file name is not UTF-8: not imported",
            ));
            continue;
        };
        if !args.generator.is_post(&rel) {
            continue;
        }
        let text = match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                diags.push(Diagnostic::error(
                    &shown,
                    "the file is not UTF-8 text: not imported",
                ));
                continue;
            }
            Err(e) => {
                diags.push(Diagnostic::error(&shown, format!("cannot read: {e}")));
                continue;
            }
        };
        match import::convert(args.generator, &rel, &text) {
            Ok(c) => {
                for why in &c.dropped {
                    diags.push(Diagnostic::warning(&shown, format!("dropped {why}")));
                }
                dropped += c.dropped.len();
                converted.push(c);
                sources.push(path);
            }
            Err(why) => diags.push(Diagnostic::error(&shown, format!("{why}: not imported"))),
        }
    }
    import::settle_slugs(&mut converted);
    let planned = converted.into_iter().zip(sources).collect();
    let (written, mut copied) = write_all(&args.into, planned, args.dry_run, &mut diags);
    for (from, to) in args.generator.static_dirs() {
        let (from, to) = (args.source.join(from), args.into.join("static").join(to));
        copied += copy_static(&from, &to, args.dry_run, &mut diags);
    }
    let failed = diags.has_errors();
    report(&diags.sorted());
    println!(
        "{} {} from a {} site into {}/ ({} copied, {} left out{}){}",
        if args.dry_run {
            "would import"
        } else {
            "imported"
        },
        count(written, "post"),
        args.generator.name(),
        args.into.join("content").join("articles").display(),
        count(copied, "other file"),
        count(dropped, "field"),
        if failed {
            "; some posts not imported: see the errors"
        } else {
            ""
        },
        if args.dry_run {
            "; dry run: nothing written"
        } else {
            ""
        },
    );
    !failed
}

/// Every file under `root`, sorted; symlinks are not followed.
fn files(root: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(e) if e.path_is_symlink() => diags.push(Diagnostic::warning(
                e.path().display().to_string(),
                "a symbolic link: not followed, not imported",
            )),
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::error(root.display().to_string(), e.to_string())),
        }
    }
    files
}

/// Writes each article (and the other files of its folder) unless something
/// is there already; returns how many articles and other files were (or, in
/// a dry run, would be) written.
fn write_all(
    into: &Path,
    planned: Vec<(Converted, PathBuf)>,
    dry_run: bool,
    diags: &mut Diagnostics,
) -> (usize, usize) {
    let mut targets = std::collections::HashSet::new();
    let (mut written, mut copied) = (0, 0);
    for (c, source) in planned {
        let shown = source.display().to_string();
        let target = into.join(&c.target);
        let copies = if c.bundle {
            bundle_files(&source, &target)
        } else {
            Vec::new()
        };
        let clash = std::iter::once(&target)
            .chain(copies.iter().map(|(_, to)| to))
            .find(|t| t.exists() || !targets.insert((*t).clone()));
        if let Some(clash) = clash {
            diags.push(Diagnostic::error(
                &shown,
                format!(
                    "{} exists already: not imported (dealwire never overwrites)",
                    clash.display()
                ),
            ));
            continue;
        }
        written += 1;
        copied += copies.len();
        if dry_run {
            continue;
        }
        let text = c.text().and_then(|text| {
            write_new(&target, text.as_bytes()).map_err(|e| format!("{}: {e}", target.display()))
        });
        if let Err(e) = text {
            diags.push(Diagnostic::error(&shown, e));
            continue;
        }
        for (from, to) in copies {
            if let Err(e) = std::fs::read(&from).and_then(|bytes| write_new(&to, &bytes)) {
                diags.push(Diagnostic::error(&shown, format!("{}: {e}", to.display())));
            }
        }
    }
    (written, copied)
}

/// Copies a folder of static files; a file that exists already is kept and
/// reported. Returns how many were (or would be) copied.
fn copy_static(from: &Path, to: &Path, dry_run: bool, diags: &mut Diagnostics) -> usize {
    if !from.is_dir() {
        return 0;
    }
    let mut copied = 0;
    for (source, target) in folder_files(from, to, |_| true) {
        let shown = source.display().to_string();
        if target.exists() {
            diags.push(Diagnostic::error(
                &shown,
                format!(
                    "{} exists already: not copied (dealwire never overwrites)",
                    target.display()
                ),
            ));
            continue;
        }
        copied += 1;
        if !dry_run && let Err(e) = std::fs::read(&source).and_then(|b| write_new(&target, &b)) {
            diags.push(Diagnostic::error(
                &shown,
                format!("{}: {e}", target.display()),
            ));
        }
    }
    copied
}

/// The files under `folder` that `keep` accepts, each with its place under `to`.
fn folder_files(folder: &Path, to: &Path, keep: impl Fn(&Path) -> bool) -> Vec<(PathBuf, PathBuf)> {
    walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && keep(e.path()))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(folder)
                .unwrap_or(e.path())
                .to_path_buf();
            (e.into_path(), to.join(rel))
        })
        .collect()
}

/// The files of a post's folder other than posts, with where they go.
fn bundle_files(post: &Path, target: &Path) -> Vec<(PathBuf, PathBuf)> {
    let (Some(folder), Some(to)) = (post.parent(), target.parent()) else {
        return Vec::new();
    };
    folder_files(folder, to, |p| {
        !p.extension().is_some_and(|x| x == "md" || x == "markdown")
    })
}

/// Creates a file that must not exist yet, with its folders.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(bytes)
}
