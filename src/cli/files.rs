//! Each command's input and output files, checked before anything is read (no output may
//! replace an input), and the one way outputs are written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use fairgate::output::AtomicFile;

use super::args::{
    output_format, Command, DataArgs, DatasetsCommand, MitigateArgs, MitigateCommand, OutputArgs,
};

/// The files a command reads and the files it writes.
#[derive(Default)]
pub struct Files {
    /// Read.
    pub inputs: Vec<PathBuf>,
    /// Written (standard output not included).
    pub outputs: Vec<PathBuf>,
}

impl Files {
    fn input(&mut self, p: Option<&Path>) {
        self.inputs.extend(p.map(Path::to_path_buf));
    }
    fn output(&mut self, p: Option<&Path>) {
        self.outputs
            .extend(p.filter(|p| p.as_os_str() != "-").map(Path::to_path_buf));
    }
    /// A result's `--out`, once its `--format` is checked against the file's extension.
    fn result(&mut self, o: &OutputArgs) -> anyhow::Result<()> {
        o.format().map_err(anyhow::Error::msg)?;
        self.output(o.out.as_deref());
        Ok(())
    }
    fn data(&mut self, d: &DataArgs) -> anyhow::Result<()> {
        self.input(d.config.as_deref());
        match (&d.data, &d.config) {
            (Some(p), _) => self.input(Some(p)),
            // The data file the config names.
            (None, Some(_)) => {
                let spec = super::data_spec(d)?;
                self.input(spec.path.as_deref());
                self.input(spec.password_file.as_deref());
            }
            (None, None) => {}
        }
        Ok(())
    }
}

/// The files of `command`; `run` plans its own (see `pipeline`).
pub fn of(command: &Command) -> anyhow::Result<Files> {
    let mut f = Files::default();
    match command {
        Command::Datasets(DatasetsCommand::Generate(a)) => f.output(Some(&a.out)),
        Command::Inspect(a) => {
            f.data(&a.data)?;
            output_format(a.format, a.out.as_deref()).map_err(anyhow::Error::msg)?;
            f.output(a.out.as_deref());
        }
        Command::Audit(a) => {
            f.data(&a.data)?;
            for p in &a.from_stats {
                f.input(Some(p));
            }
            f.input(a.password_file.as_deref());
            f.result(&a.output)?;
        }
        Command::Sql(a) => {
            f.input(a.data.config.as_deref());
            f.output(a.out.as_deref());
        }
        Command::Stats(a) => {
            f.data(&a.data)?;
            f.output(a.out.as_deref());
        }
        Command::Mitigate(MitigateArgs {
            command: Some(MitigateCommand::Reweigh(a)),
            ..
        }) => {
            f.data(&a.data)?;
            f.output(a.weights.as_deref());
            f.result(&a.output)?;
        }
        Command::Mitigate(MitigateArgs {
            command: Some(MitigateCommand::Threshold(a)),
            ..
        }) => {
            f.data(&a.data)?;
            f.input(a.policy.as_deref());
            f.output(a.curve.as_deref());
            f.result(&a.output)?;
        }
        Command::Mitigate(MitigateArgs {
            command: Some(MitigateCommand::GroupThresholds(a)),
            ..
        }) => {
            f.data(&a.data)?;
            f.output(a.decisions.as_deref());
            f.result(&a.output)?;
        }
        Command::Mitigate(MitigateArgs {
            command: None,
            search,
        }) => {
            if let Some(config) = &search.config {
                f.input(Some(config));
                let c = fairgate::pipeline::SearchConfig::from_path(config)?;
                f.input(c.spec.path.as_deref());
                f.input(search.policy.as_deref().or(c.policy.as_deref()));
            }
            f.result(&search.output)?;
        }
        Command::Train(a) => {
            f.data(&a.data)?;
            f.input(a.rules.as_deref());
            f.output(Some(&a.out));
            f.output(a.scored.as_deref());
        }
        Command::Score(a) => {
            f.input(Some(&a.model));
            f.input(Some(&a.data));
            f.output(Some(&a.out));
            f.output(a.summary.as_deref());
        }
        Command::Explain(a) => {
            f.input(Some(&a.model));
            f.input(Some(&a.data));
            f.input(a.config.as_deref());
            f.output(a.reasons.as_deref());
            f.output(a.contributions.as_deref());
            f.result(&a.output)?;
        }
        Command::Subject(a) => {
            f.input(Some(&a.model));
            f.input(Some(&a.data));
            output_format(a.format, a.out.as_deref()).map_err(anyhow::Error::msg)?;
            f.output(a.out.as_deref());
        }
        Command::Report(a) => {
            for p in [
                a.audit.as_ref(),
                a.explain.as_ref(),
                a.model.as_ref(),
                a.context.as_ref(),
                a.gate.as_ref(),
                a.previous.as_ref(),
                a.mitigation.as_ref(),
            ] {
                f.input(p.map(PathBuf::as_path));
            }
            if let Some(out) = &a.out {
                for name in fairgate::report::OUTPUT_FILES {
                    f.output(Some(&out.join(name)));
                }
            }
        }
        Command::Gate(a) => {
            f.input(Some(&a.policy));
            f.input(a.audit.as_deref());
            f.input(a.context.as_deref());
            f.input(a.model.as_deref());
            f.input(a.explain.as_deref());
            f.data(&a.run.data)?;
            for p in [&a.junit, &a.json, &a.markdown] {
                f.output(p.as_deref());
            }
            f.result(&a.run.output)?;
        }
        Command::Compare(a) => {
            for p in &a.audits {
                f.input(Some(p));
            }
            f.input(a.policy.as_deref());
            f.output(a.html.as_deref());
            f.result(&a.output)?;
        }
        Command::Man(a) => f.output(a.out.as_deref()),
        Command::Schema(a) => f.output(a.out.as_deref()),
        Command::Run(_) | Command::Completions(_) => {}
    }
    Ok(f)
}

/// Refuses (before anything is read) an output that is an input or shared by two outputs.
pub fn check(files: &Files) -> anyhow::Result<()> {
    Ok(fairgate::output::check(&files.inputs, &files.outputs)?)
}

/// An output file written through an exclusive temporary file and renamed into place by
/// [`OutFile::commit`]; dropped without a commit, it leaves the target as it was.
pub struct OutFile(AtomicFile);

impl OutFile {
    /// Starts writing `path`.
    pub fn create(path: &Path) -> anyhow::Result<OutFile> {
        Ok(OutFile(AtomicFile::create(path)?))
    }

    /// Renames the finished file into place.
    pub fn commit(self) -> anyhow::Result<()> {
        Ok(self.0.commit()?)
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A writer that remembers whether a write to it failed.
struct Tracked<'a> {
    inner: &'a mut OutFile,
    failed: bool,
}

impl Write for Tracked<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.failed |= r.is_err();
        r
    }
}

/// Writes to `path` (creating its folder; through a temporary file renamed into place, so a
/// failure leaves no half-written output), or to standard output when `path` is `None` or `-`.
pub fn write_output(
    path: Option<&Path>,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            let mut file = OutFile::create(p)?;
            // Only a failure to write is this file's; an input error met while producing the
            // output (a bad value in the data being scored) says where it is itself.
            let mut tracked = Tracked {
                inner: &mut file,
                failed: false,
            };
            match body(&mut tracked) {
                Err(e) if tracked.failed => {
                    return Err(e.context(format!("{}: cannot write", p.display())))
                }
                Err(e) => return Err(e),
                Ok(()) => {}
            }
            file.flush()
                .with_context(|| format!("{}: cannot write", p.display()))?;
            file.commit()
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
