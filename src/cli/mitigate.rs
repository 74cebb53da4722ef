//! `fairgate mitigate ...`: reweighing, one threshold for everyone, group thresholds.

use anyhow::Context;
use fairgate::audit::AuditParams;
use fairgate::data::{self, ReadOptions};
use fairgate::mitigate::{self, Constraint, CurveParams, HardtObjective, HardtParams, Objective};
use fairgate::policy::Policy;

use super::args::{
    GroupThresholdsArgs, MitigateArgs, MitigateCommand, ReweighArgs, SearchArgs, ThresholdArgs,
};
use super::{csv_cells, data_spec_for, rendered, write_output, ExitStatus};

/// Runs a mitigate subcommand, or the search.
pub fn run(m: &MitigateArgs) -> anyhow::Result<ExitStatus> {
    match &m.command {
        Some(MitigateCommand::Reweigh(a)) => reweigh(a),
        Some(MitigateCommand::Threshold(a)) => threshold(a),
        Some(MitigateCommand::GroupThresholds(a)) => group_thresholds(a),
        None => search(&m.search),
    }
}

fn search(a: &SearchArgs) -> anyhow::Result<ExitStatus> {
    let Some(config) = &a.config else {
        anyhow::bail!("fairgate mitigate needs --config FILE (the search for less discriminatory alternatives) or a method: reweigh, threshold or group-thresholds");
    };
    let c = fairgate::pipeline::SearchConfig::from_path(config)?;
    let policy = match a.policy.as_ref().or(c.policy.as_ref()) {
        Some(p) => Policy::load(p)?,
        None => Policy::four_fifths(),
    };
    let table = data::load(&c.spec, &c.read)?;
    // One spinner with the search's own messages; the steps inside it (a candidate's
    // cross-validation) are held back rather than drawn over it.
    let bar = super::progress::spinner("less discriminatory alternatives");
    let r = super::progress::paused(|| {
        mitigate::search(&table, &c.spec, &c.train, &policy, &c.search, &mut |m| {
            bar.set_message(fairgate::text::escape_terminal(&m));
        })
    })?;
    bar.finish_and_clear();
    if r.warning.is_some() {
        eprintln!("{}", mitigate::DECISION_TIME_WARNING);
    }
    let text = rendered(&r, &a.output)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(if r.recommended.is_some() {
        ExitStatus::Ok
    } else {
        ExitStatus::GateFailed
    })
}

fn reweigh(a: &ReweighArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec_for(&a.data, super::args::REWEIGH_UNUSED)?;
    let table = data::load(&spec, &ReadOptions::default())?;
    let r = mitigate::reweigh_table(&table, &spec, &a.by, a.min_cell_size)?;
    if let Some(path) = &a.weights {
        write_output(Some(path), |w| {
            Ok(r.write_weights(&table, w, csv_cells(a.raw_csv))?)
        })?;
    }
    let text = rendered(&r, &a.output)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(ExitStatus::Ok)
}

fn threshold(a: &ThresholdArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec_for(&a.data, super::args::SCORED_UNUSED)?;
    let objective = Objective::parse(&a.objective).with_context(|| {
        format!(
            "--objective: expected accuracy, balanced-accuracy, value:TP,FP or capacity:SHARE (0 < SHARE <= 1), found \"{}\"",
            a.objective
        )
    })?;
    let policy = match &a.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::four_fifths(),
    };
    let by = if a.by.is_empty() {
        spec.protected.iter().flatten().take(1).cloned().collect()
    } else {
        a.by.clone()
    };
    let audit = AuditParams {
        threshold: a.threshold,
        min_group_size: a.min_group_size,
        confidence: a.confidence,
        intersections: a
            .intersect
            .iter()
            .map(|s| s.split(',').map(|c| c.trim().to_string()).collect())
            .collect(),
        ..AuditParams::default()
    };
    // Checked here so that a bad flag is reported before the data is read.
    audit.clone().check()?;
    let table = data::load(&spec, &ReadOptions::default())?;
    let params = CurveParams {
        by,
        objective,
        audit,
        max_evaluations: a.max_evaluations,
    };
    let r = mitigate::threshold_curve(&table, &params, &policy)?;
    if let Some(path) = &a.curve {
        write_output(Some(path), |w| Ok(r.write_curve(w)?))?;
    }
    let text = rendered(&r, &a.output)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(if r.chosen.is_some() {
        ExitStatus::Ok
    } else {
        ExitStatus::GateFailed
    })
}

fn group_thresholds(a: &GroupThresholdsArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec_for(&a.data, super::args::SCORED_WITH_ID_UNUSED)?;
    let constraint = Constraint::parse(&a.constraint).with_context(|| {
        format!(
            "--constraint: expected demographic_parity, true_positive_rate_parity, false_positive_rate_parity, true_negative_rate_parity, false_negative_rate_parity or equalized_odds, found \"{}\"",
            a.constraint
        )
    })?;
    let objective = HardtObjective::parse(&a.objective).with_context(|| {
        format!(
            "--objective: expected accuracy_score, balanced_accuracy_score, selection_rate, true_positive_rate or true_negative_rate, found \"{}\"",
            a.objective
        )
    })?;
    anyhow::ensure!(
        (0.0..=1.0).contains(&a.threshold),
        "--threshold: expected a number in [0, 1], found {}",
        a.threshold
    );
    let table = data::load(&spec, &ReadOptions::default())?;
    let params = HardtParams {
        by: a.by.clone(),
        constraint,
        objective,
        grid_size: a.grid_size,
        seed: a.seed,
    };
    let (r, p) = mitigate::group_thresholds(&table, &params, a.threshold)?;
    if let Some(path) = &a.decisions {
        write_output(Some(path), |w| {
            Ok(mitigate::hardt::write_decisions(&r, &table, &p, w)?)
        })?;
    }
    eprintln!("{}", mitigate::DECISION_TIME_WARNING);
    let text = rendered(&r, &a.output)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(ExitStatus::Ok)
}
