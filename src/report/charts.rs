//! Charts as inline SVG (plotters' SVG backend, which escapes the text it writes): selection
//! rate by group with intervals and the four-fifths line, TPR and FPR by group, calibration
//! per group (each bin's count and Wilson interval), ROC curves, score distributions, and from
//! an explanation the features' importance and their association with the protected
//! attributes; a heat map of impact ratios for two-column intersections. Output is
//! deterministic.
//!
//! Every chart is a [`Figure`]: a title and a text description outside the SVG, and a legend
//! outside the plot (HTML text beside a colour swatch), so no legend ever covers data. Single
//! charts scale to the page width (`viewBox`, no fixed size) and are drawn with text of at
//! least 12 units, at a width that never scales them below 1 at 800 px; more than
//! [`MAX_LINES`] groups become small multiples, one panel per group at its natural size.

use crate::audit::key;
use crate::doc::{data_line, own_line, spans, Figure, Line};
use plotters::prelude::*;

use crate::audit::{AttributeAudit, GroupAudit, MetricValue};

/// The groups shown in charts: not small (small segments show counts only), in the audit's
/// order (the tables' order).
fn shown(a: &AttributeAudit) -> Vec<&GroupAudit> {
    a.groups.iter().filter(|g| !g.small).collect()
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The most lines one chart holds; more groups become small multiples.
pub const MAX_LINES: usize = 6;

/// The most panels in one figure: more groups make several figures, each of which fits a
/// printed page.
pub const PANELS_PER_FIGURE: usize = 6;

/// Panel figures of at most [`PANELS_PER_FIGURE`] panels each; titles say which groups.
fn panel_figures(title: &str, description: Line, svgs: Vec<String>) -> Vec<Figure> {
    let total = svgs.len();
    let parts = total.div_ceil(PANELS_PER_FIGURE).max(1);
    svgs.chunks(PANELS_PER_FIGURE)
        .enumerate()
        .map(|(i, chunk)| {
            let title = if parts > 1 {
                let first = i * PANELS_PER_FIGURE + 1;
                format!(
                    "{title} (groups {first} to {} of {total})",
                    first + chunk.len() - 1
                )
            } else {
                title.to_string()
            };
            Figure {
                description: description.clone(),
                svg: panels(chunk.to_vec(), &title),
                title: data_line(title),
                legend: Vec::new(),
            }
        })
        .collect()
}

/// Calibration bins with fewer rows are not drawn as points (their rate is noise).
pub const MIN_BIN_ROWS: u64 = 10;

/// Font sizes as plotters takes them (it draws them at about 0.8 of this): tick labels and
/// axis titles at 13.7 and 14.5 SVG units.
const TICK: u32 = 17;
const AXIS: u32 = 18;

/// The width of single charts, in SVG units: at 800 px a page shows them at scale 1 or more.
const WIDTH: u32 = 720;

type Result<T> = std::result::Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A single chart's SVG made responsive: no fixed size (the `viewBox` keeps its proportions)
/// and an accessible name.
fn responsive(svg: String, title: &str) -> String {
    let svg = without_controls(svg);
    match svg.find(" viewBox=") {
        Some(at) if svg.starts_with("<svg ") => format!(
            "<svg class=\"chart\" role=\"img\" aria-label=\"{}\"{}",
            crate::text::escape_html(title),
            &svg[at..]
        ),
        _ => svg,
    }
}

/// Small multiples: one SVG per panel, laid out by the page (as many per row as fit).
fn panels(svgs: Vec<String>, title: &str) -> String {
    let mut s = format!(
        "<div class=\"panels\" role=\"group\" aria-label=\"{}\">",
        crate::text::escape_html(title)
    );
    for svg in svgs {
        s.push_str(&without_controls(svg).replacen("<svg ", "<svg class=\"panel\" ", 1));
    }
    s.push_str("</div>");
    s
}

fn percent(confidence: f64) -> String {
    format!("{}%", confidence * 100.0)
}

/// Selection rate per group with its interval, and the four-fifths line (0.8 x the reference
/// group's rate).
pub fn selection_rates(a: &AttributeAudit, confidence: f64) -> Result<Figure> {
    let groups = shown(a);
    let reference = a
        .reference_group
        .as_ref()
        .and_then(|r| a.groups.iter().find(|g| &g.group == r))
        .and_then(|g| g.metrics.get(key::SELECTION_RATE))
        .and_then(|m| m.value);
    let top = groups
        .iter()
        .filter_map(|g| {
            g.metrics
                .get(key::SELECTION_RATE)
                .and_then(|m| m.ci_high.or(m.value))
        })
        .fold(0.05f64, f64::max)
        * 1.1;
    let title = format!("Selection rate by {}", a.name);
    let svg = bars(
        "selection rate",
        &groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>(),
        &[groups
            .iter()
            .map(|g| g.metrics.get(key::SELECTION_RATE).copied())
            .collect()],
        top.min(1.0),
        reference.map(|r| 0.8 * r),
    )?;
    let mut legend = vec![(css(colour(0)), own_line("selection rate"))];
    if reference.is_some() {
        legend.push((
            css(RED),
            own_line("four-fifths of the reference group's rate"),
        ));
    }
    Ok(Figure {
        description: match &a.reference_group {
            Some(r) => spans![
                format!("Bars: each group's selection rate; whiskers: its {} Wilson interval; red line: four-fifths (0.8 x) of the selection rate of the reference group, ", percent(confidence)),
                crate::doc::data(r),
                ". Groups below the minimum size are left out."
            ],
            None => own_line(format!("Bars: each group's selection rate; whiskers: its {} Wilson interval. No reference group, so no four-fifths line. Groups below the minimum size are left out.", percent(confidence))),
        },
        svg: responsive(svg, &title),
        title: data_line(title),
        legend,
    })
}

/// TPR and FPR per group, with intervals.
pub fn error_rates(a: &AttributeAudit, confidence: f64) -> Result<Figure> {
    let groups = shown(a);
    let get = |k: &str| {
        groups
            .iter()
            .map(|g| g.metrics.get(k).copied())
            .collect::<Vec<_>>()
    };
    let title = format!("True and false positive rates by {}", a.name);
    let svg = bars(
        "rate",
        &groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>(),
        &[get(key::TPR), get(key::FPR)],
        1.0,
        None,
    )?;
    Ok(Figure {
        description: own_line(format!("Per group, the true positive rate (upper bar) and the false positive rate (lower bar), each with its {} Wilson interval as a whisker. Equalized odds asks both to be equal across groups.", percent(confidence))),
        svg: responsive(svg, &title),
        title: data_line(title),
        legend: vec![
            (css(colour(0)), own_line("TPR")),
            (css(colour(1)), own_line("FPR")),
        ],
    })
}

type Series = Vec<Option<MetricValue>>;

/// Horizontal bars: one row per category (top to bottom in the given order), one bar per
/// series (in palette order), whiskers for intervals, and an optional red reference line.
fn bars(
    value_desc: &str,
    labels: &[String],
    series: &[Series],
    top: f64,
    line: Option<f64>,
) -> Result<String> {
    let n = labels.len().max(1);
    let k = series.len().max(1);
    let height = (80 + n * (16 * k + 12)).max(200) as u32;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let label_area = (longest * 9 + 20).clamp(70, 320) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let nf = n as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0f64..top, -0.5f64..(nf - 0.5))
            .map_err(err)?;
        let names = labels.to_vec();
        // Category i is drawn at y = n - 1 - i, so the first is at the top.
        let row = move |i: usize| (n - 1 - i) as f64;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .disable_y_mesh()
            .y_labels(n)
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", AXIS))
            .y_label_formatter(&move |y| {
                let j = y.round();
                if (y - j).abs() < 1e-9 && j >= 0.0 && (j as usize) < n {
                    names.get(n - 1 - j as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(value_desc)
            .draw()
            .map_err(err)?;
        let width = 0.7 / k as f64;
        for (s, values) in series.iter().enumerate() {
            let color = colour(s);
            // The first series on top within a category.
            let offset = 0.35 - width * (s as f64 + 0.5);
            let rects: Vec<_> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.and_then(|m| m.value).map(|x| (i, x)))
                .map(|(i, x)| {
                    let y = row(i) + offset;
                    Rectangle::new(
                        [(0.0, y - width * 0.45), (x.min(top), y + width * 0.45)],
                        color.mix(0.75).filled(),
                    )
                })
                .collect();
            chart.draw_series(rects).map_err(err)?;
            let whiskers: Vec<_> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let m = (*v)?;
                    Some((i, m.ci_low?, m.ci_high?))
                })
                .map(|(i, lo, hi)| {
                    let y = row(i) + offset;
                    PathElement::new(vec![(lo, y), (hi.min(top), y)], BLACK.stroke_width(1))
                })
                .collect();
            chart.draw_series(whiskers).map_err(err)?;
        }
        if let Some(x) = line {
            chart
                .draw_series(LineSeries::new(
                    vec![(x, -0.5), (x, nf - 0.5)],
                    RED.stroke_width(2),
                ))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// `svg` with every control character but line feed, carriage return and tab replaced by
/// U+FFFD: labels come from the data, and XML cannot hold those characters.
fn without_controls(svg: String) -> String {
    if !svg
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return svg;
    }
    svg.chars()
        .map(|c| match c {
            '\n' | '\r' | '\t' => c,
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// A count in at most four characters (`1.2k`, `35k`, `1.2M`), for labels beside points.
fn short_count(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=9_999 => format!("{:.1}k", n as f64 / 1e3),
        10_000..=999_999 => format!("{}k", n / 1_000),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// Calibration: one panel per group, each bin with at least [`MIN_BIN_ROWS`] rows a point at
/// (mean score, observed rate) with its Wilson interval and its count, over the diagonal of
/// perfect calibration.
pub fn reliability(a: &AttributeAudit, confidence: f64) -> Result<Vec<Figure>> {
    let title = format!("Calibration by {}", a.name);
    let mut svgs = Vec::new();
    let mut left_out = 0u64;
    for (s, g) in shown(a).iter().enumerate() {
        let color = colour(s);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (440, 340)).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&g.group, ("sans-serif", AXIS))
                .margin(14)
                .x_label_area_size(46)
                .y_label_area_size(56)
                .build_cartesian_2d(0f64..1f64, 0f64..1f64)
                .map_err(err)?;
            chart
                .configure_mesh()
                .max_light_lines(0)
                .label_style(("sans-serif", TICK))
                .axis_desc_style(("sans-serif", AXIS))
                .x_labels(6)
                .y_labels(6)
                .x_desc("mean score")
                .y_desc("observed rate")
                .draw()
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    vec![(0.0, 0.0), (1.0, 1.0)],
                    BLACK.mix(0.4).stroke_width(1),
                ))
                .map_err(err)?;
            let mut last_label: Option<f64> = None;
            for b in &g.reliability {
                let (Some(x), Some(y)) = (b.mean_score, b.observed.value) else {
                    continue;
                };
                if b.count < MIN_BIN_ROWS {
                    left_out += b.count;
                    continue;
                }
                if let (Some(lo), Some(hi)) = (b.observed.ci_low, b.observed.ci_high) {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, lo), (x, hi)],
                            color.stroke_width(2),
                        )))
                        .map_err(err)?;
                }
                chart
                    .draw_series(std::iter::once(Circle::new((x, y), 4, color.filled())))
                    .map_err(err)?;
                // The count beside the point, unless it would run into the previous label.
                if last_label.is_none_or(|l| x - l > 0.09) {
                    let above = if y > 0.85 { -0.07 } else { 0.05 };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            short_count(b.count),
                            (x + 0.015, (y + above).clamp(0.02, 0.98)),
                            ("sans-serif", 15).into_font().color(&BLACK.mix(0.8)),
                        )))
                        .map_err(err)?;
                    last_label = Some(x);
                }
            }
            root.present().map_err(err)?;
        }
        svgs.push(svg);
    }
    let description = own_line(format!(
        "One panel per group. Each point is a score bin: its mean score against the observed positive rate, with the bin's {} Wilson interval as a vertical line and its number of rows beside it (k = thousands); the diagonal is perfect calibration. Bins with fewer than {MIN_BIN_ROWS} rows are not drawn ({left_out} rows in such bins); groups below the minimum size are left out.",
        percent(confidence)
    ));
    Ok(panel_figures(&title, description, svgs))
}

