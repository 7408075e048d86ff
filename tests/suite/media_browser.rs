//! An article's responsive images and embeds in real clients.
//!
//! Input: a site made here, in a temporary folder, and built once: one
//! article with two photos made with the `image` crate (a 1200×800 one at
//! the top, a 4000×3000 one far below the fold as a figure with a caption),
//! a deal card and a YouTube video.
//! Output: pass, or a failure listing every problem found, each saying what
//! was expected and what was seen.
//!
//! Headless Chromium (`browser.rs`' host, driver and axe-core) at 375×800 and
//! at 1280×900, device pixel ratio 1: each image fetches one file, the
//! narrowest WebP variant as wide as the image is shown, and `sizes` gives
//! the browser that width before the style sheet is read; the lazy image is
//! not fetched before it is near, its box has its final height before its
//! data arrives, and no layout shift happens; nothing comes from the video's
//! host before Play, and Play puts the privacy-enhanced player in the page;
//! axe-core finds no violation. Meanwhile the Nu Html Checker reads the page
//! and reports no error and no warning, and the page's HTML alone links to
//! the video's page.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::browser::{
    Host, axe_source, axe_violations, browser, console_errors, driver, failed_requests, host,
    runtime,
};
use crate::harness::{TestSite, empty_site};

/// The article's path, under `content/` and under the output.
const ARTICLE: &str = "articles/data-hall";

/// The article's video, on YouTube.
const VIDEO_ID: &str = "dQw4w9WgXcQ";

/// The video's title, as the article gives it.
const VIDEO_TITLE: &str = "The operator’s tour of the hall";

/// The player the Play button puts in the page.
const PLAYER: &str = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ";

/// The video's page: the link that works without script.
const WATCH: &str = "https://www.youtube.com/watch?v=dQw4w9WgXcQ";

/// Hosts a video player, or what it loads, comes from.
const VIDEO_HOSTS: [&str; 7] = [
    "youtube.com",
    "youtube-nocookie.com",
    "ytimg.com",
    "ggpht.com",
    "googlevideo.com",
    "vimeo.com",
    "vimeocdn.com",
];

/// A photo the article shows.
struct Photo {
    /// Its file name without `.jpg`, which its variants' names start with.
    stem: &'static str,
    width: u32,
    height: u32,
    alt: &'static str,
}

/// At the top of the article: the page's first image, loaded at once.
const HALL: Photo = Photo {
    stem: "hall",
    width: 1200,
    height: 800,
    alt: "An empty data hall seen from its door",
};

/// Far below the fold, as a figure with a caption: loaded when near.
const RACKS: Photo = Photo {
    stem: "racks",
    width: 4000,
    height: 3000,
    alt: "Rows of racks waiting for their servers",
};

/// Paragraphs between the top photo and the figure: enough to put the figure
/// over 3,000 px below the fold at both widths, further than Chromium's
/// lazy-loading distance (1,250 px on a fast network, 2,500 px on a slow
/// or unknown one).
const PARAGRAPHS: usize = 24;

