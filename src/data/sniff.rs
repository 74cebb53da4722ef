//! Delimiter detection and byte-order-mark handling on the first block of a file.

/// The delimiters tried when none is given, in order of preference on a tie.
pub const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Strips a UTF-8 byte-order mark from the front of `buf`, returning whether there was one.
pub(crate) fn strip_bom(buf: &mut Vec<u8>) -> bool {
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        buf.drain(..3);
        true
    } else {
        false
    }
}

/// Picks the delimiter of a CSV sample: for each candidate, count its occurrences outside
/// quotes on each of the first lines; prefer a candidate that appears in the header and the
/// same number of times on every complete line, and among those the one with most fields.
/// A sample in which no candidate appears is one column, read with `,`.
pub fn detect_delimiter(sample: &[u8]) -> u8 {
    const MAX_LINES: usize = 50;
    let mut counts: Vec<[usize; 4]> = Vec::new();
    let mut current = [0usize; 4];
    let mut in_quotes = false;
    let mut complete = false;
    let mut line_has_content = false;
    for &b in sample {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                if line_has_content {
                    counts.push(current);
                }
                current = [0; 4];
                line_has_content = false;
                if counts.len() == MAX_LINES {
                    complete = true;
                    break;
                }
                continue;
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    current[i] += 1;
                }
            }
            _ => {}
        }
        if b != b'\r' {
            line_has_content = true;
        }
    }
    // A last line without a newline is complete only if the sample is the whole file; it is
    // safe to count it because a cut line can only lower a count, making it inconsistent.
    if !complete && line_has_content && !in_quotes {
        counts.push(current);
    }
    let Some(header) = counts.first() else {
        return b',';
    };
    let mut best: Option<(bool, usize, usize)> = None; // (consistent, header count, index)
    for i in 0..CANDIDATES.len() {
        let h = header[i];
        if h == 0 {
            continue;
        }
        let consistent = counts.iter().all(|c| c[i] == h);
        let better = match best {
            None => true,
            Some((bc, bh, _)) => (consistent, h) > (bc, bh),
        };
        if better {
            best = Some((consistent, h, i));
        }
    }
    best.map_or(b',', |(_, _, i)| CANDIDATES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_candidate() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\r\n1;2,5;3\r\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_delimiter(b"a|b|c\n1|2|3"), b'|');
    }

    #[test]
    fn ignores_delimiters_inside_quotes() {
        // Semicolon-separated, with commas inside quoted fields on every line.
        let s = b"\"name, full\";\"x\"\n\"Doe, J; Jr\";1\n\"A, B\";2\n";
        assert_eq!(detect_delimiter(s), b';');
    }

    #[test]
    fn prefers_consistent_counts() {
        // Commas appear more often on the first line but not consistently.
        let s = b"a;b,c,d,e\n1;2\n3;4\n";
        assert_eq!(detect_delimiter(s), b';');
    }

    #[test]
    fn single_column_and_empty() {
        assert_eq!(detect_delimiter(b"score\n0.5\n"), b',');
        assert_eq!(detect_delimiter(b""), b',');
    }

    #[test]
    fn bom_is_stripped_once() {
        let mut v = vec![0xEF, 0xBB, 0xBF, b'a'];
        assert!(strip_bom(&mut v));
        assert_eq!(v, b"a");
        assert!(!strip_bom(&mut v));
    }
}
