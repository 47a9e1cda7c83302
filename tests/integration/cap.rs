//! CAP 1.2 alerts of crisis posts (issue 6, item 5): every alert the example repository's
//! boil-water chain exports validates against the OASIS schema with `xmllint --schema` (Debian's
//! libxml2-utils, which these tests require and never skip); updates are `Update` and cancels
//! `Cancel` with `references` to every earlier message; `sent` carries a `±hh:mm` offset;
//! identifiers obey section 3; the four OASIS samples round-trip through the model; `budkavle cap`
//! prints the alert; `build` writes `cap/<id>.xml` and an Atom index valid against RFC 4287.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use budkavle::cap::{self, Alert, MsgType};
use budkavle::post::Post;
use common::Repo;

/// The CAP schema and samples, copied from `../shared/data/cap` so the tests need only this
/// repository.
const CAP_FIXTURES: &str = "tests/fixtures/cap";
/// The Atom grammar the archive's feed tests use (a copy of the shared one).
const ATOM_RNC_FIXTURE: &str = "tests/fixtures/feeds/atom-rfc4287.rnc";

const CHAIN: [&str; 4] = [
    "2027-01-kokningsrekommendation-norra-exempelstad",
    "2027-01-kokningsrekommendation-uppdatering-1",
    "2027-01-kokningsrekommendation-uppdatering-2",
    "2027-01-kokningsrekommendation-upphor",
];

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    let path = crate_root().join(rel);
    assert!(path.exists(), "{} is missing: these tests read the CAP and Atom reference files", path.display());
    path
}

/// The copies are the shared reference, wherever that reference is beside this repository.
#[test]
fn the_fixture_copies_are_the_shared_reference() {
    let pairs = [
        ("../shared/data/cap/CAP-v1.2.xsd", "tests/fixtures/cap/CAP-v1.2.xsd"),
        ("../shared/data/cap/oasis-appendix-a1.xml", "tests/fixtures/cap/oasis-appendix-a1.xml"),
        ("../shared/data/cap/oasis-appendix-a2.xml", "tests/fixtures/cap/oasis-appendix-a2.xml"),
        ("../shared/data/cap/oasis-appendix-a3.xml", "tests/fixtures/cap/oasis-appendix-a3.xml"),
        ("../shared/data/cap/oasis-appendix-a4.xml", "tests/fixtures/cap/oasis-appendix-a4.xml"),
        ("../shared/data/feeds/atom-rfc4287.rnc", "tests/fixtures/feeds/atom-rfc4287.rnc"),
    ];
    for (reference, copy) in pairs {
        // On a machine with only this repository (CI), the copies are all there is.
        if let Ok(reference_bytes) = std::fs::read(crate_root().join(reference)) {
            let copy_bytes = std::fs::read(crate_root().join(copy)).expect("the copy");
            assert!(reference_bytes == copy_bytes, "{copy} differs from {reference}: copy it again");
        }
    }
}

fn schema() -> PathBuf {
    fixture(CAP_FIXTURES).join("CAP-v1.2.xsd")
}

/// `xmllint --noout --schema CAP-v1.2.xsd`'s verdict on `xml`.
fn xmllint(xml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("alert.xml");
    std::fs::write(&file, xml).expect("write alert");
    let out = match Command::new("xmllint").arg("--noout").arg("--schema").arg(schema()).arg(&file).output() {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `xmllint` ({e}): CAP alerts are validated with Debian's xmllint; install it with \
             `apt-get install -y libxml2-utils` (or run `bash tests/run.sh`)"
        ),
    };
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn valid(xml: &str) {
    if let Err(report) = xmllint(xml) {
        panic!("xmllint rejects the alert:\n{report}\n--- alert ---\n{xml}");
    }
}

/// `jing -c atom-rfc4287.rnc`'s verdict, the way tests/site_feeds.rs checks the archive's feed.
fn jing(feed: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("index.atom");
    std::fs::write(&file, feed).expect("write feed");
    let out = Command::new("jing")
        .arg("-c")
        .arg(fixture(ATOM_RNC_FIXTURE))
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `jing` ({e}): install it with `apt-get install -y jing`"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let findings: String =
        stderr.lines().filter(|l| !(l.starts_with("[warning]") && l.contains("Unable to locate"))).collect();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim().is_empty() && findings.trim().is_empty(),
        "jing rejects the CAP index:\n{stdout}{findings}\n--- feed ---\n{feed}"
    );
}

