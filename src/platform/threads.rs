//! Threads (Meta): 500 characters, replies form a thread.

use super::{Platform, PlatformId};

pub(crate) struct Threads;

impl Platform for Threads {
    fn id(&self) -> PlatformId {
        PlatformId::Threads
    }
    fn char_limit(&self) -> usize {
        500
    }
    fn threads(&self) -> bool {
        true
    }
    fn max_media(&self) -> usize {
        10
    }
}
