//! `dealwire new`: writes a dated article skeleton that builds at once, or,
//! with `--translation-of FILE`, the skeleton of FILE's translation beside it.
//!
//! Input: the command's arguments and the site on disk (`site.yaml` for the
//! site's language; the original's front matter, read with `frontmatter`'s
//! reader, never by pattern). Output: one new file and its path on stdout.
//! It never overwrites a file, and every skeleton builds as it is written: what
//! the editor fills in later is commented out.

use std::path::{Path, PathBuf};

use crate::cli::NewArgs;
use crate::config::CONFIG_FILE;
use crate::frontmatter::{self, RawDeal, RawFrontMatter};
use crate::i18n::Lang;
use crate::slug::Slug;

/// Creates the article; false (with a message) when it cannot.
pub fn run(args: &NewArgs) -> bool {
    let today = jiff::ZonedDateTime::now().date();
    let lang = args.lang.as_deref();
    let result = match &args.translation_of {
        Some(original) => translate(&args.root, original, args.title.as_deref(), lang),
        None => create(
            &args.root,
            args.title.as_deref().unwrap_or_default(),
            args.deal,
            lang,
            today,
        ),
    };
    match result {
        Ok(path) => {
            println!("{}", path.display());
            true
        }
        Err(message) => {
            eprintln!("error: {message}");
            false
        }
    }
}

/// Writes `content/articles/SLUG.md` under `root`; never overwrites.
pub fn create(
    root: &Path,
    title: &str,
    deal: bool,
    lang: Option<&str>,
    today: jiff::civil::Date,
) -> Result<PathBuf, String> {
    let site_lang = site_language(root)?;
    let lang = lang.map(language_option).transpose()?;
    let title = title.trim();
    let slug = Slug::from_text(title)
        .ok_or_else(|| format!("cannot make a file name from the title `{title}`"))?;
    let dir = root.join("content").join("articles");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{slug}.md"));
    let words = Words::of(lang.unwrap_or(site_lang));
    write_new(&path, &path, &skeleton(title, today, deal, lang, words))?;
    Ok(path)
}

/// Writes the translation of the article at `original` (relative to `root`,
/// else to the current directory) beside it, as `NAME.LANG.md`; never
/// overwrites. `title` defaults to the original's, to be translated.
pub fn translate(
    root: &Path,
    original: &Path,
    title: Option<&str>,
    lang: Option<&str>,
) -> Result<PathBuf, String> {
    let site_lang = site_language(root)?;
    let wanted = lang.map(language_option).transpose()?;
    let found = Original::locate(root, original)?;
    let raw = found.front_matter()?;
    let from = match raw.lang.as_deref() {
        Some(code) => Lang::from_code(code).ok_or_else(|| {
            format!(
                "{}: unsupported language `{code}` in `lang:`",
                found.shown.display()
            )
        })?,
        None => site_lang,
    };
    let to = match wanted {
        Some(to) if to == from => {
            return Err(format!(
                "--lang {}: {} is already in that language",
                to.code(),
                found.shown.display()
            ));
        }
        Some(to) => to,
        None => Lang::ALL.into_iter().find(|l| *l != from).unwrap_or(from),
    };
    let name = format!("{}.{}.md", found.stem, to.code());
    let shown = found.shown.with_file_name(&name);
    let text = translation(&raw, title, &found.rel, Words::of(to));
    write_new(&found.real.with_file_name(&name), &shown, &text)?;
    Ok(shown)
}

/// Creates `path` with `text`, refusing a file that exists; messages name it
/// `shown` (the path as the editor gave it, where `path` is resolved).
fn write_new(path: &Path, shown: &Path, text: &str) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} already exists; it was not overwritten", shown.display())
            }
            _ => format!("{}: {e}", shown.display()),
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("{}: {e}", shown.display()))
}

/// The site's `language:`, from its `site.yaml`; an error when there is no site.
fn site_language(root: &Path) -> Result<Lang, String> {
    let config = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&config).map_err(|_| {
        format!(
            "{}: no site here (run `dealwire init DIR` to make one)",
            config.display()
        )
    })?;
    // A site.yaml with errors still gets its article: `build` reports them.
    Ok(crate::config::parse(&text).map_or(Lang::En, |c| c.language))
}

fn language_option(code: &str) -> Result<Lang, String> {
    Lang::from_code(code)
        .ok_or_else(|| format!("--lang: unsupported language `{code}`: use `en` or `fr`"))
}

/// The article a translation is made from, found and checked.
struct Original {
    /// The path as the editor will recognise it (as found, not resolved).
    shown: PathBuf,
    /// The resolved path: the one checked, and the one written beside.
    real: PathBuf,
    /// Its path under `content/`, with `/` separators.
    rel: String,
    /// Its file name without `.md`.
    stem: String,
}