fn load(root: &Path) -> budkavle::Project {
    match budkavle::Project::load(root) {
        Ok(p) => p,
        Err(budkavle::Error::Invalid(d)) => panic!("the repository does not load: {d:#?}"),
        Err(e) => panic!("the repository does not load: {e}"),
    }
}

fn by_date(p: &Post) -> Option<jiff::Timestamp> {
    p.date
}

fn alert_of(project: &budkavle::Project, id: &str) -> Alert {
    let post = project.post(id).unwrap_or_else(|| panic!("no post {id}"));
    cap::alert(project, post, &by_date).unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_budkavle"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).stdin(Stdio::null()).output().expect("run budkavle");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Section 3.3.2: `YYYY-MM-DDThh:mm:ss±hh:mm`, never `Z`.
fn has_offset(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 25 && (b[19] == b'+' || b[19] == b'-') && b[22] == b':' && !t.contains('Z')
}

// ---------------------------------------------------------------------------------------------

#[test]
fn xmllint_rejects_an_invalid_alert() {
    // Without this, a validator that accepted everything would pass every test below.
    let project = load(crate_root());
    let xml = cap::to_xml(&alert_of(&project, CHAIN[0]));
    valid(&xml);
    for (from, to) in [
        ("<status>Actual</status>", "<status>Real</status>"),
        ("+01:00</sent>", "Z</sent>"),
        ("<scope>Public</scope>", ""),
        ("<category>Health</category>", "<category>Water</category>"),
    ] {
        let broken = xml.replacen(from, to, 1);
        assert_ne!(broken, xml, "{from}");
        assert!(xmllint(&broken).is_err(), "xmllint accepted {to:?} for {from:?}");
    }
}

#[test]
fn the_example_chain_exports_valid_alerts_with_references() {
    let project = load(crate_root());
    let alerts: Vec<Alert> = CHAIN.iter().map(|id| alert_of(&project, id)).collect();
    for (id, a) in CHAIN.iter().zip(&alerts) {
        let xml = cap::to_xml(a);
        valid(&xml);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"), "{id}");
        // What the schema does not check (section 3).
        assert!(cap::is_token(&a.identifier) && cap::is_token(&a.sender), "{id}: {a:?}");
        assert_eq!(a.identifier, format!("exempelstad.se.{id}"));
        assert_eq!(a.sender, "krisinfo@exempelstad.se");
        assert!(has_offset(&a.sent.to_string()), "{id}: {}", a.sent);
        let info = &a.infos[0];
        assert!(has_offset(&info.expires.expect("expires").to_string()));
        assert_eq!(info.language.as_deref(), Some("sv-SE"));
        assert_eq!(info.sender_name.as_deref(), Some("Exempelstads kommun"));
        assert_eq!(info.headline.as_deref(), Some(project.post(id).unwrap().title.as_str()));
        assert_eq!(info.web.as_deref(), Some("https://www.exempelstad.se/vatten"));
        assert_eq!(info.areas.len(), 1);
        assert_eq!(info.areas[0].polygons.len(), 1);
        assert!(info.contact.as_deref().is_some_and(|c| c.contains("0123-45 68 00")));
        assert!(info.instruction.is_some());
        // The plain text, not Markdown.
        let description = info.description.as_deref().unwrap();
        assert!(
            !description.contains("](") && !description.contains("- Koka") && !description.contains("---"),
            "{description}"
        );
        // Reading it back gives the same alert.
        assert_eq!(&cap::from_xml(&xml).expect("read back"), a);
    }
    assert_eq!(alerts[0].sent.to_string(), "2027-01-19T07:30:00+01:00");
    assert_eq!(alerts[0].infos[0].expires.unwrap().to_string(), "2027-01-22T18:00:00+01:00");
    let types: Vec<MsgType> = alerts.iter().map(|a| a.msg_type).collect();
    assert_eq!(types, [MsgType::Alert, MsgType::Update, MsgType::Update, MsgType::Cancel]);
    // Every earlier message of the chain, oldest first, as sender,identifier,sent.
    for (n, a) in alerts.iter().enumerate() {
        let want: Vec<String> =
            alerts[..n].iter().map(|e| format!("{},{},{}", e.sender, e.identifier, e.sent)).collect();
        let got: Vec<String> = a.references.iter().map(ToString::to_string).collect();
        assert_eq!(got, want, "{}", CHAIN[n]);
    }
    let cancel = cap::to_xml(&alerts[3]);
    assert!(cancel.contains(
        "<references>krisinfo@exempelstad.se,exempelstad.se.2027-01-kokningsrekommendation-norra-exempelstad,2027-01-19T07:30:00+01:00 krisinfo@exempelstad.se,exempelstad.se.2027-01-kokningsrekommendation-uppdatering-1,2027-01-19T16:00:00+01:00 "
    ));
    assert!(!cap::to_xml(&alerts[0]).contains("<references>"));
}

// ---------------------------------------------------------------------------------------------

/// An element as the comparison sees it: name, attributes, its text (white space between child
/// elements left out) and its child elements.
#[derive(Debug, PartialEq)]
struct Tree {
    namespace: Option<String>,
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Tree>,
}

fn tree(xml: &str) -> Tree {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
    fn of(n: roxmltree::Node<'_, '_>) -> Tree {
        let children: Vec<Tree> = n.children().filter(|c| c.is_element()).map(of).collect();
        let text: String = n.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
        Tree {
            namespace: n.tag_name().namespace().map(str::to_string),
            name: n.tag_name().name().to_string(),
            attributes: n.attributes().map(|a| (a.name().to_string(), a.value().to_string())).collect(),
            text: if children.is_empty() { text } else { text.trim().to_string() },
            children,
        }
    }
    of(doc.root_element())
}

#[test]
fn the_oasis_samples_round_trip_and_validate() {
    let dir = fixture(CAP_FIXTURES);
    let samples: Vec<PathBuf> = (1..=4).map(|n| dir.join(format!("oasis-appendix-a{n}.xml"))).collect();
    for path in &samples {
        let original = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        valid(&original);
        let alert = cap::from_xml(&original).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let written = cap::to_xml(&alert);
        valid(&written);
        assert_eq!(tree(&written), tree(&original), "{} changed on the way through the model", path.display());
        assert_eq!(cap::from_xml(&written).as_ref(), Ok(&alert), "{}", path.display());
    }
    // The update of Appendix A.3, its reference read as a triple.
    let a3 = cap::from_xml(&std::fs::read_to_string(&samples[2]).unwrap()).unwrap();
    assert_eq!(a3.msg_type, MsgType::Update);
    assert_eq!(a3.references.len(), 1);
    assert_eq!(a3.references[0].identifier, "TRI13970876.1");
    assert_eq!(a3.references[0].sent.to_string(), "2003-06-11T20:30:00-07:00");
    // Appendix A.4 has two languages.
    let a4 = cap::from_xml(&std::fs::read_to_string(&samples[3]).unwrap()).unwrap();
    assert_eq!(a4.infos.iter().map(|i| i.language.as_deref().unwrap()).collect::<Vec<_>>(), ["en-US", "es-US"]);
}

#[test]
fn the_comparison_sees_a_changed_value() {
    let original = std::fs::read_to_string(fixture(CAP_FIXTURES).join("oasis-appendix-a2.xml")).unwrap();
    let changed = original.replacen("SEVERE THUNDERSTORM</event>", "THUNDERSTORM</event>", 1);
    assert_ne!(tree(&changed), tree(&original));
}

// ---------------------------------------------------------------------------------------------

#[test]
fn cap_prints_the_alert_and_refuses_other_posts() {
    let root = crate_root().to_str().unwrap();
    let (code, out, err) = run(&["--root", root, "cap", CHAIN[1]]);
    assert_eq!(code, 0, "{err}");
    valid(&out);
    let project = load(crate_root());
    assert_eq!(out, cap::to_xml(&alert_of(&project, CHAIN[1])));
    assert!(out.contains("<msgType>Update</msgType>"));
    // By file path too.
    let (code, by_path, _) = run(&["--root", root, "cap", &format!("content/posts/{}.md", CHAIN[3])]);
    assert_eq!(code, 0);
    assert!(by_path.contains("<msgType>Cancel</msgType>"));

    let (code, out, err) = run(&["--root", root, "cap", "2027-01-ansokan-forskoleklass"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("2027-01-ansokan-forskoleklass") && err.contains("not a crisis post"), "{err}");
    let (code, _, err) = run(&["--root", root, "cap", "no-such-post"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn build_writes_the_alerts_and_their_atom_index() {
    let out = tempfile::tempdir().expect("temp dir");
    let root = crate_root().to_str().unwrap();
    let (code, _, err) = run(&["--root", root, "-q", "build", "--only", "site", "--out", out.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let cap_dir = out.path().join("site/cap");
    let project = load(crate_root());
    for id in CHAIN {
        let xml = std::fs::read_to_string(cap_dir.join(format!("{id}.xml"))).unwrap_or_else(|e| panic!("{id}: {e}"));
        valid(&xml);
        assert_eq!(xml, cap::to_xml(&alert_of(&project, id)));
    }
    // Only crisis posts: the English boil-water notice is news.
    let files = std::fs::read_dir(&cap_dir).unwrap().count();
    assert_eq!(files, CHAIN.len() + 1);
    let feed = std::fs::read_to_string(cap_dir.join("index.atom")).expect("cap/index.atom");
    jing(&feed);
    let entries: Vec<&str> = feed.split("<entry").skip(1).collect();
    assert_eq!(entries.len(), CHAIN.len());
    // Newest first, each linking its alert and the post's page.
    for (entry, id) in entries.iter().zip(CHAIN.iter().rev()) {
        assert!(
            entry.contains(&format!(
                "<link rel=\"alternate\" type=\"application/cap+xml\" href=\"https://arkiv.exempelstad.se/cap/{id}.xml\"/>"
            )),
            "{id}: {entry}"
        );
        assert!(entry.contains(&format!("href=\"https://arkiv.exempelstad.se/p/{id}/\"")), "{entry}");
    }
    assert!(entries[0].contains("<category term=\"Cancel\"/>") && entries[3].contains("<category term=\"Alert\"/>"));
    assert!(feed.contains("<updated>2027-01-21T13:00:00Z</updated>"), "{feed}");
}

// ---------------------------------------------------------------------------------------------

fn crisis(extra: &str, date: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"Storm över Testby\"\n{date}kind = \"crisis\"\n{extra}\n[crisis]\nevent = \"Storm\"\ncategory = \"Met\"\nurgency = \"Expected\"\nseverity = \"Severe\"\ncertainty = \"Likely\"\narea = {{ description = \"Testby & omnejd <centrum>\", circle = \"59.3,18.0 5\" }}\n+++\n\n{body}\n"
    )
}

#[test]
fn chains_follow_every_relation_and_leave_out_drafts() {
    // No [crisis] cap_sender: the sender is the organisation's web host.
    let repo = Repo::new("");
    repo.post(
        "a.md",
        &crisis("", "date = 2027-03-01T08:00:00\n", "Stanna inne. Läs [mer](https://www.testby.se/storm)."),
    );
    repo.post("b.md", &crisis("updates = \"a\"", "date = 2027-03-01T10:00:00\n", "Uppdatering."));
    repo.post("c.md", &crisis("corrects = \"b\"", "date = 2027-03-01T11:00:00\n", "Rättelse."));
    repo.post("d.md", &crisis("updates = \"a\"\ndraft = true", "date = 2027-03-01T11:30:00\n", "Utkast."));
    repo.post("e.md", &crisis("cancels = \"a\"", "date = 2027-07-01T12:00:00\n", "Faran är över."));
    repo.post("f.md", &crisis("", "", "Utan datum."));
    repo.post("g.md", "+++\ntitle = \"Nyhet\"\ndate = 2027-03-02T08:00:00\n+++\n\nText.\n");
    let project = repo.load();

    let a = alert_of(&project, "a");
    assert_eq!(a.sender, "www.testby.se");
    assert_eq!(a.identifier, "testby.se.a");
    assert_eq!(a.infos[0].web.as_deref(), Some("https://arkiv.testby.se/p/a/"), "no [crisis] web: the archive page");
    assert_eq!(a.infos[0].description.as_deref(), Some("Stanna inne. Läs mer (https://www.testby.se/storm)."));
    assert_eq!(a.infos[0].areas[0].circles, ["59.3,18.0 5"]);
    let c = alert_of(&project, "c");
    assert_eq!(c.msg_type, MsgType::Update, "a correction is an Update");
    let ids = |a: &Alert| a.references.iter().map(|r| r.identifier.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&c), ["testby.se.a", "testby.se.b"]);
    let e = alert_of(&project, "e");
    assert_eq!(e.msg_type, MsgType::Cancel);
    assert_eq!(ids(&e), ["testby.se.a", "testby.se.b", "testby.se.c"], "the draft is not a message");
    // Summer time: the offset follows the organisation's zone.
    assert_eq!(e.sent.to_string(), "2027-07-01T12:00:00+02:00");
    for alert in [&a, &c, &e] {
        let xml = cap::to_xml(alert);
        valid(&xml);
        assert!(xml.contains("<areaDesc>Testby &amp; omnejd &lt;centrum&gt;</areaDesc>"));
    }

    // A post without a date that has not gone out has no `sent`; a news post has no alert.
    let root = repo.path().to_str().unwrap();
    let (code, _, err) = run(&["--root", root, "cap", "f"]);
    assert_eq!(code, 2);
    assert!(err.contains("`f` has no date"), "{err}");
    let (code, _, err) = run(&["--root", root, "cap", "g"]);
    assert_eq!(code, 2);
    assert!(err.contains("`g`") && err.contains("not a crisis post"), "{err}");

    // The archive: published crisis posts only.
    let site: std::collections::HashMap<String, Vec<u8>> =
        budkavle::site::render(&project, &budkavle::site::Record::default()).expect("site").into_iter().collect();
    let mut alerts: Vec<&str> = site.keys().filter(|k| k.starts_with("cap/")).map(String::as_str).collect();
    alerts.sort();
    assert_eq!(alerts, ["cap/a.xml", "cap/b.xml", "cap/c.xml", "cap/e.xml", "cap/index.atom"]);
    jing(std::str::from_utf8(&site["cap/index.atom"]).unwrap());
}

#[test]
fn a_sender_cap_cannot_accept_is_refused() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    std::fs::write(
        repo.path().join("strategy.toml"),
        strategy
            .replace("hashtags = [\"KrisInfo\"]", "hashtags = [\"KrisInfo\"]\ncap_sender = \"Krisledningen, Testby\""),
    )
    .unwrap();
    repo.post("a.md", &crisis("", "date = 2027-03-01T08:00:00\n", "Text."));
    let (code, out, err) = run(&["--root", repo.path().to_str().unwrap(), "cap", "a"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("cap_sender") && err.contains("no spaces, commas"), "{err}");
}

#[test]
fn the_index_exists_before_a_crisis_and_without_an_archive_address() {
    let repo = Repo::new("");
    let strategy = std::fs::read_to_string(repo.path().join("strategy.toml")).unwrap();
    std::fs::write(
        repo.path().join("strategy.toml"),
        strategy.replace("archive_url = \"https://arkiv.testby.se\"\n", ""),
    )
    .unwrap();
    repo.post("nyhet.md", "+++\ntitle = \"Nyhet\"\ndate = 2027-03-02T08:00:00\n+++\n\nText.\n");
    let render = |project: &budkavle::Project| -> std::collections::HashMap<String, Vec<u8>> {
        budkavle::site::render(project, &budkavle::site::Record::default()).expect("site").into_iter().collect()
    };
    let site = render(&repo.load());
    let empty = std::str::from_utf8(&site["cap/index.atom"]).unwrap();
    jing(empty);
    assert!(!empty.contains("<entry"));
    assert_eq!(site.keys().filter(|k| k.starts_with("cap/")).count(), 1);

    // Without the archive's address: links relative to the index (in cap/) and stable urn:uuid ids.
    repo.post("storm.md", &crisis("", "date = 2027-03-01T08:00:00\n", "Text."));
    let site = render(&repo.load());
    let feed = std::str::from_utf8(&site["cap/index.atom"]).unwrap();
    jing(feed);
    assert!(feed.contains("href=\"../cap/storm.xml\"") && feed.contains("<id>urn:uuid:"), "{feed}");
    assert_eq!(
        feed,
        std::str::from_utf8(&render(&repo.load())["cap/index.atom"]).unwrap(),
        "stable from build to build"
    );
    valid(std::str::from_utf8(&site["cap/storm.xml"]).unwrap());
}
