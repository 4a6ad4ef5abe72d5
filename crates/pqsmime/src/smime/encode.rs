//! Making a MIME entity safe to sign: canonical CRLF line endings and 7-bit transfer
//! encodings (RFC 8551 §3.1.1–3.1.3).
//!
//! A clear-signed part travels through relays that may rewrite 8-bit text, long lines,
//! trailing white space and lines starting with `From ` (mbox escaping); any of these breaks
//! the signature. [`SafetyScan`] finds them while the entity streams past; [`to_7bit`]
//! rewrites the leaves that need it: text as quoted-printable (base64 when mostly non-ASCII),
//! everything else as base64. Header fields are never changed except
//! `Content-Transfer-Encoding` of a re-encoded leaf.

use base64ct::{Base64, Encoding};

use super::fields::{Field, HeaderSection};
use super::{canonicalize, multipart_layout, ContentType};
use crate::error::{Error, Result};

/// Longest line SMTP guarantees to carry, without its CRLF (RFC 5322 §2.1.1).
pub const MAX_LINE: usize = 998;
/// Deepest MIME nesting followed when transfer-encoding.
pub const MAX_MIME_DEPTH: usize = 32;
/// The boundary prefix pqsmime uses; lines starting with `--` and this are remembered by
/// [`SafetyScan`] so a new boundary never collides with one inside the content.
pub const BOUNDARY_PREFIX: &str = "----=_pqsmime_";
const MAX_REMEMBERED_BOUNDARIES: usize = 64;

/// Why an entity is not safe for a clear signature, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsafe {
    EightBit,
    Nul,
    BareCr,
    LongLine,
    FromLine,
    TrailingWhitespace,
}

impl Unsafe {
    pub fn describe(&self) -> &'static str {
        match self {
            Unsafe::EightBit => "8-bit characters",
            Unsafe::Nul => "NUL characters",
            Unsafe::BareCr => "a carriage return outside a line break",
            Unsafe::LongLine => "a line longer than 998 characters",
            Unsafe::FromLine => "a line starting with 'From '",
            Unsafe::TrailingWhitespace => "trailing white space",
        }
    }
}

/// Streaming check of canonical (CRLF) text for what relays alter.
#[derive(Clone, Debug, Default)]
pub struct SafetyScan {
    problems: Vec<Unsafe>,
    line_len: usize,
    line_head: Vec<u8>,
    prev: u8,
    last: u8,
    boundaries: Vec<Vec<u8>>,
    too_many_boundaries: bool,
}

impl SafetyScan {
    pub fn new() -> SafetyScan {
        SafetyScan::default()
    }

    fn flag(&mut self, p: Unsafe) {
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    /// Feeds canonical bytes.
    pub fn feed(&mut self, data: &[u8]) {
        let head_len = 2 + BOUNDARY_PREFIX.len() + 40;
        for &b in data {
            match b {
                b'\n' => {
                    if self.prev != b'\r' {
                        self.flag(Unsafe::BareCr);
                    }
                    self.end_line();
                }
                b'\r' => {}
                _ => {
                    if self.prev == b'\r' {
                        self.flag(Unsafe::BareCr);
                    }
                    if b == 0 {
                        self.flag(Unsafe::Nul);
                    } else if b >= 0x80 {
                        self.flag(Unsafe::EightBit);
                    }
                    self.line_len += 1;
                    self.last = b;
                    if self.line_head.len() < head_len {
                        self.line_head.push(b);
                    }
                }
            }
            self.prev = b;
        }
    }

    fn end_line(&mut self) {
        if self.line_len > MAX_LINE {
            self.flag(Unsafe::LongLine);
        }
        if self.line_head.starts_with(b"From ") {
            self.flag(Unsafe::FromLine);
        }
        if self.line_len > 0 && matches!(self.last, b' ' | b'\t') {
            self.flag(Unsafe::TrailingWhitespace);
        }
        let mut marker = b"--".to_vec();
        marker.extend_from_slice(BOUNDARY_PREFIX.as_bytes());
        if self.line_head.starts_with(&marker) {
            if self.boundaries.len() < MAX_REMEMBERED_BOUNDARIES {
                self.boundaries.push(self.line_head[2..].to_vec());
            } else {
                self.too_many_boundaries = true;
            }
        }
        self.line_len = 0;
        self.last = 0;
        self.line_head.clear();
    }

    /// The problems found (empty when safe), after the end of the input.
    pub fn finish(mut self) -> ScanResult {
        if self.line_len > 0 || !self.line_head.is_empty() {
            self.end_line();
        }
        ScanResult {
            problems: self.problems,
            boundaries: self.boundaries,
            too_many_boundaries: self.too_many_boundaries,
        }
    }
}

/// What [`SafetyScan`] found.
#[derive(Clone, Debug, Default)]
pub struct ScanResult {
    pub problems: Vec<Unsafe>,
    boundaries: Vec<Vec<u8>>,
    too_many_boundaries: bool,
}

impl ScanResult {
    pub fn is_safe(&self) -> bool {
        self.problems.is_empty()
    }

