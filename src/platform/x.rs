//! X: 280 weighted characters (twitter-text v3), replies form a thread.

use super::{Platform, PlatformId};

pub(crate) struct X;

impl Platform for X {
    fn id(&self) -> PlatformId {
        PlatformId::X
    }
    fn char_limit(&self) -> usize {
        280
    }
    fn threads(&self) -> bool {
        true
    }
}
