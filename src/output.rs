//! Writing output files without losing anything: an output never replaces an input, a write
//! goes through a uniquely named temporary file created exclusively in the target's folder
//! (no symbolic link is followed, no other file is touched) and is renamed into place only
//! when complete, and a replaced file keeps its permissions.
//!
//! - [`check`] refuses, before anything is read, an output that is an input (the same device
//!   and inode, so symbolic and hard links count) or that two outputs share.
//! - [`AtomicFile`] writes one output: a regular file (or nothing yet) is replaced atomically;
//!   a character device or FIFO the user named (`/dev/null`, `/dev/stdout`, a pipe) is
//!   written into, never replaced; a folder, socket or block device is refused.
//!
//! A reader of the target therefore sees either the previous complete file, or the new
//! complete file, whatever moment the process is killed at.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Errors of writing an output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// An output is an input, or would replace one.
    #[error("{output}: this output would replace the input {input}; write it somewhere else")]
    ReplacesInput {
        /// The output as the user named it.
        output: String,
        /// The input as the user named it.
        input: String,
    },
    /// Two outputs name the same file.
    #[error("{first} and {second} are the same file: each output needs a file of its own")]
    SameOutput {
        /// The first output.
        first: String,
        /// The second output.
        second: String,
    },
    /// The target exists and cannot be replaced or written into.
    #[error("{path}: cannot write here: it is {kind}, not a regular file")]
    NotAFile {
        /// The target.
        path: String,
        /// What it is ("a folder", "a socket", "a block device").
        kind: &'static str,
    },
    /// Another process holds the folder's lock.
    #[error("{path}: another fairgate run is writing into this folder; wait for it to end (its lock is {path}/{LOCK_FILE})")]
    Busy {
        /// The folder.
        path: String,
    },
    /// An I/O error, with the file asked for (never the temporary file).
    #[error("{path}: cannot write: {source}")]
    Io {
        /// The target.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A file's identity: the same for every name (link) of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId(meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<FileId> {
    None
}

/// The metadata of the file standard input reads (`cat x | fairgate --data -` has a pipe,
/// `fairgate --data - < x.csv` the file `x.csv`).
#[cfg(unix)]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    None
}

/// The identity of the file `path` names (following links; `-` is standard input), `None`
/// when there is none.
fn identity(path: &Path) -> Option<(FileId, PathBuf)> {
    let meta = if path.as_os_str() == "-" {
        stdin_metadata()?
    } else {
        std::fs::metadata(path).ok()?
    };
    match file_id(&meta) {
        Some(id) => Some((id, path.to_path_buf())),
        // Without inodes, the canonical path stands for the file.
        None => {
            let c = std::fs::canonicalize(path).ok()?;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&c, &mut h);
            Some((FileId(0, std::hash::Hasher::finish(&h)), path.to_path_buf()))
        }
    }
}

