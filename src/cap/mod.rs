//! CAP 1.2 (OASIS Common Alerting Protocol) alerts of crisis posts (issue 6, item 5):
//! `budkavle cap POST` prints one, and the archive publishes each as `cap/<id>.xml` with an
//! Atom index.
//!
//! One job per file: [`model`] is the alert as data, [`build`] makes one from a crisis post and
//! its update chain, [`write`] turns it into XML and [`read`] turns XML back into it (for
//! round-trips and tests). The schema (`CAP-v1.2.xsd`) does not check everything section 3
//! requires; what it misses — `identifier` and `sender` without spaces, commas, `<` or `&`;
//! `references` as `sender,identifier,sent` triples; `sent` with a `±hh:mm` offset, never `Z`
//! — the model enforces.

pub mod build;
pub mod model;
pub mod read;
pub mod write;

pub use build::alert;
pub use model::{Alert, CapTime, MsgType, NAMESPACE, Reference, is_token};
pub use read::{ReadError, from_xml};
pub use write::to_xml;
