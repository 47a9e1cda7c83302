//! The hash-chained publish record: reading, verifying, appending under the lock, and what a
//! crash, a tamperer or a second publisher leave behind.

use std::path::{Path, PathBuf};
use std::time::Duration;

use budkavle::PlatformId;
use budkavle::ledger::{
    Appender, Entry, ErrorInfo, Event, GENESIS, Ledger, Lock, NewEntry, Outcome, lock_holder, repair_torn_tail,
    torn_tail,
};
use budkavle::platform::Remote;
use jiff::Timestamp;

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const MERGE: &str = "89abcdef0123456789abcdef0123456789abcdef";

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn intent(post: &str, platform: PlatformId, when: &str) -> NewEntry {
    NewEntry {
        at: Some(at(when)),
        content: Some(budkavle::ledger::content_hash(format!("{post} on {platform}").as_bytes())),
        source: Some(COMMIT.into()),
        approved_in: Some(MERGE.into()),
        approvers: vec!["Anna".into()],
        key: Some(format!("{post}:{platform}:1")),
        ..NewEntry::new(Event::Intent, post, platform)
    }
}

fn published(post: &str, platform: PlatformId, when: &str, url: &str) -> NewEntry {
    NewEntry {
        at: Some(at(when)),
        key: Some(format!("{post}:{platform}:1")),
        remote: Some(Remote { id: format!("id-{post}"), url: Some(url.into()), parts: Vec::new() }),
        ..NewEntry::new(Event::Published, post, platform)
    }
}

fn failed(post: &str, platform: PlatformId, when: &str) -> NewEntry {
    NewEntry {
        at: Some(at(when)),
        error: Some(ErrorInfo { kind: "transient".into(), message: "503 Service Unavailable".into() }),
        ..NewEntry::new(Event::Failed, post, platform)
    }
}

fn simple(event: Event, post: &str, platform: PlatformId, when: &str) -> NewEntry {
    NewEntry { at: Some(at(when)), ..NewEntry::new(event, post, platform) }
}

/// A small ledger over two months, the shape the fixture has.
fn write_example(root: &Path) -> Vec<Entry> {
    use PlatformId::*;
    let mut a = Appender::open(root).expect("open");
    let mut out = Vec::new();
    let steps = [
        intent("snorojning", Mastodon, "2026-11-23T12:00:00Z"),
        published("snorojning", Mastodon, "2026-11-23T12:00:01Z", "https://social.example/@k/1"),
        intent("snorojning", Bluesky, "2026-11-23T12:00:02Z"),
        failed("snorojning", Bluesky, "2026-11-23T12:00:03Z"),
        intent("snorojning", Bluesky, "2026-11-30T23:59:59Z"),
        published("snorojning", Bluesky, "2026-12-01T00:00:00Z", "https://bsky.app/profile/k/post/1"),
        intent("rattelse", Mastodon, "2026-12-02T08:00:00Z"),
        published("rattelse", Mastodon, "2026-12-02T08:00:01Z", "https://social.example/@k/2"),
        simple(Event::Deleted, "rattelse", Mastodon, "2026-12-03T08:00:00Z"),
        intent("stormen", Mastodon, "2026-12-04T08:00:00Z"),
        simple(Event::Unknown, "stormen", Mastodon, "2026-12-04T09:00:00Z"),
        intent("julmarknad", Mastodon, "2026-12-05T08:00:00Z"),
    ];
    for step in steps {
        out.push(a.append(step).expect("append").clone());
    }
    out
}

fn month(root: &Path, m: &str) -> PathBuf {
    root.join("ledger").join(format!("{m}.jsonl"))
}

fn problems(e: budkavle::Error) -> Vec<budkavle::Diagnostic> {
    match e {
        budkavle::Error::Invalid(d) => d,
        other => panic!("expected problems with positions, got {other}"),
    }
}

