//! A post that still holds the text `budkavle new` wrote into it: never ready, whatever packs
//! the strategy turns on, so this rule is always on.

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::post::PLACEHOLDERS;

pub(crate) fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::new(Placeholder)]
}

struct Placeholder;

impl Rule for Placeholder {
    fn id(&self) -> &str {
        "post.placeholder"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "The placeholder text `budkavle new` writes is still in the post: it would be published as it is.".into()
    }
    fn example(&self) -> String {
        PLACEHOLDERS[0].into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let body_start = ctx.post.body_offset.min(ctx.post.source.len());
        let body = &ctx.post.source[body_start..];
        for placeholder in PLACEHOLDERS {
            for (at, _) in body.match_indices(placeholder) {
                let start = body_start + at;
                out.at_file(
                    start..start + placeholder.len(),
                    "the placeholder from `budkavle new` is still here: replace it with the post's text",
                );
            }
        }
    }
}
