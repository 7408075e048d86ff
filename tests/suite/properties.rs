//! Properties over generated sites, through the library (no disk): any site
//! either builds into pages and feeds that are safe to publish, or fails with
//! every error naming a file of the site; and a site rebuilt with the caches of
//! a previous build equals the same site built fresh.

use dealwire::pipeline::{self, BuildOptions, Cache};
use dealwire::source::{SiteSource, SourceFile};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Pieces that editors (and attackers) write, combined at random.
fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Accord à 38 milliards",
        "$38 billion",
        "38 milliards de dollars",
        "€1,2 milliard",
        "up to $100B",
        "undisclosed",
        "38 zillion",
        "-5 USD",
        "79228162514264337593543950335 USD",
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "## Terms {#t\"/onfocus=\"x}",
        "[s](@/b.md)",
        "[m](@/missing.md)",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "```rust\nfn main() {}\n```",
        "<!-- more -->",
        "\u{0}\u{7}\u{1b}[2J",
        "[[[[[[[[",
        "\"quoted\" -- it's",
        "OpenAI",
        "AWS",
        "acme",
        "ACME",
        "",
    ])
    .prop_map(str::to_string)
}

fn amount() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["$38 billion", "€1.2bn", "undisclosed", "up to $100B"])
        .prop_map(str::to_string)
}

fn party() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["OpenAI", "AWS", "Acme", "Oracle <b>", "Élysée"])
        .prop_map(str::to_string)
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..4).prop_map(|parts| parts.join(" "))
}

/// One article's source, sometimes broken.
fn article() -> impl Strategy<Value = String> {
    (
        text(),
        prop_oneof![
            8 => prop::sample::select(vec!["2025-11-03", "2024-02-29", "2025-11-03T09:00:00+01:00"]),
            1 => prop::sample::select(vec!["2025-13-01", "0001-01-01", "2025-11-03T09:00:00+25:00"]),
        ],
        prop::option::of(text()),
        prop::option::of(prop_oneof![
            6 => (amount(), party(), party()),
            1 => (text(), text(), text()),
        ]),
        prop::bool::ANY,
        text(),
    )
        .prop_map(|(title, date, tags, deal, lang_fr, body)| {
            // Single-quoted YAML keeps every character as written.
            let quote = |t: &str| format!("'{}'", t.replace('\'', "''").replace('\n', " "));
            let mut fm = format!("title: {}\ndate: {date}\n", quote(&title));
            if lang_fr {
                fm.push_str("lang: fr\n");
            }
            if let Some(tag) = tags {
                fm.push_str(&format!("tags: [{}]\n", quote(&tag)));
            }
            if let Some((amount, a, b)) = deal {
                fm.push_str(&format!(
                    "deal:\n  amount: {}\n  parties: [{}, {}]\n",
                    quote(&amount),
                    quote(&a),
                    quote(&b)
                ));
            }
            format!("---\n{fm}---\n{body}\n")
        })
}

fn site() -> impl Strategy<Value = SiteSource> {
    let names = prop::sample::select(vec![
        "content/a.md",
        "content/b.md",
        "content/b.fr.md",
        "content/accord-été.md",
        "content/r&d notes.md",
        "content/x/index.md",
        "content/2025-11-03-deal.md",
    ]);
    prop::collection::btree_map(names, article(), 1..5).prop_map(|files| SiteSource {
        root: std::path::PathBuf::from("/site"),
        config: "title: T\nbase_url: https://e.org/b/\nrates: { EUR: 1.1 }\nparties:\n  Amazon: { aliases: [AWS] }\n".into(),
        files: files
            .into_iter()
            .map(|(path, text)| SourceFile::new(path, text.into_bytes()))
            .collect(),
        diagnostics: Default::default(),
    })
}

fn forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}'
}

