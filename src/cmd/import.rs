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
use crate::import::{self, Converted, FileKind, Generator, OldSite, Outcome};

/// Runs the import; false when a post was not imported.
pub fn run(args: &ImportArgs) -> bool {
    let config_path = args.into.join(CONFIG_FILE);
    let Ok(config_text) = std::fs::read_to_string(&config_path) else {
        eprintln!(
            "error: {}: no dealwire site here (make one with `dealwire init DIR`, then import into it)",
            config_path.display()
        );
        return false;
    };
    let config = match crate::config::parse(&config_text) {
        Ok(config) => config,
        Err(errors) => {
            report(&errors.sorted());
            return false;
        }
    };
    let generator = args.generator;
    let posts_root = args.source.join(generator.posts_dir());
    let jekyll_site = generator == Generator::Jekyll && args.source.join("_config.yml").is_file();
    if !posts_root.is_dir() && !jekyll_site {
        eprintln!(
            "error: {}: no such folder: is `{}` a {} site?",
            posts_root.display(),
            args.source.display(),
            generator.name()
        );
        return false;
    }
    let mut site = match OldSite::read(generator, &args.source) {
        Ok(site) => site,
        Err(e) => {
            eprintln!("error: {}/{e}", args.source.display());
            return false;
        }
    };
    // Old URLs are paths of the old site; the new site serves paths under
    // its own `base_url`.
    let mut early = Diagnostics::new();
    if let Err(why) = site.set_new_base(&config.base_path) {
        early.push(Diagnostic::warning(config_path.display().to_string(), why));
    }
    let site_lang = config.language;
    let mut diags = early;
    let mut converted = Vec::new();
    let mut skipped: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let files: Vec<(PathBuf, bool)> = post_files(&args.source, generator, &site, &mut diags)
        .into_iter()
        .map(|f| (f, false))
        .collect();
    // Hugo's nested sections are the folders with an `_index` file.
    if generator == Generator::Hugo {
        for (path, _) in &files {
            if let Some(rel) = path
                .strip_prefix(&args.source)
                .ok()
                .and_then(|r| r.to_str())
            {
                import::note_branch(&mut site, &rel.replace('\\', "/"));
            }
        }
    }
    // Jekyll's pages: the files outside `_posts/` with front matter.
    let jekyll = match generator {
        Generator::Jekyll => jekyll_pages(&args.source, &site, &mut skipped),
        _ => Vec::new(),
    };
    let files = files
        .into_iter()
        .chain(jekyll.into_iter().map(|p| (p, true)));
    for (path, page) in files {
        let shown = path.display().to_string();
        let Some(rel) = path
            .strip_prefix(&args.source)
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
        match import::kind_of(generator, &site, &rel) {
            _ if page => {}
            FileKind::Post => {}
            FileKind::Other => continue,
            FileKind::Draft => {}
            FileKind::Undated => {
                diags.push(Diagnostic::warning(
                    &shown,
                    "no `YYYY-MM-DD-` date in its file name, so Jekyll never published it: not imported",
                ));
                continue;
            }
            FileKind::Html => {
                diags.push(Diagnostic::warning(
                    &shown,
                    "a post written in HTML: imported as one block of HTML, which the build sanitizes",
                ));
            }
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
        // The file's modification date (a Jekyll draft's date).
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map(|t| jiff::tz::TimeZone::UTC.to_datetime(t).date().to_string());
        match import::convert_file(
            generator,
            &site,
            site_lang,
            &rel,
            &text,
            modified.as_deref(),
        ) {
            Ok(Outcome::Post(c)) => converted.push((*c, path)),
            Ok(Outcome::Skipped(why)) => skipped.entry(why).or_default().push(shown),
            Err(why) => diags.push(Diagnostic::error(&shown, format!("{why}: not imported"))),
        }
    }
    left_behind(&args.source, generator, &mut skipped);
    // One warning for each reason a file was left out, naming the first.
    for (why, files) in skipped {
        let others = match files.len() - 1 {
            0 => String::new(),
            n => format!(" (and {} like it)", count(n, "other file")),
        };
        diags.push(Diagnostic::warning(
            &files[0],
            format!("{why}: not imported{others}"),
        ));
    }
    let (mut posts, sources): (Vec<Converted>, Vec<PathBuf>) = converted.into_iter().unzip();
    import::pair_translations(&mut posts, site_lang);
    import::settle_slugs(&mut posts, site_lang);
    import::settle_aliases(&mut posts, site_lang);
    let links = import::Links::of(&posts);
    // What the new site serves: each article's page and aliases (a bundle's
    // files under its page), the static files, the home page.
    let statics = match generator {
        Generator::Jekyll => jekyll_static_files(&args.source, &site, &args.into.join("static")),
        _ => {
            let (from, to) = (args.source.join("static"), args.into.join("static"));
            if from.is_dir() {
                folder_files(&from, &to, |_| true)
            } else {
                Vec::new()
            }
        }
    };
    let static_root = args.into.join("static");
    let mut served: std::collections::HashSet<String> = statics
        .iter()
        .filter_map(|(_, to)| to.strip_prefix(&static_root).ok())
        .map(|rel| format!("/{}", rel.to_string_lossy().replace('\\', "/")))
        .collect();
    served.insert("/".into());
    let mut pages: Vec<String> = Vec::new();
    for post in &posts {
        for path in post.paths(site_lang) {
            if path.starts_with("/articles/")
                || path.starts_with("/fr/articles/")
                || path.starts_with("/en/articles/")
            {
                pages.push(path.clone());
            }
            served.insert(path);
        }
    }
    let is_served = |path: &str| {
        let trimmed = path.strip_suffix("index.html").unwrap_or(path);
        served.contains(path)
            || served.contains(trimmed)
            || served.contains(&format!("{}/", path.trim_end_matches('/')))
            || pages.iter().any(|p| path.starts_with(p.as_str()))
    };
    let old_base = match args.old_base_url.as_deref() {
        None => None,
        Some(url) => match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                Some(url.trim_end_matches('/').to_string())
            }
            _ => {
                eprintln!("error: --old-base-url {url}: not an http or https address");
                return false;
            }
        },
    };
    let settings = config.article_settings();
    let mut planned = Vec::new();
    let mut dropped = 0;
    for (mut post, source) in posts.into_iter().zip(sources) {
        let shown = source.display().to_string();
        import::finish(
            &mut post,
            generator,
            &site,
            &links,
            old_base
                .as_deref()
                .map(|b| (b, &is_served as &dyn Fn(&str) -> bool)),
        );
        for why in &post.dropped {
            diags.push(Diagnostic::warning(&shown, format!("dropped {why}")));
        }
        dropped += post.dropped.len();
        for (line, note) in &post.notes {
            let d = Diagnostic::warning(&shown, note.clone());
            diags.push(match line {
                Some(line) => d.at(*line, 1),
                None => d,
            });
        }
        // The article as the build will read it: a post that would fail
        // the build is reported here, and not imported.
        match post.text() {
            Ok(text) => {
                let mut found = Diagnostics::new();
                let file = crate::source::SourceFile::new(post.target.clone(), text);
                crate::article::parse(&file, &settings, &mut found);
                let errors: Vec<_> = found.into_iter().filter(Diagnostic::is_error).collect();
                if errors.is_empty() {
                    planned.push((post, source));
                } else {
                    for e in errors {
                        diags.push(Diagnostic::error(
                            &shown,
                            format!("converted, it would fail the build ({e}): not imported"),
                        ));
                    }
                }
            }
            Err(e) => diags.push(Diagnostic::error(&shown, format!("{e}: not imported"))),
        }
    }
    // Every author name the import makes, for the editor to merge names
    // of one person with `authors:` aliases in `site.yaml`.
    let mut authors: std::collections::BTreeMap<String, usize> = Default::default();
    for (post, _) in &planned {
        for name in post.authors() {
            *authors.entry(name.clone()).or_default() += 1;
        }
    }
    if !authors.is_empty() {
        let names: Vec<String> = authors
            .iter()
            .map(|(name, n)| format!("{name} ({n})"))
            .collect();
        diags.push(Diagnostic::warning(
            args.source.display().to_string(),
            format!(
                "{} made, each with a page: {} (when two are one person, list one as an alias of the other under `authors:` in site.yaml)",
                count(authors.len(), "author name"),
                names.join(", ")
            ),
        ));
    }
    // The old feeds: their readers keep their subscription only with a
    // copy of the feed at the same address (a reader follows no redirect
    // page), which the build makes once `site.yaml` lists them.
    let old_feeds = import::old_feeds(generator, &site, planned.iter().map(|(p, _)| p));
    let missing: Vec<String> = old_feeds
        .iter()
        .filter(|(path, format)| {
            !config
                .feed_copies
                .iter()
                .any(|(p, f)| p == path && format!("{f:?}").eq_ignore_ascii_case(format))
        })
        .map(|(path, format)| format!("{path}: {format}"))
        .collect();
    if !missing.is_empty() {
        diags.push(Diagnostic::warning(
            config_path.display().to_string(),
            format!(
                "the old site's feeds were at {}: add `feeds: {{ copies: {{ {} }} }}` to site.yaml, so that their readers keep receiving new articles",
                old_feeds.iter().map(|(p, _)| format!("/{p}")).collect::<Vec<_>>().join(", "),
                missing.join(", ")
            ),
        ));
    }
    let (written, pages, mut copied) = write_all(&args.into, planned, args.dry_run, &mut diags);
    copied += copy_static(statics, args.dry_run, &mut diags);
    let failed = diags.has_errors();
    report(&diags.sorted());
    println!(
        "{} {} from a {} site into {}/ ({} copied, {} left out{}){}",
        if args.dry_run {
            "would import"
        } else {
            "imported"
        },
        if pages == 0 {
            count(written, "post")
        } else {
            format!(
                "{} and {} (content/pages/)",
                count(written - pages, "post"),
                count(pages, "page")
            )
        },
        generator.name(),
        if pages == 0 {
            args.into.join("content").join("articles")
        } else {
            args.into.join("content")
        }
        .display(),
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

/// The files of the old site that may be posts, sorted: under `content/`
/// and each language's content folder (Zola, Hugo), or anywhere but the
/// output, dependencies and hidden folders (Jekyll, whose `_posts/` may sit
/// in a category's folder). Symbolic links are not followed.
fn post_files(
    root: &Path,
    generator: Generator,
    site: &OldSite,
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let mut roots = vec![root.join(generator.posts_dir())];
    match generator {
        Generator::Hugo => {
            for (_, dir) in &site.hugo.languages {
                if let Some(dir) = dir {
                    let dir = root.join(dir);
                    if !roots.iter().any(|r| dir.starts_with(r)) {
                        roots.push(dir);
                    }
                }
            }
        }
        Generator::Jekyll => roots = vec![root.to_path_buf()],
        Generator::Zola => {}
    }
    let mut found = Vec::new();
    for r in roots {
        if generator == Generator::Jekyll {
            let walk = walkdir::WalkDir::new(&r)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    let name = e.file_name().to_string_lossy();
                    e.depth() == 0
                        || !(name.starts_with('.')
                            || matches!(
                                name.as_ref(),
                                "_site" | "node_modules" | "vendor" | ".jekyll-cache"
                            ))
                });
            collect(walk, &r, &mut found, diags);
        } else if r.is_dir() {
            collect(
                walkdir::WalkDir::new(&r).sort_by_file_name().into_iter(),
                &r,
                &mut found,
                diags,
            );
        }
    }
    found
}

