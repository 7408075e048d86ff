//! Language editions: the site's language at the root, the other language's
//! whole edition under its prefix, each page in its own language (dates,
//! amounts, interface words), with the translated title and URL of each
//! article that has a translation.

use dealwire::i18n::Lang;

use crate::harness::site;

/// Words that give another language away on a page in `lang`: the other
/// language's month names (but the short ones, `May` and `mai`, which other
/// words hold) and interface words.
fn giveaways(lang: &str) -> Vec<&'static str> {
    let (other, words): (Lang, &[&'static str]) = match lang {
        "fr" => (
            Lang::En,
            &[
                "billion",
                "million ",
                "undisclosed",
                "Deals",
                "Home",
                "across",
                "cancelled",
                "announced",
                "completed",
                "See all",
                "Search",
            ],
        ),
        _ => (
            Lang::Fr,
            &[
                "milliard",
                "millions",
                "non divulgué",
                "Accords",
                "Accueil",
                "annulé",
                "annoncé",
                "finalisé",
                "Rechercher",
            ],
        ),
    };
    dealwire::i18n::month_names(other)
        .iter()
        .copied()
        .filter(|m| m.chars().count() > 3)
        .chain(words.iter().copied())
        .collect()
}

/// Every text of a page said to be in `lang` (by the nearest `lang`
/// attribute) that holds a word of another language: `(text, word)`.
fn foreign_words(html: &str, lang: &str) -> Vec<(String, &'static str)> {
    let giveaways = giveaways(lang);
    let doc = scraper::Html::parse_document(html);
    let mut found = Vec::new();
    for node in doc.tree.nodes() {
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let mut said = None;
        let mut hidden = false;
        for a in node.ancestors() {
            if let Some(e) = a.value().as_element() {
                hidden |= matches!(e.name(), "script" | "style");
                if said.is_none() {
                    said = e.attr("lang");
                }
            }
        }
        if hidden || said != Some(lang) {
            continue;
        }
        for word in &giveaways {
            if text.contains(word) {
                found.push((text.trim().to_string(), *word));
            }
        }
        if lang == "fr" && text.contains('$') && text.chars().any(|c| c.is_ascii_digit()) {
            let dollar_first = text
                .split('$')
                .skip(1)
                .any(|t| t.starts_with(|c: char| c.is_ascii_digit()));
            if dollar_first {
                found.push((text.trim().to_string(), "$N"));
            }
        }
    }
    found
}

/// Checks every HTML page under `folder` of a built site.
fn edition_speaks(public: &std::path::Path, folder: &str, lang: &str) -> usize {
    let mut pages = 0;
    for rel in crate::harness::walk(&public.join(folder)) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = std::fs::read_to_string(public.join(folder).join(&rel)).expect("read");
        assert!(
            html.contains(&format!("<html lang=\"{lang}\"")),
            "{folder}{rel} is a page of the {lang} edition"
        );
        let foreign = foreign_words(&html, lang);
        assert!(foreign.is_empty(), "{folder}{rel}: {foreign:?}");
        pages += 1;
    }
    pages
}

#[test]
fn the_language_finder_finds_foreign_words() {
    let html = r#"<html lang="fr"><body><p>Le 3 November 2025</p><p lang="en">November</p><p>38 milliards de dollars, $38 billion</p></body></html>"#;
    let found: Vec<&str> = foreign_words(html, "fr").into_iter().map(|f| f.1).collect();
    assert_eq!(found, ["November", "billion", "$N"]);
}

#[test]
fn each_edition_speaks_its_language() {
    // An English site with a French translation: the French edition under /fr/.
    let english = site("ok-one-record");
    let run = english.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let public = english.public();
    for page in [
        "fr/index.html",
        "fr/deals/index.html",
        "fr/deals/2025/index.html",
        "fr/deals/openai/index.html",
        "fr/deals/id/openai-coreweave/index.html",
        "fr/archive/index.html",
        "fr/archive/2025/03/index.html",
        "fr/404.html",
        "fr/search/index.html",
        "fr/deals-data/index.json",
    ] {
        assert!(public.join(page).is_file(), "{page}");
    }
    let pages = edition_speaks(&public, "fr/", "fr");
    assert!(pages >= 20, "{pages} French pages");
    let deals = english.read("fr/deals/index.html");
    assert!(
        deals.contains("href=\"/briefing/fr/articles/coreweave/\">OpenAI signe un contrat"),
        "the translated title and URL: {deals}"
    );
    assert!(deals.contains("22,4\u{a0}milliards de dollars"));
    assert!(deals.contains("href=\"/briefing/fr/deals/coreweave/\""));
    let home = english.read("fr/index.html");
    assert!(
        home.contains("<a href=\"/briefing/fr/deals/\""),
        "« Accords » leads to the French index"
    );
    // The English edition stays at the root, in English.
    assert!(english.read("deals/index.html").contains("$22.4 billion"));
    edition_speaks(&public, "deals/", "en");

    // A French site with an English translation: the English edition under /en/.
    let french = site("ok-french-first");
    let run = french.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let public = french.public();
    let pages = edition_speaks(&public, "en/", "en");
    assert!(pages >= 10, "{pages} English pages");
    edition_speaks(&public, "deals/", "fr");
    let en = french.read("en/index.html");
    assert!(en.contains("<title>The Register</title>"), "{en}");
    assert!(en.contains("Who buys compute in Europe."));
    let deals = french.read("en/deals/index.html");
    assert!(deals.contains("Mistral signs a €1.2 billion deal with Nvidia"));
    assert!(deals.contains("at least $500 million"), "{deals}");
    assert!(
        french
            .read("en/tags/puces/index.html")
            .contains("June 11, 2025")
    );
    assert!(
        french
            .read("deals/index.html")
            .contains("1,2\u{a0}milliard d’euros")
    );
}
