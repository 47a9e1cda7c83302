//! Listening: reading back from the platforms what happened to what was published. Each
//! reader goes through the same clients as `publish` ([`crate::clients::connect`]) and writes
//! only to its own record folder, committed like the ledger.

pub mod metrics;
