//! The integration tests, in one binary (as ripgrep keeps its): one link instead of thirty-two,
//! and helpers only in `tests/common/`. Each module is one area; run one with
//! `cargo test --test integration <module>::`.
//!
//! Tests that need a tool (Chromium, jing, xmllint, the local Mastodon and Bluesky peers) fail
//! with what to install when it is missing; `tests/run.sh` installs them all.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod build_cache;
mod cap;
mod check_cli;
mod check_corpus;
mod check_packs;
mod check_privacy;
mod check_report;
mod check_rules;
mod cli;
mod counting_bluesky;
mod counting_mastodon;
mod counting_x;
mod crisis_story;
mod doctor;
mod git_history;
mod inbox_cli;
mod inbox_duty;
mod inbox_hide;
mod inbox_pull;
mod inbox_pull_fakes;
mod inbox_reply;
mod inbox_triage;
mod layers;
mod ledger;
mod media_strip;
mod metrics_pull;
mod peers;
mod plan_calendar;
mod preview;
mod preview_browser;
mod publish_bluesky;
mod publish_corrections;
mod publish_e2e;
mod publish_facebook;
mod publish_faults;
mod publish_instagram;
mod publish_linkedin;
mod publish_mastodon;
mod publish_plan;
mod publish_threads;
mod publish_x;
mod render;
mod report;
mod schedule_slot;
mod serve;
mod serve_inbox;
mod site;
mod site_base_path;
mod site_browser;
mod site_crisis;
mod site_feeds;
mod site_versions;
mod workflows;
