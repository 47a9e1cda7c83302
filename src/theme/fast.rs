//! Platform templates evaluated without Tera's renderer when they only print and test the
//! per-part variables (`{{ text }}`, `{% if last and hashtags %}` …), as the default theme's do.
//!
//! A check renders every post to each of its platforms, and a thread part through its template
//! once or twice more while it is split: building a Tera context (the post as JSON) and cloning
//! it per part cost more than the rest of the templating. The pieces walk the tree Tera would
//! (its whitespace control applied) and print the same bytes; anything else in a template —
//! filters, other variables, loops, `set`, includes, comparisons — leaves that template to Tera.
//!
//! A template of the subset is also parsed here rather than by Tera ([`FastTemplate::parse`]):
//! Tera's parser (pest) took 6 M instructions for the seven default templates, more than checking
//! a post does. The parser accepts only what Tera's grammar accepts, builds the tree Tera builds
//! and applies Tera's whitespace control (`remove_whitespace`, ported); anything it is not sure
//! of — another tag, a filter, a malformed tag — goes to Tera, which also reports the errors. A
//! test holds the two to each other on generated templates.

use tera::ast::{Expr, ExprVal, LogicExpr, LogicOperator, Node};

/// The variables a fast template can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Var {
    Text,
    Hashtags,
    Signature,
    Platform,
    Link,
    Updated,
    First,
    Last,
    Part,
    Parts,
}

impl Var {
    fn of(name: &str) -> Option<Var> {
        Some(match name {
            "text" => Var::Text,
            "hashtags" => Var::Hashtags,
            "signature" => Var::Signature,
            "platform" => Var::Platform,
            "link" => Var::Link,
            "updated" => Var::Updated,
            "first" => Var::First,
            "last" => Var::Last,
            "part" => Var::Part,
            "parts" => Var::Parts,
            _ => return None,
        })
    }
}

#[derive(Debug)]
enum Cond {
    Var(Var),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Debug)]
enum Piece {
    Text(String),
    Var(Var),
    If(Vec<(Cond, Vec<Piece>)>, Option<Vec<Piece>>),
}

/// A template of the supported subset, ready to apply.
#[derive(Debug)]
pub(crate) struct FastTemplate(Vec<Piece>);

/// The values of one application of a template: what `render::Templates` gives Tera too.
pub(crate) struct Vars<'a> {
    pub text: &'a str,
    pub hashtags: &'a str,
    pub signature: Option<&'a str>,
    pub platform: &'a str,
    pub link: Option<&'a str>,
    pub updated: Option<&'a str>,
    pub first: bool,
    pub last: bool,
    pub part: usize,
    pub parts: usize,
}

/// A value as Tera holds it in the context (a JSON value), for printing and truthiness.
enum Value<'a> {
    Str(&'a str),
    Null,
    Bool(bool),
    Num(usize),
}

impl<'a> Vars<'a> {
    fn get(&self, var: Var) -> Value<'a> {
        let opt = |s: Option<&'a str>| s.map_or(Value::Null, Value::Str);
        match var {
            Var::Text => Value::Str(self.text),
            Var::Hashtags => Value::Str(self.hashtags),
            Var::Signature => opt(self.signature),
            Var::Platform => Value::Str(self.platform),
            Var::Link => opt(self.link),
            Var::Updated => opt(self.updated),
            Var::First => Value::Bool(self.first),
            Var::Last => Value::Bool(self.last),
            Var::Part => Value::Num(self.part),
            Var::Parts => Value::Num(self.parts),
        }
    }
}

impl FastTemplate {
    /// The template as pieces, or `None` when it uses anything outside the subset.
    pub(crate) fn compile(ast: &[Node]) -> Option<FastTemplate> {
        pieces(ast).map(FastTemplate)
    }

    /// Appends the template's output for `vars` to `out`, as Tera would write it.
    pub(crate) fn apply(&self, vars: &Vars<'_>, out: &mut String) {
        write(&self.0, vars, out);
    }
}

/// Tera's `WHITESPACE`: between the words of a tag, and nothing else.
const TAG_SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// The whitespace control of a tag: `{%-` trims the text before it, `-%}` the text after.
#[derive(Debug, Clone, Copy, Default)]
struct Ws {
    left: bool,
    right: bool,
}

