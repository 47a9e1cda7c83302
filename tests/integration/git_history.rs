//! Post history and approvals from real git repositories made with git2 in temporary folders.

use crate::common;

use std::path::Path;

use budkavle::git::{Approvals, approval_of, post_versions};
use budkavle::site::Record;
use common::Repo;
use common::git::{T0, branch_commit, commit, init, merge, sig, stage};

fn post(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n\n{body}\n")
}

fn post_with_id(id: &str, title: &str, body: &str) -> String {
    format!("+++\nid = \"{id}\"\ntitle = \"{title}\"\n+++\n\n{body}\n")
}

#[test]
fn three_commits_of_a_post_are_three_versions() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("snow.md", &post("Snöröjning", "Vi plogar i natt."));
    repo.post("other.md", &post("Annat", "Något annat."));
    let c1 = commit(&git, "Add posts", "Anna Berg", T0);
    repo.post("snow.md", &post("Snöröjning", "Vi plogar i natt och i morgon."));
    let c2 = commit(&git, "Edit", "Bo Ek", T0 + 3600);
    repo.file("README.md", b"not a post\n");
    commit(&git, "Readme", "Bo Ek", T0 + 7200);
    repo.post("snow.md", &post("Snöröjning på Storgatan", "Vi plogar i natt och i morgon."));
    let c3 = commit(&git, "Title", "Cecilia", T0 + 10_800);

    let project = repo.load();
    let history = post_versions(repo.path(), &project).unwrap();
    assert!(history.notes.is_empty(), "{:?}", history.notes);
    let snow = &history.versions["snow"];
    assert_eq!(snow.len(), 3);
    assert_eq!(snow.iter().map(|v| v.n).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(
        snow.iter().map(|v| v.commit.clone()).collect::<Vec<_>>(),
        vec![c1.to_string(), c2.to_string(), c3.to_string()]
    );
    assert_eq!(snow[0].date.as_second(), T0);
    assert_eq!(snow[2].date.as_second(), T0 + 10_800);
    assert_eq!(
        snow.iter().map(|v| v.author.clone().unwrap()).collect::<Vec<_>>(),
        vec!["Anna Berg", "Bo Ek", "Cecilia"]
    );
    assert!(snow[0].source.contains("Vi plogar i natt.\n"));
    assert!(snow[2].source.contains("Snöröjning på Storgatan"));
    assert_eq!(history.versions["other"].len(), 1);
}

#[test]
fn a_renamed_post_with_an_explicit_id_keeps_its_versions() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("utkast.md", &post_with_id("julmarknad", "Julmarknad", "Välkommen till julmarknaden på torget."));
    commit(&git, "Add", "Anna", T0);
    repo.post("utkast.md", &post_with_id("julmarknad", "Julmarknad", "Välkommen till julmarknaden på Stortorget."));
    commit(&git, "Edit", "Anna", T0 + 3600);
    // Moved into a folder with a small edit: git pairs the rename.
    std::fs::remove_file(repo.path().join("content/posts/utkast.md")).unwrap();
    repo.post(
        "2026/12/julmarknad.md",
        &post_with_id("julmarknad", "Julmarknad", "Välkommen till julmarknaden på Stortorget, lördag."),
    );
    commit(&git, "Move", "Bo", T0 + 7200);
    // Renamed again and rewritten so much that git does not pair it: the id still does.
    std::fs::remove_file(repo.path().join("content/posts/2026/12/julmarknad.md")).unwrap();
    repo.post(
        "julmarknad-2026.md",
        &post_with_id(
            "julmarknad",
            "Julmarknad 2026",
            "Helt ny text om marknaden.\n\nÖppet lördag och söndag.\n\nKarta finns på webben.\n\nVälkomna!\n\nParkera vid stationen.\n\nTa med egen mugg.",
        ),
    );
    let rewrite = commit(&git, "Rewrite", "Bo", T0 + 10_800);
    let c = git.find_commit(rewrite).unwrap();
    let mut diff =
        git.diff_tree_to_tree(Some(&c.parent(0).unwrap().tree().unwrap()), Some(&c.tree().unwrap()), None).unwrap();
    diff.find_similar(None).unwrap();
    assert!(diff.deltas().all(|d| d.status() != git2::Delta::Renamed), "this step must be one git does not pair");

    let project = repo.load();
    let history = post_versions(repo.path(), &project).unwrap();
    let versions = &history.versions["julmarknad"];
    assert_eq!(versions.len(), 4, "{versions:#?}");
    assert!(versions[0].source.contains("på torget."));
    assert!(versions[3].source.contains("Helt ny text"));
}

