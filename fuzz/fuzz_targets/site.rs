//! `pipeline::build` over small generated sites: a few files whose names mix
//! accents, spaces, `&`, `..`, `#`, `~`, `.bak`, `.fr.md` and bundle folders;
//! front matter assembled from the fields an editor writes, with chosen or
//! arbitrary values; bodies from Markdown pieces or arbitrary text. The site is
//! built in memory as `source::load` would read it, then its links are checked.
//!
//! Invariants: no panic; a failed build reports at least one error and every
//! diagnostic names a file; a successful build writes only inside the output
//! folder, its HTML pages hold no script but the theme's (and no `on*`
//! attribute or script URL), its `.xml` files have no forbidden control
//! character and parse as XML, and its `.json` files parse as JSON.

#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use dealwire::links;
use dealwire::pipeline::{self, BuildOptions};
use dealwire::source::{SiteSource, SourceFile};
use dealwire_fuzz::{
    Scripts, check_html, check_message, ensure, first_forbidden_xml_char, violation,
};
use libfuzzer_sys::fuzz_target;

const NAME_PARTS: &[&str] = &[
    "a",
    "deal",
    "Accord",
    "é",
    "È",
    "ß",
    "日本",
    " ",
    "&",
    "..",
    "#",
    "~",
    ".bak",
    ".fr",
    ".en",
    "index",
    "-",
    "_",
    "%20",
    "?",
    "'",
    "\"",
    "<",
    ">",
    "2025-11-03-",
    "Z",
    "0",
    "🙂",
    "e\u{301}",
    ".",
    "+",
    "=",
];

/// Values an editor writes: the first `good` are accepted by dealwire, the rest
/// probe its edges (markup, control characters, bad dates…).
struct List {
    all: &'static [&'static str],
    good: usize,
}

const TEXTS: List = List {
    good: 6,
    all: &[
        "OpenAI signs a $38 billion cloud deal with AWS",
        "Accord à 38 milliards",
        "Nvidia & OpenAI",
        "cloud",
        "Ünïcödé",
        "Deal 2",
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "</title><script>alert(1)</script>",
        "javascript:alert(1)",
        "]]>",
        "\u{1}\u{8}",
        "\u{b}\u{c}\u{1b}[31m",
        "&amp; &lt;",
        "{{ page }}",
        "{% raw %}",
        "-->",
        "\u{2028}\u{2029}",
        "\u{feff}",
        "   ",
        "",
        "yes",
        "null",
        "x\ny",
        "'",
        "\\",
        "\u{7f}\u{85}",
        "=cmd|' /C calc'!A0",
    ],
};

const DATES: List = List {
    good: 6,
    all: &[
        "2025-11-03",
        "2025-11-04",
        "2024-02-29",
        "2025-11-03T09:00:00+01:00",
        "2025-11-03T23:30:00-05:00",
        "2025-11-03 09:00:00Z",
        "2025-02-30",
        "0000-01-01",
        "9999-12-31",
        "-002025-01-01",
        "2025-1-3",
        "2025-11-03T09:00:00+25:00",
        "2025-11-0é",
    ],
};

const AMOUNTS: List = List {
    good: 21,
    all: &[
        "$38 billion",
        "$38B",
        "US$38bn",
        "USD 38bn",
        "38 billion USD",
        "38 milliards de dollars",
        "38 Md$",
        "€1.2bn",
        "1,2 milliard d'euros",
        "£500m",
        "$1.4 trillion",
        "1 400 milliards de dollars",
        "up to $100B",
        "jusqu'à 100 milliards de dollars",
        "more than $10B",
        "plus de 10 milliards de dollars",
        "~$10B",
        "environ 10 milliards de dollars",
        "undisclosed",
        "non divulgué",
        "10 billions d'euros",
        "CHF 5 billion",
        "¥2 billion",
        "$99999999999999999999",
        "$0.0000000000000000000000001",
        "5 SEK",
        "38 zillion dollars",
    ],
};

