//! RFC 8551 MIME framing: multipart/signed, application/pkcs7-mime, and input detection.
//!
//! This module handles the MIME entities S/MIME uses around CMS objects. Whole RFC 5322
//! messages build on it:
//! * [`message`]: outgoing — sign, encrypt, or sign-then-encrypt a complete message, keeping
//!   its outer header, canonicalising and 7-bit encoding the signed part ([`encode`]) and
//!   protecting the header section ([`headers`], RFC 9788);
//! * [`open`]: incoming — walk nested layers, verify, decrypt, check the sender and the
//!   protected headers;
//! * [`batch`]: Maildir and mbox mailboxes, one message at a time;
//! * [`blob`]: spooling large messages to temporary files, streaming codecs;
//! * [`fields`]: header sections kept byte for byte.

use base64ct::{Base64, Encoding};

use crate::asn1::{self, Reader};
use crate::error::{Error, Result};

pub mod batch;
pub mod blob;
pub mod encode;
pub mod fields;
pub mod headers;
pub mod message;
pub mod open;

pub use blob::Blob;
pub use fields::{Field, HeaderSection};
pub use message::{protect, Protected, Protection, SignedForm};
pub use open::{open, Layer, LayerKind, OpenOptions, Opened, SenderCheck};

/// Largest header section we parse, and deepest multipart nesting we follow.
const MAX_HEADER_BYTES: usize = 256 * 1024;

/// What an input turned out to be.
#[derive(Clone, Debug)]
pub enum Input {
    /// A CMS ContentInfo (from DER, BER or PEM `CMS`/`PKCS7`), with the smime-type if it came
    /// from an application/pkcs7-mime entity.
    Cms {
        der: Vec<u8>,
        smime_type: Option<String>,
    },
    /// A multipart/signed entity: the signed first part exactly as transmitted (canonical
    /// CRLF form) and the signature part's CMS.
    MultipartSigned {
        content: Vec<u8>,
        signature: Vec<u8>,
        micalg: Option<String>,
    },
}

/// Detects MIME, PEM or DER/BER input.
pub fn detect(data: &[u8]) -> Result<Input> {
    let trimmed = trim_start(data);
    if trimmed.is_empty() {
        return Err(Error::malformed("the input is empty"));
    }
    if trimmed.starts_with(b"-----BEGIN ") {
        let (label, der) = pem_decode(trimmed)?;
        return match label.as_str() {
            "CMS" | "PKCS7" | "PKCS #7 SIGNED DATA" => Ok(Input::Cms {
                der,
                smime_type: None,
            }),
            other => Err(Error::malformed(format!(
                "PEM block '{other}' is not a CMS message (expected CMS or PKCS7)"
            ))),
        };
    }
    if trimmed[0] == 0x30 {
        return Ok(Input::Cms {
            der: trimmed.to_vec(),
            smime_type: None,
        });
    }
    let entity = Entity::parse(data)?;
    let ct = entity.content_type().ok_or_else(|| {
        Error::malformed("the input is neither DER, PEM nor a MIME entity with a Content-Type")
    })?;
    match ct.mime_type.as_str() {
        "multipart/signed" => {
            let boundary = ct
                .param("boundary")
                .ok_or_else(|| Error::malformed("multipart/signed without a boundary parameter"))?;
            let protocol = ct
                .param("protocol")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if protocol != "application/pkcs7-signature"
                && protocol != "application/x-pkcs7-signature"
            {
                return Err(Error::malformed(format!(
                    "multipart/signed with protocol '{protocol}' is not S/MIME"
                )));
            }
            let parts = split_multipart(entity.body, boundary.as_bytes())?;
            if parts.len() != 2 {
                return Err(Error::malformed(format!(
                    "multipart/signed must have exactly two parts, found {}",
                    parts.len()
                )));
            }
            let sig_entity = Entity::parse(parts[1])?;
            let sig_ct = sig_entity
                .content_type()
                .map(|c| c.mime_type)
                .unwrap_or_default();
            if sig_ct != "application/pkcs7-signature" && sig_ct != "application/x-pkcs7-signature"
            {
                return Err(Error::malformed(format!(
                    "the second part of multipart/signed is '{sig_ct}', not application/pkcs7-signature"
                )));
            }
            let signature = sig_entity.decoded_body()?;
            Ok(Input::MultipartSigned {
                content: canonicalize(parts[0]),
                signature,
                micalg: ct.param("micalg"),
            })
        }
        "application/pkcs7-mime"
        | "application/x-pkcs7-mime"
        | "application/pkcs7-signature"
        | "application/x-pkcs7-signature" => Ok(Input::Cms {
            der: entity.decoded_body()?,
            smime_type: ct.param("smime-type"),
        }),
        other => Err(Error::malformed(format!(
            "the MIME entity is '{other}', not an S/MIME message"
        ))),
    }
}

