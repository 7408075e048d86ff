//! The pages: every internal link resolves under the sub-path, translations link
//! each other, raw HTML is escaped unless allowed, templates can be overridden,
//! assets land beside their pages, and builds are byte-identical.

use std::path::Path;

use crate::harness::{TestSite, expect, main_element, run_env, site, snapshot, walk};

/// `href`/`src` values of an HTML page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            out.push(rest[..end].replace("&amp;", "&"));
        }
    }
    out
}

/// Resolves a link of a page to an output file, or says why it cannot.
fn target(public: &Path, page_rel: &str, link: &str, base_path: &str) -> Result<(), String> {
    let link = link.split(['#', '?']).next().unwrap_or("");
    if link.is_empty() {
        return Ok(());
    }
    if link.starts_with("http://")
        || link.starts_with("https://")
        || link.starts_with("mailto:")
        || link.starts_with("data:")
    {
        return Ok(());
    }
    let path = if let Some(abs) = link.strip_prefix('/') {
        let under = format!("/{abs}");
        under
            .strip_prefix(base_path)
            .map(str::to_string)
            .ok_or_else(|| format!("{link} is outside the base path"))?
    } else {
        let dir = page_rel.rsplit_once('/').map_or("", |(d, _)| d);
        let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
        for seg in link.split('/') {
            match seg {
                ".." => {
                    parts
                        .pop()
                        .ok_or_else(|| format!("{link} climbs above the site"))?;
                }
                "." | "" => {}
                s => parts.push(s),
            }
        }
        let mut joined = parts.join("/");
        if link.ends_with('/') && !joined.is_empty() {
            joined.push('/');
        }
        joined
    };
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    if public.join(&file).is_file() {
        Ok(())
    } else {
        Err(format!("{link} → {file} does not exist"))
    }
}

