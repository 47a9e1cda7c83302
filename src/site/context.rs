//! A page's template context: what every page shares (the organisation, the interface strings,
//! the crisis banner) with the page's own values on top.
//!
//! Cloning the shared part for each of ten thousand pages was a twentieth of the archive's build:
//! the interface strings alone are a map of a hundred strings. So contexts are lent from a pool
//! instead, one per thread that renders; a page's own values are put back to the shared ones when
//! the page is done with it, so no value leaks from one page into the next.

use std::ops::Deref;
use std::sync::Mutex;

use serde::Serialize;

pub(crate) struct Contexts {
    base: tera::Context,
    pool: Mutex<Vec<tera::Context>>,
}

impl Contexts {
    pub(crate) fn new(base: tera::Context) -> Contexts {
        Contexts { base, pool: Mutex::new(Vec::new()) }
    }

    /// The shared values alone.
    pub(crate) fn base(&self) -> &tera::Context {
        &self.base
    }

    /// A context that holds the shared values, for one page.
    pub(crate) fn lend(&self) -> PageContext<'_> {
        let ctx = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_else(|| self.base.clone());
        PageContext { from: self, ctx, set: Vec::new() }
    }
}

/// One page's context; it reads as a [`tera::Context`].
pub(crate) struct PageContext<'c> {
    from: &'c Contexts,
    ctx: tera::Context,
    /// The keys this page set, to be put back.
    set: Vec<String>,
}

impl PageContext<'_> {
    pub(crate) fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.mark(key);
        self.ctx.insert(key, value);
    }

    /// Puts `value` in as it is: [`PageContext::insert`] would make a copy of it.
    pub(crate) fn insert_value(&mut self, key: &str, value: serde_json::Value) {
        self.mark(key);
        let mut one = serde_json::Map::new();
        one.insert(key.to_string(), value);
        // Tera moves an object's values into a context; an object is all it can refuse.
        if let Ok(values) = tera::Context::from_value(serde_json::Value::Object(one)) {
            self.ctx.extend(values);
        }
    }

    /// Takes the page's own value of `key` back out; the shared one, if any, is put back when
    /// the page is done.
    pub(crate) fn take(&mut self, key: &str) -> Option<serde_json::Value> {
        if !self.set.iter().any(|k| k == key) {
            return None;
        }
        self.ctx.remove(key)
    }

    /// Remembers that the page set `key`, to put it back when the page is done.
    fn mark(&mut self, key: &str) {
        if !self.set.iter().any(|k| k == key) {
            self.set.push(key.to_string());
        }
    }
}

impl Deref for PageContext<'_> {
    type Target = tera::Context;

    fn deref(&self) -> &tera::Context {
        &self.ctx
    }
}