/// A JPEG photo: a smooth gradient with a fine grain (a hash of the position,
/// ±8 levels), so that it compresses like a photo, not like a flat area.
fn photo(photo: &Photo, seed: u32) -> Vec<u8> {
    let (width, height) = (photo.width, photo.height);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let hash = (x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed)
            .wrapping_mul(1_274_126_177)
            >> 28;
        let grain = i64::from(hash) - 8;
        let level = |v: u32| u8::try_from((i64::from(v) + grain).clamp(0, 255)).unwrap_or(0);
        image::Rgb([
            level(40 + x * 180 / width),
            level(60 + y * 160 / height),
            level(200 - (x + y) * 120 / (width + height)),
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image)
        .expect("encode a test photo");
    jpeg
}

/// A paragraph of prose, about eight lines long on a phone.
fn paragraph(n: usize) -> String {
    format!(
        "Paragraph {n}. The hall was finished in October, with its cooling in place and its \
         power lines tested, but the racks only arrived in the last week of the month. Each \
         row holds the servers of one customer, and the operator would not say which rows \
         belong to which customer, nor how much each of them pays for the space it rents."
    )
}

/// The site with its article, built.
fn build() -> TestSite {
    let site = empty_site();
    let dir = site.root.join("content").join(ARTICLE);
    std::fs::create_dir_all(&dir).expect("article folder");
    std::fs::write(
        site.root.join("site.yaml"),
        "title: Media Briefing\nbase_url: https://example.org/briefing/\nlanguage: en\n\
         reporting_currency: USD\nparties:\n  OpenAI: {}\n  Amazon: {}\n",
    )
    .expect("site.yaml");
    // Both photos at once: encoding them is most of the time this takes.
    std::thread::scope(|s| {
        for (spec, seed) in [(&HALL, 1), (&RACKS, 2)] {
            let dir = &dir;
            s.spawn(move || {
                std::fs::write(dir.join(format!("{}.jpg", spec.stem)), photo(spec, seed))
                    .expect("write a test photo");
            });
        }
    });
    let mut body = String::from(
        r#"---
title: Inside the data hall
date: 2025-11-03
summary: "What a data hall looks like before its racks are filled."
tags: [cloud]
deal:
  amount: $38 billion
  parties: [OpenAI, Amazon]
  kind: cloud
  id: openai-amazon-2025
---

"#,
    );
    body += &format!("![{}]({}.jpg)\n\n", HALL.alt, HALL.stem);
    for n in 1..=PARAGRAPHS {
        body += &format!("{}\n\n", paragraph(n));
        if n == 3 {
            body += "{{ deal(id=\"openai-amazon-2025\") }}\n\n";
        }
    }
    body += &format!(
        "![{}]({}.jpg \"The racks, a week before the servers came\")\n\n\
         {{{{ youtube(id=\"{VIDEO_ID}\", title=\"{VIDEO_TITLE}\") }}}}\n\n{}\n",
        RACKS.alt,
        RACKS.stem,
        paragraph(PARAGRAPHS + 1)
    );
    std::fs::write(dir.join("index.md"), body).expect("index.md");
    let run = site.build();
    assert_eq!(
        run.status, 0,
        "expected the media site to build; it failed:\n{}",
        run.stderr
    );
    site
}

/// An image of the article as the browser shows it.
#[derive(Deserialize, Debug)]
struct Shown {
    alt: String,
    complete: bool,
    /// The width of the decoded image (0 until it is).
    natural: u32,
    /// The path of the file the browser chose, empty before it chose one.
    current: String,
    /// The CSS box, and its top from the top of the viewport.
    top: f64,
    width: f64,
    height: f64,
    /// Its `width` and `height` attributes.
    attr_width: f64,
    attr_height: f64,
    /// The widths of the WebP variants, from the `<source>`'s `srcset`.
    widths: Vec<u32>,
    /// The width its `sizes` gives it at this viewport, in CSS pixels.
    slot: Option<f64>,
}

/// The page as it is now: its images, every file it fetched (a path for the
/// site's own, else the whole URL), the width of its scrollbar and the
/// viewport's height.
#[derive(Deserialize, Debug)]
struct Seen {
    images: Vec<Shown>,
    fetched: Vec<String>,
    scrollbar: f64,
    viewport_height: f64,
}

impl Seen {
    fn image(&self, photo: &Photo) -> &Shown {
        self.images
            .iter()
            .find(|i| i.alt == photo.alt)
            .unwrap_or_else(|| {
                panic!(
                    "expected an image with the alt text “{}” in the page; saw {:?}",
                    photo.alt, self.images
                )
            })
    }

    /// The files of `photo`'s variants the page fetched.
    fn fetched_of(&self, photo: &Photo) -> Vec<&str> {
        let prefix = format!("/briefing/{ARTICLE}/{}", photo.stem);
        self.fetched
            .iter()
            .map(String::as_str)
            .filter(|f| f.starts_with(&prefix))
            .collect()
    }
}

/// Reads `Seen`. `slot` evaluates `sizes` as the browser does: the first
/// entry whose media condition matches, its length (a `calc()` counts as
/// one) measured on a probe element.
const SEEN: &str = r#"
function slot(sizes) {
  const entries = [];
  let depth = 0, start = 0;
  for (let i = 0; i < sizes.length; i++) {
    const c = sizes[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) { entries.push(sizes.slice(start, i)); start = i + 1; }
  }
  entries.push(sizes.slice(start));
  for (const entry of entries) {
    const text = entry.trim();
    let i = text.length - 1, d = 0;
    for (; i >= 0; i--) {
      const c = text[i];
      if (c === ')') d++;
      else if (c === '(') d--;
      else if (/\s/.test(c) && d === 0) break;
    }
    const length = text.slice(i + 1), condition = text.slice(0, i + 1).trim();
    if (condition && !matchMedia(condition).matches) continue;
    const probe = document.createElement('div');
    probe.style.cssText = 'position:absolute;visibility:hidden;height:0;padding:0;border:0';
    probe.style.width = length;
    document.body.appendChild(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  }
  return null;
}
const images = Array.from(document.querySelectorAll('.prose img')).map(img => {
  const box = img.getBoundingClientRect();
  const source = img.closest('picture') && img.closest('picture').querySelector('source[type="image/webp"]');
  return {
    alt: img.alt, complete: img.complete, natural: img.naturalWidth,
    current: img.currentSrc ? new URL(img.currentSrc).pathname : '',
    top: box.top, width: box.width, height: box.height,
    attr_width: Number(img.getAttribute('width')), attr_height: Number(img.getAttribute('height')),
    widths: source ? source.srcset.split(',').map(c => parseInt(c.trim().split(/\s+/)[1], 10)) : [],
    slot: img.sizes ? slot(img.sizes) : null,
  };
});
const fetched = performance.getEntriesByType('resource').map(e => {
  const url = new URL(e.name);
  return url.host === location.host ? url.pathname : url.href;
});
return {images, fetched, scrollbar: innerWidth - document.documentElement.clientWidth, viewport_height: innerHeight};
"#;

/// Starts collecting the page's layout shifts (those before too:
/// `buffered`) in `window.dwShifts`: each with what moved, and whether that
/// is in the article's body, where an image that grows when its data
/// arrives moves what follows it. (A shift of the whole `main` comes from
/// above the article: the header's search box, which its script shows.)
const OBSERVE_SHIFTS: &str = r#"
window.dwShifts = [];
new PerformanceObserver(list => {
  const body = document.querySelector('.prose');
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    const nodes = (e.sources || []).map(s => s.node);
    const in_body = !!body && nodes.some(n => n && body.contains(n));
    const moved = nodes.map(n => {
      if (!n) return '(removed node)';
      if (n.nodeType !== 1) return n.nodeName + ' in ' + (n.parentElement ? n.parentElement.tagName.toLowerCase() + (n.parentElement.className ? '.' + n.parentElement.className : '') : '?');
      return n.tagName.toLowerCase() + (n.className ? '.' + n.className : '') + (n.alt ? '[alt="' + n.alt + '"]' : '');
    });
    window.dwShifts.push({value: e.value, at: Math.round(e.startTime), moved, in_body});
  }
}).observe({type: 'layout-shift', buffered: true});
return true;
"#;

/// The layout shifts seen so far, once the observer had two frames and a
/// moment to report them.
const SHIFTS: &str = r#"
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(window.dwShifts || null), 200)));
"#;

