//! What `inbox pull` reads from X, Facebook, Instagram, Threads and LinkedIn, through each
//! client's `Connection::interactions` against the platform's stateful fake (real HTTP, the
//! documented answer shapes): a citizen's comment, a reply to it, a mention or quote where the
//! platform lists them, an edit (the same item with the new text), a deletion (only when the
//! platform confirms the comment is gone), the account's own correction never an item, a
//! second pull from the cursor, and listings longer than one page.

use std::collections::HashMap;

use serde_json::json;

use budkavle::clients::api::{Connection, Heard, SendError};
use budkavle::inbox::Incoming;
use budkavle::platform::Remote;

/// The items of a pull by id; every item is the platform's and no id comes twice.
fn by_id(heard: &Heard, platform: &str) -> HashMap<String, Incoming> {
    let mut out = HashMap::new();
    for item in &heard.items {
        assert_eq!(item.platform, platform, "{item:?}");
        assert!(out.insert(item.id.clone(), item.clone()).is_none(), "{} twice: {:#?}", item.id, heard.items);
    }
    out
}

fn pull(conn: &mut Box<dyn Connection>, posts: &[Remote], cursor: Option<&str>) -> Heard {
    conn.interactions(posts, cursor).unwrap_or_else(|e| panic!("interactions: {e}"))
}

fn live(heard: &Heard) -> Vec<&Incoming> {
    heard.items.iter().filter(|i| !i.deleted).collect()
}