fn trim_start(data: &[u8]) -> &[u8] {
    let skip = data.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &data[skip..]
}

/// Decodes the first PEM block; returns its label and contents.
pub fn pem_decode(data: &[u8]) -> Result<(String, Vec<u8>)> {
    let text = std::str::from_utf8(data).map_err(|_| Error::malformed("PEM input is not text"))?;
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| Error::malformed("no PEM BEGIN line"))?;
    let rest = &text[start + 11..];
    let label_end = rest
        .find("-----")
        .ok_or_else(|| Error::malformed("PEM BEGIN line is not terminated"))?;
    let label = rest[..label_end].to_string();
    let body_start = &rest[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = body_start
        .find(&end_marker)
        .ok_or_else(|| Error::malformed(format!("PEM block '{label}' has no END line")))?;
    let b64: String = body_start[..end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let der = Base64::decode_vec(&b64)
        .map_err(|_| Error::malformed(format!("PEM block '{label}' is not valid base64")))?;
    Ok((label, der))
}

/// Encodes PEM with 64-column lines and LF line endings.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Converts text to canonical MIME form: every line ends in CRLF (bare LF becomes CRLF).
pub fn canonicalize(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + content.len() / 32);
    let mut prev = 0u8;
    for &b in content {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

fn base64_lines(der: &[u8]) -> Vec<u8> {
    let b64 = Base64::encode_string(der);
    let mut out = Vec::with_capacity(b64.len() + b64.len() / 38 + 2);
    for chunk in b64.as_bytes().chunks(76) {
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn new_boundary(content: &[u8]) -> String {
    loop {
        let mut rnd = [0u8; 12];
        // A boundary only needs to be unpredictable enough not to occur in the content.
        if aws_lc_rs::rand::fill(&mut rnd).is_err() {
            rnd = [0x5A; 12];
        }
        let b = format!(
            "{}{}",
            encode::BOUNDARY_PREFIX,
            rnd.iter().map(|x| format!("{x:02x}")).collect::<String>()
        );
        if !contains(content, b.as_bytes()) {
            return b;
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Builds a multipart/signed entity (RFC 8551 §3.5.3) around canonical `content`.
pub fn multipart_signed(content: &[u8], signature_der: &[u8], micalg: &str) -> Vec<u8> {
    let boundary = new_boundary(content);
    let mut out = Vec::with_capacity(content.len() + signature_der.len() * 2 + 1024);
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(
        format!(
            "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n micalg={micalg}; boundary=\"{boundary}\"\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(b"This is an S/MIME signed message\r\n\r\n");
    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    out.extend_from_slice(content);
    // The CRLF before the next delimiter belongs to the delimiter, not to the content.
    out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    out.extend_from_slice(
        b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n\
          Content-Transfer-Encoding: base64\r\n\
          Content-Disposition: attachment; filename=smime.p7s\r\n\r\n",
    );
    out.extend_from_slice(&base64_lines(signature_der));
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

/// The digestAlgorithms SET of a SignedData ContentInfo (DER or BER).
pub fn signed_data_digests(cms: &[u8]) -> Result<Vec<crate::alg::DigestAlgorithm>> {
    let mut r = Reader::new_ber(cms);
    let ci = r.read_expected(asn1::TAG_SEQUENCE, "ContentInfo")?;
    let mut ci = ci.reader(r.rules());
    let ct = asn1::read_oid(&mut ci, "ContentInfo contentType")?;
    if ct != crate::oids::ID_SIGNED_DATA {
        return Err(Error::malformed("the ContentInfo is not SignedData"));
    }
    let explicit = ci.read_expected(0xA0, "ContentInfo content")?;
    let mut ex = explicit.reader(r.rules());
    let sd = ex.read_expected(asn1::TAG_SEQUENCE, "SignedData")?;
    let mut sd = sd.reader(r.rules());
    asn1::read_small_uint(&mut sd, "SignedData version")?;
    let set = sd.read_expected(asn1::TAG_SET, "SignedData digestAlgorithms")?;
    let mut set = set.reader(r.rules());
    let mut out = Vec::new();
    while !set.is_empty() {
        let alg = set.read()?;
        out.push(crate::alg::DigestAlgorithm::from_algorithm_identifier(
            alg.raw,
        )?);
    }
    Ok(out)
}

/// Builds an application/pkcs7-mime entity with base64 body. `smime_type` is e.g.
/// `signed-data`, `enveloped-data`, `authEnveloped-data`.
pub fn pkcs7_mime(der: &[u8], smime_type: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(der.len() * 4 / 3 + 512);
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    out.extend_from_slice(
        format!(
            "Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(
        b"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=smime.p7m\r\n\r\n",
    );
    out.extend_from_slice(&base64_lines(der));
    out
}

/// A parsed Content-Type header.
#[derive(Clone, Debug)]
pub struct ContentType {
    /// Lower-cased `type/subtype`.
    pub mime_type: String,
    params: Vec<(String, String)>,
}

impl ContentType {
    /// Parses `type/subtype; name=value; name="quoted value"`.
    pub fn parse(value: &str) -> ContentType {
        let mut parts = split_params(value).into_iter();
        let mime_type = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .map(|x| x.replace("\\\"", "\"").replace("\\\\", "\\"))
                    .unwrap_or_else(|| v.to_string());
                Some((k.trim().to_ascii_lowercase(), v))
            })
            .collect();
        ContentType { mime_type, params }
    }

    /// A parameter value by (case-insensitive) name.
    pub fn param(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

fn split_params(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for ch in value.chars() {
        if escaped {
            cur.push(ch);
            escaped = false;
            continue;
        }
        match ch {
            '\\' if quoted => {
                cur.push(ch);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(ch);
            }
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out
}

/// A MIME entity split into unfolded header fields and the raw body.
#[derive(Clone, Debug)]
pub struct Entity<'a> {
    pub headers: Vec<(String, String)>,
    pub body: &'a [u8],
}

impl<'a> Entity<'a> {
    /// Splits at the first empty line (CRLF CRLF or LF LF).
    pub fn parse(data: &'a [u8]) -> Result<Entity<'a>> {
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut pos = 0;
        loop {
            if pos > MAX_HEADER_BYTES {
                return Err(Error::Limit(
                    "MIME header section larger than 256 KiB".into(),
                ));
            }
            let rest = &data[pos..];
            if rest.is_empty() {
                return Ok(Entity {
                    headers,
                    body: &data[pos..],
                });
            }
            let line_end = rest.iter().position(|b| *b == b'\n');
            let (line, next) = match line_end {
                Some(i) => (&rest[..i], pos + i + 1),
                None => (rest, data.len()),
            };
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                return Ok(Entity {
                    headers,
                    body: &data[next..],
                });
            }
            let text = String::from_utf8_lossy(line);
            if line[0] == b' ' || line[0] == b'\t' {
                match headers.last_mut() {
                    Some((_, v)) => {
                        v.push(' ');
                        v.push_str(text.trim());
                    }
                    None => {
                        return Err(Error::malformed(
                            "MIME header section starts with a continuation line",
                        ))
                    }
                }
            } else {
                let (name, value) = text.split_once(':').ok_or_else(|| {
                    Error::malformed(format!(
                        "MIME header line without a colon: '{}'",
                        text.chars().take(60).collect::<String>()
                    ))
                })?;
                if name.is_empty() || name.contains(' ') {
                    return Err(Error::malformed(format!(
                        "invalid MIME header name '{name}'"
                    )));
                }
                headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
            }
            pos = next;
        }
    }

    /// The first header field with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn content_type(&self) -> Option<ContentType> {
        self.header("content-type").map(ContentType::parse)
    }

    /// The body with its Content-Transfer-Encoding removed (base64, 7bit, 8bit, binary).
    pub fn decoded_body(&self) -> Result<Vec<u8>> {
        let cte = self
            .header("content-transfer-encoding")
            .unwrap_or("7bit")
            .trim()
            .to_ascii_lowercase();
        match cte.as_str() {
            "base64" => {
                let clean: Vec<u8> = self
                    .body
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                Base64::decode_vec(std::str::from_utf8(&clean).unwrap_or(""))
                    .map_err(|_| Error::malformed("the base64 body is not valid base64"))
            }
            "7bit" | "8bit" | "binary" => Ok(self.body.to_vec()),
            other => Err(Error::malformed(format!(
                "unsupported Content-Transfer-Encoding '{other}' for a CMS body"
            ))),
        }
    }
}

/// Splits a multipart body into its parts, each exactly as transmitted: from the byte after
/// the line break ending a delimiter line up to (not including) the line break before the
/// next delimiter (RFC 2046 §5.1.1).
pub fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Result<Vec<&'a [u8]>> {
    let layout = multipart_layout(body, boundary)?;
    Ok(layout.parts.into_iter().map(|r| &body[r]).collect())
}

/// Where the pieces of a multipart body are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartLayout {
    /// The preamble is `..preamble_end`.
    pub preamble_end: usize,
    /// Each body part, without the line breaks that belong to the delimiters.
    pub parts: Vec<std::ops::Range<usize>>,
    /// The epilogue starts here (after the close-delimiter line).
    pub epilogue_start: usize,
}

/// Most body parts in one multipart entity.
pub const MAX_PARTS: usize = 10_000;

/// Whether `line` (from its start) is a delimiter line for `delim` (`--boundary`): the
/// boundary must be followed by `--`, white space or the end of the line (RFC 2046 §5.1.1),
/// so that `--abc` does not match inside `--abcdef`. Returns `Some(closing)`.
pub(crate) fn delimiter_kind(line: &[u8], delim: &[u8]) -> Option<bool> {
    let after = line.strip_prefix(delim)?;
    if after.starts_with(b"--") {
        return Some(true);
    }
    match after.first() {
        None | Some(b'\r' | b'\n' | b' ' | b'\t') => Some(false),
        Some(_) => None,
    }
}

/// Finds the delimiter lines of a multipart body (RFC 2046 §5.1.1). Fails when the boundary
/// is invalid, never occurs, or the close delimiter is missing.
pub fn multipart_layout(body: &[u8], boundary: &[u8]) -> Result<MultipartLayout> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(Error::malformed(
            "multipart boundary must be 1 to 70 characters",
        ));
    }
    let mut delim = b"--".to_vec();
    delim.extend_from_slice(boundary);
    // (start of the delimiter line, closing?)
    let mut found: Vec<(usize, bool)> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let line_start = i;
        let line_end = body[i..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|p| i + p + 1)
            .unwrap_or(body.len());
        if let Some(closing) = delimiter_kind(&body[line_start..line_end], &delim) {
            if found.len() > MAX_PARTS {
                return Err(Error::Limit(format!(
                    "a multipart entity with more than {MAX_PARTS} parts"
                )));
            }
            found.push((line_start, closing));
            if closing {
                break;
            }
        }
        i = line_end;
    }
    if found.is_empty() {
        return Err(Error::malformed(
            "the multipart boundary never occurs in the body (broken or altered boundary?)",
        ));
    }
    if !found.last().is_some_and(|(_, closing)| *closing) {
        return Err(Error::malformed(
            "the multipart body has no closing boundary (truncated message?)",
        ));
    }
    let strip_break = |start: usize, mut end: usize| {
        if end > start && body[end - 1] == b'\n' {
            end -= 1;
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        end
    };
    let line_after = |s: usize| {
        body[s..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|p| s + p + 1)
            .unwrap_or(body.len())
    };
    let preamble_end = strip_break(0, found[0].0);
    let mut parts = Vec::with_capacity(found.len().saturating_sub(1));
    for w in found.windows(2) {
        let (s, _) = w[0];
        let (e, _) = w[1];
        let content_start = line_after(s).min(e);
        parts.push(content_start..strip_break(content_start, e));
    }
    let epilogue_start = found
        .last()
        .map(|(s, _)| line_after(*s))
        .unwrap_or(body.len());
    Ok(MultipartLayout {
        preamble_end,
        parts,
        epilogue_start,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_signed_round_trips() {
        let content = b"Content-Type: text/plain\r\n\r\nHello\r\nWorld\r\n";
        let sig = [0x30, 0x03, 0x02, 0x01, 0x01];
        let mime = multipart_signed(content, &sig, "sha-512");
        match detect(&mime).unwrap() {
            Input::MultipartSigned {
                content: c,
                signature,
                micalg,
            } => {
                assert_eq!(c, content);
                assert_eq!(signature, sig);
                assert_eq!(micalg.as_deref(), Some("sha-512"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn lf_only_input_is_canonicalized() {
        let content = b"Content-Type: text/plain\r\n\r\nHi\r\n";
        let mime = multipart_signed(content, &[0x30, 0x00], "sha-256");
        let lf: Vec<u8> = String::from_utf8(mime)
            .unwrap()
            .replace("\r\n", "\n")
            .into_bytes();
        match detect(&lf).unwrap() {
            Input::MultipartSigned { content: c, .. } => assert_eq!(c, content),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn truncated_multipart_is_an_error() {
        let mime = multipart_signed(b"a\r\n", &[0x30, 0x00], "sha-256");
        let cut = &mime[..mime.len() - 20];
        let err = detect(cut).unwrap_err();
        assert!(err.to_string().contains("closing boundary"), "{err}");
    }

    #[test]
    fn pkcs7_mime_and_pem_are_detected() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x05];
        match detect(&pkcs7_mime(&der, "signed-data")).unwrap() {
            Input::Cms { der: d, smime_type } => {
                assert_eq!(d, der);
                assert_eq!(smime_type.as_deref(), Some("signed-data"));
            }
            other => panic!("unexpected {other:?}"),
        }
        let pem = pem_encode("CMS", &der);
        assert!(matches!(detect(pem.as_bytes()).unwrap(), Input::Cms { .. }));
        assert!(detect(pem_encode("CERTIFICATE", &der).as_bytes()).is_err());
        assert!(detect(b"").is_err());
        assert!(detect(b"just some words\n").is_err());
    }

    #[test]
    fn content_type_parameters() {
        let ct = ContentType::parse(
            "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"a;b\"",
        );
        assert_eq!(ct.mime_type, "multipart/signed");
        assert_eq!(ct.param("BOUNDARY").as_deref(), Some("a;b"));
        assert_eq!(ct.param("micalg").as_deref(), Some("sha-256"));
    }
}