/// What in a page would run a script: read by an HTML parser, as a browser
/// reads it, so text that merely looks like a handler is not mistaken for one.
fn live_script(page: &str) -> Option<String> {
    let document = scraper::Html::parse_document(page);
    for node in document.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        for (name, value) in element.attrs() {
            if name.starts_with("on") {
                return Some(format!("a handler {name}={value:?}"));
            }
            let url = value.trim().to_ascii_lowercase();
            if matches!(name, "href" | "src" | "action" | "formaction")
                && (url.starts_with("javascript:") || url.starts_with("data:text"))
            {
                return Some(format!("a script URL {name}={value:?}"));
            }
        }
        if element.name() == "script" {
            let ours = element
                .attr("src")
                .is_some_and(|src| src.starts_with("/b/"));
            let data = element.attr("type") == Some("application/ld+json");
            if !ours && !data {
                return Some(format!("a script element {:?}", element));
            }
        }
        if matches!(element.name(), "iframe" | "object" | "embed" | "base") {
            return Some(format!("a {} element", element.name()));
        }
    }
    None
}

#[test]
fn the_script_finder_sees_what_a_browser_would_run() {
    let pages = [
        ("<p><a href=x onfocus=alert(1)>a</a></p>", true),
        ("<p><script>alert(1)</script></p>", true),
        ("<a href=' JavaScript:alert(1)'>a</a>", true),
        ("<img src=\"data:text/html,x\">", true),
        ("<p>{#t\"/onfocus=\"x}</p>", false),
        (
            "<script type=\"application/ld+json\">{\"a\":\"onfocus=\\\"x\"}</script>",
            false,
        ),
        ("<script src=\"/b/code.js\" defer></script>", false),
    ];
    for (page, live) in pages {
        assert_eq!(live_script(page).is_some(), live, "{page}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_site_builds_safely_or_fails_naming_its_files(source in site()) {
        let paths: Vec<String> = source.files.iter().map(|f| f.path.clone()).collect();
        match pipeline::build(source, &BuildOptions::default()) {
            Ok(built) => {
                for (path, bytes) in built.output.iter() {
                    if crate::harness::is_binary_output(path) {
                        continue;
                    }
                    let text = String::from_utf8_lossy(bytes);
                    prop_assert!(!text.chars().any(forbidden), "{} holds a control character", path);
                    if path.ends_with(".xml") {
                        prop_assert!(roxmltree::Document::parse(&text).is_ok(), "{} is not well-formed", path);
                    }
                    if path.ends_with(".html") {
                        let live = live_script(&text);
                        prop_assert!(live.is_none(), "{} has {}", path, live.unwrap_or_default());
                    }
                }
            }
            Err(diagnostics) => {
                let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
                prop_assert!(!errors.is_empty());
                for d in errors {
                    prop_assert!(
                        paths.contains(&d.path) || d.path == "site.yaml",
                        "an error names no file of the site: {}", d
                    );
                }
            }
        }
    }

    #[test]
    fn a_rebuild_after_an_edit_equals_a_fresh_build(
        before in site(),
        edit in (0usize..8, article()),
    ) {
        let options = BuildOptions::default();
        let mut cache = Cache::default();
        let _ = pipeline::rebuild(&before, &options, &mut cache);
        let mut after = before.clone();
        let at = edit.0 % after.files.len();
        after.files[at] = SourceFile::new(after.files[at].path.clone(), edit.1.into_bytes());
        let rebuilt = pipeline::rebuild(&after, &options, &mut cache).and_then(|l| l.output());
        let fresh = pipeline::build(after, &options);
        match (rebuilt, fresh) {
            (Ok(r), Ok(f)) => prop_assert!(r == f.output, "the rebuilt site differs"),
            (Err(r), Err(f)) => prop_assert_eq!(r.sorted(), f.sorted()),
            (r, f) => prop_assert!(false, "rebuilt ok: {}, fresh ok: {}", r.is_ok(), f.is_ok()),
        }
    }
}

/// The generator must make sites that build, or the first property would only
/// ever see failures.
#[test]
fn generated_sites_often_build() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut built = 0;
    for _ in 0..64 {
        let source = site().new_tree(&mut runner).expect("tree").current();
        built += usize::from(pipeline::build(source, &BuildOptions::default()).is_ok());
    }
    assert!(built >= 8, "only {built} of 64 generated sites built");
}

