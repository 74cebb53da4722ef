//! The records of one block, as the decoder reads them: through csv_core for any block, or,
//! for a block without quotes and carriage returns, by a plain split on line feeds and the
//! delimiter, a batch of records at a time. Such a block has nothing that csv_core would
//! unquote or treat as a line end other than `\n`, so both give the same fields and the same
//! line numbers, a record's own line after any blank lines (a property test below compares
//! them on random input, in batches of random sizes); the plain split is several times
//! faster.

use csv::ByteRecord;
use memchr::memchr2;

use super::split::block_reader;

/// The fields of one record.
pub(crate) trait Record {
    /// The number of fields.
    fn len(&self) -> usize;
    /// Field `i`, if the record has it.
    fn get(&self, i: usize) -> Option<&[u8]>;
    /// The total length of the fields (without delimiters): no field is longer.
    fn field_bytes(&self) -> usize;
    /// Every field, in order.
    fn fields(&self) -> impl Iterator<Item = &[u8]>;
}

/// Whether a block can be split plainly: no byte csv_core would treat specially other than
/// the delimiter and `\n`.
pub(crate) fn is_plain(bytes: &[u8], delimiter: u8) -> bool {
    !matches!(delimiter, b'"' | b'\r' | b'\n')
        && memchr2(b'"', b'\r', bytes).is_none()
        && !bytes.starts_with(b"\xEF\xBB\xBF")
}

impl Record for super::parquet::Row<'_> {
    fn len(&self) -> usize {
        self.width()
    }
    #[inline]
    fn get(&self, i: usize) -> Option<&[u8]> {
        self.field(i)
    }
    fn field_bytes(&self) -> usize {
        self.fields().map(<[u8]>::len).sum()
    }
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.width()).filter_map(|i| self.field(i))
    }
}

impl Record for ByteRecord {
    fn len(&self) -> usize {
        ByteRecord::len(self)
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        ByteRecord::get(self, i)
    }
    fn field_bytes(&self) -> usize {
        self.as_slice().len()
    }
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        self.iter()
    }
}

/// Records through csv_core.
pub(crate) struct CsvRecords<'a> {
    rdr: csv::Reader<&'a [u8]>,
    rec: ByteRecord,
    bytes: &'a [u8],
}

impl<'a> CsvRecords<'a> {
    pub(crate) fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        CsvRecords {
            rdr: block_reader(bytes, delimiter),
            rec: ByteRecord::new(),
            bytes,
        }
    }
}

impl CsvRecords<'_> {
    /// Reads the next record; returns its line within the block (from 1), as csv's
    /// `Position::line`, or `None` at the end.
    pub(crate) fn advance(&mut self) -> Option<u64> {
        // Reading from a byte slice cannot fail with I/O; with `flexible` there is no other
        // error.
        if !self.rdr.read_byte_record(&mut self.rec).unwrap_or(false) {
            return None;
        }
        let Some(pos) = self.rec.position() else {
            return Some(1);
        };
        // csv positions a record where the previous one ended: before the `\n` of a CRLF
        // line end and before any blank lines. The record is on the line after them.
        let at = (pos.byte() as usize).min(self.bytes.len());
        let skipped = self.bytes[at..]
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .filter(|&&b| b == b'\n')
            .count();
        Some(pos.line() + skipped as u64)
    }
    /// The record read last.
    pub(crate) fn record(&self) -> &ByteRecord {
        &self.rec
    }
}

/// Records of a plain block (see [`is_plain`]): lines split on the delimiter, read a batch at
/// a time ([`PlainRecords::fill`]). As csv_core does, empty lines are skipped; a record's
/// line is the line it is on.
pub(crate) struct PlainRecords<'a> {
    bytes: &'a [u8],
    delimiter: u8,
    pos: usize,
    /// Line feeds consumed so far.
    lines: u64,
}

/// A batch of records of a plain block, as the positions of their fields in the block.
pub(crate) struct PlainBatch<'a> {
    bytes: &'a [u8],
    /// The records, in order.
    recs: Vec<BatchRecord>,
    /// The position of the delimiter or line feed (or the block's end) after each field.
    ends: Vec<usize>,
}