const PARTIES: List = List {
    good: 5,
    all: &[
        "OpenAI",
        "AWS",
        "Nvidia",
        "Microsoft",
        "Ünï & Co",
        "Amazon",
        "Amazon Web Services",
        "openai",
        "Open AI",
        "",
        " ",
        "<b>x</b>",
        "&",
        "-",
        "x",
        "AWS ",
    ],
};

const CURRENCIES: List = List {
    good: 4,
    all: &["USD", "EUR", "GBP", "JPY", "usd", "XYZ", "€", ""],
};

const LANGS: List = List {
    good: 2,
    all: &["en", "fr", "de", "EN", ""],
};

const SLUGS: List = List {
    good: 3,
    all: &[
        "openai-aws",
        "accord",
        "deal-2",
        "../x",
        "A",
        "",
        "a/b",
        "é",
        "a--b",
        "-",
    ],
};

const BODY: &[&str] = &[
    "# Title\n",
    "## Why it matters {#why}\n",
    "## Again {#why}\n",
    "## X {#x\"/onfocus=\"alert(1)}\n",
    "[link](javascript:alert(1))\n",
    "[a](@/articles/x.md)\n",
    "[b](../y/)\n",
    "![i](chart.png)\n",
    "<!-- more -->\n",
    "<script>alert(1)</script>\n",
    "```rust\nfn main() {}\n```\n",
    "```nope\n<x>\n```\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "text [^1]\n\n[^1]: note\n",
    "- [x] done\n",
    "> quote\n",
    "\n",
    "Il dit \"oui\" : d'accord ?\n",
    "<https://e.org>\n",
    "[x]: javascript:alert(1)\n[y][x]\n",
    "\u{1}\u{2}control\n",
    "]]>\n",
    "[c](<a b.md>)\n",
    "[d](#top)\n",
];

#[derive(Arbitrary, Debug)]
struct SiteSpec {
    french: bool,
    sub_path: bool,
    drafts: bool,
    title: Option<Str>,
    description: Option<Str>,
    feed_limit: u8,
    // One file at least: exhausted input still makes an article.
    files: (FileSpec, Vec<FileSpec>),
}

#[derive(Arbitrary, Debug)]
struct FileSpec {
    folder: Folder,
    name: Vec<Part>,
    ext: Ext,
    content: Content,
}

#[derive(Arbitrary, Debug)]
enum Folder {
    Articles,
    Content,
    Bundle(Vec<Part>),
    Nested(Vec<Part>, Vec<Part>),
    Static,
}

#[derive(Arbitrary, Debug)]
enum Part {
    Known(u8),
    Any(String),
}

#[derive(Debug)]
enum Ext {
    Md,
    FrMd,
    EnMd,
    DeMd,
    Bak,
    Tilde,
    Png,
    Html,
    Xml,
    None,
}

#[derive(Debug)]
enum Content {
    Article(Front, Vec<Piece>),
    Raw(String),
}

impl<'a> Arbitrary<'a> for Ext {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        const OTHERS: [Ext; 8] = [
            Ext::EnMd,
            Ext::DeMd,
            Ext::Bak,
            Ext::Tilde,
            Ext::Png,
            Ext::Html,
            Ext::Xml,
            Ext::None,
        ];
        Ok(match u8::arbitrary(u)? {
            0..=127 => Ext::Md,
            128..=175 => Ext::FrMd,
            b => OTHERS
                .into_iter()
                .nth(usize::from(b) % 8)
                .unwrap_or(Ext::Md),
        })
    }
}

impl<'a> Arbitrary<'a> for Content {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u8::arbitrary(u)? {
            0..=231 => Content::Article(u.arbitrary()?, u.arbitrary()?),
            _ => Content::Raw(u.arbitrary()?),
        })
    }
}

/// Present for about one input in ten: for fields that always fail a build.
#[derive(Debug)]
struct Rare<T>(Option<T>);

impl<'a, T: Arbitrary<'a>> Arbitrary<'a> for Rare<T> {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Rare(match u8::arbitrary(u)? {
            0..=231 => None,
            _ => Some(u.arbitrary()?),
        }))
    }
}