/// Whether a target is written into rather than replaced (a device or FIFO the user named).
fn is_stream(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        t.is_char_device() || t.is_fifo()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Checks, before anything is read, that no output is an input and that no two outputs are
/// the same file. Inputs that do not exist are skipped (reading them reports the error);
/// outputs that do not exist yet cannot be an input, but two of them may still share a name.
/// Character devices and FIFOs (`/dev/null`) are written into, not replaced, so they may be
/// named more than once.
pub fn check<I, O>(inputs: I, outputs: O) -> Result<(), OutputError>
where
    I: IntoIterator,
    I::Item: AsRef<Path>,
    O: IntoIterator,
    O::Item: AsRef<Path>,
{
    let inputs: Vec<(FileId, PathBuf)> = inputs
        .into_iter()
        .filter_map(|p| identity(p.as_ref()))
        .collect();
    let mut seen: Vec<(Option<FileId>, PathBuf, PathBuf)> = Vec::new();
    for out in outputs {
        let out = out.as_ref();
        if out.as_os_str() == "-" {
            continue;
        }
        if std::fs::metadata(out).is_ok_and(|m| is_stream(&m)) {
            continue;
        }
        let id = identity(out).map(|(id, _)| id);
        if let Some(id) = id {
            if let Some((_, input)) = inputs.iter().find(|(i, _)| *i == id) {
                return Err(OutputError::ReplacesInput {
                    output: out.display().to_string(),
                    input: if input.as_os_str() == "-" {
                        "read from standard input".into()
                    } else {
                        input.display().to_string()
                    },
                });
            }
        }
        let key = lexical(out);
        if let Some((_, first, _)) = seen
            .iter()
            .find(|(i, _, k)| (id.is_some() && *i == id) || *k == key)
        {
            return Err(OutputError::SameOutput {
                first: first.display().to_string(),
                second: out.display().to_string(),
            });
        }
        seen.push((id, out.to_path_buf(), key));
    }
    Ok(())
}

/// Checks that every one of `paths` (files inside a folder the user named) can be replaced:
/// nothing there yet, a regular file or a link (which is replaced, not followed). A folder,
/// device or named pipe in the way is refused before any work is done.
pub fn check_replaceable<P: AsRef<Path>>(paths: &[P]) -> Result<(), OutputError> {
    for p in paths {
        let p = p.as_ref();
        if let Ok(m) = std::fs::symlink_metadata(p) {
            if !m.is_file() && !m.file_type().is_symlink() {
                return Err(OutputError::NotAFile {
                    path: p.display().to_string(),
                    kind: kind_of(&m),
                });
            }
        }
    }
    Ok(())
}

/// Whether `a` and `b` name the same existing file (by device and inode, links followed).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (identity(a), identity(b)) {
        (Some((x, _)), Some((y, _))) => x == y,
        _ => false,
    }
}

/// `path` made absolute and without `.` or `a/..`, the links of its longest existing folder
/// resolved, so two spellings of one new file (even in folders not made yet) compare equal.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    // While the folders exist they are resolved (links included); past the first that does
    // not, `..` takes off the last name.
    let mut exists = true;
    for part in absolute.components() {
        match part {
            Component::CurDir => continue,
            Component::ParentDir if !exists => {
                out.pop();
                continue;
            }
            _ => out.push(part),
        }
        if exists {
            match std::fs::canonicalize(&out) {
                Ok(c) => out = c,
                Err(_) => exists = false,
            }
        }
    }
    out
}

/// An output file being written: through an exclusive temporary file renamed into place by
/// [`AtomicFile::commit`], or straight into a device or FIFO. Dropped without a commit, it
/// removes its temporary file and leaves the target as it was.
pub struct AtomicFile {
    /// The file asked for.
    path: PathBuf,
    /// Where the temporary file is renamed to.
    target: PathBuf,
    /// The temporary file; `None` when writing straight into a device or FIFO.
    tmp: Option<PathBuf>,
    w: BufWriter<File>,
}

/// Distinguishes the temporary files of one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The process's own standard output or error, when `path` names it (`/dev/stdout`,
/// `/dev/fd/1`, `/proc/self/fd/2`, ...): written through a duplicate of the descriptor, so a
/// redirection (`>> log.txt`) keeps its file, offset and append mode.
#[cfg(unix)]
fn standard_stream(path: &Path) -> Option<File> {
    use std::os::fd::AsFd;
    let fd = match path.to_str()? {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => 1,
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => 2,
        _ => return None,
    };
    let owned = if fd == 1 {
        std::io::stdout().as_fd().try_clone_to_owned()
    } else {
        std::io::stderr().as_fd().try_clone_to_owned()
    };
    owned.ok().map(File::from)
}

#[cfg(not(unix))]
fn standard_stream(_path: &Path) -> Option<File> {
    None
}

/// Whether `path` is the process's standard output or error (see [`AtomicFile::create`]).
pub fn is_standard_stream(path: &Path) -> bool {
    path.as_os_str() == "-"
        || matches!(
            path.to_str(),
            Some(
                "/dev/stdout"
                    | "/dev/fd/1"
                    | "/proc/self/fd/1"
                    | "/dev/stderr"
                    | "/dev/fd/2"
                    | "/proc/self/fd/2"
            )
        )
}