#[test]
fn round_trip_over_two_months() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_example(dir.path());
    let files: Vec<String> = std::fs::read_dir(dir.path().join("ledger"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(lock_holder(dir.path()).unwrap(), None, "the lock is released when the appender is dropped");

    let ledger = Ledger::read(dir.path()).expect("read");
    assert_eq!(ledger.entries(), written.as_slice());
    let verified = ledger.verify().expect("verify");
    assert_eq!((verified.entries, verified.files), (12, 2));
    assert_eq!(ledger.entries()[0].prev, GENESIS);
    assert_eq!(ledger.entries().iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>());
    assert!(ledger.entries().iter().all(|e| e.v == 1 && e.tool.starts_with("budkavle ")));
    // The chain continues across the month boundary.
    assert_eq!(ledger.location(5).map(|(f, l)| (f.to_path_buf(), l)), Some((PathBuf::from("ledger/2026-12.jsonl"), 1)));

    // Each line on disk is the JSON of its entry, `at` in UTC with a Z, `prev` last.
    let nov = std::fs::read_to_string(month(dir.path(), "2026-11")).unwrap();
    let first = nov.lines().next().unwrap();
    assert!(
        first.starts_with(
            r#"{"v":1,"seq":1,"at":"2026-11-23T12:00:00Z","event":"intent","post":"snorojning","platform":"mastodon","#
        ),
        "{first}"
    );
    assert!(first.ends_with(&format!(r#""prev":"{GENESIS}"}}"#)), "{first}");
    assert_eq!(nov.lines().count(), 5);
}

#[test]
fn state_of_each_post_and_platform() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let ledger = Ledger::read(dir.path()).unwrap();

    let s = ledger.state("snorojning", PlatformId::Bluesky);
    assert_eq!(s.outcome(), Outcome::Published);
    assert_eq!(s.remote.and_then(|r| r.url.as_deref()), Some("https://bsky.app/profile/k/post/1"));
    assert!(s.failed.is_none(), "a later success clears the failure");
    assert_eq!(ledger.state("rattelse", PlatformId::Mastodon).outcome(), Outcome::Deleted);
    assert_eq!(ledger.state("stormen", PlatformId::Mastodon).outcome(), Outcome::Unknown);
    assert_eq!(ledger.state("julmarknad", PlatformId::Mastodon).outcome(), Outcome::Pending);
    assert!(ledger.state("julmarknad", PlatformId::Mastodon).may_be_live());
    assert_eq!(ledger.state("julmarknad", PlatformId::Bluesky).outcome(), Outcome::None);
    assert_eq!(ledger.state("nothing", PlatformId::X).outcome(), Outcome::None);

    let pending: Vec<_> = ledger.pending().iter().map(|e| (e.post.clone(), e.seq)).collect();
    assert_eq!(pending, vec![("julmarknad".to_string(), 12)]);
    assert_eq!(ledger.for_post("snorojning").count(), 6);

    let by_post = ledger.published_by_post();
    let sno = &by_post["snorojning"];
    assert_eq!(sno.iter().map(|p| p.platform).collect::<Vec<_>>(), vec![PlatformId::Mastodon, PlatformId::Bluesky]);
    assert_eq!(sno[0].at, at("2026-11-23T12:00:01Z"));
    assert_eq!(sno[0].url.as_deref(), Some("https://social.example/@k/1"));
    let rattelse = &by_post["rattelse"][0];
    assert_eq!(rattelse.deleted_at, Some(at("2026-12-03T08:00:00Z")));
    assert!(!by_post.contains_key("stormen") && !by_post.contains_key("julmarknad"));

    // A failed attempt with nothing published yet.
    let mut a = Appender::open(dir.path()).unwrap();
    a.append(intent("julmarknad", PlatformId::Bluesky, "2026-12-06T08:00:00Z")).unwrap();
    a.append(failed("julmarknad", PlatformId::Bluesky, "2026-12-06T08:00:01Z")).unwrap();
    assert_eq!(a.ledger().state("julmarknad", PlatformId::Bluesky).outcome(), Outcome::Failed);
    // resolve --not-published settles an unknown without publishing; --published records it.
    a.append(simple(Event::Resolved, "stormen", PlatformId::Mastodon, "2026-12-06T09:00:00Z")).unwrap();
    assert_eq!(a.ledger().state("stormen", PlatformId::Mastodon).outcome(), Outcome::None);
    a.append(NewEntry {
        remote: Some(Remote { id: "9".into(), url: Some("https://social.example/@k/9".into()), parts: Vec::new() }),
        ..simple(Event::Resolved, "julmarknad", PlatformId::Mastodon, "2026-12-06T09:00:01Z")
    })
    .unwrap();
    let s = a.ledger().state("julmarknad", PlatformId::Mastodon);
    assert_eq!(s.outcome(), Outcome::Published);
    assert!(a.ledger().pending().is_empty());
}

#[test]
fn the_clock_never_runs_backwards_and_bad_lines_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Appender::open(dir.path()).unwrap();
    a.append(intent("a", PlatformId::Mastodon, "2026-05-01T10:00:00Z")).unwrap();
    let e = a.append(failed("a", PlatformId::Mastodon, "2026-05-01T09:59:00Z")).unwrap();
    assert_eq!(e.at, at("2026-05-01T10:00:00Z"));
    let now = a.append(NewEntry { at: None, ..intent("b", PlatformId::Mastodon, "2000-01-01T00:00:00Z") }).unwrap();
    assert!(now.at > at("2026-05-01T10:00:00Z"));

    let no_remote = a.append(simple(Event::Published, "a", PlatformId::Mastodon, "2026-05-01T10:00:00Z"));
    assert!(no_remote.unwrap_err().to_string().contains("without `remote`"));
    let no_key = a.append(NewEntry { key: None, ..intent("a", PlatformId::Mastodon, "2026-05-01T10:00:00Z") });
    assert!(no_key.unwrap_err().to_string().contains("idempotency `key`"));
    let bad_id = a.append(intent("Not An Id", PlatformId::Mastodon, "2026-05-01T10:00:00Z"));
    assert!(bad_id.is_err());
    assert_eq!(a.ledger().len(), 3, "refused lines are not written");
    drop(a);
    Ledger::read(dir.path()).unwrap().verify().unwrap();
}

#[test]
fn an_edited_byte_breaks_the_chain_at_that_line() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-11");
    let text = std::fs::read_to_string(&path).unwrap();
    // Line 2 records the Mastodon URL; change one character of it.
    let tampered = text.replacen("https://social.example/@k/1", "https://social.example/@k/7", 1);
    assert_ne!(text, tampered);
    std::fs::write(&path, tampered).unwrap();

    let ledger = Ledger::read(dir.path()).expect("still well-formed JSON");
    let d = problems(ledger.verify().unwrap_err());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].file.as_path(), d[0].line), (Path::new("ledger/2026-11.jsonl"), 2));
    assert!(d[0].message.contains("changed after it was written"), "{}", d[0]);
    assert!(d[0].to_string().starts_with("ledger/2026-11.jsonl:2:"), "{}", d[0]);
    // The appender refuses to extend a broken chain.
    assert!(Appender::open(dir.path()).is_err());
    assert_eq!(lock_holder(dir.path()).unwrap(), None, "a refused appender releases the lock");
}

