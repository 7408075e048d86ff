//! The build as a function: `SiteSource` + options → files in a `Sink`, or diagnostics.
//!
//! ```text
//! configure  site.yaml          → Config
//! theme      themes/, templates → Templates
//! parse      content/**/*.md    → Article   (parallel)
//! model      Articles           → Site      (URLs, order, deals index, totals)
//! render     Site               → Sink      (pages, exports, chart)
//! assets     static/, theme, content files → Sink (images without metadata: `strip`)
//! ```
//!
//! No clock: the same source and options give the same files. The only disk
//! a build touches is its sink's: a `Sink::folder` gets every file as it is
//! made, and its scratch file holds the rendered bodies between parse and
//! render, so a large archive is never held in memory whole. Articles the
//! source left unread (`source::load_deferred`) are read as they are parsed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::article::{self, Article};
use crate::config::{self, CONFIG_FILE};
use crate::diag::{Diagnostic, Diagnostics};
use crate::highlight;
use crate::live::{Live, Made};
use crate::media::{Copied, CopiedBytes, Media, Picture};
use crate::output::{Output, Sink};
use crate::render::{self, Templates};
use crate::site::{self, Site};
use crate::source::{SiteSource, SourceFile};
use crate::theme;

/// What a build may change.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Replaces `base_url` from `site.yaml`.
    pub base_url: Option<String>,
    /// Builds drafts too.
    pub drafts: bool,
    /// Publishes articles dated after today too (`serve` always does).
    pub future: bool,
    /// A preview (`serve`): pages of articles dated after today say they
    /// are scheduled.
    pub preview: bool,
}

/// A successful build.
#[derive(Debug)]
pub struct Built {
    /// Every output file; for a sink that does not keep bytes, the paths only.
    pub output: Output,
    /// Warnings met on the way (they never fail a build), sorted; for a
    /// `check` (a sink of paths), its errors too, which fail it.
    pub warnings: Diagnostics,
    /// Articles built.
    pub articles: usize,
    /// Deals in the index.
    pub deals: usize,
    /// HTML pages written.
    pub pages: usize,
    /// Every article's links with their lines, for `links::check` (none for
    /// a build into a folder sink: `dealwire build` checks no links).
    pub links: Vec<crate::links::PageLinks>,
    /// The configuration the site was built with.
    pub config: config::Config,
    /// Articles dated after today that the build held back (`--future`
    /// publishes them): source path and date, soonest first.
    pub scheduled: Vec<(String, jiff::civil::Date)>,
    /// Deals that look like one deal reported twice (`check` reports them).
    pub duplicates: Vec<Diagnostic>,
}

/// One file's parse: the article (shared with the cache) unless it has
/// errors, and every problem found in it.
type Parsed = (Option<Arc<Article>>, Arc<Diagnostics>);

fn parse_one(file: &SourceFile, settings: &config::ArticleSettings) -> Parsed {
    let mut diags = Diagnostics::new();
    let article = article::parse(file, settings, &mut diags).map(Arc::new);
    (article, Arc::new(diags))
}

/// Reads a file the source left unread, parses it, and moves the rendered
/// body to `spill` when there is one; the text is freed on return.
fn parse_streamed(
    file: SourceFile,
    settings: &config::ArticleSettings,
    spill: Option<&Arc<crate::spill::Spill>>,
    bodies: Option<&crate::build_cache::BuildCache>,
) -> Parsed {
    let mut diags = Diagnostics::new();
    let Some(file) = diags.ok(file.read_deferred()) else {
        return (None, Arc::new(diags));
    };
    let mut article = article::parse_cached(&file, settings, &mut diags, bodies);
    drop(file);
    if let (Some(a), Some(spill)) = (article.as_mut(), spill)
        && diags.ok(a.move_body_to(spill)).is_none()
    {
        article = None;
    }
    (article.map(Arc::new), Arc::new(diags))
}

