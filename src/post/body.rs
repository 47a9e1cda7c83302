//! The Markdown body, parsed once into the small structure every later stage needs: thread
//! parts (split at thematic breaks), blocks, and inline text and links — each with its byte
//! range in the file, so `check` can point at the source and `render` never re-parses.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub parts: Vec<Part>,
    /// `<!-- budkavle-disable rule -->` / `<!-- budkavle-enable rule -->` in file order.
    pub directives: Vec<Directive>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Part {
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub inlines: Vec<Inline>,
    /// Byte range in the whole file.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    Heading(u8),
    /// `number` is set for ordered lists; `depth` starts at 0; `list` tells lists apart.
    ListItem {
        number: Option<u64>,
        depth: usize,
        list: usize,
    },
    Quote,
    Code,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text {
        text: String,
        range: Range<usize>,
    },
    Link {
        text: String,
        url: String,
        range: Range<usize>,
    },
    /// A line break the author made; platforms keep it as a newline.
    Break,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub enable: bool,
    pub rules: Vec<String>,
    pub offset: usize,
}

impl Body {
    /// Every block in every part, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.parts.iter().flat_map(|p| p.blocks.iter())
    }
}

impl Block {
    /// The block's visible text with links shown as their text.
    pub fn plain_text(&self) -> String {
        let mut s = String::new();
        for inline in &self.inlines {
            match inline {
                Inline::Text { text, .. } | Inline::Link { text, .. } => s.push_str(text),
                Inline::Break => s.push('\n'),
            }
        }
        s
    }
}

/// Parses `source[start..]` as CommonMark; ranges are offsets into `source`.
pub(crate) fn parse(source: &str, start: usize) -> Body {
    let text = &source[start..];
    let mut body = Body { parts: vec![Part::default()], directives: Vec::new() };
    let mut builder = Builder::default();
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES).into_offset_iter();
    for (event, r) in parser {
        let range = r.start + start..r.end + start;
        match event {
            Event::Start(tag) => builder.start(tag, range),
            Event::End(tag) => {
                if let Some(block) = builder.end(tag) {
                    builder.done.push(block);
                }
            }
            Event::Text(t) | Event::Code(t) => builder.text(&t, range),
            Event::SoftBreak => builder.text(" ", range),
            Event::HardBreak => builder.push(Inline::Break),
            Event::Rule => {
                if let Some(part) = body.parts.last_mut() {
                    part.blocks.append(&mut builder.done);
                }
                if body.parts.last().is_some_and(|p| !p.blocks.is_empty()) {
                    body.parts.push(Part::default());
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                if let Some(d) = directive(&html, range.start) {
                    body.directives.push(d);
                }
            }
            Event::FootnoteReference(_) | Event::TaskListMarker(_) | Event::InlineMath(_) | Event::DisplayMath(_) => {}
        }
        if let Some(part) = body.parts.last_mut() {
            part.blocks.append(&mut builder.done);
        }
    }
    body.parts.retain(|p| !p.blocks.is_empty());
    body
}

#[derive(Default)]
struct Builder {
    current: Option<Block>,
    /// Open link: url and the text collected so far.
    link: Option<(String, String, Range<usize>)>,
    lists: Vec<Option<u64>>,
    /// Lists started so far, to number them.
    list_count: usize,
    quote_depth: usize,
    /// Inside an image: its alt text is not body text.
    image_depth: usize,
    /// Finished blocks not yet placed in a part.
    done: Vec<Block>,
}

impl Builder {
    fn open(&mut self, kind: BlockKind, range: Range<usize>) {
        if self.current.is_none() {
            let kind = if self.quote_depth > 0 && kind == BlockKind::Paragraph { BlockKind::Quote } else { kind };
            self.current = Some(Block { kind, inlines: Vec::new(), range });
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph => self.open(BlockKind::Paragraph, range),
            Tag::Heading { level, .. } => self.open(BlockKind::Heading(level as u8), range),
            Tag::CodeBlock(_) => self.open(BlockKind::Code, range),
            Tag::BlockQuote(_) => self.quote_depth += 1,
            Tag::List(first) => {
                self.lists.push(first);
                self.list_count += 1;
            }
            Tag::Item => {
                // A nested list ends the text of the item that holds it.
                if let Some(parent) = self.current.take().filter(|b| !b.inlines.is_empty()) {
                    self.done.push(parent);
                }
                let depth = self.lists.len().saturating_sub(1);
                let number = self.lists.last().copied().flatten();
                if let Some(Some(n)) = self.lists.last_mut() {
                    *n += 1;
                }
                let list = self.list_count;
                self.current =
                    Some(Block { kind: BlockKind::ListItem { number, depth, list }, inlines: Vec::new(), range });
            }
            Tag::Link { dest_url, .. } => self.link = Some((dest_url.to_string(), String::new(), range)),
            Tag::Image { .. } => self.image_depth += 1,
            _ => {}
        }
    }

