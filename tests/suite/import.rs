//! `dealwire import`: a small Zola, Hugo and Jekyll site each, converted into
//! a fresh site; the articles written are compared whole, the site then
//! builds and checks cleanly; a second import overwrites nothing, and a dry
//! run writes nothing.

use crate::harness::{TestSite, expect, fixtures, run_in, snapshot};

/// `dealwire init` in a temporary folder, without its example articles.
fn fresh_site() -> TestSite {
    let site = crate::harness::empty_site();
    std::fs::remove_dir(&site.root).expect("empty");
    let run = run_in(
        &fixtures(),
        &["init", &site.root.to_string_lossy()],
        &site.root,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    std::fs::remove_dir_all(site.root.join("content")).expect("no examples");
    site
}

fn import(site: &TestSite, generator: &str, extra: &[&str]) -> crate::harness::Run {
    import_from(site, generator, &format!("import-{generator}"), extra)
}

/// `dealwire import GENERATOR FIXTURE --into SITE EXTRA…`.
fn import_from(
    site: &TestSite,
    generator: &str,
    fixture: &str,
    extra: &[&str],
) -> crate::harness::Run {
    let root = site.root.to_string_lossy().into_owned();
    let mut args = vec!["import", generator, fixture, "--into", root.as_str()];
    args.extend(extra);
    run_in(&fixtures(), &args, &site.root)
}

#[test]
fn archives_of_three_generators_become_articles() {
    let cases: [(&str, &[&str]); 3] = [
        (
            "zola",
            &[
                "site:content/articles/blog/openai-aws.md",
                "site:content/articles/blog/deal-day/index.md",
            ],
        ),
        (
            "hugo",
            &[
                "site:content/articles/posts/gpu-deal/index.md",
                "site:content/articles/posts/toml-post.md",
            ],
        ),
        (
            "jekyll",
            &[
                "site:content/articles/2022-03-04-hello-world.md",
                "site:content/articles/2022-05-06-draft-notes.md",
            ],
        ),
    ];
    for (generator, files) in cases {
        let site = fresh_site();
        let run = import(&site, generator, &[]);
        let mut compared = vec!["status", "stdout", "stderr"];
        compared.extend(files.iter().copied());
        expect(&format!("import-{generator}"), &site, &run, &compared);
        let build = site.build();
        assert_eq!(build.status, 0, "{generator}: {}", build.stderr);
        assert_eq!(
            template_syntax_shown(&site),
            Vec::<String>::new(),
            "{generator}"
        );
        let check = site.dealwire(&["check"]);
        assert_eq!(check.status, 0, "{generator}: {}", check.stderr);
        // Never overwrites: a second import changes nothing and says why.
        let before = snapshot(&site.root.join("content"));
        let again = import(&site, generator, &[]);
        assert_eq!(again.status, 1);
        assert!(
            again.stderr.contains("exists already: not imported"),
            "{}",
            again.stderr
        );
        assert_eq!(snapshot(&site.root.join("content")), before);
    }
}

#[test]
fn imported_pages_redirect_old_urls_and_keep_their_files() {
    let site = fresh_site();
    assert_eq!(import(&site, "zola", &[]).status, 0);
    assert_eq!(site.build().status, 0);
    // The old URLs: a written alias, the computed one, and the folder post's `path`.
    for old in [
        "2025/11/03/openai-aws.html",
        "blog/openai-aws/index.html",
        "2019/07/22/deal-day/index.html",
    ] {
        assert!(site.read(old).contains("http-equiv=\"refresh\""), "{old}");
    }
    let chart = std::fs::read(site.public().join("articles/deal-day/chart.png")).expect("chart");
    assert!(
        chart.starts_with(b"\x89PNG"),
        "the bundle's image is published"
    );
    let page = site.read("articles/openai-aws/index.html");
    assert!(
        page.contains("<a href=\"/articles/deal-day/\">the Azure years</a>"),
        "the @/ link follows the article"
    );
    assert!(page.contains("<figcaption>Compute.</figcaption>") && !page.contains("style="));
}

#[test]
fn a_dry_run_writes_nothing() {
    let site = fresh_site();
    let run = import(&site, "hugo", &["--dry-run"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("would import 2 posts")
            && run.stdout.contains("dry run: nothing written"),
        "{}",
        run.stdout
    );
    assert!(!site.root.join("content").exists());
}

#[test]
fn a_folder_that_is_not_a_site_is_refused() {
    let site = crate::harness::empty_site();
    let run = import(&site, "zola", &[]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("no dealwire site here"),
        "{}",
        run.stderr
    );
}

/// The page or redirect an old URL of an imported site answers with: the
/// file a static host serves for it, and where its refresh points.
fn answer(site: &TestSite, old: &str) -> Option<String> {
    let rel = old.trim_start_matches('/');
    let rel = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    let page = std::fs::read_to_string(site.public().join(rel)).ok()?;
    let at = page.find("http-equiv=\"refresh\"")?;
    let url = page[at..].split("url=").nth(1)?.split('"').next()?;
    Some(url.trim_start_matches("https://example.org").to_string())
}

/// Published HTML that shows template syntax to readers: outside `<pre>` and
/// `<code>`, any `{{<`, `{{%`, `{%` or `{{ site.`, or a Zola shortcode
/// call `{{ name(`.
fn template_syntax_shown(site: &TestSite) -> Vec<String> {
    let mut shown = Vec::new();
    for entry in walkdir::WalkDir::new(site.public()) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_none_or(|x| x != "html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path()).expect("read");
        let doc = scraper::Html::parse_document(&html);
        for node in doc.root_element().descendants() {
            let Some(text) = node.value().as_text() else {
                continue;
            };
            let in_code = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| matches!(e.name(), "pre" | "code"))
            });
            let zola_call = text.match_indices("{{").any(|(at, _)| {
                let rest = text[at + 2..].trim_start();
                let name = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                name > 0 && rest[name..].starts_with('(')
            });
            if !in_code
                && (zola_call
                    || ["{{<", "{{%", "{%", "{{ site."]
                        .iter()
                        .any(|s| text.contains(s)))
            {
                shown.push(format!("{}: {}", entry.path().display(), text.trim()));
            }
        }
    }
    shown
}

