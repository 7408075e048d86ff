//! The command line: usage errors exit 2, and the demo briefing builds.

use std::path::Path;

use crate::harness::{empty_site, run_in};

#[test]
fn usage_errors_exit_2() {
    let site = empty_site();
    for args in [&["frobnicate"][..], &["build", "--no-such-flag"], &[]] {
        let run = run_in(&site.root, args, &site.root);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
    }
}

#[test]
fn help_lists_only_working_commands() {
    let site = empty_site();
    let run = run_in(&site.root, &["--help"], &site.root);
    assert_eq!(run.status, 0);
    assert!(run.stdout.contains("build"));
}

#[test]
fn the_demo_briefing_builds_cleanly() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("public");
    let out_arg = out.to_string_lossy().into_owned();
    let run = run_in(repo, &["build", "--output-dir", &out_arg], repo);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "", "the demo has no warnings");
    assert!(run.stdout.starts_with("built "), "{}", run.stdout);
    let deals = std::fs::read_to_string(out.join("deals.json")).expect("deals.json");
    let json: serde_json::Value = serde_json::from_str(&deals).expect("valid JSON");
    let list = json["deals"].as_array().expect("deals");
    assert!(list.len() >= 12, "{} deals", list.len());
    let flagship = list
        .iter()
        .find(|d| d["amount"]["value"] == "38000000000")
        .expect("the $38B deal");
    assert_eq!(flagship["parties"], serde_json::json!(["OpenAI", "Amazon"]));
    assert_eq!(flagship["date"], "2025-11-03");
    assert!(
        out.join("fr/articles/openai-aws-38-billion/index.html")
            .is_file()
    );
}