    /// Whether `boundary` may appear as a delimiter in the scanned content.
    pub fn may_contain_boundary(&self, boundary: &str) -> bool {
        self.too_many_boundaries
            || self
                .boundaries
                .iter()
                .any(|b| b.starts_with(boundary.as_bytes()) || boundary.as_bytes().starts_with(b))
    }

    /// The problems in words, e.g. "8-bit characters and trailing white space".
    pub fn describe(&self) -> String {
        let words: Vec<&str> = self.problems.iter().map(Unsafe::describe).collect();
        words.join(", ")
    }
}

/// Scans complete canonical text.
pub fn scan(data: &[u8]) -> ScanResult {
    let mut s = SafetyScan::new();
    s.feed(data);
    s.finish()
}

/// Quoted-printable (RFC 2045 §6.7) of canonical text: CRLF line breaks stay hard breaks,
/// lines are soft-wrapped at 76 characters, white space before a break, `=`, control and
/// 8-bit bytes are escaped, and so are a leading `F` of `From ` and a leading `.`.
pub fn quoted_printable(text: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(text.len() + text.len() / 8 + 16);
    let mut lines = text.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let had_cr = !last && line.ends_with(b"\r");
        let line = if had_cr {
            &line[..line.len() - 1]
        } else {
            line
        };
        let mut col = 0usize;
        for (i, &b) in line.iter().enumerate() {
            let at_end = i + 1 == line.len();
            let escape = match b {
                b'=' => true,
                b' ' | b'\t' => at_end,
                33..=126 => {
                    col == 0 && (b == b'.' || (b == b'F' && line[i..].starts_with(b"From ")))
                }
                _ => true,
            };
            let width = if escape { 3 } else { 1 };
            // Keep room for the '=' of a soft break, except for the very last token.
            let limit = if at_end { 76 } else { 75 };
            if col + width > limit {
                out.extend_from_slice(b"=\r\n");
                col = 0;
                // The continuation line may now start with a '.' or "From ".
                if b == b'.' || (b == b'F' && line[i..].starts_with(b"From ")) {
                    out.extend_from_slice(&[b'=', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
                    col = 3;
                    continue;
                }
            }
            if escape {
                out.extend_from_slice(&[b'=', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            } else {
                out.push(b);
            }
            col += width;
        }
        if !last {
            if !had_cr {
                // A bare LF (not canonical): keep it as an encoded byte rather than a break.
                out.extend_from_slice(b"=0A=\r\n");
            } else {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// Base64 in 76-character CRLF lines.
pub fn base64_lines(data: &[u8]) -> Vec<u8> {
    let b64 = Base64::encode_string(data);
    let mut out = Vec::with_capacity(b64.len() + b64.len() / 38 + 2);
    for chunk in b64.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// What [`to_7bit`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reencoded {
    /// One line per re-encoded part, e.g. "text/plain re-encoded as quoted-printable
    /// (8-bit characters)".
    pub changes: Vec<String>,
}

/// Rewrites `entity` (headers and body; any line endings) so that it is canonical and every
/// leaf body is 7-bit safe. Returns the canonical entity and what was changed.
pub fn to_7bit(entity: &[u8]) -> Result<(Vec<u8>, Reencoded)> {
    let mut log = Reencoded::default();
    let out = match rewrite(entity, 0, &mut log)? {
        Some(v) => v,
        None => entity.to_vec(),
    };
    Ok((canonicalize(&out), log))
}

/// `None` when the entity needs no change.
fn rewrite(entity: &[u8], depth: usize, log: &mut Reencoded) -> Result<Option<Vec<u8>>> {
    if depth > MAX_MIME_DEPTH {
        return Err(Error::Limit(format!(
            "MIME parts nest more than {MAX_MIME_DEPTH} levels deep"
        )));
    }
    let (mut headers, body_at) = HeaderSection::parse(entity)?;
    let body = entity.get(body_at..).unwrap_or(&[]);
    let ct = headers
        .value("content-type")
        .map(|v| ContentType::parse(&v))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    let cte = headers
        .value("content-transfer-encoding")
        .map(|v| v.to_ascii_lowercase())
        .unwrap_or_else(|| "7bit".into());

    if ct.mime_type.starts_with("multipart/") {
        let Some(boundary) = ct.param("boundary") else {
            return Err(Error::malformed(format!(
                "{} without a boundary parameter",
                ct.mime_type
            )));
        };
        let layout = multipart_layout(body, boundary.as_bytes())?;
        let mut new_parts = Vec::with_capacity(layout.parts.len());
        let mut changed = false;
        for r in &layout.parts {
            let part = &body[r.clone()];
            match rewrite(part, depth + 1, log)? {
                Some(p) => {
                    changed = true;
                    new_parts.push(p);
                }
                None => new_parts.push(part.to_vec()),
            }
        }
        let preamble = &body[..layout.preamble_end];
        let epilogue = &body[layout.epilogue_start.min(body.len())..];
        let preamble_ok = scan(&canonicalize(preamble)).is_safe();
        let epilogue_ok = scan(&canonicalize(epilogue)).is_safe();
        if !changed && preamble_ok && epilogue_ok {
            return Ok(None);
        }
        let mut out = headers.to_bytes();
        out.extend_from_slice(b"\r\n");
        if preamble_ok && !preamble.is_empty() {
            out.extend_from_slice(preamble);
            out.extend_from_slice(b"\r\n");
        }
        for p in &new_parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            out.extend_from_slice(p);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        if epilogue_ok && !epilogue.trim_ascii().is_empty() {
            out.extend_from_slice(epilogue);
        }
        return Ok(Some(out));
    }

    if matches!(cte.as_str(), "base64" | "quoted-printable") {
        return Ok(None);
    }
    let canonical_body = if cte == "binary" {
        body.to_vec()
    } else {
        canonicalize(body)
    };
    let result = scan(&canonical_body);
    if result.is_safe() && cte != "binary" {
        return Ok(None);
    }
    if (ct.mime_type == "message/rfc822" || ct.mime_type == "message/global") && cte != "binary" {
        // RFC 2046 §5.2.1: no encoding but 7bit/8bit/binary is allowed; encode inside.
        if let Some(inner) = rewrite(body, depth + 1, log)? {
            set_cte(&mut headers, "7bit");
            let mut out = headers.to_bytes();
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&inner);
            return Ok(Some(out));
        }
        return Ok(None);
    }
    let is_text = ct.mime_type.starts_with("text/");
    let non_ascii = canonical_body.iter().filter(|b| **b >= 0x80).count();
    let (encoding, encoded) = if is_text && cte != "binary" && non_ascii * 3 <= canonical_body.len()
    {
        ("quoted-printable", quoted_printable(&canonical_body))
    } else if cte == "binary" {
        ("base64", base64_lines(body))
    } else {
        ("base64", base64_lines(&canonical_body))
    };
    let why = if cte == "binary" {
        "binary transfer encoding".to_string()
    } else {
        result.describe()
    };
    log.changes.push(format!(
        "{} part re-encoded as {encoding} ({why})",
        ct.mime_type
    ));
    set_cte(&mut headers, encoding);
    let mut out = headers.to_bytes();
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&encoded);
    Ok(Some(out))
}

fn set_cte(headers: &mut HeaderSection, value: &str) {
    headers.remove("content-transfer-encoding");
    headers
        .fields
        .push(Field::new("Content-Transfer-Encoding", value));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qp_decode(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if text[i] == b'=' {
                if text[i + 1..].starts_with(b"\r\n") {
                    i += 3;
                    continue;
                }
                let h = std::str::from_utf8(&text[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(h, 16).unwrap());
                i += 3;
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn quoted_printable_round_trips_and_is_safe() {
        let long = "x".repeat(200);
        let samples: Vec<Vec<u8>> = vec![
            "Grüße aus München\r\nFrom here on\r\n.\r\ntrailing space \r\ntab\t\r\n= sign"
                .as_bytes()
                .to_vec(),
            format!("{long}\r\n{long} \r\n").into_bytes(),
            b"\x00\x01\xff\r\n".to_vec(),
            format!("{}From the middle\r\n", "y".repeat(74)).into_bytes(),
        ];
        for s in samples {
            let qp = quoted_printable(&s);
            let r = scan(&qp);
            assert!(
                r.is_safe(),
                "{:?}: {}",
                String::from_utf8_lossy(&qp),
                r.describe()
            );
            for line in qp.split(|b| *b == b'\n') {
                assert!(line.len() <= 77, "{:?}", String::from_utf8_lossy(line));
            }
            assert_eq!(qp_decode(&qp), s);
        }
    }

    #[test]
    fn scan_finds_each_problem() {
        assert!(scan(b"Content-Type: text/plain\r\n\r\nfine\r\n").is_safe());
        let cases: [(&[u8], Unsafe); 6] = [
            (b"caf\xc3\xa9\r\n", Unsafe::EightBit),
            (b"a\x00b\r\n", Unsafe::Nul),
            (b"a\rb\r\n", Unsafe::BareCr),
            (b"From me\r\n", Unsafe::FromLine),
            (b"end \r\n", Unsafe::TrailingWhitespace),
            (b"lf only\n", Unsafe::BareCr),
        ];
        for (text, want) in cases {
            assert_eq!(scan(text).problems, [want], "{text:?}");
        }
        let long = vec![b'a'; 999];
        assert_eq!(scan(&long).problems, [Unsafe::LongLine]);
        let b = format!("--{BOUNDARY_PREFIX}abc\r\n");
        let r = scan(b.as_bytes());
        assert!(r.may_contain_boundary(&format!("{BOUNDARY_PREFIX}abc")));
        assert!(!r.may_contain_boundary(&format!("{BOUNDARY_PREFIX}abd")));
    }

    #[test]
    fn to_7bit_reencodes_only_what_needs_it() {
        let entity = "Content-Type: multipart/mixed; boundary=\"b\"\n\npreamble\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße\nFrom Alice\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAEC\n--b\nContent-Type: text/plain\n\nplain ascii\n--b--\n";
        let (out, log) = to_7bit(entity.as_bytes()).unwrap();
        assert!(scan(&out).is_safe(), "{}", String::from_utf8_lossy(&out));
        assert_eq!(log.changes.len(), 1, "{:?}", log.changes);
        assert!(
            log.changes[0].contains("quoted-printable"),
            "{:?}",
            log.changes
        );
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("Gr=C3=BC=C3=9Fe\r\n=46rom Alice"), "{text}");
        assert!(
            text.contains("Content-Transfer-Encoding: quoted-printable"),
            "{text}"
        );
        assert!(!text.contains("8bit"), "{text}");
        assert!(text.contains("AAEC\r\n--b\r\n"), "{text}");
        assert!(text.contains("plain ascii\r\n--b--\r\n"), "{text}");
        // Already safe: unchanged apart from line endings.
        let safe = b"Content-Type: text/plain\n\nhello\n";
        let (out, log) = to_7bit(safe).unwrap();
        assert_eq!(out, canonicalize(safe));
        assert!(log.changes.is_empty());
    }

    #[test]
    fn binary_and_mostly_8bit_parts_become_base64() {
        let mut entity =
            b"Content-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n\r\n".to_vec();
        entity.extend_from_slice(&[0x89, b'P', b'N', b'G', b'\n', 0, 1, 2, b'\r']);
        let (out, log) = to_7bit(&entity).unwrap();
        assert!(log.changes[0].contains("base64"), "{:?}", log.changes);
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("\r\n\r\niVBORwoAAQIN\r\n"), "{text}");
        let greek = "Content-Type: text/plain; charset=utf-8\r\n\r\nΚαλημέρα κόσμε\r\n";
        let (out, log) = to_7bit(greek.as_bytes()).unwrap();
        assert!(log.changes[0].contains("base64"), "{:?}", log.changes);
        assert!(scan(&out).is_safe());
    }

    #[test]
    fn nested_message_rfc822_is_encoded_inside() {
        let entity = "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nÄrger im Büro\r\n";
        let (out, log) = to_7bit(entity.as_bytes()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(log.changes.len(), 1);
        assert!(text.starts_with("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 7bit\r\n\r\nSubject: x\r\n"), "{text}");
        assert!(text.contains("=C3=84"), "{text}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut entity = String::new();
        for i in 0..40 {
            entity.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
            ));
        }
        entity.push_str("Content-Type: text/plain\r\n\r\nx\u{e9}");
        let err = to_7bit(entity.as_bytes()).unwrap_err();
        assert!(
            matches!(err, Error::Limit(_) | Error::Malformed(_)),
            "{err}"
        );
    }
}
