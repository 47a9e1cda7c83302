//! `budkavle init` and `budkavle new`: the files a team starts from. The default theme is the
//! one in this repository's `themes/default`, embedded, so a new repository renders exactly like
//! the example.

use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::id::slugify;
use crate::platform::PlatformId;
use crate::project::{POSTS_DIR, Project};

const STRATEGY: &str = include_str!("strategy.toml");
const FIRST_POST: &str = include_str!("first-post.md");
const GITHUB_WORKFLOW: &str = include_str!("github-workflow.yml");
const GITLAB_CI: &str = include_str!("gitlab-ci.yml");
const GITHUB_PUBLISH: &str = include_str!("github-publish.yml");
const GITHUB_DOCTOR: &str = include_str!("github-doctor.yml");
const GITLAB_PUBLISH: &str = include_str!("gitlab-publish.yml");
const INSTALL: &str = include_str!("install.sh");
/// What never goes into the content repository: built output, the ledger's lock, and the inbox
/// store, which holds citizens' messages and personal data (it lives outside the repository
/// by default; these patterns keep it out if someone points `[interaction] store` inside).
const GITIGNORE: &str = "/dist\n/target\n/ledger/.lock*\n/metrics/.lock*\n/.budkavle/bin\n/.budkavle/cache\n\n# Citizens' messages: never in git\n*.sqlite\n*.sqlite-wal\n*.sqlite-shm\n";

/// The default theme's platform templates, embedded from `themes/default/platforms/`.
pub(crate) const THEME_TEMPLATES: [(PlatformId, &str); 7] = [
    (PlatformId::Mastodon, include_str!("../../themes/default/platforms/mastodon.tera")),
    (PlatformId::Bluesky, include_str!("../../themes/default/platforms/bluesky.tera")),
    (PlatformId::X, include_str!("../../themes/default/platforms/x.tera")),
    (PlatformId::Facebook, include_str!("../../themes/default/platforms/facebook.tera")),
    (PlatformId::Instagram, include_str!("../../themes/default/platforms/instagram.tera")),
    (PlatformId::Linkedin, include_str!("../../themes/default/platforms/linkedin.tera")),
    (PlatformId::Threads, include_str!("../../themes/default/platforms/threads.tera")),
];

pub struct InitOptions {
    pub name: String,
    pub lang: String,
    pub now: Timestamp,
    /// Make the folder a git repository with a first commit, unless it is inside one already.
    pub git: bool,
    /// Where the workflows install budkavle from: a git repository and a release tag.
    pub tool: ToolSource,
}

/// The budkavle a content repository's workflows install: the tool's git repository at a
/// pinned release tag (its static binaries, else a build of that tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSource {
    pub git: String,
    pub tag: String,
}

impl Default for ToolSource {
    /// This build's own repository and version.
    fn default() -> Self {
        ToolSource { git: env!("CARGO_PKG_REPOSITORY").to_string(), tag: format!("v{}", env!("CARGO_PKG_VERSION")) }
    }
}

impl std::str::FromStr for ToolSource {
    type Err = String;

    /// `URL@TAG`, or a URL alone for this build's tag.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (git, tag) = match s.rsplit_once('@') {
            Some((git, tag)) if !git.ends_with(':') && !tag.contains('/') => (git, tag.to_string()),
            _ => (s, ToolSource::default().tag),
        };
        let git = git.trim_end_matches('/').trim_end_matches(".git");
        let safe = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || "-._/:~+".contains(c));
        if !(git.starts_with("https://") || git.starts_with("file://"))
            || !safe(git)
            || !safe(&tag)
            || tag.contains('/')
        {
            return Err(format!(
                "`{s}` is not a tool source: write the git repository's https address and a release tag, e.g. https://github.com/budkavle/budkavle@v0.1.0"
            ));
        }
        Ok(ToolSource { git: git.to_string(), tag })
    }
}

/// What `init` made.
#[derive(Debug)]
pub struct Initialised {
    /// Every file written, relative to the folder.
    pub files: Vec<PathBuf>,
    /// The first commit, when `init` made the repository.
    pub commit: Option<String>,
    /// The folder was inside a git repository already, so git was left alone.
    pub in_existing_repository: bool,
}

