//! Spreading independent pieces of work over the cores with scoped threads. Results come
//! back in input order whatever thread computed them, so output never depends on the thread
//! count.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f(0), f(1), ..., f(n - 1)`, computed on up to `available_parallelism` threads that take
/// the next index as they finish one (so uneven pieces balance), returned in index order.
/// A panic in `f` is re-raised on the caller's thread.
pub(crate) fn par_map<R: Send>(n: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (f, next) = (&f, &next);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            return out;
                        }
                        out.push((i, f(i)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::par_map;

    #[test]
    fn results_come_back_in_input_order() {
        // Uneven work, so threads finish out of order.
        let got = par_map(200, |i| {
            let mut x = i as u64;
            for _ in 0..(i % 7) * 1000 {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            (i, x)
        });
        assert_eq!(got.len(), 200);
        assert!(got.iter().enumerate().all(|(k, (i, _))| k == *i));
        assert!(par_map(0, |i| i).is_empty());
        assert_eq!(par_map(1, |i| i + 1), vec![1]);
    }
}