#[test]
fn removed_and_reordered_lines_are_found() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-12");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.remove(2);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap().verify().unwrap_err());
    assert!(d.iter().any(|d| d.line == 3 && d.message.contains("seq 9 follows seq 7")), "{d:#?}");

    // The first month removed entirely: the ledger no longer starts at 1.
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    std::fs::remove_file(month(dir.path(), "2026-11")).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap().verify().unwrap_err());
    assert!(d.iter().any(|d| d.message.contains("starts at seq 6")), "{d:#?}");
}

#[test]
fn a_line_in_the_wrong_month_or_not_in_utc_is_found() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    // Moving the whole December file under another month's name keeps the chain intact.
    std::fs::rename(month(dir.path(), "2026-12"), month(dir.path(), "2027-01")).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap().verify().unwrap_err());
    assert_eq!(d.len(), 7, "{d:#?}");
    assert!(d[0].message.contains("file of another month"), "{d:#?}");

    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-11");
    let text = std::fs::read_to_string(&path).unwrap().replacen("2026-11-23T12:00:00Z", "2026-11-23T13:00:00+01:00", 1);
    std::fs::write(&path, text).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert_eq!((d[0].line, d[0].file.as_path()), (1, Path::new("ledger/2026-11.jsonl")));
    assert!(d[0].message.contains("must be UTC"), "{}", d[0]);
}