#[test]
fn x_replies_mentions_quotes_and_edits_come_from_mentions_search_and_quotes() {
    use crate::common::fake_peer::FakePeer;
    use budkavle::PlatformId;
    use budkavle::clients::api::Outgoing;
    use budkavle::clients::http::Http;

    let peer = FakePeer::start("x", &[]);
    let repo = crate::common::Repo::new("");
    let section = format!(
        "[platforms.x]\naccount = \"@testkommunen\"\napi_url = \"{}\"\napi_key_env = \"K\"\napi_secret_env = \"KS\"\naccess_token_env = \"T\"\naccess_secret_env = \"TS\"\n",
        peer.url
    );
    repo.file("strategy.toml", crate::common::STRATEGY.replace("[platforms.x]\n", &section).as_bytes());
    let project = repo.load();
    let k = |f: &str| peer.ready["oauth1"][f].as_str().unwrap().to_string();
    let env = FakePeer::env(&[
        ("K", &k("consumer_key")),
        ("KS", &k("consumer_secret")),
        ("T", &k("access_token")),
        ("TS", &k("access_token_secret")),
    ]);
    let http = Http::new(std::time::Duration::from_secs(10)).unwrap();
    let mut x = budkavle::clients::connect(&project.strategy, PlatformId::X, &env, &http).unwrap();
    let out = |key: &'static str, text: &'static str| Outgoing {
        key,
        text,
        facets: &[],
        lang: "sv",
        media: &[],
        reply_to: None,
        link: None,
    };
    let post = x.publish(&out("a", "Badhuset öppnar igen på måndag.")).unwrap();
    let correction = x.correct(&post, &out("c", "Rättelse: badhuset öppnar på tisdag.")).unwrap();
    let posts = vec![post.clone(), correction.clone()];

    let engage = |body: serde_json::Value| peer.control("engage", body)["created"].clone();
    let reply =
        engage(json!({"post_id": post.id, "action": "reply", "text": "Vilka tider?"}))[0].as_str().unwrap().to_string();
    // The citizen answers their own reply: it does not name the account, only search finds it.
    let nested = engage(json!({"post_id": reply, "action": "reply", "text": "Och är bastun öppen?"}))[0]
        .as_str()
        .unwrap()
        .to_string();
    let quote =
        engage(json!({"post_id": post.id, "action": "quote", "text": "Äntligen!"}))[0].as_str().unwrap().to_string();
    let mention = engage(json!({"action": "mention", "text": "@testkommunen när töms soporna?"}))[0]
        .as_str()
        .unwrap()
        .to_string();

    let first = pull(&mut x, &posts, None);
    let items = by_id(&first, "x");
    assert_eq!(items.len(), 4, "{:#?}", first.items);
    assert_eq!(items[&reply].in_reply_to.as_deref(), Some(post.id.as_str()));
    assert!(items[&reply].text.ends_with("Vilka tider?"), "{:?}", items[&reply]);
    assert!(items[&reply].author.starts_with('@') && items[&reply].author != "@testkommunen", "{:?}", items[&reply]);
    assert_eq!(items[&nested].in_reply_to.as_deref(), Some(reply.as_str()));
    assert_eq!(items[&quote].in_reply_to.as_deref(), Some(post.id.as_str()), "a quote hangs on the post it quotes");
    assert_eq!(items[&mention].in_reply_to, None);
    assert!(!items.contains_key(&correction.id), "the account's own correction is not an item");
    assert!(items.values().all(|i| i.url.as_deref().is_some_and(|u| u.starts_with("https://x.com/"))));

    // From the cursor: nothing new is listed again except the quote (quotes take no since_id).
    let cursor = first.cursor.clone().expect("a cursor");
    let second = pull(&mut x, &posts, Some(&cursor));
    let again = by_id(&second, "x");
    assert_eq!(again.keys().collect::<Vec<_>>(), vec![&quote], "{:#?}", second.items);

    // The citizen edits the mention: a new post id, the same item with the new text.
    let edited =
        engage(json!({"post_id": mention, "action": "edit", "text": "@testkommunen när töms soporna i Testby?"}))[0]
            .as_str()
            .unwrap()
            .to_string();
    assert_ne!(edited, mention);
    let third = pull(&mut x, &posts, second.cursor.as_deref());
    let after = by_id(&third, "x");
    let m = after.get(&mention).unwrap_or_else(|| panic!("the edit files under the first id: {:#?}", third.items));
    assert!(m.text.ends_with("i Testby?"), "{m:?}");
    assert!(m.url.as_deref().unwrap().ends_with(&edited), "the link goes to the newest version: {m:?}");

    // More than one page of mentions: 130 replies, each read once.
    engage(json!({"post_id": post.id, "action": "reply", "count": 130, "text": "Tack!"}));
    let fourth = pull(&mut x, &posts, third.cursor.as_deref());
    assert_eq!(live(&fourth).iter().filter(|i| i.text.ends_with("Tack!")).count(), 130, "{}", fourth.items.len());

    // A used-up 15-minute window is transient, with X's reset as the wait.
    peer.control("quota", json!({"endpoint": "GET /2/users/:id/mentions", "remaining": 0, "reset_in": 600}));
    match x.interactions(&posts, fourth.cursor.as_deref()) {
        Err(SendError::Transient { retry_after: Some(wait), .. }) => {
            assert!((500..=600).contains(&wait.as_secs()), "{wait:?}")
        }
        other => panic!("a rate limit is transient with a wait: {other:?}"),
    }
}