impl Original {
    /// Finds `given` relative to `root`, else as given (relative to the
    /// current directory); it must be a Markdown article under `content/`
    /// and not itself a translation.
    fn locate(root: &Path, given: &Path) -> Result<Original, String> {
        let candidates = [root.join(given), given.to_path_buf()];
        let shown = candidates
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| format!("{}: no such article", given.display()))?;
        let real = shown
            .canonicalize()
            .map_err(|e| format!("{}: {e}", shown.display()))?;
        let content = root.join("content");
        let rel = content
            .canonicalize()
            .ok()
            .and_then(|c| real.strip_prefix(c).ok().map(Path::to_path_buf))
            .ok_or_else(|| {
                format!(
                    "{}: not an article: translations start from a file under {}",
                    shown.display(),
                    content.display()
                )
            })?;
        let file = real.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(stem) = file.strip_suffix(".md") else {
            return Err(format!(
                "{}: not an article: its name does not end in `.md`",
                shown.display()
            ));
        };
        if let Some((base, code)) = stem
            .rsplit_once('.')
            .filter(|(_, c)| Lang::from_code(c).is_some())
        {
            return Err(format!(
                "{}: it is itself a translation (`.{code}.md`): translate its original, {base}.md",
                shown.display()
            ));
        }
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Ok(Original {
            stem: stem.to_string(),
            rel: format!("content/{}", rel.join("/")),
            shown,
            real,
        })
    }

    /// The original's front matter, read as a build reads it.
    fn front_matter(&self) -> Result<RawFrontMatter, String> {
        let text = std::fs::read_to_string(&self.real)
            .map_err(|e| format!("{}: {e}", self.shown.display()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let split = frontmatter::split(text)
            .ok_or_else(|| format!("{}: no front matter", self.shown.display()))?;
        frontmatter::parse(&self.rel, &split).map_err(|d| {
            let line = d.to_string();
            line.strip_prefix("error: ").unwrap_or(&line).to_string()
        })
    }
}

/// The words of a skeleton, in the language of the article it starts.
#[derive(Clone, Copy)]
struct Words {
    summary: &'static str,
    authors: &'static str,
    uncomment: &'static str,
    amount: &'static str,
    parties: &'static str,
    date: &'static str,
    kind: &'static str,
    term: &'static str,
    id: &'static str,
    status: &'static str,
    body: &'static str,
    to_translate: &'static str,
    translation_of: &'static str,
    shows_deals: &'static str,
    no_id: &'static str,
    translate_here: &'static str,
}

impl Words {
    fn of(lang: Lang) -> Words {
        match lang {
            Lang::En => EN,
            Lang::Fr => FR,
        }
    }
}

const EN: Words = Words {
    summary: "# summary: One sentence for lists and feeds.",
    authors: "# authors: [Jeanne Dupont]      # bylines: names or aliases of site.yaml's `authors:`, or any name",
    uncomment: "# Remove the `#` of the lines below to record the deal this article reports.",
    amount: "$38 billion                  # or `up to €1.2bn`, `at least $10B`, `about $10B`, `undisclosed`",
    parties: "[OpenAI, Amazon]    # two or more; aliases from site.yaml resolve",
    date: "# optional; defaults to the article's date",
    kind: "cloud                  # optional: cloud, chips, equity, datacenter…",
    term: "7 years                # optional",
    id: "openai-amazon            # optional: lets other articles and translations refer to it",
    status: "announced            # optional: announced (the default), completed or cancelled",
    body: "Write the article here.",
    to_translate: "# to translate",
    translation_of: "# The translation of",
    shows_deals: "# Its page shows the original's deals with their current figures; amounts,\n\
                  # status and `id:` are set in the original.",
    no_id: "has no `id:`, so this translation cannot refer to it;\n\
            # its page shows it anyway. An `id:` on it in the original lets this file refer to it.",
    translate_here: "Translate the article here.",
};

const FR: Words = Words {
    summary: "# summary: Une phrase pour les listes et les flux.",
    authors: "# authors: [Jeanne Dupont]      # signatures : noms ou alias des `authors:` de site.yaml, ou tout nom",
    uncomment: "# Retirez le `#` des lignes ci-dessous pour déclarer l'accord dont parle l'article.",
    amount: "38 milliards de dollars      # ou `jusqu'à 10 Md$`, `au moins 2 milliards d'euros`, `environ 1,2 milliard d'euros`, `non divulgué`",
    parties: "[OpenAI, Amazon]    # deux ou plus ; les alias de site.yaml sont reconnus",
    date: "# facultatif ; par défaut, la date de l'article",
    kind: "cloud                  # facultatif : cloud, chips, equity, datacenter…",
    term: "7 ans                  # facultatif",
    id: "openai-amazon            # facultatif : permet à d'autres articles et aux traductions d'y renvoyer",
    status: "announced            # facultatif : announced (annoncé, par défaut), completed (finalisé) ou cancelled (annulé)",
    body: "Écrivez l'article ici.",
    to_translate: "# à traduire",
    translation_of: "# La traduction de",
    shows_deals: "# Sa page montre les accords de l'original avec leurs chiffres à jour ; montants,\n\
                  # statut et `id:` se règlent dans l'original.",
    no_id: "n'a pas d'`id:` : cette traduction ne peut pas y renvoyer,\n\
            # mais sa page le montre quand même. Un `id:` sur cet accord dans l'original permet d'y renvoyer.",
    translate_here: "Traduisez l'article ici.",
};

/// The front matter and a line of body; the deal skeleton is commented out so
/// the file builds until the editor fills it in.
fn skeleton(
    title: &str,
    today: jiff::civil::Date,
    deal: bool,
    lang: Option<Lang>,
    w: Words,
) -> String {
    let mut text = format!("---\ntitle: {}\ndate: {today}\n", yaml_string(title));
    if let Some(lang) = lang {
        text.push_str(&format!("lang: {}\n", lang.code()));
    }
    text.push_str(&format!(
        "tags: []\n{}\n{}\n# draft: true\n",
        w.summary, w.authors
    ));
    if deal {
        text.push_str(&format!(
            "{}\n\
             # deal:\n\
             #   amount: {}\n\
             #   parties: {}\n\
             #   date: {today}              {}\n\
             #   kind: {}\n\
             #   term: {}\n\
             #   id: {}\n\
             #   status: {}\n",
            w.uncomment, w.amount, w.parties, w.date, w.kind, w.term, w.id, w.status
        ));
    }
    text.push_str(&format!("---\n\n{}\n", w.body));
    text
}

/// The skeleton of a translation: the original's title (unless one is given)
/// and date, its slug when it sets one, and a `ref:` to each of its deals
/// that has an id; its language comes from the file name.
fn translation(raw: &RawFrontMatter, title: Option<&str>, original: &str, w: Words) -> String {
    let title = match title.map(str::trim) {
        Some(t) => yaml_string(t),
        None => format!("{}   {}", yaml_string(raw.title.trim()), w.to_translate),
    };
    let mut text = format!("---\ntitle: {title}\n");
    // A page (`content/pages/`) has no date, tags or bylines.
    if let Some(date) = &raw.date {
        text.push_str(&format!("date: {}\n", yaml_scalar(date)));
    }
    if let Some(slug) = &raw.slug {
        text.push_str(&format!("slug: {}\n", yaml_scalar(slug)));
    }
    if raw.date.is_some() {
        text.push_str(&format!("tags: []\n{}\n", w.summary));
        text.push_str(&format!("{}\n", w.authors));
    } else {
        text.push_str(&format!("{}\n", w.summary));
    }
    text.push_str("# draft: true\n");
    text.push_str(&format!(
        "{} {original}.\n{}\n",
        w.translation_of, w.shows_deals
    ));
    // Named as a diagnostic would name them: `deal`, or `deals[N]`.
    let deals: Vec<(String, &RawDeal)> = match (&raw.deal, &raw.deals) {
        (Some(deal), _) => vec![("deal".to_string(), deal)],
        (None, deals) => deals
            .iter()
            .flatten()
            .enumerate()
            .map(|(n, d)| (format!("deals[{n}]"), d))
            .collect(),
    };
    let mut refs = String::new();
    for (field, deal) in &deals {
        match deal.id.as_ref().or(deal.reference.as_ref()) {
            Some(id) => refs.push_str(&format!("  - ref: {}\n", yaml_scalar(id))),
            None => {
                let parties = deal.parties.as_deref().unwrap_or_default().join(", ");
                if parties.is_empty() {
                    refs.push_str(&format!("# {field} {}\n", w.no_id));
                } else {
                    refs.push_str(&format!("# {field} ({parties}) {}\n", w.no_id));
                }
            }
        }
    }
    if deals
        .iter()
        .any(|(_, d)| d.id.is_some() || d.reference.is_some())
    {
        text.push_str("deals:\n");
    }
    text.push_str(&refs);
    text.push_str(&format!("---\n\n{}\n", w.translate_here));
    text
}

/// A value written plain when YAML 1.2 reads it back as the same text (a
/// slug or id that starts with a letter; a date), else double-quoted.
fn yaml_scalar(text: &str) -> String {
    let b = text.as_bytes();
    let word = text.starts_with(|c: char| c.is_ascii_lowercase())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !matches!(text, "true" | "false" | "null");
    let date = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b":+-.".contains(c));
    if word || date {
        text.to_string()
    } else {
        yaml_string(text)
    }
}

