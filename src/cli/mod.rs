//! The command layer: one small function per subcommand, each turning flags into library
//! calls and writing the result. Binary-only; the library has no clap and no anyhow.

mod args;
mod examples;
mod exit;
mod files;
mod mitigate;
mod progress;
mod stats;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fairgate::audit::{AuditParams, AuditReport, Binning};
use fairgate::data::{self, synth, DataSpec, Profile, ReadOptions, Unlisted};

pub use args::Args;
use args::{
    output_format, AuditArgs, ClassWeightArg, Command, CompareArgs, CompletionsArgs, DataArgs,
    DatasetsCommand, ExplainArgs, FormatArg, GateArgs, GenerateArgs, InspectArgs, InspectFormat,
    ManArgs, ModelArg, OutputArgs, ReportArgs, RunArgs, ScoreArgs, SolverArg, SubjectArgs,
    SubjectFormat, TrainArgs,
};
pub use exit::ExitStatus;
use fairgate::explain::ExplainParams;
use fairgate::text::escape_terminal as term;
use fairgate::train::{Model, ModelKind, RuleSet, Solver, TrainParams};
use files::{write_output, OutFile};

/// Runs the parsed command.
pub fn run(args: Args) -> anyhow::Result<ExitStatus> {
    progress::install(args.quiet);
    run_step(args)
}

/// Runs the parsed command, progress already set up (a step of `fairgate run` too).
fn run_step(args: Args) -> anyhow::Result<ExitStatus> {
    files::check(&files::of(&args.command)?)?;
    match args.command {
        Command::Datasets(DatasetsCommand::Generate(a)) => generate(&a),
        Command::Inspect(a) => inspect(&a),
        Command::Audit(a) => audit(&a),
        Command::Stats(a) => stats::write(&a),
        Command::Sql(a) => stats::sql(&a),
        Command::Train(a) => train(&a),
        Command::Score(a) => score(&a),
        Command::Explain(a) => explain(&a),
        Command::Subject(a) => subject(&a),
        Command::Report(a) => report(&a),
        Command::Gate(a) => gate(&a),
        Command::Run(a) => pipeline(&a),
        Command::Compare(a) => compare(&a),
        Command::Mitigate(m) => mitigate::run(&m),
        Command::Completions(a) => completions(&a),
        Command::Man(a) => man(&a),
        Command::Schema(a) => schema(&a),
    }
}

/// `fairgate completions`: the shell's completion script on standard output.
fn completions(a: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let mut cmd = <Args as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "fairgate", &mut script);
    write_output(None, |w| Ok(w.write_all(&script)?))?;
    Ok(ExitStatus::Ok)
}

/// `fairgate schema`: an output file's JSON Schema.
fn schema(a: &args::SchemaArgs) -> anyhow::Result<ExitStatus> {
    let text =
        fairgate::schema::schema(&a.name).with_context(|| format!("no schema \"{}\"", a.name))?;
    write_output(a.out.as_deref(), |w| Ok(w.write_all(text.as_bytes())?))?;
    Ok(ExitStatus::Ok)
}

