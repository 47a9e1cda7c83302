//! CAP 1.2 XML into an [`Alert`], for round-trips and for checking what was written. Strict:
//! an element the schema does not have, a value outside the specification's lists, a time
//! without its `±hh:mm` offset or a malformed `references` entry is an error with its line and
//! column. Text is kept exactly as written (no trimming), except in values the schema reads as
//! numbers, times or enumerations.
//!
//! roxmltree parses: the reader needs the whole tree (CAP nests three levels), namespace
//! resolution and entity and CDATA decoding, and nothing else.

use std::fmt;

use roxmltree::{Document, Node};

use super::model::{
    Alert, Area, CapTime, Category, Certainty, Info, MsgType, NAMESPACE, NamedValue, Reference, Resource, ResponseType,
    Scope, Severity, Status, Urgency, XMLDSIG_NAMESPACE,
};

/// Why a document is not a CAP 1.2 alert, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// 1-based; 0 when the document as a whole is at fault.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads one `<alert>` document.
pub fn from_xml(text: &str) -> Result<Alert, ReadError> {
    let doc = Document::parse(text).map_err(|e| ReadError {
        line: e.pos().row,
        column: e.pos().col,
        message: format!("not well-formed XML: {e}"),
    })?;
    let r = Reader { doc: &doc, text };
    r.alert(doc.root_element())
}

struct Reader<'a, 'input> {
    doc: &'a Document<'input>,
    text: &'input str,
}

/// The children of one element, consumed in schema order.
struct Children<'a, 'input> {
    nodes: Vec<Node<'a, 'input>>,
    next: usize,
}

impl<'a, 'input> Children<'a, 'input> {
    fn peek_is(&self, name: &str) -> bool {
        self.nodes
            .get(self.next)
            .is_some_and(|n| n.tag_name().namespace() == Some(NAMESPACE) && n.tag_name().name() == name)
    }

    /// The next child if it is `<name>`.
    fn take(&mut self, name: &str) -> Option<Node<'a, 'input>> {
        if self.peek_is(name) {
            self.next += 1;
            Some(self.nodes[self.next - 1])
        } else {
            None
        }
    }

    /// Every next child named `<name>`.
    fn take_all(&mut self, name: &str) -> Vec<Node<'a, 'input>> {
        let mut out = Vec::new();
        while let Some(n) = self.take(name) {
            out.push(n);
        }
        out
    }
}

impl<'a, 'input> Reader<'a, 'input> {
    fn err(&self, node: Node<'_, '_>, message: impl Into<String>) -> ReadError {
        let pos = self.doc.text_pos_at(node.range().start);
        ReadError { line: pos.row, column: pos.col, message: message.into() }
    }

    /// The element children of `node`; text between them must be white space.
    fn children(&self, node: Node<'a, 'input>) -> Result<Children<'a, 'input>, ReadError> {
        let mut nodes = Vec::new();
        for c in node.children() {
            if c.is_element() {
                nodes.push(c);
            } else if c.is_text() && !c.text().unwrap_or("").trim().is_empty() {
                return Err(self.err(c, format!("text is not allowed directly in <{}>", node.tag_name().name())));
            }
        }
        Ok(Children { nodes, next: 0 })
    }

    /// After the schema's elements, anything left is unknown or out of order.
    fn done(&self, parent: Node<'_, '_>, c: &Children<'_, '_>) -> Result<(), ReadError> {
        match c.nodes.get(c.next) {
            None => Ok(()),
            Some(n) => {
                let name = n.tag_name();
                let what = match name.namespace() {
                    Some(NAMESPACE) => {
                        format!("<{}> is not allowed here (unknown, repeated or out of order)", name.name())
                    }
                    Some(ns) => format!("<{}> of namespace {ns} is not part of CAP 1.2", name.name()),
                    None => format!("<{}> has no namespace; CAP 1.2 elements are in {NAMESPACE}", name.name()),
                };
                Err(self.err(*n, format!("{what} in <{}>", parent.tag_name().name())))
            }
        }
    }

