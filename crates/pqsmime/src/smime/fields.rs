//! RFC 5322 header sections kept byte for byte.
//!
//! The message layer must hand header fields on untouched (RFC 2047 encoded words, raw UTF-8
//! under SMTPUTF8 / RFC 6532, folding), so a [`Field`] keeps its raw bytes and only offers an
//! unfolded, lossily decoded view for comparisons and reports. Line endings are normalised to
//! CRLF when a section is written out.

use crate::error::{Error, Result};

/// Largest header section parsed.
pub const MAX_HEADER_BYTES: usize = 256 * 1024;
/// Most header fields in one section.
pub const MAX_FIELDS: usize = 2048;
/// Most addresses taken from one address field.
const MAX_ADDRESSES: usize = 256;

/// One header field as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    name: String,
    /// The whole field, name through value, folded lines joined with CRLF, no final CRLF.
    raw: Vec<u8>,
    /// Offset of the value (after the colon) in `raw`.
    value_at: usize,
}

impl Field {
    /// A new field `Name: value` (the value is written as given, after one space).
    pub fn new(name: &str, value: &str) -> Field {
        let raw = format!("{name}: {value}").into_bytes();
        Field {
            name: name.to_string(),
            value_at: name.len() + 1,
            raw,
        }
    }

    /// A field from its raw bytes (`Name: value`, possibly folded with CRLF or LF).
    pub fn from_raw(raw: &[u8]) -> Result<Field> {
        let colon = raw.iter().position(|b| *b == b':').ok_or_else(|| {
            Error::malformed(format!("header line without a colon: '{}'", preview(raw)))
        })?;
        let name_bytes = &raw[..colon];
        if name_bytes.is_empty() || !name_bytes.iter().all(|b| (0x21..=0x7E).contains(b)) {
            return Err(Error::malformed(format!(
                "invalid header field name '{}'",
                preview(name_bytes)
            )));
        }
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        // Normalise folding line breaks to CRLF.
        let raw = crate::smime::canonicalize(raw);
        Ok(Field {
            name,
            value_at: colon + 1,
            raw,
        })
    }

    /// The name as written.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the field has this name (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The whole field as received, without the final CRLF.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The raw value (after the colon), folding kept.
    pub fn raw_value(&self) -> &[u8] {
        self.raw.get(self.value_at..).unwrap_or(&[])
    }

    /// The value unfolded (RFC 5322 §2.2.3) and trimmed; invalid UTF-8 is replaced.
    pub fn value(&self) -> String {
        let v = String::from_utf8_lossy(self.raw_value());
        let unfolded: String = v.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        unfolded.trim().to_string()
    }

    /// Whether this is a MIME content field (`Content-*`, `MIME-Version`), which belongs to
    /// the entity rather than to the message (RFC 2045 §9, "structural" in RFC 9787).
    pub fn is_content_field(&self) -> bool {
        is_content_field_name(&self.name)
    }
}

/// `Content-*` and `MIME-Version`.
pub fn is_content_field_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("content-") || lower == "mime-version"
}

pub(crate) fn preview(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push_str("...");
    }
    out
}

/// A header section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderSection {
    pub fields: Vec<Field>,
}

impl HeaderSection {
    /// Parses the header section at the start of `data`; returns it and the offset of the body
    /// (after the empty line; `data.len()` if there is none). A leading mbox `From ` line is
    /// skipped.
    pub fn parse(data: &[u8]) -> Result<(HeaderSection, usize)> {
        let mut fields: Vec<Field> = Vec::new();
        let mut pos = 0usize;
        if data.starts_with(b"From ") {
            pos = match data.iter().position(|b| *b == b'\n') {
                Some(i) => i + 1,
                None => data.len(),
            };
        }
        let mut current: Option<(usize, usize)> = None; // start, end (exclusive of line break)
        loop {
            if pos > MAX_HEADER_BYTES {
                return Err(Error::Limit(format!(
                    "the header section is larger than {} KiB",
                    MAX_HEADER_BYTES >> 10
                )));
            }
            let rest = data.get(pos..).unwrap_or(&[]);
            if rest.is_empty() {
                if let Some((s, e)) = current.take() {
                    fields.push(Field::from_raw(&data[s..e])?);
                }
                return Ok((HeaderSection { fields }, data.len()));
            }
            let (line_len, next) = match rest.iter().position(|b| *b == b'\n') {
                Some(i) => (i, pos + i + 1),
                None => (rest.len(), data.len()),
            };
            let mut line = &rest[..line_len];
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
            if line.is_empty() {
                if let Some((s, e)) = current.take() {
                    fields.push(Field::from_raw(&data[s..e])?);
                }
                return Ok((HeaderSection { fields }, next));
            }
            if line[0] == b' ' || line[0] == b'\t' {
                match current.as_mut() {
                    Some((_, e)) => *e = pos + line.len(),
                    None => {
                        return Err(Error::malformed(
                            "the header section starts with a continuation line",
                        ))
                    }
                }
            } else {
                if let Some((s, e)) = current.take() {
                    fields.push(Field::from_raw(&data[s..e])?);
                    if fields.len() > MAX_FIELDS {
                        return Err(Error::Limit(format!(
                            "more than {MAX_FIELDS} header fields"
                        )));
                    }
                }
                if !line.contains(&b':') {
                    return Err(Error::malformed(format!(
                        "header line without a colon: '{}'",
                        preview(line)
                    )));
                }
                current = Some((pos, pos + line.len()));
            }
            pos = next;
        }
    }

    /// The first field with this name.
    pub fn get(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// The unfolded value of the first field with this name.
    pub fn value(&self, name: &str) -> Option<String> {
        self.get(name).map(Field::value)
    }

    /// Every field with this name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.is(name))
    }

