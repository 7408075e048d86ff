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
    // Nor into the caches, which the build writes and sweeps as it runs,
    // even before they exist.
    for inside in [".dealwire-cache", ".dealwire-cache/build/pages"] {
        let target = site.root.join(inside).to_string_lossy().into_owned();
        let run = site.dealwire(&["build", "--output-dir", &target]);
        assert_eq!(run.status, 1, "{inside}");
        assert!(
            run.stderr
                .contains("inside the site's `.dealwire-cache/` folder"),
            "{}",
            run.stderr
        );
    }
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
    std::fs::create_dir_all(public.join(".well-known")).expect("mkdir");
    std::fs::write(public.join(".well-known/security.txt"), "Contact: x").expect("write");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(public.join(".well-known/security.txt")).expect("kept"),
        "Contact: x"
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
        // The image cache is the site's, kept on purpose.
        .filter(|e| e.file_name() != ".dealwire-cache")
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
        .filter(|n| n.contains("dealwire-") && n != ".dealwire-cache")
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

/// The swap killed before each of its steps, and the next build's recovery
/// killed before each of its own: the user's `.git` and `.well-known` are
/// never lost, a following failed build leaves the old site or the new one
/// whole, and a successful one the new site with every kept entry.
#[test]
fn a_kill_at_any_step_of_the_swap_loses_nothing() {
    use dealwire::output::drill::{Drill, run};
    let file = |p: &str, b: &str| (p.to_string(), b.as_bytes().to_vec());
    let old = vec![
        file("index.html", "old home"),
        file("articles/a/index.html", "a"),
        file("articles/gone/index.html", "removed in the new build"),
    ];
    let new = vec![
        file("index.html", "new home"),
        file("articles/a/index.html", "a"),
        file("articles/b/index.html", "b"),
    ];
    let kept = vec![
        file(".git/HEAD", "ref: refs/heads/main"),
        file(".git/objects/ab/cdef", "object"),
        file(".well-known/security.txt", "Contact: x"),
    ];
    for old in [Some(old), None] {
        let mut swap_steps = 0;
        loop {
            let drill = Drill {
                old: old.clone(),
                new: new.clone(),
                kept: kept.clone(),
                kill_swap: swap_steps,
                kill_recovery: None,
            };
            let tmp = tempfile::tempdir().expect("tmp");
            let killed = run(tmp.path(), &drill).unwrap_or_else(|e| panic!("{drill:?}: {e}"));
            if !killed {
                break;
            }
            for recovery in 0..8 {
                let tmp = tempfile::tempdir().expect("tmp");
                let drill = Drill {
                    kill_recovery: Some(recovery),
                    ..drill.clone()
                };
                run(tmp.path(), &drill).unwrap_or_else(|e| panic!("{drill:?}: {e}"));
            }
            swap_steps += 1;
        }
        // Moves of two top-level entries, two renames, three old files, the marker.
        let least = if old.is_some() { 8 } else { 1 };
        assert!(swap_steps >= least, "only {swap_steps} steps were tried");
    }
}