    fn text(&self, node: Node<'_, '_>) -> Result<String, ReadError> {
        let mut s = String::new();
        for c in node.children() {
            if c.is_element() {
                return Err(self.err(c, format!("<{}> holds text, not elements", node.tag_name().name())));
            }
            if c.is_text() {
                s.push_str(c.text().unwrap_or(""));
            }
        }
        Ok(s)
    }

    fn required(
        &self,
        parent: Node<'_, '_>,
        c: &mut Children<'a, 'input>,
        name: &str,
    ) -> Result<Node<'a, 'input>, ReadError> {
        c.take(name).ok_or_else(|| {
            let at = c.nodes.get(c.next).copied().unwrap_or(parent);
            self.err(at, format!("<{}> needs <{name}> here", parent.tag_name().name()))
        })
    }

    fn required_text(
        &self,
        parent: Node<'_, '_>,
        c: &mut Children<'a, 'input>,
        name: &str,
    ) -> Result<String, ReadError> {
        let n = self.required(parent, c, name)?;
        self.text(n)
    }

    fn optional_text(&self, c: &mut Children<'a, 'input>, name: &str) -> Result<Option<String>, ReadError> {
        c.take(name).map(|n| self.text(n)).transpose()
    }

    /// A value the schema reads with white space collapsed: an enumeration, a time, a number.
    fn parsed<T>(&self, node: Node<'_, '_>, parse: impl Fn(&str) -> Result<T, String>) -> Result<T, ReadError> {
        let text = self.text(node)?;
        parse(text.trim()).map_err(|m| self.err(node, format!("<{}>: {m}", node.tag_name().name())))
    }

    fn time(&self, c: &mut Children<'a, 'input>, name: &str) -> Result<Option<CapTime>, ReadError> {
        c.take(name).map(|n| self.parsed(n, CapTime::parse)).transpose()
    }

    fn alert(&self, root: Node<'a, 'input>) -> Result<Alert, ReadError> {
        let name = root.tag_name();
        if name.name() != "alert" || name.namespace() != Some(NAMESPACE) {
            return Err(self.err(
                root,
                format!(
                    "the document is <{}>{}; a CAP 1.2 alert is <alert xmlns=\"{NAMESPACE}\">",
                    name.name(),
                    name.namespace().map(|ns| format!(" in namespace {ns}")).unwrap_or_default()
                ),
            ));
        }
        let mut c = self.children(root)?;
        let identifier = self.required_text(root, &mut c, "identifier")?;
        let sender = self.required_text(root, &mut c, "sender")?;
        let sent_node = self.required(root, &mut c, "sent")?;
        let sent = self.parsed(sent_node, CapTime::parse)?;
        let status = self.parsed(self.required(root, &mut c, "status")?, Status::parse)?;
        let msg_type = self.parsed(self.required(root, &mut c, "msgType")?, MsgType::parse)?;
        let source = self.optional_text(&mut c, "source")?;
        let scope = self.parsed(self.required(root, &mut c, "scope")?, Scope::parse)?;
        let restriction = self.optional_text(&mut c, "restriction")?;
        let addresses = self.optional_text(&mut c, "addresses")?;
        let codes = c.take_all("code").into_iter().map(|n| self.text(n)).collect::<Result<_, _>>()?;
        let note = self.optional_text(&mut c, "note")?;
        let references = match c.take("references") {
            Some(n) => self.parsed(n, parse_references)?,
            None => Vec::new(),
        };
        let incidents = self.optional_text(&mut c, "incidents")?;
        let infos = c.take_all("info").into_iter().map(|n| self.info(n)).collect::<Result<_, _>>()?;
        let mut signatures = Vec::new();
        while let Some(n) = c.nodes.get(c.next).filter(|n| n.tag_name().namespace() == Some(XMLDSIG_NAMESPACE)) {
            signatures.push(self.text[n.range()].to_string());
            c.next += 1;
        }
        self.done(root, &c)?;
        Ok(Alert {
            identifier,
            sender,
            sent,
            status,
            msg_type,
            source,
            scope,
            restriction,
            addresses,
            codes,
            note,
            references,
            incidents,
            infos,
            signatures,
        })
    }

