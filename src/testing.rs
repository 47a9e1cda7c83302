//! What unit tests share.

/// A seeded pseudo-random `next(n)` in `0..n` (a 64-bit LCG): the tests that hold a fast path
/// to its plain reference on generated inputs get the same inputs on every run.
pub(crate) fn seeded(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        usize::try_from(seed >> 33).unwrap_or(0) % n
    }
}