/// A template of the subset as Tera's parser reads it, before whitespace control.
enum Parsed {
    Text(String),
    Var(Ws, Var),
    Comment(Ws),
    If(Vec<(Ws, Cond, Vec<Parsed>)>, Option<(Ws, Vec<Parsed>)>, Ws),
}

impl FastTemplate {
    /// The template parsed without Tera, or `None` when it is not (certainly) of the subset, or
    /// not valid: Tera then parses it, and reports what is wrong.
    pub(crate) fn parse(source: &str) -> Option<FastTemplate> {
        let mut p = Parser { src: source, pos: 0 };
        // Tera's grammar reads comments at the very start of a template apart, and drops them
        // before whitespace control: their `-#}` trims nothing.
        while p.rest().starts_with("{#") {
            p.comment()?;
        }
        let nodes = p.content()?;
        if !p.rest().is_empty() {
            return None;
        }
        Some(FastTemplate(to_pieces(remove_whitespace(nodes, None))))
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
        }
        found
    }

    /// Skips Tera's whitespace; how much.
    fn skip_space(&mut self) -> usize {
        let rest = self.rest();
        let n = rest.len() - rest.trim_start_matches(TAG_SPACE).len();
        self.pos += n;
        n
    }

    /// Nodes up to the end, or up to a `{%` tag other than `if` (left unread for the caller).
    fn content(&mut self) -> Option<Vec<Parsed>> {
        let mut nodes = Vec::new();
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return Some(nodes);
            }
            if rest.starts_with("{{") {
                nodes.push(self.variable()?);
            } else if rest.starts_with("{#") {
                nodes.push(Parsed::Comment(self.comment()?));
            } else if rest.starts_with("{%") {
                let at = self.pos;
                let left = self.tag_start()?;
                self.skip_space();
                if self.eat("if") && self.skip_space() > 0 {
                    nodes.push(self.if_block(left)?);
                } else {
                    self.pos = at;
                    return Some(nodes);
                }
            } else {
                let end = block_start(rest).unwrap_or(rest.len());
                nodes.push(Parsed::Text(rest[..end].to_string()));
                self.pos += end;
            }
        }
    }

    fn tag_start(&mut self) -> Option<bool> {
        if self.eat("{%-") { Some(true) } else { self.eat("{%").then_some(false) }
    }

    fn tag_end(&mut self) -> Option<bool> {
        if self.eat("-%}") { Some(true) } else { self.eat("%}").then_some(false) }
    }

    /// `{{ var }}`, a bare variable of the subset.
    fn variable(&mut self) -> Option<Parsed> {
        let left = self.eat("{{-");
        if !left {
            self.eat("{{");
        }
        self.skip_space();
        let var = self.var()?;
        self.skip_space();
        let right = if self.eat("-}}") {
            true
        } else if self.eat("}}") {
            false
        } else {
            return None;
        };
        Some(Parsed::Var(Ws { left, right }, var))
    }

    /// `{# … #}`: at least one character up to the first `#}` or `-#}`.
    fn comment(&mut self) -> Option<Ws> {
        let left = self.eat("{#-");
        if !left {
            self.eat("{#");
        }
        let rest = self.rest();
        let close = rest.find("#}")?;
        let right = close > 0 && rest.as_bytes()[close - 1] == b'-';
        let text_end = if right { close - 1 } else { close };
        if text_end == 0 {
            return None;
        }
        self.pos += close + 2;
        Some(Ws { left, right })
    }

    /// An identifier as Tera reads one, when it is one of the subset's variables.
    fn var(&mut self) -> Option<Var> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
            .map_or(rest.len(), |(i, _)| i);
        let var = Var::of(&rest[..len])?;
        self.pos += len;
        Some(var)
    }

    /// `a and b or c`: variables joined by `and` (binding closer) and `or`.
    fn cond(&mut self) -> Option<Cond> {
        let mut any: Option<Cond> = None;
        let mut all = Cond::Var(self.var()?);
        loop {
            let at = self.pos;
            self.skip_space();
            let rest = self.rest();
            let op =
                ["and", "or"].into_iter().find(|op| rest.strip_prefix(op).is_some_and(|r| r.starts_with(TAG_SPACE)));
            let Some(op) = op else {
                self.pos = at;
                break;
            };
            self.pos += op.len();
            self.skip_space();
            let next = Cond::Var(self.var()?);
            if op == "and" {
                all = Cond::And(Box::new(all), Box::new(next));
            } else {
                any = Some(match any {
                    Some(a) => Cond::Or(Box::new(a), Box::new(all)),
                    None => all,
                });
                all = next;
            }
        }
        Some(match any {
            Some(a) => Cond::Or(Box::new(a), Box::new(all)),
            None => all,
        })
    }

    /// The rest of `{% if cond %}…{% elif cond %}…{% else %}…{% endif %}`, after `if `.
    fn if_block(&mut self, left: bool) -> Option<Parsed> {
        let mut conditions = Vec::new();
        let mut ws = Ws { left, right: false };
        let mut cond = self.cond()?;
        self.skip_space();
        ws.right = self.tag_end()?;
        loop {
            let body = self.content()?;
            let left = self.tag_start()?;
            self.skip_space();
            let rest = self.rest();
            if rest.strip_prefix("elif").is_some_and(|r| r.starts_with(TAG_SPACE)) {
                self.pos += "elif".len();
                self.skip_space();
                conditions.push((ws, cond, body));
                ws = Ws { left, right: false };
                cond = self.cond()?;
                self.skip_space();
                ws.right = self.tag_end()?;
                continue;
            }
            if self.eat("else") {
                self.skip_space();
                let right = self.tag_end()?;
                conditions.push((ws, cond, body));
                let otherwise = Some((Ws { left, right }, self.content()?));
                let left = self.tag_start()?;
                self.skip_space();
                let end = self.end_if(left)?;
                return Some(Parsed::If(conditions, otherwise, end));
            }
            conditions.push((ws, cond, body));
            let end = self.end_if(left)?;
            return Some(Parsed::If(conditions, None, end));
        }
    }

    /// `endif %}` after the tag's start.
    fn end_if(&mut self, left: bool) -> Option<Ws> {
        if !self.eat("endif") {
            return None;
        }
        self.skip_space();
        Some(Ws { left, right: self.tag_end()? })
    }
}

