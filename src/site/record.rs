//! What the archive knows beyond the posts at HEAD: where each post was published (from the
//! ledger) and every committed version of it (from git history). The ledger and git modules
//! fill this; the site only reads it, so it can be built from fixtures in tests.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Result;
use crate::git::Version;
use crate::ledger::Published;
use crate::project::Project;

#[derive(Debug, Clone, Default)]
pub struct Record {
    /// By post id: each platform it went out on.
    pub published: HashMap<String, Vec<Published>>,
    /// By post id: every committed version, oldest first (version 1 is the first commit).
    pub versions: HashMap<String, Vec<Version>>,
}

impl Record {
    /// The ledger's publications and git's versions for `project`. See
    /// [`Record::load_with_notes`] for what is left out and why.
    pub fn load(project: &Project) -> Result<Record> {
        Self::load_with_notes(project).map(|(record, _)| record)
    }

    /// Like [`Record::load`], plus sentences for the person building (no git repository,
    /// shallow clone) that the command line should show.
    ///
    /// A ledger line that cannot be read is an error: an archive that silently drops
    /// publications would misstate the public record. Versions committed while the post was
    /// a draft are left out (drafts are work in progress, not something the organisation
    /// said), and the rest are numbered from 1; author names are kept only when the strategy
    /// sets `[site] show_authors`.
    pub fn load_with_notes(project: &Project) -> Result<(Record, Vec<String>)> {
        Self::load_cached(project, None)
    }

    /// [`Record::load_with_notes`], with git's version history remembered in the file
    /// `history_cache` ([`crate::git::post_versions_cached`]).
    pub fn load_cached(project: &Project, history_cache: Option<&Path>) -> Result<(Record, Vec<String>)> {
        let ledger = crate::ledger::Ledger::read(&project.root)?;
        let published = ledger.published_by_post();
        let history = crate::git::post_versions_cached(&project.root, project, history_cache)?;
        let show_authors = project.strategy.file.site.show_authors;
        use rayon::prelude::*;
        let versions = history
            .versions
            .into_par_iter()
            .filter_map(|(id, all)| {
                let kept: Vec<Version> = all
                    .into_iter()
                    .filter(|v| !crate::git::is_draft(&v.source))
                    .enumerate()
                    .map(|(i, v)| Version { n: i + 1, author: v.author.filter(|_| show_authors), ..v })
                    .collect();
                (!kept.is_empty()).then_some((id, kept))
            })
            .collect();
        Ok((Record { published, versions }, history.notes))
    }
}