fn check_all_links(site: &TestSite, base_path: &str) -> usize {
    let public = site.public();
    let mut broken = Vec::new();
    let mut checked = 0;
    for rel in walk(&public).into_iter().filter(|p| p.ends_with(".html")) {
        let html = std::fs::read_to_string(public.join(&rel)).expect("read");
        for link in links(&html) {
            checked += 1;
            if let Err(e) = target(&public, &rel, &link, base_path) {
                broken.push(format!("{rel}: {e}"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    checked
}

#[test]
fn every_internal_link_works_under_the_sub_path() {
    let site = site("ok-subpath");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let checked = check_all_links(&site, "/briefing/");
    assert!(checked > 20, "only {checked} links checked");
    let home = site.read("index.html");
    assert!(
        home.contains("href=\"/briefing/deals/\""),
        "nav links carry the base path"
    );
    assert!(
        site.read("404.html").contains("href=\"/briefing/\""),
        "404 links are absolute"
    );
}

#[test]
fn base_url_flag_moves_every_link() {
    let site = site("ok-subpath");
    let run = site.dealwire(&["build", "--base-url", "https://preview.example.net/pr-7/"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    check_all_links(&site, "/pr-7/");
    assert!(
        site.read("deals.json")
            .contains("https://preview.example.net/pr-7/articles/")
    );
}

#[test]
fn assets_land_beside_their_pages_and_drafts_wait() {
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let public = site.public();
    assert!(
        public.join("articles/with-image/chart.png").is_file(),
        "bundle asset beside its page"
    );
    assert!(
        public.join("files/report.txt").is_file(),
        "content files keep their path"
    );
    assert!(
        public.join("robots-extra.txt").is_file(),
        "static/ is copied"
    );
    let published: Vec<String> = walk(&public)
        .into_iter()
        .filter(|p| !p.contains('/'))
        .collect();
    let fingerprinted = |stem: &str, ext: &str| {
        published.iter().any(|p| {
            p.starts_with(&format!("{stem}."))
                && p.ends_with(ext)
                && p.len() == stem.len() + ext.len() + 11
        })
    };
    assert!(
        fingerprinted("style", ".css")
            && fingerprinted("syntax", ".css")
            && fingerprinted("deals", ".js"),
        "{published:?}"
    );
    assert!(
        !public.join("style.css").exists(),
        "only the fingerprinted name is published"
    );
    let drafts: Vec<String> = walk(&site.root.join("content"))
        .into_iter()
        .filter(|p| {
            std::fs::read_to_string(site.root.join("content").join(p))
                .is_ok_and(|t| t.contains("draft: true"))
        })
        .collect();
    assert_eq!(drafts.len(), 1, "the fixture has one draft");
    let html_pages = walk(&public)
        .into_iter()
        .filter(|p| p.starts_with("articles/"))
        .count();
    assert_eq!(site.dealwire(&["build", "--drafts"]).status, 0);
    let with_drafts = walk(&public)
        .into_iter()
        .filter(|p| p.starts_with("articles/"))
        .count();
    assert_eq!(with_drafts, html_pages + 1, "--drafts builds the draft");
}

#[test]
fn translations_link_each_other() {
    let site = site("ok-translation");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let en = site.read("articles/pair/index.html");
    let fr = site.read("fr/articles/pair/index.html");
    assert!(
        en.contains("hreflang=\"fr\"")
            && en.contains("https://example.org/briefing/fr/articles/pair/"),
        "{en}"
    );
    assert!(fr.contains("hreflang=\"en\"") && fr.contains("lang=\"fr\""));
    let json: serde_json::Value = serde_json::from_str(&site.read("deals.json")).expect("JSON");
    assert_eq!(
        json["deals"].as_array().expect("deals").len(),
        1,
        "a translated deal counts once"
    );
}

/// Raw HTML under each policy: the page's `<main>` and the warnings are
/// compared whole; what matters most is asserted apart.
#[test]
fn raw_html_follows_the_site_policy() {
    const PAGE: &str = "articles/raw-html/index.html";
    for policy in ["sanitize", "escape", "trust"] {
        let fixture = format!("ok-html-{policy}");
        let site = site(&fixture);
        let run = site.build();
        expect(
            &fixture,
            &site,
            &run,
            &["status", "stderr", &format!("main:{PAGE}")],
        );
        let page = site.read(PAGE);
        let main = main_element(&page);
        for hidden in ["editor: check", "hidden note", "actually signed", "<!--"] {
            assert!(
                !page.contains(hidden),
                "{policy}: a comment shows: {hidden}"
            );
        }
        // Balanced: the article's own elements close where the theme closes them.
        assert_eq!(
            main.matches("<div").count(),
            main.matches("</div>").count(),
            "{policy}: {main}"
        );
        let tight: String = main.split_whitespace().collect();
        assert!(
            tight.ends_with("</div></article></div></main>"),
            "{policy}: {main}"
        );
        let live = |tag: &str| main.contains(tag);
        match policy {
            "sanitize" => {
                for kept in [
                    "<details open=\"\">",
                    "<figcaption>",
                    "<kbd>",
                    "<abbr title=",
                    "src=\"/briefing/articles/chart.png\"",
                ] {
                    assert!(live(kept), "sanitize removed {kept}");
                }
                for gone in [
                    "<script",
                    "onclick",
                    "onerror",
                    "style=",
                    "<iframe",
                    "javascript:",
                ] {
                    assert!(!live(gone), "sanitize kept {gone}");
                }
            }
            "escape" => {
                assert!(live("&lt;script&gt;alert(1)&lt;/script&gt;") && !live("<details"));
            }
            _ => assert!(live("<script>alert(1)</script>") && live("onclick=\"steal()\"")),
        }
    }
    // The older switch still means `trust`.
    let allowed = site("ok-raw-html-allowed");
    assert_eq!(allowed.build().status, 0);
    let page = allowed.read("articles/raw-html/index.html");
    assert!(page.contains("<b>bold</b>") && page.contains("<script>alert(1)</script>"));
}

#[test]
fn site_templates_override_the_theme() {
    let site = site("ok-template-override");
    assert_eq!(site.build().status, 0);
    let public = site.public();
    let article = walk(&public)
        .into_iter()
        .find(|p| p.starts_with("articles/") && p.ends_with("index.html"))
        .expect("article");
    assert!(
        std::fs::read_to_string(public.join(article))
            .expect("read")
            .contains("class=\"override-marker\"")
    );
    assert!(
        !site.read("index.html").contains("override-marker"),
        "other templates stay the theme's"
    );
}

#[test]
fn builds_are_byte_identical_across_runs_and_thread_counts() {
    let site = site("ok-amounts");
    let root = site.root.to_string_lossy().into_owned();
    let mut snapshots = Vec::new();
    for (i, threads) in ["1", "2", "2"].iter().enumerate() {
        let out = site.root.join(format!("../out{i}"));
        let out_arg = out.to_string_lossy().into_owned();
        let run = run_env(
            &site.root,
            &["build", "--root", &root, "--output-dir", &out_arg],
            &site.root,
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert_eq!(run.status, 0, "{}", run.stderr);
        snapshots.push(snapshot(&out));
    }
    assert!(snapshots[0].len() > 10);
    assert!(
        snapshots[0] == snapshots[1],
        "1 thread and 2 threads differ"
    );
    assert!(snapshots[1] == snapshots[2], "two runs differ");
}

#[test]
fn symlinks_may_not_leave_the_site() {
    let site = site("ok-subpath");
    let outside = site.root.join("../outside.md");
    std::fs::write(
        &outside,
        "---\ntitle: Secret\ndate: 2025-01-01\n---\nsecret\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(&outside, site.root.join("content/articles/leak.md"))
        .expect("symlink");
    let run = site.build();
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .contains("error: content/articles/leak.md: symbolic link leads outside the site"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(site.root.join("content/articles/leak.md")).expect("rm");
    std::os::unix::fs::symlink(
        site.root.join("content"),
        site.root.join("content/articles/loop"),
    )
    .expect("symlink");
    let run = site.build();
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("symbolic link loop"), "{}", run.stderr);
}

#[test]
fn oversized_files_and_boms() {
    let site = site("ok-subpath");
    let big = "x".repeat(10 * 1024 * 1024 + 1);
    std::fs::write(
        site.root.join("content/articles/big.md"),
        format!("---\ntitle: Big\ndate: 2025-01-01\n---\n{big}"),
    )
    .expect("write");
    let run = site.build();
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .contains("content/articles/big.md: the file is 10485797 bytes, over the 10 MiB limit"),
        "{}",
        run.stderr
    );
    std::fs::write(
        site.root.join("content/articles/big.md"),
        "\u{feff}---\ntitle: BOM\ndate: 2025-01-01\n---\nok\n",
    )
    .expect("write");
    let run = site.build();
    assert_eq!(run.status, 0, "a BOM is fine: {}", run.stderr);
    assert!(site.read("articles/big/index.html").contains("BOM"));
}

/// Page titles and descriptions come from the theme's words, like the rest of
/// the page: a French site's deals index is headed "Accords", not "Deals".
#[test]
fn a_french_site_titles_its_pages_in_french() {
    let site = crate::harness::empty_site();
    std::fs::write(
        site.root.join("site.yaml"),
        "title: Le Registre\nbase_url: https://e.org/\nlanguage: fr\n",
    )
    .expect("write");
    std::fs::create_dir_all(site.root.join("content")).expect("mkdir");
    std::fs::write(
        site.root.join("content/a.md"),
        "---\ntitle: Accord\ndate: 2025-11-03\ntags: [nuage]\ndeal:\n  amount: 38 milliards de dollars\n  parties: [OpenAI, AWS]\n---\nTexte.\n",
    )
    .expect("write");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let deals = site.read("deals/index.html");
    assert!(deals.contains("<h1>Accords</h1>"), "{deals}");
    assert!(deals.contains("<title>Accords"), "{deals}");
    assert!(
        deals.contains("Tous les accords suivis par Le Registre"),
        "{deals}"
    );
    assert!(!deals.contains(">Deals<"), "{deals}");
    let party = site.read("deals/openai/index.html");
    assert!(party.contains("Les accords avec OpenAI"), "{party}");
    let tag = site.read("tags/nuage/index.html");
    assert!(tag.contains("Articles avec l’étiquette nuage"), "{tag}");
    let not_found = site.read("404.html");
    assert!(not_found.contains("<title>Page introuvable"), "{not_found}");
}

/// Bylines under the title (both languages), author pages, JSON-LD `Person`,
/// authors in both feeds, and a redirect page at each alias, never in the
/// sitemap.
#[test]
fn bylines_author_pages_and_redirects() {
    let site = site("ok-bylines");
    let run = site.build();
    expect(
        "ok-bylines",
        &site,
        &run,
        &[
            "status",
            "stderr",
            "main:articles/openai-aws/index.html",
            "main:authors/jeanne-dupont/index.html",
            "2025/11/03/openai-aws.html",
        ],
    );
    let page = site.read("articles/openai-aws/index.html");
    assert!(page.contains("By <a href=\"/briefing/authors/jeanne-dupont/\" rel=\"author\">Jeanne Dupont</a> and <a href=\"/briefing/authors/sam-lee/\" rel=\"author\">Sam Lee</a>"), "{page}");
    assert!(page.contains("\"author\":[{\"@type\":\"Person\",\"name\":\"Jeanne Dupont\",\"url\":\"https://example.com/jeanne\"},{\"@type\":\"Person\",\"name\":\"Sam Lee\",\"url\":\"https://example.org/briefing/authors/sam-lee/\"}]"), "{page}");
    let french = site.read("fr/articles/openai-aws/index.html");
    assert!(french.contains(
        "Par <a href=\"/briefing/fr/authors/jeanne-dupont/\" rel=\"author\">Jeanne Dupont</a></p>"
    ), "a French byline leads to the author's page in the French edition");
    let french_author = site.read("fr/authors/jeanne-dupont/index.html");
    assert!(
        french_author.starts_with("<!doctype html>\n<html lang=\"fr\"")
            && french_author.contains("/briefing/fr/articles/openai-aws/"),
        "the French edition's author page lists the translation: {french_author}"
    );
    let guest = site.read("authors/alex-guest/index.html");
    assert!(
        guest.contains("A guest column on chips"),
        "an undeclared author has a page"
    );
    let jeanne = site.read("authors/jeanne-dupont/index.html");
    assert!(
        jeanne.contains("Covers cloud contracts")
            && jeanne.contains("href=\"https://example.com/jeanne\"")
    );
    assert!(
        !jeanne.contains("OpenAI signe"),
        "an author page lists originals, not translations"
    );
    // Feeds, read by an independent parser.
    let atom = feed_rs::parser::parse(site.read("atom.xml").as_bytes()).expect("atom");
    let entry = atom
        .entries
        .iter()
        .find(|e| e.title.as_ref().is_some_and(|t| t.content.contains("$38")))
        .expect("entry");
    let names: Vec<&str> = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref())
        .collect();
    assert_eq!(names, ["Jeanne Dupont", "Sam Lee"]);
    let rss = site.read("rss.xml");
    assert!(
        rss.contains("<dc:creator>Jeanne Dupont</dc:creator>") && rss.contains("xmlns:dc="),
        "{rss}"
    );
    // Redirects: to the absolute URL, not indexed, not in the sitemap.
    let old = site.read("news/openai-aws/index.html");
    assert!(old.contains("content=\"0; url=https://example.org/briefing/articles/openai-aws/\""));
    assert!(old.contains(
        "<link rel=\"canonical\" href=\"https://example.org/briefing/articles/openai-aws/\">"
    ));
    assert!(
        site.read("fr/2025/11/03/openai-aws.html")
            .contains("url=https://example.org/briefing/fr/articles/openai-aws/")
    );
    let sitemap = site.read("sitemap.xml");
    assert!(
        sitemap.contains("/authors/jeanne-dupont/")
            && !sitemap.contains("news/openai-aws")
            && !sitemap.contains("2025/11/03")
    );
    // And `check` finds every link of the new pages.
    let check = site.dealwire(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
}

/// The archive by month links every listed article within two clicks of any
/// page (the footer links the archive), under the sub-path.
#[test]
fn the_archive_reaches_every_article() {
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let public = site.public();
    let index = site.read("archive/index.html");
    let home = site.read("index.html");
    assert!(
        home.contains("<a href=\"/briefing/archive/\">Archive</a>"),
        "the footer links the archive"
    );
    let articles: Vec<String> = walk(&public)
        .into_iter()
        .filter(|p| p.starts_with("articles/") && p.ends_with("/index.html"))
        .collect();
    assert!(articles.len() >= 3, "{articles:?}");
    let months: Vec<String> = walk(&public.join("archive"))
        .into_iter()
        .filter(|p| p.matches('/').count() == 2)
        .collect();
    let mut listed = Vec::new();
    for month in &months {
        let url = format!("/briefing/archive/{}", month.trim_end_matches("index.html"));
        assert!(
            index.contains(&format!("<a href=\"{url}\">")),
            "{url} is not in the archive index"
        );
        let page = std::fs::read_to_string(public.join("archive").join(month)).expect("month");
        listed.extend(articles.iter().filter(|a| {
            page.contains(&format!(
                "href=\"/briefing/{}\"",
                a.trim_end_matches("index.html")
            ))
        }));
    }
    listed.sort();
    listed.dedup();
    assert_eq!(
        listed.len(),
        articles.len(),
        "articles missing from the archive"
    );
    let check = site.dealwire(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
}

/// Tag, author and party pages split at `pagination.page_size`: every entry
/// on exactly one page, pages chained by `rel=prev`/`rel=next`, all in the
/// sitemap, under the sub-path.
#[test]
fn long_lists_are_split_into_linked_pages() {
    let site = site("ok-bylines");
    let yaml = site.root.join("site.yaml");
    let mut config = std::fs::read_to_string(&yaml).expect("site.yaml");
    config.push_str("pagination: { page_size: 1 }\n");
    std::fs::write(&yaml, config).expect("write");
    assert_eq!(site.build().status, 0);
    // One deal for OpenAI (a translation's deal counts once): one page, no pager.
    assert!(
        !site
            .read("deals/openai/index.html")
            .contains("class=\"pager\"")
    );
    // A list with more entries than a page: make one, with three pages.
    let three = site.root.join("content/articles");
    for n in 0..2 {
        std::fs::write(
            three.join(format!("extra-{n}.md")),
            format!(
                "---\ntitle: Extra {n}\ndate: 2025-10-0{}\nauthors: [Sam Lee]\n---\nText.\n",
                n + 1
            ),
        )
        .expect("write");
    }
    assert_eq!(site.build().status, 0);
    let first = site.read("authors/sam-lee/index.html");
    let second = site.read("authors/sam-lee/page/2/index.html");
    let third = site.read("authors/sam-lee/page/3/index.html");
    assert!(
        first.contains("<a href=\"/briefing/authors/sam-lee/page/2/\" rel=\"next\">")
            && !first.contains("rel=\"prev\"")
    );
    assert!(
        second.contains("<a href=\"/briefing/authors/sam-lee/\" rel=\"prev\">")
            && second.contains("/page/3/\" rel=\"next\"")
    );
    assert!(third.contains("rel=\"prev\"") && !third.contains("rel=\"next\""));
    assert!(second.contains("<title>Sam Lee (page 2)"), "{second}");
    let titles: Vec<&str> = [&first, &second, &third]
        .iter()
        .map(|p| p.split("<ul class=\"article-list\">").nth(1).unwrap_or(""))
        .collect();
    for title in ["OpenAI signs a $38 billion", "Extra 0", "Extra 1"] {
        assert_eq!(
            titles.iter().filter(|t| t.contains(title)).count(),
            1,
            "{title} once"
        );
    }
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("/briefing/authors/sam-lee/page/3/"));
    let check = site.dealwire(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
}

/// The home shows the latest articles; older ones go on at `page/2/`… as
/// titles, every article once across the home's pages.
#[test]
fn the_home_goes_on_at_page_two() {
    let site = site("ok-bylines");
    let yaml = site.root.join("site.yaml");
    let mut config = std::fs::read_to_string(&yaml).expect("site.yaml");
    config.push_str("pagination: { page_size: 4 }\n");
    std::fs::write(&yaml, config).expect("write");
    let dir = site.root.join("content/articles");
    for n in 0..16 {
        std::fs::write(
            dir.join(format!("brief-{n:02}.md")),
            format!(
                "---\ntitle: Brief number {n:02}\ndate: 2024-01-{:02}\n---\nText.\n",
                n + 1
            ),
        )
        .expect("write");
    }
    assert_eq!(site.build().status, 0);
    // 18 listed articles (the French translation is not listed): 10 on the
    // home, then 4 a page: pages 2 and 3.
    let home = site.read("index.html");
    assert!(
        home.contains("<a href=\"/briefing/page/2/\" rel=\"next\">")
            && home.contains("Page 1 of 3")
    );
    let last = site.read("page/3/index.html");
    assert!(
        last.contains("<a href=\"/briefing/page/2/\" rel=\"prev\">")
            && !last.contains("rel=\"next\"")
    );
    assert!(!site.public().join("page/4").exists());
    let pages: Vec<String> = ["index.html", "page/2/index.html", "page/3/index.html"]
        .iter()
        .map(|p| site.read(p))
        .collect();
    for n in 0..16 {
        let title = format!("Brief number {n:02}");
        assert_eq!(
            pages.iter().filter(|p| p.contains(&title)).count(),
            1,
            "{title}"
        );
    }
    assert!(site.read("sitemap.xml").contains("/briefing/page/3/"));
    assert_eq!(site.dealwire(&["check"]).status, 0);
}

#[test]
fn search_is_on_by_default_with_a_page_a_box_and_an_index_and_off_when_disabled() {
    // ok-subpath has `search: { enabled: true }`; without the key, search
    // is on too, and the output is the same.
    let site = site("ok-subpath");
    let config = std::fs::read_to_string(site.root.join("site.yaml")).expect("config");
    let without = config.replace("search: { enabled: true }\n", "");
    assert_ne!(without, config);
    let run = site.dealwire(&["build"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let public = site.public();
    let explicit = snapshot(&public);
    std::fs::write(site.root.join("site.yaml"), &without).expect("write");
    let run = site.dealwire(&["build"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(snapshot(&public) == explicit, "on by default");
    let home = std::fs::read_to_string(public.join("index.html")).expect("home");
    assert!(
        home.contains(r#"<a class="search-link" id="dw-find-link" href="/briefing/search/">"#),
        "without JavaScript, a link"
    );
    assert!(home.contains(r#"data-bundle="/briefing/pagefind/1.6.0/""#));
    let page = std::fs::read_to_string(public.join("search/index.html")).expect("search page");
    assert!(
        page.contains("<noscript>"),
        "the page says search needs JavaScript"
    );
    assert!(page.contains(r#"<meta name="robots" content="noindex, follow">"#));
    assert!(public.join("pagefind/1.6.0/pagefind.js").is_file());
    assert!(public.join("pagefind/1.6.0/pagefind-entry.json").is_file());

    // With `enabled: false`: nothing.
    std::fs::write(
        site.root.join("site.yaml"),
        format!("{without}search: {{ enabled: false }}\n"),
    )
    .expect("write");
    let run = site.dealwire(&["build"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let home = std::fs::read_to_string(public.join("index.html")).expect("home");
    assert!(
        !home.contains("dw-find") && !home.contains("search."),
        "no box, no script"
    );
    assert!(!public.join("search").exists());
    assert!(!public.join("pagefind").exists());
}