#[test]
fn malformed_lines_and_stray_files_name_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-11");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replacen("\"event\":\"failed\"", "\"event\":\"exploded\"", 1);
    std::fs::write(&path, &text).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].line, 4);
    assert!(d[0].message.starts_with("not a ledger entry"), "{}", d[0]);

    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    std::fs::write(dir.path().join("ledger/old.jsonl"), "{}\n").unwrap();
    std::fs::write(dir.path().join("ledger/README.md"), "notes\n").unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].file, Path::new("ledger/old.jsonl"));

    // A missing ledger is an empty one.
    let empty = tempfile::tempdir().unwrap();
    let ledger = Ledger::read(empty.path()).unwrap();
    assert!(ledger.is_empty());
    assert_eq!(ledger.verify().unwrap().head, GENESIS);
}

#[cfg(unix)]
#[test]
fn a_linked_ledger_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x"), "").unwrap();
    std::os::unix::fs::symlink(outside.path().join("x"), month(dir.path(), "2027-01")).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert!(d[0].message.contains("regular file"), "{}", d[0]);
}

#[test]
fn a_torn_last_line_is_reported_and_repaired_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-12");
    let bytes = std::fs::read(&path).unwrap();
    let complete = bytes.len();
    // A crash in the middle of writing line 7 of December: half of it reached the disk.
    let last_start = bytes[..complete - 1].iter().rposition(|&b| b == b'\n').unwrap() + 1;
    let half = last_start + (complete - last_start) / 2;
    std::fs::write(&path, &bytes[..half]).unwrap();

    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].file.as_path(), d[0].line), (Path::new("ledger/2026-12.jsonl"), 7));
    assert!(d[0].message.contains("incomplete"), "{}", d[0]);
    assert!(d[0].hint.as_deref().unwrap_or("").contains("safe"), "{:?}", d[0].hint);
    // Nothing is dropped silently: the appender refuses until a person repairs.
    assert!(Appender::open(dir.path()).is_err());
    assert_eq!(std::fs::read(&path).unwrap().len(), half);

    let torn = torn_tail(dir.path()).unwrap().expect("torn");
    assert_eq!((torn.line, torn.bytes.len()), (7, half - last_start));
    let lock = Lock::acquire(dir.path()).unwrap();
    assert_eq!(repair_torn_tail(&lock).unwrap(), Some(torn));
    let mut a = Appender::with_lock(lock).unwrap();
    assert_eq!(a.ledger().len(), 11);
    assert_eq!(a.ledger().state("julmarknad", PlatformId::Mastodon).outcome(), Outcome::None);
    a.append(intent("julmarknad", PlatformId::Mastodon, "2026-12-05T08:00:00Z")).unwrap();
    drop(a);
    Ledger::read(dir.path()).unwrap().verify().unwrap();
}

#[test]
fn a_complete_line_without_its_newline_is_still_torn() {
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-12");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert!(d[0].message.contains("incomplete"), "{}", d[0]);

    // Not at the end of the ledger, a missing newline is damage, not a crash.
    let dir = tempfile::tempdir().unwrap();
    write_example(dir.path());
    let path = month(dir.path(), "2026-11");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    let d = problems(Ledger::read(dir.path()).unwrap_err());
    assert_eq!(d.len(), 1);
    assert!(d[0].hint.as_deref().unwrap_or("").contains("restore"), "{d:#?}");
    assert!(torn_tail(dir.path()).unwrap().is_none(), "only the last file's end can be torn");
}

fn lock_error(e: budkavle::Error) -> String {
    match e {
        budkavle::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::WouldBlock => source.to_string(),
        other => panic!("expected a held lock, got {other}"),
    }
}

#[test]
fn a_second_appender_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Appender::open(dir.path()).unwrap();
    first.append(intent("a", PlatformId::Mastodon, "2026-05-01T10:00:00Z")).unwrap();
    let msg = lock_error(Appender::open(dir.path()).unwrap_err());
    assert!(msg.contains(&format!("process {}", std::process::id())), "{msg}");
    assert!(msg.contains("another publisher is running"), "{msg}");
    assert!(msg.contains("nothing to remove"), "says what to do: {msg}");
    let holder = lock_holder(dir.path()).unwrap().unwrap().unwrap();
    assert_eq!(holder.pid, std::process::id());
    drop(first);
    assert_eq!(lock_holder(dir.path()).unwrap(), None);
    assert!(dir.path().join("ledger/.lock").exists(), "the lock file is kept: removing it would race");
    let mut second = Appender::open(dir.path()).unwrap();
    second.append(published("a", PlatformId::Mastodon, "2026-05-01T10:00:01Z", "https://s.example/1")).unwrap();
}