/// What the video's box holds, and what the page fetched from a video host.
const VIDEO: &str = r#"
const box = document.querySelector('.video');
if (!box) return null;
const play = box.querySelector('.video-play');
const shown = play ? play.getBoundingClientRect() : null;
const frame = box.querySelector('iframe');
return {
  play: play ? {hidden: play.hidden, width: shown.width, height: shown.height,
                visibility: getComputedStyle(play).visibility, text: play.textContent} : null,
  frame: frame ? {src: frame.src, title: frame.title} : null,
  fetched: performance.getEntriesByType('resource').map(e => e.name),
};
"#;

/// Problems found, reported together at the end of a test, so that one
/// does not hide the others.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn check(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if !ok {
            self.0.push(problem());
        }
    }

    fn assert_none(&self, what: &str) {
        assert!(
            self.0.is_empty(),
            "{what}: {} problem(s):\n- {}",
            self.0.len(),
            self.0.join("\n- ")
        );
    }
}

fn on_video_host(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| {
            VIDEO_HOSTS
                .iter()
                .any(|v| h == *v || h.ends_with(&format!(".{v}")))
        })
}

async fn seen(client: &Client) -> Seen {
    let value = client.execute(SEEN, vec![]).await.expect("read the page");
    serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("unexpected page reading ({e}): {value}"))
}