#[test]
fn facebook_comments_replies_edits_and_confirmed_deletions() {
    use crate::publish_facebook::{connect, start, text};

    let peer = start();
    let mut fb = connect(&peer);
    let post = fb.publish(&text("a", "Vattnet är tjänligt igen.")).unwrap();
    let correction = fb.correct(&post, &text("c", "Rättelse: i hela Testby.")).unwrap();
    let posts = vec![post.clone(), correction.clone()];
    let engage = |body: serde_json::Value| peer.control("engage", body)["comment_id"].as_str().unwrap().to_string();
    let comment = engage(json!({"post_id": post.id, "action": "comment", "message": "Gäller det Norrby också?"}));
    let reply = engage(json!({"comment_id": comment, "action": "reply_comment", "message": "Undrar samma sak"}));
    let doomed = engage(json!({"post_id": post.id, "action": "comment", "message": "Fel tråd, ta bort"}));

    let first = pull(&mut fb, &posts, None);
    let items = by_id(&first, "facebook");
    assert_eq!(items.len(), 3, "the Page's correction is not an item: {:#?}", first.items);
    assert_eq!(items[&comment].in_reply_to.as_deref(), Some(post.id.as_str()));
    assert_eq!(items[&reply].in_reply_to.as_deref(), Some(comment.as_str()), "a reply hangs on its comment");
    assert_eq!(items[&comment].text, "Gäller det Norrby också?");
    assert!(items[&comment].url.as_deref().is_some_and(|u| u.contains("comment_id=")), "{:?}", items[&comment]);
    assert!(!items.contains_key(&correction.id));

    engage(json!({"comment_id": comment, "action": "edit_comment", "message": "Gäller det Norrby och Söderby?"}));
    engage(json!({"comment_id": doomed, "action": "delete_comment"}));
    let second = pull(&mut fb, &posts, first.cursor.as_deref());
    let items = by_id(&second, "facebook");
    assert_eq!(items[&comment].text, "Gäller det Norrby och Söderby?", "an edit keeps the id");
    assert!(items[&doomed].deleted, "a comment Facebook says is gone is a deletion: {:#?}", second.items);
    assert_eq!(second.items.iter().filter(|i| i.deleted).count(), 1);

    // Pulling again adds no second deletion; a post of 130 comments is read past its first page.
    for n in 0..130 {
        engage(json!({"post_id": post.id, "action": "comment", "message": format!("Kommentar {n}")}));
    }
    let third = pull(&mut fb, &posts, second.cursor.as_deref());
    assert!(
        third.items.iter().all(|i| !i.deleted),
        "{:#?}",
        third.items.iter().filter(|i| i.deleted).collect::<Vec<_>>()
    );
    assert_eq!(third.items.len(), 2 + 130);

    // Meta's rate limit is transient: the pull of Facebook stops with nothing to store.
    peer.control("quota", json!({"bucket": "pages", "remaining": 0, "regain_seconds": 300}));
    assert!(
        matches!(fb.interactions(&posts, third.cursor.as_deref()), Err(SendError::Transient { .. })),
        "a rate limit is transient"
    );
}

#[test]
fn instagram_comments_and_replies_with_confirmed_deletions() {
    use crate::publish_instagram::{Archive, connect, jpeg, out, start, upload};

    let peer = start();
    let archive = Archive::start();
    let bytes = jpeg(1080, 1080);
    let url = archive.serve("/media/vatten.jpg", &bytes);
    let media = [upload(bytes, "image/jpeg", (1080, 1080), "Ett glas vatten", Some(url))];
    let mut ig = connect(&peer);
    let post = ig.publish(&out("a", "Vattnet är tjänligt igen.", &media)).unwrap();
    let correction = ig.correct(&post, &out("c", "Rättelse: i hela Testby.", &[])).unwrap();
    let posts = vec![post.clone(), correction.clone()];
    let engage = |body: serde_json::Value| peer.control("engage", body)["comment_id"].as_str().unwrap().to_string();
    let comment = engage(json!({"media_id": post.id, "action": "comment", "message": "Gäller det Norrby?"}));
    let reply = engage(json!({"comment_id": comment, "action": "reply_comment", "message": "Samma fråga"}));

    let first = pull(&mut ig, &posts, None);
    let items = by_id(&first, "instagram");
    assert_eq!(items.len(), 2, "the account's correction comment is not an item: {:#?}", first.items);
    assert_eq!(items[&comment].in_reply_to.as_deref(), Some(post.id.as_str()));
    assert_eq!(items[&reply].in_reply_to.as_deref(), Some(comment.as_str()));
    assert!(items[&comment].author.starts_with('@'), "{:?}", items[&comment]);

    engage(json!({"comment_id": reply, "action": "delete_comment"}));
    let second = pull(&mut ig, &posts, first.cursor.as_deref());
    let items = by_id(&second, "instagram");
    assert!(items[&reply].deleted, "{:#?}", second.items);
    assert!(!items[&comment].deleted);

    for n in 0..110 {
        engage(json!({"media_id": post.id, "action": "comment", "message": format!("Kommentar {n}")}));
    }
    let third = pull(&mut ig, &posts, second.cursor.as_deref());
    assert_eq!(live(&third).len(), 1 + 110, "every page is read");
    assert!(third.items.iter().all(|i| !i.deleted));
}

