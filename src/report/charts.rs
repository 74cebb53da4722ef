//! Charts as inline SVG (plotters' SVG backend, which escapes the text it writes): selection
//! rate by group with intervals and the four-fifths line, TPR and FPR by group, reliability
//! and ROC curves with the diagonal, score distributions by group, and from an explanation the
//! features' importance and their association with the protected attributes. Output is
//! deterministic.

use crate::audit::key;
use plotters::prelude::*;

use crate::audit::AttributeAudit;

/// The groups shown in charts: not small (small segments show counts only).
fn shown(a: &AttributeAudit) -> Vec<&crate::audit::GroupAudit> {
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

type Result<T> = std::result::Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("chart: {e:?}")
}

/// Selection rate per group with its interval, and the four-fifths line (0.8 x the reference
/// group's rate).
pub fn selection_rates(a: &AttributeAudit) -> Result<String> {
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
        * 1.15;
    bars(
        &format!("Selection rate by {}", a.name),
        "rate",
        &groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>(),
        &[(
            "selection rate",
            groups
                .iter()
                .map(|g| g.metrics.get(key::SELECTION_RATE).copied())
                .collect(),
        )],
        top.min(1.0),
        reference.map(|r| (0.8 * r, "four-fifths of the reference rate")),
    )
}

/// TPR and FPR per group, with intervals.
pub fn error_rates(a: &AttributeAudit) -> Result<String> {
    let groups = shown(a);
    let get = |k: &str| {
        groups
            .iter()
            .map(|g| g.metrics.get(k).copied())
            .collect::<Vec<_>>()
    };
    bars(
        &format!("True and false positive rates by {}", a.name),
        "rate",
        &groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>(),
        &[("TPR", get(key::TPR)), ("FPR", get(key::FPR))],
        1.0,
        None,
    )
}

type Series = Vec<Option<crate::audit::MetricValue>>;

