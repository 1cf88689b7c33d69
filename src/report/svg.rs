//! Bar charts drawn as inline SVG: no script, no fonts fetched, readable without colour.

use super::html::escape;

/// One bar: its label and value.
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: u64,
}

const LABEL_WIDTH: u64 = 220;
const BAR_WIDTH: u64 = 360;
const ROW: u64 = 22;

/// The width of a bar for `value` when `max` fills the chart: proportional, in whole pixels
/// rounded to the nearest (a value above 0 gets at least 1 pixel, so it is seen).
pub fn bar_width(value: u64, max: u64) -> u64 {
    if max == 0 || value == 0 {
        return 0;
    }
    (value.saturating_mul(BAR_WIDTH) + max / 2) / max
}

/// A horizontal bar chart; `title` is its accessible name (the table beside it has the
/// numbers).
pub fn bars(title: &str, bars: &[Bar<'_>]) -> String {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let height = ROW * bars.len() as u64 + 4;
    let width = LABEL_WIDTH + BAR_WIDTH + 80;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\"><title>{}</title>",
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = ROW * i as u64 + 2;
        let w = bar_width(b.value, max).max(u64::from(b.value > 0));
        let label = shorten(b.label, 32);
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{w}\" height=\"{}\" \
             data-value=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            LABEL_WIDTH - 6,
            y + 14,
            escape(&label),
            ROW - 6,
            b.value,
            LABEL_WIDTH + w + 4,
            y + 14,
            b.value
        ));
    }
    out.push_str("</svg>");
    out
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional() {
        assert_eq!(bar_width(50, 100), BAR_WIDTH / 2);
        assert_eq!(bar_width(100, 100), BAR_WIDTH);
        assert_eq!(bar_width(0, 100), 0);
        assert_eq!(bar_width(3, 0), 0);
        let svg = bars(
            "x",
            &[
                Bar {
                    label: "a<b",
                    value: 10,
                },
                Bar {
                    label: "c",
                    value: 5,
                },
            ],
        );
        assert!(svg.contains("a&lt;b"));
        assert!(svg.contains(&format!(
            "width=\"{}\" height=\"16\" data-value=\"5\"",
            BAR_WIDTH / 2
        )));
    }
}