impl AtomicFile {
    /// Starts writing `path`, a file the user named, creating its folder if needed.
    ///
    /// - Nothing there yet, or a regular file: written through a temporary file and renamed
    ///   over it (a replaced file keeps its permissions).
    /// - The process's standard output or error (`/dev/stdout`): written through it.
    /// - A character device or FIFO (`/dev/null`, a named pipe), directly or through a link:
    ///   written into, never replaced (the user named it).
    /// - A symbolic link to anything else: refused. Replacing the link would surprise, and
    ///   following it lets a link planted in a shared folder redirect the write.
    /// - A folder, socket or block device: refused.
    pub fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        if let Some(file) = standard_stream(path) {
            return Ok(AtomicFile::direct(path, file));
        }
        let shown = || path.display().to_string();
        let own = std::fs::symlink_metadata(path).ok();
        let link = own.as_ref().is_some_and(|m| m.file_type().is_symlink());
        if std::fs::metadata(path).is_ok_and(|m| is_stream(&m)) {
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io_error(path))?;
            return Ok(AtomicFile::direct(path, file));
        }
        if link {
            return Err(OutputError::NotAFile {
                path: shown(),
                kind: "a symbolic link (name the file it points to)",
            });
        }
        AtomicFile::replacing(path, own)
    }

    /// Starts writing `path`, a file inside a folder the user named (a report's page, a staged
    /// artifact): only ever replaced, never written into or followed. A link there is replaced
    /// by the new file (its target is untouched); a device, FIFO, folder or socket is refused.
    pub fn create_in_folder(path: &Path) -> Result<AtomicFile, OutputError> {
        let own = std::fs::symlink_metadata(path).ok();
        if let Some(m) = &own {
            if !m.is_file() && !m.file_type().is_symlink() {
                return Err(OutputError::NotAFile {
                    path: path.display().to_string(),
                    kind: kind_of(m),
                });
            }
        }
        // A link's own metadata is not the file's: it is replaced with default permissions.
        let own = own.filter(std::fs::Metadata::is_file);
        AtomicFile::replacing(path, own)
    }

    fn direct(path: &Path, file: File) -> AtomicFile {
        AtomicFile {
            path: path.to_path_buf(),
            target: path.to_path_buf(),
            tmp: None,
            w: BufWriter::new(file),
        }
    }

    /// A temporary file beside `path`, renamed over it by [`AtomicFile::commit`]; `existing`
    /// is the regular file it replaces, whose permissions it keeps.
    fn replacing(
        path: &Path,
        existing: Option<std::fs::Metadata>,
    ) -> Result<AtomicFile, OutputError> {
        if let Some(m) = existing.as_ref().filter(|m| !m.is_file()) {
            return Err(OutputError::NotAFile {
                path: path.display().to_string(),
                kind: kind_of(m),
            });
        }
        let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(|e| OutputError::Io {
                    path: d.display().to_string(),
                    source: e,
                })?;
                d.to_path_buf()
            }
            None => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| OutputError::NotAFile {
                path: path.display().to_string(),
                kind: "a folder",
            })?;
        let (tmp, file) = create_temporary(&dir, &name).map_err(io_error(path))?;
        let mut out = AtomicFile {
            path: path.to_path_buf(),
            target: path.to_path_buf(),
            tmp: Some(tmp),
            w: BufWriter::new(file),
        };
        if let Some(m) = &existing {
            out.keep_owner_and_mode(m)?;
        }
        Ok(out)
    }

    /// Gives the temporary file the replaced file's permissions (and, where allowed, its
    /// owner), so replacing a private file does not make it readable by others.
    fn keep_owner_and_mode(&mut self, m: &std::fs::Metadata) -> Result<(), OutputError> {
        let file = self.w.get_ref();
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; for others this fails and the owner is theirs.
            let _ = std::os::unix::fs::fchown(file, Some(m.uid()), Some(m.gid()));
        }
        file.set_permissions(m.permissions())
            .map_err(io_error(&self.path))
    }

    /// The file asked for.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finishes the file: flushes and syncs it, then renames it over the target.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let path = self.path.clone();
        self.w.flush().map_err(io_error(&path))?;
        if let Some(tmp) = self.tmp.take() {
            let synced = self.w.get_ref().sync_all();
            let renamed = synced.and_then(|()| std::fs::rename(&tmp, &self.target));
            if let Err(e) = renamed {
                let _ = std::fs::remove_file(&tmp);
                return Err(io_error(&path)(e));
            }
        }
        Ok(())
    }
}