/// ROC curves per group, with the diagonal of a score that does not rank.
pub fn roc(a: &AttributeAudit) -> Result<Vec<Figure>> {
    let series = shown(a)
        .iter()
        .map(|g| {
            let points = g.roc.iter().map(|p| (p.fpr, p.tpr)).collect();
            (g.group.clone(), points)
        })
        .collect();
    lines(
        &format!("ROC curves by {}", a.name),
        own_line("Per group, the true positive rate against the false positive rate at every threshold; the grey diagonal is a score that does not rank (AUC 0.5)."),
        ("false positive rate", "true positive rate"),
        1.0,
        true,
        series,
        false,
    )
}

/// Score distributions per group: the share of the group in each score bin, at the bin's
/// middle.
pub fn score_distributions(a: &AttributeAudit) -> Result<Vec<Figure>> {
    let series: Vec<(String, Vec<(f64, f64)>)> = shown(a)
        .iter()
        .map(|g| {
            let total: f64 = g
                .score_distribution
                .iter()
                .map(|b| b.negatives + b.positives)
                .sum();
            let points = g
                .score_distribution
                .iter()
                .filter(|_| total > 0.0)
                .map(|b| (0.5 * (b.low + b.high), (b.negatives + b.positives) / total))
                .collect();
            (g.group.clone(), points)
        })
        .collect();
    let top = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .fold(0.05f64, f64::max)
        * 1.1;
    lines(
        &format!("Score distribution by {}", a.name),
        own_line(
            "Per group, the share of its rows in each of 20 equal score bins, at the bin's middle.",
        ),
        ("score", "share of the group"),
        top.min(1.0),
        false,
        series,
        true,
    )
}