#[test]
fn threads_replies_at_every_depth_mentions_edits_and_deletions() {
    use crate::publish_threads::{connect, start, text};

    let peer = start();
    let mut threads = connect(&peer);
    let post = threads.publish(&text("a", "Vattnet är tjänligt igen.")).unwrap();
    let correction = threads.correct(&post, &text("c", "Rättelse: i hela Testby.")).unwrap();
    let posts = vec![post.clone(), correction.clone()];
    let engage = |body: serde_json::Value| peer.control("engage", body);
    let reply = engage(json!({"post_id": post.id, "action": "reply", "message": "Gäller det Norrby?"}))["reply_id"]
        .as_str()
        .unwrap()
        .to_string();
    let deeper =
        engage(json!({"post_id": reply, "action": "reply", "message": "Och Söderby, @exempelbykommun?"}))["reply_id"]
            .as_str()
            .unwrap()
            .to_string();
    let mention = engage(json!({"action": "mention", "message": "Hej @exempelbykommun, när töms soporna?"}))["post_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The deeper reply also mentions the profile: listed twice by Threads, one item.
    let first = pull(&mut threads, &posts, None);
    let items = by_id(&first, "threads");
    assert_eq!(items.len(), 3, "{:#?}", first.items);
    assert_eq!(items[&reply].in_reply_to.as_deref(), Some(post.id.as_str()));
    assert_eq!(items[&deeper].in_reply_to.as_deref(), Some(reply.as_str()));
    assert_eq!(items[&mention].in_reply_to, None);
    assert!(!items.contains_key(&correction.id), "the profile's correction is not an item");

    engage(json!({"post_id": reply, "action": "edit", "message": "Gäller det Norrby också?"}));
    engage(json!({"post_id": deeper, "action": "delete"}));
    let second = pull(&mut threads, &posts, first.cursor.as_deref());
    let items = by_id(&second, "threads");
    assert_eq!(items[&reply].text, "Gäller det Norrby också?");
    assert!(items[&deeper].deleted, "{:#?}", second.items);
    assert!(!items.contains_key(&mention) || !items[&mention].deleted);
}

#[test]
fn linkedin_comments_replies_edits_and_confirmed_deletions() {
    use crate::publish_linkedin::{Linkedin, out};

    let li = Linkedin::start(&[]);
    let mut linkedin = li.connect();
    let post = linkedin.publish(&out("a", "Vattnet är tjänligt igen.")).unwrap();
    let correction = linkedin.correct(&post, &out("c", "Rättelse: i hela Testby.")).unwrap();
    let posts = vec![post.clone(), correction.clone()];
    let engage = |body: serde_json::Value| li.peer.control("engage", body);
    let comment = engage(json!({"action": "comment", "post": post.id, "text": "Gäller det Norrby?"}))["commentUrn"]
        .as_str()
        .unwrap()
        .to_string();
    let reply =
        engage(json!({"action": "reply", "post": post.id, "parent": comment, "text": "Samma fråga"}))["commentUrn"]
            .as_str()
            .unwrap()
            .to_string();

    let first = pull(&mut linkedin, &posts, None);
    let items = by_id(&first, "linkedin");
    assert_eq!(items.len(), 2, "the page's correction is not an item: {:#?}", first.items);
    assert_eq!(items[&comment].in_reply_to.as_deref(), Some(post.id.as_str()));
    assert_eq!(items[&reply].in_reply_to.as_deref(), Some(comment.as_str()));
    assert!(items[&comment].author.starts_with("urn:li:person:"), "{:?}", items[&comment]);

    engage(
        json!({"action": "edit_comment", "post": post.id, "comment": comment, "text": "Gäller det Norrby och Söderby?"}),
    );
    engage(json!({"action": "delete_comment", "post": post.id, "comment": reply}));
    let second = pull(&mut linkedin, &posts, first.cursor.as_deref());
    let items = by_id(&second, "linkedin");
    assert_eq!(items[&comment].text, "Gäller det Norrby och Söderby?");
    assert!(items[&reply].deleted, "{:#?}", second.items);

    for n in 0..105 {
        engage(json!({"action": "comment", "post": post.id, "text": format!("Kommentar {n}")}));
    }
    let third = pull(&mut linkedin, &posts, second.cursor.as_deref());
    assert_eq!(live(&third).len(), 1 + 105);
    assert!(third.items.iter().all(|i| !i.deleted));
}

/// `budkavle inbox pull` through the binary with all five fakes: a post published by
/// `budkavle publish`, citizens' comments, replies, a mention and a quote, the account's own
/// answer (sent outside the ledger, so only its author tells it apart) — then the store:
/// the right items with their parents, a second pull adding nothing, an edit as a second
/// version, a confirmed deletion keeping the last text, and a listing past its first page.
#[test]
fn the_five_pull_into_the_store_through_the_binary() {
    use crate::common::fake_peer::FakePeer;
    use crate::common::git::{T0, commit, init};
    use crate::common::{Repo, bin};
    use crate::publish_instagram::{Archive, jpeg};
    use budkavle::PlatformId;
    use budkavle::clients::api::Outgoing;
    use budkavle::ledger::Ledger;
    use serde_json::Value;
    use std::path::Path;

    let x = FakePeer::start("x", &[]);
    let facebook = FakePeer::start("facebook", &[]);
    let instagram = FakePeer::start("instagram", &[]);
    let threads = FakePeer::start("threads", &[]);
    let linkedin = FakePeer::start("linkedin", &["--image-processing-seconds", "0"]);
    instagram.control("config", json!({"container_delay": 0}));
    threads.control("config", json!({"container_delay": 0}));
    let token =
        |peer: &FakePeer, pointer: &str| peer.ready.pointer(pointer).and_then(Value::as_str).unwrap().to_string();
    let env = vec![
        ("F_X", token(&x, "/bearer/user")),
        ("F_FACEBOOK", token(&facebook, "/page_token")),
        ("F_INSTAGRAM", token(&instagram, "/access_token")),
        ("F_THREADS", token(&threads, "/access_token")),
        ("F_LINKEDIN", token(&linkedin, "/token")),
    ];
    let archive = Archive::start();
    let repo = Repo::new("");
    let strategy = format!(
        "[organisation]\nname = \"Testby kommun\"\nurl = \"https://www.testby.se\"\narchive_url = \"{}\"\n\n[[goals]]\nid = \"info\"\ndescription = \"Informera\"\n\n[[audiences]]\nid = \"alla\"\ndescription = \"Alla\"\n\n[platforms.x]\napi_url = \"{}\"\ntoken_env = \"F_X\"\n\n[platforms.facebook]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"F_FACEBOOK\"\n\n[platforms.instagram]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"F_INSTAGRAM\"\n\n[platforms.threads]\napi_url = \"{}\"\ntoken_env = \"F_THREADS\"\n\n[platforms.linkedin]\napi_url = \"{}\"\npage_id = \"{}\"\ntoken_env = \"F_LINKEDIN\"\n\n[review]\napprovals = 0\n\n[interaction]\nresponse_time = \"4h\"\noffice_hours = \"mån–fre 08:00–16:30\"\n",
        archive.url,
        x.url,
        facebook.url,
        token(&facebook, "/page_id"),
        instagram.url,
        token(&instagram, "/ig_user_id"),
        threads.url,
        linkedin.url,
        token(&linkedin, "/organization"),
    );
    repo.file("strategy.toml", strategy.as_bytes());
    let photo = jpeg(800, 600);
    let rel = Path::new("content/media/badhus.jpg");
    repo.file("content/media/badhus.jpg", &photo);
    repo.post(
        "badhus.md",
        "+++\ntitle = \"Badhuset\"\ndate = 2026-11-20T08:00:00\n\n[[media]]\npath = \"../media/badhus.jpg\"\nalt = \"Badhuset i Testby från entrén.\"\n+++\n\nBadhuset stänger för renovering i januari.\n",
    );
    let project = repo.load();
    let url = budkavle::site::media_url(&project, rel).expect("an address in the archive");
    let safe = budkavle::media::prepare(rel, &photo).expect("the photo can be made safe");
    archive.serve(url.strip_prefix(&archive.url).unwrap(), &safe.bytes);
    let git = init(repo.path());
    commit(&git, "Badhuset", "Anna Berg", T0);

    let store = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = bin();
        cmd.arg("--root").arg(repo.path()).args(args).env("BUDKAVLE_INBOX_STORE", store.path().join("inbox.sqlite3"));
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        for (_, secret) in &env {
            assert!(!shown.contains(secret.as_str()), "a secret was printed:\n{shown}");
        }
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), shown)
    };
    let now = jiff::Timestamp::now().to_string();
    let (ok, _, said) = run(&["publish", "--now", &now, "--timeout", "10"]);
    assert!(ok, "{said}");
    let ledger = Ledger::read(repo.path()).unwrap();
    let remote = |p: PlatformId| ledger.state("badhus", p).remote.unwrap().clone();

    // The citizens. Their texts must never be printed by `inbox pull`.
    let mut private: Vec<&str> = Vec::new();
    let c = |peer: &FakePeer, body: Value| peer.control("engage", body);
    let s = |v: &Value, pointer: &str| v.pointer(pointer).and_then(Value::as_str).unwrap().to_string();
    let xp = remote(PlatformId::X);
    let x_reply = s(&c(&x, json!({"post_id": xp.id, "action": "reply", "text": "När öppnar det igen?"})), "/created/0");
    let x_quote = s(&c(&x, json!({"post_id": xp.id, "action": "quote", "text": "Äntligen renovering!"})), "/created/0");
    let fp = remote(PlatformId::Facebook);
    let f_comment = s(
        &c(&facebook, json!({"post_id": fp.id, "action": "comment", "message": "Vad händer med simskolan?"})),
        "/comment_id",
    );
    let f_reply = s(
        &c(&facebook, json!({"comment_id": f_comment, "action": "reply_comment", "message": "Undrar samma sak"})),
        "/comment_id",
    );
    let ip = remote(PlatformId::Instagram);
    let i_comment = s(
        &c(&instagram, json!({"media_id": ip.id, "action": "comment", "message": "Synd, vi badar varje vecka"})),
        "/comment_id",
    );
    let tp = remote(PlatformId::Threads);
    let t_reply =
        s(&c(&threads, json!({"post_id": tp.id, "action": "reply", "message": "Hur länge då?"})), "/reply_id");
    let lp = remote(PlatformId::Linkedin);
    let l_comment = s(
        &c(&linkedin, json!({"action": "comment", "post": lp.id, "text": "Bra att ni informerar i tid."})),
        "/commentUrn",
    );
    private.extend([
        "När öppnar det igen?",
        "Äntligen renovering!",
        "Vad händer med simskolan?",
        "Undrar samma sak",
        "Synd, vi badar varje vecka",
        "Hur länge då?",
        "Bra att ni informerar i tid.",
    ]);

    // The account answers on every platform, outside the ledger: only its author tells it apart.
    let http = budkavle::clients::http::Http::new(std::time::Duration::from_secs(10)).unwrap();
    let lookup = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let answer = Outgoing {
        key: "svar",
        text: "Vi öppnar den 1 mars.",
        facets: &[],
        lang: "sv",
        media: &[],
        reply_to: None,
        link: None,
    };
    for p in [PlatformId::X, PlatformId::Facebook, PlatformId::Instagram, PlatformId::Threads, PlatformId::Linkedin] {
        let mut conn = budkavle::clients::connect(&project.strategy, p, &lookup, &http).unwrap();
        conn.correct(&remote(p), &answer).unwrap_or_else(|e| panic!("{p}: {e}"));
    }

    let (ok, out, said) = run(&["inbox", "pull", "--timeout", "10"]);
    assert!(ok, "{said}");
    for text in &private {
        assert!(!said.contains(text), "a citizen's text was printed ({text}):\n{said}");
    }
    for (platform, n) in [("x", 2), ("facebook", 2), ("instagram", 1), ("threads", 1), ("linkedin", 1)] {
        assert!(
            out.lines().any(|l| l.starts_with(platform) && l.contains(&format!(" {n} new items, 0 new versions"))),
            "{platform}: {n} new items in\n{out}"
        );
    }
    let (ok, queue, said) = run(&["inbox", "--format", "json", "--all"]);
    assert!(ok, "{said}");
    let queue: Value = serde_json::from_str(&queue).unwrap();
    let items = queue["items"].as_array().unwrap();
    assert_eq!(items.len(), 7, "the account's answers are not items: {queue:#}");
    assert!(items.iter().all(|i| i["text"] != "Vi öppnar den 1 mars."), "{queue:#}");
    let show = |platform: &str, id: &str| {
        let (ok, out, said) = run(&["inbox", "show", &format!("{platform}:{id}")]);
        assert!(ok, "{said}");
        serde_json::from_str::<Value>(&out).unwrap()
    };
    for (platform, id, parent) in [
        ("x", &x_reply, &xp.id),
        ("x", &x_quote, &xp.id),
        ("facebook", &f_comment, &fp.id),
        ("facebook", &f_reply, &f_comment),
        ("instagram", &i_comment, &ip.id),
        ("threads", &t_reply, &tp.id),
        ("linkedin", &l_comment, &lp.id),
    ] {
        let item = show(platform, id);
        assert_eq!(item["versions"][0]["in_reply_to"], parent.as_str(), "{platform}: {item:#}");
    }

    // A second pull adds nothing anywhere.
    let (ok, out, said) = run(&["inbox", "pull", "--timeout", "10"]);
    assert!(ok, "{said}");
    assert_eq!(out.lines().filter(|l| l.contains(" 0 new items, 0 new versions")).count(), 5, "{out}");

    // An edit is a second version; a confirmed deletion keeps the last text; 105 new comments
    // are read past the first page.
    c(
        &facebook,
        json!({"comment_id": f_comment, "action": "edit_comment", "message": "Vad händer med simskolan i vår?"}),
    );
    c(&instagram, json!({"comment_id": i_comment, "action": "delete_comment"}));
    for n in 0..105 {
        c(&linkedin, json!({"action": "comment", "post": lp.id, "text": format!("Kommentar {n}")}));
    }
    let (ok, out, said) = run(&["inbox", "pull", "--timeout", "10"]);
    assert!(ok, "{said}");
    for (platform, line) in [
        ("facebook", " 0 new items, 1 new versions"),
        ("instagram", " 0 new items, 1 new versions"),
        ("linkedin", " 105 new items, 0 new versions"),
        ("x", " 0 new items, 0 new versions"),
    ] {
        assert!(out.lines().any(|l| l.starts_with(platform) && l.contains(line)), "{platform}: {line} in\n{out}");
    }
    let edited = show("facebook", &f_comment);
    let versions = edited["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{edited:#}");
    assert_eq!(versions[0]["text"], "Vad händer med simskolan?");
    assert_eq!(versions[1]["text"], "Vad händer med simskolan i vår?");
    let gone = show("instagram", &i_comment);
    let versions = gone["versions"].as_array().unwrap();
    assert_eq!(
        (versions[1]["deleted"].as_bool(), versions[1]["text"].as_str()),
        (Some(true), Some("Synd, vi badar varje vecka")),
        "{gone:#}"
    );

    // And the deletion is reported once.
    let (ok, out, _) = run(&["inbox", "pull", "--timeout", "10", "--platform", "instagram"]);
    assert!(ok && out.contains(" 0 new items, 0 new versions"), "{out}");
}