/// What a long-running session (`serve`) keeps between builds so that a rebuild
/// parses only the files that changed, and reuses the template pages whose
/// inputs did not change. A plain `build` needs none.
#[derive(Default)]
pub struct Cache {
    /// Fingerprint of what every parse depends on besides its file.
    parse_key: u64,
    /// Source path → (content hash, parse).
    parsed: rustc_hash::FxHashMap<String, (u64, Parsed)>,
    /// Template pages rendered in this session, by the hash of their inputs.
    memo: Arc<render::Memo>,
    /// The last good build, whose model a rebuild updates when it can.
    last: Option<Arc<Live>>,
}

/// Builds the site in memory. On failure, every error found (and the warnings).
/// The source is consumed: the Markdown text is freed once parsed.
pub fn build(source: SiteSource, options: &BuildOptions) -> Result<Built, Diagnostics> {
    build_into(source, options, Sink::memory())
}

/// Builds the site into `sink`: `build`, with each file put into the sink as
/// it is made. With a folder sink the rendered bodies wait on disk between
/// parse and render.
pub fn build_into(
    source: SiteSource,
    options: &BuildOptions,
    sink: Sink,
) -> Result<Built, Diagnostics> {
    let (markdown, others): (Vec<SourceFile>, Vec<SourceFile>) =
        source.files.into_iter().partition(|f| is_article(&f.path));
    let source = SiteSource {
        files: others,
        ..source
    };
    let config = configure(&source.config, options)?;
    let spill = match sink.staging().map(|s| s.scratch()).transpose() {
        Ok(file) => file.map(crate::spill::Spill::new),
        Err(e) => return Err(Diagnostic::error(".", e.to_string()).into()),
    };
    let parsed = markdown
        .into_par_iter()
        .map(|f| {
            parse_streamed(
                f,
                &config.article_settings(),
                spill.as_ref(),
                sink.build_cache(),
            )
        })
        .collect();
    let staging = sink.staging();
    finish(
        &source,
        config,
        parsed,
        options,
        render::Want::All,
        sink,
        None,
    )
    .map(Built::from)
    .map_err(|d| match staging {
        Some(staging) => one_full_disk(d, staging),
        None => d,
    })
}

/// A full disk fails every write after it: one error for them all, naming the
/// output folder and the space the build needs, instead of one per page.
fn one_full_disk(diags: Diagnostics, staging: &crate::output::Staging) -> Diagnostics {
    let full = |d: &Diagnostic| d.message == crate::output::DISK_FULL;
    if staging.full().is_none() && !diags.iter().any(full) {
        return diags;
    }
    staging.mark_full();
    let report = staging.full().unwrap_or_default();
    let mut kept: Diagnostics = diags.into_iter().filter(|d| !full(d)).collect();
    kept.push(Diagnostic::error(
        staging.target().display().to_string(),
        report,
    ));
    kept
}

impl From<Made> for Built {
    fn from(made: Made) -> Built {
        Built {
            output: made.output,
            warnings: made.warnings,
            articles: made.articles,
            deals: made.site.deals.len(),
            pages: made.pages,
            links: made.links,
            duplicates: made.site.likely_duplicates(),
            scheduled: made.scheduled,
            config: made.site.config,
        }
    }
}

/// Builds again from a source that is kept, for `serve`: the model is made
/// and every file named, but pages are rendered only when asked for
/// (`Live::get`), reusing what `cache` holds from earlier builds of the same
/// site. Every file a `Live` gives is the file `build` writes.
///
/// When only articles' text changed (the same files, every other input the
/// same) and each new parse has its old one's place (`Article::same_place`),
/// the last model is updated instead of every article being placed again
/// (`Site::with_replaced`); when each also has its old one's shape (a new
/// title, body or amount), the list of files is kept as well: an edit costs
/// its parse, not the whole site's model.
pub fn rebuild(
    source: &SiteSource,
    options: &BuildOptions,
    cache: &mut Cache,
) -> Result<Arc<Live>, Diagnostics> {
    let config = configure(&source.config, options)?;
    let (parsed, reparsed) = parse_cached(source, &config, cache);
    let frame = frame(source, options);
    let last = cache.last.take().filter(|l| l.frame == frame);
    let mut model = None;
    match last.and_then(|l| updated(&l, source, &parsed, &reparsed)) {
        Some(Update::Same(live)) => {
            let live = Arc::new(live);
            cache.last = Some(Arc::clone(&live));
            return Ok(live);
        }
        Some(Update::Reindexed(site)) => model = Some(site),
        None => {}
    }
    let updated = model.is_some();
    let made = finish(
        source,
        config,
        parsed,
        options,
        render::Want::Plan,
        Sink::memory(),
        model,
    )?;
    let live = Arc::new(Live::new(made, Arc::clone(&cache.memo), frame, updated));
    cache.last = Some(Arc::clone(&live));
    Ok(live)
}