/// What the importer does not bring, by reason, each with its files: a
/// Hugo section page's aliases.
fn left_behind(
    root: &Path,
    generator: Generator,
    skipped: &mut std::collections::BTreeMap<String, Vec<String>>,
) {
    match generator {
        Generator::Hugo => {
            for entry in walkdir::WalkDir::new(root.join("content"))
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                let is_section = entry.file_name().to_string_lossy().starts_with("_index.");
                if !is_section {
                    continue;
                }
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.lines().any(|l| {
                    let l = l.trim_start();
                    l.starts_with("aliases") || l.starts_with("url")
                }) {
                    skipped
                        .entry("a section page with its own `url` or `aliases`: dealwire makes no section pages, so those addresses are not kept".into())
                        .or_default()
                        .push(entry.path().display().to_string());
                }
            }
        }
        Generator::Jekyll | Generator::Zola => {}
    }
}

/// Jekyll's pages that hold content, to import as standalone pages: the
/// files outside its `_` and dot folders with front matter, in Markdown or
/// HTML, and the documents of each collection Jekyll publishes (`output:
/// true`). The home page, the 404 page and the files Jekyll's templates
/// make (feeds, stylesheets, sitemaps) are left out, each with its reason.
fn jekyll_pages(
    root: &Path,
    site: &OldSite,
    skipped: &mut std::collections::BTreeMap<String, Vec<String>>,
) -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let documents = site.jekyll.collections.keys().flat_map(|name| {
        walkdir::WalkDir::new(root.join(format!("_{name}")))
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file() && has_front_matter(e.path()))
    });
    for e in jekyll_files(root, site)
        .filter(|e| has_front_matter(e.path()))
        .chain(documents)
    {
        let path = e.into_path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
        let text = matches!(
            rel.extension().and_then(|x| x.to_str()),
            Some("md" | "markdown" | "html" | "htm")
        );
        let why = if !text {
            Some(
                "a file the old site's templates make (a feed, a stylesheet, a sitemap): dealwire makes its own feeds and sitemap",
            )
        } else if stem == "index" && rel.parent().is_none_or(|p| p.as_os_str().is_empty()) {
            Some("the old site's home page: dealwire makes its own")
        } else if stem == "404" {
            Some("the old site's 404 page: dealwire makes its own")
        } else {
            None
        };
        match why {
            Some(why) => skipped
                .entry(why.to_string())
                .or_default()
                .push(path.display().to_string()),
            None => pages.push(path),
        }
    }
    pages
}