/// Where the next tag starts: `{{`, `{%` or `{#`.
fn block_start(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(1)).find(|&i| b[i] == b'{' && matches!(b[i + 1], b'{' | b'%' | b'#'))
}

/// Drops the last node if it is text that is all whitespace, else trims its end.
fn trim_last(nodes: &mut Vec<Parsed>) {
    if let Some(Parsed::Text(s)) = nodes.last_mut() {
        let len = s.trim_end().len();
        if len == 0 {
            nodes.pop();
        } else {
            s.truncate(len);
        }
    }
}

/// Tera's whitespace control (`tera::parser::whitespace::remove_whitespace`), for the nodes of
/// the subset.
fn remove_whitespace(nodes: Vec<Parsed>, body_ws: Option<Ws>) -> Vec<Parsed> {
    let mut res = Vec::with_capacity(nodes.len());
    let mut previous_was_text = false;
    let mut trim_left_next = body_ws.is_some_and(|ws| ws.left);
    for n in nodes {
        match n {
            Parsed::Text(s) => {
                previous_was_text = true;
                if !trim_left_next {
                    res.push(Parsed::Text(s));
                    continue;
                }
                trim_left_next = false;
                let t = s.trim_start();
                if !t.is_empty() {
                    res.push(Parsed::Text(t.to_string()));
                }
                continue;
            }
            Parsed::Var(ws, _) | Parsed::Comment(ws) => {
                if previous_was_text && ws.left {
                    trim_last(&mut res);
                }
                trim_left_next = ws.right;
            }
            Parsed::If(conditions, otherwise, end_ws) => {
                trim_left_next = end_ws.right;
                let mut new_conditions: Vec<(Ws, Cond, Vec<Parsed>)> = Vec::with_capacity(conditions.len());
                for (ws, cond, body) in conditions {
                    if ws.left {
                        if new_conditions.is_empty() && previous_was_text {
                            trim_last(&mut res);
                        } else if let Some((_, _, body)) = new_conditions.last_mut() {
                            trim_last(body);
                        }
                    }
                    let body = remove_whitespace(body, Some(Ws { left: ws.right, right: false }));
                    new_conditions.push((ws, cond, body));
                }
                previous_was_text = false;
                if let Some((else_ws, body)) = otherwise {
                    if else_ws.left
                        && let Some((_, _, body)) = new_conditions.last_mut()
                    {
                        trim_last(body);
                    }
                    let mut else_body = remove_whitespace(body, Some(Ws { left: else_ws.right, right: false }));
                    if end_ws.left {
                        trim_last(&mut else_body);
                    }
                    res.push(Parsed::If(new_conditions, Some((else_ws, else_body)), end_ws));
                    continue;
                }
                if end_ws.left
                    && let Some((_, _, body)) = new_conditions.last_mut()
                {
                    trim_last(body);
                }
                res.push(Parsed::If(new_conditions, None, end_ws));
                continue;
            }
        }
        previous_was_text = false;
        res.push(n);
    }
    if body_ws.is_some_and(|ws| ws.right) {
        trim_last(&mut res);
    }
    res
}

