//! Bytes in, CSV records out, in batches: the file is hashed (SHA-256) as it is read, its
//! first block is sniffed for a byte-order mark and a delimiter, and records are parsed in
//! batches, on a second thread when asked, so that parsing overlaps with decoding.
//!
//! Nothing here knows about columns or roles; see [`super::reader`].

use std::io::{self, Cursor, Read};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use csv::ByteRecord;
use sha2::{Digest, Sha256};

use super::error::{DataError, Position};
use super::sniff;

/// A reader that hashes every byte that passes through it and, at end of input, leaves the
/// hex digest and the byte count in a shared slot.
struct HashingReader<R> {
    inner: R,
    hasher: Option<Sha256>,
    bytes: u64,
    slot: Arc<Mutex<Option<(String, u64)>>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            if n == 0 {
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

type Input = io::Chain<Cursor<Vec<u8>>, Box<dyn Read + Send>>;

/// Reads its input on a thread of its own in 256 KiB blocks (hashing them there, when the
/// input is a [`HashingReader`]) and hands the blocks over in order.
struct Prefetch {
    rx: Receiver<io::Result<Vec<u8>>>,
    block: Vec<u8>,
    at: usize,
    done: bool,
}

impl Prefetch {
    fn spawn(mut inner: Box<dyn Read + Send>) -> Prefetch {
        const BLOCK: usize = 256 * 1024;
        let (tx, rx) = mpsc::sync_channel(4);
        std::thread::spawn(move || loop {
            let mut block = Vec::with_capacity(BLOCK);
            match (&mut inner).take(BLOCK as u64).read_to_end(&mut block) {
                Ok(0) => {
                    let _ = tx.send(Ok(block));
                    return;
                }
                Ok(_) => {
                    if tx.send(Ok(block)).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        });
        Prefetch {
            rx,
            block: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for Prefetch {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(block)) => {
                    self.done = block.is_empty();
                    self.block = block;
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(io::Error::other("the reading thread stopped unexpectedly")),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Up to `len` parsed records; the vector is reused between batches.
#[derive(Default)]
pub(crate) struct Batch {
    pub records: Vec<ByteRecord>,
    pub len: usize,
}

impl Batch {
    /// Fills the batch with up to `n` records; fewer means end of input.
    fn fill(&mut self, rdr: &mut csv::Reader<Input>, n: usize) -> Result<(), csv::Error> {
        self.len = 0;
        while self.len < n {
            if self.records.len() == self.len {
                self.records.push(ByteRecord::new());
            }
            if !rdr.read_byte_record(&mut self.records[self.len])? {
                break;
            }
            self.len += 1;
        }
        Ok(())
    }
}

enum Producer {
    Inline {
        rdr: Box<csv::Reader<Input>>,
        spare: Option<Batch>,
    },
    Threaded {
        rx: Receiver<Result<Batch, csv::Error>>,
        recycle: Sender<Batch>,
        handle: Option<JoinHandle<()>>,
    },
}

/// The open input: header, sniffing results and the batch producer.
pub(crate) struct Source {
    origin: String,
    producer: Producer,
    batch_rows: usize,
    digest: Arc<Mutex<Option<(String, u64)>>>,
    /// The header fields, as raw bytes.
    pub header: ByteRecord,
    /// The delimiter in use.
    pub delimiter: u8,
    /// Whether it was detected.
    pub delimiter_detected: bool,
    /// Whether a byte-order mark was skipped.
    pub bom: bool,
    finished: bool,
}

impl Source {
    /// Opens `input`: reads the first block, strips a BOM, detects the delimiter if `delimiter`
    /// is `None`, and reads the header row.
    pub fn open(
        input: Box<dyn Read + Send>,
        origin: &str,
        delimiter: Option<u8>,
        batch_rows: usize,
        threaded: bool,
    ) -> Result<Source, DataError> {
        const SNIFF_BYTES: usize = 64 * 1024;
        let digest = Arc::new(Mutex::new(None));
        let hashing = HashingReader {
            inner: input,
            hasher: Some(Sha256::new()),
            bytes: 0,
            slot: Arc::clone(&digest),
        };
        // Threaded: hash on a thread of its own, so it costs the parser no time.
        let mut hashing: Box<dyn Read + Send> = if threaded {
            Box::new(Prefetch::spawn(Box::new(hashing)))
        } else {
            Box::new(hashing)
        };
        let io_err = |source| DataError::Io {
            origin: origin.to_string(),
            source,
        };
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut hashing)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(io_err)?;
        let bom = sniff::strip_bom(&mut head);
        if head.iter().all(|b| b.is_ascii_whitespace()) && head.len() < SNIFF_BYTES {
            return Err(DataError::Empty {
                origin: origin.to_string(),
            });
        }
        let (delimiter, delimiter_detected) = match delimiter {
            Some(d) => (d, false),
            None => (sniff::detect_delimiter(&head), true),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(Cursor::new(head).chain(hashing));
        let mut header = ByteRecord::new();
        let got = rdr
            .read_byte_record(&mut header)
            .map_err(|e| csv_error(e, origin))?;
        if !got {
            return Err(DataError::Empty {
                origin: origin.to_string(),
            });
        }
        let producer = if threaded {
            spawn(rdr, batch_rows)
        } else {
            Producer::Inline {
                rdr: Box::new(rdr),
                spare: None,
            }
        };
        Ok(Source {
            origin: origin.to_string(),
            producer,
            batch_rows,
            digest,
            header,
            delimiter,
            delimiter_detected,
            bom,
            finished: false,
        })
    }

    /// The next batch of records, or `None` at end of input. Hand the batch back with
    /// [`Source::recycle`] to reuse its memory.
    pub fn next_batch(&mut self) -> Result<Option<Batch>, DataError> {
        if self.finished {
            return Ok(None);
        }
        let batch = match &mut self.producer {
            Producer::Inline { rdr, spare } => {
                let mut b = spare.take().unwrap_or_default();
                b.fill(rdr, self.batch_rows)
                    .map_err(|e| csv_error(e, &self.origin))?;
                b
            }
            Producer::Threaded { rx, handle, .. } => match rx.recv() {
                Ok(Ok(b)) => b,
                Ok(Err(e)) => return Err(csv_error(e, &self.origin)),
                Err(_) => {
                    // The producer ended without sending an end marker: it panicked.
                    let _ = handle.take().map(JoinHandle::join);
                    return Err(DataError::Csv {
                        pos: Position {
                            origin: self.origin.clone(),
                            line: 0,
                            column: None,
                        },
                        message: "the reading thread stopped unexpectedly".into(),
                    });
                }
            },
        };
        if batch.len < self.batch_rows {
            self.finished = true;
        }
        if batch.len == 0 {
            return Ok(None);
        }
        Ok(Some(batch))
    }

    /// Returns a used batch for reuse by the reading thread.
    pub fn recycle(&mut self, batch: Batch) {
        match &mut self.producer {
            Producer::Threaded { recycle, .. } => {
                let _ = recycle.send(batch);
            }
            Producer::Inline { spare, .. } => *spare = Some(batch),
        }
    }

    /// The SHA-256 (hex) and size of the whole input, once it has been read to the end.
    pub fn digest(&self) -> Option<(String, u64)> {
        self.digest.lock().ok().and_then(|d| d.clone())
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        if let Producer::Threaded { rx, handle, .. } = &mut self.producer {
            // Unblock a producer waiting to send, then wait for it.
            while rx.try_recv().is_ok() {}
            let (_, dead_rx) = mpsc::sync_channel(0);
            drop(std::mem::replace(rx, dead_rx));
            if let Some(h) = handle.take() {
                let _ = h.join();
            }
        }
    }
}

/// Starts the reading thread: it fills batches (reusing recycled ones) and sends them in order
/// until end of input, an error, or the receiver going away.
fn spawn(mut rdr: csv::Reader<Input>, batch_rows: usize) -> Producer {
    let (tx, rx): (SyncSender<Result<Batch, csv::Error>>, _) = mpsc::sync_channel(2);
    let (recycle, recycled) = mpsc::channel::<Batch>();
    let handle = std::thread::spawn(move || loop {
        let mut batch = recycled.try_recv().unwrap_or_default();
        match batch.fill(&mut rdr, batch_rows) {
            Ok(()) => {
                let last = batch.len < batch_rows;
                if tx.send(Ok(batch)).is_err() || last {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    });
    Producer::Threaded {
        rx,
        recycle,
        handle: Some(handle),
    }
}

fn csv_error(e: csv::Error, origin: &str) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(source) => DataError::Io {
            origin: origin.to_string(),
            source,
        },
        other => DataError::Csv {
            pos: Position {
                origin: origin.to_string(),
                line,
                column: None,
            },
            message: format!("{other:?}"),
        },
    }
}