/// A hash of every input of a build but the articles' text: the
/// configuration, the options, every other file, and which articles there are.
fn frame(source: &SiteSource, options: &BuildOptions) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    (
        &source.config,
        &options.base_url,
        options.drafts,
        options.future,
        options.preview,
    )
        .hash(&mut h);
    format!("{:?}", source.diagnostics).hash(&mut h);
    for f in &source.files {
        f.path.hash(&mut h);
        if !is_article(&f.path) {
            f.hash.hash(&mut h);
        }
    }
    h.finish()
}

/// How a rebuild can start from the last build's model.
enum Update {
    /// The same files from an updated model.
    Same(Live),
    /// An updated model whose lists were made again: its files are named again.
    Reindexed(Site),
}

/// The last build's model updated for the articles parsed again, when every
/// one of them parsed without error into an article of the same place
/// (`Site::with_replaced`).
fn updated(
    last: &Live,
    source: &SiteSource,
    parsed: &[Parsed],
    reparsed: &[(Parsed, Parsed)],
) -> Option<Update> {
    let mut replaced = Vec::with_capacity(reparsed.len());
    for ((old, _), (new, problems)) in reparsed {
        if problems.has_errors() {
            return None;
        }
        replaced.push((old.clone()?, new.clone()?));
    }
    let (site, reindexed) = last.site().with_replaced(&replaced)?;
    if reindexed {
        return Some(Update::Reindexed(site));
    }
    let mut warnings = problems(source, parsed);
    warnings.extend(site.warnings.iter().cloned());
    let warnings = warnings.sorted();
    Some(Update::Same(last.with_site(site, warnings)))
}

/// The source's problems and every parse's, in that order.
fn problems(source: &SiteSource, parsed: &[Parsed]) -> Diagnostics {
    let mut all = source.diagnostics.clone();
    for (_, problems) in parsed {
        all.extend(problems.iter().cloned());
    }
    all
}

