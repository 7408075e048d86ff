//! Site configuration: `site.yaml` → `Config`.
//!
//! Input: the text of `site.yaml`. Output: a validated `Config`, or diagnostics
//! naming the line and key. Unknown keys are errors, never ignored. Rates are read
//! as exact decimals from the text YAML holds, never through `f64` arithmetic.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::diag::{Diagnostic, Diagnostics};
use crate::html::HtmlPolicy;
use crate::i18n::Lang;
use crate::money::Currency;
use crate::party::Names;
use crate::yaml;

/// Where `site.yaml` lives, relative to the site root.
pub const CONFIG_FILE: &str = "site.yaml";

/// The years an article, a deal or a rate may be dated in: the charts and
/// archives span them, so a slip such as `0025` or `9999` is an error, not a
/// page of ten thousand empty years.
pub const YEARS: std::ops::RangeInclusive<i16> = 1900..=2199;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    reporting_currency: Option<String>,
    #[serde(default, deserialize_with = "rates_as_written")]
    rates: BTreeMap<String, RawRate>,
    #[serde(default)]
    parties: BTreeMap<String, Option<RawParty>>,
    #[serde(default)]
    authors: BTreeMap<String, Option<RawAuthor>>,
    #[serde(default)]
    highlight: Option<RawHighlight>,
    #[serde(default)]
    markdown: Option<RawMarkdown>,
    #[serde(default)]
    feeds: Option<RawFeeds>,
    #[serde(default)]
    pagination: Option<RawPagination>,
    #[serde(default)]
    search: Option<RawSearch>,
    #[serde(default)]
    languages: BTreeMap<String, Option<RawEdition>>,
    #[serde(default)]
    images: Option<RawImages>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImages {
    #[serde(default)]
    widths: Option<Vec<u32>>,
    #[serde(default)]
    quality: Option<u8>,
    #[serde(default)]
    formats: Option<Vec<String>>,
    #[serde(default)]
    keep_metadata: Option<bool>,
    #[serde(default)]
    max_megapixels: Option<u32>,
    #[serde(default)]
    sizes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdition {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSearch {
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPagination {
    page_size: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeeds {
    #[serde(default = "default_feed_limit")]
    limit: usize,
    /// Old feed paths (an imported site's), each with the format of the
    /// feed copied there.
    #[serde(default)]
    copies: BTreeMap<String, FeedFormat>,
}

fn default_feed_limit() -> usize {
    20
}

/// A feed's format.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum FeedFormat {
    /// Atom 1.0 (`atom.xml`).
    Atom,
    /// RSS 2.0 (`rss.xml`).
    Rss,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    #[serde(default)]
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthor {
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    bio: Option<String>,
}

/// What `site.yaml` says of an author besides the name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorInfo {
    /// Their own page elsewhere (an absolute http(s) URL).
    pub url: Option<String>,
    /// A sentence about them, shown on their author page.
    pub bio: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHighlight {
    theme: String,
    #[serde(default)]
    dark_theme: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    #[serde(default)]
    html: Option<HtmlPolicy>,
    #[serde(default)]
    unsafe_html: bool,
    #[serde(default)]
    typography: Option<bool>,
}

/// A number as YAML wrote it, kept as its text so that no digit is lost on the
/// way to a `Decimal` (a float would keep 17 at most).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawNumber(pub String);

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = RawNumber;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number")
            }
            fn visit_str<E>(self, v: &str) -> Result<RawNumber, E> {
                Ok(RawNumber(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawNumber, E> {
                Ok(RawNumber(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawNumber, E> {
                Ok(RawNumber(v.to_string()))
            }
        }
        // Asked for a string, the YAML reader hands over a plain scalar's text
        // as written (`1.0800000000000000000001`), not a parsed float.
        deserializer.deserialize_str(Text)
    }
}

/// A currency's rates as written: one number, or numbers by year or date
/// (`{ 2024: 1.08, 2025-07-01: 1.17 }`), each kept as its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawRate {
    /// One rate for every date.
    One(RawNumber),
    /// Rates by `YYYY` or `YYYY-MM-DD`, as written.
    Dated(Vec<(String, RawNumber)>),
}

thread_local! {
    /// The currencies whose `rates:` entry is a mapping, learnt by `parse`
    /// before the typed pass: a YAML reader gives a scalar's text as written
    /// only when asked for a string, which a mapping refuses, so each entry
    /// must be asked for in its own shape.
    static DATED_RATES: std::cell::RefCell<std::collections::BTreeSet<String>> =
        Default::default();
}

/// `rates:` with every number as its text (see `DATED_RATES`).
fn rates_as_written<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, RawRate>, D::Error> {
    struct Rates;
    impl<'de> serde::de::Visitor<'de> for Rates {
        type Value = BTreeMap<String, RawRate>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("currency codes with their rates")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut rates = BTreeMap::new();
            while let Some(code) = map.next_key::<String>()? {
                let dated = DATED_RATES.with(|d| d.borrow().contains(&code));
                let rate = if dated {
                    let by_date: BTreeMap<String, RawNumber> = map.next_value()?;
                    RawRate::Dated(by_date.into_iter().collect())
                } else {
                    RawRate::One(map.next_value()?)
                };
                rates.insert(code, rate);
            }
            Ok(rates)
        }
    }
    deserializer.deserialize_map(Rates)
}

impl RawNumber {
    /// The exact decimal that was written, or `None` when it is not a number.
    pub fn to_decimal(&self) -> Option<Decimal> {
        let text = self.0.trim();
        Decimal::from_str_exact(text)
            .or_else(|_| Decimal::from_scientific(text))
            .ok()
    }
}

/// The validated site configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The briefing's title.
    pub title: String,
    /// The public base URL, always ending with `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/briefing/`), always starting and ending with `/`.
    pub base_path: String,
    /// The default language of articles.
    pub language: Lang,
    /// The theme name.
    pub theme: String,
    /// A one-sentence description of the site.
    pub description: String,
    /// The currency totals are computed in.
    pub reporting_currency: Currency,
    /// The value of one unit of each currency in the reporting currency, by date.
    pub rates: BTreeMap<Currency, crate::money::Rates>,
    /// Canonical party names and their aliases.
    pub parties: Names,
    /// Canonical author names and their aliases (`authors:`).
    pub authors: Names,
    /// Canonical author name → what `site.yaml` says of them.
    pub author_info: BTreeMap<String, AuthorInfo>,
    /// The syntect theme for code blocks.
    pub highlight_theme: String,
    /// The syntect theme for code blocks in dark mode, when it differs.
    pub highlight_dark_theme: Option<String>,
    /// What becomes of raw HTML in Markdown (`markdown: { html: … }`).
    pub html: HtmlPolicy,
    /// Curly quotes, dashes and the language's spacing in prose
    /// (`markdown: { typography: false }` turns them off; on by default).
    pub typography: bool,
    /// How many articles (and deals) the feeds carry.
    pub feed_limit: usize,
    /// `feeds: { copies: { PATH: atom|rss } }`: the paths (relative to the
    /// base URL, checked) that get a copy of an edition's feed, for the
    /// readers subscribed to an old site's feed at that address (a feed
    /// reader does not follow a redirect page).
    pub feed_copies: Vec<(String, FeedFormat)>,
    /// How many entries a tag, author or party page lists before the next
    /// page (`pagination: { page_size: 100 }`).
    pub page_size: usize,
    /// Whether the site has a search page and index (on unless `search: {
    /// enabled: false }`; see README "Search").
    pub search: bool,
    /// Each language's own title and description, where `languages:` gives
    /// them (`fr: { title, description }`).
    pub editions: BTreeMap<Lang, EditionText>,
    /// How images are published (`images:`): widths, quality, formats, metadata.
    pub images: crate::images::Settings,
    /// The `sizes` attribute of an article's responsive images: how wide the
    /// theme shows them (`images: { sizes: … }`).
    pub image_sizes: String,
}

/// The `sizes` of the default theme's article column (40rem wide at most: `.wrap`).
pub const DEFAULT_IMAGE_SIZES: &str = "(max-width: 42rem) calc(100vw - 2rem), 40rem";

/// The widest image variant dealwire makes.
pub const MAX_IMAGE_WIDTH: u32 = 8192;

/// A language edition's title and description (`languages: { fr: { … } }`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditionText {
    /// Its title, when it has its own.
    pub title: Option<String>,
    /// Its description, when it has its own.
    pub description: Option<String>,
}

impl Config {
    /// The site's title in a language: its edition's own, else the site's.
    pub fn title_in(&self, lang: Lang) -> &str {
        self.editions
            .get(&lang)
            .and_then(|e| e.title.as_deref())
            .unwrap_or(&self.title)
    }

    /// The site's description in a language: its edition's own, else the site's.
    pub fn description_in(&self, lang: Lang) -> &str {
        self.editions
            .get(&lang)
            .and_then(|e| e.description.as_deref())
            .unwrap_or(&self.description)
    }
}

/// What parsing an article reads of the configuration, and nothing else: the
/// parser is given this, not the `Config`, so a change elsewhere in
/// `site.yaml` (the title, the page size, the base URL) cannot change a
/// parse, and a session keeps its parses across it (`fingerprint`).
#[derive(Clone, Copy, Debug, Hash)]
pub struct ArticleSettings<'a> {
    /// The default language of articles.
    pub language: Lang,
    /// The currency totals are computed in.
    pub reporting_currency: Currency,
    /// The value of one unit of each currency in the reporting currency.
    pub rates: &'a BTreeMap<Currency, crate::money::Rates>,
    /// Canonical party names and their aliases.
    pub parties: &'a Names,
    /// Canonical author names and their aliases.
    pub authors: &'a Names,
    /// What becomes of raw HTML in Markdown.
    pub html: HtmlPolicy,
    /// Curly quotes, dashes and the language's spacing in prose.
    pub typography: bool,
}

impl ArticleSettings<'_> {
    /// A hash of the settings: equal settings parse every file alike.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }
}