    /// Returns a finished block.
    fn end(&mut self, tag: TagEnd) -> Option<Block> {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock => {
                // A paragraph inside a list item continues the item.
                if matches!(self.current.as_ref().map(|b| b.kind), Some(BlockKind::ListItem { .. })) {
                    return None;
                }
                self.current.take().filter(|b| !b.inlines.is_empty())
            }
            TagEnd::Item => self.current.take().filter(|b| !b.inlines.is_empty()),
            TagEnd::List(_) => {
                self.lists.pop();
                None
            }
            TagEnd::BlockQuote(_) => {
                self.quote_depth = self.quote_depth.saturating_sub(1);
                None
            }
            TagEnd::Link => {
                let (url, text, range) = self.link.take()?;
                self.push(Inline::Link { text, url, range });
                None
            }
            TagEnd::Image => {
                self.image_depth = self.image_depth.saturating_sub(1);
                None
            }
            _ => None,
        }
    }

    fn text(&mut self, t: &str, range: Range<usize>) {
        if self.image_depth > 0 {
            return;
        }
        if let Some((_, text, _)) = self.link.as_mut() {
            text.push_str(t);
            return;
        }
        if self.current.is_none() {
            self.open(BlockKind::Paragraph, range.clone());
        }
        if let Some(Inline::Text { text, range: r }) = self.current.as_mut().and_then(|b| b.inlines.last_mut())
            && (r.end == range.start || t == " ")
        {
            text.push_str(t);
            r.end = r.end.max(range.end);
            return;
        }
        self.push(Inline::Text { text: t.to_string(), range });
    }

    fn push(&mut self, inline: Inline) {
        if let Some(block) = self.current.as_mut() {
            block.inlines.push(inline);
        }
    }
}

fn directive(html: &str, offset: usize) -> Option<Directive> {
    let inner = html.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let (enable, rest) = if let Some(r) = inner.strip_prefix("budkavle-disable") {
        (false, r)
    } else {
        (true, inner.strip_prefix("budkavle-enable")?)
    };
    let rules = rest.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_string).collect();
    Some(Directive { enable, rules, offset })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(b: &Body) -> Vec<Vec<String>> {
        b.parts.iter().map(|p| p.blocks.iter().map(Block::plain_text).collect()).collect()
    }

    #[test]
    fn thematic_breaks_split_parts() {
        let b = parse("Första *delen*.\n\n---\n\nAndra **delen**.\n", 0);
        assert_eq!(texts(&b), vec![vec!["Första delen.".to_string()], vec!["Andra delen.".to_string()]]);
    }

    #[test]
    fn lists_links_and_ranges() {
        let src = "x\n- ett\n- [två](https://a.se)\n\n1. a\n2. b\n";
        let b = parse(src, 2);
        let blocks: Vec<_> = b.blocks().collect();
        assert_eq!(blocks[0].kind, BlockKind::ListItem { number: None, depth: 0, list: 1 });
        assert_eq!(blocks[3].kind, BlockKind::ListItem { number: Some(2), depth: 0, list: 2 });
        match &blocks[1].inlines[0] {
            Inline::Link { text, url, range } => {
                assert_eq!((text.as_str(), url.as_str()), ("två", "https://a.se"));
                assert_eq!(&src[range.clone()], "[två](https://a.se)");
            }
            other => panic!("{other:?}"),
        }
        match &blocks[0].inlines[0] {
            Inline::Text { range, .. } => assert_eq!(&src[range.clone()], "ett"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nested_lists_keep_every_item() {
        let b = parse("- ett\n  - ett a\n  - ett b\n- två\n", 0);
        let items: Vec<_> = b.blocks().map(|b| (b.plain_text(), b.kind)).collect();
        assert_eq!(items.len(), 4, "{items:?}");
        assert_eq!(items[0].0, "ett");
        assert!(matches!(items[1].1, BlockKind::ListItem { depth: 1, .. }));
        assert_eq!(items[3].0, "två");
    }

    #[test]
    fn directives_are_found() {
        let b = parse(
            "<!-- budkavle-disable klarsprak.erhalla -->\nVi erhåller.\n<!-- budkavle-enable klarsprak.erhalla -->\n",
            0,
        );
        assert_eq!(b.directives.len(), 2);
        assert!(!b.directives[0].enable);
        assert_eq!(b.directives[0].rules, vec!["klarsprak.erhalla"]);
    }

    #[test]
    fn soft_breaks_join_lines() {
        let b = parse("Rad ett\nrad två.", 0);
        assert_eq!(texts(&b), vec![vec!["Rad ett rad två.".to_string()]]);
    }
}
