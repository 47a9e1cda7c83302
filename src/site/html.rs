//! Post bodies as safe HTML: Markdown through pulldown-cmark, then ammonia, so nothing a post,
//! title, tag or alt text contains can add markup or run script in the archive.

use pulldown_cmark::{Options, Parser, html};

use crate::post::Post;
use crate::project::Project;
use crate::site::{MediaView, PostView, Record};

/// Markdown → sanitised HTML. Links get `rel="noopener noreferrer"`; images in the body are
/// dropped (a post's images are its `[[media]]`, shown with their alt text).
pub(crate) fn markdown_to_html(markdown: &str) -> String {
    let mut raw = String::new();
    html::push_html(&mut raw, Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES));
    ammonia::Builder::default()
        .rm_tags(&["img"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["https", "http", "mailto", "tel"].into_iter().collect())
        .clean(&raw)
        .to_string()
}

pub(crate) fn post_view(project: &Project, record: &Record, post: &Post) -> PostView {
    let tz = project.strategy.timezone.clone();
    let body = post.source.get(body_start(post)..).unwrap_or("");
    PostView {
        id: post.id.clone(),
        title: post.title.clone(),
        lang: post.lang.clone(),
        date: post.date.map(|d| d.to_string()),
        date_local: post.date.map(|d| d.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()),
        html: markdown_to_html(&strip_directives(body)),
        tags: post.tags.clone(),
        goal: post.goal.clone(),
        kind: post.kind.name(),
        media: post
            .media
            .iter()
            .map(|m| MediaView { src: format!("/media/{}", m.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()), alt: m.alt.clone() })
            .collect(),
        published: record.published.get(&post.id).cloned().unwrap_or_default(),
        retracted: post.retracted.clone(),
        url: format!("/p/{}/", post.id),
    }
}

fn body_start(post: &Post) -> usize {
    post.body_offset
}

fn strip_directives(body: &str) -> String {
    body.lines().filter(|l| !l.trim_start().starts_with("<!-- budkavle-")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_cannot_get_through() {
        let html = markdown_to_html(
            "Hej <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> <a href=\"https://a.se\" onclick=\"alert(1)\">a</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("onerror") && !html.contains("onclick"), "{html}");
        assert!(html.contains("href=\"https://a.se\""), "{html}");
    }
}