    /// Removes every field with this name.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|f| !f.is(name));
    }

    /// Whether any field is not a MIME content field: the input is a whole message rather
    /// than a bare MIME entity.
    pub fn has_message_fields(&self) -> bool {
        self.fields.iter().any(|f| !f.is_content_field())
    }

    /// The section in wire form: each field followed by CRLF (no empty line).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for f in &self.fields {
            out.extend_from_slice(f.raw());
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// The mailboxes of the From field(s) (RFC 5322 §3.6.2), lower-cased domains kept as
    /// written.
    pub fn from_addresses(&self) -> Vec<String> {
        self.all("from")
            .flat_map(|f| parse_address_list(&f.value()))
            .collect()
    }
}

/// The addr-specs of an address list such as `"Doe, J." <j@example.com>, k@example.org,
/// Team: a@x.example, b@x.example;` (RFC 5322 §3.4). Display names, comments and group
/// names are dropped; nothing is validated beyond the shape `local@domain`.
pub fn parse_address_list(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut item = String::new();
    let mut quoted = false;
    let mut escaped = false;
    let mut comment = 0usize;
    let mut angle = false;
    let push = |item: &mut String, out: &mut Vec<String>| {
        if let Some(a) = addr_spec(item) {
            if out.len() < MAX_ADDRESSES {
                out.push(a);
            }
        }
        item.clear();
    };
    for c in value.chars() {
        if escaped {
            escaped = false;
            if comment == 0 {
                item.push(c);
            }
            continue;
        }
        match c {
            '\\' if quoted || comment > 0 => escaped = true,
            '"' if comment == 0 => {
                quoted = !quoted;
                item.push(c);
            }
            '(' if !quoted => comment = comment.saturating_add(1),
            ')' if !quoted && comment > 0 => comment -= 1,
            _ if comment > 0 => {}
            '<' if !quoted => {
                angle = true;
                item.push(c);
            }
            '>' if !quoted => {
                angle = false;
                item.push(c);
            }
            // A group name ends at ':'; the group list at ';'.
            ':' if !quoted && !angle => item.clear(),
            ',' | ';' if !quoted && !angle => push(&mut item, &mut out),
            _ => item.push(c),
        }
    }
    push(&mut item, &mut out);
    out
}

fn addr_spec(item: &str) -> Option<String> {
    let item = item.trim();
    let spec = match (item.rfind('<'), item.rfind('>')) {
        (Some(a), Some(b)) if a < b => &item[a + 1..b],
        _ => item,
    };
    let spec = spec.trim();
    // Obsolete source routes: <@relay:user@example.com>.
    let spec = match spec.rfind(':') {
        Some(i) if spec.starts_with('@') => &spec[i + 1..],
        _ => spec,
    };
    let at = spec.rfind('@')?;
    if at == 0 || at + 1 >= spec.len() || spec.contains(char::is_whitespace) {
        return None;
    }
    Some(spec.to_string())
}

/// Whether two mailboxes are the same: the domain compared ignoring case (RFC 5321 §2.4) and,
/// deliberately, the local part too: mailbox providers treat it case-insensitively and the
/// certificates in circulation do not always preserve the sender's spelling.
pub fn same_mailbox(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_folded_fields_and_keeps_raw_bytes() {
        let msg = b"From: Alice <alice@example.com>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n  und mehr\nX-Raw: \xc3\xa4\r\n\r\nbody";
        let (h, body) = HeaderSection::parse(msg).unwrap();
        assert_eq!(&msg[body..], b"body");
        assert_eq!(h.fields.len(), 3);
        assert_eq!(
            h.value("subject").unwrap(),
            "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=  und mehr"
        );
        assert_eq!(
            h.get("SUBJECT").unwrap().raw(),
            b"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n  und mehr"
        );
        assert_eq!(h.get("x-raw").unwrap().raw_value(), b" \xc3\xa4");
        assert!(h.has_message_fields());
        assert_eq!(h.from_addresses(), ["alice@example.com"]);
    }

    #[test]
    fn header_only_input_and_errors() {
        let (h, body) = HeaderSection::parse(b"Content-Type: text/plain\r\n").unwrap();
        assert_eq!(body, 26);
        assert!(!h.has_message_fields());
        assert!(HeaderSection::parse(b" folded first\r\n\r\n").is_err());
        assert!(HeaderSection::parse(b"no colon here\r\n\r\n").is_err());
        let big = vec![b'X'; MAX_HEADER_BYTES + 10];
        let mut m = b"X-A: ".to_vec();
        m.extend_from_slice(&big);
        assert!(matches!(HeaderSection::parse(&m), Err(Error::Limit(_))));
        // mbox separator line
        let (h, _) = HeaderSection::parse(b"From a@b Mon Jan 1\nTo: x@y\n\nb").unwrap();
        assert_eq!(h.fields.len(), 1);
    }

    #[test]
    fn address_lists() {
        assert_eq!(
            parse_address_list(
                "\"Doe, J.\" <j@example.com>, k@example.org (Kay), Team: a@x.example, <b@x.example>;"
            ),
            ["j@example.com", "k@example.org", "a@x.example", "b@x.example"]
        );
        assert_eq!(parse_address_list("Dave@example.com"), ["Dave@example.com"]);
        assert_eq!(
            parse_address_list("undisclosed-recipients:;"),
            Vec::<String>::new()
        );
        assert_eq!(
            parse_address_list("=?UTF-8?B?w4RsaWNl?= <alice@example.com>"),
            ["alice@example.com"]
        );
        assert!(same_mailbox("Alice@Example.COM", "alice@example.com"));
        assert!(!same_mailbox("alice@example.com", "alice@example.org"));
    }
}
