//! Charts drawn on the server as SVG by plotters: participation per unit, reasons for refusal,
//! savings in rupiah over quarters. Inline SVG with presentation attributes only (no `style`
//! attribute, no script), so the strict Content-Security-Policy holds; each chart has a text
//! alternative and its numbers are in the table beside it.

use super::format;
use super::i18n::Lang;
use dwa_sdk::Quarter;
use dwa_workflow::report::{ParticipationReport, ReasonsReport};
use plotters::prelude::*;

const BRAND: RGBColor = RGBColor(11, 79, 138);
const BAD: RGBColor = RGBColor(161, 38, 28);
const GOOD: RGBColor = RGBColor(29, 107, 52);

/// Keep a label to plain characters (the SVG text is written as given).
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || " -_.,%()".contains(*c))
        .take(40)
        .collect()
}

/// A bar chart of `values` labelled by `labels`, as an `<svg>` element with `alt` as its
/// accessible name; nothing when there is nothing to draw or drawing fails.
fn bars(
    title: &str,
    alt: &str,
    labels: &[String],
    values: &[f64],
    color: RGBColor,
    y_label: &dyn Fn(f64) -> String,
) -> String {
    if values.is_empty() {
        return String::new();
    }
    let mut svg = String::new();
    if draw(&mut svg, title, labels, values, color, y_label).is_err() {
        return String::new();
    }
    let alt = alt.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{alt}\" "), 1)
}

fn draw(
    svg: &mut String,
    title: &str,
    labels: &[String],
    values: &[f64],
    color: RGBColor,
    y_label: &dyn Fn(f64) -> String,
) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| e.to_string();
    let root = SVGBackend::with_string(svg, (720, 320)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let max = values.iter().copied().fold(0.0_f64, f64::max).max(1e-9) * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .caption(plain(title), ("sans-serif", 18).into_font().color(&BLACK))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(110)
        .build_cartesian_2d((0..labels.len()).into_segmented(), 0f64..max)
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(labels.len().min(12))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) => labels.get(*i).map(|l| plain(l)).unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| plain(&y_label(*v)))
        .label_style(("sans-serif", 13).into_font().color(&BLACK))
        .axis_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| {
            let mut bar = Rectangle::new(
                [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *v)],
                color.filled(),
            );
            bar.set_margin(0, 0, 6, 6);
            bar
        }))
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

/// Participation rate (granted ÷ headcount) per unit, the twelve largest units.
pub fn participation(report: &ParticipationReport, lang: Lang) -> String {
    let t = lang.text();
    let mut units: Vec<_> = report.units.iter().collect();
    units.sort_by(|a, b| b.headcount.cmp(&a.headcount).then_with(|| a.unit.cmp(&b.unit)));
    units.truncate(12);
    let labels: Vec<String> = (1..=units.len()).map(|i| format!("U{i}")).collect();
    let values: Vec<f64> = units.iter().map(|u| u.participation_rate).collect();
    let alt = units
        .iter()
        .zip(&labels)
        .map(|(u, l)| {
            format!(
                "{l} {}: {}",
                u.unit.as_deref().unwrap_or(""),
                format::percent(u.participation_rate, lang)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    bars(
        t.chart_participation,
        &format!("{}: {alt}", t.chart_participation),
        &labels,
        &values,
        BRAND,
        &|v| format::percent(v, lang),
    )
}

/// How often each gate failed.
pub fn reasons(report: &ReasonsReport, lang: Lang) -> String {
    let t = lang.text();
    let rows: Vec<_> = report.rows.iter().filter(|r| r.failed > 0).take(12).collect();
    let labels: Vec<String> = rows.iter().map(|r| r.code.chars().take(12).collect()).collect();
    let values: Vec<f64> = rows.iter().map(|r| r.failed as f64).collect();
    let alt = rows
        .iter()
        .map(|r| format!("{}: {}", r.code, r.failed))
        .collect::<Vec<_>>()
        .join("; ");
    bars(
        t.chart_reasons,
        &format!("{}: {alt}", t.chart_reasons),
        &labels,
        &values,
        BAD,
        &|v| format!("{v:.0}"),
    )
}

/// Estimated savings in rupiah per quarter.
pub fn savings(history: &[(Quarter, f64)], lang: Lang) -> String {
    let t = lang.text();
    let labels: Vec<String> = history.iter().map(|(q, _)| format::quarter_short(*q, lang)).collect();
    let values: Vec<f64> = history.iter().map(|(_, v)| *v).collect();
    let alt = history
        .iter()
        .map(|(q, v)| format!("{}: {}", format::quarter(*q, lang), format::rupiah(*v)))
        .collect::<Vec<_>>()
        .join("; ");
    bars(
        t.chart_savings,
        &format!("{}: {alt}", t.chart_savings),
        &labels,
        &values,
        GOOD,
        &|v| format::rupiah(v),
    )
}