impl Config {
    /// What parsing an article may read of this configuration.
    pub fn article_settings(&self) -> ArticleSettings<'_> {
        ArticleSettings {
            language: self.language,
            reporting_currency: self.reporting_currency,
            rates: &self.rates,
            parties: &self.parties,
            authors: &self.authors,
            html: self.html,
            typography: self.typography,
        }
    }

    /// Replaces the base URL (for `--base-url`).
    pub fn with_base_url(mut self, url: &str) -> Result<Config, String> {
        let (base_url, base_path) = normalise_base_url(url)?;
        self.base_url = base_url;
        self.base_path = base_path;
        Ok(self)
    }

    /// An absolute URL for a site-relative path such as `articles/x/`.
    pub fn absolute_url(&self, rel: &str) -> String {
        format!("{}{}", self.base_url, rel.trim_start_matches('/'))
    }

    /// A root-relative URL (`/briefing/articles/x/`) for a site-relative path.
    pub fn path_url(&self, rel: &str) -> String {
        format!("{}{}", self.base_path, rel.trim_start_matches('/'))
    }
}

/// Parses and validates `site.yaml`.
pub fn parse(text: &str) -> Result<Config, Diagnostics> {
    DATED_RATES.with(|d| *d.borrow_mut() = yaml::mapping_entries(text, "rates"));
    let raw: RawConfig = yaml::from_str(text).map_err(|e| {
        Diagnostic::error(CONFIG_FILE, e.message)
            .at_opt(e.position)
            .field(e.field)
    })?;
    let mut r = Reader {
        text,
        outline: std::cell::OnceCell::new(),
        diags: Diagnostics::new(),
    };
    let (base_url, base_path) = normalise_base_url(&raw.base_url).unwrap_or_else(|m| {
        r.error("base_url", m);
        ("/".into(), "/".into())
    });
    let language = r.language(raw.language.as_deref());
    let reporting_currency = r.currency(raw.reporting_currency.as_deref());
    let rates = r.rates(&raw.rates);
    let theme = r.theme(raw.theme.unwrap_or_else(|| "default".into()));
    let parties = r.parties(raw.parties);
    let (authors, author_info) = r.authors(raw.authors);
    let editions = r.editions(raw.languages);
    let (images, image_sizes) = r.images(raw.images);
    if raw.feeds.as_ref().is_some_and(|f| f.limit == 0) {
        r.error("feeds.limit", "a feed needs at least one entry".into());
    }
    let mut feed_copies = Vec::new();
    for (path, format) in raw
        .feeds
        .as_ref()
        .map(|f| f.copies.clone())
        .unwrap_or_default()
    {
        let rel = path.trim_start_matches('/').to_string();
        let bad = rel.is_empty()
            || !rel.ends_with(".xml")
            || rel.contains('\\')
            || rel.chars().any(char::is_control)
            || rel
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == ".." || p.starts_with('.'));
        if bad {
            r.error(
                "feeds.copies",
                format!("`{path}` is not a path on the site ending in `.xml` (such as `index.xml` or `feed.xml`)"),
            );
        } else {
            feed_copies.push((rel, format));
        }
    }
    if raw.title.trim().is_empty() {
        r.error("title", "the title is empty".into());
    }
    if raw.pagination.as_ref().is_some_and(|p| p.page_size == 0) {
        r.error(
            "pagination.page_size",
            "a page needs at least one entry".into(),
        );
    }
    if r.diags.has_errors() {
        return Err(r.diags);
    }
    Ok(Config {
        title: raw.title,
        base_url,
        base_path,
        language,
        theme,
        description: raw.description.unwrap_or_default(),
        reporting_currency,
        rates,
        parties,
        authors,
        author_info,
        highlight_dark_theme: raw.highlight.as_ref().and_then(|h| h.dark_theme.clone()),
        highlight_theme: raw
            .highlight
            .map(|h| h.theme)
            .unwrap_or_else(|| "base16-ocean.dark".into()),
        html: r.html(raw.markdown.as_ref()),
        typography: raw
            .markdown
            .as_ref()
            .and_then(|m| m.typography)
            .unwrap_or(true),
        feed_limit: raw.feeds.map_or(20, |f| f.limit),
        feed_copies,
        page_size: raw.pagination.map_or(100, |p| p.page_size),
        search: raw.search.is_none_or(|s| s.enabled),
        editions,
        images,
        image_sizes,
    })
}