/// Each feature's standardised importance: the standard deviation of its contribution to the
/// log-odds (from `fairgate explain`).
pub fn contributions(explain: &crate::explain::Explanation) -> Result<Figure> {
    let items: Vec<(String, f64)> = explain
        .importance
        .iter()
        .map(|i| (i.feature.clone(), i.contribution_sd))
        .collect();
    let top = items.iter().map(|i| i.1).fold(0.05f64, f64::max) * 1.1;
    let title = "Feature importance";
    let svg = bars(
        "sd of the contribution to the log-odds",
        &items.iter().map(|i| i.0.clone()).collect::<Vec<_>>(),
        &[items.iter().map(|i| Some(MetricValue::of(i.1))).collect()],
        top,
        None,
    )?;
    Ok(Figure {
        description: own_line("Per feature, the standard deviation across people of its contribution to the log-odds, β (x - training mean): how much it moves scores."),
        svg: responsive(svg, title),
        title: own_line(title),
        legend: vec![(css(colour(0)), own_line("sd of the contribution"))],
    })
}

/// Each feature's association with each protected attribute (Cramér's V or the correlation
/// ratio, from `fairgate explain`).
pub fn proxies(explain: &crate::explain::Explanation) -> Result<Figure> {
    let list = &explain.proxies;
    let mut features: Vec<String> = Vec::new();
    let mut attributes: Vec<String> = Vec::new();
    for p in list {
        for (v, seen) in [(&p.feature, &mut features), (&p.attribute, &mut attributes)] {
            if !seen.iter().any(|s| s == v) {
                seen.push(v.clone());
            }
        }
    }
    let series: Vec<Series> = attributes
        .iter()
        .map(|a| {
            features
                .iter()
                .map(|f| {
                    list.iter()
                        .find(|p| &p.feature == f && &p.attribute == a)
                        .and_then(|p| p.association)
                        .map(MetricValue::of)
                })
                .collect()
        })
        .collect();
    let title = "Association of each feature with each protected attribute";
    let svg = bars("association", &features, &series, 1.0, None)?;
    Ok(Figure {
        description: own_line("Per feature, one bar per protected attribute: Cramér's V (categorical features) or the correlation ratio (numeric features), from 0 (none) to 1 (the feature determines the group)."),
        svg: responsive(svg, title),
        title: own_line(title),
        legend: attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (css(colour(i)), data_line(a.as_str())))
            .collect(),
    })
}

