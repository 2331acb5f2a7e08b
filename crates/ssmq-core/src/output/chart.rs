//! Charts as inline SVG, for HTML pages that must load nothing: no script, no font, no
//! external reference (the SVG's namespace is implied by HTML, so not even `xmlns`).
//!
//! In: labelled counts. Out: an `<svg class="chart">` element with explicit `width` and
//! `height`, a `<title>` and an `aria-label`, ready to be put in a page as is.
//!
//! - [`stacked_bars`]: one horizontal bar per label, its parts stacked in series order, every
//!   bar on one scale (the largest total fills the width), the total written after it;
//! - [`trend`]: one value per point in time as a line with a dot per point, on a scale from
//!   zero to the largest value.

use std::fmt::Write;

use crate::output::html::escape;

/// One series of a chart: its name in the legend and its fill colour (CSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    pub name: &'static str,
    pub color: &'static str,
}

impl Series {
    pub const fn new(name: &'static str, color: &'static str) -> Series {
        Series { name, color }
    }
}

/// The charts' colours (the page colours `status` cells in the same hues): what passes, what
/// fails, what does not apply, what could not be judged, what was not reported.
pub const GREEN: &str = "#2e7d32";
pub const RED: &str = "#c62828";
pub const GREY: &str = "#9e9e9e";
pub const ORANGE: &str = "#ef6c00";
pub const LIGHT_GREY: &str = "#bdbdbd";

/// A chart's width in CSS pixels; the label column of a bar chart takes [`LABEL_WIDTH`].
const WIDTH: usize = 760;
const LABEL_WIDTH: usize = 230;
/// Room after the longest bar for its total.
const TOTAL_WIDTH: usize = 60;
const BAR_HEIGHT: usize = 18;
const ROW_HEIGHT: usize = 26;
const LEGEND_HEIGHT: usize = 28;