/// Where a record of a [`PlainBatch`] is (one entry, so that a record costs one push).
#[derive(Clone, Copy)]
struct BatchRecord {
    /// Its first byte.
    start: usize,
    /// Where its field ends stop in `ends` (the next record's begin there).
    ends_to: usize,
    /// Its line within the block (from 1), as csv's `Position::line`.
    line: u64,
}

/// A record of a [`PlainBatch`].
pub(crate) struct PlainRecord<'a> {
    bytes: &'a [u8],
    start: usize,
    ends: &'a [usize],
}

impl Record for PlainRecord<'_> {
    fn len(&self) -> usize {
        self.ends.len()
    }
    #[inline]
    fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = match i {
            0 => self.start,
            _ => self.ends[i - 1] + 1,
        };
        self.bytes.get(start..end)
    }
    fn field_bytes(&self) -> usize {
        let end = self.ends.last().copied().unwrap_or(self.start);
        (end - self.start).saturating_sub(self.ends.len().saturating_sub(1))
    }
    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.ends.len()).filter_map(|i| self.get(i))
    }
}

impl<'a> PlainRecords<'a> {
    pub(crate) fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        PlainRecords {
            bytes,
            delimiter,
            pos: 0,
            lines: 0,
        }
    }

    /// An empty batch for [`PlainRecords::fill`].
    pub(crate) fn batch(&self) -> PlainBatch<'a> {
        PlainBatch {
            bytes: self.bytes,
            recs: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Replaces the batch's records with the next (at most) `max` records; returns how many
    /// (0 at the end of the block). The bytes are scanned eight at a time from where the last
    /// batch ended, each delimiter and line feed found with a few word operations: fields are
    /// short, so a search per byte of interest would cost more.
    pub(crate) fn fill(&mut self, batch: &mut PlainBatch<'a>, max: usize) -> usize {
        batch.recs.clear();
        batch.ends.clear();
        if max == 0 {
            return 0;
        }
        let bytes = self.bytes;
        let (delim, newline) = (splat(self.delimiter), splat(b'\n'));
        let mut start = self.pos;
        // A record is on its own line, after any blank lines.
        let mut line = self.lines + 1;
        let mut i = self.pos;
        while let Some(word) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let w = u64::from_le_bytes(w);
            let feeds = zero_bytes(w ^ newline);
            let mut hits = zero_bytes(w ^ delim) | feeds;
            while hits != 0 {
                let at = i + (hits.trailing_zeros() / 8) as usize;
                if feeds & hits & hits.wrapping_neg() != 0 {
                    if self.line_feed(batch, at, (&mut start, &mut line), max) {
                        return max;
                    }
                } else {
                    batch.ends.push(at);
                }
                hits &= hits - 1;
            }
            i += 8;
        }
        while let Some(&b) = bytes.get(i) {
            if b == b'\n' {
                if self.line_feed(batch, i, (&mut start, &mut line), max) {
                    return max;
                }
            } else if b == self.delimiter {
                batch.ends.push(i);
            }
            i += 1;
        }
        // The last record may end without a line feed.
        if start < bytes.len() {
            batch.push(start, bytes.len(), line);
        }
        self.pos = bytes.len();
        batch.len()
    }

    /// Ends the line whose line feed is at `at`, given where the line starts and the line
    /// number its record would have (both moved on to the next line); `true` once the batch
    /// has `max` records.
    #[inline(always)]
    fn line_feed(
        &mut self,
        batch: &mut PlainBatch<'a>,
        at: usize,
        (start, line): (&mut usize, &mut u64),
        max: usize,
    ) -> bool {
        self.lines += 1;
        // An empty line has no delimiter, so it added no end.
        if at > *start {
            batch.push(*start, at, *line);
        }
        *line = self.lines + 1;
        *start = at + 1;
        if batch.len() == max {
            self.pos = *start;
            return true;
        }
        false
    }
}

