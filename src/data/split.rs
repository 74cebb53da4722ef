//! Cutting a byte stream into blocks of whole CSV records, so that blocks can be parsed and
//! decoded independently (on several threads) and merged in order.
//!
//! A cut is only made at a line feed that ends a record. To know which line feeds those are,
//! the scanner follows csv_core's default quoting rules: a quote opens a quoted field only at
//! the start of a field; inside one, `""` is an escaped quote and line feeds are data; a quote
//! anywhere else is a literal character. Quote-free stretches are skipped with `memchr`. A lone
//! `\r` line end is never cut at: such a file is simply read as one block.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use memchr::{memchr, memchr_iter};

use super::parquet::Batch;

/// A run of whole records.
pub(crate) struct Block {
    /// Position in the stream, from 0.
    pub seq: u64,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The file line number of the block's first byte (of a Parquet batch: the line its
    /// first row would have in a CSV export).
    pub first_line: u64,
    /// A Parquet batch, in place of bytes.
    pub batch: Option<Batch>,
}

/// Buffers of decoded blocks handed back for reuse, so that a long stream does not allocate
/// (and fault in) fresh memory for every block.
pub(crate) type Pool = Arc<Mutex<Vec<Vec<u8>>>>;

/// Reads a stream and hands out [`Block`]s of at most `rows` records each.
pub(crate) struct Splitter {
    input: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pool: Option<Pool>,
    eof: bool,
    seq: u64,
    line: u64,
    delimiter: u8,
    scan: Scan,
    max_record: usize,
}

/// The longest record read before the columns are known (the header): 4 MiB.
pub(crate) const HEADER_LIMIT: usize = 4 << 20;

/// Where the scanner stopped in `buf`, and what it found so far.
#[derive(Clone, Copy, Default)]
struct Scan {
    pos: usize,
    in_quotes: bool,
    records: usize,
    /// Where the record being scanned starts.
    record_start: usize,
}

const READ_SIZE: usize = 256 * 1024;

/// Bytes counted at a time when looking for the end of a block's last record.
const COUNT_STRETCH: usize = 16 * 1024;

impl Splitter {
    /// A splitter over `start` (bytes already read, beginning at a record start) followed by
    /// the rest of `input`; `first_line` is the line number of `start`'s first byte.
    pub fn new(
        start: Vec<u8>,
        input: Box<dyn Read + Send>,
        delimiter: u8,
        first_line: u64,
    ) -> Self {
        Splitter {
            input,
            buf: start,
            pool: None,
            eof: false,
            seq: 0,
            line: first_line,
            delimiter,
            scan: Scan::default(),
            max_record: HEADER_LIMIT,
        }
    }

    /// Refuses records longer than `bytes` (the header's limit is [`HEADER_LIMIT`]): memory
    /// stays bounded, and an unterminated quote or a file without line ends fails after
    /// reading that much, in time linear in it.
    pub fn set_max_record(&mut self, bytes: usize) {
        self.max_record = bytes.max(1);
    }

