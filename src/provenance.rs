//! Named references to what a result was made from: a file by path and SHA-256, a policy, a
//! model. They replace the positional pairs of schema version 1 (`"input": ["x.csv", "ab…"]`)
//! with named fields (`"input": {"path": "x.csv", "sha256": "ab…"}`); reading accepts both, so
//! files written by earlier versions still load.

use serde::{Deserialize, Serialize};

/// A file by the name it was given and the SHA-256 of its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "FileRefRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct FileRef {
    /// The file as named (or a description, for an audit made in the same process).
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex (empty when not known).
    pub sha256: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FileRefRepr {
    Named { path: String, sha256: String },
    Pair(String, String),
}

impl From<FileRefRepr> for FileRef {
    fn from(r: FileRefRepr) -> Self {
        match r {
            FileRefRepr::Named { path, sha256 } | FileRefRepr::Pair(path, sha256) => {
                FileRef { path, sha256 }
            }
        }
    }
}

impl FileRef {
    /// A file reference.
    pub fn new(path: impl Into<String>, sha256: impl Into<String>) -> Self {
        FileRef {
            path: path.into(),
            sha256: sha256.into(),
        }
    }
}

/// A policy by its name, file and SHA-256.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "PolicyRefRepr")]
// The schema is of what is written; the older forms read back are not part of it.
#[schemars(!from)]
pub struct PolicyRef {
    /// The policy's `name`.
    pub name: String,
    /// The policy file as named.
    pub path: String,
    /// SHA-256 of the policy file.
    pub sha256: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PolicyRefRepr {
    Named {
        name: String,
        path: String,
        sha256: String,
    },
    Triple(String, String, String),
}

impl From<PolicyRefRepr> for PolicyRef {
    fn from(r: PolicyRefRepr) -> Self {
        match r {
            PolicyRefRepr::Named { name, path, sha256 }
            | PolicyRefRepr::Triple(name, path, sha256) => PolicyRef { name, path, sha256 },
        }
    }
}

/// A digest as a report shows it: the hex, or, for data handed over in memory (recorded
/// without one), [`NO_DIGEST`].
pub fn shown_digest(sha256: &str) -> &str {
    if sha256.is_empty() {
        NO_DIGEST
    } else {
        sha256
    }
}

/// How a report shows an input recorded without a digest.
pub const NO_DIGEST: &str = "none: data handed over in memory, not a file";

#[cfg(test)]
mod tests {
    use super::{FileRef, PolicyRef};

    #[test]
    fn version_1_pairs_and_named_fields_read_alike() -> serde_json::Result<()> {
        let old: FileRef = serde_json::from_str(r#"["a.csv", "ff"]"#)?;
        let new: FileRef = serde_json::from_str(r#"{"path": "a.csv", "sha256": "ff"}"#)?;
        assert_eq!(old, new);
        assert_eq!(
            serde_json::to_string(&new)?,
            r#"{"path":"a.csv","sha256":"ff"}"#
        );
        let old: PolicyRef = serde_json::from_str(r#"["p", "p.toml", "ee"]"#)?;
        assert_eq!(old.path, "p.toml");
        assert!(serde_json::from_str::<FileRef>(r#"["a.csv"]"#).is_err());
        assert!(serde_json::from_str::<FileRef>(r#"{"path": "a.csv"}"#).is_err());
        Ok(())
    }
}