    fn info(&self, node: Node<'a, 'input>) -> Result<Info, ReadError> {
        let mut c = self.children(node)?;
        let language = self.optional_text(&mut c, "language")?;
        let categories: Vec<Category> =
            c.take_all("category").into_iter().map(|n| self.parsed(n, Category::parse)).collect::<Result<_, _>>()?;
        if categories.is_empty() {
            let at = c.nodes.get(c.next).copied().unwrap_or(node);
            return Err(self.err(at, "<info> needs at least one <category>"));
        }
        let event = self.required_text(node, &mut c, "event")?;
        let response_types = c
            .take_all("responseType")
            .into_iter()
            .map(|n| self.parsed(n, ResponseType::parse))
            .collect::<Result<_, _>>()?;
        let urgency = self.parsed(self.required(node, &mut c, "urgency")?, Urgency::parse)?;
        let severity = self.parsed(self.required(node, &mut c, "severity")?, Severity::parse)?;
        let certainty = self.parsed(self.required(node, &mut c, "certainty")?, Certainty::parse)?;
        let audience = self.optional_text(&mut c, "audience")?;
        let event_codes = self.named_all(&mut c, "eventCode")?;
        let effective = self.time(&mut c, "effective")?;
        let onset = self.time(&mut c, "onset")?;
        let expires = self.time(&mut c, "expires")?;
        let sender_name = self.optional_text(&mut c, "senderName")?;
        let headline = self.optional_text(&mut c, "headline")?;
        let description = self.optional_text(&mut c, "description")?;
        let instruction = self.optional_text(&mut c, "instruction")?;
        let web = self.optional_text(&mut c, "web")?;
        let contact = self.optional_text(&mut c, "contact")?;
        let parameters = self.named_all(&mut c, "parameter")?;
        let resources = c.take_all("resource").into_iter().map(|n| self.resource(n)).collect::<Result<_, _>>()?;
        let areas = c.take_all("area").into_iter().map(|n| self.area(n)).collect::<Result<_, _>>()?;
        self.done(node, &c)?;
        Ok(Info {
            language,
            categories,
            event,
            response_types,
            urgency,
            severity,
            certainty,
            audience,
            event_codes,
            effective,
            onset,
            expires,
            sender_name,
            headline,
            description,
            instruction,
            web,
            contact,
            parameters,
            resources,
            areas,
        })
    }

    fn named_all(&self, c: &mut Children<'a, 'input>, name: &str) -> Result<Vec<NamedValue>, ReadError> {
        c.take_all(name)
            .into_iter()
            .map(|n| {
                let mut inner = self.children(n)?;
                let value_name = self.required_text(n, &mut inner, "valueName")?;
                let value = self.required_text(n, &mut inner, "value")?;
                self.done(n, &inner)?;
                Ok(NamedValue { value_name, value })
            })
            .collect()
    }

    fn resource(&self, node: Node<'a, 'input>) -> Result<Resource, ReadError> {
        let mut c = self.children(node)?;
        let resource_desc = self.required_text(node, &mut c, "resourceDesc")?;
        let mime_type = self.required_text(node, &mut c, "mimeType")?;
        let size = c
            .take("size")
            .map(|n| self.parsed(n, |s| s.parse::<u64>().map_err(|_| format!("`{s}` is not a size in bytes"))))
            .transpose()?;
        let uri = self.optional_text(&mut c, "uri")?;
        let deref_uri = self.optional_text(&mut c, "derefUri")?;
        let digest = self.optional_text(&mut c, "digest")?;
        self.done(node, &c)?;
        Ok(Resource { resource_desc, mime_type, size, uri, deref_uri, digest })
    }

