//! budkavle: social media as code for public-sector communications teams.
//!
//! The pipeline is load → check → render → site → publish → ledger. A [`Project`] is loaded
//! once; every command is a function of it. See `DESIGN.md` in the shared design for formats.

pub mod build;
pub mod calendar;
pub mod cap;
pub use output::WriteStats;
pub mod check;
pub mod error;
pub mod git;
pub mod ledger;
pub mod media;
pub mod platform;
pub mod post;
pub mod preview;
pub mod project;
pub mod publish;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod strategy;

mod fsutil;
mod output;
mod toml_diag;

pub use error::{Diagnostic, Error, Result};
pub use platform::PlatformId;
pub use project::Project;
pub use render::{Rendered, render};
