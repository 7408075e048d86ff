//! The output directory's safety rules: refuse foreign folders, delete nothing
//! that is not ours, keep dot entries, and leave the old output whole when a
//! build fails.

use crate::harness::{run_in, site, snapshot};

#[test]
fn refuses_a_non_empty_folder_without_the_marker() {
    let site = site("ok-subpath");
    let foreign = site.root.join("../precious");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("thesis.txt"), "do not delete").expect("write");
    let target = foreign.to_string_lossy().into_owned();
    let run = site.dealwire(&["build", "--output-dir", &target]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("refusing to write to") && run.stderr.contains("precious"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("thesis.txt")).expect("kept"),
        "do not delete"
    );
    assert_eq!(
        std::fs::read_dir(&foreign).expect("dir").count(),
        1,
        "nothing added"
    );
}

#[test]
fn refuses_a_folder_that_holds_the_site() {
    let site = site("ok-subpath");
    let parent = site
        .root
        .parent()
        .expect("parent")
        .to_string_lossy()
        .into_owned();
    let run = site.dealwire(&["build", "--output-dir", &parent]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("contains the site"), "{}", run.stderr);
    let content = site.root.join("content").to_string_lossy().into_owned();
    let run = site.dealwire(&["build", "--output-dir", &content]);
    assert_eq!(run.status, 1);
    assert!(site.root.join("content/articles").is_dir());
}

#[test]
fn rebuild_replaces_the_output_but_keeps_dot_entries() {
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let public = site.public();
    assert!(
        public.join(".dealwire-output").is_file(),
        "the marker is written"
    );
    std::fs::create_dir_all(public.join(".git")).expect("mkdir");
    std::fs::write(public.join(".git/HEAD"), "ref").expect("write");
    std::fs::write(public.join("stale.html"), "old").expect("write");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        !public.join("stale.html").exists(),
        "a rebuild replaces the output whole"
    );
    assert_eq!(
        std::fs::read_to_string(public.join(".git/HEAD")).expect("kept"),
        "ref"
    );
    assert!(public.join("index.html").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("dealwire-"))
        .collect();
    assert!(leftovers.is_empty(), "no staging folder left behind");
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let before = snapshot(&site.public());
    std::fs::write(
        site.root.join("content/articles/broken.md"),
        "---\ntitle: x\ndate: nope\n---\n",
    )
    .expect("write");
    let run = site.build();
    assert_eq!(run.status, 1);
    assert_eq!(snapshot(&site.public()), before);
}

/// The build writes pages into its staging folder as it renders them: a
/// failure after many pages are written (a list template that breaks) still
/// leaves the previous output as it was, and no staging folder or scratch file.
#[test]
fn a_build_failing_halfway_through_writing_leaves_nothing_behind() {
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let before = snapshot(&site.public());
    // Rendered after every article page: the year pages of the deals.
    std::fs::create_dir_all(site.root.join("templates")).expect("mkdir");
    std::fs::write(
        site.root.join("templates/deals_year.html"),
        "{{ no_such_value.field }}",
    )
    .expect("write");
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("deals_year.html") || run.stderr.contains("no_such_value"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&site.public()), before);
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("dealwire-"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

#[test]
fn output_dir_may_be_relative_to_the_working_directory() {
    let site = site("ok-subpath");
    let root = site.root.to_string_lossy().into_owned();
    let cwd = site.root.parent().expect("parent");
    let run = run_in(
        cwd,
        &["build", "--root", &root, "--output-dir", "out"],
        &site.root,
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(cwd.join("out/index.html").is_file());
}