/// The page once both photos are decoded, or panics after ten seconds.
async fn when_loaded(client: &Client, at: &str) -> Seen {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = seen(client).await;
        if [&HALL, &RACKS].iter().all(|p| {
            let img = seen.image(p);
            img.complete && img.natural > 0
        }) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "{at}: expected both photos decoded within 10 s of the figure being scrolled to; saw {:#?}",
            seen.images
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The images' checks at one viewport, once every image is loaded: each
/// fetched one file, the narrowest WebP variant as wide as its CSS box
/// (`want` px: the width the viewport calls for), and has a box of the
/// photo's proportions.
fn check_images(seen: &Seen, at: &str, want: u32, problems: &mut Problems) {
    for photo in [&HALL, &RACKS] {
        let img = seen.image(photo);
        let name = photo.stem;
        // Device pixel ratio 1 (checked): a CSS pixel is a pixel.
        let narrowest = img
            .widths
            .iter()
            .copied()
            .filter(|&w| f64::from(w) >= img.width.ceil())
            .min();
        problems.check(narrowest == Some(want), || {
            format!(
                "{at}: {name} is shown {} px wide; expected the narrowest variant at least that wide to be {want}w; among {:?} it is {narrowest:?}",
                img.width, img.widths
            )
        });
        let expected = format!(
            "/briefing/{ARTICLE}/{name}-{}w.webp",
            narrowest.unwrap_or(want)
        );
        problems.check(img.current == expected, || {
            format!(
                "{at}: {name} ({} px wide) should show {expected}; the browser chose {}",
                img.width, img.current
            )
        });
        let fetched = seen.fetched_of(photo);
        problems.check(fetched == [expected.as_str()], || {
            format!(
                "{at}: {name} should fetch {expected} and nothing else; the page fetched {fetched:?}"
            )
        });
        // `sizes` tells the browser the width before the style sheet does;
        // a `vw` in it counts the scrollbar, which the layout does not.
        if let Some(slot) = img.slot {
            problems.check(
                slot >= img.width - 0.5 && slot <= img.width + seen.scrollbar + 0.5,
                || {
                    format!(
                        "{at}: {name}'s `sizes` gives it {slot} px, but it is shown {} px wide (scrollbar {} px): the browser chooses the variant from `sizes`, for an image wider than the one shown",
                        img.width, seen.scrollbar
                    )
                },
            );
        } else {
            problems.check(false, || format!("{at}: {name} has no `sizes` attribute"));
        }
        if img.attr_width <= 0.0 || img.attr_height <= 0.0 {
            problems.check(false, || {
                format!("{at}: {name} should have width and height attributes; it has none")
            });
            continue;
        }
        // The attributes are the widest variant's size: the photo's
        // proportions, rounded to a pixel.
        let ratio = f64::from(photo.width) / f64::from(photo.height);
        problems.check(
            (img.attr_width / img.attr_height - ratio).abs() * img.attr_height <= 1.0,
            || {
                format!(
                    "{at}: {name}'s width and height attributes {}×{} should have the photo's proportions, {}×{}",
                    img.attr_width, img.attr_height, photo.width, photo.height
                )
            },
        );
        let proportional = img.width * img.attr_height / img.attr_width;
        problems.check((img.height - proportional).abs() <= 1.0, || {
            format!(
                "{at}: {name}'s box is {}×{} px; expected it {proportional:.1} px high, as its width and height attributes {}×{} say",
                img.width, img.height, img.attr_width, img.attr_height
            )
        });
    }
}

/// The article at one viewport: images, layout shifts, axe-core, then the
/// video (its Play button is pressed last: the page is not the same after).
async fn at_viewport(
    client: &Client,
    host: &Host,
    (width, height): (u32, u32),
    want: u32,
    axe: &str,
    problems: &mut Problems,
) {
    let at = format!("at {width}×{height}");
    client
        .set_window_size(width, height)
        .await
        .expect("window size");
    let url = format!("http://{}/briefing/{ARTICLE}/", host.address);
    client.goto(&url).await.expect("open the article");
    let viewport = client
        .execute("return [innerWidth, devicePixelRatio];", vec![])
        .await
        .expect("viewport");
    assert_eq!(
        viewport,
        json!([width, 1]),
        "{at}: expected a viewport {width} px wide at device pixel ratio 1; saw [innerWidth, devicePixelRatio] = {viewport}"
    );
    client
        .execute(OBSERVE_SHIFTS, vec![])
        .await
        .expect("observe layout shifts");

    // Loaded, not scrolled: the first image is there, the figure is not
    // fetched yet and already holds its place.
    let before = seen(client).await;
    let hall = before.image(&HALL);
    problems.check(hall.complete && hall.natural > 0, || {
        format!("{at}: the first image should load with the page, before any scroll; saw {hall:?}")
    });
    let racks = before.image(&RACKS);
    let racks_fetched = before.fetched_of(&RACKS);
    problems.check(racks_fetched.is_empty() && racks.current.is_empty(), || {
        format!(
            "{at}: the figure, {:.0} px below the fold, is lazy and should not be fetched before it is near; the page fetched {racks_fetched:?} and shows {:?}",
            racks.top - before.viewport_height,
            racks.current
        )
    });
    let reserved = racks.width * f64::from(RACKS.height) / f64::from(RACKS.width);
    problems.check(racks.width > 0.0 && (racks.height - reserved).abs() <= 1.0, || {
        format!(
            "{at}: before its data arrives, the figure's image should already have a box of the photo's proportions ({}×{}); it is {}×{} px",
            RACKS.width, RACKS.height, racks.width, racks.height
        )
    });
    let reserved_box = (racks.width, racks.height);

    client
        .execute(
            &format!(
                "document.querySelector('img[alt=\"{}\"]').scrollIntoView({{block: 'center'}}); return true;",
                RACKS.alt
            ),
            vec![],
        )
        .await
        .expect("scroll to the figure");
    let after = when_loaded(client, &at).await;
    check_images(&after, &at, want, problems);
    let racks = after.image(&RACKS);
    problems.check(
        (racks.width - reserved_box.0).abs() <= 0.5 && (racks.height - reserved_box.1).abs() <= 0.5,
        || {
            format!(
                "{at}: the figure's image had a {:.1}×{:.1} px box before its data arrived, and {:.1}×{:.1} px after: expected the same",
                reserved_box.0, reserved_box.1, racks.width, racks.height
            )
        },
    );

    let shifts = client
        .execute_async(SHIFTS, vec![])
        .await
        .expect("layout shifts");
    assert!(
        shifts.is_array(),
        "{at}: expected the layout shifts observed; saw {shifts}"
    );
    let in_body: Vec<&Value> = shifts
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["in_body"] == json!(true))
        .collect();
    let total: f64 = in_body.iter().filter_map(|s| s["value"].as_f64()).sum();
    problems.check(in_body.is_empty(), || {
        format!(
            "{at}: expected no layout shift in the article's body while its images load; saw a total of {total:.4}: {}",
            in_body.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
        )
    });

    // The player of the previous viewport's Play may still be failing to
    // load (its host cannot be reached from here): not this page's errors.
    let errors: Vec<String> = console_errors(client)
        .await
        .into_iter()
        .filter(|e| !VIDEO_HOSTS.iter().any(|h| e.contains(h)))
        .collect();
    problems.check(errors.is_empty(), || {
        format!("{at}: expected no console error; saw {errors:?}")
    });
    let failed = failed_requests(host);
    problems.check(failed.is_empty(), || {
        format!("{at}: expected every request to the site to succeed; these failed: {failed:?}")
    });
    let violations = axe_violations(client, axe).await;
    problems.check(violations.is_empty(), || {
        format!("{at}: expected no axe-core violation; saw {violations:#?}")
    });

    check_video(client, &at, problems).await;
}