    /// The next block of at most `rows` records (the last one may end without a line feed),
    /// or `None` at end of input.
    pub fn next_block(&mut self, rows: usize) -> io::Result<Option<Block>> {
        let rows = rows.max(1);
        loop {
            if let Some(cut) = self.find_cut(rows) {
                return Ok(Some(self.take(cut)));
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let all = self.buf.len();
                return Ok(Some(self.take(all)));
            }
            let pending = self.buf.len() - self.scan.record_start;
            if pending > self.max_record {
                let line = self.line
                    + memchr_iter(b'\n', &self.buf[..self.scan.record_start]).count() as u64;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "line {line}: a record longer than {} bytes{} (--max-field-bytes sets the limit per field)",
                        self.max_record,
                        if self.scan.in_quotes {
                            ": a quoted field is never closed"
                        } else {
                            ": no line end within it"
                        }
                    ),
                ));
            }
            let old = self.buf.len();
            self.buf.reserve(READ_SIZE);
            let n = (&mut self.input)
                .take(READ_SIZE as u64)
                .read_to_end(&mut self.buf)?;
            if n == 0 {
                self.eof = true;
            }
            debug_assert_eq!(self.buf.len(), old + n);
        }
    }

    /// Takes the buffers for the following blocks from `pool` when it has any.
    pub fn set_pool(&mut self, pool: Pool) {
        self.pool = Some(pool);
    }

    /// Numbers the next block 0 (after the header has been taken).
    pub fn restart_numbering(&mut self) {
        self.seq = 0;
    }

    /// Splits off `buf[..cut]` as the next block.
    fn take(&mut self, cut: usize) -> Block {
        let mut rest = self
            .pool
            .as_ref()
            .and_then(|p| p.lock().ok()?.pop())
            .unwrap_or_default();
        rest.clear();
        rest.extend_from_slice(&self.buf[cut..]);
        self.buf.truncate(cut);
        let bytes = std::mem::replace(&mut self.buf, rest);
        let block = Block {
            seq: self.seq,
            first_line: self.line,
            bytes,
            batch: None,
        };
        self.seq += 1;
        self.line += memchr_iter(b'\n', &block.bytes).count() as u64;
        self.scan = Scan::default();
        block
    }

    /// Continues scanning `buf` for the end of the `rows`-th record; returns the cut position
    /// just after its line feed once found.
    fn find_cut(&mut self, rows: usize) -> Option<usize> {
        let buf = &self.buf;
        let s = &mut self.scan;
        while s.pos < buf.len() {
            if s.in_quotes {
                // Inside a quoted field: only a quote can end it.
                let q = s.pos + memchr(b'"', &buf[s.pos..])?;
                match buf.get(q + 1) {
                    Some(b'"') => s.pos = q + 2,
                    Some(_) => {
                        s.in_quotes = false;
                        s.pos = q + 1;
                    }
                    None if self.eof => {
                        s.in_quotes = false;
                        s.pos = q + 1;
                    }
                    // The byte after the quote is not read yet.
                    None => {
                        s.pos = q;
                        return None;
                    }
                }
                continue;
            }
            // Outside quotes: every line feed before the next quote ends a record.
            let stop = memchr(b'"', &buf[s.pos..]).map_or(buf.len(), |q| s.pos + q);
            // Whole stretches are counted (a vectorised count), and only the stretch where
            // the `rows`-th record ends is searched line feed by line feed.
            let mut from = s.pos;
            while from < stop {
                let to = (from + COUNT_STRETCH).min(stop);
                let n = memchr_iter(b'\n', &buf[from..to]).count();
                if s.records + n < rows {
                    s.records += n;
                    if let Some(last) = memchr::memrchr(b'\n', &buf[from..to]) {
                        s.record_start = from + last + 1;
                    }
                    from = to;
                    continue;
                }
                for nl in memchr_iter(b'\n', &buf[from..to]) {
                    s.records += 1;
                    s.record_start = from + nl + 1;
                    if s.records == rows {
                        return Some(from + nl + 1);
                    }
                }
            }
            if stop == buf.len() {
                s.pos = stop;
                return None;
            }
            let at_field_start = stop == 0
                || matches!(buf[stop - 1], b'\n' | b'\r')
                || buf[stop - 1] == self.delimiter;
            s.in_quotes = at_field_start;
            s.pos = stop + 1;
        }
        None
    }
}