/// `fairgate man`: the main page, or a command's (`man mitigate threshold` for a nested one).
fn man(a: &ManArgs) -> anyhow::Result<ExitStatus> {
    let mut cmd = <Args as clap::CommandFactory>::command();
    cmd.build();
    let mut path = vec!["fairgate".to_string()];
    for name in &a.command {
        let names: Vec<String> = cmd
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        let Some(sub) = cmd
            .find_subcommand(name)
            .filter(|_| name != "help")
            .cloned()
        else {
            if names.is_empty() {
                anyhow::bail!("\"{}\" has no commands", path.join(" "));
            }
            anyhow::bail!(
                "no command \"{}\"; the commands of {}: {}",
                name,
                path.join(" "),
                names.join(", ")
            );
        };
        path.push(name.clone());
        cmd = sub.bin_name(path.join(" "));
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .title(path.join("-"))
        .render(&mut page)?;
    write_output(a.out.as_deref(), |w| Ok(w.write_all(&page)?))?;
    Ok(ExitStatus::Ok)
}

fn compare(a: &CompareArgs) -> anyhow::Result<ExitStatus> {
    let policy = match &a.policy {
        Some(p) => Some(fairgate::policy::Policy::load(p)?),
        None => None,
    };
    let paths: Vec<&Path> = a.audits.iter().map(PathBuf::as_path).collect();
    let c = fairgate::compare::compare(&paths, policy.as_ref())?;
    if let Some(h) = &a.html {
        let page = fairgate::report::trend_page(&c)?;
        write_output(Some(h), |w| Ok(w.write_all(page.as_bytes())?))?;
    }
    let text = rendered(&c, &a.output)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(if a.fail_on_regression && c.regressions > 0 {
        ExitStatus::GateFailed
    } else {
        ExitStatus::Ok
    })
}

fn pipeline(a: &RunArgs) -> anyhow::Result<ExitStatus> {
    use fairgate::pipeline::Plan;
    let plan = Plan::from_path(&a.pipeline, a.out.as_deref())?;
    let script = plan_script(&plan);
    if a.dry_run {
        print!("{script}");
        return Ok(ExitStatus::Ok);
    }
    // Before anything runs: no output may replace an input, and every input must be valid.
    fairgate::output::check(plan.inputs.iter().map(|i| &i.path), &plan.outputs)?;
    fairgate::output::check_replaceable(&plan.outputs)?;
    plan.check_inputs()?;
    // The steps write into a staging folder; the whole set replaces the previous one at the
    // end, so a failed or killed run leaves the previous complete set.
    let mut staging = fairgate::output::Staging::begin(&plan.out)?;
    let staged = Plan::from_path(&a.pipeline, Some(staging.path()))?;
    match run_steps(a, &staged, &script) {
        Ok(status) => {
            // The previous run's artifacts that this one does not write (a gate no longer asked
            // for) go, so the folder holds one run's set; never an input of this run, and never
            // a file no run wrote.
            let keep: Vec<PathBuf> = plan
                .inputs
                .iter()
                .filter_map(|i| {
                    let p = std::path::absolute(&i.path).ok()?;
                    let out = std::path::absolute(&plan.out).ok()?;
                    p.strip_prefix(&out).ok().map(Path::to_path_buf)
                })
                .collect();
            staging.commit(&keep)?;
            eprintln!(
                "all artifacts in {}{}",
                plan.out.display(),
                match (plan.gated, status) {
                    (false, _) => String::new(),
                    (true, ExitStatus::Ok) => "; gate PASSED".into(),
                    (true, _) => "; gate FAILED (exit code 1)".into(),
                }
            );
            Ok(status)
        }
        Err(e) => {
            let why = format!("{e:#}");
            staging.fail(&why)?;
            Err(e.context(format!(
                "the run failed; {} keeps the previous run's files (see {} there)",
                plan.out.display(),
                fairgate::output::INCOMPLETE_FILE
            )))
        }
    }
}

/// The shell script of a plan (`commands.sh`): each step a `fairgate` command line.
fn plan_script(plan: &fairgate::pipeline::Plan) -> String {
    // The gate's exit code 1 must not stop the script before the report: it is kept and
    // returned at the end, as `fairgate run` does.
    plan.steps
        .iter()
        .map(|s| {
            if s.name == "gate" {
                s.shell() + " || gate=$?\n"
            } else {
                s.shell() + "\n"
            }
        })
        .collect()
}

/// Runs the steps of `staged` (writing into its staging folder) with a progress bar.
fn run_steps(
    a: &RunArgs,
    staged: &fairgate::pipeline::Plan,
    script: &str,
) -> anyhow::Result<ExitStatus> {
    use clap::Parser;
    // The file's name goes into a comment: on one line whatever it holds (Rust's quoting
    // escapes line ends and every other control character).
    let name = a.pipeline.display().to_string();
    write_output(Some(&staged.out.join("commands.sh")), |w| {
        Ok(w.write_all(
            format!("#!/bin/sh\n# The steps of fairgate run {name:?}\nset -e\ngate=0\n{script}exit $gate\n")
                .as_bytes(),
        )?)
    })?;
    // A bar on stderr when it is a terminal (the steps' own bars held back); the step lines
    // are printed either way, unless --quiet.
    let bar = progress::bar("", staged.steps.len() as u64);
    let say = |line: String| {
        if !progress::quiet() {
            bar.suspend(|| eprintln!("{line}"));
        }
    };
    let mut status = ExitStatus::Ok;
    for (i, step) in staged.steps.iter().enumerate() {
        bar.set_message(step.name);
        say(format!(
            "[{}/{}] {}",
            i + 1,
            staged.steps.len(),
            term(&step.shell())
        ));
        let args = Args::try_parse_from(
            std::iter::once("fairgate".to_string()).chain(step.args.iter().cloned()),
        )
        .with_context(|| format!("step {}: {}", step.name, step.shell()))?;
        let started = std::time::Instant::now();
        let result = bar.suspend(|| progress::paused(|| run_step(args)));
        let s = result.with_context(|| format!("step {} failed: {}", step.name, step.shell()))?;
        say(format!(
            "      {} done in {:.1} s",
            step.name,
            started.elapsed().as_secs_f64()
        ));
        if step.name == "gate" {
            status = s;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(status)
}

fn gate(a: &GateArgs) -> anyhow::Result<ExitStatus> {
    use fairgate::policy::{self, Evidence, Policy};
    if a.run.wide {
        anyhow::bail!("gate does not use --wide: it prints the gate's table, not the audit's (fairgate audit --wide prints every column of an audit)");
    }
    let policy = Policy::load(&a.policy)?;
    let evidence = match &a.audit {
        Some(path) => Evidence::load(path, a.model.as_deref(), a.explain.as_deref())?,
        None => {
            if a.run.data.data.is_none() && a.run.data.config.is_none() {
                anyhow::bail!("gate: pass --audit AUDIT.json, or --data FILE (or --config FILE) with the audit options to audit here");
            }
            let report = audit_report(&a.run)?;
            // Named by the SHA-256 of its JSON: the file `fairgate audit --format json` writes
            // with the same data and options, which a report can then match.
            let file = fairgate::provenance::FileRef::new(
                format!("audit of {}", report.input.path),
                fairgate::text::sha256_hex(report.to_json().as_bytes()),
            );
            Evidence::new(report, file, a.model.as_deref(), a.explain.as_deref())?
        }
    };
    let mut evidence = evidence;
    if let Some(p) = &a.context {
        evidence.declared = fairgate::report::Context::from_path(p)?.declared;
    }
    let result = policy::evaluate(&policy, &evidence)?;
    if let Some(p) = &a.junit {
        write_output(Some(p), |w| {
            Ok(w.write_all(policy::to_junit(&result).as_bytes())?)
        })?;
    }
    if let Some(p) = &a.json {
        write_output(Some(p), |w| Ok(w.write_all(result.to_json().as_bytes())?))?;
    }
    if let Some(p) = &a.markdown {
        write_output(Some(p), |w| {
            Ok(w.write_all(policy::to_markdown(&result).as_bytes())?)
        })?;
    }
    let text = rendered(&result, &a.run.output)?;
    write_output(a.run.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(if result.passed {
        ExitStatus::Ok
    } else {
        ExitStatus::GateFailed
    })
}

fn report(a: &ReportArgs) -> anyhow::Result<ExitStatus> {
    if let Some(dir) = &a.verify {
        return verify_report(dir);
    }
    let (Some(audit), Some(out_dir)) = (&a.audit, &a.out) else {
        anyhow::bail!("report: give --audit FILE and --out DIR (or --verify DIR)");
    };
    let created = fairgate::data::format_timestamp(
        created_time(a.created.as_deref())?.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        }),
    );
    let r = fairgate::report::Report::load(
        audit,
        a.explain.as_deref(),
        a.model.as_deref(),
        a.context.as_deref(),
        created,
    )?;
    let r = match &a.gate {
        Some(g) => r.with_gate(g)?,
        None => r,
    };
    let r = match &a.previous {
        Some(p) => r.with_previous(p, audit)?,
        None => r,
    };
    let r = match &a.mitigation {
        Some(m) => r.with_mitigation(m)?,
        None => r,
    };
    let outputs = r.write(out_dir)?;
    // Named where they will be once a run's staged set is in place.
    let out = fairgate::output::shown(out_dir);
    for f in outputs {
        eprintln!("wrote {out}/{} ({})", f.path, f.sha256);
    }
    eprintln!("wrote {out}/evidence.json");
    Ok(ExitStatus::Ok)
}

/// `report --verify DIR`: one line per listed file; exit 1 unless every file matches.
fn verify_report(dir: &std::path::Path) -> anyhow::Result<ExitStatus> {
    use fairgate::report::Verdict;
    let checked = fairgate::report::verify(dir)?;
    let mut bad = 0;
    for v in &checked {
        let word = match v.verdict {
            Verdict::Match => "ok",
            Verdict::Changed => "CHANGED",
            Verdict::Missing => "MISSING",
            Verdict::BuiltIn => "BUILT-IN POLICY OF ANOTHER VERSION",
            Verdict::NoDigest => "NO DIGEST (in memory, not a file)",
        };
        if !matches!(v.verdict, Verdict::Match | Verdict::NoDigest) {
            bad += 1;
        }
        println!(
            "{word:<8} {} {} ({})",
            v.kind,
            fairgate::text::escape_terminal(&v.path),
            fairgate::text::escape_terminal(&v.role)
        );
    }
    let unchecked = checked
        .iter()
        .filter(|v| v.verdict == Verdict::NoDigest)
        .count();
    if bad == 0 && unchecked > 0 {
        println!(
            "verified: all {} listed files match evidence.json; {unchecked} input(s) were data in memory, recorded without a digest, so not checked",
            checked.len() - unchecked
        );
        Ok(ExitStatus::Ok)
    } else if bad == 0 {
        println!(
            "verified: all {} listed files match evidence.json",
            checked.len()
        );
        Ok(ExitStatus::Ok)
    } else {
        println!(
            "NOT VERIFIED: {bad} of {} listed files differ from evidence.json or are missing",
            checked.len()
        );
        Ok(ExitStatus::GateFailed)
    }
}

/// `--created` or `SOURCE_DATE_EPOCH` as seconds since the epoch; `None` when neither is set.
fn created_time(flag: Option<&str>) -> anyhow::Result<Option<i64>> {
    match flag {
        Some(t) => Ok(Some(parse_time(t).with_context(|| {
            format!("--created: expected an ISO 8601 date or date-time, found \"{t}\"")
        })?)),
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) => Ok(Some(v.trim().parse::<i64>().with_context(|| {
                format!("SOURCE_DATE_EPOCH: expected seconds since 1970, found \"{v}\"")
            })?)),
            Err(_) => Ok(None),
        },
    }
}

