//! The `limits` pack: what a platform will refuse — text over its limit, too many images or
//! hashtags, Instagram without an image. Measured on the rendered text, the same bytes `publish`
//! sends.

use crate::check::Level;
use crate::check::rule::{Emitter, PostCtx, Rule};
use crate::platform;

pub(crate) fn rules() -> Vec<Box<dyn Rule>> {
    vec![Box::new(Length), Box::new(Media)]
}

struct Length;

impl Rule for Length {
    fn id(&self) -> &str {
        "limits.length"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "Rendered text over a platform's limit, in that platform's own counting (and Bluesky's 3000 bytes).".into()
    }
    fn example(&self) -> String {
        "A 600-character paragraph with no sentence break, posted to X.".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let body = body_range(ctx);
        for r in ctx.rendered {
            let name = r.platform.display_name();
            let total = r.parts.len();
            for (i, part) in r.parts.iter().enumerate() {
                let which = if total > 1 { format!(" (part {}/{total})", i + 1) } else { String::new() };
                if part.length > r.limit {
                    out.at_file(
                        body.clone(),
                        format!(
                            "{name}{which} is {} characters, {} over the limit of {}",
                            part.length,
                            part.length - r.limit,
                            r.limit
                        ),
                    )
                    .on_platform(r.platform);
                }
                if let Some(max) = r.max_bytes.filter(|max| part.bytes > *max) {
                    out.at_file(
                        body.clone(),
                        format!("{name}{which} is {} bytes, over the limit of {max}", part.bytes),
                    )
                    .with_rule_suffix("bytes")
                    .on_platform(r.platform);
                }
            }
        }
    }
}

struct Media;

impl Rule for Media {
    fn id(&self) -> &str {
        "limits.media"
    }
    fn level(&self) -> Level {
        Level::Error
    }
    fn description(&self) -> String {
        "Images a platform needs or refuses: Instagram needs one, each platform has a maximum; Instagram takes at most 30 hashtags.".into()
    }
    fn example(&self) -> String {
        "A post without [[media]] that goes to Instagram.".into()
    }

    fn check_post(&self, ctx: &PostCtx<'_>, out: &mut Emitter<'_>) {
        let body = body_range(ctx);
        for r in ctx.rendered {
            let p = platform::get(r.platform);
            let name = r.platform.display_name();
            if p.requires_media() && r.media.is_empty() {
                out.at_file(
                    body.clone(),
                    format!(
                        "{name} needs an image; add [[media]] or skip {name} with [platform.{}] skip = true",
                        r.platform
                    ),
                )
                .with_rule_suffix("required")
                .on_platform(r.platform);
            }
            if r.media.len() > p.max_media() {
                out.at_file(
                    body.clone(),
                    format!("{name} takes at most {} images, this post has {}", p.max_media(), r.media.len()),
                )
                .on_platform(r.platform);
            }
            if let Some(max) = p.max_hashtags() {
                let tags = ctx.post.tags_for(r.platform).len();
                if tags > max {
                    out.at_file(body.clone(), format!("{name} takes at most {max} hashtags, this post has {tags}"))
                        .with_rule_suffix("hashtags")
                        .on_platform(r.platform);
                }
            }
        }
    }
}

/// Limit findings concern the text as a whole: they point at the start of the body.
fn body_range(ctx: &PostCtx<'_>) -> std::ops::Range<usize> {
    ctx.post.body().blocks().next().map_or(0..0, |b| b.range.start..b.range.start)
}