/// A rebuild links each file whose bytes did not change from the previous
/// output: same inode, same modification time, so a deploy tool that
/// compares times uploads only what changed. A file replaced later in the
/// same build never writes through such a link.
#[test]
fn a_rebuild_leaves_unchanged_files_untouched() {
    use std::os::unix::fs::MetadataExt;
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let public = site.public();
    let meta = |rel: &str| std::fs::metadata(public.join(rel)).expect("meta");
    let before: Vec<(String, u64, i64)> = crate::harness::walk(&public)
        .into_iter()
        .map(|rel| {
            let m = meta(&rel);
            (rel, m.ino(), m.mtime_nsec())
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(site.build().status, 0);
    for (rel, ino, mtime) in &before {
        let m = meta(rel);
        assert_eq!(
            (m.ino(), m.mtime_nsec()),
            (*ino, *mtime),
            "{rel} was written again"
        );
    }
    // One edit: its article's page changes, the stylesheet does not.
    let article = crate::harness::walk(&site.root.join("content"))
        .into_iter()
        .find(|p| p.ends_with(".md"))
        .expect("an article");
    let path = site.root.join("content").join(&article);
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}\nOne more sentence.\n")).expect("write");
    assert_eq!(site.build().status, 0);
    let changed: Vec<&String> = before
        .iter()
        .filter(|(rel, ino, _)| {
            std::fs::metadata(public.join(rel)).map_or(true, |m| m.ino() != *ino)
        })
        .map(|(rel, _, _)| rel)
        .collect();
    assert!(!changed.is_empty(), "the edited article's page is new");
    assert!(changed.len() < before.len() / 2, "{changed:?}");
}

#[test]
fn a_replaced_file_never_writes_through_a_link() {
    use dealwire::output::{Output, Staging, write};
    let tmp = tempfile::tempdir().expect("tmp");
    let (root, target) = (tmp.path().join("site"), tmp.path().join("out"));
    std::fs::create_dir_all(&root).expect("mkdir");
    let mut old = Output::new();
    old.insert("a.html", "same");
    write(&old, &target, &root).expect("first build");
    let staging = Staging::begin(&target, &root).expect("begin");
    staging.put("a.html", b"same").expect("linked");
    staging.put("a.html", b"other").expect("replaced");
    drop(staging); // the build fails
    assert_eq!(
        std::fs::read_to_string(target.join("a.html")).expect("read"),
        "same"
    );
}

/// A file in the output that dealwire did not write is refused, not deleted;
/// a file it wrote for an article since removed goes.
#[test]
fn a_file_dealwire_did_not_write_is_refused_not_deleted() {
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let public = site.public();
    std::fs::write(public.join("CNAME"), "news.example.org").expect("write");
    let before = snapshot(&public);
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("did not write") && run.stderr.contains("`CNAME`"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&public), before);
    std::fs::remove_file(public.join("CNAME")).expect("rm");
    let article = crate::harness::walk(&site.root.join("content"))
        .into_iter()
        .find(|p| p.ends_with(".md"))
        .expect("an article");
    std::fs::remove_file(site.root.join("content").join(&article)).expect("rm");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        snapshot(&public).len() < before.len(),
        "the article's pages are gone"
    );
}

/// A build into a folder inside another output, or inside or above one that
/// a build is writing now, is refused.
#[test]
fn a_target_inside_or_above_another_output_is_refused() {
    use dealwire::output::Staging;
    let site = site("ok-subpath");
    assert_eq!(site.build().status, 0);
    let inner = site.public().join("sub").to_string_lossy().into_owned();
    let run = site.dealwire(&["build", "--output-dir", &inner]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("inside"), "{}", run.stderr);
    assert!(!site.public().join("sub").exists());

    let tmp = tempfile::tempdir().expect("tmp");
    let root = site.root.canonicalize().expect("canon");
    let outer = tmp.path().join("www/out");
    let writing = Staging::begin(&outer, &root).expect("a build writing www/out");
    let below = Staging::begin(&outer.join("sub"), &root)
        .err()
        .expect("refused");
    assert!(
        below
            .to_string()
            .contains("another dealwire build is writing"),
        "{below}"
    );
    let above = Staging::begin(&tmp.path().join("www"), &root)
        .err()
        .expect("refused");
    assert!(above.to_string().contains("refusing"), "{above}");
    writing.finish().expect("the first build finishes");
}

/// A disk that fills up halfway through a build: one error naming the output
/// folder and the space needed, not one per page, and the previous output
/// as it was.
#[test]
fn a_full_disk_is_one_error_naming_the_folder_and_the_space() {
    use dealwire::output::{Sink, Staging};
    let site = site("ok-deal-records");
    assert_eq!(site.build().status, 0);
    let before = snapshot(&site.public());
    // A new title: every page changes, none can be linked from the last build.
    let config = std::fs::read_to_string(site.root.join("site.yaml")).expect("read");
    let config = config.replacen("title:", "title: Renamed", 1);
    std::fs::write(site.root.join("site.yaml"), config).expect("write");
    let root = site.root.canonicalize().expect("canon");
    let source = dealwire::source::load_deferred(&root).expect("source");
    let staging = Staging::begin(&site.public(), &root).expect("begin");
    staging.pretend_space(20_000);
    let options = dealwire::pipeline::BuildOptions::default();
    let errors = dealwire::pipeline::build_into(source, &options, Sink::folder(&staging))
        .expect_err("the build fails");
    let messages: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].contains("public")
            && messages[0].contains("no space left")
            && messages[0].contains("needs about")
            && messages[0].contains("MB"),
        "{}",
        messages[0]
    );
    drop(staging);
    assert_eq!(snapshot(&site.public()), before);
}
