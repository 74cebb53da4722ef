//! The one error type for a file that cannot be read, is not what it should be, or cannot be
//! written: every module's error wraps it (`PolicyError::File`, `ReportError::File`, ...), so
//! a file problem is reported the same way wherever it happens.

/// A file fairgate could not use.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file cannot be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file, as the user named it.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is not what it should be: `path:line:column: message`, the
    /// line and column when known.
    #[error("{path}{}{}: {message}",
        line.map_or(String::new(), |l| format!(":{l}")),
        column.map_or(String::new(), |c| format!(":{c}")))]
    Invalid {
        /// The file, as the user named it.
        path: String,
        /// The 1-based line the problem is on, when it has one.
        line: Option<usize>,
        /// The 1-based column (in characters) on that line, when known.
        column: Option<usize>,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The file (or its folder) cannot be written.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file, as the user named it.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl FileError {
    /// A file that cannot be read.
    pub fn read(path: impl Into<String>, source: std::io::Error) -> Self {
        FileError::Read {
            path: path.into(),
            source,
        }
    }

    /// A file that is not what it should be, at a line when one is known.
    pub fn invalid(
        path: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        FileError::Invalid {
            path: path.into(),
            line,
            column: None,
            message: message.into(),
        }
    }

    /// A file that is not what it should be, at a line and column.
    pub fn invalid_at(
        path: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        FileError::Invalid {
            path: path.into(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }

    /// A TOML file that does not parse into what it should be, at the line and column of
    /// the parser's span (`text` is the file's text).
    pub fn toml(path: impl Into<String>, text: &str, e: &toml::de::Error) -> Self {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = before[start..].chars().count() + 1;
                FileError::invalid_at(path, line, column, message)
            }
            None => FileError::invalid(path, None, message),
        }
    }

    /// A file that cannot be written.
    pub fn write(path: impl Into<String>, source: std::io::Error) -> Self {
        FileError::Write {
            path: path.into(),
            source,
        }
    }

    /// The file the error names.
    pub fn path(&self) -> &str {
        match self {
            FileError::Read { path, .. }
            | FileError::Invalid { path, .. }
            | FileError::Write { path, .. } => path,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FileError;

    #[test]
    fn messages_name_the_file_and_the_line_when_known() {
        let e = FileError::invalid("p.toml", Some(3), "unknown key \"x\"");
        assert_eq!(e.to_string(), "p.toml:3: unknown key \"x\"");
        let e = FileError::invalid_at("p.toml", 3, 7, "expected a string");
        assert_eq!(e.to_string(), "p.toml:3:7: expected a string");
        let e = FileError::invalid("a.json", None, "not an audit");
        assert_eq!(e.to_string(), "a.json: not an audit");
        let io = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = FileError::read("m.json", io);
        assert!(e.to_string().starts_with("m.json: cannot read: "), "{e}");
        assert_eq!(e.path(), "m.json");
        let text = "a = 1\nb = [1,\n  é = 2\n";
        let Err(err) = toml::from_str::<toml::Table>(text) else {
            panic!("not an error")
        };
        // The span starts at `=`, the fifth character (sixth byte) of line 3.
        let e = FileError::toml("t.toml", text, &err);
        assert!(
            matches!(
                e,
                FileError::Invalid {
                    line: Some(3),
                    column: Some(5),
                    ..
                }
            ),
            "{e}"
        );
    }
}
