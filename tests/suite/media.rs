//! Responsive images, the lead image and embeds, as `build` and `serve`
//! publish them: the variants and their markup, metadata gone, the cache
//! keyed on what the processing reads, hostile files refused by name, deal
//! cards with current figures (in `serve` too), videos that fetch nothing.

use std::io::Cursor;
use std::path::Path;

use crate::harness::{TestSite, empty_site};

/// A photo-like JPEG of `w`×`h` (gradients and texture), made here.
fn photo(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let t = ((x * 7 + y * 13) % 23) as u8;
        image::Rgb([
            (x * 255 / w) as u8 ^ t,
            (y * 255 / h) as u8,
            ((x + y) / 9 % 256) as u8,
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode");
    out.into_inner()
}

fn write(site: &TestSite, rel: &str, bytes: impl AsRef<[u8]>) {
    site.write(rel, bytes);
}

/// A site with a deal, a photo article (two photos, one from `ok-image-metadata`
/// with its GPS position and serial number) and embeds.
fn newsroom() -> TestSite {
    let site = empty_site();
    write(
        &site,
        "site.yaml",
        "title: Wire\nbase_url: https://example.org/news/\n",
    );
    write(
        &site,
        "content/articles/deal.md",
        "---\ntitle: OpenAI and AWS sign\ndate: 2025-11-03\ndeal:\n  amount: $38 billion\n  parties: [OpenAI, AWS]\n  id: openai-aws-2025\n---\n\nThe deal.\n",
    );
    write(&site, "content/articles/pics/wide.jpg", photo(2000, 1500));
    let street =
        crate::harness::fixtures().join("ok-image-metadata/content/articles/trip/street.jpg");
    write(
        &site,
        "content/articles/pics/street.jpg",
        std::fs::read(street).expect("fixture"),
    );
    write(
        &site,
        "content/articles/pics/index.md",
        "---\ntitle: Pictures of the deal\ndate: 2025-11-04\nimage: wide.jpg\nimage_alt: The campus\n---\n\n![The campus from the air](wide.jpg)\n\nText with an inline ![street](street.jpg \"A street\") image.\n\n![The campus again](wide.jpg \"Where the racks go\")\n\n{{ deal(id=\"openai-aws-2025\") }}\n\n{{ youtube(id=\"dQw4w9WgXcQ\", title=\"The <keynote>\") }}\n\n{{ figure(src=\"street.jpg\", alt=\"A street\", caption=\"Seen from the office\", credit=\"Ana Lens\") }}\n\n<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n\n<p><img src=\"https://cdn.example.org/logo.png\" alt=\"Logo\" width=\"64\" height=\"32\" class=\"logo\"></p>\n",
    );
    site
}

/// Builds `site`, which must fail with each of `wants` in its messages.
fn fails_with(site: &TestSite, wants: &[&str]) {
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    for want in wants {
        assert!(
            run.stderr.contains(want),
            "wanted `{want}` in:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

fn dimensions(bytes: &[u8]) -> (u32, u32) {
    image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .expect("format")
        .into_dimensions()
        .expect("dimensions")
}

#[test]
fn photos_are_published_responsive_private_and_described() {
    let site = newsroom();
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let dir = site.public().join("articles/pics");
    // Widths below the source, then the source's width capped at the widest.
    for (name, width) in [
        ("wide-480w.webp", 480),
        ("wide-480w.jpg", 480),
        ("wide-800w.webp", 800),
        ("wide-1200w.jpg", 1200),
        ("wide-1600w.webp", 1600),
        ("wide.jpg", 1600),
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(dimensions(&bytes), (width, width * 3 / 4), "{name}");
    }
    assert!(
        !dir.join("wide-2000w.jpg").exists(),
        "never wider than asked"
    );
    // No published file keeps the photo's metadata.
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        for secret in ["SN-4471-0042", "Jo Reporter", "Phonemaker", "Eiffel"] {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{} holds `{secret}`", path.display());
        }
    }
    let page = site.read("articles/pics/index.html");
    let prose = &page[page.find("<div class=\"prose\">").expect("prose")..];
    // The first image loads at once; the others are lazy.
    let first = &prose[prose.find("<img").expect("img")..];
    let first = &first[..first.find('>').expect("end")];
    assert!(!first.contains("loading"), "first image: {first}");
    assert!(first.contains("width=\"1600\" height=\"1200\""), "{first}");
    assert!(first.contains("srcset=\"/news/articles/pics/wide-480w.jpg 480w, /news/articles/pics/wide-800w.jpg 800w, /news/articles/pics/wide-1200w.jpg 1200w, /news/articles/pics/wide.jpg 1600w\""), "{first}");
    assert!(
        prose.contains(
            "<source type=\"image/webp\" srcset=\"/news/articles/pics/wide-480w.webp 480w"
        ),
        "{prose}"
    );
    assert_eq!(
        prose.matches("loading=\"lazy\" decoding=\"async\"").count(),
        4,
        "{prose}"
    );
    // A titled image alone in its paragraph is a figure; an inline one keeps its title.
    assert!(
        prose.contains("<figcaption>Where the racks go</figcaption></figure>"),
        "{prose}"
    );
    assert!(prose.contains("title=\"A street\""), "{prose}");
    assert!(!prose.contains("<p><figure"), "{prose}");
    assert!(
        prose.contains(
            "<figcaption>Seen from the office <span class=\"credit\">Ana Lens</span></figcaption>"
        ),
        "{prose}"
    );
    // A raw image of another site keeps the size and class written.
    assert!(prose.contains("<img src=\"https://cdn.example.org/logo.png\" width=\"64\" height=\"32\" class=\"logo\" alt=\"Logo\""), "{prose}");
    // A hand-written iframe is still removed; the embed is the way.
    assert!(!prose.contains("<iframe"), "{prose}");
    assert!(
        run.stderr.contains("`<iframe>` is removed"),
        "{}",
        run.stderr
    );
    // The lead image: og:image (about 1200 px, absolute), JSON-LD, the home card.
    assert!(page.contains("<meta property=\"og:image\" content=\"https://example.org/news/articles/pics/wide-1200w.jpg\">"), "{page}");
    assert!(page.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    assert!(
        page.contains("\"image\":[\"https://example.org/news/articles/pics/wide-1200w.jpg\"]"),
        "JSON-LD"
    );
    let home = site.read("index.html");
    assert!(
        home.contains("class=\"card-image\" alt=\"The campus\""),
        "{home}"
    );
    // A feed carries one absolute variant per image, and embeds as links.
    let feed = site.read("atom.xml");
    let entry = feed_content(&feed, "Pictures of the deal");
    let img = &entry[entry.find("<img").expect("img")..];
    let img = &img[..img.find('>').expect("end")];
    for attribute in [
        "src=\"https://example.org/news/articles/pics/wide-1200w.jpg\"",
        "width=\"1200\"",
        "height=\"900\"",
        "alt=\"The campus from the air\"",
    ] {
        assert!(img.contains(attribute), "{attribute} in {img}");
    }
    assert!(!entry.contains("srcset"), "{entry}");
    assert!(
        entry.contains("href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\""),
        "{entry}"
    );
    assert!(
        entry.contains("href=\"https://example.org/news/deals/id/openai-aws-2025/\""),
        "{entry}"
    );
}

/// The HTML content of the feed entry titled `title`.
fn feed_content(feed: &str, title: &str) -> String {
    let parsed = feed_rs::parser::parse(feed.as_bytes()).expect("feed");
    let entry = parsed
        .entries
        .iter()
        .find(|e| e.title.as_ref().is_some_and(|t| t.content == title))
        .expect("entry");
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .expect("content")
}

#[test]
fn embeds_fetch_nothing_and_show_current_figures() {
    let site = newsroom();
    // A later article revises the deal: the card shows the new figure.
    write(
        &site,
        "content/articles/more.md",
        "---\ntitle: AWS deal grows\ndate: 2025-12-01\ndeals:\n  - ref: openai-aws-2025\n    amount: $50 billion\n---\n\nMore.\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let page = site.read("articles/pics/index.html");
    let card = &page[page.find("<aside class=\"deal-card\"").expect("card")..];
    let card = &card[..card.find("</aside>").expect("end")];
    assert!(card.contains("$50 billion"), "{card}");
    assert!(
        card.contains("href=\"/news/deals/id/openai-aws-2025/\""),
        "{card}"
    );
    // The video: no address of the host is loaded by the page itself.
    let video = &page[page.find("<div class=\"video\"").expect("video")..];
    let video = &video[..video.find("</div>").expect("end")];
    assert!(
        video.contains(
            "data-player=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1\""
        ),
        "{video}"
    );
    assert!(video.contains("The &lt;keynote&gt;"), "{video}");
    assert!(
        video.contains(
            "<a class=\"video-link\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\">"
        ),
        "{video}"
    );
    for tag in ["<iframe", "<img", "<script"] {
        assert!(!video.contains(tag), "{video}");
    }
}

#[test]
fn wrong_embeds_and_images_are_errors_at_their_line() {
    let site = newsroom();
    let bad = "content/articles/bad.md";
    write(
        &site,
        bad,
        "---\ntitle: Bad\ndate: 2025-11-05\n---\n\n{{ vimeo(id=\"12ab\") }}\n\n{{ gallery(src=\"x\") }}\n",
    );
    fails_with(
        &site,
        &[
            "content/articles/bad.md:6:1: `12ab` is not a vimeo video id",
            "content/articles/bad.md:8:1: unknown embed `gallery`",
        ],
    );
    // The model's errors follow once the articles parse.
    write(
        &site,
        bad,
        "---\ntitle: Bad\ndate: 2025-11-05\n---\n\nText.\n\n{{ deal(id=\"no-such-deal\") }}\n",
    );
    fails_with(
        &site,
        &[
            "content/articles/bad.md:8:1: no published article declares a deal with the id `no-such-deal`",
        ],
    );
    // Then the missing files.
    write(
        &site,
        bad,
        "---\ntitle: Bad\ndate: 2025-11-05\nimage: nowhere.jpg\n---\n\n![](missing.png)\n",
    );
    fails_with(
        &site,
        &[
            "content/articles/bad.md:4:8: missing image `nowhere.jpg`",
            "content/articles/bad.md:7:1: missing image `missing.png`",
            "warning: content/articles/bad.md:7:1: the image `missing.png` has no alt text",
        ],
    );
}

#[test]
fn hostile_image_files_are_refused_by_name() {
    let site = newsroom();
    let mut truncated = photo(800, 600);
    truncated.truncate(400);
    write(&site, "content/articles/pics/truncated.jpg", &truncated);
    // A PNG named like a JPEG.
    let mut png = Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(40, 30)
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("png");
    write(&site, "content/articles/pics/renamed.jpg", png.into_inner());
    // A PNG whose header claims 100,000 × 100,000 pixels (a decompression bomb).
    let mut bomb = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |name: &[u8], data: &[u8]| {
        let body: Vec<u8> = [name, data].concat();
        bomb.extend((data.len() as u32).to_be_bytes());
        bomb.extend(&body);
        bomb.extend(crc32(&body).to_be_bytes());
    };
    chunk(
        b"IHDR",
        &[100_000u32.to_be_bytes(), 100_000u32.to_be_bytes()]
            .concat()
            .iter()
            .copied()
            .chain([8, 2, 0, 0, 0])
            .collect::<Vec<u8>>(),
    );
    // A few bytes of zlib data standing for ten gigabytes of zeros.
    chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
    );
    chunk(b"IEND", &[]);
    write(&site, "content/articles/pics/bomb.png", &bomb);
    write(
        &site,
        "content/articles/hostile.md",
        "---\ntitle: Hostile\ndate: 2025-11-06\n---\n\n![t](../pics/truncated.jpg)\n\n![r](../pics/renamed.jpg)\n\n![b](../pics/bomb.png)\n",
    );
    fails_with(
        &site,
        &[
            "error: content/articles/pics/truncated.jpg",
            "error: content/articles/pics/renamed.jpg: named like a JPEG image, but it holds a PNG image",
            "error: content/articles/pics/bomb.png",
            "megapixel",
        ],
    );
}

/// The CRC-32 of a PNG chunk (IEEE polynomial), written here to forge one.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The cache's entries: their folders, by key.
fn entries(root: &Path) -> Vec<String> {
    let mut found: Vec<_> = std::fs::read_dir(root.join(".dealwire-cache/images"))
        .expect("the cache")
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().expect("type").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    found
}

/// The image cache's files and their modification times (the build
/// cache beside it changes with every edit).
fn cached_files(root: &Path) -> Vec<(String, std::time::SystemTime)> {
    let mut found: Vec<_> = walkdir::WalkDir::new(root.join(".dealwire-cache/images"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.file_name() != ".gitignore" && e.file_name() != "known")
        .map(|e| {
            let modified = e.metadata().expect("meta").modified().expect("mtime");
            (e.path().display().to_string(), modified)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_cache_is_keyed_on_what_the_processing_reads() {
    let site = newsroom();
    assert_eq!(site.build().status, 0);
    let ignore =
        std::fs::read_to_string(site.root.join(".dealwire-cache/.gitignore")).expect(".gitignore");
    assert!(ignore.lines().any(|l| l.trim() == "*"), "{ignore}");
    let first = cached_files(&site.root);
    assert_eq!(
        entries(&site.root).len(),
        2,
        "one entry per source image: {first:?}"
    );
    let published =
        std::fs::read(site.public().join("articles/pics/wide-800w.webp")).expect("variant");
    // A title edit and a new site title re-encode nothing.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let article = site.root.join("content/articles/pics/index.md");
    let text = std::fs::read_to_string(&article).expect("read");
    std::fs::write(&article, text.replace("Pictures of the deal", "Photos")).expect("write");
    write(
        &site,
        "site.yaml",
        "title: Wire weekly\nbase_url: https://example.org/news/\n",
    );
    assert_eq!(site.build().status, 0);
    assert_eq!(cached_files(&site.root), first, "nothing re-encoded");
    // The cache is safe to delete: the next build makes the same bytes.
    std::fs::remove_dir_all(site.root.join(".dealwire-cache")).expect("delete cache");
    assert_eq!(site.build().status, 0);
    let again = std::fs::read(site.public().join("articles/pics/wide-800w.webp")).expect("variant");
    assert!(again == published, "a rebuilt cache gives the same bytes");
    // A corrupt entry is ignored with a warning, never published.
    let corrupt = site
        .root
        .join(".dealwire-cache/images")
        .join(&entries(&site.root)[0])
        .join("index");
    std::fs::write(&corrupt, b"not an entry").expect("corrupt");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: .dealwire-cache"),
        "{}",
        run.stderr
    );
    // A setting the processing reads makes new entries.
    write(
        &site,
        "site.yaml",
        "title: Wire weekly\nbase_url: https://example.org/news/\nimages: { quality: 60 }\n",
    );
    assert_eq!(site.build().status, 0);
    assert_eq!(entries(&site.root).len(), 4, "new quality, new entries");
}

#[test]
fn a_photo_goes_out_resized_in_every_edition_of_its_bundle() {
    let site = newsroom();
    // The French translation does not show the photo; its bundle's copy of
    // the file still goes out as the processed variants, never full size.
    write(
        &site,
        "content/articles/pics/index.fr.md",
        "---\ntitle: Les photos de l'accord\ndate: 2025-11-04\n---\n\nDu texte.\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let mut seen = 0;
    for edition in ["articles/pics", "fr/articles/pics"] {
        let original = site.public().join(edition).join("wide.jpg");
        let Ok(bytes) = std::fs::read(&original) else {
            continue;
        };
        seen += 1;
        assert_eq!(dimensions(&bytes), (1600, 1200), "{}", original.display());
        assert!(
            site.public().join(edition).join("wide-800w.webp").is_file(),
            "{edition}"
        );
    }
    assert_eq!(seen, 2, "the photo is in both editions' folders");
}

#[test]
fn a_photo_is_read_again_only_when_its_file_changed() {
    let site = newsroom();
    // Files changed less than 2 seconds before a build are not memorised.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(site.build().status, 0);
    let known = site.root.join(".dealwire-cache/images/known");
    let memo = std::fs::read(&known).expect("the build memorised its photos");
    let name = b"content/articles/pics/wide.jpg";
    assert!(memo.windows(name.len()).any(|w| w == name));
    let variant = site.public().join("articles/pics/wide-800w.webp");
    let before = std::fs::read(&variant).expect("variant");
    // Rewritten with another picture and its modification time set back, as
    // `cp -p` or `rsync -t` would: the change time still shows it.
    let photo_path = site.root.join("content/articles/pics/wide.jpg");
    let modified = std::fs::metadata(&photo_path)
        .expect("meta")
        .modified()
        .expect("mtime");
    let flipped = image::load_from_memory(&photo(2000, 1500))
        .expect("decode")
        .fliph();
    let mut other = Cursor::new(Vec::new());
    flipped
        .write_to(&mut other, image::ImageFormat::Jpeg)
        .expect("encode");
    std::fs::write(&photo_path, other.into_inner()).expect("write");
    std::fs::File::options()
        .write(true)
        .open(&photo_path)
        .and_then(|f| f.set_modified(modified))
        .expect("set the old time");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let after = std::fs::read(&variant).expect("variant");
    assert!(after != before, "the new picture is published");
    // A build with nothing changed publishes the same bytes, the same file:
    // linked from the cache, never read or written again.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(site.build().status, 0);
    let inode = |path: &Path| {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).expect("meta");
        (meta.ino(), meta.nlink())
    };
    let (ino, links) = inode(&variant);
    assert!(
        links >= 2,
        "the variant is the cache's file, linked: {links}"
    );
    assert_eq!(site.build().status, 0);
    assert_eq!(
        inode(&variant).0,
        ino,
        "an unchanged variant is the same file"
    );
    assert!(std::fs::read(&variant).expect("variant") == after);
}

#[test]
fn a_published_variant_edited_in_place_is_made_again_not_kept() {
    let site = newsroom();
    assert_eq!(site.build().status, 0);
    let variant = site.public().join("articles/pics/wide-800w.webp");
    let made = std::fs::read(&variant).expect("variant");
    // A tool rewrites the published file in place (the same inode, which
    // the cache shares), with its length unchanged.
    let mut edited = made.clone();
    let last = edited.len() - 1;
    edited[last] ^= 0xFF;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&variant)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &edited))
        .expect("edit in place");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("edited in place"), "{}", run.stderr);
    assert!(
        std::fs::read(&variant).expect("variant") == made,
        "the variant is made again, not published as edited"
    );
}

#[test]
fn serve_makes_variants_on_request_and_follows_the_deal() {
    let site = newsroom();
    // A small photo of its own, so that making it on request stays quick
    // on a loaded machine.
    write(&site, "content/articles/snap/snap.jpg", photo(900, 600));
    write(
        &site,
        "content/articles/snap/index.md",
        "---\ntitle: A snap\ndate: 2025-11-07\n---\n\n![A snap](snap.jpg)\n",
    );
    let server = crate::serve::start(&site);
    let base = server.base.clone();
    let (status, head, body) = crate::serve::request(
        &server,
        "GET",
        &format!("{base}articles/snap/snap-480w.webp"),
    );
    assert_eq!(status, 200, "{head}");
    assert!(head.to_ascii_lowercase().contains("image/webp"), "{head}");
    assert!(body.starts_with("RIFF"), "a WebP file");
    crate::serve::get_until(&server, &format!("{base}articles/pics/"), "$38 billion");
    // Another article revises the deal: the card on this page follows.
    write(
        &site,
        "content/articles/more.md",
        "---\ntitle: AWS deal grows\ndate: 2025-12-01\ndeals:\n  - ref: openai-aws-2025\n    amount: $50 billion\n---\n\nMore.\n",
    );
    crate::serve::get_until(&server, &format!("{base}articles/pics/"), "$50 billion");
}