#[test]
fn a_hugo_site_keeps_every_old_url_and_publishes_no_template_syntax() {
    let site = fresh_site();
    let run = import_from(&site, "hugo", "import-hugo-site", &[]);
    expect(
        "import-hugo-site",
        &site,
        &run,
        &[
            "status",
            "stdout",
            "stderr",
            "site:content/articles/post/trusted.md",
            "site:content/articles/post/trusted.fr.md",
            "site:content/articles/post/second/index.md",
            "site:content/articles/post/scheduled.md",
            "site:content/pages/about.md",
            "site:content/pages/about.fr.md",
        ],
    );
    let build = site.dealwire(&["build", "--future", "--drafts"]);
    assert_eq!(build.status, 0, "{}", build.stderr);
    // Every URL the old site published (its permalinks, ugly URLs, the
    // French prefix, written and page-relative aliases) leads to the article.
    for (old, new) in [
        (
            "/2025/11/03/the-deal-is-signed.html",
            "/articles/the-deal-is-signed/",
        ),
        (
            "/fr/2025/11/03/l-accord-est-signe.html",
            "/fr/articles/the-deal-is-signed/",
        ),
        ("/2024/01/02/second-a-bundle.html", "/articles/second/"),
        ("/old/second/", "/articles/second/"),
        ("/2024/01/02/earlier-second/", "/articles/second/"),
        (
            "/2025/01/01/scheduled-for-later.html",
            "/articles/scheduled/",
        ),
        // `:sections` counts a nested folder only when it has `_index.md`.
        ("/news/deep-story/", "/articles/story/"),
        ("/news/wide/wide-item/", "/articles/item/"),
        // A translated bundle, beside the original (its chart brought once).
        (
            "/fr/2024/01/02/deuxième-un-dossier.html",
            "/fr/articles/second/",
        ),
        // A page with no date is a standalone page, with its translation.
        ("/who-we-are/", "/about/"),
        // The translation's own slug made its old URL; it takes the
        // original's now.
        ("/fr/a-propos/", "/fr/about/"),
    ] {
        assert_eq!(answer(&site, old).as_deref(), Some(new), "{old}");
    }
    // At their old URLs already: no redirect, the pages themselves.
    assert!(
        site.read("about/index.html")
            .contains("<h1>About the old briefing</h1>")
    );
    assert!(
        site.read("fr/about/index.html")
            .contains("<h1>À propos</h1>")
    );
    assert_eq!(template_syntax_shown(&site), Vec::<String>::new());
    let page = site.read("articles/the-deal-is-signed/index.html");
    assert!(
        page.contains("youtube-nocookie") || page.contains("Watch on YouTube"),
        "the video embed"
    );
    assert!(page.contains("<figcaption"), "the figure embed");
    assert!(
        page.contains("href=\"/articles/second/\""),
        "the ref link follows the article"
    );
    assert!(page.contains("press@example.org"), "the param's value");
    let bundle = site.read("articles/second/index.html");
    assert!(
        bundle.contains("vimeo.com/76979871") && !bundle.contains("<iframe"),
        "a video <iframe> is an embed, loaded on a click"
    );
    // The old feeds, once `site.yaml` lists them as the import says: a copy
    // of the matching feed at each old address, never a redirect page.
    assert!(
        run.stderr.contains("add `feeds: { copies: { fr/index.xml: rss, fr/post/index.xml: rss, index.xml: rss, news/index.xml: rss, news/wide/index.xml: rss, post/index.xml: rss } }` to site.yaml"),
        "{}",
        run.stderr
    );
    let config = site.root.join("site.yaml");
    let mut yaml = std::fs::read_to_string(&config).expect("site.yaml");
    yaml.push_str(
        "feeds: { copies: { index.xml: rss, post/index.xml: rss, fr/index.xml: rss, fr/post/index.xml: rss } }\n",
    );
    std::fs::write(&config, &yaml).expect("write");
    let build = site.dealwire(&["build", "--future", "--drafts"]);
    assert_eq!(build.status, 0, "{}", build.stderr);
    for (copy, feed) in [
        ("index.xml", "rss.xml"),
        ("post/index.xml", "rss.xml"),
        ("fr/index.xml", "fr/rss.xml"),
        ("fr/post/index.xml", "fr/rss.xml"),
    ] {
        let copy = std::fs::read(site.public().join(copy)).expect("the copy");
        assert!(
            copy == std::fs::read(site.public().join(feed)).expect("the feed"),
            "{feed}"
        );
        let parsed = feed_rs::parser::parse(&copy[..]).expect("a feed");
        assert!(!parsed.entries.is_empty());
    }
    std::fs::write(&config, yaml.replace("post/index.xml", "../outside.xml")).expect("write");
    let refused = site.build();
    assert_eq!(refused.status, 1);
    assert!(
        refused
            .stderr
            .contains("`../outside.xml` is not a path on the site"),
        "{}",
        refused.stderr
    );
    std::fs::write(&config, yaml).expect("write");
    // `check` passes, and still reports each construct kept.
    let check = site.dealwire(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
    assert_eq!(
        check
            .stderr
            .matches("kept in a comment by `dealwire import`")
            .count(),
        3,
        "{}",
        check.stderr
    );
}

#[test]
fn a_jekyll_site_keeps_every_old_url_and_publishes_no_template_syntax() {
    let site = fresh_site();
    let run = import_from(
        &site,
        "jekyll",
        "import-jekyll-site",
        &["--old-base-url", "https://wire.example.org/"],
    );
    expect(
        "import-jekyll-site",
        &site,
        &run,
        &[
            "status",
            "stdout",
            "stderr",
            "site:content/articles/2013-05-06-first-deal.md",
            "site:content/articles/news/2014-02-03-follow-up.md",
            "site:content/pages/about.md",
            "site:content/pages/team/index.md",
            "site:content/pages/guides/setup.md",
            "site:content/pages/2015-01-01-moved.md",
            "site:content/articles/deal-in-the-works.md",
        ],
    );
    let build = site.dealwire(&["build", "--future"]);
    assert_eq!(build.status, 0, "{}", build.stderr);
    // `pretty` in the time zone of `_config.yml` (00:30 in Paris is the day
    // before in UTC), a category, a permalink of the post, `redirect_from`;
    // all under `/blog/`, the old `baseurl`, as the new site is at `/`.
    for (old, new) in [
        (
            "/blog/deals/2013/05/06/first-deal/",
            "/articles/first-deal/",
        ),
        ("/blog/archive/follow-up/", "/articles/follow-up/"),
        ("/blog/follow/", "/articles/follow-up/"),
        ("/blog/2099/01/01/embargoed/", "/articles/embargoed/"),
        // A permalink from `defaults:` for the posts of `news/`.
        ("/blog/news/2014/second-look/", "/articles/second-look/"),
        // Pages: a `permalink:`, the `pretty` style (a folder's
        // `index.html`), a collection's own permalink.
        ("/blog/about/", "/about/"),
        ("/blog/team/", "/team/"),
        ("/blog/guides/setup/", "/guides/setup/"),
        // A redirect (`redirect_to`) is a page that redirects, from its
        // own URL and its old one, straight to its target.
        (
            "/blog/2015/01/01/moved/",
            "https://elsewhere.example/moved/",
        ),
        ("/moved/", "https://elsewhere.example/moved/"),
    ] {
        assert_eq!(answer(&site, old).as_deref(), Some(new), "{old}");
    }
    assert_eq!(template_syntax_shown(&site), Vec::<String>::new());
    let page = site.read("articles/first-deal/index.html");
    assert!(page.contains("dealwire/old-wire"), "{{ site.repository }}");
    assert!(
        page.contains("href=\"/articles/follow-up/\""),
        "post_url and link"
    );
    assert!(
        page.contains("data-lang=\"ruby\""),
        "highlight is a code block"
    );
    // A link to another post's Markdown file follows the article.
    let second = site.read("articles/second-look/index.html");
    assert!(
        second.contains("href=\"/articles/first-deal/#top\""),
        "{second}"
    );
    // The old site's pages and a collection's documents are pages now,
    // on no list; a page the import did not bring stays on the old site.
    assert!(
        page.contains("href=\"/guides/setup/\""),
        "a collection's document"
    );
    assert!(page.contains("href=\"/about/\""), "a page");
    assert!(
        page.contains("href=\"https://wire.example.org/docs/api/\""),
        "a page not imported"
    );
    let about = site.read("about/index.html");
    assert!(about.contains("<h1>About the old wire</h1>") && about.contains("dealwire/old-wire"));
    assert!(!site.read("atom.xml").contains("About the old wire"));
    let check = site.dealwire(&["check"]);
    assert_eq!(check.status, 0, "{}", check.stderr);

    // Without `--old-base-url`, `check` lists the link as broken.
    let without = fresh_site();
    let run = import_from(&without, "jekyll", "import-jekyll-site", &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let check = without.dealwire(&["check"]);
    assert_eq!(check.status, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("broken link `/docs/api/`"),
        "{}",
        check.stderr
    );
}

#[test]
fn posts_that_would_fail_the_build_are_reported_at_import_each_with_why() {
    let old = crate::harness::empty_site();
    let write = |rel: &str, text: &str| old.write(rel, text);
    write("hugo.toml", "title = \"x\"\n");
    write(
        "content/post/number.md",
        "---\ntitle: A number\ndate: 20240101\n---\nText.\n",
    );
    write(
        "content/post/fields.md",
        "---\ntitle: Fields\ndate: 2024-01-01\nlastmod: not-a-date\naliases: [\"../../etc\", \"javascript:alert(1)\"]\n---\nText.\n",
    );
    write(
        "content/post/letter.html",
        "---\ntitle: A letter\ndate: 2024-01-01\n---\n<p>Hi</p>\n",
    );
    write(
        "content/post/deal.md",
        "---\ntitle: Unknown card\ndate: 2024-01-01\n---\n\n{{< youtube \"x\\\" onload=\\\"y\" >}}\n",
    );
    let site = fresh_site();
    let root = site.root.to_string_lossy().into_owned();
    let source = old.root.to_string_lossy().into_owned();
    let run = run_in(
        &old.root,
        &["import", "hugo", &source, "--into", &root],
        &site.root,
    );
    assert_eq!(run.status, 1, "{}", run.stderr);
    for want in [
        "number.md: `date`: `20240101` is not a date",
        "fields.md: dropped `lastmod`: `not-a-date` is not a date",
        "fields.md: dropped the alias `/post/fields/../../etc/`: `..` or `.` in a path",
        "fields.md: dropped the alias `/post/fields/javascript:alert(1)/`: not a path on the site",
        "letter.html: a post written in HTML: imported as one block of HTML",
        "deal.md: converted, it would fail the build (",
    ] {
        assert!(run.stderr.contains(want), "{want}\n{}", run.stderr);
    }
    // The one good post is imported, and builds.
    assert!(site.root.join("content/articles/post/fields.md").is_file());
    assert!(!site.root.join("content/articles/post/deal.md").exists());
    assert_eq!(site.build().status, 0);
}