/// An I/O error that names the file asked for (a full disk while a library writes CSV rows
/// into the file would otherwise name no file).
fn named(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: cannot write: {e}", path.display()))
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf).map_err(|e| named(&self.path, e))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush().map_err(|e| named(&self.path, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not committed (an error came first): leave no temporary file behind.
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Creates a new file in `dir` with a name no other file has (`O_EXCL`: an existing file or
/// link of that name is never opened, so a planted link cannot redirect the write).
fn create_temporary(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = dir.join(format!(".{name}.{pid}.{n}.{nanos:x}.fairgate-tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

fn kind_of(m: &std::fs::Metadata) -> &'static str {
    if m.is_dir() {
        return "a folder";
    }
    if m.file_type().is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a named pipe";
        }
        if t.is_char_device() {
            return "a character device";
        }
    }
    "something else"
}

/// How the cells of a CSV output are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvCells {
    /// Cells a spreadsheet would evaluate as a formula are neutralised ([`guard_cell`]).
    #[default]
    Guarded,
    /// Cells as they are, for programs that read the file.
    Raw,
}

/// Whether a spreadsheet could take `cell` for a formula (OWASP's CSV injection rule): it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return, and is not a plain number
/// (`-0.25` and `+1e-3` are numbers, which a spreadsheet reads as numbers).
pub fn is_formula_like(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let numeric = cell.len() > 1
        && cell[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && cell.parse::<f64>().is_ok();
    !numeric
}

/// A CSV writer's error as the I/O error under it, so that a closed pipe stays a closed pipe
/// (`fairgate ... | head` is not an error) and a full disk names its cause.
pub fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// `cell` safe to open in a spreadsheet: a formula-like cell ([`is_formula_like`]) gets a
/// leading `'`, which spreadsheets read as "text follows" (and programs see as part of the
/// text: use [`CsvCells::Raw`] for them); every other cell is unchanged.
pub fn guard_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A CSV writer whose cells (header included) are written as [`CsvCells`] says.
pub struct CsvWriter<W: Write> {
    w: csv::Writer<W>,
    cells: CsvCells,
}

impl<W: Write> CsvWriter<W> {
    /// A writer into `out`.
    pub fn new(out: W, cells: CsvCells) -> CsvWriter<W> {
        CsvWriter {
            w: csv::Writer::from_writer(out),
            cells,
        }
    }

    /// Writes one record.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        for cell in record {
            let cell = cell.as_ref();
            match self.cells {
                CsvCells::Guarded => self.w.write_field(guard_cell(cell).as_bytes())?,
                CsvCells::Raw => self.w.write_field(cell)?,
            }
        }
        self.w.write_record(None::<&[u8]>)
    }

    /// Flushes the buffer into the underlying writer.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// Writes `bytes` to `path` through an [`AtomicFile`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut f = AtomicFile::create(path)?;
    f.w.write_all(bytes).map_err(io_error(path))?;
    f.commit()
}

/// Writes several files into a folder the user named, all or nothing: each is written in full
/// to its temporary file first, and only when every one is complete are they renamed into place
/// (a full disk or any other error leaves every target as it was). Each is replaced as
/// [`AtomicFile::create_in_folder`] says: never written into or followed.
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)]) -> Result<(), OutputError> {
    let mut pending = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut f = AtomicFile::create_in_folder(path)?;
        f.w.write_all(bytes)
            .and_then(|()| f.w.flush())
            .and_then(|()| {
                if f.tmp.is_some() {
                    f.w.get_ref().sync_all()
                } else {
                    Ok(())
                }
            })
            .map_err(io_error(path))?;
        pending.push(f);
    }
    for f in pending {
        f.commit()?;
    }
    Ok(())
}