fn explain(a: &ExplainArgs) -> anyhow::Result<ExitStatus> {
    let model = Model::from_path(&a.model)?;
    let mut immutable = match &a.config {
        Some(p) => fairgate::data::ConfigFile::from_path(p)?
            .explain
            .immutable
            .unwrap_or_default(),
        None => Vec::new(),
    };
    immutable.extend(a.immutable.iter().cloned());
    let params = ExplainParams {
        top: a.top,
        repeats: a.repeats,
        seed: a.seed,
        protected: a.protected.clone(),
        immutable,
        minimisation_tolerance: a.minimisation_tolerance,
        proxy_association: a.proxy_association,
        proxy_auc: a.proxy_auc,
        csv_cells: csv_cells(a.raw_csv),
        ..ExplainParams::default()
    }
    .check()?;
    let mut reasons = match &a.reasons {
        Some(p) => Some(OutFile::create(p)?),
        None => None,
    };
    let mut contributions = match &a.contributions {
        Some(p) => Some(OutFile::create(p)?),
        None => None,
    };
    let explanation = fairgate::explain::explain(
        &model,
        &a.data,
        &params,
        reasons.as_mut().map(|f| f as &mut dyn Write),
        contributions.as_mut().map(|f| f as &mut dyn Write),
    )?;
    if let Some(f) = reasons {
        f.commit()?;
    }
    if let Some(f) = contributions {
        f.commit()?;
    }
    let text = rendered(&explanation, &a.output)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(ExitStatus::Ok)
}