impl<'a> PlainBatch<'a> {
    /// Adds the record from `start` to `end` (its line feed, or the block's end), whose
    /// other field ends are already in `ends`.
    #[inline]
    fn push(&mut self, start: usize, end: usize, line: u64) {
        self.ends.push(end);
        self.recs.push(BatchRecord {
            start,
            ends_to: self.ends.len(),
            line,
        });
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.recs.len()
    }

    /// Record `r` (below [`PlainBatch::len`]).
    pub(crate) fn record(&self, r: usize) -> PlainRecord<'_> {
        let from = r.checked_sub(1).map_or(0, |p| self.recs[p].ends_to);
        PlainRecord {
            bytes: self.bytes,
            start: self.recs[r].start,
            ends: &self.ends[from..self.recs[r].ends_to],
        }
    }

    /// The line of record `r` within the block (from 1).
    pub(crate) fn line(&self, r: usize) -> u64 {
        self.recs[r].line
    }

    /// When every record has `n > 0` fields (so that [`PlainBatch::field`] and
    /// [`PlainBatch::column`] may be used): the longest record's field bytes (see
    /// [`Record::field_bytes`]); otherwise `None`. One pass over the records.
    pub(crate) fn uniform(&self, n: usize) -> Option<usize> {
        if n == 0 || self.ends.len() != n * self.len() {
            return None;
        }
        let mut longest = 0;
        for (r, rec) in self.recs.iter().enumerate() {
            if rec.ends_to != (r + 1) * n {
                return None;
            }
            let end = self.ends.get(rec.ends_to - 1).copied().unwrap_or(rec.start);
            longest = longest.max((end - rec.start).saturating_sub(n - 1));
        }
        Some(longest)
    }

    /// Field `i` of record `r`, when every record has `n` fields and `i < n`.
    #[inline(always)]
    pub(crate) fn field(&self, n: usize, r: usize, i: usize) -> &'a [u8] {
        let at = r * n + i;
        let start = if i == 0 {
            self.recs[r].start
        } else {
            self.ends[at - 1] + 1
        };
        self.bytes.get(start..self.ends[at]).unwrap_or_default()
    }

    /// Field `i` of every record in turn, when every record has `n` fields and `i < n`.
    #[inline(always)]
    pub(crate) fn column(&self, n: usize, i: usize) -> impl Iterator<Item = &'a [u8]> + '_ {
        let bytes = self.bytes;
        self.ends
            .chunks_exact(n)
            .zip(&self.recs)
            .map(move |(ends, rec)| {
                let first = rec.start;
                let start = match i.checked_sub(1) {
                    Some(before) => ends.get(before).map_or(first, |e| e + 1),
                    None => first,
                };
                let end = ends.get(i).copied().unwrap_or(start);
                bytes.get(start..end).unwrap_or_default()
            })
    }
}

