//! The records of one block, as the decoder reads them: through csv_core for any block, or,
//! for a block without quotes and carriage returns, by a plain split on line feeds and the
//! delimiter. Such a block has nothing that csv_core would unquote or treat as a line end
//! other than `\n`, so both give the same fields and the same line numbers (a property test
//! below compares them on random input); the plain split is several times faster.

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

/// A block's records, one at a time.
pub(crate) trait Records {
    /// The record type.
    type Rec: Record;
    /// Reads the next record; returns its line within the block (from 1), as csv's
    /// `Position::line`, or `None` at the end.
    fn advance(&mut self) -> Option<u64>;
    /// The record read last.
    fn record(&self) -> &Self::Rec;
}

/// Whether a block can be split plainly: no byte csv_core would treat specially other than
/// the delimiter and `\n`.
pub(crate) fn is_plain(bytes: &[u8], delimiter: u8) -> bool {
    !matches!(delimiter, b'"' | b'\r' | b'\n')
        && memchr2(b'"', b'\r', bytes).is_none()
        && !bytes.starts_with(b"\xEF\xBB\xBF")
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
}

impl<'a> CsvRecords<'a> {
    pub(crate) fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        CsvRecords {
            rdr: block_reader(bytes, delimiter),
            rec: ByteRecord::new(),
        }
    }
}

impl Records for CsvRecords<'_> {
    type Rec = ByteRecord;
    fn advance(&mut self) -> Option<u64> {
        // Reading from a byte slice cannot fail with I/O; with `flexible` there is no other
        // error.
        self.rdr
            .read_byte_record(&mut self.rec)
            .unwrap_or(false)
            .then(|| self.rec.position().map_or(1, csv::Position::line))
    }
    fn record(&self) -> &ByteRecord {
        &self.rec
    }
}

/// A record of a plain block: its bytes and the end of each field (the position of the
/// delimiter or line feed after it, relative to the block).
pub(crate) struct PlainRecord<'a> {
    bytes: &'a [u8],
    start: usize,
    ends: Vec<usize>,
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

/// Records of a plain block (see [`is_plain`]): lines split on the delimiter. As csv_core
/// does, empty lines are skipped, and a record's line is the line after the previous record
/// (or 1), whatever empty lines come between.
pub(crate) struct PlainRecords<'a> {
    rec: PlainRecord<'a>,
    delimiter: u8,
    pos: usize,
    /// Line feeds consumed so far.
    lines: u64,
}

impl<'a> PlainRecords<'a> {
    pub(crate) fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        PlainRecords {
            rec: PlainRecord {
                bytes,
                start: 0,
                ends: Vec::new(),
            },
            delimiter,
            pos: 0,
            lines: 0,
        }
    }
}

impl PlainRecords<'_> {
    /// Records the field ends of the line starting at `self.pos` in `self.rec.ends` (all but
    /// the last) and returns the position of its line feed, or the end of the block. Eight
    /// bytes at a time: fields are short, so a search per byte of interest would cost more.
    #[inline]
    fn scan_line(&mut self) -> usize {
        let bytes = self.rec.bytes;
        let (delim, newline) = (splat(self.delimiter), splat(b'\n'));
        let mut i = self.pos;
        while let Some(word) = bytes.get(i..i + 8) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            let w = u64::from_le_bytes(w);
            let mut hits = zero_bytes(w ^ delim) | zero_bytes(w ^ newline);
            while hits != 0 {
                let at = i + (hits.trailing_zeros() / 8) as usize;
                if bytes[at] == b'\n' {
                    self.lines += 1;
                    return at;
                }
                self.rec.ends.push(at);
                hits &= hits - 1;
            }
            i += 8;
        }
        while let Some(&b) = bytes.get(i) {
            if b == b'\n' {
                self.lines += 1;
                return i;
            }
            if b == self.delimiter {
                self.rec.ends.push(i);
            }
            i += 1;
        }
        bytes.len()
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

impl<'a> Records for PlainRecords<'a> {
    type Rec = PlainRecord<'a>;
    fn advance(&mut self) -> Option<u64> {
        let bytes = self.rec.bytes;
        let line = self.lines + 1;
        loop {
            if self.pos >= bytes.len() {
                return None;
            }
            self.rec.start = self.pos;
            self.rec.ends.clear();
            let end = self.scan_line();
            self.pos = end + 1;
            if end > self.rec.start {
                self.rec.ends.push(end);
                return Some(line);
            }
        }
    }
    fn record(&self) -> &PlainRecord<'a> {
        &self.rec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn all<R: Records>(mut r: R) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        while let Some(line) = r.advance() {
            let rec = r.record();
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
            out.push((line, fields));
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
                    all(PlainRecords::new(&text, delimiter)),
                    all(CsvRecords::new(&text, delimiter)),
                    "input {:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
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
    fn empty_lines_are_skipped_and_lines_counted_as_csv_does() {
        let text = b"\n\na,b\n\n\nc\nd,e,f";
        let got = all(PlainRecords::new(text, b','));
        assert_eq!(got, all(CsvRecords::new(text, b',')));
        assert_eq!(got.len(), 3);
    }
}