/// Reads the fields of a parsed `site.yaml`, collecting an error (placed on
/// the field's line) for each bad value and standing in a default for it.
struct Reader<'a> {
    text: &'a str,
    /// The text's lines, indexed when a first error is placed.
    outline: std::cell::OnceCell<yaml::Outline<'a>>,
    diags: Diagnostics,
}

impl Reader<'_> {
    fn error(&mut self, field: &str, message: String) {
        let position = self
            .outline
            .get_or_init(|| yaml::Outline::new(self.text))
            .locate(field);
        let d = Diagnostic::error(CONFIG_FILE, message)
            .at_opt(position)
            .field(field);
        self.diags.push(d);
    }

    /// `images:`: the settings of responsive images, each checked.
    fn images(&mut self, raw: Option<RawImages>) -> (crate::images::Settings, String) {
        let mut settings = crate::images::Settings::default();
        let Some(raw) = raw else {
            return (settings, DEFAULT_IMAGE_SIZES.to_string());
        };
        if let Some(mut widths) = raw.widths {
            if widths.is_empty() {
                self.error("images.widths", "give at least one width, in pixels".into());
            }
            for (i, &w) in widths.iter().enumerate() {
                if !(16..=MAX_IMAGE_WIDTH).contains(&w) {
                    self.error(
                        &format!("images.widths[{i}]"),
                        format!("a width of {w} px is outside 16 to {MAX_IMAGE_WIDTH}"),
                    );
                }
            }
            widths.sort_unstable();
            widths.dedup();
            if !widths.is_empty() {
                settings.widths = widths;
            }
        }
        if let Some(q) = raw.quality {
            if (1..=100).contains(&q) {
                settings.quality = q;
            } else {
                self.error("images.quality", format!("quality {q} is outside 1 to 100"));
            }
        }
        if let Some(formats) = raw.formats {
            settings.formats.clear();
            for (i, f) in formats.iter().enumerate() {
                match f.trim().to_ascii_lowercase().as_str() {
                    "webp" => settings.formats.push(crate::images::Modern::Webp),
                    other => self.error(
                        &format!("images.formats[{i}]"),
                        format!("unsupported image format `{other}`: use `webp`, or `[]` for the fallback (JPEG or PNG) only"),
                    ),
                }
            }
            settings.formats.dedup();
        }
        if let Some(keep) = raw.keep_metadata {
            settings.keep_metadata = keep;
        }
        if let Some(mp) = raw.max_megapixels {
            if (1..=1000).contains(&mp) {
                settings.max_pixels = u64::from(mp) * 1_000_000;
            } else {
                self.error(
                    "images.max_megapixels",
                    format!("{mp} megapixels is outside 1 to 1000"),
                );
            }
        }
        let sizes = raw
            .sizes
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_IMAGE_SIZES.to_string());
        (settings, sizes)
    }

    /// `languages:`: each supported language's own title and description.
    fn editions(
        &mut self,
        raw: BTreeMap<String, Option<RawEdition>>,
    ) -> BTreeMap<Lang, EditionText> {
        let mut editions = BTreeMap::new();
        for (code, edition) in raw {
            let Some(lang) = Lang::from_code(&code) else {
                self.error(
                    &format!("languages.{code}"),
                    format!("unsupported language `{code}`: use `en` or `fr`"),
                );
                continue;
            };
            let edition = edition.unwrap_or(RawEdition {
                title: None,
                description: None,
            });
            let clean =
                |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            editions.insert(
                lang,
                EditionText {
                    title: clean(edition.title),
                    description: clean(edition.description),
                },
            );
        }
        editions
    }

    fn language(&mut self, code: Option<&str>) -> Lang {
        let Some(code) = code else { return Lang::En };
        Lang::from_code(code).unwrap_or_else(|| {
            self.error(
                "language",
                format!("unsupported language `{code}`: use `en` or `fr`"),
            );
            Lang::En
        })
    }

    fn currency(&mut self, code: Option<&str>) -> Currency {
        let Some(code) = code else {
            return Currency::USD;
        };
        Currency::new(code).unwrap_or_else(|| {
            self.error(
                "reporting_currency",
                format!("`{code}` is not an ISO 4217 currency code"),
            );
            Currency::USD
        })
    }

    fn rates(
        &mut self,
        written: &BTreeMap<String, RawRate>,
    ) -> BTreeMap<Currency, crate::money::Rates> {
        use crate::money::Rates;
        let mut rates = BTreeMap::new();
        for (code, raw) in written {
            let field = format!("rates.{code}");
            let Some(currency) = Currency::new(code) else {
                self.error(&field, format!("`{code}` is not an ISO 4217 currency code"));
                continue;
            };
            let parsed = match raw {
                RawRate::One(number) => self.rate(&field, number).map(Rates::Fixed),
                RawRate::Dated(by_date) => {
                    let mut dated = Vec::new();
                    for (from, number) in by_date {
                        let entry = format!("{field}.{from}");
                        let date = match from.trim().parse::<i16>() {
                            Ok(year) => jiff::civil::Date::new(year, 1, 1).ok(),
                            Err(_) => from.trim().parse::<jiff::civil::Date>().ok(),
                        };
                        let rate = self.rate(&entry, number);
                        match (date, rate) {
                            (None, _) => self.error(
                                &entry,
                                format!(
                                    "`{from}` is neither a year (`2024`) nor a date (`2025-07-01`)"
                                ),
                            ),
                            (Some(d), _) if !YEARS.contains(&d.year()) => self.error(
                                &entry,
                                format!(
                                    "`{from}` is outside the years {} to {}",
                                    YEARS.start(),
                                    YEARS.end()
                                ),
                            ),
                            (Some(d), Some(r)) => dated.push((d, r)),
                            (Some(_), None) => {}
                        }
                    }
                    dated.sort_by_key(|(d, _)| *d);
                    if let Some(w) = dated.windows(2).find(|w| w[0].0 == w[1].0) {
                        self.error(&field, format!("two rates from {}", w[0].0));
                        None
                    } else if dated.is_empty() {
                        if by_date.is_empty() {
                            self.error(&field, "give a rate, or rates by year or date".into());
                        }
                        None
                    } else {
                        Some(Rates::Dated(dated))
                    }
                }
            };
            if let Some(r) = parsed {
                rates.insert(currency, r);
            }
        }
        rates
    }

    /// One rate: a number greater than zero, kept exact.
    fn rate(&mut self, field: &str, number: &RawNumber) -> Option<Decimal> {
        match number.to_decimal() {
            None => {
                self.error(field, "a rate must be a number".into());
                None
            }
            Some(rate) if rate <= Decimal::ZERO => {
                self.error(field, "a rate must be greater than zero".into());
                None
            }
            Some(rate) => Some(rate),
        }
    }

    /// `markdown.html`, or `trust` for the older `unsafe_html: true`.
    fn html(&mut self, markdown: Option<&RawMarkdown>) -> HtmlPolicy {
        match markdown.map(|m| (m.html, m.unsafe_html)) {
            Some((Some(policy), true)) if policy != HtmlPolicy::Trust => {
                self.error(
                    "markdown.unsafe_html",
                    "`unsafe_html: true` means `html: trust`: remove one of them".into(),
                );
                policy
            }
            Some((_, true)) => HtmlPolicy::Trust,
            Some((policy, false)) => policy.unwrap_or_default(),
            None => HtmlPolicy::default(),
        }
    }

    fn theme(&mut self, name: String) -> String {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if name.is_empty() || !name.chars().all(allowed) {
            self.error(
                "theme",
                format!("`{name}` is not a theme name (letters, digits, `-`, `_`)"),
            );
        }
        name
    }

    fn parties(&mut self, written: BTreeMap<String, Option<RawParty>>) -> Names {
        let entries = written
            .into_iter()
            .map(|(name, p)| (name, p.map(|p| p.aliases).unwrap_or_default()));
        self.names("parties", entries)
    }

    fn authors(
        &mut self,
        written: BTreeMap<String, Option<RawAuthor>>,
    ) -> (Names, BTreeMap<String, AuthorInfo>) {
        let mut entries = Vec::new();
        let mut info = BTreeMap::new();
        for (name, author) in written {
            let author = author.unwrap_or(RawAuthor {
                aliases: Vec::new(),
                url: None,
                bio: None,
            });
            let url = author.url.map(|u| u.trim().to_string());
            if let Some(u) = &url
                && !url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"))
            {
                self.error(
                    &format!("authors.{name}.url"),
                    format!("`{u}` is not an absolute http(s) URL"),
                );
            }
            let bio = author
                .bio
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty());
            info.insert(name.clone(), AuthorInfo { url, bio });
            entries.push((name, author.aliases));
        }
        (self.names("authors", entries), info)
    }

    /// A table of names with aliases, each problem an error at `KEY.NAME`.
    fn names(
        &mut self,
        key: &str,
        entries: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Names {
        Names::new(entries).unwrap_or_else(|problems| {
            for (name, message) in problems {
                self.error(&format!("{key}.{name}"), message);
            }
            Names::default()
        })
    }
}

