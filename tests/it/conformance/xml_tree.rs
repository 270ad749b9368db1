//! A small XML tree reader for the conformance checks: documents become nested
//! `El` values (local names, attributes, text) that tests walk like CITE's XPath.

use quick_xml::events::Event;

/// One XML element: local name, attributes, text and children.
#[derive(Debug, Default)]
pub(super) struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<El>,
}

impl El {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of child `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// Every descendant called `name` (depth first).
    pub fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    s.rsplit(':').next().unwrap_or_default().to_string()
}

fn start(e: &quick_xml::events::BytesStart) -> El {
    El {
        name: local(e.name().as_ref()),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                (key, a.unescape_value().expect("value").into_owned())
            })
            .collect(),
        ..El::default()
    }
}

/// Parses a whole document into its root element (the DOCTYPE is skipped).
pub(super) fn parse(xml: &[u8]) -> El {
    let text = std::str::from_utf8(xml).expect("UTF-8 document");
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(start(&e)),
            Event::Empty(e) => {
                let el = start(&e);
                stack.last_mut().expect("parent").children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().expect("open element");
                stack.last_mut().expect("parent").children.push(el);
            }
            Event::Text(t) => {
                let s = t.decode().expect("text");
                stack.last_mut().expect("element").text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let s = match r.decode().expect("entity").as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                stack.last_mut().expect("element").text.push_str(s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().expect("document");
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.remove(0)
}