/// What a lock file says decides nothing: a leftover naming a process, or garbage, does not
/// keep anyone out while no process holds the OS lock.
#[test]
fn the_lock_files_contents_never_keep_a_publisher_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("ledger")).unwrap();
    let file = dir.path().join("ledger/.lock");
    for leftover in [
        // pid 1 always runs: the old heuristics would have kept this lock forever.
        r#"{"pid":1,"host":"some-other-host","at":"2026-05-01T10:00:00Z","tool":"budkavle 0.1.0"}"#.to_string(),
        "not a holder".to_string(),
        String::new(),
    ] {
        std::fs::write(&file, &leftover).unwrap();
        assert_eq!(lock_holder(dir.path()).unwrap(), None, "{leftover:?}");
        let lock = Lock::acquire(dir.path()).unwrap_or_else(|e| panic!("{leftover:?}: {e}"));
        assert_eq!(lock_holder(dir.path()).unwrap().unwrap().unwrap().pid, std::process::id());
        lock.release().unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"", "cleared on release");
    }
}

/// A holder that has not written who it is (it just took the lock) is still a holder.
#[test]
fn a_holder_that_has_not_said_who_it_is_still_holds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("ledger")).unwrap();
    let other = std::fs::File::create(dir.path().join("ledger/.lock")).unwrap();
    other.try_lock().unwrap();
    let msg = lock_error(Lock::acquire(dir.path()).unwrap_err());
    assert!(msg.contains("has not written who it is"), "{msg}");
    assert_eq!(lock_holder(dir.path()).unwrap(), Some(Err(String::new())));
    drop(other);
    Lock::acquire(dir.path()).expect("free once the other handle is closed");
}

#[test]
fn threads_appending_under_the_lock_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut done = 0;
                let mut refused = 0;
                while done < 25 {
                    match Appender::open(&root) {
                        Ok(mut a) => {
                            for _ in 0..5 {
                                let post = format!("p{t}-{done}");
                                a.append(NewEntry {
                                    at: None,
                                    ..intent(&post, PlatformId::Mastodon, "2026-01-01T00:00:00Z")
                                })
                                .unwrap();
                                done += 1;
                            }
                        }
                        Err(e) => {
                            lock_error(e);
                            refused += 1;
                            std::thread::sleep(Duration::from_millis(1));
                        }
                    }
                }
                refused
            })
        })
        .collect();
    let refused: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let ledger = Ledger::read(&root).unwrap();
    assert_eq!(ledger.verify().unwrap().entries, 200);
    for t in 0..8 {
        assert_eq!(ledger.entries().iter().filter(|e| e.post.starts_with(&format!("p{t}-"))).count(), 25);
    }
    eprintln!("8 threads × 25 appends: {refused} refusals by the lock");
}

// ---- Separate processes: the test binary runs itself with these tests as children.

const CHILD_DIR: &str = "BUDKAVLE_LEDGER_CHILD_DIR";
const CHILD_NAME: &str = "BUDKAVLE_LEDGER_CHILD_NAME";
const CHILD_FOREVER: &str = "BUDKAVLE_LEDGER_CHILD_FOREVER";