/// A YAML double-quoted string.
fn yaml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(yaml: &str) -> RawFrontMatter {
        let text = format!("---\n{yaml}---\n");
        frontmatter::parse("a.md", &frontmatter::split(&text).expect("split")).expect("parse")
    }

    #[test]
    fn quotes_titles_for_yaml() {
        assert_eq!(
            yaml_string("OpenAI: \"38\" \\ deal"),
            "\"OpenAI: \\\"38\\\" \\\\ deal\""
        );
        let text = skeleton(
            "A: b",
            jiff::civil::date(2026, 11, 29),
            true,
            Some(Lang::Fr),
            Words::of(Lang::Fr),
        );
        assert!(text.starts_with("---\ntitle: \"A: b\"\ndate: 2026-11-29\nlang: fr\n"));
        assert!(text.contains("#   amount: 38 milliards de dollars"));
        assert_eq!(
            yaml_scalar("2025-11-03T09:00:00-05:00"),
            "2025-11-03T09:00:00-05:00"
        );
        assert_eq!(yaml_scalar("openai-aws-2025"), "openai-aws-2025");
        for quoted in ["a b", "-x", "2025", "null", "1e5", "A", ""] {
            assert_eq!(yaml_scalar(quoted), yaml_string(quoted), "{quoted}");
        }
    }

    /// Every skeleton reads back as front matter, with its commented lines in
    /// the article's language.
    #[test]
    fn skeletons_are_front_matter_with_commented_fields() {
        let day = jiff::civil::date(2026, 1, 2);
        for (lang, deal, words) in [
            (None, false, ["# authors:", "# summary:", "Write"]),
            (
                None,
                true,
                ["#   id:", "#   status: announced", "completed or cancelled"],
            ),
            (
                Some(Lang::Fr),
                true,
                ["#   id:", "annulé", "Écrivez l'article ici."],
            ),
            (
                Some(Lang::Fr),
                false,
                ["# authors:", "signatures", "Écrivez"],
            ),
        ] {
            let text = skeleton("T", day, deal, lang, Words::of(lang.unwrap_or(Lang::En)));
            let parsed = raw(frontmatter::split(&text).expect("split").yaml);
            assert_eq!(parsed.title, "T");
            assert!(parsed.deal.is_none(), "the deal is commented out");
            for word in words {
                assert!(text.contains(word), "{word} in {text}");
            }
        }
    }

    #[test]
    fn translations_refer_to_the_original_deals() {
        let original = raw(
            "title: \"Deal: $38B\"\ndate: 2025-11-03\nslug: openai-aws\ndeals:\n  \
             - { amount: $38B, parties: [OpenAI, AWS], id: openai-aws }\n  \
             - { amount: $1B, parties: [OpenAI, Nvidia] }\n  - ref: older-deal\n",
        );
        let text = translation(
            &original,
            None,
            "content/articles/a.md",
            Words::of(Lang::Fr),
        );
        let back = raw(frontmatter::split(&text).expect("split").yaml);
        assert_eq!(back.title, "Deal: $38B");
        assert_eq!(back.date.as_deref(), Some("2025-11-03"));
        assert_eq!(back.slug.as_deref(), Some("openai-aws"));
        assert_eq!(back.lang, None, "the file name gives the language");
        let refs: Vec<_> = back
            .deals
            .expect("deals")
            .into_iter()
            .map(|d| d.reference.expect("ref"))
            .collect();
        assert_eq!(refs, ["openai-aws", "older-deal"]);
        assert!(
            text.contains("# deals[1] (OpenAI, Nvidia) n'a pas d'`id:`"),
            "{text}"
        );
        assert!(text.contains("\"Deal: $38B\"   # à traduire"), "{text}");
        assert!(text.contains("Traduisez l'article ici."), "{text}");

        let plain = raw("title: T\ndate: 2025-11-03\ndeal: { amount: $1B, parties: [A, B] }\n");
        let text = translation(&plain, Some("Titre"), "content/a.md", Words::of(Lang::Fr));
        let back = raw(frontmatter::split(&text).expect("split").yaml);
        assert_eq!(back.title, "Titre");
        assert!(back.slug.is_none() && back.deals.is_none() && back.deal.is_none());
        assert!(text.contains("# deal (A, B) n'a pas d'`id:`"), "{text}");
    }
}
