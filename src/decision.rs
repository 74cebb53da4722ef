//! The decision rule, written once: a score at or above the threshold is a positive decision
//! (a tie counts as selected). The audit, scoring, explanations and the subject export all
//! decide through [`positive`]. A randomised model (a mixture) decides by a reproducible draw,
//! [`drawn`]: `uniform(seed, key) < P`.

/// Whether `score` is a positive decision at `threshold`: `score >= threshold`.
#[inline]
pub fn positive(score: f64, threshold: f64) -> bool {
    score >= threshold
}

/// A reproducible uniform number in [0, 1) for `key` (a row or a person): SplitMix64 of the
/// seed and the key, its top 53 bits.
pub fn uniform(seed: u64, key: u64) -> f64 {
    let mut z = seed
        .wrapping_add(key.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// The key of a person's draw: the FNV-1a hash of their identifier when there is one (the
/// same person gets the same draw in every file and command), else their row's position.
pub fn draw_key(id: Option<&str>, position: u64) -> u64 {
    match id.filter(|s| !s.is_empty()) {
        Some(id) => id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        }),
        None => position,
    }
}

/// A randomised decision with probability `p`: `uniform(seed, key) < p`.
pub fn drawn(p: f64, seed: u64, key: u64) -> bool {
    uniform(seed, key) < p
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tie_is_selected() {
        assert!(super::positive(0.5, 0.5));
        assert!(!super::positive(0.499_999, 0.5));
        assert!(super::positive(1.0, 0.0) && !super::positive(0.0, 1e-12));
    }
}
