//! Platform templates evaluated without Tera's renderer when they only print and test the
//! per-part variables (`{{ text }}`, `{% if last and hashtags %}` …), as the default theme's do.
//!
//! A check renders every post to each of its platforms, and a thread part through its template
//! once or twice more while it is split: building a Tera context (the post as JSON) and cloning
//! it per part cost more than the rest of the templating. The template is still parsed by Tera
//! (with its whitespace control already applied to the tree), so this walks the same tree Tera
//! would and prints the same bytes; anything else in a template — filters, other variables,
//! loops, `set`, includes, comparisons — leaves that template to Tera.

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

    /// Every template of the default theme, and whitespace control and branches of all kinds,
    /// print exactly what Tera prints, for every combination of empty and set values.
    #[test]
    fn agrees_with_tera() {
        let mut templates: Vec<String> = crate::platform::PlatformId::ALL
            .iter()
            .map(|p| {
                let path = format!("{}/themes/default/platforms/{}.tera", env!("CARGO_MANIFEST_DIR"), p.name());
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
            })
            .collect();
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
                let b = |i: u32| bits & (1 << i) != 0;
                let v = Vars {
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
                };
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
