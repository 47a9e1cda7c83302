//! The platform fakes of `tests/peers/` reproduce the documented examples their READMEs quote:
//! each `replay.py` starts its fake and replays every example and error case, and fails on the
//! first answer that is not what the documentation shows.

use std::process::Command;

use crate::common::fake_peer::FakePeer;

fn replay(name: &str) {
    let script = FakePeer::dir(name).join("replay.py");
    let out = Command::new("python3")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {} ({e}): install python3", script.display()));
    assert!(
        out.status.success(),
        "{} failed:\n{}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn x_replays_its_documented_examples() {
    replay("x");
}

#[test]
fn facebook_replays_its_documented_examples() {
    replay("facebook");
}

#[test]
fn instagram_replays_its_documented_examples() {
    replay("instagram");
}

#[test]
fn threads_replays_its_documented_examples() {
    replay("threads");
}

#[test]
fn linkedin_replays_its_documented_examples() {
    replay("linkedin");
}

#[test]
fn every_fake_starts_and_says_where_it_listens() {
    for name in ["x", "facebook", "instagram", "threads", "linkedin"] {
        let peer = FakePeer::start(name, &[]);
        assert!(peer.url.starts_with("http://127.0.0.1:"), "{name}: {}", peer.url);
        assert!(peer.state().is_object(), "{name}: /_fake/state is not an object");
    }
}