impl Drop for PageContext<'_> {
    fn drop(&mut self) {
        let mut ctx = std::mem::take(&mut self.ctx);
        for key in self.set.drain(..) {
            match self.from.base.get(&key) {
                Some(shared) => ctx.insert(key, shared),
                None => {
                    ctx.remove(&key);
                }
            }
        }
        self.from.pool.lock().unwrap_or_else(|p| p.into_inner()).push(ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pages_values_do_not_reach_the_next_page() {
        let mut base = tera::Context::new();
        base.insert("nav", "");
        base.insert("lang", "sv");
        let contexts = Contexts::new(base);
        {
            let mut first = contexts.lend();
            first.insert("nav", "home");
            first.insert("posts", &[1, 2, 3]);
            first.insert("posts", &[4]);
            assert_eq!(first.get("nav"), Some(&tera::Value::from("home")));
            assert_eq!(first.get("posts"), Some(&serde_json::json!([4])));
            assert_eq!(first.get("lang"), Some(&tera::Value::from("sv")));
        }
        // The same context, lent again: as the shared values left it.
        let second = contexts.lend();
        assert_eq!(contexts.pool.lock().unwrap().len(), 0, "the one pooled context is lent");
        assert_eq!(second.get("nav"), Some(&tera::Value::from("")));
        assert_eq!(second.get("posts"), None);
        assert_eq!(second.clone().into_json(), contexts.base().clone().into_json());
        // Two at once: the second is a fresh copy.
        let third = contexts.lend();
        assert_eq!(third.clone().into_json(), contexts.base().clone().into_json());
    }

    /// A value moved in is what the page reads, comes back out whole, and leaves the shared
    /// value of its key for the next page.
    #[test]
    fn a_value_moved_in_comes_back_out_and_the_shared_one_returns() {
        let mut base = tera::Context::new();
        base.insert("posts", &serde_json::json!([]));
        let contexts = Contexts::new(base);
        {
            let mut page = contexts.lend();
            assert_eq!(page.take("posts"), None, "only the page's own values are taken");
            page.insert_value("posts", serde_json::json!([{ "url": "/p/a/" }]));
            page.insert_value("undated", serde_json::json!([1]));
            assert_eq!(page.get("posts"), Some(&serde_json::json!([{ "url": "/p/a/" }])));
            assert_eq!(page.take("posts"), Some(serde_json::json!([{ "url": "/p/a/" }])));
            assert_eq!(page.get("undated"), Some(&serde_json::json!([1])));
        }
        let next = contexts.lend();
        assert_eq!(next.get("posts"), Some(&serde_json::json!([])));
        assert_eq!(next.get("undated"), None);
    }

    /// A macro called on its own writes straight into the page in the vendored Tera
    /// (vendor/tera/PATCHED.md); with a filter or in a test it is still a string first. The
    /// expected string is what Tera 1.20.1 renders.
    #[test]
    fn templates_call_macros_as_tera_does() {
        let mut tera = tera::Tera::default();
        tera.add_raw_template(
            "m.html",
            "{% macro item(p) %}<li>{{ p.title }}</li>{% endmacro item %}\
             {% macro list(posts) %}<ol>{% for p in posts %}{{ self::item(p=p) }}{% endfor %}</ol>{% endmacro list %}",
        )
        .expect("parses");
        tera.add_raw_template(
            "t.html",
            "{% import \"m.html\" as m %}{{ m::list(posts=posts) }}|{{ m::list(posts=posts) | length }}|\
             {% if m::list(posts=[]) %}T{% else %}F{% endif %}",
        )
        .expect("parses");
        let mut ctx = tera::Context::new();
        ctx.insert("posts", &serde_json::json!([{ "title": "Snö & is" }, { "title": "<b>" }]));
        assert_eq!(
            tera.render("t.html", &ctx).expect("renders"),
            "<ol><li>Snö &amp; is</li><li>&lt;b&gt;</li></ol>|48|T"
        );
    }

    /// The vendored Tera's patched lookups (vendor/tera/PATCHED.md) find what upstream's find:
    /// plain dotted names, names through a loop's value, and JSON pointer escapes in brackets.
    #[test]
    fn templates_find_values_by_dotted_names_as_tera_does() {
        let mut tera = tera::Tera::default();
        let template = "{{ t.skip }}|{{ post.relation.title }}|{% for p in posts %}{{ p.url }},{% endfor %}|\
                        {{ odd[\"a~1b\"] }}|{{ odd[\"x~0y\"] }}|{{ odd[\"c.d\"] }}|{{ post.missing | default(value='-') }}";
        tera.add_raw_template("t", template).expect("parses");
        let mut ctx = tera::Context::new();
        ctx.insert("t", &serde_json::json!({ "skip": "Till innehållet" }));
        ctx.insert("post", &serde_json::json!({ "relation": { "title": "Snöröjning" } }));
        ctx.insert("posts", &serde_json::json!([{ "url": "/p/a/" }, { "url": "/p/b/" }]));
        ctx.insert("odd", &serde_json::json!({ "a/b": 1, "x~y": 2, "c.d": 3 }));
        assert_eq!(tera.render("t", &ctx).expect("renders"), "Till innehållet|Snöröjning|/p/a/,/p/b/,|1|2|3|-");
    }

    /// The vendored Tera looks up the fields of an indexed object (`Context::index_fields`,
    /// vendor/tera/PATCHED.md) by their dotted names: what it finds must be what the usual
    /// search finds, before and after the object is replaced, extended over or removed.
    #[test]
    fn indexed_fields_are_what_the_search_finds() {
        let mut tera = tera::Tera::default();
        let template = "{{ t.skip }}|{{ t.nav.home }}|{{ t[\"a.b\"] }}|{{ t.a.b | default(value='-') }}|\
                        {{ t[\"x~y\"] }}|{{ t.missing | default(value='-') }}|{{ t.n }}|\
                        {% for t in [1] %}{{ t }}{% endfor %}";
        tera.add_raw_template("t", template).expect("parses");
        tera.add_raw_template("skip", "{{ t.skip }}").expect("parses");
        let strings = serde_json::json!({ "skip": "Till innehållet", "nav": { "home": "Start" }, "a.b": "punkt",
                                          "a": { "b": "djup" }, "x~y": "tilde", "n": 3 });
        let render = |ctx: &tera::Context| tera.render("t", ctx).expect("renders");
        let mut plain = tera::Context::new();
        plain.insert("t", &strings);
        let mut indexed = plain.clone();
        indexed.index_fields("t");
        let expected = "Till innehållet|Start|punkt|djup|tilde|-|3|1";
        assert_eq!(render(&plain), expected);
        assert_eq!(render(&indexed), expected);
        // Replaced, extended over, removed: the index goes with the value it was made of.
        let mut replaced = indexed.clone();
        replaced.insert("t", &serde_json::json!({ "skip": "Hoppa" }));
        assert_eq!(tera.render("skip", &replaced).expect("renders"), "Hoppa");
        let mut extended = indexed.clone();
        let mut other = tera::Context::new();
        other.insert("t", &serde_json::json!({ "skip": "Annan" }));
        extended.extend(other);
        assert_eq!(tera.render("skip", &extended).expect("renders"), "Annan");
        let mut removed = indexed.clone();
        removed.remove("t");
        assert!(tera.render("skip", &removed).is_err(), "no `t`, no `t.skip`");
        assert_eq!(indexed, plain, "contexts compare by their values");
    }

    /// The vendored Tera walks a pointer of plain names in one pass (vendor/tera/PATCHED.md),
    /// and must find what upstream's character-by-character walk finds: empty parts skipped,
    /// array indices as serde_json reads them, and anything else (quotes, brackets, escapes)
    /// left to the upstream walk. The expected values are Tera 1.20.1's.
    #[test]
    fn plain_dotted_pointers_find_what_tera_finds() {
        let v = serde_json::json!({
            "a": { "b": { "c": 1 } },
            "list": [10, 11, { "x": 12 }],
            "n": 5,
            "a/b": 7,
            "q.r": 8,
        });
        let at = |p: &str| tera::dotted_pointer(&v, p).cloned();
        let j = |x: serde_json::Value| Some(x);
        assert_eq!(at(""), j(v.clone()));
        assert_eq!(at("a.b.c"), j(serde_json::json!(1)));
        assert_eq!(at("a..b.c"), j(serde_json::json!(1)), "an empty part is skipped");
        assert_eq!(at(".a.b.c."), j(serde_json::json!(1)));
        assert_eq!(at(".."), j(v.clone()), "nothing but dots is the value itself");
        assert_eq!(at("list.1"), j(serde_json::json!(11)));
        assert_eq!(at("list.2.x"), j(serde_json::json!(12)));
        assert_eq!(at("list.01"), None, "no leading zero, as serde_json's pointers");
        assert_eq!(at("list.+1"), None);
        assert_eq!(at("list.9"), None);
        assert_eq!(at("n.x"), None);
        assert_eq!(at("a.missing"), None);
        assert_eq!(at("a~1b"), j(serde_json::json!(7)), "an escape goes the upstream way");
        assert_eq!(at("\"q.r\""), j(serde_json::json!(8)), "a quoted part goes the upstream way");
        // Tera turns `list[1]` into `list.1` before it gets here; the upstream walk reads the
        // brackets as it does.
        assert_eq!(at("list[1]"), None, "brackets go the upstream way");
    }

    /// The vendored Tera's truth tests and comparisons skip the escaping upstream does first
    /// (vendor/tera/PATCHED.md); they must decide as upstream's do, and a variable block must
    /// still write the escaped text. The expected strings are what Tera 1.20.1 renders.
    #[test]
    fn templates_escape_test_and_compare_as_tera_does() {
        let template = "{{ a }}|{{ a | safe }}|{% if a %}T{% else %}F{% endif %}|{% if empty %}T{% else %}F{% endif %}|\
                        {% if not empty %}T{% else %}F{% endif %}|{% if a == \"x&y<\" %}T{% else %}F{% endif %}|\
                        {% if a == b %}T{% else %}F{% endif %}|{% if a == b | safe %}T{% else %}F{% endif %}|\
                        {% if a | safe == b | safe %}T{% else %}F{% endif %}|{% if esc == a %}T{% else %}F{% endif %}|\
                        {% if esc | safe == a %}T{% else %}F{% endif %}|{% if a != \"x\" %}T{% else %}F{% endif %}|\
                        {% if n == 2 %}T{% else %}F{% endif %}|{{ n }}|{% if missing %}T{% else %}F{% endif %}";
        let mut ctx = tera::Context::new();
        ctx.insert("a", "x&y<");
        ctx.insert("b", "x&y<");
        ctx.insert("esc", "x&amp;y&lt;");
        ctx.insert("empty", "");
        ctx.insert("n", &2);
        // Tera's own escaper, budkavle's, and budkavle's writing straight into the page.
        for escape in 0..3 {
            let mut tera = tera::Tera::default();
            match escape {
                1 => tera.set_escape_fn(crate::escape::html),
                2 => tera.set_escape_fns(crate::escape::html, crate::escape::html_into),
                _ => {}
            }
            tera.add_raw_template("t.html", template).expect("parses");
            assert_eq!(tera.render("t.html", &ctx).expect("renders"), "x&amp;y&lt;|x&y<|T|F|T|T|T|F|T|F|T|T|T|2|F");
        }
    }
}
