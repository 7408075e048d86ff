//! The deals chart: an SVG drawn at build time from the yearly totals.
//!
//! Input: `(label, value)` bars in the reporting currency. Output: an accessible
//! SVG (`role="img"`, title, description) whose text is escaped here, ready to
//! print unescaped in a template. Colours come from the page (`currentColor` and
//! CSS classes) so light and dark modes both read.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::markdown::html_escape;

/// One bar of the chart.
pub struct Bar {
    /// The axis label (a year).
    pub label: String,
    /// The value, in the reporting currency.
    pub value: Decimal,
    /// The value as displayed (`$1.2 trillion`).
    pub display: String,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 36.0;

/// Draws the bars; positions are rounded to one decimal so output is stable.
pub fn bars_svg(title: &str, description: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or_default();
    let max = max.to_f64().unwrap_or(0.0).max(1.0);
    let slot = WIDTH / bars.len().max(1) as f64;
    let bar_width = (slot * 0.6).min(80.0);
    let plot = HEIGHT - TOP - BOTTOM;
    let mut out = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>",
        html_escape(title),
        html_escape(description)
    );
    out.push_str(&format!(
        "<line class=\"chart-axis\" x1=\"0\" y1=\"{0}\" x2=\"{WIDTH}\" y2=\"{0}\" stroke=\"currentColor\"/>",
        HEIGHT - BOTTOM
    ));
    for (i, bar) in bars.iter().enumerate() {
        let h = (bar.value.to_f64().unwrap_or(0.0) / max * plot).max(0.0);
        let x = slot * i as f64 + (slot - bar_width) / 2.0;
        let y = HEIGHT - BOTTOM - h;
        let cx = x + bar_width / 2.0;
        out.push_str(&format!(
            "<g><rect class=\"chart-bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_width:.1}\" height=\"{h:.1}\"/><text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"currentColor\" font-size=\"12\">{}</text><text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"currentColor\" font-size=\"13\">{}</text></g>",
            (y - 6.0).max(12.0),
            html_escape(&bar.display),
            HEIGHT - BOTTOM + 20.0,
            html_escape(&bar.label),
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_is_accessible() {
        let svg = bars_svg(
            "<t>",
            "d",
            &[Bar {
                label: "2025".into(),
                value: Decimal::from(10),
                display: "$10 <b>".into(),
            }],
        );
        assert!(svg.starts_with("<svg") && svg.contains("role=\"img\""));
        assert!(svg.contains("&lt;t&gt;") && svg.contains("$10 &lt;b&gt;"));
        assert!(!svg.contains("<b>"));
    }
}
