//! The theme's platform templates (`themes/<name>/platforms/<platform>.tera`), compiled once per
//! run. A missing template or a syntax error is a load error with the template's file and line.

pub(crate) mod fast;

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics};
use crate::platform::PlatformId;

pub struct Theme {
    pub name: String,
    /// Relative to the repository root.
    pub dir: PathBuf,
    pub(crate) tera: tera::Tera,
    /// Template sources by name, to place errors Tera reports without a position.
    sources: std::collections::HashMap<String, String>,
    /// The templates simple enough to apply without Tera's renderer, by name.
    fast: std::collections::HashMap<String, fast::FastTemplate>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("name", &self.name).field("dir", &self.dir).finish()
    }
}

const MAX_TEMPLATE_BYTES: u64 = 256 * 1024;

pub(crate) fn template_name(platform: PlatformId) -> String {
    format!("platforms/{}.tera", platform.name())
}

impl Theme {
    pub(crate) fn load(
        root: &Path,
        canonical_root: &Path,
        name: &str,
        platforms: impl Iterator<Item = PlatformId>,
        diags: &mut Diagnostics,
    ) -> Option<Theme> {
        let dir = Path::new("themes").join(name);
        if !root.join(&dir).is_dir() {
            diags.push(
                Diagnostic::file(crate::strategy::FILE_NAME, format!("theme `{name}` not found: there is no folder {}", dir.display()))
                    .hint("set `theme` under [organisation] to a folder in themes/, or run `budkavle init` to get the default theme"),
            );
            return None;
        }
        let mut tera = tera::Tera::default();
        tera.autoescape_on(Vec::new());
        let mut ok = true;
        let mut sources = std::collections::HashMap::new();
        let mut fast = std::collections::HashMap::new();
        for platform in platforms {
            let rel = dir.join(template_name(platform));
            if !root.join(&rel).exists() {
                diags.push(
                    Diagnostic::file(&rel, format!("the theme has no template for {}", platform.display_name())).hint(
                        format!(
                            "create {} (copy it from another platform's template), or remove [platforms.{}] from strategy.toml",
                            rel.display(),
                            platform.name()
                        ),
                    ),
                );
                ok = false;
                continue;
            }
            let text = match crate::fsutil::read_text(root, canonical_root, &rel, MAX_TEMPLATE_BYTES) {
                Ok(t) => t,
                Err(d) => {
                    diags.push(d);
                    ok = false;
                    continue;
                }
            };
            // A template of the fast subset needs no Tera at all: Tera's own parser took more
            // than checking a post does.
            if let Some(f) = fast::FastTemplate::parse(&text) {
                fast.insert(template_name(platform), f);
            } else if let Err(e) = tera.add_raw_template(&template_name(platform), &text) {
                diags.push(template_error(&rel, &e, Some(&text)));
                ok = false;
            }
            sources.insert(template_name(platform), text);
        }
        for name in sources.keys() {
            if !fast.contains_key(name)
                && let Ok(template) = tera.get_template(name)
                && let Some(f) = fast::FastTemplate::compile(&template.ast)
            {
                fast.insert(name.clone(), f);
            }
        }
        ok.then(|| Theme { name: name.to_string(), dir, tera, sources, fast })
    }

    /// The template `name` when it can be applied without Tera's renderer.
    pub(crate) fn fast(&self, name: &str) -> Option<&fast::FastTemplate> {
        self.fast.get(name)
    }

    /// A diagnostic for an error Tera raised while rendering `name`.
    pub(crate) fn render_error(&self, name: &str, e: &tera::Error) -> Diagnostic {
        template_error(&self.dir.join(name), e, self.sources.get(name).map(String::as_str))
    }
}

/// Tera reports syntax errors with a pest excerpt ("--> 3:7"); the line and column are lifted
/// out of it so the error points into the template file like every other diagnostic. Errors
/// found while rendering carry no position; for an unknown variable, its first use in the
/// template `source` is the place.
pub(crate) fn template_error(file: &Path, e: &tera::Error, source: Option<&str>) -> Diagnostic {
    let mut chain = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        chain.push(err.to_string());
        cur = err.source();
    }
    let full = chain.join("\n");
    let (line, column) = full
        .lines()
        .find_map(|l| {
            let pos = l.trim().strip_prefix("-->")?.trim();
            let (a, b) = pos.split_once(':')?;
            Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .or_else(|| {
            let var = full.split("Variable `").nth(1)?.split('`').next()?;
            let offset = find_variable(source?, var)?;
            Some(crate::error::line_col(source?, offset))
        })
        .unwrap_or((0, 0));
    let detail = chain.last().cloned().unwrap_or_default();
    let detail = detail.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
    let message = if detail.is_empty() { "template error".to_string() } else { format!("template error: {detail}") };
    Diagnostic::new(file, line, column, message)
        .hint("templates use Tera syntax: {{ text }}, {% if last %}…{% endif %}")
}

/// Byte offset of the first use of `var` inside a `{{ }}` or `{% %}` tag.
fn find_variable(source: &str, var: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = source[from..].find(var) {
        let at = from + i;
        let before = &source[..at];
        let open = before.rfind("{{").max(before.rfind("{%"));
        let close = before.rfind("}}").max(before.rfind("%}"));
        let word_start = !before.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
        if open > close && word_start {
            return Some(at);
        }
        from = at + var.len();
    }
    None
}