fn subject(a: &SubjectArgs) -> anyhow::Result<ExitStatus> {
    let model = Model::from_path(&a.model)?;
    let export = fairgate::explain::subject(&model, &a.data, &a.id, a.id_column.as_deref(), a.top)?;
    let format = output_format(a.format, a.out.as_deref()).map_err(anyhow::Error::msg)?;
    let text = match format {
        SubjectFormat::Json => export.to_json(),
        SubjectFormat::Text => term(&export.to_text()),
        SubjectFormat::Markdown => term(&export.to_markdown()),
    };
    write_output(a.out.as_deref(), |w| Ok(w.write_all(text.as_bytes())?))?;
    Ok(ExitStatus::Ok)
}

fn train(a: &TrainArgs) -> anyhow::Result<ExitStatus> {
    let mut spec = data_spec(&a.data)?;
    let rules = match &a.rules {
        Some(path) => Some(RuleSet::from_path(path)?),
        None => None,
    };
    if spec.label.is_none() {
        anyhow::bail!(
            "train: no label column: pass --label COL or set label in the [data] table of --config"
        );
    }
    // A points model reads the rules' columns; a logistic model every column without a role.
    let options = fairgate::train::reading(&mut spec, rules.as_ref());
    let created = created_time(a.created.as_deref())?;
    let params = TrainParams {
        kind: match a.kind {
            ModelArg::Logistic => ModelKind::Logistic,
            ModelArg::Points => ModelKind::Points,
        },
        rules,
        c: a.c,
        balanced: a.class_weight == ClassWeightArg::Balanced,
        test_size: a.test_size,
        cv: a.cv,
        seed: a.seed,
        solver: match a.solver {
            SolverArg::Newton => Solver::Newton,
            SolverArg::Linfa => Solver::Linfa,
        },
        max_levels: a.max_levels,
        threshold: a.threshold,
        created,
        reweigh: a.reweigh.clone(),
        min_cell_size: a.min_cell_size,
    }
    .check()?;
    let table = data::load(&spec, &options)?;
    let (mut model, split) = fairgate::train::train_with_split(&table, &spec, &params)?;
    let constraint = || {
        fairgate::mitigate::Constraint::parse(&a.constraint).with_context(|| {
            format!(
                "--constraint: expected demographic_parity, true_positive_rate_parity, false_positive_rate_parity or equalized_odds, found \"{}\"",
                a.constraint
            )
        })
    };
    if !a.grid_search.is_empty() {
        let gp = fairgate::mitigate::GridSearchParams {
            by: a.grid_search.clone(),
            constraint: constraint()?,
            grid_size: a.grid_size,
            grid_limit: a.grid_limit,
            ..fairgate::mitigate::GridSearchParams::default()
        }
        .check()?;
        let bar = progress::bar("grid search: fits", gp.grid_size as u64);
        let r = fairgate::mitigate::grid_search(
            &table,
            &spec,
            &params,
            &split.training,
            &gp,
            &mut |k, n| {
                bar.set_length(n as u64);
                bar.set_position(k as u64);
            },
        )?;
        bar.finish_and_clear();
        fairgate::mitigate::reductions::into_model(&mut model, &r, &gp, &table, &split)?;
    }
    if !a.exponentiated_gradient.is_empty() {
        let constraint = constraint()?;
        let ep = fairgate::mitigate::EgParams {
            by: a.exponentiated_gradient.clone(),
            constraint,
            difference_bound: a.difference_bound,
            eps: a.eps,
            max_iter: a.max_iter,
            ..fairgate::mitigate::EgParams::default()
        }
        .check()?;
        let bar = progress::bar(
            "exponentiated gradient: iterations (at most)",
            ep.max_iter as u64,
        );
        let r = fairgate::mitigate::exponentiated_gradient(
            &table,
            &spec,
            &params,
            &split.training,
            &ep,
            &mut |t, n| {
                bar.set_length(n as u64);
                bar.set_position(t as u64);
            },
        )?;
        bar.finish_and_clear();
        fairgate::mitigate::into_model(&mut model, &r, &ep, a.draw_seed, &table, &split)?;
    }
    write_output(Some(&a.out), |w| {
        Ok(w.write_all(model.to_json().as_bytes())?)
    })?;
    let mut text = term(&model.to_text());
    text.push_str(&format!("wrote {}\n", a.out.display()));
    if let Some(path) = &a.scored {
        let mut rows = 0;
        write_output(Some(path), |w| {
            rows = fairgate::train::write_scored_table(
                &model,
                &table,
                &split,
                w,
                csv_cells(a.raw_csv),
            )?;
            Ok(())
        })?;
        text.push_str(&format!(
            "wrote {} ({rows} rows: {} train, {} validation, in a split column)\n",
            fairgate::output::shown(path),
            split.training.len(),
            split.validation.len()
        ));
    }
    write_output(None, |w| Ok(w.write_all(text.as_bytes())?))?;
    Ok(ExitStatus::Ok)
}