/// One change that an editor, a theme designer or git makes to a site.
#[derive(Clone, Debug)]
enum Edit {
    /// Writes an article at one of the names (an edit, or a new file).
    Write(usize, String),
    /// Deletes the file at a name, if there is one.
    Delete(usize),
    /// Moves the file at one name to another.
    Rename(usize, usize),
    /// Sets the site's `templates/tag.html` override (or removes it).
    Template(usize),
    /// Replaces `site.yaml`.
    Config(usize),
    /// Sets the site's `strings/en.yaml` (or removes it).
    Strings(usize),
    /// Changes one front-matter line of the n-th article there is (`FIELDS`).
    Field(usize, usize, usize),
    /// Adds a paragraph to the n-th article there is (`PARAGRAPHS`).
    Reword(usize, usize),
}

/// Front-matter lines an editor changes on their own: the key a line starts
/// with, and what it may become.
const FIELDS: [(&str, &[&str]); 9] = [
    (
        "title:",
        &[
            "title: 'Retitled'",
            "title: 'Un titre « nouveau »'",
            "title: '<b>Bold</b> & co'",
        ],
    ),
    (
        "amount:",
        &[
            "  amount: '$39 billion'",
            "  amount: '€2bn'",
            "  amount: 'undisclosed'",
            "  amount: 'up to $1 trillion'",
        ],
    ),
    (
        "parties:",
        &[
            "  parties: ['OpenAI', 'Nvidia']",
            "  parties: ['AWS', 'OpenAI']",
        ],
    ),
    (
        "tags:",
        &["tags: ['compute']", "tags: ['cloud', 'Énergie']"],
    ),
    ("date:", &["date: 2025-11-04", "date: 2024-01-01T08:00:00Z"]),
    ("kind:", &["  kind: 'chips'", "  kind: 'cloud'"]),
    ("term:", &["  term: '8 years'", "  term: '7 ans'"]),
    (
        "status:",
        &[
            "  status: cancelled",
            "  status: completed",
            "  status: announced",
        ],
    ),
    ("id:", &["  id: d1", "  id: d2"]),
];

const PARAGRAPHS: [&str; 3] = [
    "One more line.",
    "See [the other one](@/a.md).",
    "```python\nprint(1)\n```",
];

const NAMES: [&str; 5] = [
    "content/a.md",
    "content/b.md",
    "content/b.fr.md",
    "content/accord-été.md",
    "content/x/index.md",
];

// The first two have search (a title edit keeps the index); the others
// turn it off and on again.
const CONFIGS: [&str; 4] = [
    "title: T\nbase_url: https://e.org/b/\nrates: { EUR: 1.1 }\nparties:\n  Amazon: { aliases: [AWS] }\nsearch: { enabled: true }\n",
    "title: Renamed\ndescription: Another\nbase_url: https://e.org/b/\nrates: { EUR: 1.1 }\nparties:\n  Amazon: { aliases: [AWS] }\nsearch: { enabled: true }\n",
    "title: Other\nbase_url: https://e.org/\npagination: { page_size: 1 }\nrates: { EUR: 1.2 }\n",
    "title: T\nbase_url: https://e.org/b/\nmarkdown: { html: escape }\nrates: { EUR: 1.1 }\n",
];

const TEMPLATES: [Option<&str>; 3] = [
    None,
    Some(
        "{% extends \"base.html\" %}{% block content %}<h1>{{ tag.name }}</h1>{% endblock content %}",
    ),
    Some(
        "{% extends \"base.html\" %}{% block content %}<p>{{ page.title }}</p>{% endblock content %}",
    ),
];

const STRINGS: [Option<&str>; 2] = [
    None,
    Some("deals: \"Transactions\"\nall_deals: \"Every transaction\"\n"),
];

