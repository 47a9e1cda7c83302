//! budkavle: social media as code for public-sector communications teams.
//!
//! A [`Project`] (the strategy, the theme and every post) is loaded once; every command is a
//! function of it. The command line itself is the binary's `src/cmd/`, one file per command.
//! See `DESIGN.md` in the shared design for the file formats.
//!
//! # Layers
//!
//! The modules form layers, bottom up. A module imports only from modules listed before it
//! (its own layer included, in this order), never from one after it: `tests/layers.rs` reads
//! this list and every `use crate::` line and names each import that goes upwards.
//!
//! <!-- layers: the test parses the lines between these markers -->
//! - foundations: `testing` (tests only), `error`, `fsutil`, `lock`, `toml_diag`, `json`, `output`, `escape`, `lang`, `datetime`,
//!   `id`, `kind`
//! - platform rules (pure): `platform`, `media`
//! - the content: `strategy`, `post`, `theme`, `project`, `crisis`, `cadence`, `ledger`, `git`
//! - rendering: `render`
//! - checking: `check`
//! - scheduling: `schedule`
//! - listening (stored records): `metrics`, `inbox`
//! - outputs: `cap`, `report`, `site`, `calendar`, `preview`, `build`
//! - sending: `clients`, `doctor`, `publish`, `pull`, `respond`
//! - tools: `serve`, `scaffold`
//! <!-- /layers -->

pub mod datetime;
pub mod error;
pub mod escape;
mod fsutil;
pub mod id;
mod json;
pub mod kind;
pub mod lang;
pub mod lock;
pub mod output;
#[cfg(test)]
mod testing;
mod toml_diag;

pub mod media;
pub mod platform;

pub mod cadence;
pub mod crisis;
pub mod git;
pub mod ledger;
pub mod post;
pub mod project;
pub mod strategy;
pub mod theme;

pub mod render;

pub mod check;

pub mod schedule;

pub mod inbox;
pub mod metrics;

pub mod build;
pub mod calendar;
pub mod cap;
pub mod preview;
pub mod report;
pub mod site;

pub mod clients;
pub mod doctor;
pub mod publish;
pub mod pull;
pub mod respond;

pub mod scaffold;
pub mod serve;

pub use error::{Diagnostic, Error, Result};
pub use output::WriteStats;
pub use platform::PlatformId;
pub use project::Project;
pub use render::{Rendered, render};
