//! The deals charts, drawn at build time as SVG: deal value per quarter in the
//! reporting currency, with the running total as a line.
//!
//! Input: the deals' dates and reporting values. Output: an accessible SVG
//! (`role="img"`, title, description) whose text is escaped here, ready to print
//! unescaped in a template. Colours come from the page's CSS (`currentColor` and
//! classes), so light and dark modes both read. Coordinates are rounded to one
//! decimal: the same data gives the same bytes.

use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::escape::html as html_escape;

/// One quarter's deals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quarter {
    /// The year.
    pub year: i16,
    /// 1 to 4.
    pub quarter: i8,
    /// The sum of the reporting values of its deals.
    pub value: Decimal,
}

/// Every quarter from the first deal's to the last one's, empty ones included.
/// Dates lie within `article::YEARS`, so there are at most a few thousand.
pub fn quarters(deals: impl IntoIterator<Item = (Date, Option<Decimal>)>) -> Vec<Quarter> {
    let index = |d: Date| i32::from(d.year()) * 4 + i32::from((d.month() - 1) / 3);
    let mut sums: std::collections::BTreeMap<i32, Decimal> = std::collections::BTreeMap::new();
    for (date, value) in deals {
        let sum = sums.entry(index(date)).or_default();
        *sum = sum.saturating_add(value.unwrap_or_default());
    }
    let (Some(&first), Some(&last)) = (sums.keys().next(), sums.keys().next_back()) else {
        return Vec::new();
    };
    (first..=last)
        .map(|i| Quarter {
            year: i16::try_from(i.div_euclid(4)).unwrap_or_default(),
            quarter: i8::try_from(i.rem_euclid(4) + 1).unwrap_or(1),
            value: sums.get(&i).copied().unwrap_or_default(),
        })
        .collect()
}

/// The chart's size and labels.
pub struct Frame<'a> {
    /// Makes the ids of the title and description unique on the page.
    pub id: &'a str,
    /// The accessible title.
    pub title: &'a str,
    /// The accessible description (what the bars and the line are).
    pub description: &'a str,
    /// A small chart (party pages) or a full one.
    pub small: bool,
    /// The letter of a quarter's label in the page's language (`Q` for
    /// `Q1`, `T` for `T1`).
    pub quarter_letter: &'a str,
}

/// Draws the quarters as bars and the running total as a line, each on its own
/// scale; `note(largest quarter, total)` writes the line of text above them.
pub fn quarters_svg(
    frame: &Frame,
    quarters: &[Quarter],
    note: impl Fn(Decimal, Decimal) -> String,
) -> String {
    let (width, height) = if frame.small {
        (320.0, 150.0)
    } else {
        (640.0, 260.0)
    };
    let (top, bottom, font) = (22.0, 36.0, if frame.small { 10.0 } else { 12.0 });
    let plot = height - top - bottom;
    let to_f = |d: Decimal| d.to_f64().unwrap_or(0.0);
    let max_bar = quarters.iter().map(|q| q.value).max().unwrap_or_default();
    let total = quarters
        .iter()
        .fold(Decimal::ZERO, |sum, q| sum.saturating_add(q.value));
    let (max_f, total_f) = (to_f(max_bar).max(1.0), to_f(total).max(1.0));
    let slot = width / quarters.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let id = html_escape(frame.id);
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        html_escape(frame.title),
        html_escape(frame.description)
    );
    svg.push_str(&format!(
        "<line class=\"chart-axis\" x1=\"0\" y1=\"{0:.1}\" x2=\"{width}\" y2=\"{0:.1}\" stroke=\"currentColor\"/>",
        height - bottom
    ));
    let mut running = Decimal::ZERO;
    let mut points = Vec::with_capacity(quarters.len());
    for (i, q) in quarters.iter().enumerate() {
        let x = slot * i as f64;
        let h = to_f(q.value) / max_f * plot;
        if h > 0.0 {
            svg.push_str(&format!(
                "<rect class=\"chart-bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\"/>",
                x + (slot - bar) / 2.0,
                height - bottom - h
            ));
        }
        running = running.saturating_add(q.value);
        points.push(format!(
            "{:.1},{:.1}",
            x + slot / 2.0,
            height - bottom - to_f(running) / total_f * plot
        ));
        // Each quarter is labelled under its bar where there is room for
        // it, and each year under its first quarter.
        let label_font = font * 0.8;
        if slot >= label_font * 2.2 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"currentColor\" font-size=\"{label_font:.1}\" text-anchor=\"middle\">{}{}</text>",
                x + slot / 2.0,
                height - bottom + label_font + 2.0,
                html_escape(frame.quarter_letter),
                q.quarter
            ));
        }
        if q.quarter == 1 || i == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"currentColor\" font-size=\"{font}\">{}</text>",
                x + 1.0,
                height - bottom + label_font + font + 4.0,
                q.year
            ));
        }
    }
    if points.len() > 1 {
        svg.push_str(&format!(
            "<polyline class=\"chart-line\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" points=\"{}\"/>",
            points.join(" ")
        ));
    }
    svg.push_str(&format!(
        "<text x=\"2\" y=\"{font}\" fill=\"currentColor\" font-size=\"{font}\">{}</text></svg>",
        html_escape(&note(max_bar, total))
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn quarters_are_contiguous_and_summed() {
        let q = quarters([
            (date(2024, 11, 5), Some(Decimal::from(3))),
            (date(2025, 2, 1), Some(Decimal::from(5))),
            (date(2025, 3, 31), None),
            (date(2025, 12, 1), Some(Decimal::from(2))),
        ]);
        let shape: Vec<(i16, i8, i64)> = q
            .iter()
            .map(|q| (q.year, q.quarter, q.value.to_i64().unwrap()))
            .collect();
        assert_eq!(
            shape,
            [
                (2024, 4, 3),
                (2025, 1, 5),
                (2025, 2, 0),
                (2025, 3, 0),
                (2025, 4, 2)
            ]
        );
        assert!(quarters([]).is_empty());
    }

    #[test]
    fn escapes_text_and_is_accessible() {
        let frame = Frame {
            id: "c",
            title: "<t>",
            description: "d & e",
            small: false,
            quarter_letter: "Q",
        };
        let svg = quarters_svg(
            &frame,
            &quarters([(date(2025, 1, 1), Some(Decimal::from(10)))]),
            |m, t| format!("<{m}/{t}>"),
        );
        assert!(
            svg.starts_with("<svg")
                && svg.contains("role=\"img\"")
                && svg.contains("aria-labelledby=\"c-title c-desc\"")
        );
        assert!(
            svg.contains("&lt;t&gt;") && svg.contains("d &amp; e") && svg.contains("&lt;10/10&gt;")
        );
        assert!(!svg.contains("<t>"));
    }
}