/// `b` in every byte of a word.
const fn splat(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// The high bit of each byte of `w` that is zero, and no other bit (exact, unlike the
/// shorter formula whose borrows can mark the byte after a zero).
#[inline]
fn zero_bytes(w: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((w & LOW7).wrapping_add(LOW7)) | w | LOW7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    type Fields = Vec<(u64, Vec<Vec<u8>>)>;

    fn record_fields(line: u64, rec: &impl Record) -> (u64, Vec<Vec<u8>>) {
        let fields: Vec<Vec<u8>> = rec.fields().map(<[u8]>::to_vec).collect();
        assert_eq!(fields.len(), rec.len());
        assert_eq!(
            rec.field_bytes(),
            fields.iter().map(Vec::len).sum::<usize>()
        );
        for (i, f) in fields.iter().enumerate() {
            assert_eq!(rec.get(i), Some(&f[..]));
        }
        assert_eq!(rec.get(fields.len()), None);
        (line, fields)
    }

    fn all(mut r: CsvRecords<'_>) -> Fields {
        let mut out = Vec::new();
        while let Some(line) = r.advance() {
            out.push(record_fields(line, r.record()));
        }
        out
    }

    /// The records of a plain block read in batches of `max` records; checks the batch's
    /// direct field access where every record has the same number of fields.
    fn all_plain(text: &[u8], delimiter: u8, max: usize) -> Fields {
        let mut records = PlainRecords::new(text, delimiter);
        let mut batch = records.batch();
        let mut out = Vec::new();
        while records.fill(&mut batch, max) > 0 {
            assert!(batch.len() <= max);
            let first = batch.record(0).len();
            if let Some(widest) = batch.uniform(first) {
                let mut longest = 0;
                for r in 0..batch.len() {
                    let rec = batch.record(r);
                    for i in 0..first {
                        assert_eq!(rec.get(i), Some(batch.field(first, r, i)));
                    }
                    longest = longest.max(rec.field_bytes());
                }
                assert_eq!(widest, longest);
            } else {
                assert!((0..batch.len()).any(|r| batch.record(r).len() != first));
            }
            for r in 0..batch.len() {
                out.push(record_fields(batch.line(r), &batch.record(r)));
            }
        }
        out
    }

    #[test]
    fn plain_split_agrees_with_csv_core_on_random_quote_free_input() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        // Long pieces too, so that whole eight-byte words pass with no byte of interest.
        let pieces: [&[u8]; 11] = [
            b"a",
            b"bc",
            b",",
            b";",
            b"\n",
            b"\n\n",
            b" ",
            b"\t",
            b"\xC3\xA9",
            b"abcdefghijk",
            b"0123456789abcdefghij",
        ];
        for _ in 0..5000 {
            let mut text = Vec::new();
            for _ in 0..rng.gen_range(0..60) {
                text.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
            }
            for delimiter in [b',', b';', b'\t'] {
                assert!(is_plain(&text, delimiter));
                assert_eq!(
                    all_plain(&text, delimiter, rng.gen_range(1..5)),
                    all(CsvRecords::new(&text, delimiter)),
                    "input {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn crlf_line_ends_give_the_lines_of_lf_line_ends() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(12);
        let pieces: [&[u8]; 6] = [b"a", b"bc", b",", b"\n", b"\n\n", b"\"q\nq\""];
        for _ in 0..3000 {
            let mut text = Vec::new();
            for _ in 0..rng.gen_range(0..40) {
                text.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
            }
            let crlf: Vec<u8> = text
                .iter()
                .flat_map(|&b| {
                    if b == b'\n' {
                        vec![b'\r', b'\n']
                    } else {
                        vec![b]
                    }
                })
                .collect();
            // Fields inside quotes keep their \r; the lines must be the same.
            let lines = |t: &[u8]| -> Vec<u64> {
                all(CsvRecords::new(t, b','))
                    .into_iter()
                    .map(|(l, _)| l)
                    .collect()
            };
            assert_eq!(
                lines(&crlf),
                lines(&text),
                "input {:?}",
                String::from_utf8_lossy(&text)
            );
        }
        // The third line of a CRLF block is line 3.
        assert_eq!(lines_of(b"y,s\r\n1,0.5\r\n0,x\r\n"), vec![1, 2, 3]);
    }

    fn lines_of(t: &[u8]) -> Vec<u64> {
        all(CsvRecords::new(t, b','))
            .into_iter()
            .map(|(l, _)| l)
            .collect()
    }

    #[test]
    fn blocks_with_quotes_carriage_returns_or_a_bom_are_not_plain() {
        assert!(is_plain(b"a,b\n1,2\n", b','));
        assert!(!is_plain(b"a,\"b\"\n", b','));
        assert!(!is_plain(b"a,b\r\n", b','));
        assert!(!is_plain(b"\xEF\xBB\xBFa,b\n", b','));
        assert!(!is_plain(b"a,b\n", b'"'));
    }

    #[test]
    fn empty_lines_are_skipped_and_each_record_has_its_own_line() {
        let text = b"\n\na,b\n\n\nc\nd,e,f";
        let got = all_plain(text, b',', 2);
        assert_eq!(got, all(CsvRecords::new(text, b',')));
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 6, 7]);
        assert_eq!(lines_of(b"a\r\n\r\n\r\nb\r\n"), vec![1, 4]);
    }
}