/// The staging folder of this process's active [`Staging`] and the folder it stands for.
static STAGED: std::sync::Mutex<Option<(PathBuf, PathBuf)>> = std::sync::Mutex::new(None);

/// The name under which `path` is recorded in outputs and shown in messages: its own, except
/// that a file in an active [`Staging`] folder is named where it will be once the set is in
/// place (the evidence of a staged run names no staging folder).
pub fn shown(path: &Path) -> String {
    let staged = STAGED.lock().map(|g| g.clone()).unwrap_or(None);
    if let Some((dir, target)) = staged {
        if let Ok(rest) = path.strip_prefix(&dir) {
            return target.join(rest).display().to_string();
        }
    }
    path.display().to_string()
}

fn set_staged(value: Option<(PathBuf, PathBuf)>) {
    if let Ok(mut g) = STAGED.lock() {
        *g = value;
    }
}

/// The lock file of a folder that [`Staging`] writes into.
pub const LOCK_FILE: &str = ".fairgate.lock";
/// The record a run leaves in its folder until it has put its whole set of files in place.
pub const INCOMPLETE_FILE: &str = "RUN-INCOMPLETE.txt";
const STAGING_PREFIX: &str = ".fairgate-staging-";
/// The list of the files a committed set put in the folder (one relative path a line): what
/// the next set may remove when it does not write them again. Nothing else is ever removed.
pub const MANIFEST_FILE: &str = ".fairgate-manifest";

/// A set of outputs written together: into a fresh staging folder inside the target folder,
/// then moved into place by [`Staging::commit`], so that a failed or killed run leaves the
/// previous complete set. While it lasts, the target folder is locked (an advisory lock that
/// the system releases when the process ends, however it ends), so two runs cannot interleave,
/// and [`INCOMPLETE_FILE`] in the folder says a run has started and not finished.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    _lock: File,
    committed: bool,
}

