//! Retrying transient failures within a budget: exponential backoff with full jitter, never
//! less than what the server asked for (`Retry-After`, rate-limit reset), and never past the
//! run's deadline — a pair that runs out of budget waits for the next scheduled run instead of
//! keeping CI busy.

use std::time::{Duration, Instant};

use crate::clients::api::SendError;

/// How hard one run tries.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Tries per request, the first included.
    pub attempts: u32,
    /// The first backoff; doubled per retry, with jitter.
    pub base: Duration,
    /// The longest single wait.
    pub max_wait: Duration,
    /// When the whole run stops retrying.
    pub deadline: Instant,
}

impl Budget {
    pub fn new(total: Duration) -> Budget {
        Budget {
            attempts: 5,
            base: Duration::from_millis(500),
            max_wait: Duration::from_secs(60),
            deadline: Instant::now() + total,
        }
    }
}

/// Calls `send` until it succeeds, fails permanently, or the budget is spent; returns the last
/// result and how many tries it took.
pub fn with_retry<T>(budget: &Budget, mut send: impl FnMut() -> Result<T, SendError>) -> (Result<T, SendError>, u32) {
    let mut tries = 0;
    loop {
        tries += 1;
        let error = match send() {
            Ok(v) => return (Ok(v), tries),
            Err(e @ SendError::Permanent { .. }) => return (Err(e), tries),
            Err(e) => e,
        };
        let asked = match &error {
            SendError::Transient { retry_after, .. } => *retry_after,
            SendError::Permanent { .. } => None,
        };
        let wait = backoff(budget, tries, asked);
        if tries >= budget.attempts || Instant::now() + wait > budget.deadline {
            return (Err(error), tries);
        }
        std::thread::sleep(wait);
    }
}

/// Full jitter (a random wait up to the exponential step) keeps many publishers that failed
/// together from retrying together; a server's own request is honoured as a floor.
fn backoff(budget: &Budget, tries: u32, asked: Option<Duration>) -> Duration {
    let step = budget.base.saturating_mul(1 << tries.min(16).saturating_sub(1)).min(budget.max_wait);
    let jittered = step.mul_f64(jitter());
    match asked {
        Some(asked) => asked.max(jittered),
        None => jittered.max(Duration::from_millis(50)),
    }
}

/// A number in [0.5, 1): enough randomness to spread retries, no dependency for it.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    0.5 + (h.finish() >> 11) as f64 / (1u64 << 53) as f64 / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::api::ErrorKind;

    fn quick() -> Budget {
        Budget {
            attempts: 4,
            base: Duration::from_millis(1),
            max_wait: Duration::from_millis(5),
            deadline: Instant::now() + Duration::from_secs(5),
        }
    }

    #[test]
    fn transient_failures_are_retried_until_success() {
        let mut calls = 0;
        let (result, tries) = with_retry(&quick(), || {
            calls += 1;
            if calls < 3 { Err(SendError::transient("503")) } else { Ok(calls) }
        });
        assert_eq!(result, Ok(3));
        assert_eq!(tries, 3);
    }

    #[test]
    fn permanent_failures_are_not_retried() {
        let (result, tries) = with_retry::<()>(&quick(), || Err(SendError::permanent(ErrorKind::Auth, "401")));
        assert!(matches!(result, Err(SendError::Permanent { .. })));
        assert_eq!(tries, 1);
    }

    #[test]
    fn the_attempt_budget_ends_retrying() {
        let (result, tries) = with_retry::<()>(&quick(), || Err(SendError::transient("timeout")));
        assert!(result.is_err());
        assert_eq!(tries, 4);
    }

    #[test]
    fn a_wait_past_the_deadline_is_not_taken() {
        let budget = Budget { deadline: Instant::now() + Duration::from_millis(100), ..quick() };
        let started = Instant::now();
        let (result, tries) = with_retry::<()>(&budget, || {
            Err(SendError::Transient { message: "429".into(), retry_after: Some(Duration::from_secs(30)) })
        });
        assert!(result.is_err());
        assert_eq!(tries, 1);
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn the_server_asked_wait_is_a_floor() {
        let b = quick();
        for tries in 1..5 {
            let w = backoff(&b, tries, Some(Duration::from_millis(40)));
            assert!(w >= Duration::from_millis(40));
            let w = backoff(&b, tries, None);
            assert!(w <= b.max_wait.max(Duration::from_millis(50)));
        }
    }
}