/// One line chart: a series per entry, optionally the grey diagonal and point markers.
fn line_svg(
    size: (u32, u32),
    caption: Option<&str>,
    (x_desc, y_desc): (&str, &str),
    top: f64,
    diagonal: bool,
    series: &[(usize, Vec<(f64, f64)>)],
    markers: bool,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut builder = ChartBuilder::on(&root);
        if let Some(c) = caption {
            builder.caption(c, ("sans-serif", AXIS));
        }
        let mut chart = builder
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..1f64, 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", AXIS))
            .x_labels(6)
            .y_labels(6)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()
            .map_err(err)?;
        if diagonal {
            chart
                .draw_series(LineSeries::new(
                    vec![(0.0, 0.0), (1.0, 1.0)],
                    BLACK.mix(0.4).stroke_width(1),
                ))
                .map_err(err)?;
        }
        for (s, points) in series {
            let color = colour(*s);
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(err)?;
            if markers {
                chart
                    .draw_series(points.iter().map(|p| Circle::new(*p, 3, color.filled())))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A named series of points.
type Named = (String, Vec<(f64, f64)>);

/// Lines over [0, 1] x [0, `top`], one per group: one chart with a legend outside it, or, for
/// more than [`MAX_LINES`] groups, one panel per group.
fn lines(
    title: &str,
    description: Line,
    axes: (&str, &str),
    top: f64,
    diagonal: bool,
    series: Vec<(String, Vec<(f64, f64)>)>,
    markers: bool,
) -> Result<Vec<Figure>> {
    let drawn: Vec<(usize, &Named)> = series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.1.is_empty())
        .collect();
    if drawn.len() > MAX_LINES {
        let mut svgs = Vec::new();
        for (_, (name, points)) in &drawn {
            svgs.push(line_svg(
                (440, 340),
                Some(name),
                axes,
                top,
                diagonal,
                &[(0, points.clone())],
                markers,
            )?);
        }
        return Ok(panel_figures(
            title,
            spans![description, " One panel per group."],
            svgs,
        ));
    }
    let svg = line_svg(
        (WIDTH, 460),
        None,
        axes,
        top,
        diagonal,
        &drawn
            .iter()
            .map(|(i, s)| (*i, s.1.clone()))
            .collect::<Vec<_>>(),
        markers,
    )?;
    let mut legend: Vec<(String, Line)> = drawn
        .iter()
        .map(|(i, s)| (css(colour(*i)), data_line(s.0.as_str())))
        .collect();
    if diagonal {
        legend.push(("#999999".into(), own_line("diagonal")));
    }
    Ok(vec![Figure {
        description,
        svg: responsive(svg, title),
        title: data_line(title),
        legend,
    }])
}

/// A metric across audits (x = the audit's number, 1 = oldest): one line per group, gaps
/// where a group is absent or the value undefined.
pub fn trend(
    title: &str,
    y_desc: &str,
    audits: usize,
    series: &[(String, Vec<Option<f64>>)],
) -> Result<Figure> {
    let top = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .fold(0.05f64, f64::max)
        * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let k = audits.max(2) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d(0.8f64..(k + 0.2), 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", AXIS))
            .x_labels(audits.max(2))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 1.0 {
                    format!("audit {i:.0}")
                } else {
                    String::new()
                }
            })
            .y_desc(y_desc)
            .draw()
            .map_err(err)?;
        for (s, (_, values)) in series.iter().enumerate() {
            let color = colour(s);
            // Runs of consecutive defined values are drawn as lines.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(y) => runs
                        .last_mut()
                        .into_iter()
                        .for_each(|r| r.push(((i + 1) as f64, *y))),
                    None => runs.push(Vec::new()),
                }
            }
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                chart
                    .draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))
                    .map_err(err)?;
                chart
                    .draw_series(run.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    Ok(Figure {
        description: own_line(format!(
            "Per group, {y_desc} in each audit, oldest first; a gap where the group is absent or the value undefined."
        )),
        svg: responsive(svg, title),
        title: data_line(title),
        legend: series
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (css(colour(i)), data_line(name.as_str())))
            .collect(),
    })
}