/// The files a walk finds, a symbolic link reported (not followed).
fn collect(
    walk: impl Iterator<Item = walkdir::Result<walkdir::DirEntry>>,
    root: &Path,
    found: &mut Vec<PathBuf>,
    diags: &mut Diagnostics,
) {
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() => found.push(e.into_path()),
            Ok(e) if e.path_is_symlink() => diags.push(Diagnostic::warning(
                e.path().display().to_string(),
                "a symbolic link: not followed, not imported",
            )),
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::error(root.display().to_string(), e.to_string())),
        }
    }
}

/// Writes each article or page (and the other files of its folder) unless
/// something is there already; returns how many articles and pages, how
/// many of them pages, and how many other files were (or, in a dry run,
/// would be) written.
fn write_all(
    into: &Path,
    planned: Vec<(Converted, PathBuf)>,
    dry_run: bool,
    diags: &mut Diagnostics,
) -> (usize, usize, usize) {
    let mut targets = std::collections::HashSet::new();
    let mut brought: std::collections::HashMap<PathBuf, PathBuf> = Default::default();
    let (mut written, mut pages, mut copied) = (0, 0, 0);
    for (c, source) in planned {
        let shown = source.display().to_string();
        let target = into.join(&c.target);
        let mut copies = if c.bundle {
            bundle_files(&source, &target)
        } else {
            Vec::new()
        };
        // A file the folder of another edition's post brings already, with
        // the same bytes (a translation's bundle), is not brought twice.
        copies.retain(|(from, to)| {
            brought
                .get(to)
                .is_none_or(|other| std::fs::read(from).ok() != std::fs::read(other).ok())
        });
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
        pages += usize::from(c.is_page());
        copied += copies.len();
        for (from, to) in &copies {
            brought.insert(to.clone(), from.clone());
        }
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
    (written, pages, copied)
}

/// Jekyll's static files: what Jekyll copies as it is, every file outside
/// its `_` and dot folders that has no front matter, but for `exclude:`
/// (`_config.yml`) and Jekyll's default exclusions; each with its place
/// under `to`.
fn jekyll_static_files(root: &Path, site: &OldSite, to: &Path) -> Vec<(PathBuf, PathBuf)> {
    jekyll_files(root, site)
        .filter(|e| !has_front_matter(e.path()))
        .map(|e| placed(e, root, to))
        .collect()
}

/// A file found under `from`, with its place under `to`.
fn placed(entry: walkdir::DirEntry, from: &Path, to: &Path) -> (PathBuf, PathBuf) {
    let rel = entry
        .path()
        .strip_prefix(from)
        .unwrap_or(entry.path())
        .to_path_buf();
    (entry.into_path(), to.join(rel))
}

/// The files Jekyll reads as pages or static files: none in its `_` and dot
/// folders, none that `exclude:` (`_config.yml`) or Jekyll's default
/// exclusions name.
fn jekyll_files(root: &Path, site: &OldSite) -> impl Iterator<Item = walkdir::DirEntry> {
    const EXCLUDED: [&str; 8] = [
        "Gemfile",
        "Gemfile.lock",
        "node_modules",
        "vendor",
        "Rakefile",
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
    ];
    let excluded: Vec<String> = site
        .values
        .get("exclude")
        .and_then(serde_json::Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(|s| s.trim_matches('/').to_string()))
                .collect()
        })
        .unwrap_or_default();
    let root = root.to_path_buf();
    walkdir::WalkDir::new(root.clone())
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            let rel = e.path().strip_prefix(&root).unwrap_or(e.path());
            let rel = rel.to_string_lossy();
            !(name.starts_with('_')
                || name.starts_with('.')
                || EXCLUDED.contains(&name.as_ref())
                || name.ends_with(".gemspec")
                || excluded.iter().any(|x| *x == rel || *x == *name))
        })
        .flatten()
        .filter(|e| e.file_type().is_file())
}

/// Whether a file begins with a `---` line (Jekyll then renders it).
fn has_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .is_ok_and(|n| head[..n].starts_with(b"---") && matches!(head.get(3), Some(b'\n' | b'\r')))
}

/// Copies static files; a file that exists already is kept and reported.
/// Returns how many were (or would be) copied.
fn copy_static(files: Vec<(PathBuf, PathBuf)>, dry_run: bool, diags: &mut Diagnostics) -> usize {
    let mut copied = 0;
    for (source, target) in files {
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
        .map(|e| placed(e, folder, to))
        .collect()
}

/// The files of a post's folder other than posts (in Markdown, or its own
/// HTML and that of its translations), with where they go.
fn bundle_files(post: &Path, target: &Path) -> Vec<(PathBuf, PathBuf)> {
    let (Some(folder), Some(to)) = (post.parent(), target.parent()) else {
        return Vec::new();
    };
    folder_files(folder, to, |p| {
        let post_text = p.extension().is_some_and(|x| {
            x == "md"
                || x == "markdown"
                || ((x == "html" || x == "htm")
                    && p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with("index.")))
        });
        !post_text
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