/// Nothing from the video's host before Play; the button is visible; Play
/// puts the privacy-enhanced player in the box.
async fn check_video(client: &Client, at: &str, problems: &mut Problems) {
    let video = client.execute(VIDEO, vec![]).await.expect("read the video");
    assert!(
        video.is_object(),
        "{at}: expected a video box (`.video`) in the page; saw none"
    );
    let from_host: Vec<&str> = video["fetched"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|u| on_video_host(u))
        .collect();
    problems.check(from_host.is_empty(), || {
        format!("{at}: expected nothing fetched from a video host before Play; saw {from_host:?}")
    });
    problems.check(video["frame"].is_null(), || {
        format!(
            "{at}: expected no player before Play; saw {}",
            video["frame"]
        )
    });
    let play = &video["play"];
    problems.check(
        play["hidden"] == json!(false)
            && play["visibility"] == json!("visible")
            && play["width"].as_f64().unwrap_or(0.0) > 0.0
            && play["height"].as_f64().unwrap_or(0.0) > 0.0,
        || format!("{at}: expected the Play button shown by embeds.js; saw {play}"),
    );
    if !play.is_object() || play["hidden"] != json!(false) {
        return;
    }
    client
        .find(Locator::Css(".video .video-play"))
        .await
        .expect("the Play button")
        .click()
        .await
        .expect("press Play");
    let mut frame = Value::Null;
    for _ in 0..100 {
        frame = client.execute(VIDEO, vec![]).await.expect("read the video")["frame"].clone();
        if !frame.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let src = frame["src"].as_str().unwrap_or("");
    problems.check(
        src.starts_with(&format!("{PLAYER}?")) || src == PLAYER,
        || format!("{at}: after Play, expected an iframe from {PLAYER}; saw {frame}"),
    );
    problems.check(frame["title"] == json!(VIDEO_TITLE), || {
        format!(
            "{at}: expected the player's iframe titled “{VIDEO_TITLE}”; saw {}",
            frame["title"]
        )
    });
}

/// The article in Chromium, at a phone's width and a desktop's, in one
/// browser session (images, layout shifts, axe-core and the video), while
/// the Nu Html Checker reads its HTML. Narrow first: Chromium may reuse a
/// wider variant it holds in memory for a narrower layout, never a narrower
/// one for a wider layout.
#[test]
fn images_fetch_the_narrowest_webp_that_fits_videos_wait_for_play_and_the_page_validates() {
    let site = build();
    let page = site.public().join(ARTICLE).join("index.html");
    let host = host(site.public());
    let driver = driver();
    let axe = axe_source();
    let mut problems = Problems::default();
    std::thread::scope(|s| {
        let html = s.spawn(|| check_html(&page));
        runtime().block_on(async {
            let client = browser(&driver).await;
            let _ = console_errors(&client).await;
            // A phone's column (375 px less 2rem, and less the scrollbar
            // here) needs the 480w variant; the desktop's, the 800w one
            // (never the 1200w or the 1600w).
            for (size, want) in [((375, 800), 480), ((1280, 900), 800)] {
                at_viewport(&client, &host, size, want, &axe, &mut problems).await;
            }
            client.close().await.expect("close");
        });
        let html = html.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        problems.0.extend(html.0);
    });
    problems.assert_none("the media article");
}

/// The page's HTML: the Nu Html Checker's errors and warnings, and what a
/// reader without script gets from the video (a link to its page, no
/// player, nothing from its host).
fn check_html(page: &Path) -> Problems {
    let mut problems = Problems::default();
    let messages = crate::clients::vnu_errors_and_warnings(page);
    problems.check(messages.is_empty(), || {
        format!(
            "expected no error or warning from the Nu Html Checker on {}; saw:\n  {}",
            page.display(),
            messages.join("\n  ")
        )
    });

    let html = std::fs::read_to_string(page)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", page.display()));
    let doc = scraper::Html::parse_document(&html);
    let select = |css: &str| {
        let selector = scraper::Selector::parse(css).expect("selector");
        doc.select(&selector).collect::<Vec<_>>()
    };
    let links: Vec<_> = select(".video a[href]")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    problems.check(links == [WATCH], || {
        format!("expected the video box to link to {WATCH} (for readers without script); its links are {links:?}")
    });
    let buttons: Vec<_> = select(".video button")
        .iter()
        .map(|b| b.value().attr("hidden").is_some())
        .collect();
    problems.check(buttons == [true], || {
        format!(
            "expected one Play button, hidden until the script shows it; saw hidden = {buttons:?}"
        )
    });
    let players = select("iframe, embed, object, video").len();
    problems.check(players == 0, || {
        format!("expected no player in the HTML; saw {players} iframe/embed/object/video")
    });
    // Only the link may name a video host: no src, srcset, preconnect or prefetch.
    let mut loads = Vec::new();
    for element in select("*") {
        for (name, value) in element.value().attrs() {
            if name == "href" && element.value().name() == "a" {
                continue;
            }
            if name.starts_with("data-") {
                continue;
            }
            if value
                .split([' ', ',', '"', '\''])
                .any(|part| part.starts_with("http") && on_video_host(part))
            {
                loads.push(format!("<{} {name}=\"{value}\">", element.value().name()));
            }
        }
    }
    problems.check(loads.is_empty(), || {
        format!("expected nothing in the HTML to load from a video host; saw {loads:?}")
    });
    problems
}