/// Horizontal stacked bars: for each `(label, counts)` row, one bar whose parts are the
/// counts of `series` in order. `title` names the chart for screen readers.
pub fn stacked_bars(title: &str, series: &[Series], rows: &[(String, Vec<u64>)]) -> String {
    let height = LEGEND_HEIGHT + ROW_HEIGHT * rows.len().max(1) + 4;
    let mut svg = open(title, height);
    legend(&mut svg, series);
    let largest = rows
        .iter()
        .map(|(_, counts)| counts.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = (WIDTH - LABEL_WIDTH - TOTAL_WIDTH) as f64 / largest as f64;
    for (i, (label, counts)) in rows.iter().enumerate() {
        let top = LEGEND_HEIGHT + i * ROW_HEIGHT;
        let middle = top + BAR_HEIGHT / 2 + 4;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{middle}" text-anchor="end" class="label">{}</text>"#,
            LABEL_WIDTH - 8,
            escape(&shortened(label, 34))
        );
        let mut x = LABEL_WIDTH as f64;
        for (count, part) in counts.iter().zip(series) {
            if *count == 0 {
                continue;
            }
            let width = *count as f64 * scale;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{}" width="{width:.1}" height="{BAR_HEIGHT}" fill="{}"><title>{}: {count} {}</title></rect>"#,
                top + 2,
                part.color,
                escape(label),
                part.name
            );
            x += width;
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{middle}" class="total">{}</text>"#,
            x + 6.0,
            counts.iter().sum::<u64>()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line through `points` (a label, such as a snapshot and its day, and a value), left to
/// right in the order given, with a dot and the value at each point.
pub fn trend(title: &str, series: Series, points: &[(String, u64)]) -> String {
    const HEIGHT: usize = 220;
    const LEFT: f64 = 48.0;
    const TOP: f64 = LEGEND_HEIGHT as f64 + 8.0;
    const BOTTOM: f64 = 40.0;
    let plot_height = HEIGHT as f64 - TOP - BOTTOM;
    let plot_width = WIDTH as f64 - LEFT - 24.0;
    let (step, largest) = ticks(points.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let mut svg = open(title, HEIGHT);
    legend(&mut svg, &[series]);
    let baseline = TOP + plot_height;
    for value in (0..=largest).step_by(step as usize) {
        let y = baseline - plot_height * value as f64 / largest as f64;
        let _ = write!(
            svg,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="axis">{value}</text>"#,
            LEFT + plot_width,
            LEFT - 6.0,
            y + 4.0,
        );
    }
    let x_of = |i: usize| match points.len() {
        0 | 1 => LEFT + plot_width / 2.0,
        n => LEFT + plot_width * i as f64 / (n - 1) as f64,
    };
    let y_of = |value: u64| baseline - plot_height * value as f64 / largest as f64;
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
        .collect();
    if points.len() > 1 {
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.join(" "),
            series.color
        );
    }
    // Labels under the axis: all of them when they fit, else about eight spread evenly.
    let every = points.len().div_ceil(8).max(1);
    for (i, (label, value)) in points.iter().enumerate() {
        let (x, y) = (x_of(i), y_of(*value));
        let _ = write!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{}"><title>{}: {value}</title></circle>"#,
            series.color,
            escape(label)
        );
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle" class="axis">{}</text>"#,
                baseline + 18.0,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The step between gridlines (1, 2 or 5 times a power of ten, about four of them) and the
/// top of a scale that holds `largest`: a whole number of steps.
fn ticks(largest: u64) -> (u64, u64) {
    let rough = largest.max(1).div_ceil(4);
    let mut power = 1;
    while power * 10 <= rough {
        power *= 10;
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .expect("10 times the power is at least rough");
    (step, largest.max(1).div_ceil(step) * step)
}

fn open(title: &str, height: usize) -> String {
    let title = escape(title);
    format!(
        r#"<svg class="chart" role="img" aria-label="{title}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}"><title>{title}</title>"#
    )
}

fn legend(svg: &mut String, series: &[Series]) {
    let mut x = LABEL_WIDTH.min(48);
    for part in series {
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" class="legend">{}</text>"#,
            part.color,
            x + 17,
            escape(part.name)
        );
        x += 30 + part.name.chars().count() * 8;
    }
}

/// `text` cut to `most` characters with `…`.
fn shortened(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(most - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: Series = Series::new("ok", GREEN);
    const ALARM: Series = Series::new("alarm", RED);

    #[test]
    fn bars_are_on_one_scale_and_leave_out_empty_parts() {
        let svg = stacked_bars(
            "Controls <all>",
            &[OK, ALARM],
            &[
                ("patch-compliance".to_owned(), vec![3, 1]),
                ("agent-version".to_owned(), vec![2, 0]),
            ],
        );
        assert!(svg.starts_with(r#"<svg class="chart" role="img" aria-label="Controls &lt;all&gt;" width="760" height="84""#));
        // 4 is the largest total: 470 px for 4, so 352.5 for 3, 117.5 for 1 and 235 for 2.
        assert!(svg.contains(r##"x="230.0" y="30" width="352.5" height="18" fill="#2e7d32""##));
        assert!(svg.contains(r##"x="582.5" y="30" width="117.5" height="18" fill="#c62828""##));
        assert!(svg.contains(r#"x="230.0" y="56" width="235.0""#));
        assert_eq!(
            svg.matches("<rect").count(),
            2 + 3,
            "legend and non-empty parts"
        );
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("http"));
    }

    #[test]
    fn gridlines_fall_on_whole_steps_of_one_two_or_five() {
        assert_eq!(ticks(0), (1, 1));
        assert_eq!(ticks(4), (1, 4));
        assert_eq!(ticks(10), (5, 10));
        assert_eq!(ticks(9), (5, 10));
        assert_eq!(ticks(37), (10, 40));
        assert_eq!(ticks(1234), (500, 1500));
        assert_eq!(ticks(80_000), (20_000, 80_000));
    }

    #[test]
    fn a_trend_has_a_point_per_value_and_a_line_only_between_two() {
        let points = vec![
            ("1".to_owned(), 4),
            ("2".to_owned(), 2),
            ("3".to_owned(), 0),
        ];
        let svg = trend("Non-compliant nodes", ALARM, &points);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains(r#"<polyline points="48.0,36.0 392.0,108.0 736.0,180.0""#));
        assert!(svg.contains(">4</text>") && svg.contains(">3</text>") && !svg.contains(">2.5"));
        let one = trend("Non-compliant nodes", ALARM, &points[..1]);
        assert_eq!(one.matches("<circle").count(), 1);
        assert!(!one.contains("<polyline"));
    }
}
