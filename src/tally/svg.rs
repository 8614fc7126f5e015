//! Inline SVG charts for the HTML report: a pie for a single choice, horizontal bars in
//! form order for a multiple choice. Labels print the table's own percentage strings.

use super::model::{Row, RowKey};
use std::fmt::Write;

/// Slice and bar colours, distinguishable in print and in grey.
const PALETTE: [&str; 10] = [
    "#1f5fa8", "#e07b22", "#3a9a48", "#c8363a", "#7b59a8", "#8a5a44", "#d66fb0", "#6f6f6f",
    "#a8a82a", "#27a2b8",
];
const NO_ANSWER: &str = "#c8c8c8";

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A pie of the rows that are options (merged rows are shown in the table only) plus the
/// no-answer row; slices in form order clockwise from twelve o'clock. The legend lists
/// every option, those nobody chose too, as the table does.
pub fn pie(rows: &[Row], title: &str) -> String {
    let legend: Vec<&Row> = rows
        .iter()
        .filter(|r| matches!(r.key, RowKey::Code(_) | RowKey::NoAnswer))
        .collect();
    let total: u64 = legend.iter().map(|r| r.count).sum();
    let slices = legend.iter().filter(|r| r.count > 0).count();
    let (cx, cy, rad) = (130.0f64, 130.0f64, 110.0f64);
    let height = 270.max(24 * legend.len() as u32 + 20);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 680 {height}" width="680" height="{height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    let mut angle = -std::f64::consts::FRAC_PI_2;
    for (i, r) in legend.iter().enumerate() {
        let colour = colour(r, i);
        if r.count > 0 {
            let sweep = std::f64::consts::TAU * r.count as f64 / total.max(1) as f64;
            if slices == 1 {
                let _ = write!(
                    s,
                    r#"<circle cx="{cx}" cy="{cy}" r="{rad}" fill="{colour}"/>"#
                );
            } else {
                let (x0, y0) = (cx + rad * angle.cos(), cy + rad * angle.sin());
                let end = angle + sweep;
                let (x1, y1) = (cx + rad * end.cos(), cy + rad * end.sin());
                let large = u8::from(sweep > std::f64::consts::PI);
                let _ = write!(
                    s,
                    r##"<path d="M{cx},{cy} L{x0:.2},{y0:.2} A{rad},{rad} 0 {large} 1 {x1:.2},{y1:.2} Z" fill="{colour}" stroke="#fff" stroke-width="1"/>"##
                );
            }
            angle += sweep;
        }
        let ly = 20 + 24 * i as u32;
        let _ = write!(
            s,
            r#"<rect x="280" y="{}" width="14" height="14" fill="{colour}"/><text x="300" y="{}" font-size="13">{}　{}％（{}）</text>"#,
            ly,
            ly + 12,
            escape(&fit(&r.short, LEGEND_CHARS)),
            escape(r.pct.as_deref().unwrap_or("")),
            r.count
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one per row in form order (sub-options and merged members indented),
/// scaled to 100 % of the base. Labels longer than the label column are cut with 「…」
/// (the table beside the chart has them whole; short labels come from the settings).
pub fn bars(rows: &[Row], title: &str) -> String {
    let (label_w, bar_w, row_h) = (330.0f64, 230.0f64, 22u32);
    let height = row_h * rows.len() as u32 + 30;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 680 {height}" width="680" height="{height}" role="img" aria-label="{}">"#,
        escape(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 10 + row_h * i as u32;
        let pct: f64 = r.pct.as_deref().and_then(|p| p.parse().ok()).unwrap_or(0.0);
        let w = bar_w * pct / 100.0;
        let colour = if r.key == RowKey::NoAnswer {
            NO_ANSWER
        } else if matches!(r.key, RowKey::Merged(_)) {
            PALETTE[1]
        } else {
            PALETTE[0]
        };
        let indent = 14.0 * r.indent as f64;
        let chars = BAR_LABEL_CHARS - r.indent as usize;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="12">{}</text><rect x="{label_w}" y="{}" width="{w:.2}" height="{}" fill="{colour}"/><text x="{}" y="{}" font-size="12">{}％（{}）</text>"#,
            4.0 + indent,
            y + 14,
            escape(&fit(&r.short, chars)),
            y + 3,
            row_h - 6,
            label_w + w + 6.0,
            y + 14,
            escape(r.pct.as_deref().unwrap_or("")),
            r.count
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{label_w}" y1="5" x2="{label_w}" y2="{}" stroke="#444"/></svg>"##,
        height - 15
    );
    s
}

/// Characters of a label that fit beside a bar, and in a pie's legend (12–13 px type,
/// full-width characters).
const BAR_LABEL_CHARS: usize = 26;
const LEGEND_CHARS: usize = 20;

/// `s`, cut to `n` characters with 「…」 when longer.
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn colour(r: &Row, i: usize) -> &'static str {
    if r.key == RowKey::NoAnswer {
        NO_ANSWER
    } else {
        PALETTE[i % PALETTE.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_and_short_ones_kept() {
        assert_eq!(fit("国保", 5), "国保");
        assert_eq!(
            fit("マイナ保険証の有効期限が切れていた", 8),
            "マイナ保険証の…"
        );
        assert_eq!(
            fit("マイナ保険証の有効期限が切れていた", 8).chars().count(),
            8
        );
    }
}
