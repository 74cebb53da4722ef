//! Charts as inline SVG (plotters' SVG backend, which escapes the text it writes): selection
//! rate by group with intervals and the four-fifths line, TPR and FPR by group, and
//! reliability curves with the diagonal. Output is deterministic.

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
        .and_then(|g| g.metrics.get("selection_rate"))
        .and_then(|m| m.value);
    let top = groups
        .iter()
        .filter_map(|g| {
            g.metrics
                .get("selection_rate")
                .and_then(|m| m.ci_high.or(m.value))
        })
        .fold(0.05f64, f64::max)
        * 1.15;
    bars(
        &format!("Selection rate by {}", a.name),
        &groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>(),
        &[(
            "selection rate",
            groups
                .iter()
                .map(|g| g.metrics.get("selection_rate").copied())
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
        &groups.iter().map(|g| g.group.clone()).collect::<Vec<_>>(),
        &[("TPR", get("tpr")), ("FPR", get("fpr"))],
        1.0,
        None,
    )
}

type Series = Vec<Option<crate::audit::MetricValue>>;

fn bars(
    title: &str,
    labels: &[String],
    series: &[(&str, Series)],
    top: f64,
    line: Option<(f64, &str)>,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = labels.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(52)
            .build_cartesian_2d(-0.5f64..(n - 0.5), 0f64..top)
            .map_err(err)?;
        let names = labels.to_vec();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(labels.len().max(1))
            .x_label_formatter(&move |x| {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("rate")
            .draw()
            .map_err(err)?;
        let k = series.len().max(1) as f64;
        let width = 0.7 / k;
        for (s, (name, values)) in series.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
            let offset = -0.35 + width * (s as f64 + 0.5);
            let rects: Vec<_> = values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.and_then(|m| m.value).map(|y| (i, y)))
                .map(|(i, y)| {
                    let x = i as f64 + offset;
                    Rectangle::new(
                        [(x - width * 0.45, 0.0), (x + width * 0.45, y.min(top))],
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
                    let x = i as f64 + offset;
                    PathElement::new(vec![(x, lo), (x, hi.min(top))], BLACK.stroke_width(1))
                })
                .collect();
            chart.draw_series(whiskers).map_err(err)?;
        }
        if let Some((y, label)) = line {
            chart
                .draw_series(LineSeries::new(
                    vec![(-0.5, y), (n - 0.5, y)],
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
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// Reliability curves (mean score against observed rate per bin) per group, with the diagonal.
pub fn reliability(a: &AttributeAudit) -> Result<String> {
    let groups = shown(a);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (520, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Calibration by {}", a.name), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("mean score")
            .y_desc("observed rate")
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 0.0), (1.0, 1.0)],
                BLACK.mix(0.4).stroke_width(1),
            ))
            .map_err(err)?
            .label("perfect calibration")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 12, y)], BLACK.mix(0.4)));
        for (s, g) in groups.iter().enumerate() {
            let color = PALETTE[s % PALETTE.len()];
            let points: Vec<(f64, f64)> = g
                .reliability
                .iter()
                .filter(|b| b.count > 0)
                .filter_map(|b| Some((b.mean_score?, b.observed.value?)))
                .collect();
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(err)?
                .label(g.group.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 12, y)], color.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, color.filled())),
                )
                .map_err(err)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}
