//! `tally.xlsx`: a summary sheet, one sheet per choice question with its table and a
//! native chart (pie for a single choice, horizontal bars in form order for a multiple
//! choice), one cross-tab sheet per dimension, the comments (with empty staff columns) and
//! the notes.
//!
//! Percentages are written as the numbers the report prints (rounded once, see
//! [`super::percent`]) and the charts plot those cells, so a chart shows exactly its
//! table's figures.

use super::model::{Body, QuestionTally, RowKey, Tally};
use super::percent::thousands;
use anyhow::{Context, Result};
use rust_xlsxwriter::{Chart, ChartDataLabel, ChartType, Format, FormatAlign, Workbook, Worksheet};
use std::path::Path;

pub fn write(t: &Tally, path: &Path) -> Result<()> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format(pct_format(t.decimals));
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    summary(wb.add_worksheet(), t, &bold, &pct)?;
    let mut names = std::collections::HashSet::new();
    for q in &t.questions {
        let ws = wb.add_worksheet();
        let name = sheet_name(&q.number, &mut names);
        ws.set_name(&name)?;
        let Body::Choice { multi, rows } = &q.body else {
            field_sheet(ws, q, &bold, &pct)?;
            continue;
        };
        // One page wide when printed: the table with its chart below.
        ws.set_print_fit_to_pages(1, 0);
        ws.set_column_width(0, 62)?;
        ws.set_column_width(2, 14)?;
        ws.set_column_width(3, 18)?;
        let title = format!("{}　{}（N＝{}）", q.number, q.text, thousands(q.n));
        ws.write_string_with_format(0, 0, &title, &bold)?;
        if let Some(b) = &q.base_note {
            ws.write_string(1, 0, format!("対象：{b}"))?;
        }
        ws.write_row_with_format(
            3,
            0,
            [
                "選択肢",
                "件数",
                &format!("％（N＝{}）", thousands(q.n)),
                &format!("％（無回答を除く N＝{}）", thousands(q.answered)),
                "",
                "グラフの表示名",
            ],
            &bold,
        )?;
        for (i, r) in rows.iter().enumerate() {
            let row = 4 + i as u32;
            let label = format!("{}{}", "　".repeat(r.indent as usize), r.label);
            ws.write_string(row, 0, &label)?;
            ws.write_number(row, 1, r.count as f64)?;
            if let Some(p) = &r.pct {
                ws.write_number_with_format(row, 2, p.parse::<f64>()?, &pct)?;
            }
            if let Some(p) = &r.pct_answered {
                ws.write_number_with_format(row, 3, p.parse::<f64>()?, &pct)?;
            }
            // The chart's short label beside the table.
            ws.write_string(row, 5, &r.short)?;
        }
        let last = 4 + rows.len() as u32;
        ws.write_string(last, 0, "N")?;
        ws.write_number(last, 1, q.n as f64)?;
        if *multi {
            ws.write_string(last + 1, 0, "複数回答のため合計は100％を超える")?;
        }
        // The chart plots the option rows (and no-answer); merged rows stay in the table.
        let plotted: Vec<u32> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| *multi || matches!(r.key, RowKey::Code(_) | RowKey::NoAnswer))
            .map(|(i, _)| 4 + i as u32)
            .collect();
        let mut chart = Chart::new(if *multi {
            ChartType::Bar
        } else {
            ChartType::Pie
        });
        chart.title().set_name(&title);
        chart.legend().set_hidden();
        // A chart plots one contiguous range: where merged rows sit between the plotted
        // rows, a block of the plotted rows is written below the table for it.
        let helper = last + 3;
        let (first, last_row, val_col, chart_row) = if contiguous(&plotted) {
            (plotted[0], plotted[plotted.len() - 1], 2, last + 3)
        } else {
            for (k, &r) in plotted.iter().enumerate() {
                let row = &rows[(r - 4) as usize];
                ws.write_string(helper + k as u32, 5, &row.short)?;
                if let Some(p) = &row.pct {
                    ws.write_number_with_format(helper + k as u32, 6, p.parse::<f64>()?, &pct)?;
                }
            }
            let end = helper + plotted.len() as u32 - 1;
            (helper, end, 6, end + 2)
        };
        let cat_col = 5;
        let series = chart
            .add_series()
            .set_categories((name.as_str(), first, cat_col, last_row, cat_col))
            .set_values((name.as_str(), first, val_col, last_row, val_col));
        let mut label = ChartDataLabel::new();
        label
            .show_value()
            .set_num_format(format!("{}\"％\"", pct_format(t.decimals)));
        if !*multi {
            label.show_category_name();
        }
        series.set_data_label(&label);
        if *multi {
            // In rust_xlsxwriter a bar chart's y axis is its category axis: reversed, the
            // options run down in form order.
            chart.y_axis().set_reverse();
            chart.x_axis().set_min(0).set_max(100).set_name("％");
        } else {
            chart.legend().set_hidden();
        }
        chart
            .set_width(if *multi { 820 } else { 620 })
            .set_height(if *multi {
                (140 + 26 * rows.len() as u32).max(300)
            } else {
                380
            });
        ws.insert_chart(chart_row, 0, &chart)?;
    }
    for by in crosstab_dimensions(t) {
        let ws = wb.add_worksheet();
        let tabs: Vec<_> = t.crosstabs.iter().filter(|x| x.by == by).collect();
        ws.set_name(sheet_name(&format!("{}別", tabs[0].by_text), &mut names))?;
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_column_width(0, 22)?;
        let mut row = 0u32;
        for x in tabs {
            ws.write_string_with_format(
                row,
                0,
                format!("{}　{}（{}別、行％）", x.number, x.text, x.by_text),
                &bold,
            )?;
            row += 1;
            ws.write_string_with_format(row, 0, &x.by_text, &bold)?;
            ws.write_string_with_format(row, 1, "N", &bold)?;
            for (k, (_, label)) in x.columns.iter().enumerate() {
                ws.write_string_with_format(row, 2 + 2 * k as u16, label, &bold)?;
                ws.write_string_with_format(row, 3 + 2 * k as u16, "％", &bold)?;
            }
            let na_col = 2 + 2 * x.columns.len() as u16;
            ws.write_string_with_format(row, na_col, &t.no_answer, &bold)?;
            ws.write_string_with_format(row, na_col + 1, "％", &bold)?;
            row += 1;
            for r in &x.rows {
                ws.write_string(row, 0, &r.label)?;
                ws.write_number(row, 1, r.n as f64)?;
                for (k, (c, p)) in r
                    .cells
                    .iter()
                    .chain(std::iter::once(&r.no_answer))
                    .enumerate()
                {
                    ws.write_number(row, 2 + 2 * k as u16, *c as f64)?;
                    if let Some(p) = p {
                        ws.write_number_with_format(
                            row,
                            3 + 2 * k as u16,
                            p.parse::<f64>()?,
                            &pct,
                        )?;
                    }
                }
                row += 1;
            }
            if x.multi {
                ws.write_string(row, 0, "複数回答のため合計は100％を超える")?;
                row += 1;
            }
            if x.dimension_unanswered > 0 {
                ws.write_string(
                    row,
                    0,
                    format!(
                        "{}が無回答の {} 件は除く",
                        x.by_text, x.dimension_unanswered
                    ),
                )?;
                row += 1;
            }
            row += 1;
        }
    }
    if let Some(p) = &t.prefectures
        && t.summary.prefectures.len() > 1
    {
        let ws = wb.add_worksheet();
        ws.set_name("都道府県")?;
        ws.set_column_width(0, 14)?;
        ws.set_column_width(3, 50)?;
        ws.write_row_with_format(0, 0, ["都道府県", "回答数"], &bold)?;
        let mut r = 1;
        for (name, n) in &t.summary.prefectures {
            ws.write_string(r, 0, name)?;
            ws.write_number(r, 1, *n as f64)?;
            r += 1;
        }
        if t.summary.prefecture_unknown > 0 {
            ws.write_string(r, 0, &t.no_answer)?;
            ws.write_number(r, 1, t.summary.prefecture_unknown as f64)?;
        }
        ws.write_row_with_format(0, 3, ["設問・選択肢", "都道府県数", "件数"], &bold)?;
        for (i, s) in p.rows.iter().enumerate() {
            let r = 1 + i as u32;
            ws.write_string(r, 3, format!("{}　{}", s.number, s.label))?;
            ws.write_number(r, 4, s.prefectures as f64)?;
            ws.write_number(r, 5, s.count as f64)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("自由記載")?;
        let head = [
            "No.",
            "回答ID",
            "設問",
            "問",
            "都道府県",
            "区分",
            "記載内容",
            "掲載可否",
            "テーマ",
            "編集後の文",
        ];
        ws.write_row_with_format(0, 0, head, &bold)?;
        ws.set_column_width(5, 60)?;
        ws.set_column_width(8, 40)?;
        for (i, c) in t.comments.iter().enumerate() {
            let r = 1 + i as u32;
            ws.write_number(r, 0, c.no as f64)?;
            for (k, v) in [
                &c.response_id,
                &c.question,
                &c.number,
                &c.prefecture,
                &c.category,
            ]
            .into_iter()
            .enumerate()
            {
                ws.write_string(r, 1 + k as u16, v.as_str())?;
            }
            ws.write_string_with_format(r, 6, crate::export::defuse(&c.text), &wrap)?;
            ws.write_string(r, 7, &c.publish)?;
            ws.write_string(r, 8, &c.theme)?;
            ws.write_string_with_format(r, 9, crate::export::defuse(&c.edited), &wrap)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("注記")?;
        ws.set_column_width(0, 100)?;
        for (i, n) in t.notes.iter().enumerate() {
            ws.write_string(i as u32, 0, n)?;
        }
    }
    wb.save(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The number format of a percentage printed with `decimals` decimals.
fn pct_format(decimals: u32) -> String {
    match decimals {
        0 => "0".to_string(),
        d => format!("0.{}", "0".repeat(d as usize)),
    }
}

/// The sheet of a number or text field: its figures, no chart.
fn field_sheet(ws: &mut Worksheet, q: &QuestionTally, bold: &Format, pct: &Format) -> Result<()> {
    ws.set_column_width(0, 24)?;
    let title = format!("{}　{}（N＝{}）", q.number, q.text, thousands(q.n));
    ws.write_string_with_format(0, 0, &title, bold)?;
    if let Some(b) = &q.base_note {
        ws.write_string(1, 0, format!("対象：{b}"))?;
    }
    match &q.body {
        Body::Number(s) => {
            ws.write_row_with_format(3, 0, ["記入数", "合計", "平均", "最小", "最大"], bold)?;
            ws.write_number(4, 0, s.answered as f64)?;
            ws.write_number(4, 1, s.sum as f64)?;
            if let Some(m) = &s.mean {
                ws.write_number_with_format(4, 2, m.parse::<f64>()?, pct)?;
            }
            for (c, v) in [(3, s.min), (4, s.max)] {
                if let Some(v) = v {
                    ws.write_number(4, c, v as f64)?;
                }
            }
        }
        Body::Text { written, share } => {
            ws.write_row_with_format(3, 0, ["記入あり", "％"], bold)?;
            ws.write_number(4, 0, *written as f64)?;
            if let Some(p) = share {
                ws.write_number_with_format(4, 1, p.parse::<f64>()?, pct)?;
            }
            ws.write_string(6, 0, "記入内容は「自由記載」のシート")?;
        }
        Body::Choice { .. } => {}
    }
    Ok(())
}

fn contiguous(rows: &[u32]) -> bool {
    rows.windows(2).all(|w| w[1] == w[0] + 1)
}

fn summary(ws: &mut Worksheet, t: &Tally, bold: &Format, pct: &Format) -> Result<()> {
    ws.set_name("集計概要")?;
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 60)?;
    ws.write_string_with_format(0, 0, &t.title, bold)?;
    let s = &t.summary;
    if s.unreviewed > 0 {
        ws.write_string(
            1,
            0,
            format!(
                "確認が済んでいない項目のある回答 {} 件を、機械の読み取りのまま集計しています（速報値）",
                s.unreviewed
            ),
        )?;
    }
    let mut r = 2;
    if let Some(sent) = s.sent {
        ws.write_string(r, 0, "送付数")?;
        ws.write_number(r, 1, sent as f64)?;
        r += 1;
    }
    ws.write_string(r, 0, "回答数")?;
    ws.write_number(r, 1, s.replies as f64)?;
    r += 1;
    if let Some(rate) = &s.rate {
        ws.write_string(r, 0, "回答率（％）")?;
        ws.write_number_with_format(r, 1, rate.parse::<f64>()?, pct)?;
        r += 1;
    }
    if let Some(p) = &s.period {
        ws.write_string(r, 0, "調査期間")?;
        ws.write_string(r, 1, p)?;
        r += 1;
    }
    if !s.prefectures.is_empty() {
        ws.write_string(r, 0, "都道府県数")?;
        ws.write_number(r, 1, s.prefectures.len() as f64)?;
        r += 1;
        let list: Vec<String> = s
            .prefectures
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        ws.write_string(r, 0, "都道府県（JIS順）")?;
        ws.write_string(r, 1, list.join("、"))?;
        r += 1;
    }
    r += 1;
    ws.write_row_with_format(r, 0, ["設問", "N", "無回答を除く", "集計対象"], bold)?;
    r += 1;
    for q in &t.questions {
        ws.write_string(r, 0, format!("{}　{}", q.number, q.text))?;
        ws.write_number(r, 1, q.n as f64)?;
        ws.write_number(r, 2, q.answered as f64)?;
        ws.write_string(r, 3, q.base_note.as_deref().unwrap_or("全回答者"))?;
        r += 1;
    }
    if !t.notes.is_empty() {
        r += 1;
        ws.write_string_with_format(r, 0, "注記", bold)?;
        for n in &t.notes {
            r += 1;
            ws.write_string(r, 0, n)?;
        }
    }
    Ok(())
}

fn crosstab_dimensions(t: &Tally) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for x in &t.crosstabs {
        if !out.contains(&x.by) {
            out.push(x.by.clone());
        }
    }
    out
}

/// A sheet name Excel accepts (31 characters, none of `[]:*?/\`), made unique among
/// `taken` with a trailing number.
fn sheet_name(label: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let clean: String = label
        .chars()
        .filter(|c| !"[]:*?/\\'".contains(*c))
        .take(28)
        .collect();
    let mut name = clean.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{clean} {n}");
        n += 1;
    }
    name
}