/// The stages after parsing: model, render, assets. Article files in
/// `source` are not read again. With a `model` (the last one updated, for
/// the same configuration and these parses), the articles are not placed
/// again.
fn finish(
    source: &SiteSource,
    config: config::Config,
    parsed: Vec<Parsed>,
    options: &BuildOptions,
    want: render::Want,
    sink: Sink,
    model: Option<Site>,
) -> Result<Made, Diagnostics> {
    let mut diags = problems(source, &parsed);
    let templates = templates_for(source, &config, &mut diags);
    let articles: Vec<Arc<Article>> = parsed.into_iter().filter_map(|(a, _)| a).collect();
    // `check` (a sink that keeps paths only) goes on past errors wherever a
    // site can still be made, so that one run reports every problem: the
    // articles that parsed, their aliases and their links.
    let keep_going = sink.paths_only();
    let Some((theme_assets, templates)) = templates.filter(|_| keep_going || !diags.has_errors())
    else {
        return Err(diags);
    };
    // Every bundle folder: those of drafts and scheduled articles are not copied.
    let bundles = bundle_dirs(&articles);
    let (articles, scheduled) = site::hold_back(articles, options.future, site::today());
    let (assembled, errors) = match model {
        Some(site) => (Some(site), Diagnostics::new()),
        None => site::assemble_all(config, articles, options.drafts),
    };
    diags.extend(errors);
    let Some(site) = assembled.filter(|_| keep_going || !diags.has_errors()) else {
        return Err(diags);
    };
    let site = Site {
        preview: options.preview,
        ..site
    };
    diags.extend(site.warnings.iter().cloned());
    let copies = copies(source, theme_assets.files, &site, &bundles);
    // Opened (made, with its `.gitignore`) before the images are looked at:
    // what is learnt of each file is kept there too.
    let cache = sink
        .caches()
        .then(|| crate::images::Cache::open(&source.root));
    let media = collect_media(&source.root, &copies, &site, &mut diags);
    let site = Site {
        media: Arc::new(media),
        ..site
    };
    let written = assets(&copies, &site.media, &sink, &mut diags);
    diags.extend(written.err().map(|e| Diagnostic::error(".", e.to_string())));
    if diags.has_errors() && !keep_going {
        return Err(diags);
    }
    // Standalone pages are counted with the pages, not the articles.
    let articles_built = site
        .articles
        .iter()
        .filter(|p| !p.article.is_page())
        .count();
    // A build written to a folder keeps only its images' sources: a missing
    // image fails it (`check` checks every link).
    let links: Vec<crate::links::PageLinks> = if sink.staging().is_some() {
        site.articles
            .iter()
            .map(crate::links::PageLinks::images_of)
            .filter(|p| !p.links.is_empty())
            .collect()
    } else {
        site.articles
            .iter()
            .map(crate::links::PageLinks::of)
            .collect()
    };
    // A whole build indexes the site for search beside the pages; `serve`
    // indexes it when the search page first asks (`Live`); `check`, which
    // writes nothing, not at all (the index has nothing to say of the
    // site's content).
    let indexed = matches!(want, render::Want::All) && site.config.search && !sink.paths_only();
    // Images are processed before the pages in a whole build; `serve`
    // processes one when it is first asked for, and `check` names them only.
    let processed = matches!(want, render::Want::All) && !sink.paths_only();
    if !processed {
        for v in site.media.pictures().flat_map(|p| &p.variants) {
            if let Err(e) = sink.put(v.path.clone(), bytes::Bytes::new()) {
                diags.push(Diagnostic::error(&v.path, e.to_string()));
            }
        }
    }
    // The images first, then the pages and the search index: each is
    // parallel on its own, so running them one after the other costs no
    // time, and the images' buffers (given back once made) never add to the
    // render's (peak memory).
    if processed {
        diags.extend(crate::media::process(
            &site.media,
            &copies,
            cache.as_ref(),
            &sink,
        ));
    }
    let (rendered, bundle) = rayon::join(
        || render::render_site(&site, &templates, want, None, &sink),
        || indexed.then(|| crate::render::search::site_bundle(&site)),
    );
    match bundle {
        Some(Ok(files)) => {
            for (name, bytes) in files {
                let path = format!("{}{name}", crate::render::search::BUNDLE_DIR);
                if let Err(e) = sink.put(path.clone(), bytes) {
                    diags.push(Diagnostic::error(path, e.to_string()));
                }
            }
        }
        Some(Err(errors)) => diags.extend(errors),
        None => {}
    }
    let rendered = match rendered {
        Ok(rendered) if keep_going || !diags.has_errors() => rendered,
        Ok(_) => return Err(diags),
        Err(errors) => {
            diags.extend(errors);
            return Err(diags);
        }
    };
    path_conflicts(source, &sink, &mut diags);
    redirects(source, &site, &sink, &mut diags);
    // A build checks its images' sources; `check`, every link.
    if sink.staging().is_some() || keep_going {
        crate::links::check(&links, |p| sink.contains(p), &site.config, &mut diags);
    }
    // `check` gets the site made with its errors among the warnings, so it
    // can still list what it found (the scheduled articles); a build fails.
    if diags.has_errors() && !keep_going {
        return Err(diags);
    }
    let (output, on_request) = sink.into_parts();
    Ok(Made {
        output,
        on_request,
        scheduled,
        warnings: diags.sorted(),
        articles: articles_built,
        pages: rendered.pages,
        links,
        site,
        templates,
    })
}