/// The appender of the multi-process tests below, which run this test binary with it as a child
/// (its environment variables name the ledger). Run on its own, it appends the same 40 lines to
/// a fresh ledger and checks they form one valid chain.
#[test]
fn child_appender() {
    let own = tempfile::tempdir().unwrap();
    let child = std::env::var(CHILD_DIR).ok();
    let dir = child.clone().unwrap_or_else(|| own.path().display().to_string());
    let name = std::env::var(CHILD_NAME).unwrap_or_else(|_| "c".into());
    let forever = std::env::var(CHILD_FOREVER).is_ok();
    let mut done = 0usize;
    while forever || done < 40 {
        match Appender::open(Path::new(&dir)) {
            Ok(mut a) => {
                for _ in 0..if forever { usize::MAX } else { 4 } {
                    let post = format!("{name}-{done}");
                    a.append(NewEntry { at: None, ..intent(&post, PlatformId::Bluesky, "2026-01-01T00:00:00Z") })
                        .unwrap();
                    done += 1;
                }
            }
            Err(_) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    if child.is_none() {
        let verified = Ledger::read(own.path()).unwrap().verify().unwrap();
        assert_eq!(verified.entries, 40);
    }
}

fn spawn_child(dir: &Path, name: &str, forever: bool) -> std::process::Child {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["ledger::child_appender", "--exact", "--test-threads=1", "--quiet"])
        .env(CHILD_DIR, dir)
        .env(CHILD_NAME, name)
        .stdout(std::process::Stdio::null());
    if forever {
        cmd.env(CHILD_FOREVER, "1");
    }
    cmd.spawn().expect("spawn child")
}

#[test]
fn processes_appending_under_the_lock_keep_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let children: Vec<_> = (0..4).map(|i| spawn_child(dir.path(), &format!("c{i}"), false)).collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let ledger = Ledger::read(dir.path()).unwrap();
    assert_eq!(ledger.verify().unwrap().entries, 160);
    for i in 0..4 {
        let mine: Vec<_> = ledger.entries().iter().filter(|e| e.post.starts_with(&format!("c{i}-"))).collect();
        assert_eq!(mine.len(), 40);
        // Each process's own lines are in its order.
        assert!(mine.windows(2).all(|w| w[0].seq < w[1].seq));
    }
}

/// What the lock file says, whether or not anyone holds the lock.
fn lock_holder_in_file(root: &Path) -> budkavle::ledger::Holder {
    serde_json::from_slice(&std::fs::read(root.join("ledger/.lock")).unwrap()).expect("a holder")
}

const CHILD_HOLD: &str = "BUDKAVLE_LEDGER_CHILD_HOLD";

/// The lock holder of the test below, which runs this test binary with it as a child: it takes
/// the lock, says so by creating the file `CHILD_HOLD` names, and sleeps until it is killed (at
/// most a minute, should the parent die first). Run on its own, it takes and releases the lock.
#[test]
fn child_holder() {
    let own = tempfile::tempdir().unwrap();
    let Some(ready) = std::env::var_os(CHILD_HOLD) else {
        Lock::acquire(own.path()).unwrap().release().unwrap();
        return;
    };
    let dir = std::env::var(CHILD_DIR).unwrap();
    let _lock = Lock::acquire(Path::new(&dir)).unwrap();
    std::fs::write(ready, "").unwrap();
    std::thread::sleep(Duration::from_secs(60));
}

#[cfg(unix)]
#[test]
fn a_lock_held_by_another_process_is_refused_and_freed_when_that_process_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let ready = dir.path().join("ready");
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["ledger::child_holder", "--exact", "--test-threads=1", "--quiet"])
        .env(CHILD_DIR, dir.path())
        .env(CHILD_HOLD, &ready)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn child");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !ready.exists() {
        assert!(std::time::Instant::now() < deadline, "the child never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    }

    let msg = lock_error(Lock::acquire(dir.path()).unwrap_err());
    assert!(msg.contains(&format!("process {} on host", child.id())), "names the holder: {msg}");
    assert!(msg.contains("another publisher is running"), "{msg}");
    assert_eq!(lock_holder(dir.path()).unwrap().unwrap().unwrap().pid, child.id());
    assert!(Appender::open(dir.path()).is_err(), "appending is refused too");

    child.kill().unwrap(); // SIGKILL: no destructor runs, the lock file keeps naming the child
    child.wait().unwrap();
    assert_eq!(lock_holder_in_file(dir.path()).pid, child.id());
    assert_eq!(lock_holder(dir.path()).unwrap(), None, "the OS released the lock at death");
    let started = std::time::Instant::now();
    let lock = Lock::acquire(dir.path()).expect("acquired at once: there is nothing stale to break");
    // Well under the half second a held lock is tried for.
    assert!(started.elapsed() < Duration::from_millis(400), "{:?}", started.elapsed());
    assert_eq!(lock_holder_in_file(dir.path()).pid, std::process::id(), "the new holder's information");
    lock.release().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_publisher_killed_mid_run_leaves_a_ledger_the_next_run_can_continue() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let mut child = spawn_child(dir.path(), "k", true);
        // Wait until it has written something, then SIGKILL it somewhere in its loop.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::fs::read_dir(dir.path().join("ledger")).map(|d| d.count() < 2).unwrap_or(true) {
            assert!(std::time::Instant::now() < deadline, "the child wrote nothing");
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(20 + 37 * round));
        child.kill().unwrap();
        child.wait().unwrap();

        let left = lock_holder_in_file(dir.path());
        assert_eq!(left.pid, child.id(), "killed while holding the lock, its file still names it");
        let lock = Lock::acquire(dir.path()).expect("the OS released the dead publisher's lock");
        if let Some(torn) = repair_torn_tail(&lock).unwrap() {
            eprintln!("round {round}: repaired a torn line of {} bytes", torn.bytes.len());
        }
        let mut a = Appender::with_lock(lock).expect("the ledger verifies");
        let before = a.ledger().len();
        assert!(before > 0);
        a.append(intent("after", PlatformId::Mastodon, "2026-01-01T00:00:00Z")).unwrap();
        drop(a);
        assert_eq!(Ledger::read(dir.path()).unwrap().verify().unwrap().entries, before + 1);
    }
}