/// An article as an editor writes it: valid most of the time, linking to
/// another article sometimes, broken now and then (a session goes through
/// errors and back).
fn editor_article() -> impl Strategy<Value = String> {
    let title = prop::sample::select(vec![
        "OpenAI and AWS sign a $38 billion deal",
        "Accord à 38 milliards",
        "Oracle expands",
        "Le cloud souverain",
    ]);
    let date = prop_oneof![
        9 => prop::sample::select(vec!["2025-11-03", "2024-02-29", "2025-11-03T09:00:00+01:00", "2023-06-01"]),
        1 => Just("2025-13-01"),
    ];
    let tag = prop::option::of(prop::sample::select(vec!["cloud", "compute", "Énergie"]));
    let deal = prop::option::weighted(
        0.8,
        (
            prop::sample::select(vec!["$38 billion", "€1.2bn", "undisclosed", "$300 million"]),
            prop::sample::select(vec![
                ("OpenAI", "AWS"),
                ("Oracle", "Acme"),
                ("Élysée", "OpenAI"),
                ("ACME", "Oracle"),
            ]),
            prop::sample::select(vec!["cloud", "chips"]),
            prop::sample::select(vec!["7 years", "5 ans"]),
            prop::sample::select(vec!["announced", "cancelled", "completed"]),
            prop::sample::select(vec!["d1", "d2", "d3"]),
        ),
    );
    // A `ref:` to a deal another article may declare, revising it or not.
    let reference = prop::option::weighted(
        0.3,
        (
            prop::sample::select(vec!["d1", "d2"]),
            prop::sample::select(vec![
                "",
                "\n  amount: '$50 billion'",
                "\n  status: cancelled",
                "\n  term: '9 years'",
                "\n  parties: ['OpenAI', 'Acme']",
            ]),
        ),
    );
    let body = prop::collection::vec(
        prop::sample::select(vec![
            "Accord à 38 milliards.",
            "See [the other one](@/b.md).",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "```rust\nfn main() {}\n```",
            "<!-- more -->",
            "\"quoted\" -- it's",
            "<script>alert(1)</script>",
            "## Terms",
        ]),
        0..4,
    );
    (title, date, tag, deal, reference, prop::bool::ANY, body).prop_map(
        |(title, date, tag, deal, reference, fr, body)| {
            let mut fm = format!("title: '{title}'\ndate: {date}\n");
            if fr {
                fm.push_str("lang: fr\n");
            }
            if let Some(tag) = tag {
                fm.push_str(&format!("tags: ['{tag}']\n"));
            }
            // One `deals:` list: the deal it declares, then the one it covers.
            if deal.is_some() || reference.is_some() {
                fm.push_str("deals:\n");
            }
            if let Some((amount, (a, b), kind, term, status, id)) = deal {
                fm.push_str(&format!(
                    "-\n  amount: '{amount}'\n  parties: ['{a}', '{b}']\n  kind: '{kind}'\n  term: '{term}'\n  status: {status}\n  id: {id}\n"
                ));
            }
            if let Some((id, revises)) = reference {
                fm.push_str(&format!("-\n  ref: {id}{revises}\n"));
            }
            format!("---\n{fm}---\n{}\n", body.join("\n\n"))
        },
    )
}

/// A site with no article yet: a session's edits write them.
fn empty_site() -> SiteSource {
    SiteSource {
        root: std::path::PathBuf::from("/site"),
        config: CONFIGS[0].to_string(),
        files: Vec::new(),
        diagnostics: Default::default(),
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (0..NAMES.len(), editor_article()).prop_map(|(n, a)| Edit::Write(n, a)),
        1 => (0..NAMES.len()).prop_map(Edit::Delete),
        1 => (0..NAMES.len(), 0..NAMES.len()).prop_map(|(a, b)| Edit::Rename(a, b)),
        1 => (0..TEMPLATES.len()).prop_map(Edit::Template),
        1 => (0..CONFIGS.len()).prop_map(Edit::Config),
        1 => (0..STRINGS.len()).prop_map(Edit::Strings),
        10 => (0..NAMES.len(), 0..FIELDS.len(), 0..4usize).prop_map(|(n, f, v)| Edit::Field(n, f, v)),
        2 => (0..NAMES.len(), 0..PARAGRAPHS.len()).prop_map(|(n, p)| Edit::Reword(n, p)),
    ]
}

/// Rewrites the n-th article of the site (counting round), if there is
/// one, with `change`.
fn retext(site: &mut SiteSource, n: usize, change: impl Fn(&str) -> String) {
    let articles: Vec<&SourceFile> = site
        .files
        .iter()
        .filter(|f| f.path.ends_with(".md"))
        .collect();
    let Some(file) = articles.get(n % articles.len().max(1)) else {
        return;
    };
    let path = file.path.clone();
    let text = change(&String::from_utf8_lossy(&file.bytes));
    set_file(site, &path, Some(text.into_bytes()));
}