fn score(a: &ScoreArgs) -> anyhow::Result<ExitStatus> {
    let model = Model::from_path(&a.model)?;
    let overrides = DataSpec {
        consent: a.consent.clone(),
        consent_timestamp: a.consent_timestamp.clone(),
        as_of: a.as_of.clone(),
        delimiter: a.delimiter.clone(),
        na: a.na.clone(),
        on_invalid: a.on_invalid.map(Into::into),
        ..DataSpec::default()
    };
    let mut summary = None;
    write_output(Some(&a.out), |w| {
        summary = Some(fairgate::train::score(
            &model,
            &a.data,
            &overrides,
            w,
            csv_cells(a.raw_csv),
        )?);
        Ok(())
    })?;
    let Some(summary) = summary else {
        anyhow::bail!("score: no summary");
    };
    if let Some(path) = &a.summary {
        let mut json = serde_json::to_string_pretty(&summary)?;
        json.push('\n');
        write_output(Some(path), |w| Ok(w.write_all(json.as_bytes())?))?;
    }
    let ex = &summary.excluded;
    let rejected: u64 = summary.rejected.iter().map(|r| r.rows).sum();
    let consent = a.consent.is_some() || model.roles.consent.is_some();
    let excluded = ex
        .clause(consent)
        .map_or_else(String::new, |c| format!("; {c}"));
    let mut text = format!(
        "scored {} of {} rows ({} positive decisions {}){excluded}; rejected as invalid: {rejected}\n",
        summary.rows_scored,
        summary.rows_read,
        summary.positive_decisions,
        match &model.mixture {
            Some(m) => format!("drawn from the mixture's probability with seed {}", m.seed),
            None => format!("at threshold {}", model.threshold),
        },
    );
    for (feature, n) in &summary.unseen_categories {
        text.push_str(&format!(
            "note: {n} rows have a value of \"{feature}\" not seen in training (scored as the unseen bucket)\n"
        ));
    }
    eprint!("{}", term(&text));
    Ok(ExitStatus::Ok)
}