#[test]
fn without_an_explicit_id_a_rename_starts_a_new_post() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("gammal.md", &post("Sophämtning", "Vi hämtar soporna på tisdag som vanligt i hela kommunen."));
    commit(&git, "Add", "Anna", T0);
    repo.post("gammal.md", &post("Sophämtning", "Vi hämtar soporna på onsdag som vanligt i hela kommunen."));
    commit(&git, "Edit", "Anna", T0 + 3600);
    std::fs::rename(repo.path().join("content/posts/gammal.md"), repo.path().join("content/posts/ny.md")).unwrap();
    let moved = commit(&git, "Rename", "Anna", T0 + 7200);

    let project = repo.load();
    let history = post_versions(repo.path(), &project).unwrap();
    let ny = &history.versions["ny"];
    assert_eq!(ny.len(), 1);
    assert_eq!(ny[0].commit, moved.to_string());
    assert!(!history.versions.contains_key("gammal"));
}

#[test]
fn changing_the_id_in_place_ends_the_old_history() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("x.md", &post_with_id("forsta", "Ett", "Text."));
    commit(&git, "Add", "Anna", T0);
    repo.post("x.md", &post_with_id("andra", "Två", "Text."));
    commit(&git, "New id", "Anna", T0 + 3600);
    repo.post("x.md", &post_with_id("andra", "Två", "Text igen."));
    commit(&git, "Edit", "Anna", T0 + 7200);
    let history = post_versions(repo.path(), &repo.load()).unwrap();
    assert_eq!(history.versions["andra"].len(), 2);
}

#[test]
fn uncommitted_posts_and_folders_without_git_have_no_history() {
    let repo = Repo::new("");
    repo.post("a.md", &post("A", "Text."));
    let history = post_versions(repo.path(), &repo.load()).unwrap();
    assert!(history.versions.is_empty());
    assert_eq!(history.notes.len(), 1);
    assert!(history.notes[0].contains("not in a git repository"), "{:?}", history.notes);
    assert!(approval_of(repo.path(), "HEAD").unwrap().is_none());

    // A repository without commits, and a post not yet committed.
    let git = init(repo.path());
    let history = post_versions(repo.path(), &repo.load()).unwrap();
    assert!(history.versions.is_empty() && history.notes.is_empty());
    commit(&git, "Add", "Anna", T0);
    repo.post("b.md", &post("B", "Not committed."));
    let history = post_versions(repo.path(), &repo.load()).unwrap();
    assert_eq!(history.versions.len(), 1);
    assert!(history.versions.contains_key("a"));
}

#[test]
fn a_content_root_inside_a_larger_repository() {
    let outer = tempfile::tempdir().unwrap();
    let git = init(outer.path());
    let repo = Repo::new("");
    common::copy_dir(repo.path(), &outer.path().join("kommunikation"));
    let root = outer.path().join("kommunikation");
    std::fs::write(root.join("content/posts/a.md"), post("A", "Ett.")).unwrap();
    commit(&git, "Add", "Anna", T0);
    std::fs::write(root.join("content/posts/a.md"), post("A", "Två.")).unwrap();
    commit(&git, "Edit", "Anna", T0 + 60);
    let project = budkavle::Project::load(&root).unwrap();
    let history = post_versions(&root, &project).unwrap();
    assert_eq!(history.versions["a"].len(), 2);
}

#[test]
fn a_shallow_clone_degrades_with_a_note() {
    let repo = Repo::new("");
    let git = init(repo.path());
    for (i, text) in ["Ett.", "Två.", "Tre."].iter().enumerate() {
        repo.post("a.md", &post("A", text));
        commit(&git, "Edit", "Anna", T0 + i as i64 * 60);
    }
    let clone = tempfile::tempdir().unwrap();
    let dest = clone.path().join("c");
    let status = std::process::Command::new("git")
        .args(["clone", "--quiet", "--depth", "1"])
        .arg(format!("file://{}", repo.path().display()))
        .arg(&dest)
        .status();
    // git is a tool the tests need (tests/run.sh checks for it): without it this test fails.
    assert!(
        matches!(&status, Ok(s) if s.success()),
        "`git clone --depth 1` failed ({status:?}): install git (apt-get install -y git)"
    );
    let project = budkavle::Project::load(&dest).unwrap();
    let history = post_versions(&dest, &project).unwrap();
    assert_eq!(history.versions["a"].len(), 1, "only the newest commit is in the clone");
    assert!(history.notes.iter().any(|n| n.contains("shallow") && n.contains("fetch-depth: 0")), "{:?}", history.notes);
    let approvals = Approvals::load(&dest).unwrap();
    assert!(approvals.notes.iter().any(|n| n.contains("shallow")));
    assert!(approvals.of("HEAD").unwrap().is_some());
}

