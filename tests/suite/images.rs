//! Copied images are published without their metadata (`strip`): a photo in
//! `static/` or beside its article that no article shows keeps its pixels,
//! colour profile and orientation, and loses its GPS position, camera serial number, XMP and
//! comments; an image that cannot be read is left out with a warning.

use std::io::Cursor;

use crate::harness::{expect, site};

/// Text the fixture images' metadata holds (each image some of it).
const SECRETS: [&str; 5] = [
    "SN-4471-0042",
    "Jo Reporter",
    "Phonemaker",
    "Eiffel",
    "shot at home",
];

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn published_images_keep_their_orientation_and_lose_gps_and_serial() {
    let site = site("ok-image-metadata");
    let run = site.build();
    let published = [
        ("photo.jpg", "static/photo.jpg"),
        ("photo.png", "static/photo.png"),
        ("photo.webp", "static/photo.webp"),
    ];
    for (rel, source) in published {
        let before = std::fs::read(site.root.join(source)).expect("source");
        let after = std::fs::read(site.public().join(rel)).expect("published");
        let tags = |bytes: &[u8]| -> Vec<exif::Tag> {
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(bytes))
                .map(|e| e.fields().map(|f| f.tag).collect())
                .unwrap_or_default()
        };
        assert!(tags(&before).contains(&exif::Tag::GPSLatitude), "{source}");
        assert_eq!(tags(&after), [exif::Tag::Orientation], "{rel}");
        assert!(holds(&before, "SN-4471-0042"), "{source}");
        for secret in SECRETS {
            assert!(!holds(&after, secret), "{rel}: {secret}");
        }
        assert_eq!(after[..4], before[..4], "{rel}: the same format");
    }
    // An image an article shows is processed: turned upright, then every
    // piece of metadata dropped (`tests/suite/media.rs` checks its variants).
    let source = std::fs::read(site.root.join("content/articles/trip/street.jpg")).expect("source");
    let shown = std::fs::read(site.public().join("articles/trip/street.jpg")).expect("published");
    let size = |bytes: &[u8]| {
        image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .expect("format")
            .into_dimensions()
            .expect("size")
    };
    let (w, h) = size(&source);
    assert_eq!(size(&shown), (h, w), "orientation 6 applied to the pixels");
    assert!(
        exif::Reader::new()
            .read_from_container(&mut Cursor::new(&shown))
            .is_err(),
        "no EXIF left"
    );
    for secret in SECRETS {
        assert!(!holds(&shown, secret), "street.jpg: {secret}");
    }
    // Cannot be read: left out. Not an image at all: published as it is.
    assert!(!site.public().join("broken.jpg").exists());
    assert_eq!(site.read("placeholder.png"), "PNG");
    expect("ok-image-metadata", &site, &run, &["status", "stderr"]);
}

#[test]
fn check_warns_of_the_same_images() {
    let site = site("ok-image-metadata");
    let run = site.dealwire(&["check"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for file in ["static/broken.jpg", "static/placeholder.png"] {
        assert!(
            run.stderr.contains(&format!("warning: {file}: ")),
            "{}",
            run.stderr
        );
    }
}