/// A value from a [`List`] or of the fuzzer's making. Short or exhausted input
/// gives accepted values, so most inputs build and the output checks run.
#[derive(Debug)]
enum Str {
    Good(u8),
    Edge(u8),
    Quoted(String),
    Plain(String),
}

impl<'a> Arbitrary<'a> for Str {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u8::arbitrary(u)? {
            0..=159 => Str::Good(u.arbitrary()?),
            160..=207 => Str::Edge(u.arbitrary()?),
            208..=231 => Str::Quoted(u.arbitrary()?),
            _ => Str::Plain(u.arbitrary()?),
        })
    }
}

#[derive(Arbitrary, Debug)]
struct Front {
    // Title and date are always written: a missing one fails every build it is
    // in, and `front_matter` covers those errors.
    title: Str,
    date: Str,
    updated: Option<Str>,
    lang: Option<Str>,
    summary: Option<Str>,
    tags: Vec<Str>,
    draft: Option<bool>,
    slug: Option<Str>,
    deals: Deals,
    extra: Rare<(Str, Str)>,
}

#[derive(Debug)]
enum Deals {
    None,
    One(Deal),
    Many(Vec<Deal>),
    Both(Deal, Vec<Deal>),
}

impl<'a> Arbitrary<'a> for Deals {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u8::arbitrary(u)? {
            0..=63 => Deals::None,
            64..=159 => Deals::One(u.arbitrary()?),
            160..=239 => Deals::Many(u.arbitrary()?),
            _ => Deals::Both(u.arbitrary()?, u.arbitrary()?),
        })
    }
}

#[derive(Arbitrary, Debug)]
struct Deal {
    amount: AmountSpec,
    parties: (Str, Str, Vec<Str>),
    date: Option<Str>,
    kind: Option<Str>,
    term: Option<Str>,
}

#[derive(Arbitrary, Debug)]
enum AmountSpec {
    Text(Str),
    Mapping(Number, Str),
}

#[derive(Arbitrary, Debug)]
enum Number {
    Int(i64),
    Float(f64),
    Text(Str),
}

#[derive(Arbitrary, Debug)]
enum Piece {
    Known(u8),
    Any(String),
}

/// The YAML for a value: list entries and the fuzzer's strings JSON-quoted
/// (valid YAML 1.2 whatever the text), or the fuzzer's string written bare.
fn yaml_value(s: &Str, list: &List) -> String {
    let at = |i: &u8, n: usize| list.all[usize::from(*i) % n];
    match s {
        Str::Good(i) => quote(at(i, list.good)),
        Str::Edge(i) => quote(at(i, list.all.len())),
        Str::Quoted(s) => quote(s),
        Str::Plain(s) => s.replace(['\n', '\r'], " "),
    }
}