impl Staging {
    /// Locks `target` (created if needed), removes the staging folders that killed runs left
    /// there, and creates a fresh staging folder.
    pub fn begin(target: &Path) -> Result<Staging, OutputError> {
        let shown = || target.display().to_string();
        std::fs::create_dir_all(target).map_err(io_error(target))?;
        let lock_path = target.join(LOCK_FILE);
        let lock = open_lock(&lock_path)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(OutputError::Busy { path: shown() })
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(&lock_path)(e)),
        }
        // Under the lock, any staging folder is a dead run's.
        for entry in std::fs::read_dir(target)
            .map_err(io_error(target))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(STAGING_PREFIX) && entry.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
            // The half-written record of a run killed while writing it (runs hold the lock,
            // so no other run is writing one now).
            if name.starts_with(&format!(".{INCOMPLETE_FILE}."))
                && name.ends_with(".fairgate-tmp")
                && entry.file_type().is_ok_and(|t| t.is_file())
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let started = crate::time::format_timestamp(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        );
        write_in_folder(
            &target.join(INCOMPLETE_FILE),
            format!(
                "A fairgate run (process {}) started writing into this folder at {started} and has not finished.\n\
                 Until it does, the other files here are those of the previous complete run, if any.\n\
                 If no run is going on, that run was interrupted.\n",
                std::process::id()
            )
            .as_bytes(),
        )?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = target.join(format!("{STAGING_PREFIX}{}-{nanos:x}", std::process::id()));
        std::fs::create_dir(&dir).map_err(io_error(&dir))?;
        // Staged files may be personal data: readable by the owner only until they are moved.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_error(&dir))?;
        }
        set_staged(Some((dir.clone(), target.to_path_buf())));
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            _lock: lock,
            committed: false,
        })
    }

    /// The staging folder: write the set here.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Moves every staged file to the same place in the target folder (each replaced file
    /// keeps its permissions; a link there is replaced, never followed), removes the files the
    /// previous committed set wrote (its [`MANIFEST_FILE`]) that this set does not write
    /// again, unless `keep` names them (the run's inputs), then the staging folder and the
    /// record of a run in progress, and returns the files moved, relative to the target. Every
    /// target is checked before the first is moved (a folder, pipe or device in the way, or a
    /// link in place of a folder on the way, is refused); if moving fails part-way, the record
    /// says so.
    pub fn commit(mut self, keep: &[PathBuf]) -> Result<Vec<PathBuf>, OutputError> {
        let mut files = Vec::new();
        staged_files(&self.dir, Path::new(""), &mut files).map_err(io_error(&self.dir))?;
        files.sort();
        for rel in &files {
            if let Err(e) = self.check_target(rel) {
                self.fail(&e.to_string())?;
                return Err(e);
            }
        }
        let previous: Vec<PathBuf> = std::fs::read_to_string(self.target.join(MANIFEST_FILE))
            .map(|text| {
                text.lines()
                    .map(PathBuf::from)
                    // Only plain relative names inside the folder, whatever the file says.
                    .filter(|p| {
                        p.components()
                            .all(|c| matches!(c, std::path::Component::Normal(_)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let stale: Vec<PathBuf> = previous
            .into_iter()
            .filter(|p| !files.contains(p) && !keep.contains(p))
            .collect();
        let moved = self.move_all(&files, &stale);
        if let Err(e) = moved {
            let _ = write_in_folder(
                &self.target.join(INCOMPLETE_FILE),
                format!(
                    "The last fairgate run into this folder failed while putting its files in place:\n{e}\n\
                     The files here are a mix of that run's and the previous run's: run it again.\n"
                )
                .as_bytes(),
            );
            return Err(e);
        }
        let manifest: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
        write_in_folder(&self.target.join(MANIFEST_FILE), manifest.as_bytes())?;
        let _ = std::fs::remove_dir_all(&self.dir);
        self.committed = true;
        match std::fs::remove_file(self.target.join(INCOMPLETE_FILE)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error(&self.target.join(INCOMPLETE_FILE))(e))
            }
            _ => {}
        }
        Ok(files)
    }

    /// Checks that `rel` can be put in place: every folder on the way is a real folder (not a
    /// link, which would carry the file elsewhere) or absent, and the target itself absent, a
    /// regular file or a link (replaced).
    fn check_target(&self, rel: &Path) -> Result<(), OutputError> {
        let mut at = self.target.clone();
        let parts: Vec<_> = rel.components().collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let Ok(m) = std::fs::symlink_metadata(&at) else {
                return Ok(());
            };
            let last = i + 1 == parts.len();
            let ok = if last {
                m.is_file() || m.file_type().is_symlink()
            } else {
                m.is_dir()
            };
            if !ok {
                return Err(OutputError::NotAFile {
                    path: at.display().to_string(),
                    kind: kind_of(&m),
                });
            }
        }
        Ok(())
    }

    fn move_all(&self, files: &[PathBuf], stale: &[PathBuf]) -> Result<(), OutputError> {
        for rel in files {
            let from = self.dir.join(rel);
            let to = self.target.join(rel);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(parent))?;
            }
            if let Some(m) = std::fs::symlink_metadata(&to)
                .ok()
                .filter(std::fs::Metadata::is_file)
            {
                let _ = std::fs::set_permissions(&from, m.permissions());
            }
            std::fs::rename(&from, &to).map_err(io_error(&to))?;
        }
        for rel in stale {
            let old = self.target.join(rel);
            if std::fs::symlink_metadata(&old)
                .is_ok_and(|m| m.is_file() || m.file_type().is_symlink())
            {
                std::fs::remove_file(&old).map_err(io_error(&old))?;
            }
        }
        Ok(())
    }

    /// Abandons the set: removes the staging folder and records in the target folder that the
    /// run failed, with `why`, leaving the previous set in place.
    pub fn fail(&mut self, why: &str) -> Result<(), OutputError> {
        let _ = std::fs::remove_dir_all(&self.dir);
        self.committed = true;
        write_in_folder(
            &self.target.join(INCOMPLETE_FILE),
            format!(
                "The last fairgate run into this folder failed and wrote nothing here:\n{why}\n\
                 The other files here are those of the previous complete run, if any.\n"
            )
            .as_bytes(),
        )
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        set_staged(None);
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Opens (creating it if needed) the lock file of a folder: never through a link, and only a
/// regular file (a FIFO planted there would block the open).
fn open_lock(path: &Path) -> Result<File, OutputError> {
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let m = std::fs::symlink_metadata(path).map_err(io_error(path))?;
            if !m.is_file() {
                return Err(OutputError::NotAFile {
                    path: path.display().to_string(),
                    kind: kind_of(&m),
                });
            }
            OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io_error(path))
        }
        Err(e) => Err(io_error(path)(e)),
    }
}