/// The theme's published assets and its parsed templates, every broken
/// template reported.
fn templates_for(
    source: &SiteSource,
    config: &config::Config,
    diags: &mut Diagnostics,
) -> Option<(theme::Assets, Templates)> {
    let mut t = diags.ok(theme::resolve(source, &config.theme))?;
    diags.extend(std::mem::take(&mut t.warnings));
    let assets = theme::Assets::new(
        &t.statics,
        highlight::stylesheet(
            &config.highlight_theme,
            config.highlight_dark_theme.as_deref(),
        ),
    );
    let urls = assets
        .names
        .iter()
        .map(|(name, published)| (name.clone(), config.path_url(published)))
        .collect();
    match Templates::new(t.templates, &t.strings, urls) {
        Ok(templates) => Some((assets, templates)),
        Err(errors) => {
            diags.extend(errors);
            None
        }
    }
}

/// Parses every article in parallel, except those whose content and context
/// are unchanged since the cache's build: their parse is shared, never copied.
/// Also gives, for each file parsed again that the cache held, its old and
/// new parse.
fn parse_cached(
    source: &SiteSource,
    config: &config::Config,
    cache: &mut Cache,
) -> (Vec<Parsed>, Vec<(Parsed, Parsed)>) {
    let markdown: Vec<&SourceFile> = source
        .files
        .iter()
        .filter(|f| is_article(&f.path))
        .collect();
    let settings = config.article_settings();
    let parse_key = settings.fingerprint();
    if cache.parse_key != parse_key {
        cache.parsed.clear();
        cache.parse_key = parse_key;
        // No model made with other settings may be updated.
        cache.last = None;
    }
    // One lookup per file; only the files whose bytes changed are parsed
    // (in parallel), and the cache is updated in place.
    let mut parsed: Vec<Option<Parsed>> = markdown
        .iter()
        .map(|f| {
            cache
                .parsed
                .get(&f.path)
                .filter(|(hash, _)| *hash == f.hash)
                .map(|(_, p)| p.clone())
        })
        .collect();
    let misses: Vec<usize> = (0..markdown.len())
        .filter(|&i| parsed[i].is_none())
        .collect();
    let fresh: Vec<Parsed> = misses
        .par_iter()
        .map(|&i| parse_one(markdown[i], &settings))
        .collect();
    let mut reparsed = Vec::new();
    for (i, new) in misses.into_iter().zip(fresh) {
        let f = markdown[i];
        // A file the cache did not hold has no old parse: the caller sees it
        // in the list of files (`frame`).
        if let Some((_, old)) = cache.parsed.insert(f.path.clone(), (f.hash, new.clone())) {
            reparsed.push((old, new.clone()));
        }
        parsed[i] = Some(new);
    }
    let parsed: Vec<Parsed> = parsed.into_iter().flatten().collect();
    if cache.parsed.len() > markdown.len() {
        let present: std::collections::HashSet<&str> =
            markdown.iter().map(|f| f.path.as_str()).collect();
        cache
            .parsed
            .retain(|path, _| present.contains(path.as_str()));
    }
    (parsed, reparsed)
}

/// An error for each output file that is also a folder of the output (a
/// content file `content/deals` beside the page `deals/index.html`), naming
/// the source file that makes it.
fn path_conflicts(source: &SiteSource, sink: &Sink, diags: &mut Diagnostics) {
    diags.extend(sink.conflicts().into_iter().map(|(file, inner)| {
        let origin = origin_of(source, &file).unwrap_or_else(|| file.to_string());
        Diagnostic::error(
            origin,
            format!(
                "publishes `{file}`, but `{inner}` needs a folder of that name: rename one of them"
            ),
        )
    }));
}