/// `https://example.org/briefing` → (`https://example.org/briefing/`, `/briefing/`).
/// The path part of the `base_url` of `site.yaml` text, read alone: what the
/// rest of the file holds does not matter (serve uses it while a site does not
/// build). `None` when there is no usable `base_url`.
pub fn base_path_of(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct BaseUrl {
        base_url: String,
    }
    let raw: BaseUrl = yaml::from_str_partial(text).ok()?;
    normalise_base_url(&raw.base_url).ok().map(|(_, path)| path)
}

/// Reads a base URL with the `url` crate: http or https, a host, an optional
/// path, nothing else. The result is the URL's serialization (host folded,
/// path percent-encoded, so no quote or space can reach an attribute), ending
/// with `/`, and its path.
fn normalise_base_url(text: &str) -> Result<(String, String), String> {
    let text = text.trim();
    let unusable = || {
        format!("`{text}` is not a usable base URL (http or https, a host, then an optional path)")
    };
    let mut url = url::Url::parse(text).map_err(|_| unusable())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none_or(str::is_empty)
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
        || text.contains(['\\', '"', '\'', '<', '>', '`'])
        || text
            .split_once("://")
            .is_none_or(|(_, rest)| rest.starts_with('/'))
    {
        return Err(unusable());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    let path = url.path().to_string();
    Ok((url.to_string(), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_read_by_the_url_crate() {
        for bad in [
            "https://e.org/b\"onmouseover=\"x/",
            "ftp://e.org/",
            "https:///x",
            "https://e.org/?q=1",
            "https://e.org/#f",
            "https://user:pw@e.org/",
            "e.org/b/",
        ] {
            assert!(normalise_base_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            normalise_base_url("https://E.org/a b").unwrap(),
            ("https://e.org/a%20b/".into(), "/a%20b/".into())
        );
        assert_eq!(
            normalise_base_url("http://127.0.0.1:1111").unwrap(),
            ("http://127.0.0.1:1111/".into(), "/".into())
        );
    }

    #[test]
    fn typography_is_on_unless_turned_off() {
        let on = parse("title: T\nbase_url: https://e.org/\n").unwrap();
        assert!(on.typography);
        let off =
            parse("title: T\nbase_url: https://e.org/\nmarkdown: { typography: false }\n").unwrap();
        assert!(!off.typography);
        assert_eq!(off.html, HtmlPolicy::Sanitize);
    }

    #[test]
    fn defaults_and_sub_path() {
        let c = parse("title: T\nbase_url: https://example.org/briefing\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/briefing/");
        assert_eq!(c.base_path, "/briefing/");
        assert_eq!(c.language, Lang::En);
        assert_eq!(c.theme, "default");
        assert_eq!(c.reporting_currency, Currency::USD);
        assert_eq!(c.path_url("articles/a/"), "/briefing/articles/a/");
    }

    #[test]
    fn rates_keep_every_digit() {
        let c =
            parse("title: T\nbase_url: https://e.org/\nrates:\n  EUR: 1.0800000000000000000001\n")
                .unwrap();
        assert_eq!(
            c.rates[&Currency::EUR].periods()[0].1.to_string(),
            "1.0800000000000000000001"
        );
    }

    #[test]
    fn rates_by_year_or_date_are_exact_and_sorted() {
        let c = parse("title: T\nbase_url: https://e.org/\nrates:\n  EUR: { 2025-07-01: 1.1700000000000000000001, 2024: 1.08 }\n").unwrap();
        let periods = c.rates[&Currency::EUR].periods();
        let shown: Vec<(String, String)> = periods
            .iter()
            .map(|(d, r)| (d.map(|d| d.to_string()).unwrap_or_default(), r.to_string()))
            .collect();
        assert_eq!(
            shown,
            [
                ("2024-01-01".to_string(), "1.08".to_string()),
                (
                    "2025-07-01".to_string(),
                    "1.1700000000000000000001".to_string()
                )
            ]
        );
        for (bad, message) in [
            ("{ last-year: 1.1 }", "neither a year"),
            ("{ 2024: 0 }", "greater than zero"),
            (
                "{ 2024: 1.1, 2024-01-01: 1.2 }",
                "two rates from 2024-01-01",
            ),
            ("{}", "give a rate"),
            (
                "{ 1899: 1.1, 2024: 1.08 }",
                "`1899` is outside the years 1900 to 2199",
            ),
            (
                "{ 2200-01-01: 1.1 }",
                "`2200-01-01` is outside the years 1900 to 2199",
            ),
        ] {
            let e = parse(&format!(
                "title: T\nbase_url: https://e.org/\nrates:\n  EUR: {bad}\n"
            ))
            .expect_err(bad)
            .sorted();
            assert!(
                e.iter().any(|d| d.message.contains(message)),
                "{bad}: {e:?}"
            );
        }
    }

    #[test]
    fn rates_are_exact() {
        let c = parse("title: T\nbase_url: https://e.org/\nrates:\n  EUR: 1.08\n  GBP: \"1.27\"\n  JPY: 0.0066\n").unwrap();
        assert_eq!(c.rates[&Currency::EUR].periods()[0].1.to_string(), "1.08");
        assert_eq!(c.rates[&Currency::GBP].periods()[0].1.to_string(), "1.27");
        assert_eq!(c.rates[&Currency::JPY].periods()[0].1.to_string(), "0.0066");
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e = parse("title: T\nbase_url: https://e.org/\ncolour: red\n").unwrap_err();
        let d = &e.sorted()[0];
        assert_eq!(d.position.map(|p| p.0), Some(3));
        assert!(
            d.message.contains("unknown field `colour`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn missing_title_is_an_error() {
        let e = parse("base_url: https://e.org/\n").unwrap_err();
        assert!(e.sorted()[0].message.contains("missing field `title`"));
    }
}
