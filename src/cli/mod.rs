//! The command layer: one small function per subcommand, each turning flags into library
//! calls and writing the result. Binary-only; the library has no clap and no anyhow.

mod args;
mod exit;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use fairgate::audit::{AuditParams, AuditReport, Binning};
use fairgate::data::{self, synth, DataSpec, Profile, ReadOptions, TableReader, Unlisted};

pub use args::Args;
use args::{AuditArgs, Command, DataArgs, DatasetsCommand, FormatArg, GenerateArgs, InspectArgs};
pub use exit::ExitStatus;

/// Runs the parsed command.
pub fn run(args: Args) -> anyhow::Result<ExitStatus> {
    match args.command {
        Command::Datasets(DatasetsCommand::Generate(a)) => generate(&a),
        Command::Inspect(a) => inspect(&a),
        Command::Audit(a) => audit(&a),
    }
}

fn audit(a: &AuditArgs) -> anyhow::Result<ExitStatus> {
    let spec = data_spec(&a.data)?;
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
    };
    params.check()?;
    let path = spec
        .path
        .clone()
        .context("no input file: pass --data FILE or set path in the [data] table of --config")?;
    let reader = TableReader::from_path(&path, &spec, &ReadOptions::default())?;
    let (attributes, summary) = fairgate::audit::audit_stream(reader, &params)?;
    let report = AuditReport::new(&summary, &params, attributes);
    let text = match a.output.format {
        FormatArg::Table => report.to_text(),
        FormatArg::Json => report.to_json(),
        FormatArg::Markdown => report.to_markdown(),
    };
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(ExitStatus::Ok)
}

fn generate(a: &GenerateArgs) -> anyhow::Result<ExitStatus> {
    let params = synth::SynthParams {
        rows: a.rows,
        seed: a.seed,
        with_truth: a.with_truth,
    };
    params.check()?;
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
    let text = match a.output.format {
        FormatArg::Table => profile.to_text(),
        FormatArg::Json => profile.to_json(),
        FormatArg::Markdown => {
            anyhow::bail!("inspect: --format markdown is not available; use table or json")
        }
    };
    write_output(a.output.out.as_deref(), |w| {
        Ok(w.write_all(text.as_bytes())?)
    })?;
    Ok(ExitStatus::Ok)
}

/// The config file's `[data]` table (if `--config`) overridden by the flags.
fn data_spec(a: &DataArgs) -> anyhow::Result<DataSpec> {
    let base = match &a.config {
        Some(path) => DataSpec::from_config_file(path)?,
        None => DataSpec::default(),
    };
    Ok(base.overridden_by(a.flags_spec()))
}

/// Writes to `path` (through a temporary file renamed into place, so a failure leaves no
/// half-written output), or to standard output when `path` is `None` or `-`.
fn write_output(
    path: Option<&Path>,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            let tmp = p.with_extension(format!(
                "{}.tmp",
                p.extension().and_then(|e| e.to_str()).unwrap_or("")
            ));
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("{}: cannot create", tmp.display()))?;
            let mut w = std::io::BufWriter::new(file);
            let result = body(&mut w).and_then(|()| Ok(w.flush()?));
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.context(format!("{}: cannot write", p.display())));
            }
            std::fs::rename(&tmp, p).with_context(|| format!("{}: cannot write", p.display()))?;
            Ok(())
        }
        _ => {
            let stdout = std::io::stdout();
            let mut w = stdout.lock();
            body(&mut w)?;
            w.flush()?;
            Ok(())
        }
    }
}