/// A redirect page at each alias of each article. An alias where the site
/// already publishes something, or that two articles claim, is an error
/// naming both files.
fn redirects(source: &SiteSource, site: &Site, sink: &Sink, diags: &mut Diagnostics) {
    if site.articles.iter().all(|p| p.article.aliases.is_empty()) {
        return;
    }
    let page_sources: HashMap<String, &str> = site
        .articles
        .iter()
        .map(|p| {
            (
                format!("{}index.html", p.rel_url),
                p.article.source_path.as_str(),
            )
        })
        .collect();
    let mut claimed: HashMap<String, (&str, &str)> = HashMap::new();
    // Who publishes an output file: an article's page, another alias, a
    // file of `content/` or `static/`, or dealwire itself (feeds, exports,
    // the search bundle, the theme's assets).
    let publisher = |file: &str, claimed: &HashMap<String, (&str, &str)>| {
        if let Some((other, written)) = claimed.get(file) {
            return format!("{other} has the alias `{written}`, published as `{file}`");
        }
        match page_sources
            .get(file)
            .copied()
            .map(str::to_string)
            .or_else(|| origin_of(source, file))
        {
            Some(origin) => format!("{origin} publishes `{file}`"),
            None => format!("dealwire publishes `{file}`"),
        }
    };
    for p in site.articles.iter() {
        let a = &p.article;
        for (i, alias) in a.aliases.iter().enumerate() {
            let file = &alias.file;
            let clash = match claimed.get(file.as_str()) {
                Some((first, _)) => Some(format!("{first} has the same alias")),
                None if sink.contains(file) => Some(publisher(file, &claimed)),
                // A file where the alias needs a folder, or the reverse
                // (`/atom.xml` as a folder; `/x.html` and `/x.html/`).
                None => sink.clash_with(file).map(|other| {
                    format!(
                        "it needs `{file}`, which cannot sit beside `{other}`: {}",
                        publisher(&other, &claimed)
                    )
                }),
            };
            match clash {
                Some(why) => diags.push(
                    Diagnostic::error(
                        &a.source_path,
                        format!("the alias `{}` cannot redirect here: {why}", alias.written),
                    )
                    .at_opt(alias.position)
                    .field(format!("aliases[{i}]")),
                ),
                None => {
                    claimed.insert(file.clone(), (&a.source_path, &alias.written));
                    let target = p.target_url(&site.config);
                    let page = render::exports::redirect(&target, a.lang);
                    if let Err(e) = sink.put(file.clone(), page) {
                        diags.push(Diagnostic::error(file, e.to_string()));
                    }
                }
            }
        }
    }
}

/// The source file under `content/` or `static/` that publishes an output
/// file, if one does.
fn origin_of(source: &SiteSource, file: &str) -> Option<String> {
    ["content", "static"]
        .iter()
        .map(|folder| format!("{folder}/{file}"))
        .find(|path| source.files.iter().any(|f| f.path == *path))
}

/// Every `.md` file under `content/` is an article.
fn is_article(path: &str) -> bool {
    path.starts_with("content/") && path.ends_with(".md")
}

/// Parses `site.yaml` and applies the command-line overrides.
fn configure(text: &str, options: &BuildOptions) -> Result<config::Config, Diagnostics> {
    let mut config = config::parse(text)?;
    if let Some(url) = &options.base_url {
        config = config
            .with_base_url(url)
            .map_err(|m| Diagnostic::error("--base-url", m))?;
    }
    let themes = [
        ("highlight.theme", Some(&config.highlight_theme)),
        ("highlight.dark_theme", config.highlight_dark_theme.as_ref()),
    ];
    for (field, name) in themes {
        if let Some(name) = name.filter(|n| !highlight::has_theme(n)) {
            return Err(Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "`{name}` is not a syntect theme (try `base16-ocean.dark` or `InspiredGitHub`)"
                ),
            )
            .at_opt(crate::yaml::locate(text, field))
            .field(field)
            .into());
        }
    }
    Ok(config)
}

/// The bundle folders (`content/articles/x` of `content/articles/x/index.md`),
/// drafts included: their other files are copied beside the pages built from
/// them, never to their own path.
fn bundle_dirs(articles: &[Arc<Article>]) -> BTreeSet<String> {
    articles
        .iter()
        .filter_map(|a| a.bundle_dir.clone())
        .collect()
}