/// The policy's status of each judged subject (`attribute=group`) of a disparate-impact rule.
pub type Statuses<'a> = &'a [(String, crate::policy::Status)];

/// A heat map of the impact ratio of every cell of a two-column intersection (rows: the first
/// column's values, columns: the second's): the ratio and its interval as text in the cell,
/// the policy's status word beside it, a colour by status (never alone), and the details in
/// the cell's tooltip. HTML made from escaped parts.
pub fn heatmap(a: &AttributeAudit, statuses: Statuses<'_>, confidence: f64) -> Option<String> {
    if a.columns.len() != 2 {
        return None;
    }
    let esc = crate::text::escape_html;
    let mut rows: Vec<&str> = Vec::new();
    let mut cols: Vec<&str> = Vec::new();
    for g in &a.groups {
        let (Some(r), Some(c)) = (g.values.first(), g.values.get(1)) else {
            continue;
        };
        if r == crate::audit::UNKNOWN_GROUP || c == crate::audit::UNKNOWN_GROUP {
            continue;
        }
        if !rows.contains(&r.as_str()) {
            rows.push(r);
        }
        if !cols.contains(&c.as_str()) {
            cols.push(c);
        }
    }
    let mut s = format!(
        "<table class=\"heatmap\">\n<caption>Impact ratio of each {} x {} cell against the reference group ({}), with its {} interval and the policy's status</caption>\n<tr><th>{} \\ {}</th>",
        esc(&a.columns[0]),
        esc(&a.columns[1]),
        esc(a.reference_group.as_deref().unwrap_or("none")),
        percent(confidence),
        esc(&a.columns[0]),
        esc(&a.columns[1])
    );
    for c in &cols {
        s.push_str(&format!("<th>{}</th>", esc(c)));
    }
    s.push_str("</tr>\n");
    for r in &rows {
        s.push_str(&format!("<tr><th>{}</th>", esc(r)));
        for c in &cols {
            let g = a.groups.iter().find(|g| {
                g.values.first().map(String::as_str) == Some(*r)
                    && g.values.get(1).map(String::as_str) == Some(*c)
            });
            let Some(g) = g else {
                s.push_str("<td class=\"cell-none\">no rows</td>");
                continue;
            };
            let subject = format!("{}={}", a.name, g.group);
            let status = statuses
                .iter()
                .find(|(sub, _)| *sub == subject)
                .map(|x| x.1);
            let di = g.metrics.get(key::DISPARATE_IMPACT);
            let reference = a.reference_group.as_deref() == Some(g.group.as_str());
            let (text, tip, class) = if g.small {
                (
                    format!("n = {}<br>small", g.n),
                    format!(
                        "{}: {} rows, below the minimum group size; not judged",
                        g.group, g.n
                    ),
                    "cell-none".to_string(),
                )
            } else if reference {
                (
                    format!("1.000<br>reference<br>n = {}", g.n),
                    format!("{}: the reference group, {} rows", g.group, g.n),
                    "cell-ref".to_string(),
                )
            } else {
                match di.and_then(|m| m.value.map(|v| (v, m.ci_low, m.ci_high))) {
                    Some((v, lo, hi)) => {
                        let interval = match (lo, hi) {
                            (Some(lo), Some(hi)) => format!("[{lo:.3}, {hi:.3}]"),
                            _ => "no interval".into(),
                        };
                        let word = status.map_or("not judged", crate::policy::Status::word);
                        (
                            format!("{v:.3}<br>{interval}<br>{word}"),
                            format!(
                                "{}: impact ratio {v:.3}, {} interval {interval}, {} rows: {word}",
                                g.group,
                                percent(confidence),
                                g.n
                            ),
                            format!("cell-{}", word.to_lowercase().replace(' ', "-")),
                        )
                    }
                    None => (
                        format!("undefined<br>n = {}", g.n),
                        format!("{}: impact ratio undefined, {} rows", g.group, g.n),
                        "cell-none".to_string(),
                    ),
                }
            };
            // `text` holds numbers and fairgate's words only; names are in `tip`, escaped.
            s.push_str(&format!(
                "<td class=\"{class}\" title=\"{}\">{text}</td>",
                esc(&tip)
            ));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    Some(s)
}

/// The trade-off of a search for less discriminatory alternatives: per evaluated candidate,
/// its held-out accuracy (y, with its Wilson interval) against the lowest impact ratio of the
/// attribute searched (x, with its interval), green when the gate passes it and red when not,
/// labelled with its id; a dashed line at 0.8 (four-fifths).
pub fn tradeoff(m: &crate::mitigate::LdaResult) -> Result<Figure> {
    let points: Vec<(&crate::mitigate::LdaCandidate, f64, f64)> = m
        .candidates
        .iter()
        .filter_map(|c| {
            let x = c.disparity.as_ref()?.min_impact_ratio.value?;
            Some((c, x, c.accuracy.value?))
        })
        .collect();
    let bound =
        |f: &dyn Fn(&crate::mitigate::LdaCandidate, f64, f64) -> f64, init: f64, max: bool| {
            points.iter().fold(init, |acc, (c, x, y)| {
                let v = f(c, *x, *y);
                if max {
                    acc.max(v)
                } else {
                    acc.min(v)
                }
            })
        };
    let x_hi = bound(
        &|c, x, _| {
            c.disparity
                .as_ref()
                .and_then(|d| d.min_impact_ratio.high)
                .unwrap_or(x)
                .min(1.5)
        },
        1.0,
        true,
    ) * 1.05;
    let x_lo = bound(
        &|c, x, _| {
            c.disparity
                .as_ref()
                .and_then(|d| d.min_impact_ratio.low)
                .unwrap_or(x)
        },
        0.8,
        false,
    )
    .max(0.0)
        * 0.95;
    let y_lo = bound(&|c, _, y| c.accuracy.low.unwrap_or(y), 1.0, false).max(0.0) * 0.97;
    let y_hi = (bound(&|c, _, y| c.accuracy.high.unwrap_or(y), 0.0, true) * 1.06).min(1.0);
    let (pass, fail) = (RGBColor(0x1a, 0x7f, 0x37), RGBColor(0xc0, 0x39, 0x2b));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(64)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi.max(y_lo + 0.01))
            .map_err(err)?;
        chart
            .configure_mesh()
            .max_light_lines(0)
            .label_style(("sans-serif", TICK))
            .axis_desc_style(("sans-serif", AXIS))
            .x_desc(format!("lowest impact ratio, {}", m.attribute))
            .y_desc("held-out accuracy")
            .draw()
            .map_err(err)?;
        if (x_lo..x_hi).contains(&0.8) {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.8, y_lo), (0.8, y_hi)],
                    6,
                    4,
                    RGBColor(0x99, 0x99, 0x99).stroke_width(2),
                ))
                .map_err(err)?;
        }
        // Labels alternate above and below their point in order of accuracy, so that
        // candidates of similar accuracy do not print over each other.
        let mut by_y: Vec<usize> = (0..points.len()).collect();
        by_y.sort_by(|&a, &b| points[a].2.total_cmp(&points[b].2).then(a.cmp(&b)));
        for (rank, &k) in by_y.iter().enumerate() {
            let (c, x, y) = &points[k];
            let color = if c.gate.as_ref().is_some_and(|g| g.passed) {
                pass
            } else {
                fail
            };
            let d = c.disparity.as_ref().map(|d| &d.min_impact_ratio);
            let (xl, xh) = (
                d.and_then(|d| d.low).unwrap_or(*x).max(x_lo),
                d.and_then(|d| d.high).unwrap_or(*x).min(x_hi),
            );
            let (yl, yh) = (c.accuracy.low.unwrap_or(*y), c.accuracy.high.unwrap_or(*y));
            chart
                .draw_series(LineSeries::new(
                    vec![(xl, *y), (xh, *y)],
                    color.stroke_width(1),
                ))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(
                    vec![(*x, yl), (*x, yh)],
                    color.stroke_width(1),
                ))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Circle::new((*x, *y), 5, color.filled())))
                .map_err(err)?;
            let dy = if rank % 2 == 0 { 8 } else { -24 };
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, *y))
                        + Text::new(
                            c.id.clone(),
                            (8, dy),
                            ("sans-serif", TICK).into_font().color(&BLACK),
                        ),
                ))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    let title = format!(
        "Less discriminatory alternatives: accuracy against disparity, by {}",
        m.attribute
    );
    Ok(Figure {
        description: own_line(format!(
            "Each candidate judged on the {} held-out rows: its accuracy (y, with its Wilson interval) against the lowest impact ratio of {} over the groups that are not small (x, with its interval). Green: the gate passes it; red: it does not. Dashed line: 0.8, the four-fifths rule. The gate judges intervals: a ratio below 0.8 whose interval reaches 0.8 is inconclusive, which blocks only when the policy says so. Candidates not evaluated are left out.",
            m.held_out_rows, m.attribute
        )),
        svg: responsive(svg, &title),
        title: data_line(title),
        legend: vec![
            (css(pass), own_line("the gate passes it")),
            (css(fail), own_line("the gate does not pass it")),
        ],
    })
}