#[test]
fn a_github_merge_names_the_pull_request_and_its_reviewers() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("a.md", &post("A", "Ett."));
    let direct = commit(&git, "Initial", "Anna", T0);
    repo.post("b.md", &post("B", "Ny post."));
    let pr1 = branch_commit(&git, "Add b", "Bo", T0 + 60);
    repo.post("b.md", &post("B", "Ny post, rättad."));
    let pr2 = {
        let tree = git.find_tree(stage(&git)).unwrap();
        let parent = git.find_commit(pr1).unwrap();
        git.commit(None, &sig("Bo", T0 + 120), &sig("Bo", T0 + 120), "Fix b", &tree, &[&parent]).unwrap()
    };
    let m = merge(
        &git,
        pr2,
        "Merge pull request #12 from x/y\n\nNy post om b\n\nReviewed-by: Anna <a@x.se>\nReviewed-by: Anna <a@x.se>\n\
         Approved-by: Cecilia Dahl <c@x.se>\n",
        T0 + 180,
    );

    let approvals = Approvals::load(repo.path()).unwrap();
    for asked in [pr1, pr2, m] {
        let a = approvals.of(&asked.to_string()).unwrap().expect("merged");
        assert_eq!(a.merge_commit, m.to_string());
        assert_eq!(a.number, Some(12));
        assert_eq!(a.approvers, vec!["Anna", "Cecilia Dahl"]);
        assert_eq!(a.merged_at.as_second(), T0 + 180);
        assert!(!a.signed);
    }
    let by_short = approval_of(repo.path(), &m.to_string()[..8]).unwrap().unwrap();
    assert_eq!(by_short.number, Some(12));

    // A direct commit on the line approves itself, without a request.
    let d = approvals.of(&direct.to_string()).unwrap().unwrap();
    assert_eq!((d.merge_commit, d.number, d.approvers.len()), (direct.to_string(), None, 0));

    // A commit never merged is not approved; a commit that does not exist is an error.
    let stray = branch_commit(&git, "Unmerged", "Mallory", T0 + 240);
    assert!(approvals.of(&stray.to_string()).unwrap().is_none());
    assert!(approvals.of("0000000000000000000000000000000000000001").is_err());

    // The version of b on main is the merge (first-parent history), with the final text.
    let history = post_versions(repo.path(), &repo.load()).unwrap();
    let b = &history.versions["b"];
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].commit, m.to_string());
    assert!(b[0].source.contains("rättad"));
}

#[test]
fn a_gitlab_merge_request_and_its_approvers() {
    let repo = Repo::new("");
    let git = init(repo.path());
    repo.post("a.md", &post("A", "Ett."));
    commit(&git, "Initial", "Anna", T0);
    repo.post("a.md", &post("A", "Två."));
    let side = branch_commit(&git, "Edit a", "Bo", T0 + 60);
    let m = merge(
        &git,
        side,
        "Merge branch 'edit-a' into 'main'\n\nRätta a\n\nApproved-by: Dan Ek <dan@x.se>\n\nSee merge request kommun/kommunikation!34",
        T0 + 120,
    );
    let a = approval_of(repo.path(), &side.to_string()).unwrap().unwrap();
    assert_eq!((a.merge_commit, a.number, a.approvers), (m.to_string(), Some(34), vec!["Dan Ek".to_string()]));
}

#[test]
fn the_record_combines_ledger_and_history() {
    let repo = Repo::new("");
    let git = init(repo.path());
    let id = "2026-11-snorojning-storgatan";
    repo.post(&format!("{id}.md"), "+++\ntitle = \"Snö\"\ndraft = true\n+++\n\nUtkast.\n");
    commit(&git, "Draft", "Anna", T0);
    repo.post(&format!("{id}.md"), &post("Snö", "Vi plogar."));
    commit(&git, "Ready", "Anna", T0 + 60);
    repo.post(&format!("{id}.md"), &post("Snö", "Vi plogar Storgatan."));
    commit(&git, "Edit", "Bo", T0 + 120);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ledger/example/ledger"),
        &repo.path().join("ledger"),
    );

    let record = Record::load(&repo.load()).unwrap();
    let versions = &record.versions[id];
    assert_eq!(versions.len(), 2, "the draft version is not part of the public record");
    assert_eq!(versions.iter().map(|v| v.n).collect::<Vec<_>>(), vec![1, 2]);
    assert!(versions.iter().all(|v| v.author.is_none()), "authors only with [site] show_authors");
    assert_eq!(record.published[id].len(), 2);
    assert!(record.published["2026-10-stormvarning-fredag"][0].deleted_at.is_some());

    let repo2 = Repo::new("[site]\nshow_authors = true\n");
    let git2 = init(repo2.path());
    repo2.post("a.md", &post("A", "Ett."));
    commit(&git2, "Add", "Anna Berg", T0);
    let record = Record::load(&repo2.load()).unwrap();
    assert_eq!(record.versions["a"][0].author.as_deref(), Some("Anna Berg"));
    assert!(record.published.is_empty());

    // A damaged ledger fails the load instead of misstating what was published.
    std::fs::create_dir_all(repo2.path().join("ledger")).unwrap();
    std::fs::write(repo2.path().join("ledger/2026-01.jsonl"), "{not json}\n").unwrap();
    assert!(Record::load(&repo2.load()).is_err());
}
