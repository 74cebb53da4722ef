//! Dates and times: ISO 8601 timestamps to seconds since the epoch and back, and the
//! proleptic Gregorian calendar under them. A leaf: it imports nothing from the crate.

/// Parses an ISO 8601 date (`2024-03-01`) or date-time (`2024-03-01T09:30:00`,
/// `2024-03-01 09:30`, with optional fractional seconds and `Z` or `±HH:MM` offset) into
/// seconds since 1970-01-01T00:00:00Z. A date-time without an offset is taken as UTC.
pub fn parse_timestamp(raw: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(raw).ok()?;
    // ASCII only, so that every byte index below is a character boundary.
    if s.len() < 10 || !s.is_ascii() {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i64 = digits(&date[0..4])?;
    let month: i64 = digits(&date[5..7])?;
    let day: i64 = digits(&date[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // HH:MM[:SS[.fff]]
    if rest.len() < 5 || rest.as_bytes()[2] != b':' {
        return None;
    }
    let hour: i64 = digits(&rest[0..2])?;
    let minute: i64 = digits(&rest[3..5])?;
    let mut tail = &rest[5..];
    let mut second = 0;
    if let Some(t) = tail.strip_prefix(':') {
        if t.len() < 2 {
            return None;
        }
        second = digits(&t[0..2])?;
        tail = &t[2..];
        if let Some(frac) = tail.strip_prefix(['.', ',']) {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            tail = &frac[n..];
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    secs += hour * 3600 + minute * 60 + second;
    let offset = match tail {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = &tail[1..];
            let (h, m) = match o.len() {
                5 if o.as_bytes()[2] == b':' => (&o[0..2], &o[3..5]),
                4 => (&o[0..2], &o[2..4]),
                2 => (o, "00"),
                _ => return None,
            };
            let (h, m): (i64, i64) = (digits(h)?, digits(m)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    Some(secs - offset)
}

/// Formats seconds since the epoch as an ISO 8601 UTC date-time, `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (inverse of
/// [`days_from_civil`]).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_agree_with_known_epochs() {
        // Expected values from Python's datetime.fromisoformat(...).timestamp().
        assert_eq!(parse_timestamp(b"1970-01-01"), Some(0));
        assert_eq!(parse_timestamp(b"2000-01-01T00:00:00Z"), Some(946_684_800));
        assert_eq!(parse_timestamp(b"2024-02-29"), Some(1_709_164_800));
        assert_eq!(parse_timestamp(b"2024-02-29 01:00"), Some(1_709_168_400));
        assert_eq!(
            parse_timestamp(b"2024-02-29T02:00:00.123+01:00"),
            Some(1_709_168_400)
        );
        assert_eq!(
            parse_timestamp(b"2024-02-29T00:30:00-0030"),
            Some(1_709_168_400)
        );
        assert_eq!(parse_timestamp(b"2023-02-29"), None);
        assert_eq!(parse_timestamp(b"2024-13-01"), None);
        assert_eq!(parse_timestamp(b"2024-01-01T25:00"), None);
        assert_eq!(parse_timestamp(b"01/02/2024"), None);
        assert_eq!(parse_timestamp("2024-01-01Té".as_bytes()), None);
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -1, 0, 1, 59, 10_957, 19_782, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_timestamp(1_709_168_400), "2024-02-29T01:00:00Z");
        assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59Z");
    }
}