fn scalar(s: &Str) -> String {
    yaml_value(s, &TEXTS)
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn name(parts: &[Part]) -> String {
    let mut out: String = parts
        .iter()
        .take(4)
        .map(|p| match p {
            Part::Known(i) => NAME_PARTS[usize::from(*i) % NAME_PARTS.len()].to_string(),
            Part::Any(s) => s
                .chars()
                .filter(|c| !matches!(c, '/' | '\0'))
                .take(12)
                .collect(),
        })
        .collect();
    if out.is_empty() {
        out.push('a');
    }
    out
}

fn deal_yaml(d: &Deal, indent: &str, out: &mut String) {
    let amount = match &d.amount {
        AmountSpec::Text(s) => yaml_value(s, &AMOUNTS),
        AmountSpec::Mapping(n, c) => {
            let value = match n {
                Number::Int(i) => i.to_string(),
                Number::Float(f) => format!("{f:?}"),
                Number::Text(s) => scalar(s),
            };
            format!(
                "{{ value: {value}, currency: {} }}",
                yaml_value(c, &CURRENCIES)
            )
        }
    };
    out.push_str(&format!("{indent}amount: {amount}\n"));
    let (first, second, more) = &d.parties;
    let parties: Vec<String> = [first, second]
        .into_iter()
        .chain(more.iter().take(2))
        .map(|p| yaml_value(p, &PARTIES))
        .collect();
    out.push_str(&format!("{indent}parties: [{}]\n", parties.join(", ")));
    if let Some(date) = &d.date {
        out.push_str(&format!("{indent}date: {}\n", yaml_value(date, &DATES)));
    }
    if let Some(kind) = &d.kind {
        out.push_str(&format!("{indent}kind: {}\n", scalar(kind)));
    }
    if let Some(term) = &d.term {
        out.push_str(&format!("{indent}term: {}\n", scalar(term)));
    }
}

fn article(front: &Front, body: &[Piece]) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", scalar(&front.title)));
    out.push_str(&format!("date: {}\n", yaml_value(&front.date, &DATES)));
    if let Some(d) = &front.updated {
        out.push_str(&format!("updated: {}\n", yaml_value(d, &DATES)));
    }
    if let Some(l) = &front.lang {
        out.push_str(&format!("lang: {}\n", yaml_value(l, &LANGS)));
    }
    if let Some(s) = &front.summary {
        out.push_str(&format!("summary: {}\n", scalar(s)));
    }
    if !front.tags.is_empty() {
        let tags: Vec<String> = front.tags.iter().take(3).map(scalar).collect();
        out.push_str(&format!("tags: [{}]\n", tags.join(", ")));
    }
    if let Some(d) = front.draft {
        out.push_str(&format!("draft: {d}\n"));
    }
    if let Some(s) = &front.slug {
        out.push_str(&format!("slug: {}\n", yaml_value(s, &SLUGS)));
    }
    let many = |ds: &[Deal], out: &mut String| {
        out.push_str("deals:\n");
        for d in ds.iter().take(3) {
            let mut item = String::new();
            deal_yaml(d, "    ", &mut item);
            out.push_str(&item.replacen("    ", "  - ", 1));
        }
    };
    match &front.deals {
        Deals::None => {}
        Deals::One(d) => {
            out.push_str("deal:\n");
            deal_yaml(d, "  ", &mut out);
        }
        Deals::Many(ds) => many(ds, &mut out),
        Deals::Both(d, ds) => {
            out.push_str("deal:\n");
            deal_yaml(d, "  ", &mut out);
            many(ds, &mut out);
        }
    }
    if let Rare(Some((k, v))) = &front.extra {
        out.push_str(&format!("{}: {}\n", scalar(k), scalar(v)));
    }
    out.push_str("---\n");
    for p in body.iter().take(8) {
        match p {
            Piece::Known(i) => out.push_str(BODY[usize::from(*i) % BODY.len()]),
            Piece::Any(s) => out.push_str(s),
        }
    }
    out
}

fn site_yaml(spec: &SiteSpec) -> String {
    let base = if spec.sub_path {
        "https://example.org/briefing/"
    } else {
        "https://example.org/"
    };
    let title = spec
        .title
        .as_ref()
        .map_or_else(|| quote("Fuzz Briefing"), scalar);
    let mut out = format!(
        "title: {title}\nbase_url: {base}\nlanguage: {}\nreporting_currency: USD\nrates:\n  EUR: 1.08\n  GBP: 1.27\n  JPY: 0.0066\n  CHF: 1.1\nparties:\n  Amazon: {{ aliases: [AWS, Amazon Web Services] }}\n  OpenAI: {{}}\n  Nvidia: {{}}\nfeeds:\n  limit: {}\n",
        if spec.french { "fr" } else { "en" },
        1 + spec.feed_limit % 4,
    );
    if let Some(d) = &spec.description {
        out.push_str(&format!("description: {}\n", scalar(d)));
    }
    out
}

