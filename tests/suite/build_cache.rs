//! The build cache (`.dealwire-cache/build/`): a second build takes its
//! pages and bodies from it, `--no-cache` touches none of it, and a damaged
//! entry is a warning, never published. Random edit sequences are in
//! `properties::every_cached_build_equals_a_build_from_scratch`.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::harness::{site, snapshot, walk};

/// The inodes of the files in a folder.
fn inodes(dir: &Path) -> HashSet<u64> {
    walk(dir)
        .iter()
        .map(|rel| std::fs::metadata(dir.join(rel)).expect("meta").ino())
        .collect()
}

/// `dealwire build --no-cache --output-dir OUT` of the site: its files.
fn from_scratch(site: &crate::harness::TestSite, out: &Path) -> Vec<(String, Vec<u8>)> {
    let out_arg = out.to_string_lossy().into_owned();
    let run = site.dealwire(&["build", "--no-cache", "--output-dir", &out_arg]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    snapshot(out)
}

#[test]
fn pages_are_published_from_the_cache_and_no_cache_touches_none_of_it() {
    let site = site("ok-amounts");
    let cache = site.root.join(".dealwire-cache/build");
    // `--no-cache` neither reads nor writes the cache folder.
    let scratch = tempfile::tempdir().expect("tmp");
    let expected = from_scratch(&site, &scratch.path().join("out"));
    assert!(!cache.exists(), "--no-cache made {}", cache.display());

    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(snapshot(&site.public()), expected);
    let pages = inodes(&cache.join("pages"));
    let bodies = walk(&cache.join("bodies"));
    let articles = walk(&site.root.join("content"))
        .iter()
        .filter(|p| p.ends_with(".md"))
        .count();
    // One per distinct body (articles with the same text share one).
    assert!(
        !bodies.is_empty() && bodies.len() <= articles,
        "{} bodies for {articles} articles",
        bodies.len()
    );
    // Every template page is its entry, hard-linked: the home, the
    // articles, the lists, the 404 page.
    let published = inodes(&site.public());
    let linked = pages.intersection(&published).count();
    assert!(linked >= articles + 3, "{linked} pages linked");
    assert_eq!(
        linked,
        pages.len() - 1,
        "every entry but the index is a page"
    );

    // A second build takes every page from the cache: the same entries,
    // each still published as it is.
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let index = std::fs::metadata(cache.join("pages/index"))
        .expect("index")
        .ino();
    let entries = |set: &HashSet<u64>| {
        set.iter()
            .copied()
            .filter(|&i| i != index)
            .collect::<HashSet<_>>()
    };
    let old_index = pages
        .iter()
        .copied()
        .find(|i| !published.contains(i))
        .expect("the old index");
    assert_eq!(
        entries(&inodes(&cache.join("pages"))),
        pages
            .iter()
            .copied()
            .filter(|&i| i != old_index)
            .collect::<HashSet<_>>(),
        "the same entries"
    );
    assert_eq!(
        inodes(&site.public()),
        published,
        "no file was written again"
    );

    // Without the cache folder, a build makes it again and publishes the same.
    std::fs::remove_dir_all(site.root.join(".dealwire-cache")).expect("rm");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(snapshot(&site.public()), expected);
    assert!(cache.join("pages/index").exists());
}

#[test]
fn damaged_entries_are_warnings_and_made_again_never_published() {
    let site = site("ok-amounts");
    assert_eq!(site.build().status, 0);
    let scratch = tempfile::tempdir().expect("tmp");
    let expected = from_scratch(&site, &scratch.path().join("out"));
    let cache = site.root.join(".dealwire-cache/build");

    // A body entry damaged on disk, and a published page edited in place
    // (which edits its entry too: the same inode).
    let body = cache
        .join("bodies")
        .join(walk(&cache.join("bodies")).first().expect("a body"));
    let mut bytes = std::fs::read(&body).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&body, bytes).expect("write");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let home = site.public().join("index.html");
    let mut text = std::fs::read_to_string(&home).expect("read");
    text.push_str("<!-- edited in place -->");
    std::fs::write(&home, text).expect("write");

    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning")
            && run.stderr.contains(".dealwire-cache/build/bodies/")
            && run.stderr.contains("checksum"),
        "{}",
        run.stderr
    );
    assert_eq!(
        snapshot(&site.public()),
        expected,
        "published as a fresh build"
    );
    // Made again: the next build has nothing to say.
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains(".dealwire-cache"), "{}", run.stderr);
}
