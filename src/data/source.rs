//! Opening an input: the bytes are hashed (SHA-256) as they are read, the first block is
//! sniffed for a byte-order mark and a delimiter, and the header row is read. What remains is
//! a [`Splitter`] positioned at the first data record.
//!
//! Nothing here knows about columns or roles; see [`super::reader`].

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use csv::ByteRecord;
use sha2::{Digest, Sha256};

use super::error::DataError;
use super::sniff;
use super::split::{block_reader, Splitter};

/// The SHA-256 (hex) and byte count of an input, filled in when it has been read to the end.
pub(crate) type DigestSlot = Arc<Mutex<Option<(String, u64)>>>;

/// A reader that hashes every byte that passes through it and, at end of input, leaves the
/// hex digest and the byte count in a shared slot.
struct HashingReader<R> {
    inner: R,
    hasher: Option<Sha256>,
    bytes: u64,
    slot: DigestSlot,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            if n == 0 && !buf.is_empty() {
                let digest = h.clone().finalize();
                let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
                self.hasher = None;
                if let Ok(mut slot) = self.slot.lock() {
                    *slot = Some((hex, self.bytes));
                }
            } else {
                h.update(&buf[..n]);
                self.bytes += n as u64;
            }
        }
        Ok(n)
    }
}

/// An opened input.
pub(crate) struct Source {
    /// The header fields, as raw bytes.
    pub header: ByteRecord,
    /// The data records, from the line after the header.
    pub splitter: Splitter,
    /// The delimiter in use.
    pub delimiter: u8,
    /// Whether it was detected.
    pub delimiter_detected: bool,
    /// Whether a byte-order mark was skipped.
    pub bom: bool,
    /// Where the digest appears once the input is read to the end.
    pub digest: DigestSlot,
}

impl Source {
    /// Opens `input`: reads the first block, strips a BOM, detects the delimiter if `delimiter`
    /// is `None`, and reads the header row (skipping blank lines before it).
    pub fn open(
        input: Box<dyn Read + Send>,
        origin: &str,
        delimiter: Option<u8>,
    ) -> Result<Source, DataError> {
        const SNIFF_BYTES: u64 = 64 * 1024;
        let digest: DigestSlot = Arc::new(Mutex::new(None));
        let mut hashing = HashingReader {
            inner: input,
            hasher: Some(Sha256::new()),
            bytes: 0,
            slot: Arc::clone(&digest),
        };
        let io_err = |source| {
            DataError::from(crate::file_error::FileError::read(
                origin.to_string(),
                source,
            ))
        };
        let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
        (&mut hashing)
            .take(SNIFF_BYTES)
            .read_to_end(&mut head)
            .map_err(io_err)?;
        let bom = sniff::strip_bom(&mut head);
        let (delimiter, delimiter_detected) = match delimiter {
            Some(d) => (d, false),
            None => (sniff::detect_delimiter(&head), true),
        };
        let mut splitter = Splitter::new(head, Box::new(hashing), delimiter, 1);
        let header = loop {
            let Some(block) = splitter.next_block(1).map_err(io_err)? else {
                return Err(DataError::Empty {
                    origin: origin.to_string(),
                });
            };
            let mut rdr = block_reader(&block.bytes[..], delimiter);
            let mut rec = ByteRecord::new();
            // Only blank lines yield no record; a line of spaces is a (one-field) header.
            if rdr.read_byte_record(&mut rec).unwrap_or(false) {
                break rec;
            }
        };
        splitter.restart_numbering();
        if header.len() == 1 && header.as_slice().iter().all(u8::is_ascii_whitespace) {
            return Err(DataError::Empty {
                origin: origin.to_string(),
            });
        }
        Ok(Source {
            header,
            splitter,
            delimiter,
            delimiter_detected,
            bom,
            digest,
        })
    }
}

/// Where a reader's blocks come from: CSV bytes cut into whole records, or a Parquet file's
/// batches.
pub(crate) enum Blocks {
    /// CSV.
    Csv(Splitter),
    /// Parquet.
    Parquet(super::parquet::Blocks),
}

impl Blocks {
    /// The next block of at most `rows` records (a Parquet batch holds the rows the reader was
    /// built for), or `None` at the end.
    pub fn next_block(&mut self, rows: usize) -> io::Result<Option<super::split::Block>> {
        match self {
            Blocks::Csv(s) => s.next_block(rows),
            Blocks::Parquet(p) => {
                Ok(p.next_block()?
                    .map(|(seq, first_line, batch)| super::split::Block {
                        seq,
                        bytes: Vec::new(),
                        first_line,
                        batch: Some(batch),
                    }))
            }
        }
    }

    /// Takes the buffers for CSV blocks from `pool` (Parquet batches need none).
    pub fn set_pool(&mut self, pool: super::split::Pool) {
        if let Blocks::Csv(s) = self {
            s.set_pool(pool);
        }
    }
}

/// An opened input, before its columns are chosen.
pub(crate) enum Opened {
    /// A CSV input, positioned after its header.
    Csv(Source),
    /// A Parquet file, its footer read.
    Parquet(super::parquet::ParquetFile),
    /// Arrow batches from memory.
    #[cfg(feature = "parquet")]
    Arrow(super::arrow::ArrowBatches),
}

/// Whether `path` names a regular file that begins with Parquet's magic bytes `PAR1`. Only a
/// regular file is looked at: reading the first bytes of a pipe (`--data <(zcat x.csv.gz)`)
/// would take them from the CSV reader.
pub(crate) fn is_parquet(path: &std::path::Path) -> bool {
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    let mut head = [0u8; 4];
    regular
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
        && &head == b"PAR1"
}