/// The files a build copies, in the order they are put: the theme's (with
/// the code stylesheet, fingerprinted), then the site's `static/`, then
/// content files (a bundle's beside each page built from it).
fn copies<'s>(
    source: &'s SiteSource,
    theme_statics: BTreeMap<String, Vec<u8>>,
    site: &Site,
    bundles: &BTreeSet<String>,
) -> Vec<Copied<'s>> {
    let mut copies: Vec<Copied<'s>> = Vec::new();
    let mut copy = |origin: String, bytes: CopiedBytes<'s>, targets: Vec<String>| {
        copies.push(Copied {
            origin,
            bytes,
            targets,
        })
    };
    for (path, bytes) in theme_statics {
        let origin = format!("themes/{}/static/{path}", site.config.theme);
        copy(origin, CopiedBytes::Theme(bytes.into()), vec![path]);
    }
    for f in source.under("static") {
        let target = f.path["static/".len()..].to_string();
        copy(f.path.clone(), CopiedBytes::Source(f), vec![target]);
    }
    // Bundle folder → the URL folders of the pages built from it.
    let mut bundle_targets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in &site.articles {
        if let Some(dir) = &p.article.bundle_dir {
            bundle_targets
                .entry(dir.as_str())
                .or_default()
                .push(&*p.rel_url);
        }
    }
    for f in source.under("content").filter(|f| !f.path.ends_with(".md")) {
        let dir = f.path.rsplit_once('/').map_or("", |(d, _)| d);
        let name = f.path.rsplit_once('/').map_or(f.path.as_str(), |(_, n)| n);
        let targets = match bundle_targets.get(dir) {
            Some(targets) => targets.iter().map(|t| format!("{t}{name}")).collect(),
            None if bundles.contains(dir) => continue, // a draft's bundle, not built
            None => vec![f.path["content/".len()..].to_string()],
        };
        copy(f.path.clone(), CopiedBytes::Source(f), targets);
    }
    copies
}

/// Copies the files in `copies` into `sink`, in order; pages rendered later
/// replace any clash. Every file goes through `strip::publishable` on the
/// way (images lose their metadata; one that cannot be read is left out),
/// in parallel, a batch at a time so that few stripped copies wait at once;
/// its warnings go into `diags`. An image published responsive is not
/// copied where a variant takes its place (`media`).
fn assets(
    copies: &[Copied],
    media: &crate::media::Media,
    sink: &Sink,
    diags: &mut Diagnostics,
) -> Result<(), crate::output::WriteError> {
    let copied = |target: &str| media.get(target).is_none_or(|p| !p.replaces_original());
    let wanted: Vec<&Copied> = copies
        .iter()
        .filter(|c| c.targets.iter().any(|t| copied(t)))
        .collect();
    for batch in wanted.chunks(16) {
        let published: Vec<_> = batch
            .par_iter()
            .map(|c| match c.read() {
                Ok(bytes) => crate::strip::publishable(&c.origin, &bytes),
                Err(d) => (None, Some(d)),
            })
            .collect();
        for (c, (bytes, warning)) in batch.iter().zip(published) {
            diags.extend(warning);
            if let Some(bytes) = bytes {
                for target in c.targets.iter().filter(|t| copied(t)) {
                    sink.put(target.as_str(), bytes.clone())?;
                }
            }
        }
    }
    Ok(())
}

/// Every image an article shows, as output paths, each with the first
/// article that shows it and where (source path, line, column).
/// Where an image is first shown: the article's source path, line and column.
type Shown = (String, usize, usize);

fn shown_images(site: &Site) -> BTreeMap<String, Shown> {
    let mut shown: BTreeMap<String, Shown> = BTreeMap::new();
    for p in site.articles.iter() {
        let a = &p.article;
        let mut add = |dest: &str, line: usize, col: usize| {
            if let Ok(target) = crate::links::target(dest, &p.rel_url, &site.config)
                && !target.is_empty()
            {
                shown
                    .entry(target)
                    .or_insert_with(|| (a.source_path.clone(), line, col));
            }
        };
        for l in a.body.links.iter().filter(|l| l.image && !l.is_source()) {
            add(l.dest(), l.line + a.body_line - 1, l.col);
        }
        if let Some(lead) = &a.image {
            add(&lead.src, lead.line, lead.col);
        }
    }
    shown
}