// ---- Fixtures, for the archive's tests and as an example of the format.

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ledger/example")
}

#[test]
fn the_fixture_ledger_verifies() {
    let ledger = Ledger::read(&fixture()).unwrap();
    assert_eq!(ledger.verify().unwrap().entries, 12);
    let by_post = ledger.published_by_post();
    assert_eq!(by_post["2026-11-snorojning-storgatan"].len(), 2);
    assert!(by_post["2026-10-stormvarning-fredag"][0].deleted_at.is_some());
    assert_eq!(
        ledger.state("2027-01-kokningsrekommendation-norra-exempelstad", PlatformId::Bluesky).outcome(),
        Outcome::Pending
    );
}

/// The fixture ledger is exactly what the appender writes today for its story, so a change of
/// format shows here. `BUDKAVLE_BLESS=1 cargo test --test ledger fixture_is_current` rewrites it.
#[test]
fn fixture_is_current() {
    use PlatformId::*;
    let fresh = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("BUDKAVLE_BLESS").is_some();
    let root = if bless { fixture() } else { fresh.path().to_path_buf() };
    if bless {
        let _ = std::fs::remove_dir_all(root.join("ledger"));
    }
    let mut a = Appender::open(&root).unwrap();
    let sno = "2026-11-snorojning-storgatan";
    let fix = "2026-11-rattelse-snorojning-storgatan";
    let storm = "2026-10-stormvarning-fredag";
    let water = "2027-01-kokningsrekommendation-norra-exempelstad";
    for step in [
        intent(storm, Mastodon, "2026-10-30T07:00:00Z"),
        published(storm, Mastodon, "2026-10-30T07:00:01Z", "https://social.exempelstad.se/@kommunen/113001"),
        simple(Event::Deleted, storm, Mastodon, "2026-10-31T12:00:00Z"),
        intent(sno, Mastodon, "2026-11-23T12:00:00Z"),
        published(sno, Mastodon, "2026-11-23T12:00:01Z", "https://social.exempelstad.se/@kommunen/113501"),
        intent(sno, Bluesky, "2026-11-23T12:00:02Z"),
        failed(sno, Bluesky, "2026-11-23T12:00:03Z"),
        intent(sno, Bluesky, "2026-11-23T12:10:00Z"),
        published(sno, Bluesky, "2026-11-23T12:10:01Z", "https://bsky.app/profile/exempelstad.se/post/3kz2"),
        intent(fix, Mastodon, "2026-11-24T08:00:00Z"),
        published(fix, Mastodon, "2026-11-24T08:00:01Z", "https://social.exempelstad.se/@kommunen/113502"),
        intent(water, Bluesky, "2027-01-12T06:00:00Z"),
    ] {
        a.append(step).unwrap();
    }
    drop(a);
    let months = |dir: &Path| -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join("ledger"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
            .collect();
        files.sort();
        files
    };
    assert_eq!(months(&root), months(&fixture()), "the fixture is stale: BUDKAVLE_BLESS=1 rewrites it");
}
