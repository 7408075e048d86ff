//! Every error class: one fixture each, its exact stderr and exit status, and
//! the promise that a failed build leaves no output behind.

use crate::harness::{expect, site};

fn fails_as_expected(fixture: &str) {
    let site = site(fixture);
    let run = site.build();
    assert_eq!(
        run.status, 1,
        "{fixture} should fail with status 1:\n{}",
        run.stderr
    );
    assert!(
        !site.public().exists(),
        "{fixture}: a failed build must not create public/"
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    expect(fixture, &site, &run, &["status", "stderr"]);
}

macro_rules! error_fixtures {
    ($($name:ident => $fixture:literal,)*) => {
        $(#[test] fn $name() { fails_as_expected($fixture); })*
    };
}

error_fixtures! {
    unknown_front_matter_key => "err-unknown-key",
    unknown_config_key => "err-config-unknown-key",
    amount_not_understood => "err-amount-zillion",
    amount_without_currency => "err-amount-no-currency",
    deal_with_one_party => "err-one-party",
    same_party_through_an_alias => "err-same-party",
    slug_with_a_slash => "err-slug-slash",
    deal_and_deals_together => "err-deal-and-deals",
    draft_yes_is_not_a_boolean => "err-draft-yes",
    missing_title => "err-missing-title",
    impossible_date => "err-bad-date",
    no_front_matter => "err-no-front-matter",
    empty_file => "err-empty-file",
    not_utf8 => "err-not-utf8",
    duplicate_slug => "err-duplicate-slug",
    currency_without_rate => "err-no-rate",
    config_without_title => "err-config-no-title",
    unknown_theme => "err-unknown-theme",
    alias_bomb => "err-alias-bomb",
    every_broken_file_reported => "err-many",
    template_syntax => "err-template-syntax",
    template_include_out_of_the_theme => "err-template-include",
    unknown_language => "err-unknown-lang",
    mapping_with_bad_currency => "err-mapping-currency",
    aliases_that_are_no_paths => "err-alias-bad",
    aliases_where_something_is_published => "err-alias-clash",
    aliases_on_files_the_site_publishes => "err-alias-published",
    images_missing_from_the_site => "err-image-missing",
    ref_to_an_unknown_deal => "err-unknown-ref",
    one_deal_id_declared_twice => "err-duplicate-id",
    ref_entries_and_ids_and_statuses_checked => "err-ref-fields",
    a_deal_before_every_dated_rate => "err-rate-gap",
    a_translation_with_other_figures => "err-translation-figures",
    a_rate_given_twice => "err-config-duplicate-rate",
    a_party_declared_twice => "err-config-duplicate-party",
    rates_dated_before_1900 => "err-rate-1899",
    a_front_matter_key_given_twice => "err-front-matter-duplicate-key",
}

#[test]
fn every_broken_file_is_reported_in_path_order() {
    let run = site("err-many").build();
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    assert!(
        errors[0].contains("a-one-party.md")
            && errors[1].contains("b-bad-amount.md")
            && errors[2].contains("c-bad-date.md")
    );
}

#[test]
fn french_billion_warns_and_builds() {
    let site = site("warn-french-billion");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("warning: content/"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("billion"));
    expect("warn-french-billion", &site, &run, &["stderr"]);
}

#[test]
fn missing_root_or_config_names_the_path() {
    let site = crate::harness::empty_site();
    let run = site.build();
    assert_eq!(run.status, 1);
    assert!(
        run.stderr
            .starts_with("error: $SITE/site.yaml: cannot read"),
        "{}",
        run.stderr
    );
    let run = crate::harness::run_in(&site.root, &["build", "--root", "no/such/dir"], &site.root);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no/such/dir"), "{}", run.stderr);
}