    fn area(&self, node: Node<'a, 'input>) -> Result<Area, ReadError> {
        let mut c = self.children(node)?;
        let area_desc = self.required_text(node, &mut c, "areaDesc")?;
        let polygons = c.take_all("polygon").into_iter().map(|n| self.text(n)).collect::<Result<_, _>>()?;
        let circles = c.take_all("circle").into_iter().map(|n| self.text(n)).collect::<Result<_, _>>()?;
        let geocodes = self.named_all(&mut c, "geocode")?;
        let decimal =
            |s: &str| if is_decimal(s) { Ok(s.to_string()) } else { Err(format!("`{s}` is not a decimal number")) };
        let altitude = c.take("altitude").map(|n| self.parsed(n, decimal)).transpose()?;
        let ceiling = c.take("ceiling").map(|n| self.parsed(n, decimal)).transpose()?;
        self.done(node, &c)?;
        Ok(Area { area_desc, polygons, circles, geocodes, altitude, ceiling })
    }
}

/// `references`: white-space separated `sender,identifier,sent` triples.
fn parse_references(s: &str) -> Result<Vec<Reference>, String> {
    s.split_whitespace()
        .map(|entry| {
            let mut parts = entry.split(',');
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(sender), Some(identifier), Some(sent), None) if !sender.is_empty() && !identifier.is_empty() => {
                    Ok(Reference {
                        sender: sender.to_string(),
                        identifier: identifier.to_string(),
                        sent: CapTime::parse(sent)?,
                    })
                }
                _ => Err(format!("`{entry}` is not a reference: write sender,identifier,sent")),
            }
        })
        .collect()
}

/// `xs:decimal`: an optional sign, digits, and an optional fraction.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !(int.is_empty() && frac.is_empty())
        && int.chars().all(|c| c.is_ascii_digit())
        && frac.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>a</identifier><sender>s</sender><sent>2027-01-19T07:30:00+01:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope></alert>"#;

    #[test]
    fn reads_a_minimal_alert() {
        let a = from_xml(MINIMAL).unwrap();
        assert_eq!((a.identifier.as_str(), a.msg_type, a.infos.len()), ("a", MsgType::Alert, 0));
    }

    #[test]
    fn refuses_what_the_schema_refuses() {
        let cases = [
            (MINIMAL.replace("+01:00", "Z"), "never Z"),
            (MINIMAL.replace("Actual", "Real"), "Actual, Exercise"),
            (MINIMAL.replace("<sender>s</sender>", ""), "needs <sender>"),
            (MINIMAL.replace("cap:1.2", "cap:1.1"), "a CAP 1.2 alert is"),
            (MINIMAL.replace("<scope>Public</scope>", "<scope>Public</scope><bogus/>"), "<bogus> is not allowed"),
            (
                MINIMAL.replace("<scope>Public</scope>", "<scope>Public</scope><references>s,a</references>"),
                "not a reference",
            ),
            (MINIMAL.replace("</alert>", ""), "not well-formed"),
        ];
        for (xml, want) in cases {
            let e = from_xml(&xml).unwrap_err();
            assert!(e.message.contains(want), "{want}: {e}");
        }
    }

    #[test]
    fn signatures_are_kept_as_written() {
        let sig = r#"<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>"#;
        let xml = MINIMAL.replace("</alert>", &format!("{sig}</alert>"));
        let a = from_xml(&xml).unwrap();
        assert_eq!(a.signatures, [sig]);
        assert!(crate::cap::to_xml(&a).contains(sig));
        let e = from_xml(&MINIMAL.replace("</alert>", "<x xmlns=\"urn:other\"/></alert>")).unwrap_err();
        assert!(e.message.contains("not part of CAP 1.2"), "{e}");
    }

    #[test]
    fn decimals() {
        assert!(is_decimal("1") && is_decimal("-1.5") && is_decimal(".5") && is_decimal("5."));
        assert!(!is_decimal("") && !is_decimal(".") && !is_decimal("1e3") && !is_decimal("a"));
    }
}