fn to_pieces(nodes: Vec<Parsed>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Parsed::Text(s) => out.push(Piece::Text(s)),
            Parsed::Comment(_) => {}
            Parsed::Var(_, v) => out.push(Piece::Var(v)),
            Parsed::If(conditions, otherwise, _) => out.push(Piece::If(
                conditions.into_iter().map(|(_, c, body)| (c, to_pieces(body))).collect(),
                otherwise.map(|(_, body)| to_pieces(body)),
            )),
        }
    }
    out
}

fn pieces(nodes: &[Node]) -> Option<Vec<Piece>> {
    let mut out = Vec::with_capacity(nodes.len());
    for node in nodes {
        match node {
            Node::Text(s) => out.push(Piece::Text(s.clone())),
            Node::Comment(..) => {}
            Node::VariableBlock(_, expr) => out.push(Piece::Var(plain_var(expr)?)),
            Node::If(node, _) => {
                let mut branches = Vec::with_capacity(node.conditions.len());
                for (_, expr, body) in &node.conditions {
                    branches.push((cond(expr)?, pieces(body)?));
                }
                let otherwise = match &node.otherwise {
                    Some((_, body)) => Some(pieces(body)?),
                    None => None,
                };
                out.push(Piece::If(branches, otherwise));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A bare variable name: not negated, no filters.
fn plain_var(expr: &Expr) -> Option<Var> {
    match &expr.val {
        ExprVal::Ident(name) if !expr.negated && expr.filters.is_empty() => Var::of(name),
        _ => None,
    }
}

fn cond(expr: &Expr) -> Option<Cond> {
    if expr.negated || !expr.filters.is_empty() {
        return None;
    }
    match &expr.val {
        ExprVal::Ident(_) => plain_var(expr).map(Cond::Var),
        ExprVal::Logic(LogicExpr { lhs, rhs, operator: LogicOperator::And }) => {
            Some(Cond::And(Box::new(cond(lhs)?), Box::new(cond(rhs)?)))
        }
        ExprVal::Logic(LogicExpr { lhs, rhs, operator: LogicOperator::Or }) => {
            Some(Cond::Or(Box::new(cond(lhs)?), Box::new(cond(rhs)?)))
        }
        _ => None,
    }
}

/// Tera's truthiness: empty strings, null, false and zero are false.
fn truthy(c: &Cond, vars: &Vars<'_>) -> bool {
    match c {
        Cond::Var(v) => match vars.get(*v) {
            Value::Str(s) => !s.is_empty(),
            Value::Null => false,
            Value::Bool(b) => b,
            Value::Num(n) => n != 0,
        },
        Cond::And(a, b) => truthy(a, vars) && truthy(b, vars),
        Cond::Or(a, b) => truthy(a, vars) || truthy(b, vars),
    }
}

fn write(pieces: &[Piece], vars: &Vars<'_>, out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Text(s) => out.push_str(s),
            Piece::Var(v) => match vars.get(*v) {
                Value::Str(s) => out.push_str(s),
                Value::Null => {}
                Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                Value::Num(n) => out.push_str(&n.to_string()),
            },
            Piece::If(branches, otherwise) => match branches.iter().find(|(c, _)| truthy(c, vars)) {
                Some((_, body)) => write(body, vars, out),
                None => {
                    if let Some(body) = otherwise {
                        write(body, vars, out);
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera_render(tera: &tera::Tera, v: &Vars<'_>) -> String {
        let mut ctx = tera::Context::new();
        ctx.insert("text", v.text);
        ctx.insert("hashtags", v.hashtags);
        ctx.insert("signature", &v.signature);
        ctx.insert("platform", v.platform);
        ctx.insert("link", &v.link);
        ctx.insert("updated", &v.updated);
        ctx.insert("first", &v.first);
        ctx.insert("last", &v.last);
        ctx.insert("part", &v.part);
        ctx.insert("parts", &v.parts);
        tera.render("t", &ctx).expect("renders")
    }

    /// One of 64 combinations of empty and set values.
    fn vars(bits: u32) -> Vars<'static> {
        let b = |i: u32| bits & (1 << i) != 0;
        Vars {
            text: if b(0) { "Snö i natt.\n\n• Flytta bilen " } else { "" },
            hashtags: if b(1) { "#Snö #Exempelstad" } else { "" },
            signature: if b(2) { Some("/Kommunen") } else { None },
            platform: "mastodon",
            link: if b(3) { Some("https://exempelstad.se/p/x/") } else { None },
            updated: if b(3) { Some("Uppdaterad 19 januari 2027 kl. 10.15") } else { None },
            first: b(4),
            last: b(5),
            part: usize::from(b(4)) + 1,
            parts: 3,
        }
    }

    fn default_templates() -> Vec<String> {
        crate::platform::PlatformId::ALL
            .iter()
            .map(|p| {
                let path = format!("{}/themes/default/platforms/{}.tera", env!("CARGO_MANIFEST_DIR"), p.name());
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
            })
            .collect()
    }

    /// The parser here takes only what Tera takes and reads it as Tera does — whitespace control
    /// included — on the default theme and on generated templates, most of them malformed; and
    /// every template Tera reads into the subset, it reads too.
    #[test]
    fn parses_as_tera_does() {
        const PIECES: &[&str] = &[
            "{{ text }}",
            "{{- hashtags -}}",
            "{{signature}}",
            "{{ link\n-}}",
            "{{-\tpart}}",
            "{{ parts }}",
            "{{ updated }}",
            "{{ first}}",
            "{% if last %}",
            "{%- if first and last -%}",
            "{% if link or updated %}",
            "{%-if first or last and\nlink%}",
            "{% if signature and hashtags or first and last -%}",
            "{% elif signature -%}",
            "{%- elif parts %}",
            "{% else %}",
            "{%- else -%}",
            "{%else-%}",
            "{% endif %}",
            "{%- endif -%}",
            "{%endif-%}",
            "{# c #}",
            "{#- c -#}",
            "{#c-#}",
            "{#-#}",
            "{##}",
            " ",
            "\n",
            "  \n ",
            "\t",
            "x",
            "y\n",
            "{",
            "}",
            "%}",
            "#}",
            "-",
            "{{ text | upper }}",
            "{% if not last %}",
            "{% if last%}",
            "{% iflast %}",
            "{{ post.title }}",
            "{% if last andfirst %}",
            "{% elif%}",
            "{% else if last %}",
            "{% if first  or  last %}",
            "{%- endif%}",
            "{{ true }}",
            "{% raw %}",
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut templates = default_templates();
        templates.extend((0..6_000).map(|_| {
            let len = 1 + (next() % 10) as usize;
            (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect::<String>()
        }));
        // And well-formed ones: nested ifs, every kind of whitespace control, in every place.
        fn pick(next: &mut dyn FnMut() -> u64, list: &[&'static str]) -> &'static str {
            list[(next() % list.len() as u64) as usize]
        }
        fn tag(next: &mut dyn FnMut() -> u64, open: &str, inner: &str, close: &str) -> String {
            let (l, r) = (pick(next, &["", "-"]), pick(next, &["", "-"]));
            format!("{open}{l} {inner} {r}{close}")
        }
        fn block(next: &mut dyn FnMut() -> u64, depth: u32, out: &mut String) {
            const FILL: &[&str] = &["", " ", "\n", " \n\t", "x", "x \n", "\n y ", "{# c #}", "{#- c -#}", "{#c -#}"];
            const VARS: &[&str] =
                &["text", "hashtags", "signature", "link", "updated", "first", "last", "part", "parts"];
            const CONDS: &[&str] = &[
                "last",
                "first and last",
                "link or updated",
                "first or last and link",
                "signature and hashtags or first",
            ];
            for _ in 0..next() % 4 {
                out.push_str(pick(next, FILL));
                match next() % 3 {
                    0 => {
                        let v = pick(next, VARS);
                        out.push_str(&tag(next, "{{", v, "}}"));
                    }
                    1 if depth < 2 => {
                        let c = format!("if {}", pick(next, CONDS));
                        out.push_str(&tag(next, "{%", &c, "%}"));
                        block(next, depth + 1, out);
                        for _ in 0..next() % 2 {
                            let c = format!("elif {}", pick(next, CONDS));
                            out.push_str(&tag(next, "{%", &c, "%}"));
                            block(next, depth + 1, out);
                        }
                        if next().is_multiple_of(2) {
                            out.push_str(&tag(next, "{%", "else", "%}"));
                            block(next, depth + 1, out);
                        }
                        out.push_str(&tag(next, "{%", "endif", "%}"));
                    }
                    _ => {}
                }
                out.push_str(pick(next, FILL));
            }
        }
        for _ in 0..3_000 {
            let mut t = String::new();
            block(&mut next, 0, &mut t);
            templates.push(t);
        }
        let mut accepted = 0;
        for source in &templates {
            let mine = FastTemplate::parse(source);
            let mut tera = tera::Tera::default();
            tera.autoescape_on(Vec::new());
            let parsed = tera.add_raw_template("t", source).is_ok();
            let theirs = tera.get_template("t").ok().and_then(|t| FastTemplate::compile(&t.ast));
            match (mine, theirs) {
                (Some(mine), Some(theirs)) => {
                    accepted += 1;
                    for bits in 0..64 {
                        let (mut a, mut b) = (String::new(), String::new());
                        mine.apply(&vars(bits), &mut a);
                        theirs.apply(&vars(bits), &mut b);
                        assert_eq!(a, b, "{source:?} with {bits:b}");
                    }
                }
                (Some(_), None) => panic!(
                    "{source:?} is parsed here, but Tera {}",
                    if parsed { "leaves it out of the subset" } else { "refuses it" }
                ),
                (None, Some(_)) => panic!("{source:?} is of the subset, but not parsed here"),
                (None, None) => {}
            }
        }
        assert!(accepted > 3_000, "{accepted} of the templates are of the subset");
        assert!(default_templates().iter().all(|t| FastTemplate::parse(t).is_some()));
    }

    /// Every template of the default theme, and whitespace control and branches of all kinds,
    /// print exactly what Tera prints, for every combination of empty and set values.
    #[test]
    fn agrees_with_tera() {
        let mut templates = default_templates();
        templates.extend(
            [
                "{{ text }}",
                "  {{- text -}}  \n\n{% if last -%}\n  {{ signature }}\n{%- endif %}  \n",
                "{# c #}\n{{text}}{% if first or last %} [{{ part }}/{{ parts }}] {{ first }}{{ last }}{% elif link %}\n{{ link }}{% else %}-{% endif %}",
                "{% if hashtags and signature or link %}{{ hashtags }} {{ signature }} {{ link }} {{ platform }}{% endif %}\n",
                "{%- if not last %}x{% endif %}",
            ]
            .map(String::from),
        );
        for source in &templates {
            let mut tera = tera::Tera::default();
            tera.autoescape_on(Vec::new());
            tera.add_raw_template("t", source).expect("parses");
            let fast = FastTemplate::compile(&tera.get_template("t").expect("added").ast);
            if source.contains("not last") {
                assert!(fast.is_none(), "negation is left to Tera");
                continue;
            }
            let fast = fast.unwrap_or_else(|| panic!("{source:?} is in the subset"));
            for bits in 0..64u32 {
                let v = vars(bits);
                let mut out = String::new();
                fast.apply(&v, &mut out);
                assert_eq!(out, tera_render(&tera, &v), "{source:?} with {bits:b}");
            }
        }
        for unsupported in ["{{ text | upper }}", "{{ post.title }}", "{% for t in tags %}{{ t }}{% endfor %}"] {
            let mut tera = tera::Tera::default();
            tera.add_raw_template("t", unsupported).expect("parses");
            assert!(FastTemplate::compile(&tera.get_template("t").expect("added").ast).is_none(), "{unsupported}");
        }
    }
}