/// `--raw-csv`: cells as they are; otherwise formula-like cells are neutralised.
fn csv_cells(raw: bool) -> fairgate::output::CsvCells {
    if raw {
        fairgate::output::CsvCells::Raw
    } else {
        fairgate::output::CsvCells::Guarded
    }
}

/// An ISO 8601 date or date-time as seconds since the epoch.
fn parse_time(t: &str) -> Option<i64> {
    DataSpec {
        as_of: Some(t.to_string()),
        ..DataSpec::default()
    }
    .as_of_seconds()
    .ok()
    .flatten()
}

fn audit(a: &AuditArgs) -> anyhow::Result<ExitStatus> {
    let report = audit_report(a)?;
    let text = rendered_wide(&report, &a.output, a.wide)?;
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(ExitStatus::Ok)
}

/// Runs the audit the flags describe.
fn audit_report(a: &AuditArgs) -> anyhow::Result<AuditReport> {
    let spec = data_spec_for(&a.data, args::SCORED_UNUSED)?.overridden_by(DataSpec {
        postgres: a.postgres.clone().map(fairgate::data::Conninfo),
        table: a.table.clone(),
        query: a.query.clone(),
        password_file: a.password_file.clone(),
        ..DataSpec::default()
    });
    let mut reference = BTreeMap::new();
    for r in &a.reference {
        let (attr, value) = r
            .split_once('=')
            .with_context(|| format!("--reference: expected ATTRIBUTE=VALUE, found \"{r}\""))?;
        reference.insert(attr.to_string(), value.to_string());
    }
    let binning = Binning::parse(&a.bins).with_context(|| {
        format!(
            "--bins: expected a number of bins or quantile:K, found \"{}\"",
            a.bins
        )
    })?;
    let params = AuditParams {
        binning,
        bootstrap: a.bootstrap,
        seed: a.seed,
        threshold: a.threshold,
        min_group_size: a.min_group_size,
        confidence: a.confidence,
        reference,
        intersections: a
            .intersect
            .iter()
            .map(|s| s.split(',').map(|c| c.trim().to_string()).collect())
            .collect(),
        max_groups: a.max_groups,
    };
    let params = params.check()?;
    if !a.from_stats.is_empty() {
        return stats::audit(&a.from_stats, &spec, &params);
    }
    if spec.postgres.is_some() {
        return stats::audit_postgres(&spec, &params);
    }
    if spec.table.is_some() || spec.query.is_some() || spec.password_file.is_some() {
        anyhow::bail!("--table, --query and --password-file (and table, query and password-file in [data]) go with a PostgreSQL server: give --postgres URL (or postgres in [data])");
    }
    Ok(fairgate::audit::audit_file(
        spec.input_file()?,
        &spec,
        &params,
    )?)
}

