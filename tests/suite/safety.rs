//! Hostile and careless input, one regression test per defect found when
//! dealwire was attacked: folders that are not ours, live scripts, panics,
//! hangs, leaked drafts, forged diagnostics. Each test failed before its fix.

use std::path::Path;

use crate::harness::{Run, TestSite, empty_site, run_in, snapshot};

const SITE_YAML: &str = "title: T\nbase_url: https://e.org/b/\nrates: { EUR: 1.1 }\n";

/// A site made of `site.yaml` and the given files.
fn mini(files: &[(&str, &str)]) -> TestSite {
    let site = empty_site();
    std::fs::write(site.root.join("site.yaml"), SITE_YAML).expect("site.yaml");
    for (path, text) in files {
        write(&site.root.join(path), text.as_bytes());
    }
    site
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

fn article(title: &str, extra: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2025-11-03\n{extra}---\n{body}\n")
}

fn no_panic(run: &Run) {
    assert!(
        run.status == 0 || run.status == 1,
        "exit {}: {}",
        run.status,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// Fails with the whole stderr unless it holds `want`.
fn stderr_has(run: &Run, want: &str) {
    assert!(run.stderr.contains(want), "no `{want}` in:\n{}", run.stderr);
}

fn build_into(site: &TestSite, target: &str) -> Run {
    let root = site.root.to_string_lossy().into_owned();
    run_in(
        site.root.parent().expect("parent"),
        &["build", "--root", &root, "--output-dir", target],
        &site.root,
    )
}

// --- The output directory -------------------------------------------------

#[test]
fn dot_dot_after_a_missing_folder_never_replaces_its_parent() {
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    let outer = site.root.parent().expect("parent").join("p");
    write(&outer.join("thesis.tex"), b"years of work");
    let run = build_into(&site, "p/nope/..");
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(&run, "`..` follows");
    assert_eq!(
        std::fs::read(outer.join("thesis.tex")).expect("kept"),
        b"years of work"
    );
    assert_eq!(std::fs::read_dir(&outer).expect("dir").count(), 1);
}

#[test]
fn dot_dot_through_a_symlink_is_the_folder_the_file_system_means() {
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    let base = site.root.parent().expect("parent");
    write(&base.join("releases/r1/app"), b"release");
    write(&base.join("releases/shared/uploads/photo.jpg"), b"upload");
    std::os::unix::fs::symlink(base.join("releases/r1"), base.join("current")).expect("link");
    let run = build_into(&site, "current/../shared/uploads");
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(&run, "refusing");
    assert_eq!(
        std::fs::read(base.join("releases/shared/uploads/photo.jpg")).expect("kept"),
        b"upload"
    );
    // A new folder through the same link lands where the file system says.
    let run = build_into(&site, "current/../shared/site");
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(base.join("releases/shared/site/index.html").is_file());
    assert!(!base.join("shared").exists());
}

#[test]
fn leftovers_of_interrupted_builds_are_removed_only_when_ours() {
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    let ours = site.root.join(".public.dealwire-staging-4242");
    write(&ours.join(".dealwire-output"), b"marker");
    write(&ours.join("index.html"), b"half");
    let old = site.root.join(".public.dealwire-old-77");
    write(&old.join(".dealwire-output"), b"marker");
    let foreign = site.root.join(".public.dealwire-staging-5");
    write(&foreign.join("notes.txt"), b"not dealwire's");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!ours.exists() && !old.exists(), "our leftovers are removed");
    assert_eq!(
        std::fs::read(foreign.join("notes.txt")).expect("kept"),
        b"not dealwire's"
    );
}

#[test]
fn a_second_build_waits_for_no_one_and_touches_nothing() {
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    assert_eq!(site.build().status, 0);
    let before = snapshot(&site.public());
    // A build in progress holds this lock.
    let lock = std::fs::File::create(site.root.join(".public.dealwire-lock")).expect("lock file");
    lock.try_lock().expect("lock");
    write(
        &site.root.join("content/b.md"),
        article("B", "", "y").as_bytes(),
    );
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(&run, "another dealwire build");
    assert_eq!(snapshot(&site.public()), before);
    drop(lock);
    assert_eq!(site.build().status, 0);
    assert!(
        !site.root.join(".public.dealwire-lock").exists(),
        "the lock goes with the build"
    );
}

#[test]
fn a_content_file_where_a_page_folder_goes_fails_build_and_check() {
    let site = mini(&[
        ("content/a.md", &article("A", "", "x")),
        ("content/deals", "not a folder"),
    ]);
    for command in ["build", "check"] {
        let run = site.dealwire(&[command]);
        assert_eq!(run.status, 1, "{command}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("error: content/deals: publishes `deals`, but `deals/"),
            "{command}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("staging"), "{}", run.stderr);
    }
}

// --- No live script --------------------------------------------------------

/// Every attribute (name, value) of every tag in `html`, read as a browser
/// tokenizer would for double-quoted, single-quoted and bare values.
fn attributes(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        // Skip the tag name.
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
            i += 1;
        }
        while i < bytes.len() && bytes[i] != b'>' {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !b" \t\n/=>".contains(&bytes[i]) {
                i += 1;
            }
            let name = html[start..i].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(i) == Some(&b'=') {
                i += 1;
                let quote = bytes.get(i).copied().filter(|q| *q == b'"' || *q == b'\'');
                let from = i + usize::from(quote.is_some());
                let mut end = from;
                while end < bytes.len()
                    && match quote {
                        Some(q) => bytes[end] != q,
                        None => !bytes[end].is_ascii_whitespace() && bytes[end] != b'>',
                    }
                {
                    end += 1;
                }
                value = html[from..end].to_string();
                i = end + usize::from(quote.is_some());
            }
            if !name.is_empty() {
                out.push((name, value));
            } else if i < bytes.len() && bytes[i] != b'>' {
                i += 1;
            }
        }
    }
    out
}

fn assert_inert(label: &str, html: &str) {
    for (name, value) in attributes(html) {
        assert!(!name.starts_with("on"), "{label}: live handler `{name}`");
        assert!(name != "autofocus", "{label}: autofocus attribute");
        if name == "href" || name == "src" {
            let v = value.to_ascii_lowercase().replace("&#x27;", "'");
            assert!(
                !v.trim_start().starts_with("javascript:")
                    && !v.starts_with("vbscript:")
                    && !v.starts_with("data:text"),
                "{label}: live URL `{value}`"
            );
        }
    }
}

#[test]
fn heading_ids_and_script_urls_never_go_live() {
    let body = "## Deal terms {#terms\"/autofocus/onfocus=\"alert(1)}\n\n\
                [a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) <javascript:alert(1)>\n\
                ![c](data:text/html,<script>alert(1)</script>) [d](vbscript:x)\n";
    let site = mini(&[("content/a.md", &article("A", "", body))]);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr
            .matches("uses a scheme outside the safe list")
            .count(),
        5,
        "{}",
        run.stderr
    );
    for page in ["articles/a/index.html", "index.html", "atom.xml", "rss.xml"] {
        let text = site.read(page);
        let html = if page.ends_with(".xml") {
            // The feed's HTML is the text of its elements, however it is quoted.
            let doc = roxmltree::Document::parse(&text).expect("well-formed feed");
            doc.descendants()
                .filter_map(|n| n.text())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text
        };
        assert_inert(page, &html);
    }
}

// --- No panic, no hang -----------------------------------------------------

#[test]
fn huge_amounts_and_rates_are_errors_not_panics() {
    let max = "79228162514264337593543950335";
    let mapping =
        format!("deal:\n  amount: {{ value: {max}, currency: USD }}\n  parties: [A, B]\n");
    let big_rate = "deal:\n  amount: €900000000000000000\n  parties: [A, B]\n";
    let site = mini(&[
        ("content/a.md", &article("A", &mapping, "x")),
        ("content/b.md", &article("B", &mapping, "x")),
        ("content/c.md", &article("C", big_rate, "x")),
    ]);
    std::fs::write(
        site.root.join("site.yaml"),
        "title: T\nbase_url: https://e.org/\nrates: { EUR: 9000000000 }\n",
    )
    .expect("site.yaml");
    let run = site.build();
    no_panic(&run);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr.matches("larger than any deal can be").count(),
        3,
        "{}",
        run.stderr
    );
    stderr_has(&run, "error: content/a.md:5:11: deal.amount");
}

#[test]
fn many_large_deals_sum_without_overflow() {
    let deal = "deal:\n  amount: { value: 999999999999999999, currency: USD }\n  parties: [A, B]\n";
    let files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("content/d{i}.md"),
                article(&format!("D{i}"), deal, "x"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let site = mini(&refs);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(site.read("deals/index.html").contains("40"));
}

#[test]
fn accented_comments_beside_a_broken_deal_never_panic() {
    for layout in [
        "deals:\n  #à vérifier\n  - amount: 38 zillion\n    parties: [A, B]\n",
        "deals:\n    #à vérifier\n    - amount: 38 zillion\n      parties: [A, B]\n",
        "deals:\n  - amount: 38 zillion\n   #àé vérifier\n    parties: [A, A]\n",
        "deals:\n #éé\n  - parties: [A, B]\n    amount: 38 zillion\n",
        "deals:\n   #ééé\n  - amount: $1B\n    parties: [A, a]\n",
    ] {
        let site = mini(&[("content/a.md", &article("A", layout, "x"))]);
        let run = site.build();
        no_panic(&run);
        assert_eq!(run.status, 1, "{layout}: {}", run.stderr);
        stderr_has(&run, "error: content/a.md:");
    }
}

#[test]
fn deeply_nested_yaml_is_refused_at_once() {
    let deep = "[".repeat(100_000);
    let site = mini(&[(
        "content/a.md",
        &article("A", &format!("tags: {deep}\n"), "x"),
    )]);
    std::fs::write(
        site.root.join("site.yaml"),
        format!("{SITE_YAML}description: {deep}\n"),
    )
    .expect("site.yaml");
    let run = site.build();
    no_panic(&run);
    stderr_has(
        &run,
        "error: site.yaml:4:78: lists and mappings nest deeper than 64 levels",
    );
}

// --- Links, drafts, text ---------------------------------------------------

#[test]
fn source_links_to_odd_file_names_resolve() {
    let body = "[été](@/accord-été.md) [enc](@/accord-%C3%A9t%C3%A9.md#top) \
                [amp](@/r&d%20notes.md) [sp](<@/r&d notes.md>)";
    let site = mini(&[
        ("content/a.md", &article("A", "", body)),
        ("content/accord-été.md", &article("Été", "", "x")),
        ("content/r&d notes.md", &article("R and D", "", "y")),
    ]);
    let run = site.dealwire(&["check"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(site.build().status, 0);
    let page = site.read("articles/a/index.html");
    assert!(page.contains("href=\"/b/articles/accord-ete/\""), "{page}");
    assert!(
        page.contains("href=\"/b/articles/accord-ete/#top\""),
        "{page}"
    );
    assert_eq!(
        page.matches("href=\"/b/articles/r-d-notes/\"").count(),
        2,
        "{page}"
    );
    assert!(!page.contains("@/"), "{page}");
}

#[test]
fn editor_copies_of_a_draft_are_never_published() {
    let draft = article("Secret", "draft: true\n", "EMBARGOED until Monday");
    let site = mini(&[
        ("content/a.md", &article("A", "", "x")),
        ("content/secret.md", &draft),
        ("content/#secret.md#", &draft),
        ("content/secret.md.bak", &draft),
        ("content/secret.md.orig", &draft),
        ("content/secret.md~", &draft),
        ("content/.secret.md.swp", &draft),
        ("content/secret.md___jb_tmp___", &draft),
    ]);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    for (rel, bytes) in snapshot(&site.public()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("EMBARGOED"),
            "published in {rel}"
        );
    }
}

#[test]
fn markdown_files_not_named_md_are_errors() {
    let draft = article("Secret", "draft: true\n", "EMBARGOED");
    let site = mini(&[
        ("content/a.md", &article("A", "", "x")),
        ("content/secret.MD", &draft),
        ("content/secret.markdown", &draft),
    ]);
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(
        &run,
        "error: content/secret.MD: a Markdown file must end in `.md`",
    );
    assert!(run.stderr.contains("error: content/secret.markdown:"));
    assert!(!site.public().exists());
}

#[test]
fn control_characters_never_reach_pages_or_feeds() {
    let title = "Bell\u{7} and null\u{0} and \u{1b}[31m";
    let text = format!(
        "---\ntitle: \"{title}\"\ndate: 2025-11-03\nsummary: s\u{0}ummary\n---\nbody \u{0}\u{b} text\u{fffe}\n"
    );
    let site = mini(&[("content/a.md", &text)]);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    stderr_has(
        &run,
        "warning: content/a.md:2:13: control character U+0007 replaced",
    );
    for (rel, bytes) in snapshot(&site.public()) {
        if crate::harness::is_binary_output(&rel) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Some(c) = text
            .chars()
            .find(|&c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{fffe}')
        {
            panic!("{rel} holds U+{:04X}", c as u32);
        }
        if rel.ends_with(".xml") {
            roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
        }
    }
}

#[test]
fn parties_that_differ_only_in_case_are_one_party() {
    let one = "deal:\n  amount: $1B\n  parties: [Acme, ACME]\n";
    let site = mini(&[("content/a.md", &article("A", one, "x"))]);
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(&run, "are the same party");

    let a = "deal:\n  amount: $1B\n  parties: [Acme, Beta]\n";
    let b = "deal:\n  amount: $2B\n  parties: [ACME, Gamma]\n";
    let site = mini(&[
        ("content/a.md", &article("A", a, "x")),
        ("content/b.md", &article("B", b, "x")),
    ]);
    assert_eq!(site.build().status, 0);
    let page = site.read("deals/acme/index.html");
    assert_eq!(
        page.matches("<tr").count(),
        3,
        "a header and two deals: {page}"
    );
}

#[test]
fn file_names_cannot_forge_diagnostic_lines() {
    let site = mini(&[(
        "content/x\nerror: content/forged.md:1:1: fake\u{1b}[2J.md",
        "---\ntitle: x\n---\n",
    )]);
    let run = site.build();
    assert_eq!(run.status, 1);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].contains("x\\nerror: content/forged.md"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'));
}

#[test]
fn file_names_that_are_not_utf8_are_errors_not_merged() {
    use std::os::unix::ffi::OsStrExt;
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    for raw in [&b"caf\xe9.png"[..], &b"caf\xe8.png"[..]] {
        let name = std::ffi::OsStr::from_bytes(raw);
        std::fs::write(site.root.join("content").join(name), b"img").expect("write");
    }
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("the name is not UTF-8 text").count(),
        2,
        "{}",
        run.stderr
    );
}

#[test]
fn base_urls_with_quotes_are_refused() {
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    let run = site.dealwire(&["build", "--base-url", "https://e.org/\"><script>x</script>"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(&run, "not a usable base URL");
    assert!(!site.public().exists());
}

#[test]
fn dates_with_impossible_offsets_or_years_are_errors() {
    for (date, why) in [
        ("2025-11-03T09:00:00+25:00", "no valid offset"),
        ("0000-01-01", "outside the years"),
        ("9999-12-31", "outside the years"),
    ] {
        let text = format!("---\ntitle: A\ndate: {date}\n---\nx\n");
        let site = mini(&[("content/a.md", &text)]);
        let run = site.build();
        assert_eq!(run.status, 1, "{date}: {}", run.stderr);
        stderr_has(&run, "content/a.md:3:7: date:");
        assert!(run.stderr.contains(why), "{date}: {}", run.stderr);
    }
}

#[test]
fn mapping_amounts_keep_every_digit() {
    let deal = "deal:\n  amount: { value: 1234567890.123456789012345, currency: EUR }\n  parties: [A, B]\n";
    let site = mini(&[("content/a.md", &article("A", deal, "x"))]);
    std::fs::write(
        site.root.join("site.yaml"),
        "title: T\nbase_url: https://e.org/\nrates: { EUR: 1.0000000000000000001 }\n",
    )
    .expect("site.yaml");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = site.read("deals.json");
    assert!(
        json.contains("\"value\": \"1234567890.123456789012345\""),
        "{json}"
    );
    assert!(
        json.contains("\"reporting_value\": \"1234567890.12\""),
        "{json}"
    );
}

#[test]
fn new_with_a_very_long_title_writes_a_file() {
    let site = mini(&[("content/a.md", &article("A", "", "x"))]);
    let title = "Un accord de calcul ".repeat(15);
    let run = site.dealwire(&["new", &title]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let written: Vec<String> = std::fs::read_dir(site.root.join("content/articles"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 1);
    assert!(written[0].len() <= 103, "{}", written[0]);
    assert_eq!(site.build().status, 0);
}

#[test]
fn a_huge_article_stays_out_of_the_feeds_whole() {
    let rows: String = (0..40_000).map(|i| format!("| r{i} | x | y |\n")).collect();
    let body = format!("Intro.\n\n| a | b | c |\n|---|---|---|\n{rows}");
    let site = mini(&[
        ("content/big.md", &article("Big", "", &body)),
        ("content/small.md", &article("Small", "", "Just a line.")),
    ]);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(site.read("articles/big/index.html").len() > 1_000_000);
    for feed in ["atom.xml", "rss.xml"] {
        let text = site.read(feed);
        assert!(text.len() < 20_000, "{feed} is {} bytes", text.len());
        roxmltree::Document::parse(&text).expect("well-formed");
        assert!(
            text.contains("Just a line."),
            "small articles keep their content"
        );
    }
}

#[test]
fn escaped_control_characters_in_yaml_are_errors() {
    let site = mini(&[(
        "content/a.md",
        "---\ntitle: \"Bell\\a \\e[31m\"\ndate: 2025-11-03\n---\nx\n",
    )]);
    std::fs::write(
        site.root.join("site.yaml"),
        "title: \"\\v\\f\\e[31m\"\nbase_url: https://e.org/\n",
    )
    .expect("site.yaml");
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(
        &run,
        "error: site.yaml:1:8: title: the control character U+000B",
    );
    std::fs::write(site.root.join("site.yaml"), SITE_YAML).expect("site.yaml");
    let run = site.build();
    stderr_has(
        &run,
        "error: content/a.md:2:8: title: the control character U+0007",
    );
}

#[test]
fn lone_carriage_returns_end_lines_for_every_position() {
    let site = mini(&[(
        "content/a.md",
        "---\rtitle: T\r\r\rdate: 2025-01-01\rdraft: yes\n---\nbody\n",
    )]);
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    stderr_has(&run, "error: content/a.md:6:8: draft:");
}

/// Columns count characters everywhere: an amount after accents is placed
/// on the character, not the byte.
#[test]
fn columns_count_characters_after_accents() {
    let deal = "deal:\n  amount: \"€ 38 zillion\"\n  parties: [A, B]\n";
    let site = mini(&[("content/a.md", &article("Été", deal, "x"))]);
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    // `zillion` is the 17th character of `  amount: "€ 38 zillion"` (the 19th byte).
    stderr_has(
        &run,
        "error: content/a.md:5:17: deal.amount: could not understand `zillion`",
    );
}

/// A party whose page would be a year's page of the deals index (`2025`):
/// an error naming the address, never one page silently replacing the other.
#[test]
fn a_party_named_like_a_year_is_an_error_not_a_lost_page() {
    use dealwire::pipeline::{self, BuildOptions};
    use dealwire::source::{SiteSource, SourceFile};
    let site = SiteSource {
        root: std::path::PathBuf::from("/site"),
        config: "title: T\nbase_url: https://e.org/\n".into(),
        files: vec![SourceFile::new(
            "content/a.md",
            "---\ntitle: Year party\ndate: 2025-11-03\ndeal:\n  amount: $1 billion\n  parties: ['2025', Acme]\n---\nBody.\n",
        )],
        diagnostics: Default::default(),
    };
    let errors = pipeline::build(site, &BuildOptions::default()).expect_err("refused");
    assert!(
        errors.iter().any(|d| d
            .to_string()
            .contains("two pages are made for `deals/2025/index.html`")),
        "{errors:?}"
    );
}