/// Horizontal bars: one row per category (top to bottom in the given order), one bar per
/// series, whiskers for intervals, and an optional reference line.
fn bars(
    title: &str,
    value_desc: &str,
    labels: &[String],
    series: &[(&str, Series)],
    top: f64,
    line: Option<(f64, &str)>,
) -> Result<String> {
    let n = labels.len().max(1);
    let k = series.len().max(1);
    let height = (110 + n * (12 * k + 10)).max(240) as u32;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let label_area = (longest * 7 + 16).clamp(60, 280) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let nf = n as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0f64..top, -0.5f64..(nf - 0.5))
            .map_err(err)?;
        let names = labels.to_vec();
        // Category i is drawn at y = n - 1 - i, so the first is at the top.
        let row = move |i: usize| (n - 1 - i) as f64;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
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
        for (s, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
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
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(*name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
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
        if let Some((x, label)) = line {
            chart
                .draw_series(LineSeries::new(
                    vec![(x, -0.5), (x, nf - 0.5)],
                    RED.stroke_width(2),
                ))
                .map_err(err)?
                .label(label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], RED.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(without_controls(svg))
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

/// Reliability curves (mean score against observed rate per bin) per group, with the diagonal.
pub fn reliability(a: &AttributeAudit) -> Result<String> {
    let series = shown(a)
        .iter()
        .map(|g| {
            let points = g
                .reliability
                .iter()
                .filter(|b| b.count > 0)
                .filter_map(|b| Some((b.mean_score?, b.observed.value?)))
                .collect();
            (g.group.clone(), points)
        })
        .collect();
    lines(
        &format!("Calibration by {}", a.name),
        ("mean score", "observed rate"),
        1.0,
        Some("perfect calibration"),
        series,
        true,
    )
}

/// ROC curves per group, with the diagonal of a score that does not rank.
pub fn roc(a: &AttributeAudit) -> Result<String> {
    let series = shown(a)
        .iter()
        .map(|g| {
            let points = g.roc.iter().map(|p| (p.fpr, p.tpr)).collect();
            (g.group.clone(), points)
        })
        .collect();
    lines(
        &format!("ROC curves by {}", a.name),
        ("false positive rate", "true positive rate"),
        1.0,
        Some("no ranking (AUC 0.5)"),
        series,
        false,
    )
}

/// Score distributions per group: the share of the group in each score bin, at the bin's
/// middle.
pub fn score_distributions(a: &AttributeAudit) -> Result<String> {
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
        * 1.15;
    lines(
        &format!("Score distribution by {}", a.name),
        ("score", "share of the group"),
        top.min(1.0),
        None,
        series,
        true,
    )
}

/// Each feature's standardised importance: the standard deviation of its contribution to the
/// log-odds (from `fairgate explain`).
pub fn contributions(explain: &crate::explain::Explanation) -> Result<String> {
    let items: Vec<(String, f64)> = explain
        .importance
        .iter()
        .map(|i| (i.feature.clone(), i.contribution_sd))
        .collect();
    let top = items.iter().map(|i| i.1).fold(0.05f64, f64::max) * 1.15;
    bars(
        "Feature importance (sd of the contribution to the log-odds)",
        "sd of contribution",
        &items.iter().map(|i| i.0.clone()).collect::<Vec<_>>(),
        &[(
            "contribution sd",
            items
                .iter()
                .map(|i| Some(crate::audit::MetricValue::of(i.1)))
                .collect(),
        )],
        top,
        None,
    )
}

/// Each feature's association with each protected attribute (Cramér's V or the correlation
/// ratio, from `fairgate explain`).
pub fn proxies(explain: &crate::explain::Explanation) -> Result<String> {
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
    let series: Vec<(String, Series)> = attributes
        .iter()
        .map(|a| {
            let values = features
                .iter()
                .map(|f| {
                    list.iter()
                        .find(|p| &p.feature == f && &p.attribute == a)
                        .and_then(|p| p.association)
                        .map(crate::audit::MetricValue::of)
                })
                .collect();
            (a.clone(), values)
        })
        .collect();
    let named: Vec<(&str, Series)> = series
        .iter()
        .map(|(a, v)| (a.as_str(), v.clone()))
        .collect();
    bars(
        "Association of each feature with each protected attribute",
        "association",
        &features,
        &named,
        1.0,
        None,
    )
}

/// A line chart over [0, 1] x [0, `top`]: one series per group, optionally the diagonal and
/// point markers.
fn lines(
    title: &str,
    (x_desc, y_desc): (&str, &str),
    top: f64,
    diagonal: Option<&str>,
    series: Vec<(String, Vec<(f64, f64)>)>,
    markers: bool,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..1f64, 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()
            .map_err(err)?;
        if let Some(label) = diagonal {
            chart
                .draw_series(LineSeries::new(
                    vec![(0.0, 0.0), (1.0, 1.0)],
                    BLACK.mix(0.4).stroke_width(1),
                ))
                .map_err(err)?
                .label(label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK.mix(0.4)));
        }
        for (s, (name, points)) in series.into_iter().enumerate() {
            if points.is_empty() {
                continue;
            }
            let color = PALETTE[s % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 12, y)], color.stroke_width(2))
                });
            if markers {
                chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|p| Circle::new(p, 3, color.filled())),
                    )
                    .map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(if diagonal.is_some() {
                SeriesLabelPosition::LowerRight
            } else {
                SeriesLabelPosition::UpperRight
            })
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(without_controls(svg))
}

/// A metric across audits (x = the audit's number, 1 = oldest): one line per group, gaps
/// where a group is absent or the value undefined.
pub fn trend(
    title: &str,
    y_desc: &str,
    audits: usize,
    series: &[(String, Vec<Option<f64>>)],
) -> Result<String> {
    let top = series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten().copied())
        .fold(0.05f64, f64::max)
        * 1.15;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (620, 380)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let k = audits.max(2) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0.8f64..(k + 0.2), 0f64..top)
            .map_err(err)?;
        chart
            .configure_mesh()
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
        for (s, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
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
            let mut labelled = false;
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                let series = chart
                    .draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))
                    .map_err(err)?;
                if !labelled {
                    series.label(name.as_str()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 12, y)], color.stroke_width(2))
                    });
                    labelled = true;
                }
                chart
                    .draw_series(run.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                    .map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(without_controls(svg))
}