/// The site as `source::load` would read it: hidden and backup (`~`) entries
/// skipped, files sorted by path, one file per path.
fn source(spec: &SiteSpec) -> SiteSource {
    let mut files: Vec<SourceFile> = Vec::new();
    for f in std::iter::once(&spec.files.0).chain(spec.files.1.iter().take(4)) {
        let folder = match &f.folder {
            Folder::Articles => "content/articles".to_string(),
            Folder::Content => "content".to_string(),
            Folder::Bundle(p) => format!("content/articles/{}", name(p)),
            Folder::Nested(a, b) => format!("content/{}/{}", name(a), name(b)),
            Folder::Static => "static".to_string(),
        };
        let ext = match f.ext {
            Ext::Md => ".md",
            Ext::FrMd => ".fr.md",
            Ext::EnMd => ".en.md",
            Ext::DeMd => ".de.md",
            Ext::Bak => ".md.bak",
            Ext::Tilde => ".md~",
            Ext::Png => ".png",
            Ext::Html => ".html",
            Ext::Xml => ".xml",
            Ext::None => "",
        };
        let path = format!("{folder}/{}{ext}", name(&f.name));
        let hidden = path
            .split('/')
            .skip(1)
            .any(|part| part.starts_with('.') || part.ends_with('~'));
        if hidden {
            continue;
        }
        // Copied files are the editor's own bytes: keep them inert, so that
        // what the checks find comes from dealwire.
        let bytes = if path.ends_with(".md") {
            match &f.content {
                Content::Article(front, body) => article(front, body).into_bytes(),
                Content::Raw(s) => s.clone().into_bytes(),
            }
        } else if path.ends_with(".xml") {
            b"<?xml version=\"1.0\"?>\n<asset/>\n".to_vec()
        } else if path.ends_with(".json") {
            b"{}\n".to_vec()
        } else {
            b"<p>asset</p>\n".to_vec()
        };
        files.push(SourceFile::new(path, bytes));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    SiteSource {
        root: "/fuzz-site".into(),
        config: site_yaml(spec),
        files,
        ..SiteSource::default()
    }
}

fn check_output_path(path: &str) {
    let inside = !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..");
    ensure(inside, "output-path-inside", || format!("{path:?}"));
}

fuzz_target!(|spec: SiteSpec| {
    let options = BuildOptions {
        base_url: None,
        drafts: spec.drafts,
        future: true,
        preview: false,
    };
    let result = pipeline::build(source(&spec), &options);
    if std::env::var_os("FUZZ_VERBOSE").is_some() {
        match &result {
            Ok(b) => eprintln!(
                "site: built {} pages, {} articles, {} deals",
                b.pages, b.articles, b.deals
            ),
            Err(d) => eprintln!(
                "site: failed: {}",
                d.iter().next().map(|d| d.to_string()).unwrap_or_default()
            ),
        }
    }
    match result {
        Err(diags) => {
            ensure(diags.has_errors(), "failure-has-error", || {
                format!("{diags:?}")
            });
            for d in diags.iter() {
                ensure(!d.path.is_empty(), "diagnostic-names-file", || {
                    d.to_string()
                });
                check_message(d);
            }
        }
        Ok(built) => {
            for (path, bytes) in built.output.iter() {
                check_output_path(path);
                if path.ends_with(".html") {
                    match std::str::from_utf8(bytes) {
                        Ok(html) => check_html(html, path, Scripts::Theme),
                        Err(e) => violation("utf8-output", format!("{path}: {e}")),
                    }
                } else if path.ends_with(".xml") {
                    let Ok(xml) = std::str::from_utf8(bytes) else {
                        violation("utf8-output", path);
                        continue;
                    };
                    if let Some((at, c)) = first_forbidden_xml_char(xml) {
                        let from = xml[..at].char_indices().rev().nth(60).map_or(0, |(i, _)| i);
                        violation(
                            "xml-control-char",
                            format!("{path}: {c:?} at byte {at}: {:?}", &xml[from..at]),
                        );
                    }
                    // A forbidden character is reported above; parse only what could parse.
                    else if let Err(e) = roxmltree::Document::parse(xml) {
                        violation("xml-well-formed", format!("{path}: {e}"));
                    }
                } else if path.ends_with(".json") {
                    if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
                        violation("json-valid", format!("{path}: {e}"));
                    }
                }
            }
            let mut broken = dealwire::diag::Diagnostics::new();
            links::check(
                &built.links,
                |p| built.output.contains(p),
                &built.config,
                &mut broken,
            );
            for d in &broken {
                ensure(!d.path.is_empty(), "diagnostic-names-file", || {
                    d.to_string()
                });
            }
        }
    }
});