/// A CSV reader over a block's bytes, as every block is read: the given delimiter, no header
/// row (the caller knows which block holds it), and rows of any length (ragged rows are
/// reported by the decoder, with their line).
pub(crate) fn block_reader(bytes: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` into blocks of `rows` records, reading it in pieces as a stream would.
    fn split(text: &[u8], rows: usize) -> Vec<(Vec<u8>, u64)> {
        let mut s = Splitter::new(
            Vec::new(),
            Box::new(io::Cursor::new(text.to_vec())),
            b',',
            1,
        );
        let mut out = Vec::new();
        while let Ok(Some(b)) = s.next_block(rows) {
            out.push((b.bytes, b.first_line));
        }
        out
    }

    #[test]
    fn only_a_record_longer_than_the_limit_is_refused_however_large_the_block() {
        // 40,000 records of 16 bytes, one block: far more than the limit, each far less.
        let text: Vec<u8> = (0..40_000)
            .flat_map(|i| format!("{i:07},\"a\nb\",1\n").into_bytes())
            .collect();
        let mut s = Splitter::new(Vec::new(), Box::new(io::Cursor::new(text.clone())), b',', 1);
        s.set_max_record(64);
        let block = s.next_block(1_000_000).unwrap().unwrap();
        assert_eq!(block.bytes, text);
        // A quote never closed, or no line end: refused once the record passes the limit,
        // with the line it starts on, having read little more than the limit.
        for (tail, why) in [
            (&b"x,\"open"[..], "never closed"),
            (&b"x,no-end"[..], "no line end"),
        ] {
            let mut bytes = b"a,b\n1,2\n".to_vec();
            bytes.extend_from_slice(tail);
            bytes.extend(std::iter::repeat_n(b'z', 10 << 20));
            let read = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
            struct Counting(
                io::Cursor<Vec<u8>>,
                std::sync::Arc<std::sync::atomic::AtomicUsize>,
            );
            impl Read for Counting {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    let n = self.0.read(buf)?;
                    self.1.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                    Ok(n)
                }
            }
            let input = Counting(io::Cursor::new(bytes), read.clone());
            let mut s = Splitter::new(Vec::new(), Box::new(input), b',', 1);
            s.set_max_record(1000);
            let e = loop {
                match s.next_block(1) {
                    Ok(Some(_)) => continue,
                    Ok(None) => panic!("no error"),
                    Err(e) => break e,
                }
            };
            assert!(
                e.to_string()
                    .starts_with("line 3: a record longer than 1000 bytes"),
                "{e}"
            );
            assert!(e.to_string().contains(why), "{e}");
            assert!(read.load(std::sync::atomic::Ordering::Relaxed) < 2 * READ_SIZE);
        }
    }

    #[test]
    fn cuts_after_whole_records_and_counts_lines() {
        let blocks = split(b"a,b\n1,2\n3,4\n5,6", 2);
        let got: Vec<(&[u8], u64)> = blocks.iter().map(|(b, l)| (&b[..], *l)).collect();
        assert_eq!(got, vec![(&b"a,b\n1,2\n"[..], 1), (&b"3,4\n5,6"[..], 3)]);
    }

    #[test]
    fn line_feeds_inside_quotes_do_not_end_records() {
        let text = b"1,\"a\nb\"\n2,\"c\"\"\nd\"\n3,x\n";
        let blocks = split(text, 1);
        let got: Vec<&[u8]> = blocks.iter().map(|(b, _)| &b[..]).collect();
        assert_eq!(
            got,
            vec![&b"1,\"a\nb\"\n"[..], b"2,\"c\"\"\nd\"\n", b"3,x\n"]
        );
        assert_eq!(blocks[1].1, 3);
        assert_eq!(blocks[2].1, 5);
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_literal() {
        // csv_core reads `5" screen` as an unquoted field: the line feed after it ends a record.
        let blocks = split(b"1,5\" screen\n2,x\n", 1);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].0, b"1,5\" screen\n");
    }

    #[test]
    fn an_unbalanced_quote_takes_the_rest_as_one_block() {
        let blocks = split(b"1,\"open\n2,x\n3,y\n", 1);
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn blocks_agree_with_csv_records_on_random_input() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let pieces: [&[u8]; 8] = [b"a", b",", b"\"", b"\n", b"\r\n", b"\"\"", b"x\"y", b" "];
        for _ in 0..2000 {
            let mut text = Vec::new();
            for _ in 0..rng.gen_range(0..60) {
                text.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
            }
            let whole = records(&text);
            let mut joined = Vec::new();
            for (b, _) in split(&text, rng.gen_range(1..4)) {
                joined.extend(records(&b));
            }
            assert_eq!(joined, whole, "input {:?}", String::from_utf8_lossy(&text));
        }
    }

    fn records(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut rdr = block_reader(bytes, b',');
        let mut out = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap_or(false) {
            out.push(rec.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }
}