fn generate(a: &GenerateArgs) -> anyhow::Result<ExitStatus> {
    let params = synth::SynthParams {
        rows: a.rows,
        seed: a.seed,
        with_truth: a.with_truth,
    }
    .check()?;
    write_output(Some(&a.out), |w| Ok(synth::generate(&params, w)?))?;
    Ok(ExitStatus::Ok)
}

fn inspect(a: &InspectArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec(&a.data)?;
    let options = ReadOptions {
        unlisted: if a.all_columns {
            Unlisted::AsFeatures
        } else {
            Unlisted::Ignore
        },
        ..ReadOptions::default()
    };
    let table = data::load(&spec, &options)?;
    let profile = Profile::of(&table);
    let format = output_format(a.format, a.out.as_deref()).map_err(anyhow::Error::msg)?;
    let text = match format {
        InspectFormat::Table => term(&profile.to_text_in(layout(a.out.as_deref(), false))),
        InspectFormat::Json => profile.to_json(),
    };
    write_output(a.out.as_deref(), |w| Ok(w.write_all(text.as_bytes())?))?;
    Ok(ExitStatus::Ok)
}

/// [`data_spec`] without the settings of the data flags the command does not use (see
/// [`args::without`]).
fn data_spec_for(a: &DataArgs, unused: args::Unused) -> anyhow::Result<DataSpec> {
    Ok(args::without(data_spec(a)?, unused))
}

/// The config file's `[data]` table (if `--config`) overridden by the flags.
fn data_spec(a: &DataArgs) -> anyhow::Result<DataSpec> {
    let base = match &a.config {
        Some(path) => DataSpec::from_config_file(path)?,
        None => DataSpec::default(),
    };
    Ok(base.overridden_by(a.flags_spec()))
}

/// How text written to `out` (standard output when `None` or `-`) is laid out: every column
/// and no width limit when `wide`, else fitted to [`text_width`].
fn layout(out: Option<&std::path::Path>, wide: bool) -> fairgate::doc::TextLayout {
    let to_stdout = out.is_none_or(|p| p == std::path::Path::new("-"));
    fairgate::doc::TextLayout {
        width: (!wide).then(|| text_width(to_stdout)),
        wide,
    }
}

/// The width text tables are fitted to: on standard output, `COLUMNS` when set to a number of
/// at least 40, else the terminal's when it is one; else (and in a file) 100, so that a file's
/// text depends on neither the terminal nor the environment.
fn text_width(to_stdout: bool) -> u16 {
    if !to_stdout {
        return 100;
    }
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w >= 40)
    {
        return w;
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        if let Some(w) = comfy_table::Table::new().width().filter(|w| *w >= 40) {
            return w;
        }
    }
    100
}

/// The flag of a library parameter (a field name such as `min_group_size`): `--` and the
/// name with dashes, except where the flag is named otherwise.
pub fn flag_of(param: &str) -> String {
    let flag = match param {
        "intersections" => "intersect",
        "binning" => "bins",
        "kind" => "model",
        "balanced" => "class-weight",
        other => return format!("--{}", other.replace('_', "-")),
    };
    format!("--{flag}")
}

/// A result in the format asked for: the one place `--format` is dispatched. Text for a
/// terminal has its control characters escaped.
/// `r` in the format `--format` and `--out` ask for.
fn rendered(r: &dyn fairgate::doc::Render, output: &OutputArgs) -> anyhow::Result<String> {
    rendered_wide(r, output, false)
}

/// [`rendered`], every column of the tables when `wide` (`audit --wide`).
fn rendered_wide(
    r: &dyn fairgate::doc::Render,
    output: &OutputArgs,
    wide: bool,
) -> anyhow::Result<String> {
    Ok(match output.format().map_err(anyhow::Error::msg)? {
        FormatArg::Table => term(&r.to_text_in(layout(output.out.as_deref(), wide))),
        FormatArg::Json => r.to_json(),
        FormatArg::Markdown => r.to_markdown(),
    })
}