/// Writes a new content repository into `dir` and makes it a git repository with a first
/// commit. Refuses to touch a folder that already holds a strategy, so it cannot overwrite
/// real work.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Initialised> {
    if dir.join(crate::strategy::FILE_NAME).exists() {
        return Err(Error::Usage(format!(
            "{} already has a strategy.toml; init only creates new repositories",
            dir.display()
        )));
    }
    if opts.name.contains('"') || opts.name.contains('\\') {
        return Err(Error::Usage("the organisation name may not contain `\"` or `\\`".into()));
    }
    let english = opts.lang.starts_with("en");
    let (title, body, tag) = if english {
        (
            "Welcome to our new channels",
            "This is our first post written with budkavle.\n\nRead more on [our website](https://www.example.org).",
            "Welcome",
        )
    } else {
        (
            "Välkommen till våra nya kanaler",
            "Det här är vårt första inlägg som skrivs med budkavle.\n\nLäs mer på [vår webbplats](https://www.example.org).",
            "Välkommen",
        )
    };
    let date = tomorrow_nine(opts.now);
    let strategy = STRATEGY.replace("{{NAME}}", &opts.name).replace("{{LANG}}", &opts.lang);
    let post = FIRST_POST
        .replace("{{TITLE}}", title)
        .replace("{{DATE}}", &date)
        .replace("{{TAG}}", tag)
        .replace("{{BODY}}", body);
    let slug = slugify(title);

    let mut files: Vec<(PathBuf, String)> = vec![
        (PathBuf::from(crate::strategy::FILE_NAME), strategy),
        (Path::new(POSTS_DIR).join(format!("{slug}.md")), post),
        (PathBuf::from("content/media/.gitkeep"), String::new()),
        (PathBuf::from(".gitignore"), GITIGNORE.into()),
        // The ledger is hash-chained byte for byte: git must never convert its line endings.
        (PathBuf::from(".gitattributes"), "ledger/*.jsonl -text\n".into()),
        (PathBuf::from(".github/workflows/budkavle.yml"), GITHUB_WORKFLOW.into()),
        (PathBuf::from(".github/workflows/budkavle-publish.yml"), GITHUB_PUBLISH.into()),
        (PathBuf::from(".github/workflows/budkavle-doctor.yml"), GITHUB_DOCTOR.into()),
        (PathBuf::from(".gitlab-ci.yml"), format!("include:\n  - local: .gitlab/budkavle-publish.yml\n\n{GITLAB_CI}")),
        (PathBuf::from(".gitlab/budkavle-publish.yml"), GITLAB_PUBLISH.into()),
        (
            PathBuf::from(".budkavle/install.sh"),
            INSTALL.replace("{{TOOL_GIT}}", &opts.tool.git).replace("{{TOOL_TAG}}", &opts.tool.tag),
        ),
    ];
    for (platform, template) in THEME_TEMPLATES {
        files.push((Path::new("themes/default").join(crate::theme::template_name(platform)), template.into()));
    }
    // Whether it is inside a repository is decided before anything is written into it.
    let in_existing_repository = opts.git && crate::git::inside_repository(dir);
    for (rel, text) in &files {
        write_atomic(&dir.join(rel), text.as_bytes())?;
    }
    let files: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    let commit = if opts.git && !in_existing_repository {
        let message = format!("Start the social media of {} with budkavle", opts.name);
        Some(crate::git::init_repository(dir, &files, &message)?)
    } else {
        None
    };
    Ok(Initialised { files, commit, in_existing_repository })
}

pub struct NewOptions<'a> {
    pub title: &'a str,
    pub kind: crate::kind::Kind,
    /// `None`: the next free slot ([`crate::schedule::next_free`]).
    pub date: Option<String>,
    pub now: Timestamp,
}

/// What `new` wrote.
#[derive(Debug)]
pub struct NewPost {
    pub path: PathBuf,
    /// The date `new` chose, when none was given, and why it and not an earlier time.
    pub proposal: Option<crate::schedule::Proposal>,
}

