//! A labelled tree for reports (`inspect`): rendered as indented text or as JSON.

use serde_json::{json, Map, Value};

use crate::error::sanitize;

/// One line of a report: a name, an optional value, and children indented below it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub value: Option<String>,
    pub children: Vec<Node>,
}

impl Node {
    pub fn new(name: impl Into<String>) -> Node {
        Node {
            name: name.into(),
            value: None,
            children: Vec::new(),
        }
    }

    pub fn leaf(name: impl Into<String>, value: impl Into<String>) -> Node {
        Node {
            name: name.into(),
            value: Some(value.into()),
            children: Vec::new(),
        }
    }

    /// Adds a `name: value` child.
    pub fn add(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.children.push(Node::leaf(name, value));
        self
    }

    /// Adds an empty child and returns it for filling in.
    pub fn child(&mut self, name: impl Into<String>) -> &mut Node {
        self.children.push(Node::new(name));
        let last = self.children.len() - 1;
        &mut self.children[last]
    }

    pub fn push(&mut self, node: Node) {
        self.children.push(node);
    }

    /// Indented text, two spaces per level.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out, 0);
        out
    }

    fn render_into(&self, out: &mut String, depth: usize) {
        for _ in 0..depth {
            out.push_str("  ");
        }
        // Names and values can quote the input: never let them drive the terminal.
        out.push_str(&sanitize(&self.name));
        if let Some(v) = &self.value {
            out.push_str(": ");
            out.push_str(&sanitize(v));
        }
        out.push('\n');
        for c in &self.children {
            c.render_into(out, depth + 1);
        }
    }

    /// `{"name": ..., "value": ..., "children": [...]}`, `value`/`children` only when present.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        if let Some(v) = &self.value {
            m.insert("value".into(), json!(v));
        }
        if !self.children.is_empty() {
            m.insert(
                "children".into(),
                Value::Array(self.children.iter().map(Node::to_json).collect()),
            );
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_indented_text_and_json() {
        let mut root = Node::new("SignedData");
        root.add("version", "1");
        root.child("signerInfos").add("digest", "SHA-512");
        assert_eq!(
            root.render(),
            "SignedData\n  version: 1\n  signerInfos\n    digest: SHA-512\n"
        );
        let j = root.to_json();
        assert_eq!(j["children"][0]["value"], "1");
        assert_eq!(j["children"][1]["children"][0]["name"], "digest");
        assert!(j["children"][1].get("value").is_none());
        let hostile = Node::leaf("subject", "CN=x\nSigner 2 of 2: forged");
        assert_eq!(
            hostile.render(),
            "subject: CN=x\\u{a}Signer 2 of 2: forged\n"
        );
    }
}
