//! `dealwire new` and `dealwire init`: what they write builds at once, and they
//! never overwrite.

use crate::harness::{TestSite, empty_site, run_in, site};

#[test]
fn init_makes_a_site_that_builds_and_refuses_a_non_empty_folder() {
    let tmp = empty_site();
    let dir = tmp.root.join("briefing");
    let dir_arg = dir.to_string_lossy().into_owned();
    let run = run_in(&tmp.root, &["init", &dir_arg], &tmp.root);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(dir.join(".gitignore").is_file() && dir.join("site.yaml").is_file());
    assert!(!dir.join("themes").exists(), "the built-in theme is used");
    let built = run_in(&dir, &["build"], &dir);
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert_eq!(built.stderr, "");
    assert!(
        std::fs::read_to_string(dir.join("public/deals.json"))
            .expect("deals")
            .contains("38000000000")
    );
    let again = run_in(&tmp.root, &["init", &dir_arg], &tmp.root);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);
    assert!(
        dir.join("public/index.html").is_file(),
        "nothing was touched"
    );
}

#[test]
fn new_writes_an_article_that_builds_and_never_overwrites() {
    let site = site("ok-translation");
    let run = site.dealwire(&[
        "new",
        "Accord à 38 milliards: \"le\" record",
        "--deal",
        "--lang",
        "fr",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let path = site
        .root
        .join("content/articles/accord-a-38-milliards-le-record.md");
    assert_eq!(
        run.stdout.trim(),
        "$SITE/content/articles/accord-a-38-milliards-le-record.md"
    );
    let text = std::fs::read_to_string(&path).expect("written");
    assert!(
        text.contains("lang: fr") && text.contains("# deal:"),
        "{text}"
    );
    // French comments and placeholder, and the commented fields of every skeleton.
    for part in [
        "#   id: ",
        "#   status: announced",
        "completed (finalisé) ou cancelled (annulé)",
        "# authors: ",
        "# Retirez le `#`",
        "Écrivez l'article ici.",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(!text.contains("Write the article"), "{text}");
    let built = site.build();
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert!(
        site.read("articles/accord-a-38-milliards-le-record/index.html")
            .contains("Accord à 38 milliards")
    );
    std::fs::write(&path, "edited").expect("edit");
    let again = site.dealwire(&["new", "Accord à 38 milliards: \"le\" record"]);
    assert_eq!(again.status, 1);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "edited");
}

#[test]
fn new_needs_a_site() {
    let tmp = empty_site();
    let run = run_in(&tmp.root, &["new", "Title"], &tmp.root);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no site here"), "{}", run.stderr);
}

#[test]
fn every_skeleton_builds_with_its_commented_fields() {
    let site = site("ok-translation");
    for (args, file, parts) in [
        (
            &["new", "Plain one"][..],
            "plain-one.md",
            &[
                "# authors: ",
                "# summary: One sentence",
                "Write the article here.",
            ][..],
        ),
        (
            &["new", "With a deal", "--deal"][..],
            "with-a-deal.md",
            &[
                "#   id: ",
                "#   status: announced",
                "completed or cancelled",
                "`at least $10B`",
                "# authors: ",
            ][..],
        ),
    ] {
        let run = site.dealwire(args);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(site.root.join("content/articles").join(file))
            .expect("written");
        for part in parts {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
    let built = site.build();
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert!(
        site.public()
            .join("articles/with-a-deal/index.html")
            .is_file()
    );
    let usage = site.dealwire(&["new"]);
    assert_eq!(usage.status, 2, "a title or --translation-of is needed");
    let both = site.dealwire(&["new", "--deal", "--translation-of", "content/articles/x.md"]);
    assert_eq!(both.status, 2, "a translation declares no deal of its own");
}

/// An English original with a slug, a deal with an id and one without.
fn original_site() -> TestSite {
    let site = site("ok-translation");
    let articles = site.root.join("content/articles");
    std::fs::remove_file(articles.join("pair.fr.md")).expect("remove");
    std::fs::write(
        articles.join("pair.md"),
        [
            "---",
            "title: \"OpenAI signs a $38 billion deal with AWS\"",
            "date: 2025-11-03T09:00:00-05:00",
            "slug: openai-aws",
            "tags: [cloud]",
            "deals:",
            "  - amount: $38 billion",
            "    parties: [OpenAI, AWS]",
            "    id: openai-aws-2025",
            "  - amount: $1B",
            "    parties: [OpenAI, Nvidia]",
            "---",
            "",
            "Prose.\n",
        ]
        .join("\n"),
    )
    .expect("write");
    site
}

#[test]
fn translation_of_starts_the_translation_beside_its_original() {
    let site = original_site();
    let run = site.dealwire(&["new", "--translation-of", "content/articles/pair.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "$SITE/content/articles/pair.fr.md");
    let path = site.root.join("content/articles/pair.fr.md");
    let text = std::fs::read_to_string(&path).expect("written");
    for part in [
        "title: \"OpenAI signs a $38 billion deal with AWS\"   # à traduire\n",
        "date: 2025-11-03T09:00:00-05:00\n",
        "slug: openai-aws\n",
        "deals:\n  - ref: openai-aws-2025\n",
        "# deals[1] (OpenAI, Nvidia) n'a pas d'`id:`",
        "# La traduction de content/articles/pair.md.",
        "# authors: ",
        "Traduisez l'article ici.",
    ] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(
        !text.contains("lang:"),
        "the file name gives the language: {text}"
    );
    let built = site.build();
    assert_eq!(built.status, 0, "{}", built.stderr);
    let page = site.read("fr/articles/openai-aws/index.html");
    assert!(page.contains("lang=\"fr\""), "a French page");
    assert!(page.contains("hreflang=\"en\""), "it links its original");
    let coverage = site.read("deals.json");
    assert!(
        coverage.contains("/fr/articles/openai-aws/"),
        "the translation covers the deal it refers to"
    );

    std::fs::write(&path, "edited").expect("edit");
    let again = site.dealwire(&["new", "--translation-of", "content/articles/pair.md"]);
    assert_eq!(again.status, 1);
    assert!(
        again
            .stderr
            .contains("content/articles/pair.fr.md already exists"),
        "{}",
        again.stderr
    );
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), "edited");
}

#[test]
fn translation_of_reads_paths_from_the_current_directory_and_other_languages() {
    let site = original_site();
    let articles = site.root.join("content/articles");
    let root = site.root.to_string_lossy().into_owned();
    // A French original (by `lang:`) gets an English translation.
    std::fs::write(
        articles.join("accord.md"),
        "---\ntitle: Un accord\ndate: 2025-11-04\nlang: fr\n---\n\nTexte.\n",
    )
    .expect("write");
    let run = run_in(
        &articles,
        &[
            "new",
            "--translation-of",
            "accord.md",
            "--root",
            &root,
            "A deal",
        ],
        &site.root,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(articles.join("accord.en.md")).expect("written");
    assert!(
        text.starts_with("---\ntitle: \"A deal\"\ndate: 2025-11-04\n"),
        "{text}"
    );
    assert!(text.contains("Translate the article here."), "{text}");
    assert!(
        !text.contains("slug:") && !text.contains("deals:"),
        "{text}"
    );
    let same = site.dealwire(&[
        "new",
        "--translation-of",
        "content/articles/pair.md",
        "--lang",
        "en",
    ]);
    assert_eq!(same.status, 1);
    assert!(
        same.stderr.contains("already in that language"),
        "{}",
        same.stderr
    );
    let built = site.build();
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert!(
        site.public()
            .join("en/articles/accord/index.html")
            .is_file()
    );
}

#[test]
fn translation_of_refuses_translations_missing_files_and_files_outside_content() {
    let site = site("ok-translation");
    for (file, message) in [
        (
            "content/articles/pair.fr.md",
            "content/articles/pair.fr.md: it is itself a translation",
        ),
        (
            "content/articles/nope.md",
            "content/articles/nope.md: no such article",
        ),
        ("site.yaml", "site.yaml: not an article"),
    ] {
        let run = site.dealwire(&["new", "--translation-of", file]);
        assert_eq!(run.status, 1, "{file}");
        assert!(run.stderr.contains(message), "{file}: {}", run.stderr);
    }
    assert!(!site.root.join("content/articles/pair.fr.fr.md").exists());
}