/// Writes a new post with front matter filled from the strategy and returns its path.
pub fn new_post(project: &Project, opts: &NewOptions<'_>) -> Result<NewPost> {
    let title = opts.title.trim();
    if title.is_empty() {
        return Err(Error::Usage("the title is empty".into()));
    }
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(Error::Usage(format!("cannot make a file name from `{title}`; use letters or digits")));
    }
    let rel = Path::new(POSTS_DIR).join(format!("{slug}.md"));
    if project.root.join(&rel).exists() || project.post(&slug).is_some() {
        return Err(Error::Usage(format!("{} already exists; choose another title", rel.display())));
    }
    let strategy = &project.strategy;
    let mut proposal = None;
    let date = match &opts.date {
        Some(d) => {
            let parsed: toml::value::Datetime =
                d.parse().map_err(|_| Error::Usage(format!("`{d}` is not a date like 2026-12-01T09:00:00")))?;
            crate::datetime::resolve_datetime(&parsed, &strategy.timezone).map_err(Error::Usage)?;
            parsed.to_string()
        }
        // A crisis post goes out when it must; everything else gets the next free slot on the
        // platforms a new text post goes to, so two new posts never collide in `check`.
        None if opts.kind == crate::kind::Kind::Crisis => tomorrow_nine_in(opts.now, &strategy.timezone),
        None => {
            let platforms: Vec<PlatformId> =
                strategy.enabled_platforms().filter(|&p| crate::platform::get(p).unmet(0).is_none()).collect();
            // The best weekday × hour slots in metrics/, when there are any (none: as before).
            let metrics = crate::metrics::Metrics::read(&project.root)?;
            let preferred = crate::report::best_slots(project, &metrics);
            match crate::schedule::next_free_preferring(project, &platforms, opts.now, &preferred) {
                Some(p) => {
                    let local = p.at.to_zoned_datetime(strategy.timezone.clone());
                    let text = local.strftime("%Y-%m-%dT%H:%M:%S").to_string();
                    proposal = Some(p);
                    text
                }
                None => tomorrow_nine_in(opts.now, &strategy.timezone),
            }
        }
    };
    let goals: Vec<&str> = strategy.goal_ids().collect();
    let audiences: Vec<&str> = strategy.audience_ids().collect();
    let mut front = String::from("+++\n");
    front.push_str(&format!("title = {}\n", toml_string(title)));
    front.push_str(&format!("date = {date}\n"));
    if opts.kind != crate::kind::Kind::News {
        front.push_str(&format!("kind = \"{}\"\n", opts.kind.name()));
    }
    match goals.first() {
        Some(g) => front.push_str(&format!("goal = \"{g}\"  # {}\n", goals.join(", "))),
        None => front.push_str("# goal = \"\"  (add goals to strategy.toml)\n"),
    }
    match audiences.first() {
        Some(a) => front.push_str(&format!("audiences = [\"{a}\"]  # {}\n", audiences.join(", "))),
        None => front.push_str("# audiences = []\n"),
    }
    front.push_str("tags = []\n");
    let platforms: Vec<&str> = strategy.enabled_platforms().map(PlatformId::name).collect();
    front.push_str(&format!(
        "# platforms = [{}]\n",
        platforms.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ")
    ));
    if opts.kind == crate::kind::Kind::Crisis {
        front.push_str("\n[crisis]\nevent = \"\"\ncategory = \"Safety\"\nurgency = \"Immediate\"\nseverity = \"Moderate\"\ncertainty = \"Observed\"\narea = { description = \"\" }\n");
    }
    front.push_str("+++\n\n");
    let english = strategy.organisation().lang.starts_with("en");
    front.push_str(crate::post::PLACEHOLDERS[usize::from(english)]);
    front.push('\n');
    write_atomic(&project.root.join(&rel), front.as_bytes())?;
    Ok(NewPost { path: rel, proposal })
}

fn tomorrow_nine(now: Timestamp) -> String {
    tomorrow_nine_in(now, &jiff::tz::TimeZone::UTC)
}

fn tomorrow_nine_in(now: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let today = now.to_zoned_datetime(tz.clone()).date();
    let tomorrow = today.tomorrow().unwrap_or(today);
    format!("{tomorrow}T09:00:00")
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
