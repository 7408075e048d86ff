//! `dealwire new "Title"`: writes a dated article skeleton that builds at once.

use std::path::{Path, PathBuf};

use crate::cli::NewArgs;
use crate::config::CONFIG_FILE;
use crate::i18n::Lang;
use crate::slug::Slug;

/// Creates the article; false (with a message) when it cannot.
pub fn run(args: &NewArgs) -> bool {
    let today = jiff::ZonedDateTime::now().date();
    match create(
        &args.root,
        &args.title,
        args.deal,
        args.lang.as_deref(),
        today,
    ) {
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
    if !root.join(CONFIG_FILE).is_file() {
        return Err(format!(
            "{}: no site here (run `dealwire init DIR` to make one)",
            root.join(CONFIG_FILE).display()
        ));
    }
    let lang =
        match lang {
            Some(code) => Some(Lang::from_code(code).ok_or_else(|| {
                format!("--lang: unsupported language `{code}`: use `en` or `fr`")
            })?),
            None => None,
        };
    let title = title.trim();
    let slug = Slug::from_text(title)
        .ok_or_else(|| format!("cannot make a file name from the title `{title}`"))?;
    let dir = root.join("content").join("articles");
    let path = dir.join(format!("{slug}.md"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let text = skeleton(title, today, deal, lang);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                format!("{} already exists; it was not overwritten", path.display())
            }
            _ => format!("{}: {e}", path.display()),
        })?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}

/// The front matter and a line of body; the deal skeleton is commented out so
/// the file builds until the editor fills it in.
fn skeleton(title: &str, today: jiff::civil::Date, deal: bool, lang: Option<Lang>) -> String {
    let mut text = format!("---\ntitle: {}\ndate: {today}\n", yaml_string(title));
    if let Some(lang) = lang {
        text.push_str(&format!("lang: {}\n", lang.code()));
    }
    text.push_str("tags: []\n# summary: One sentence for lists and feeds.\n# draft: true\n");
    if deal {
        let amount = match lang {
            Some(Lang::Fr) => {
                "38 milliards de dollars      # ou `jusqu'à 10 Md$`, `environ 1,2 milliard d'euros`, `non divulgué`"
            }
            _ => "$38 billion                  # or `up to €1.2bn`, `about $10B`, `undisclosed`",
        };
        text.push_str(&format!(
            "# Remove the `#` of the lines below to record the deal this article reports.\n\
             # deal:\n\
             #   amount: {amount}\n\
             #   parties: [OpenAI, Amazon]    # two or more; aliases from site.yaml resolve\n\
             #   date: {today}              # optional; defaults to the article's date\n\
             #   kind: cloud                  # optional: cloud, chips, equity, datacenter…\n\
             #   term: 7 years                # optional\n"
        ));
    }
    text.push_str("---\n\nWrite the article here.\n");
    text
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
        );
        assert!(text.starts_with("---\ntitle: \"A: b\"\ndate: 2026-11-29\nlang: fr\n"));
        assert!(text.contains("#   amount: 38 milliards de dollars"));
    }
}
