//! A post already published where the platform cannot edit it, whose text changed: the change
//! will not replace the text but go out as a correction, a reply or comment on the original
//! ([`crate::platform::editing`]). Reviewers should know before they merge, since the original
//! stays up and the correction is public; so this rule is always on, and reads the ledger (the
//! content layer, below `check`) to know what is out.

use std::sync::OnceLock;

use jiff::Timestamp;

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::ledger::Ledger;
use crate::platform::{self, Editing, PlatformId};

pub(crate) fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::new(Correction { ledger: OnceLock::new(), now: Timestamp::now() })]
}

struct Correction {
    /// Read once, on the first post; `None` when there is no readable ledger (`verify`
    /// reports a damaged one).
    ledger: OnceLock<Option<Ledger>>,
    /// For X's edit window.
    now: Timestamp,
}

impl Rule for Correction {
    fn id(&self) -> &str {
        "publish.correction"
    }
    fn level(&self) -> Level {
        Level::Warning
    }
    fn description(&self) -> String {
        "A published post changed on a platform that cannot edit it (Instagram, Threads, X after 30 minutes): the change will go out as a correction on the original.".into()
    }
    fn example(&self) -> String {
        "a post published on Instagram whose text is then changed".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        if ctx.post.draft || ctx.post.retracted.is_some() {
            return;
        }
        let Some(ledger) = self.ledger.get_or_init(|| Ledger::read(&ctx.project.root).ok()) else { return };
        for rendered in ctx.rendered {
            let id = rendered.platform;
            let state = ledger.state(&ctx.post.id, id);
            let (Some(published), Some(latest)) = (state.published, state.latest()) else { continue };
            if state.deleted.is_some() || state.remote.is_none() {
                continue;
            }
            let editing = platform::editing(id);
            if editing.allows(published.at, ledger.edits(&ctx.post.id, id), self.now) {
                continue;
            }
            if latest.content.as_deref() == Some(rendered.payload_hash().as_str()) {
                continue;
            }
            out.on_post(message(id, editing, published.at, &ctx.post.lang)).on_platform(id);
        }
    }
}

/// What will happen, in a sentence a reviewer can act on.
fn message(id: PlatformId, editing: Editing, published: Timestamp, lang: &str) -> String {
    let why = match (id, editing) {
        (PlatformId::Instagram, _) => "Instagram cannot edit a published caption".to_string(),
        (_, Editing::Within { .. }) => format!(
            "{} edits a post only for a short time after posting (this one until {})",
            id.display_name(),
            editing.until(published).map_or_else(String::new, |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        ),
        _ => format!("{} cannot edit a published post", id.display_name()),
    };
    format!(
        "{why}: the change will go out as {} \"{} …\" on the original, which stays as it is. To replace it instead, retract the post (`retracted = \"…\"`) and publish a new one",
        platform::correction_form(id),
        platform::correction_label(lang)
    )
}
