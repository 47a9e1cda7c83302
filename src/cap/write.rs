//! An [`Alert`] as CAP 1.2 XML (UTF-8), elements in the schema's order, two spaces per level.
//! Written by hand like the Atom feed: the document is small and its shape fixed, and every
//! value goes through [`crate::escape::xml`], which also keeps characters XML 1.0 cannot carry out.

use std::fmt::Write;

use super::model::{Alert, Area, Info, NAMESPACE, NamedValue, Resource};

/// The whole document, with an XML declaration and a final newline.
pub fn to_xml(alert: &Alert) -> String {
    let mut x = String::with_capacity(4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(x, "<alert xmlns=\"{NAMESPACE}\">");
    let i = "  ";
    el(&mut x, i, "identifier", &alert.identifier);
    el(&mut x, i, "sender", &alert.sender);
    el(&mut x, i, "sent", &alert.sent.to_string());
    el(&mut x, i, "status", alert.status.as_str());
    el(&mut x, i, "msgType", alert.msg_type.as_str());
    opt(&mut x, i, "source", &alert.source);
    el(&mut x, i, "scope", alert.scope.as_str());
    opt(&mut x, i, "restriction", &alert.restriction);
    opt(&mut x, i, "addresses", &alert.addresses);
    for code in &alert.codes {
        el(&mut x, i, "code", code);
    }
    opt(&mut x, i, "note", &alert.note);
    if !alert.references.is_empty() {
        let refs: Vec<String> = alert.references.iter().map(ToString::to_string).collect();
        el(&mut x, i, "references", &refs.join(" "));
    }
    opt(&mut x, i, "incidents", &alert.incidents);
    for info in &alert.infos {
        write_info(&mut x, info);
    }
    for sig in &alert.signatures {
        let _ = writeln!(x, "  {sig}");
    }
    x.push_str("</alert>\n");
    x
}

fn write_info(x: &mut String, info: &Info) {
    let i = "    ";
    x.push_str("  <info>\n");
    opt(x, i, "language", &info.language);
    for c in &info.categories {
        el(x, i, "category", c.as_str());
    }
    el(x, i, "event", &info.event);
    for r in &info.response_types {
        el(x, i, "responseType", r.as_str());
    }
    el(x, i, "urgency", info.urgency.as_str());
    el(x, i, "severity", info.severity.as_str());
    el(x, i, "certainty", info.certainty.as_str());
    opt(x, i, "audience", &info.audience);
    for v in &info.event_codes {
        named(x, i, "eventCode", v);
    }
    for (name, t) in [("effective", &info.effective), ("onset", &info.onset), ("expires", &info.expires)] {
        if let Some(t) = t {
            el(x, i, name, &t.to_string());
        }
    }
    opt(x, i, "senderName", &info.sender_name);
    opt(x, i, "headline", &info.headline);
    opt(x, i, "description", &info.description);
    opt(x, i, "instruction", &info.instruction);
    opt(x, i, "web", &info.web);
    opt(x, i, "contact", &info.contact);
    for v in &info.parameters {
        named(x, i, "parameter", v);
    }
    for r in &info.resources {
        write_resource(x, r);
    }
    for a in &info.areas {
        write_area(x, a);
    }
    x.push_str("  </info>\n");
}

fn write_resource(x: &mut String, r: &Resource) {
    let i = "      ";
    x.push_str("    <resource>\n");
    el(x, i, "resourceDesc", &r.resource_desc);
    el(x, i, "mimeType", &r.mime_type);
    if let Some(size) = r.size {
        el(x, i, "size", &size.to_string());
    }
    opt(x, i, "uri", &r.uri);
    opt(x, i, "derefUri", &r.deref_uri);
    opt(x, i, "digest", &r.digest);
    x.push_str("    </resource>\n");
}

fn write_area(x: &mut String, a: &Area) {
    let i = "      ";
    x.push_str("    <area>\n");
    el(x, i, "areaDesc", &a.area_desc);
    for p in &a.polygons {
        el(x, i, "polygon", p);
    }
    for c in &a.circles {
        el(x, i, "circle", c);
    }
    for g in &a.geocodes {
        named(x, i, "geocode", g);
    }
    opt(x, i, "altitude", &a.altitude);
    opt(x, i, "ceiling", &a.ceiling);
    x.push_str("    </area>\n");
}

fn named(x: &mut String, indent: &str, name: &str, v: &NamedValue) {
    let _ = writeln!(x, "{indent}<{name}>");
    let inner = format!("{indent}  ");
    el(x, &inner, "valueName", &v.value_name);
    el(x, &inner, "value", &v.value);
    let _ = writeln!(x, "{indent}</{name}>");
}

fn opt(x: &mut String, indent: &str, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        el(x, indent, name, v);
    }
}

fn el(x: &mut String, indent: &str, name: &str, value: &str) {
    let _ = writeln!(x, "{indent}<{name}>{}</{name}>", crate::escape::xml(value));
}
