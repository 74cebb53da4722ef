//! Parsing of single field values: numbers, boolean words and ISO 8601 timestamps. Pure
//! functions on trimmed bytes; the reader decides what a failure means for the row.

use super::ValueProblem;

/// Parses a finite decimal number (`12`, `-0.5`, `1e-3`). `NaN` and infinities are
/// [`ValueProblem::NotFinite`]; anything else that is not a number is
/// [`ValueProblem::NotANumber`].
#[inline]
pub(crate) fn parse_f64(raw: &[u8]) -> Result<f64, ValueProblem> {
    match plain_decimal(raw) {
        Some(v) => Ok(v),
        None => parse_f64_general(raw),
    }
}

/// Everything the plain-decimal fast path does not take: exponents, long mantissas, words.
#[cold]
#[inline(never)]
fn parse_f64_general(raw: &[u8]) -> Result<f64, ValueProblem> {
    let text = std::str::from_utf8(raw).map_err(|_| ValueProblem::InvalidUtf8)?;
    // Rust accepts "inf", "infinity" and "nan" in any case; they are not finite numbers.
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(ValueProblem::NotFinite),
        Err(_) => Err(ValueProblem::NotANumber),
    }
}

/// Powers of ten that f64 holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Exact fast path for plain decimals (`-12.345`, at most 15 digits, no exponent): the digits
/// as an integer below 2^53 and the power of ten are both exact in f64, so one IEEE division
/// gives the correctly rounded value, the same as `str::parse` (Clinger's fast path).
/// Anything else returns `None` for the general parser.
#[inline]
fn plain_decimal(raw: &[u8]) -> Option<f64> {
    let (neg, digits) = match raw.first()? {
        b'-' => (true, &raw[1..]),
        b'+' => (false, &raw[1..]),
        _ => (false, raw),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut i = 0;
    while let Some(d) = digits
        .get(i)
        .map(|b| b.wrapping_sub(b'0'))
        .filter(|d| *d <= 9)
    {
        mantissa = mantissa * 10 + u64::from(d);
        i += 1;
    }
    let int_digits = i;
    let mut frac = 0;
    if i < digits.len() {
        if digits[i] != b'.' {
            return None;
        }
        i += 1;
        let start = i;
        for &b in &digits[i..] {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(d);
        }
        frac = digits.len() - start;
    }
    let n_digits = int_digits + frac;
    if n_digits == 0 || n_digits > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[frac];
    Some(if neg { -v } else { v })
}

const NOT_BOOL: u8 = 2;

/// The one-byte booleans: 1 for `1`, `t`, `y` (either case), 0 for `0`, `f`, `n`, and
/// [`NOT_BOOL`] for every other byte.
static ONE_BYTE_BOOL: [u8; 256] = {
    let mut t = [NOT_BOOL; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match (i as u8).to_ascii_lowercase() {
            b'1' | b't' | b'y' => 1,
            b'0' | b'f' | b'n' => 0,
            _ => NOT_BOOL,
        };
        i += 1;
    }
    t
};

/// Recognises the boolean words `1`/`0`, `true`/`false`, `yes`/`no`, `t`/`f`, `y`/`n`, in
/// any case.
#[inline]
pub(crate) fn parse_bool(raw: &[u8]) -> Option<bool> {
    if let [b] = raw {
        // A table instead of a match: a label's bit is as unpredictable as the data, and a
        // branch on it would be mispredicted on about half the rows.
        return match ONE_BYTE_BOOL[usize::from(*b)] {
            NOT_BOOL => None,
            v => Some(v == 1),
        };
    }
    if raw.len() > 5 {
        return None;
    }
    let mut buf = [0u8; 5];
    let lower = &mut buf[..raw.len()];
    lower.copy_from_slice(raw);
    lower.make_ascii_lowercase();
    match &*lower {
        b"1" | b"true" | b"yes" | b"t" | b"y" => Some(true),
        b"0" | b"false" | b"no" | b"f" | b"n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_f64(b"0.25"), Ok(0.25));
        assert_eq!(parse_f64(b"-1e3"), Ok(-1000.0));
        assert_eq!(parse_f64(b"NaN"), Err(ValueProblem::NotFinite));
        assert_eq!(parse_f64(b"inf"), Err(ValueProblem::NotFinite));
        assert_eq!(parse_f64(b"-Infinity"), Err(ValueProblem::NotFinite));
        assert_eq!(parse_f64(b"n/a"), Err(ValueProblem::NotANumber));
        assert_eq!(parse_f64(b"1,5"), Err(ValueProblem::NotANumber));
        assert_eq!(parse_f64(&[0xff]), Err(ValueProblem::InvalidUtf8));
    }

    #[test]
    fn fast_path_agrees_with_the_standard_parser() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        for _ in 0..200_000 {
            let int_digits = rng.gen_range(0..9);
            let frac_digits = rng.gen_range(0..9);
            let mut s = String::new();
            if rng.gen_bool(0.3) {
                s.push('-');
            }
            for _ in 0..int_digits {
                s.push(char::from(b'0' + rng.gen_range(0..10u8)));
            }
            if frac_digits > 0 || rng.gen_bool(0.1) {
                s.push('.');
            }
            for _ in 0..frac_digits {
                s.push(char::from(b'0' + rng.gen_range(0..10u8)));
            }
            let ours = parse_f64(s.as_bytes()).ok();
            let std = s.parse::<f64>().ok();
            assert_eq!(
                ours.map(f64::to_bits),
                std.map(f64::to_bits),
                "parsing {s:?}"
            );
        }
        assert_eq!(plain_decimal(b"."), None);
        assert_eq!(plain_decimal(b"1.2.3"), None);
        assert_eq!(plain_decimal(b"-"), None);
    }

    #[test]
    fn booleans() {
        for t in [&b"1"[..], b"TRUE", b"Yes", b"y", b"t"] {
            assert_eq!(parse_bool(t), Some(true));
        }
        for f in [&b"0"[..], b"false", b"NO", b"n", b"F"] {
            assert_eq!(parse_bool(f), Some(false));
        }
        assert_eq!(parse_bool(b"maybe"), None);
        assert_eq!(parse_bool(b"2"), None);
        assert_eq!(parse_bool(b"truely"), None);
    }

    #[test]
    fn every_one_byte_boolean_follows_the_word_list() {
        for b in 0..=255u8 {
            let word = [b.to_ascii_lowercase()];
            let expected = if [&b"1"[..], b"t", b"y"].contains(&&word[..]) {
                Some(true)
            } else if [&b"0"[..], b"f", b"n"].contains(&&word[..]) {
                Some(false)
            } else {
                None
            };
            assert_eq!(parse_bool(&[b]), expected, "byte {b}");
        }
    }
}
