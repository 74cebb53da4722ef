//! The decision rule, written once: a score at or above the threshold is a positive decision
//! (a tie counts as selected). The audit, scoring, explanations and the subject export all
//! decide through [`positive`].

/// Whether `score` is a positive decision at `threshold`: `score >= threshold`.
#[inline]
pub fn positive(score: f64, threshold: f64) -> bool {
    score >= threshold
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
