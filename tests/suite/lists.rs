//! Long lists and mappings in front matter and `site.yaml`: each is read in
//! time linear in its length (`tests/bench/lists` measures it), a list whose
//! items each make a page showing the whole list has a limit, and a key given
//! twice in any mapping is an error naming both lines.

use crate::harness::{Run, TestSite, empty_site};

const SITE: &str = "title: T\nbase_url: https://example.org/\n";

/// A site of `site.yaml` text and one article with `front` as front matter
/// after its title and date.
fn one_article(config: &str, front: &str) -> TestSite {
    let site = empty_site();
    std::fs::write(site.root.join("site.yaml"), config).expect("site.yaml");
    std::fs::create_dir_all(site.root.join("content")).expect("content");
    let text = format!("---\ntitle: A\ndate: 2025-11-03\n{front}---\nText.\n");
    std::fs::write(site.root.join("content/a.md"), text).expect("article");
    site
}

fn errors(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect()
}

#[test]
fn an_article_has_at_most_a_thousand_tags() {
    let tags: String = (0..1_200).map(|i| format!("  - tag {i}\n")).collect();
    let run = one_article(SITE, &format!("tags:\n{tags}")).dealwire(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    // The file's line 5 holds the first tag: the 1,001st is on line 1,005.
    assert_eq!(
        errors(&run),
        [
            "error: content/a.md:1005:5: tags[1000]: an article has at most 1000 tags (each tag page shows the article with all its tags), and this one has 1200"
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_deal_has_at_most_a_thousand_parties() {
    let parties: String = (0..1_001).map(|i| format!("    - Party {i}\n")).collect();
    let front = format!("deal:\n  amount: $1B\n  parties:\n{parties}");
    let run = one_article(SITE, &front).dealwire(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(
        errors(&run),
        [
            "error: content/a.md:1007:7: deal.parties[1000]: a deal has at most 1000 parties (each party's page shows the deal with all its parties), and this one has 1001"
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn an_article_lists_at_most_a_thousand_deals() {
    let deals: String = (0..1_001)
        .map(|i| format!("  - amount: ${}M\n    parties: [A{i}, B{i}]\n", i + 1))
        .collect();
    let run = one_article(SITE, &format!("deals:\n{deals}")).dealwire(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    // Line 5 holds the first entry, two lines each: the 1,001st is on line 2,005.
    assert_eq!(
        errors(&run),
        [
            "error: content/a.md:2005:5: deals[1000]: an article reports at most 1000 deals (each makes its own page and rows on the party, year and index pages), and this one has 1001"
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn long_lists_under_their_limits_are_placed_item_by_item() {
    // Aliases and bylines have no limit: the last of many is found at its line.
    let mut front = String::from("aliases:\n");
    front.extend((0..5_000).map(|i| format!("  - /old/{i}/\n")));
    front.push_str("  - /old/7/\nauthors:\n");
    front.extend((0..5_000).map(|i| format!("  - Writer {i}\n")));
    front.push_str("  - writer 7\n");
    let run = one_article(SITE, &front).dealwire(&["check"]);
    assert_eq!(
        errors(&run),
        [
            "error: content/a.md:5005:5: aliases[5000]: `/old/7/` is listed twice",
            "error: content/a.md:10007:5: authors[5000]: `writer 7` is listed twice (writer 7)",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_twice_in_any_mapping_of_site_yaml_is_an_error() {
    for (config, error) in [
        (
            "authors:\n  Ann: { aliases: [A] }\n  Ann: {}\n",
            "error: site.yaml:5:3: authors.Ann: duplicate key `Ann` (first at line 4)",
        ),
        (
            "rates:\n  EUR:\n    2024: 1.08\n    2025: 1.1\n    2024: 1.09\n",
            "error: site.yaml:7:5: rates.EUR.2024: duplicate key `2024` (first at line 5)",
        ),
        (
            "languages:\n  fr: { title: A, title: B }\n",
            "error: site.yaml:4:19: languages.fr.title: duplicate key `title` (first at line 4)",
        ),
        (
            "feeds: { limit: 5 }\ntitle: Again\n",
            "error: site.yaml:4:1: title: duplicate key `title` (first at line 1)",
        ),
    ] {
        let run = one_article(&format!("{SITE}{config}"), "").dealwire(&["check"]);
        assert_eq!(run.status, 1, "{config}: {}", run.stderr);
        assert_eq!(errors(&run), [error], "{config}: {}", run.stderr);
    }
}

#[test]
fn a_key_twice_in_front_matter_is_an_error_at_the_second() {
    let run = one_article(SITE, "title: B\n").dealwire(&["check"]);
    assert_eq!(
        errors(&run),
        ["error: content/a.md:4:1: title: duplicate key `title` (first at line 2)"],
        "{}",
        run.stderr
    );
    let front = "deal: { amount: $1B, parties: [A, B], amount: $2B }\n";
    let run = one_article(SITE, front).dealwire(&["check"]);
    assert_eq!(
        errors(&run),
        ["error: content/a.md:4:39: deal.amount: duplicate key `amount` (first at line 4)"],
        "{}",
        run.stderr
    );
}

#[test]
fn a_party_written_twice_is_named_as_written_first() {
    let front = "deal:\n  amount: $1B\n  parties: [\"!!\", Acme, ACME]\n";
    let run = one_article(SITE, front).dealwire(&["check"]);
    assert_eq!(
        errors(&run),
        [
            "error: content/a.md:6:12: deal.parties[0]: `!!` is not a party name",
            "error: content/a.md:6:12: deal.parties: `Acme` and `ACME` are the same party (ACME): a deal needs two different parties",
        ],
        "{}",
        run.stderr
    );
}
