//! Language editions and the URLs of their pages, in one place.
//!
//! A site has one edition per language it is written in: the site's
//! language at the root, each other language under its prefix (`fr/` for an
//! English site, `en/` for a French one). Every list a reader can reach
//! (home, deals index, years, parties, deals, tags, authors, archive, 404)
//! exists in each edition, in its language. An `Edition` names the
//! site-relative path of each of those pages (`deals/`, `fr/deals/openai/`);
//! `Config::path_url` and `Config::absolute_url` make them links. Feeds of
//! deals and the exports are the site's, at the root, whatever the edition.

use crate::config::Config;
use crate::i18n::Lang;
use crate::party::party_slug;
use crate::slug::Slug;

/// One language edition of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edition {
    /// Its language.
    pub lang: Lang,
    /// Its folder, relative to the base URL: empty for the site's
    /// language, else the language code and a slash (`fr/`).
    pub prefix: String,
}

impl Edition {
    /// The edition a page in `lang` belongs to.
    pub fn of(config: &Config, lang: Lang) -> Edition {
        let prefix = if lang == config.language {
            String::new()
        } else {
            format!("{}/", lang.code())
        };
        Edition { lang, prefix }
    }

    /// A site's editions: the site's language first, then each other
    /// language that has articles.
    pub fn all(config: &Config, languages: &[Lang]) -> Vec<Edition> {
        std::iter::once(config.language)
            .chain(languages.iter().copied().filter(|&l| l != config.language))
            .map(|l| Edition::of(config, l))
            .collect()
    }

    /// Whether this is the site's own language, at the root.
    pub fn is_main(&self) -> bool {
        self.prefix.is_empty()
    }

    /// A path of this edition (`deals/` → `fr/deals/`).
    pub fn rel(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// Its home.
    pub fn home(&self) -> String {
        self.prefix.clone()
    }

    /// Its deals index.
    pub fn deals(&self) -> String {
        self.rel("deals/")
    }

    /// A year's deals.
    pub fn year(&self, year: i16) -> String {
        self.rel(&format!("deals/{year}/"))
    }

    /// A party's page (`deals/SLUG/`).
    pub fn party(&self, name: &str) -> String {
        let slug = party_slug(name).map(|s| s.to_string()).unwrap_or_default();
        self.rel(&format!("deals/{slug}/"))
    }

    /// A deal's page (`deals/id/ID/`).
    pub fn deal(&self, id: &str) -> String {
        self.rel(&format!("deals/id/{id}/"))
    }

    /// A tag's page.
    pub fn tag(&self, slug: &Slug) -> String {
        self.rel(&format!("tags/{slug}/"))
    }

    /// An author's page (`authors/SLUG/`).
    pub fn author(&self, name: &str) -> String {
        let slug = Slug::from_text(name)
            .map(|s| s.to_string())
            .unwrap_or_default();
        self.rel(&format!("authors/{slug}/"))
    }

    /// The archive by month.
    pub fn archive(&self) -> String {
        self.rel("archive/")
    }

    /// One month of the archive.
    pub fn month(&self, year: i16, month: i8) -> String {
        self.rel(&format!("archive/{year}/{month:02}/"))
    }

    /// Its not-found page.
    pub fn not_found(&self) -> String {
        self.rel("404.html")
    }

    /// Its search page.
    pub fn search(&self) -> String {
        self.rel("search/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_language_is_at_the_root_and_the_other_under_its_prefix() {
        for (yaml, main, other, prefix) in [
            ("", Lang::En, Lang::Fr, "fr/"),
            ("language: fr\n", Lang::Fr, Lang::En, "en/"),
        ] {
            let config =
                crate::config::parse(&format!("title: T\nbase_url: https://e.org/b/\n{yaml}"))
                    .expect("config");
            let editions = Edition::all(&config, &[Lang::En, Lang::Fr]);
            assert_eq!(editions[0], Edition::of(&config, main));
            assert!(editions[0].is_main());
            assert_eq!(editions[1].lang, other);
            assert_eq!(editions[1].deals(), format!("{prefix}deals/"));
            assert_eq!(
                editions[1].party("Élysée Co"),
                format!("{prefix}deals/elysee-co/")
            );
            assert_eq!(editions[1].deal("x-1"), format!("{prefix}deals/id/x-1/"));
            assert_eq!(
                editions[1].month(2025, 3),
                format!("{prefix}archive/2025/03/")
            );
            assert_eq!(editions[0].deals(), "deals/");
        }
    }
}
