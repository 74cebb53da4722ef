//! `fairgate report --verify DIR`: re-hashes every file a report folder's `evidence.json`
//! lists (its outputs, in the folder; its inputs, at their recorded paths) and says which
//! match, which changed and which are missing. An input recorded without a digest (data
//! audited in memory) is listed as such: nothing can be checked, and it is not a failure.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ReportError;
use crate::file_error::FileError;

/// What verification found for one listed file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Its SHA-256 (and size, when recorded) are those recorded.
    Match,
    /// Its bytes differ from those recorded.
    Changed,
    /// It is not where it was recorded.
    Missing,
    /// A built-in policy of another fairgate version: nothing to read.
    BuiltIn,
    /// An input recorded without a digest (data handed over in memory, from Python): there
    /// is no file to check.
    NoDigest,
}

/// One listed file, verified.
#[derive(Clone, Debug, Serialize)]
pub struct Verified {
    /// `input` or `output`.
    pub kind: &'static str,
    /// Its role in the manifest.
    pub role: String,
    /// Where it was looked for.
    pub path: String,
    /// The recorded SHA-256.
    pub recorded: String,
    /// The SHA-256 found, when the file was read.
    pub found: Option<String>,
    /// The outcome.
    pub verdict: Verdict,
}

#[derive(Deserialize)]
struct Listed {
    role: String,
    path: String,
    sha256: String,
}

#[derive(Deserialize)]
struct Manifest {
    inputs: Vec<Listed>,
    outputs: Vec<Listed>,
}

/// Verifies the report folder `dir`: every output of its `evidence.json` in `dir`, every
/// input at its recorded path (relative paths from the current folder, as the report was
/// made). A built-in policy is checked against this binary's copy.
pub fn verify(dir: &Path) -> Result<Vec<Verified>, ReportError> {
    let path = dir.join("evidence.json");
    let shown = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| FileError::read(shown.clone(), e))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        FileError::invalid_at(
            shown.clone(),
            e.line(),
            e.column(),
            format!("not a fairgate evidence.json (with inputs and outputs): {e}"),
        )
    })?;
    let mut out = Vec::new();
    for (kind, listed) in [("input", &manifest.inputs), ("output", &manifest.outputs)] {
        for f in listed {
            if kind == "input" && f.path.starts_with("built-in:") {
                // A policy built into a fairgate binary: checked against this binary's copy
                // when it has one; one it lacks (a newer version's) is reported as built in.
                let found = crate::policy::Policy::built_in(&f.path).map(|p| p.sha256);
                out.push(Verified {
                    kind,
                    role: f.role.clone(),
                    path: f.path.clone(),
                    recorded: f.sha256.clone(),
                    verdict: if found.as_deref() == Some(f.sha256.as_str()) {
                        Verdict::Match
                    } else {
                        Verdict::BuiltIn
                    },
                    found,
                });
                continue;
            }
            if kind == "input" && f.sha256.is_empty() {
                out.push(Verified {
                    kind,
                    role: f.role.clone(),
                    path: f.path.clone(),
                    recorded: String::new(),
                    found: None,
                    verdict: Verdict::NoDigest,
                });
                continue;
            }
            let at: PathBuf = if kind == "output" {
                dir.join(&f.path)
            } else {
                PathBuf::from(&f.path)
            };
            let found = hash_file(&at);
            out.push(Verified {
                kind,
                role: f.role.clone(),
                path: at.display().to_string(),
                recorded: f.sha256.clone(),
                verdict: match &found {
                    None => Verdict::Missing,
                    Some(h) if *h == f.sha256 => Verdict::Match,
                    Some(_) => Verdict::Changed,
                },
                found,
            });
        }
    }
    Ok(out)
}

/// A file's SHA-256, streamed; `None` when it cannot be read.
fn hash_file(path: &Path) -> Option<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    if !f.metadata().ok()?.is_file() {
        return None;
    }
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