/// `text` with the line that starts with `key` replaced by `line`.
fn replace_line(text: &str, key: &str, line: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with(key) {
                line
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Puts `bytes` at `path` (or removes the file), keeping the files sorted as
/// `source::load` gives them.
fn set_file(site: &mut SiteSource, path: &str, bytes: Option<Vec<u8>>) {
    site.files.retain(|f| f.path != path);
    if let Some(bytes) = bytes {
        site.files.push(SourceFile::new(path, bytes));
    }
    site.files.sort_by(|a, b| a.path.cmp(&b.path));
}

fn apply(site: &mut SiteSource, edit: &Edit) {
    match edit {
        Edit::Write(n, text) => set_file(site, NAMES[*n], Some(text.clone().into_bytes())),
        Edit::Delete(n) => set_file(site, NAMES[*n], None),
        Edit::Rename(from, to) => {
            let moved = site
                .files
                .iter()
                .find(|f| f.path == NAMES[*from])
                .map(|f| f.bytes.to_vec());
            if let Some(bytes) = moved {
                set_file(site, NAMES[*from], None);
                set_file(site, NAMES[*to], Some(bytes));
            }
        }
        Edit::Template(t) => set_file(
            site,
            "templates/tag.html",
            TEMPLATES[*t].map(|s| s.as_bytes().to_vec()),
        ),
        Edit::Config(c) => site.config = CONFIGS[*c].to_string(),
        Edit::Strings(s) => set_file(
            site,
            "strings/en.yaml",
            STRINGS[*s].map(|s| s.as_bytes().to_vec()),
        ),
        Edit::Field(n, f, v) => {
            let (key, values) = FIELDS[*f];
            retext(site, *n, |text| {
                replace_line(text, key, values[v % values.len()])
            })
        }
        Edit::Reword(n, p) => retext(site, *n, |text| format!("{text}\n{}\n", PARAGRAPHS[*p])),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The model of a `serve` session: one cache through a sequence of edits
    /// of every kind; after each, every file served (rendered on request one
    /// at a time, or all at once) is the file of the site built fresh (or the
    /// rebuild fails with the same diagnostics).
    #[test]
    fn every_rebuild_in_a_session_equals_a_fresh_build(
        edits in prop::collection::vec(edit(), 1..16),
    ) {
        let options = BuildOptions::default();
        let mut cache = Cache::default();
        let mut site = empty_site();
        let _ = pipeline::rebuild(&site, &options, &mut cache);
        for (step, e) in edits.iter().enumerate() {
            apply(&mut site, e);
            let rebuilt = pipeline::rebuild(&site, &options, &mut cache).and_then(|l| {
                if step % 2 == 0 { served(&l) } else { l.output() }
            });
            let fresh = pipeline::build(site.clone(), &options);
            match (rebuilt, fresh) {
                (Ok(r), Ok(f)) => {
                    let changed = r.changed_paths(&f.output);
                    prop_assert!(changed.is_empty(), "after edit {} ({:?}): pages differ: {:?}", step, e, changed);
                }
                (Err(r), Err(f)) => prop_assert_eq!(r.sorted(), f.sorted(), "after edit {} ({:?})", step, e),
                (r, f) => prop_assert!(false, "after edit {} ({:?}): rebuilt ok: {}, fresh ok: {}", step, e, r.is_ok(), f.is_ok()),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// `dealwire build` with its cache (`.dealwire-cache/build/`) through a
    /// sequence of edits of every kind, the site written to disk anew at
    /// each (every file's time changes, not its bytes): after each, the
    /// output is byte for byte that of a build with no cache (or both fail
    /// alike), and every file whose bytes did not change since the last
    /// build keeps its inode, so nothing unchanged is written.
    #[test]
    fn every_cached_build_equals_a_build_from_scratch(
        edits in prop::collection::vec(edit(), 1..10),
    ) {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("site");
        let mut site = empty_site();
        let mut last: Option<Folder> = None;
        for (step, e) in edits.iter().enumerate() {
            apply(&mut site, e);
            write_site(&root, &site);
            let cached = disk_build(&root, &tmp.path().join("cached"), true);
            let fresh = disk_build(&root, &tmp.path().join("fresh"), false);
            match (cached, fresh) {
                (Ok(c), Ok(f)) => {
                    let bytes = |f: &Folder| f.iter().map(|(p, (b, _))| (p.clone(), b.clone())).collect::<Vec<_>>();
                    let differ: Vec<&String> = c.keys().filter(|p| f.get(*p).map(|x| &x.0) != c.get(*p).map(|x| &x.0)).collect();
                    prop_assert!(bytes(&c) == bytes(&f), "after edit {} ({:?}): files differ: {:?}", step, e, differ);
                    if let Some(last) = &last {
                        for (path, (b, ino)) in &c {
                            if let Some((old, old_ino)) = last.get(path) && old == b {
                                prop_assert_eq!(ino, old_ino, "after edit {} ({:?}): {} was written again", step, e, path);
                            }
                        }
                    }
                    last = Some(c);
                }
                (Err(c), Err(f)) => prop_assert_eq!(c, f, "after edit {} ({:?})", step, e),
                (c, f) => prop_assert!(false, "after edit {} ({:?}): cached ok: {}, fresh ok: {}", step, e, c.is_ok(), f.is_ok()),
            }
        }
    }
}

/// An output folder: each file's bytes and inode.
type Folder = std::collections::BTreeMap<String, (Vec<u8>, u64)>;

/// Writes `site` at `root` anew: every file but the cache's removed, then
/// `site.yaml` and each file written.
fn write_site(root: &std::path::Path, site: &SiteSource) {
    if let Ok(entries) = std::fs::read_dir(root) {
        for entry in entries.flatten() {
            if entry.file_name() != ".dealwire-cache" {
                let path = entry.path();
                let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
            }
        }
    }
    std::fs::create_dir_all(root).expect("mkdir");
    std::fs::write(root.join("site.yaml"), &site.config).expect("config");
    for f in &site.files {
        let path = root.join(&f.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, &f.bytes).expect("write");
    }
}

/// `dealwire build` of the site at `root` into `target`, with the caches or
/// without: the output's files (not its marker), or the build's
/// diagnostics as text.
fn disk_build(
    root: &std::path::Path,
    target: &std::path::Path,
    cached: bool,
) -> Result<Folder, Vec<String>> {
    use dealwire::output::{MARKER, Sink, Staging};
    use std::os::unix::fs::MetadataExt;
    let text = |d: dealwire::diag::Diagnostics| {
        d.sorted().iter().map(|d| d.to_string()).collect::<Vec<_>>()
    };
    let source = dealwire::source::load_deferred(root).map_err(text)?;
    let staging = Staging::begin(target, &source.root).expect("staging");
    let cache = cached
        .then(|| dealwire::build_cache::BuildCache::open(&source.root))
        .flatten()
        .map(std::sync::Arc::new);
    assert_eq!(cache.is_some(), cached, "the cache opens");
    let sink = match &cache {
        Some(cache) => Sink::folder(&staging).with_build_cache(Some(cache.clone())),
        None => Sink::folder(&staging).without_caches(),
    };
    pipeline::build_into(source, &BuildOptions::default(), sink).map_err(text)?;
    staging.finish().expect("finish");
    if let Some(cache) = cache {
        let warnings = cache.finish(true);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
    Ok(crate::harness::walk(target)
        .into_iter()
        .filter(|rel| rel != MARKER)
        .map(|rel| {
            let path = target.join(&rel);
            let ino = std::fs::metadata(&path).expect("meta").ino();
            (rel, (std::fs::read(&path).expect("read"), ino))
        })
        .collect())
}

/// Every file of a served site, each asked for on its own as a browser
/// would (`Live::get`); or the errors of the first that fails, with the
/// warnings, as a build reports them.
fn served(
    live: &dealwire::live::Live,
) -> Result<dealwire::output::Output, dealwire::diag::Diagnostics> {
    let mut output = dealwire::output::Output::new();
    for path in live.paths() {
        match live.get(&path) {
            Ok(Some(bytes)) => output.insert(path, bytes),
            Ok(None) => panic!("{path} is listed but not served"),
            Err(errors) => {
                let mut all = live.warnings.clone();
                all.extend(errors);
                return Err(all.sorted());
            }
        }
    }
    Ok(output)
}

/// `count` edit sequences as the session property draws them, the same at
/// every run.
fn sessions(count: usize) -> Vec<Vec<Edit>> {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..count)
        .map(|_| {
            prop::collection::vec(edit(), 1..16)
                .new_tree(&mut runner)
                .expect("tree")
                .current()
        })
        .collect()
}

/// `serve` makes the search bundle when a page first asks for it, and from
/// then on in the background check after each edit: a session that never
/// searches never pays for an index.
#[test]
fn serve_makes_the_search_index_only_once_a_page_asks_for_it() {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let mut cache = Cache::default();
    let mut site = empty_site();
    assert!(CONFIGS[0].contains("search: { enabled: true }"));
    let article = |word: &str| format!("---\ntitle: A\ndate: 2025-01-01\n---\nThe {word}.\n");
    apply(&mut site, &Edit::Write(0, article("contract")));
    let live = pipeline::rebuild(&site, &BuildOptions::default(), &mut cache).expect("builds");
    live.check(&stop).expect("check");
    assert!(!live.search_made(), "never asked for: never made");
    let loader = live.get("pagefind/1.6.0/pagefind.js").expect("get");
    assert!(loader.is_some_and(|b| !b.is_empty()));
    assert!(live.search_made(), "made when asked for");

    apply(&mut site, &Edit::Write(0, article("lease")));
    let next = pipeline::rebuild(&site, &BuildOptions::default(), &mut cache).expect("builds");
    assert!(!next.search_made());
    next.check(&stop).expect("check");
    assert!(
        next.search_made(),
        "asked for once in the session: remade in the check"
    );
}

/// The session property must see edits that update the model in place
/// (`Site::with_replaced`), or it would test the whole-site path only.
#[test]
fn sessions_often_update_the_model_in_place() {
    let (mut rebuilds, mut updated) = (0, 0);
    for edits in sessions(24) {
        let mut cache = Cache::default();
        let mut site = empty_site();
        for e in &edits {
            apply(&mut site, e);
            if let Ok(live) = pipeline::rebuild(&site, &BuildOptions::default(), &mut cache) {
                rebuilds += 1;
                updated += usize::from(live.updated);
            }
        }
    }
    assert!(
        updated * 10 >= rebuilds,
        "only {updated} of {rebuilds} rebuilds updated the model in place"
    );
}

/// Edit sequences must often leave a site that builds, or the session
/// property would only compare failures.
#[test]
fn edited_sites_often_build() {
    let (mut steps, mut built) = (0, 0);
    for edits in sessions(24) {
        let mut site = empty_site();
        for e in &edits {
            apply(&mut site, e);
            steps += 1;
            built += usize::from(pipeline::build(site.clone(), &BuildOptions::default()).is_ok());
        }
    }
    assert!(
        built * 2 >= steps,
        "only {built} of {steps} edited sites built"
    );
}

/// Found by the session property: the same text moved from `b.fr.md` to
/// `b.md` changes language, so its cached page may not be reused.
#[test]
fn a_translation_renamed_to_the_main_language_is_rendered_again() {
    let options = BuildOptions::default();
    let mut cache = Cache::default();
    let mut site = empty_site();
    let text = "---\ntitle: 'Oracle expands'\ndate: 2025-11-03\n---\n\n".to_string();
    for e in [Edit::Write(2, text), Edit::Rename(2, 1)] {
        apply(&mut site, &e);
        let rebuilt = pipeline::rebuild(&site, &options, &mut cache)
            .and_then(|l| l.output())
            .expect("rebuilt");
        let fresh = pipeline::build(site.clone(), &options).expect("fresh");
        assert_eq!(
            rebuilt.changed_paths(&fresh.output),
            Vec::<String>::new(),
            "after {e:?}"
        );
    }
}
