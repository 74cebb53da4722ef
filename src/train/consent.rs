//! The lawful-basis filter: which rows training and scoring may process.
//!
//! A row is kept when its consent flag is true and, when a consent timestamp column and an
//! as-of date are given, its consent timestamp is present and not later than the as-of
//! date. Every other row is excluded and counted by reason. Without a consent column every
//! row is kept (and the artifact says that no consent column was given).

use super::model::Exclusions;

/// Which rows may be processed, and why the others may not.
pub fn consent_filter(
    n: usize,
    consent: Option<&[Option<bool>]>,
    timestamp: Option<&[f64]>,
    as_of: Option<i64>,
) -> (Vec<bool>, Exclusions) {
    let mut keep = vec![true; n];
    let mut ex = Exclusions::default();
    let Some(flags) = consent else {
        return (keep, ex);
    };
    for (i, k) in keep.iter_mut().enumerate() {
        match flags.get(i).copied().flatten() {
            Some(false) => {
                ex.consent_refused += 1;
                *k = false;
            }
            None => {
                ex.consent_missing += 1;
                *k = false;
            }
            Some(true) => {
                if let (Some(ts), Some(limit)) = (timestamp, as_of) {
                    let t = ts.get(i).copied().unwrap_or(f64::NAN);
                    if t.is_nan() {
                        ex.consent_timestamp_missing += 1;
                        *k = false;
                    } else if t > limit as f64 {
                        ex.consent_after_as_of += 1;
                        *k = false;
                    }
                }
            }
        }
    }
    (keep, ex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_reason() {
        let flags = [Some(true), Some(false), None, Some(true), Some(true)];
        let ts = [10.0, 10.0, f64::NAN, 30.0, f64::NAN];
        let (keep, ex) = consent_filter(5, Some(&flags), Some(&ts), Some(20));
        assert_eq!(keep, [true, false, false, false, false]);
        assert_eq!(
            (
                ex.consent_refused,
                ex.consent_missing,
                ex.consent_after_as_of,
                ex.consent_timestamp_missing
            ),
            (1, 1, 1, 1)
        );
        let (keep, ex) = consent_filter(5, Some(&flags), None, None);
        assert_eq!(keep.iter().filter(|k| **k).count(), 3);
        assert_eq!(ex.total(), 2);
        assert_eq!(consent_filter(2, None, None, None).0, [true, true]);
    }
}