/// Reads, checks and plans every image an article shows among `copies`.
/// A file that is not the image its name says, cannot be read or is over
/// the budget is an error naming it and the article that shows it.
fn collect_media(
    root: &std::path::Path,
    copies: &[Copied],
    site: &Site,
    diags: &mut Diagnostics,
) -> crate::media::Media {
    let settings = site.config.images.clone();
    let shown = shown_images(site);
    let mut by_target: HashMap<&str, usize> = HashMap::new();
    for (n, c) in copies.iter().enumerate() {
        for t in &c.targets {
            by_target.insert(t.as_str(), n);
        }
    }
    // Each source once: (copy, the outputs shown, where first shown).
    let mut wanted: BTreeMap<usize, Vec<(&str, &Shown)>> = BTreeMap::new();
    for (target, place) in &shown {
        if crate::media::named_kind(target).is_none() {
            continue;
        }
        if let Some(&n) = by_target.get(target.as_str()) {
            wanted.entry(n).or_default().push((target.as_str(), place));
        }
    }
    // Every other place the file is published (its bundle's copy in the
    // other edition) gets the same variants: no full-size photo goes out.
    for (n, outputs) in wanted.iter_mut() {
        let place = outputs[0].1;
        for t in &copies[*n].targets {
            if !outputs.iter().any(|(o, _)| o == t) {
                outputs.push((t.as_str(), place));
            }
        }
    }
    let wanted: Vec<_> = wanted.into_iter().collect();
    let known = crate::images::KnownFiles::open(root);
    let probed: Vec<Result<Vec<Picture>, Diagnostic>> = wanted
        .par_iter()
        .map(|(n, outputs)| {
            let copy = &copies[*n];
            let (article, line, col) = outputs[0].1;
            let fail = |why: String| {
                Diagnostic::error(
                    &copy.origin,
                    format!("{why} (shown by {article}, line {line}, column {col})"),
                )
            };
            let crate::images::Known { digest, probe } = known_image(copy, &known)?
                .map_err(|e| fail(format!("this image {e}")))?;
            crate::images::check_budget(&probe, &settings)
                .map_err(|e| fail(format!("this image {e}")))?;
            let named = crate::media::named_kind(&copy.origin).unwrap_or(probe.kind);
            if named != probe.kind {
                return Err(fail(format!(
                    "named like a {named} image, but it holds a {} image: rename it, or save it again as {named}",
                    probe.kind
                )));
            }
            let plan = crate::images::plan(&probe, &settings);
            let key = crate::images::key_of_digest(&digest, &settings);
            Ok(outputs
                .iter()
                .map(|(output, _)| crate::media::picture(&copy.origin, output, &probe, &plan, key))
                .filter(|p| !p.variants.is_empty())
                .collect())
        })
        .collect();
    known.save();
    let mut media = Media::new(root, settings);
    for pictures in probed {
        match pictures {
            Ok(pictures) => pictures.into_iter().for_each(|p| media.insert(p)),
            Err(d) => diags.push(d),
        }
    }
    media
}

/// The digest and header of the image file a copy publishes: from `known`
/// when the file on disk is unchanged since a build read it (no byte is
/// read then), else read, probed and hashed now (and memorised). The outer
/// error is a file that cannot be read; the inner one, an image that cannot
/// be probed.
fn known_image(
    copy: &Copied,
    known: &crate::images::KnownFiles,
) -> Result<Result<crate::images::Known, crate::images::ImageError>, Diagnostic> {
    let on_disk = match &copy.bytes {
        crate::media::CopiedBytes::Source(file) => file.deferred_path().and_then(|path| {
            let stamp = crate::images::Stamp::of(&std::fs::metadata(path).ok()?)?;
            Some((file.path.as_str(), stamp))
        }),
        crate::media::CopiedBytes::Theme(_) => None,
    };
    if let Some((path, stamp)) = on_disk
        && let Some(found) = known.get(path, stamp)
    {
        return Ok(Ok(found));
    }
    let bytes = copy.read()?;
    let found = crate::images::probe(&bytes).map(|probe| crate::images::Known {
        digest: crate::images::digest(&bytes),
        probe,
    });
    if let (Some((path, stamp)), Ok(found)) = (on_disk, &found) {
        known.learnt(path, stamp, *found);
    }
    Ok(found)
}