/// Writes `bytes` to `path` inside a folder ([`AtomicFile::create_in_folder`]).
fn write_in_folder(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut f = AtomicFile::create_in_folder(path)?;
    f.w.write_all(bytes).map_err(io_error(path))?;
    f.commit()
}

/// The regular files under `dir/rel`, as paths relative to `dir`.
fn staged_files(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let path = rel.join(entry.file_name());
        let t = entry.file_type()?;
        if t.is_dir() {
            staged_files(dir, &path, out)?;
        } else if t.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> PathBuf {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("fairgate-output-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_output_that_is_an_input_by_any_name_is_refused() {
        let d = dir();
        let input = d.join("in.csv");
        std::fs::write(&input, "a\n1\n").unwrap();
        let hard = d.join("hard.csv");
        std::fs::hard_link(&input, &hard).unwrap();
        let soft = d.join("soft.csv");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&input, &soft).unwrap();
        let dotted = d.join(".").join("in.csv");
        for out in [&input, &hard, &soft, &dotted] {
            let e = check([&input], [out]).unwrap_err();
            assert!(
                matches!(e, OutputError::ReplacesInput { .. }),
                "{out:?}: {e}"
            );
        }
        assert!(check([&input], [d.join("other.csv")]).is_ok());
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn spellings_of_a_file_in_folders_not_made_yet_are_one_file() {
        let d = dir();
        let a = d.join("new").join("x.csv");
        let b = d.join("new").join("sub").join("..").join(".").join("x.csv");
        assert_eq!(lexical(&a), lexical(&b));
        assert!(matches!(
            check(Vec::<PathBuf>::new(), [&a, &b]),
            Err(OutputError::SameOutput { .. })
        ));
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn two_outputs_with_one_name_are_refused_even_before_they_exist() {
        let d = dir();
        let a = d.join("out.csv");
        let b = d.join("sub").join("..").join("out.csv");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        let e = check(Vec::<PathBuf>::new(), [&a, &b]).unwrap_err();
        assert!(matches!(e, OutputError::SameOutput { .. }), "{e}");
        assert!(check(Vec::<PathBuf>::new(), [&a, &d.join("out.tsv")]).is_ok());
        std::fs::remove_dir_all(d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_link_at_any_temporary_name_is_never_followed() {
        let d = dir();
        let victim = d.join("victim");
        std::fs::write(&victim, "keep").unwrap();
        // Links at the old fixed names and at this process's next few names.
        for name in ["a.tmp", "a.json.tmp"] {
            std::os::unix::fs::symlink(&victim, d.join(name)).unwrap();
        }
        write_atomic(&d.join("a.json"), b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(d.join("a.json")).unwrap(), "{}");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir();
        let p = d.join("scored.csv");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&p, b"new").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn an_uncommitted_file_leaves_the_target_and_no_temporary() {
        let d = dir();
        let p = d.join("a.json");
        std::fs::write(&p, "old").unwrap();
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_staged_set_replaces_the_old_one_only_when_committed() {
        let d = dir();
        std::fs::write(d.join("a.json"), "old").unwrap();
        let s = Staging::begin(&d).unwrap();
        assert!(matches!(Staging::begin(&d), Err(OutputError::Busy { .. })));
        assert!(d.join(INCOMPLETE_FILE).exists());
        std::fs::create_dir_all(s.path().join("report")).unwrap();
        std::fs::write(s.path().join("a.json"), "new").unwrap();
        std::fs::write(s.path().join("report").join("r.md"), "r").unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.json")).unwrap(), "old");
        let moved = s.commit(&[]).unwrap();
        assert_eq!(
            moved,
            [PathBuf::from("a.json"), Path::new("report").join("r.md")]
        );
        assert_eq!(std::fs::read_to_string(d.join("a.json")).unwrap(), "new");
        assert!(!d.join(INCOMPLETE_FILE).exists());
        // A failed set leaves the committed one and a record.
        let mut s = Staging::begin(&d).unwrap();
        std::fs::write(s.path().join("a.json"), "newer").unwrap();
        s.fail("step audit failed").unwrap();
        assert_eq!(std::fs::read_to_string(d.join("a.json")).unwrap(), "new");
        let record = std::fs::read_to_string(d.join(INCOMPLETE_FILE)).unwrap();
        assert!(record.contains("step audit failed"), "{record}");
        let left: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(STAGING_PREFIX))
            .collect();
        assert!(left.is_empty(), "{left:?}");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn formula_cells_are_guarded_and_numbers_are_not() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+0.53 email_clicks",
            "-cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
            "+",
            "-inf",
            "+NaN",
            "-1-1",
        ] {
            assert!(is_formula_like(cell), "{cell:?}");
            assert_eq!(guard_cell(cell), format!("'{cell}"));
        }
        for cell in [
            "", "0.5", "-0.25", "+1e-3", "-.5", "1e5", "a=b", "R&D", "L0001", "'=x",
        ] {
            assert!(!is_formula_like(cell), "{cell:?}");
            assert_eq!(guard_cell(cell), cell);
        }
        let mut out = Vec::new();
        let mut w = CsvWriter::new(&mut out, CsvCells::Guarded);
        w.write_record(["=a", "-0.5", "x,y"]).unwrap();
        w.flush().unwrap();
        drop(w);
        assert_eq!(String::from_utf8(out).unwrap(), "'=a,-0.5,\"x,y\"\n");
    }

    #[test]
    fn a_set_written_all_or_nothing_leaves_every_old_file_when_one_fails() {
        let d = dir();
        std::fs::write(d.join("a.md"), "old a").unwrap();
        std::fs::create_dir_all(d.join("b.md")).unwrap();
        let set = vec![
            (d.join("a.md"), b"new a".to_vec()),
            (d.join("b.md"), b"new b".to_vec()),
        ];
        assert!(write_all_atomic(&set).is_err());
        assert_eq!(std::fs::read_to_string(d.join("a.md")).unwrap(), "old a");
        std::fs::remove_dir(d.join("b.md")).unwrap();
        write_all_atomic(&set).unwrap();
        assert_eq!(std::fs::read_to_string(d.join("b.md")).unwrap(), "new b");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 2);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_device_names_the_file_asked_for() {
        let mut f = AtomicFile::create(Path::new("/dev/full")).unwrap();
        let e = f
            .write_all(&[b'x'; 1 << 16])
            .and_then(|()| f.flush())
            .unwrap_err();
        assert!(e.to_string().starts_with("/dev/full: cannot write"), "{e}");
    }

    #[test]
    fn a_folder_is_not_replaced() {
        let d = dir();
        let e = AtomicFile::create(&d).map(|_| ()).unwrap_err();
        assert!(
            matches!(
                e,
                OutputError::NotAFile {
                    kind: "a folder",
                    ..
                }
            ),
            "{e}"
        );
        std::fs::remove_dir_all(d).unwrap();
    }
}
