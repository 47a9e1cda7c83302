//! The `limits` pack: what a platform will refuse — text over its limit, too many images or
//! hashtags, Instagram without an image. Measured on the rendered text, the same bytes `publish`
//! sends.

use crate::check::{Finding, Level};
use crate::platform::{self, Platform};
use crate::post::Post;
use crate::render::Rendered;

pub(crate) fn check(post: &Post, rendered: &Rendered, out: &mut Vec<Finding>) {
    let platform = platform::get(rendered.platform);
    let (line, column) = body_position(post);
    let finding = |rule: &str, message: String| Finding {
        file: post.path.clone(),
        line,
        column,
        end_line: line,
        end_column: column,
        rule: rule.to_string(),
        level: Level::Error,
        message,
        fix: None,
        platform: Some(rendered.platform),
    };
    let total = rendered.parts.len();
    for (i, part) in rendered.parts.iter().enumerate() {
        let which = if total > 1 { format!(" (part {}/{total})", i + 1) } else { String::new() };
        if part.length > rendered.limit {
            out.push(finding(
                "limits.length",
                format!(
                    "{}{which} is {} characters, {} over the limit of {}",
                    platform.id().display_name(),
                    part.length,
                    part.length - rendered.limit,
                    rendered.limit
                ),
            ));
        }
        if let Some(max) = rendered.max_bytes.filter(|max| part.bytes > *max) {
            out.push(finding(
                "limits.bytes",
                format!("{}{which} is {} bytes, over the limit of {max}", platform.id().display_name(), part.bytes),
            ));
        }
    }
    media(platform, post, rendered, &finding, out);
}

fn media(
    platform: &dyn Platform,
    post: &Post,
    rendered: &Rendered,
    finding: &dyn Fn(&str, String) -> Finding,
    out: &mut Vec<Finding>,
) {
    let name = platform.id().display_name();
    if platform.requires_media() && rendered.media.is_empty() {
        out.push(finding("limits.media-required", format!("{name} needs an image; add [[media]] or skip {name} with [platform.{}] skip = true", platform.id())));
    }
    if rendered.media.len() > platform.max_media() {
        out.push(finding("limits.media-count", format!("{name} takes at most {} images, this post has {}", platform.max_media(), rendered.media.len())));
    }
    if let Some(max) = platform.max_hashtags() {
        let tags = post.tags_for(platform.id()).len();
        if tags > max {
            out.push(finding("limits.hashtags", format!("{name} takes at most {max} hashtags, this post has {tags}")));
        }
    }
}

/// Where the body starts: limit findings concern the text as a whole.
fn body_position(post: &Post) -> (usize, usize) {
    post.body.blocks().next().map_or((1, 1), |b| post.position(b.range.start))
}
