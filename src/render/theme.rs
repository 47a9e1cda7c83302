//! The theme's platform templates (`themes/<name>/platforms/<platform>.tera`), compiled once per
//! run. A missing template or a syntax error is a load error with the template's file and line.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Diagnostics};
use crate::platform::PlatformId;

pub struct Theme {
    pub name: String,
    /// Relative to the repository root.
    pub dir: PathBuf,
    pub(crate) tera: tera::Tera,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("name", &self.name).field("dir", &self.dir).finish()
    }
}

pub(crate) fn template_name(platform: PlatformId) -> String {
    format!("platforms/{}.tera", platform.name())
}

impl Theme {
    pub(crate) fn load(root: &Path, name: &str, platforms: impl Iterator<Item = PlatformId>, diags: &mut Diagnostics) -> Option<Theme> {
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
        for platform in platforms {
            let rel = dir.join(template_name(platform));
            let text = match std::fs::read_to_string(root.join(&rel)) {
                Ok(t) => t,
                Err(e) => {
                    let msg = if e.kind() == std::io::ErrorKind::NotFound {
                        format!("the theme has no template for {}", platform.display_name())
                    } else {
                        format!("cannot read the template: {e}")
                    };
                    diags.push(Diagnostic::file(&rel, msg).hint(format!(
                        "create {} (copy it from another platform's template), or disable {} in strategy.toml",
                        rel.display(),
                        platform.name()
                    )));
                    ok = false;
                    continue;
                }
            };
            if let Err(e) = tera.add_raw_template(&template_name(platform), &text) {
                diags.push(template_error(&rel, &e));
                ok = false;
            }
        }
        ok.then(|| Theme { name: name.to_string(), dir, tera })
    }
}

/// Tera reports syntax errors with a pest excerpt ("--> 3:7"); the line and column are lifted
/// out of it so the error points into the template file like every other diagnostic.
pub(crate) fn template_error(file: &Path, e: &tera::Error) -> Diagnostic {
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
        .unwrap_or((0, 0));
    let detail = chain.last().cloned().unwrap_or_default();
    let detail = detail.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
    let message = if detail.is_empty() { "template error".to_string() } else { format!("template error: {detail}") };
    Diagnostic::new(file, line, column, message).hint("templates use Tera syntax: {{ text }}, {% if last %}…{% endif %}")
}
