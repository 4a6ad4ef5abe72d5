//! Building blocks of the `inspect` walker: a BER cursor that reports where it broke, and
//! words for OIDs, algorithm identifiers, times, strings, names and general names.
//!
//! Everything that came from the input and ends up in text goes through [`clean`], so a
//! hostile certificate cannot put terminal escape sequences on the user's screen.

use const_oid::ObjectIdentifier;
use pqsmime::alg::{self, DigestAlgorithm, SignatureAlgorithm};
use pqsmime::asn1::{self, Reader, Rules, Tlv};

use crate::tree::Node;

/// Where the walk broke: a byte offset into the object and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub offset: Option<usize>,
    pub msg: String,
}

pub type WResult<T> = Result<T, Broken>;

/// The object being walked (for offsets in error messages).
#[derive(Clone, Copy)]
pub struct Walk<'a> {
    pub base: &'a [u8],
}

impl<'a> Walk<'a> {
    pub fn new(base: &'a [u8]) -> Self {
        Walk { base }
    }

    /// Offset of `at` inside the object, if it points into it.
    pub fn offset(&self, at: &[u8]) -> Option<usize> {
        let b = self.base.as_ptr() as usize;
        let a = at.as_ptr() as usize;
        (a >= b && a <= b + self.base.len()).then(|| a - b)
    }

    pub fn broken(&self, at: &[u8], msg: impl Into<String>) -> Broken {
        Broken {
            offset: self.offset(at),
            msg: msg.into(),
        }
    }

    pub fn lib(&self, at: &[u8], e: pqsmime::Error) -> Broken {
        self.broken(at, e.to_string())
    }
}

/// A cursor over the elements inside a constructed element (BER rules: DER is a subset).
pub struct Seq<'a> {
    r: Reader<'a>,
}

impl<'a> Seq<'a> {
    pub fn over(data: &'a [u8]) -> Seq<'a> {
        Seq {
            r: Reader::new_ber(data),
        }
    }

    pub fn of(tlv: &Tlv<'a>) -> Seq<'a> {
        Seq {
            r: tlv.reader(Rules::Ber),
        }
    }

    pub fn peek(&self) -> Option<u8> {
        self.r.peek_tag()
    }

    pub fn is_empty(&self) -> bool {
        self.r.is_empty()
    }

    pub fn at(&self) -> &'a [u8] {
        self.r.remaining()
    }

    pub fn any(&mut self, w: &Walk<'_>, what: &str) -> WResult<Tlv<'a>> {
        let at = self.at();
        if at.is_empty() {
            return Err(w.broken(at, format!("{what} is missing (the structure ends early)")));
        }
        self.r
            .read()
            .map_err(|e| w.broken(at, format!("{what}: {}", strip_kind(&e))))
    }

    pub fn expect(&mut self, w: &Walk<'_>, tag: u8, what: &str) -> WResult<Tlv<'a>> {
        let at = self.at();
        self.r
            .read_expected(tag, what)
            .map_err(|e| w.broken(at, strip_kind(&e)))
    }

    pub fn optional(&mut self, w: &Walk<'_>, tag: u8, what: &str) -> WResult<Option<Tlv<'a>>> {
        if self.peek() == Some(tag) {
            self.expect(w, tag, what).map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn oid(&mut self, w: &Walk<'_>, what: &str) -> WResult<ObjectIdentifier> {
        let t = self.expect(w, asn1::TAG_OID, what)?;
        parse_oid(w, &t, what)
    }

    /// Fails if anything is left over.
    pub fn end(&self, w: &Walk<'_>, what: &str) -> WResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(w.broken(
                self.at(),
                format!("{what} has {} unexpected trailing bytes", self.at().len()),
            ))
        }
    }
}

/// The library's message without its "malformed input: " kind prefix.
fn strip_kind(e: &pqsmime::Error) -> String {
    let s = e.to_string();
    s.strip_prefix("malformed input: ")
        .unwrap_or(&s)
        .to_string()
}

pub fn parse_oid(w: &Walk<'_>, t: &Tlv<'_>, what: &str) -> WResult<ObjectIdentifier> {
    asn1::parse_oid(t.value).map_err(|e| w.broken(t.raw, format!("{what}: {}", strip_kind(&e))))
}

/// The value of a single element that must be the whole of `data`.
pub fn single<'a>(w: &Walk<'_>, data: &'a [u8], tag: u8, what: &str) -> WResult<Tlv<'a>> {
    let mut s = Seq::over(data);
    let t = s.expect(w, tag, what)?;
    s.end(w, what)?;
    Ok(t)
}

// ---------------------------------------------------------------------------------------
// Words

/// OID names pqsmime's tables lack but `inspect` meets.
fn local_oid_name(o: &ObjectIdentifier) -> Option<&'static str> {
    const T: &[(&str, &str)] = &[
        (
            "1.3.133.16.840.63.0.2",
            "dhSinglePass-stdDH-sha1kdf-scheme (ECDH)",
        ),
        (
            "1.3.133.16.840.63.0.3",
            "dhSinglePass-cofactorDH-sha1kdf-scheme (ECDH)",
        ),
        (
            "1.3.132.1.11.0",
            "dhSinglePass-stdDH-sha224kdf-scheme (ECDH)",
        ),
        (
            "1.3.132.1.11.1",
            "dhSinglePass-stdDH-sha256kdf-scheme (ECDH)",
        ),
        (
            "1.3.132.1.11.2",
            "dhSinglePass-stdDH-sha384kdf-scheme (ECDH)",
        ),
        (
            "1.3.132.1.11.3",
            "dhSinglePass-stdDH-sha512kdf-scheme (ECDH)",
        ),
        (
            "1.3.132.1.14.1",
            "dhSinglePass-cofactorDH-sha256kdf-scheme (ECDH)",
        ),
        (
            "1.2.840.113549.1.9.16.3.19",
            "dhSinglePass-stdDH-hkdf-sha256-scheme (X25519/X448 ECDH)",
        ),
        (
            "1.2.840.113549.1.9.16.3.20",
            "dhSinglePass-stdDH-hkdf-sha384-scheme (X25519/X448 ECDH)",
        ),
        (
            "1.2.840.113549.1.9.16.3.21",
            "dhSinglePass-stdDH-hkdf-sha512-scheme (X25519/X448 ECDH)",
        ),
        ("1.2.840.113549.1.9.16.3.9", "PWRI-KEK"),
        ("1.2.840.113549.1.9.16.3.18", "ChaCha20-Poly1305"),
        ("1.2.840.113549.1.5.12", "PBKDF2"),
        ("1.3.133.16.840.9.44.1.2", "KDF3 with SHA-256"),
        ("1.3.132.1.12", "id-ecDH"),
        ("2.16.840.1.101.3.4.1.7", "AES-128-CCM"),
        ("2.16.840.1.101.3.4.1.27", "AES-192-CCM"),
        ("2.16.840.1.101.3.4.1.47", "AES-256-CCM"),
        ("2.16.840.1.101.3.4.1.8", "AES-128 key wrap with padding"),
        ("2.16.840.1.101.3.4.1.28", "AES-192 key wrap with padding"),
        ("2.16.840.1.101.3.4.1.48", "AES-256 key wrap with padding"),
        ("2.16.840.1.101.3.4.2.4", "SHA-224"),
        ("1.2.840.113549.3.2", "RC2-CBC"),
        ("1.3.14.3.2.7", "DES-CBC"),
        ("1.2.840.113549.1.9.16.1.6", "id-ct-contentInfo"),
        ("1.2.840.113549.1.9.14", "extensionRequest"),
        ("1.2.840.113549.1.9.7", "challengePassword"),
        ("1.3.6.1.4.1.22112.2.1", "statementOfPossession (RFC 9883)"),
        ("2.5.29.32.0", "anyPolicy"),
        ("2.5.29.9", "subjectDirectoryAttributes"),
        ("2.5.29.16", "privateKeyUsagePeriod"),
        ("2.5.29.46", "freshestCRL"),
        ("2.5.29.28", "issuingDistributionPoint"),
        ("2.5.29.24", "invalidityDate"),
        ("2.5.29.29", "certificateIssuer"),
        ("1.3.6.1.5.5.7.1.3", "qcStatements"),
        ("1.3.6.1.5.5.7.1.11", "subjectInfoAccess"),
        ("1.3.6.1.5.5.7.2.1", "CPS pointer"),
        ("1.3.6.1.5.5.7.2.2", "user notice"),
        ("1.3.6.1.5.5.7.48.1", "OCSP"),
        ("1.3.6.1.5.5.7.48.2", "CA issuers"),
        ("1.3.6.1.5.5.7.3.9", "OCSPSigning"),
        ("1.3.6.1.4.1.11129.2.4.2", "signed certificate timestamps"),
        ("1.3.6.1.4.1.11129.2.4.3", "precertificate poison"),
        ("2.23.140.1.5.1.1", "S/MIME BR mailbox-validated legacy"),
        (
            "2.23.140.1.5.1.2",
            "S/MIME BR mailbox-validated multipurpose",
        ),
        ("2.23.140.1.5.1.3", "S/MIME BR mailbox-validated strict"),
        (
            "2.23.140.1.5.2.1",
            "S/MIME BR organization-validated legacy",
        ),
        (
            "2.23.140.1.5.2.2",
            "S/MIME BR organization-validated multipurpose",
        ),
        (
            "2.23.140.1.5.2.3",
            "S/MIME BR organization-validated strict",
        ),
        ("2.23.140.1.5.3.1", "S/MIME BR sponsor-validated legacy"),
        (
            "2.23.140.1.5.3.2",
            "S/MIME BR sponsor-validated multipurpose",
        ),
        ("2.23.140.1.5.3.3", "S/MIME BR sponsor-validated strict"),
        ("2.23.140.1.5.4.1", "S/MIME BR individual-validated legacy"),
        (
            "2.23.140.1.5.4.2",
            "S/MIME BR individual-validated multipurpose",
        ),
        ("2.23.140.1.5.4.3", "S/MIME BR individual-validated strict"),
    ];
    let dotted = o.to_string();
    T.iter().find(|(k, _)| *k == dotted).map(|(_, v)| *v)
}

/// A short name, if any table knows the OID.
pub fn oid_name(o: &ObjectIdentifier) -> Option<&'static str> {
    alg::oid_name(o).or_else(|| local_oid_name(o))
}

/// "ML-DSA-65 (2.16.840.1.101.3.4.3.18)", or the dotted form alone.
pub fn words(o: &ObjectIdentifier) -> String {
    match oid_name(o) {
        Some(n) => format!("{n} ({o})"),
        None => o.to_string(),
    }
}

/// Words for an AlgorithmIdentifier element (`raw` is the full SEQUENCE).
pub fn alg_words(w: &Walk<'_>, t: &Tlv<'_>, what: &str) -> WResult<String> {
    if t.tag != asn1::TAG_SEQUENCE {
        return Err(w.broken(
            t.raw,
            format!(
                "{what}: expected an AlgorithmIdentifier SEQUENCE, found tag 0x{:02X}",
                t.tag
            ),
        ));
    }
    let mut s = Seq::of(t);
    let o = s.oid(w, &format!("{what} algorithm"))?;
    let params = if s.is_empty() {
        None
    } else {
        Some(s.any(w, &format!("{what} parameters"))?)
    };
    s.end(w, what)?;
    let p = match params {
        None => String::new(),
        Some(p) if p.tag == asn1::TAG_NULL && p.value.is_empty() => ", parameters NULL".to_string(),
        Some(p) if p.tag == asn1::TAG_OID => match asn1::parse_oid(p.value) {
            Ok(po) => format!(", {}", words(&po)),
            Err(_) => ", parameters: invalid OID".to_string(),
        },
        Some(p) => format!(", parameters {} bytes", p.raw.len()),
    };
    Ok(format!("{}{p}", words(&o)))
}

/// Words for a signature AlgorithmIdentifier: the registry's name where it parses (e.g.
/// "RSA-PSS with SHA-256"), otherwise the generic words, plus why pqsmime would refuse it.
pub fn signature_alg_words(
    w: &Walk<'_>,
    t: &Tlv<'_>,
    digest: Option<DigestAlgorithm>,
    what: &str,
) -> WResult<String> {
    let generic = alg_words(w, t, what)?;
    Ok(
        match SignatureAlgorithm::from_algorithm_identifier(t.raw, digest) {
            Ok(a) => {
                let pq = if a.quantum_safe() {
                    ", quantum-safe"
                } else {
                    ""
                };
                format!(
                    "{} ({}{pq})",
                    a.name(),
                    oid_of(t).map(|o| o.to_string()).unwrap_or_default()
                )
            }
            Err(e) => format!("{generic} [pqsmime refuses it: {}]", clean(&strip_kind(&e))),
        },
    )
}

fn oid_of(t: &Tlv<'_>) -> Option<ObjectIdentifier> {
    asn1::parse_algorithm_identifier(t.raw).ok().map(|(o, _)| o)
}

/// The digest of a digest AlgorithmIdentifier, if pqsmime knows it.
pub fn digest_of(t: &Tlv<'_>) -> Option<DigestAlgorithm> {
    DigestAlgorithm::from_algorithm_identifier(t.raw).ok()
}

/// Upper-case hex; values longer than 64 bytes (any digest fits) are cut, with the length.
pub fn hex(bytes: &[u8]) -> String {
    const MAX: usize = 64;
    let shown: String = bytes.iter().take(MAX).map(|b| format!("{b:02X}")).collect();
    if bytes.len() > MAX {
        format!("{shown}… ({} bytes)", bytes.len())
    } else {
        shown
    }
}

/// An INTEGER's contents: decimal when small and non-negative, else hex.
pub fn integer(value: &[u8]) -> String {
    if value.is_empty() {
        return "(empty INTEGER)".to_string();
    }
    if value[0] & 0x80 == 0 && value.len() <= 8 {
        let v = value.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64);
        return v.to_string();
    }
    let sign = if value[0] & 0x80 != 0 {
        "negative, "
    } else {
        ""
    };
    format!("0x{} ({sign}{} bytes)", hex(value), value.len())
}

/// A certificate serial number: hex with colons, as OpenSSL and browsers show it.
pub fn serial(value: &[u8]) -> String {
    let mut v = value;
    while v.len() > 1 && v[0] == 0 {
        v = &v[1..];
    }
    v.iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// UTCTime or GeneralizedTime as "2026-11-28 04:49:56 UTC".
pub fn time(w: &Walk<'_>, t: &Tlv<'_>, what: &str) -> WResult<String> {
    let text = std::str::from_utf8(t.value)
        .map_err(|_| w.broken(t.raw, format!("{what}: time is not ASCII")))?;
    if !text.is_ascii() {
        return Ok(format!("{} (not in the RFC 5280 form)", clean(text)));
    }
    let digits_ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (year, rest) = match t.tag {
        asn1::TAG_UTC_TIME if text.len() == 13 && text.ends_with('Z') && digits_ok(&text[..12]) => {
            let yy: u32 = text[..2].parse().unwrap_or(0);
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..12])
        }
        asn1::TAG_GENERALIZED_TIME
            if text.len() >= 15 && text.ends_with('Z') && digits_ok(&text[..14]) =>
        {
            (text[..4].parse().unwrap_or(0), &text[4..14])
        }
        asn1::TAG_UTC_TIME | asn1::TAG_GENERALIZED_TIME => {
            return Ok(format!("{} (not in the RFC 5280 form)", clean(text)))
        }
        other => {
            return Err(w.broken(
                t.raw,
                format!("{what}: expected UTCTime or GeneralizedTime, found tag 0x{other:02X}"),
            ))
        }
    };
    let frac = if t.tag == asn1::TAG_GENERALIZED_TIME && text.len() > 15 {
        format!(" (with fraction {})", clean(&text[14..text.len() - 1]))
    } else {
        String::new()
    };
    Ok(format!(
        "{year:04}-{}-{} {}:{}:{} UTC{frac}",
        &rest[0..2],
        &rest[2..4],
        &rest[4..6],
        &rest[6..8],
        &rest[8..10]
    ))
}

/// Escapes control characters so input cannot drive the terminal.
pub fn clean(s: &str) -> String {
    crate::error::sanitize(s)
}

/// The text of a string element (directory strings and friends), cleaned.
pub fn string(t: &Tlv<'_>) -> Option<String> {
    raw_string(t).map(|s| clean(&s))
}

/// The text of a string element as decoded (not yet cleaned).
fn raw_string(t: &Tlv<'_>) -> Option<String> {
    Some(match t.tag {
        // UTF8String, PrintableString, IA5String, VisibleString, NumericString
        0x0C | 0x13 | 0x16 | 0x1A | 0x12 => String::from_utf8_lossy(t.value).into_owned(),
        // TeletexString: treat as Latin-1, as most software does.
        0x14 => t.value.iter().map(|b| *b as char).collect(),
        // BMPString: UTF-16BE.
        0x1E => {
            if t.value.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = t
                .value
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        // UniversalString: UTF-32BE.
        0x1C => {
            if t.value.len() % 4 != 0 {
                return None;
            }
            t.value
                .chunks(4)
                .map(|c| {
                    char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                        .unwrap_or('\u{FFFD}')
                })
                .collect()
        }
        _ => return None,
    })
}

/// RFC 4514 escaping of one attribute value.
fn escape_dn_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let n = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i + 1 == n && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A DER `Name` as an RFC 4514 string (last RDN first, `+` inside a multi-valued RDN).
pub fn name(w: &Walk<'_>, t: &Tlv<'_>, what: &str) -> WResult<String> {
    if t.tag != asn1::TAG_SEQUENCE {
        return Err(w.broken(
            t.raw,
            format!(
                "{what}: expected a Name SEQUENCE, found tag 0x{:02X}",
                t.tag
            ),
        ));
    }
    let mut rdns = Vec::new();
    let mut s = Seq::of(t);
    while !s.is_empty() {
        let rdn = s.expect(w, asn1::TAG_SET, &format!("{what} RDN"))?;
        let mut parts = Vec::new();
        let mut avas = Seq::of(&rdn);
        while !avas.is_empty() {
            let ava = avas.expect(w, asn1::TAG_SEQUENCE, &format!("{what} attribute"))?;
            let mut a = Seq::of(&ava);
            let o = a.oid(w, &format!("{what} attribute type"))?;
            let v = a.any(w, &format!("{what} attribute value"))?;
            a.end(w, &format!("{what} attribute"))?;
            let key = match pqsmime::oids::name(&o) {
                Some(n) => n.to_string(),
                None => o.to_string(),
            };
            let value = match raw_string(&v) {
                Some(s) => clean(&escape_dn_value(&s)),
                None => format!(
                    "#{}",
                    v.raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
                ),
            };
            parts.push(format!("{key}={value}"));
        }
        rdns.push(parts.join("+"));
    }
    rdns.reverse();
    if rdns.is_empty() {
        Ok("(empty name)".to_string())
    } else {
        Ok(rdns.join(","))
    }
}

/// One GeneralName (RFC 5280 §4.2.1.6) in words, e.g. "email: alice@example.com".
pub fn general_name(w: &Walk<'_>, t: &Tlv<'_>) -> WResult<String> {
    let text = |v: &[u8]| clean(&String::from_utf8_lossy(v));
    Ok(match t.tag {
        0xA0 => {
            let mut s = Seq::of(t);
            let o = s.oid(w, "otherName type-id")?;
            let v = s.expect(w, 0xA0, "otherName value")?;
            let inner = single(
                w,
                v.value,
                v.value.first().copied().unwrap_or(0),
                "otherName value",
            )?;
            match string(&inner) {
                Some(s) if o == pqsmime::oids::ON_SMTP_UTF8_MAILBOX => {
                    format!("SmtpUTF8Mailbox: {s}")
                }
                Some(s) => format!("otherName {}: {s}", words(&o)),
                None => format!("otherName {} ({} bytes)", words(&o), inner.raw.len()),
            }
        }
        0x81 => format!("email: {}", text(t.value)),
        0x82 => format!("DNS: {}", text(t.value)),
        0x86 => format!("URI: {}", text(t.value)),
        0x87 => format!("IP: {}", ip(t.value)),
        0x88 => match asn1::parse_oid(t.value) {
            Ok(o) => format!("registered ID: {}", words(&o)),
            Err(_) => "registered ID: (invalid OID)".to_string(),
        },
        0xA4 => {
            let inner = single(w, t.value, asn1::TAG_SEQUENCE, "directoryName")?;
            format!("directory name: {}", name(w, &inner, "directoryName")?)
        }
        0xA3 => format!("x400Address ({} bytes)", t.value.len()),
        0xA5 => format!("ediPartyName ({} bytes)", t.value.len()),
        other => return Err(w.broken(t.raw, format!("GeneralName with unknown tag 0x{other:02X}"))),
    })
}

/// IPv4/IPv6 addresses, and address/mask pairs as in name constraints.
fn ip(v: &[u8]) -> String {
    use std::net::{Ipv4Addr, Ipv6Addr};
    match v.len() {
        4 => Ipv4Addr::new(v[0], v[1], v[2], v[3]).to_string(),
        8 => format!("{}/{}", ip(&v[..4]), ip(&v[4..])),
        16 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(v);
            Ipv6Addr::from(b).to_string()
        }
        32 => format!("{}/{}", ip(&v[..16]), ip(&v[16..])),
        n => format!("(invalid, {n} bytes)"),
    }
}

/// Each GeneralName of a GeneralNames SEQUENCE (or of the contents of an implicit tag).
pub fn general_names(w: &Walk<'_>, contents: &[u8], node: &mut Node) -> WResult<()> {
    let mut s = Seq::over(contents);
    while !s.is_empty() {
        let g = s.any(w, "GeneralName")?;
        node.push(Node::new(general_name(w, &g)?));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, v: &[u8]) -> Vec<u8> {
        asn1::tlv(tag, v)
    }

    #[test]
    fn names_are_rfc4514_reversed_and_escaped() {
        let rdn = |o: &ObjectIdentifier, v: &str| {
            asn1::tlv(
                asn1::TAG_SET,
                &asn1::sequence(&[&asn1::oid(o), &tlv(0x0C, v.as_bytes())]),
            )
        };
        let der = asn1::sequence(&[
            &rdn(&pqsmime::oids::AT_COUNTRY, "DE"),
            &rdn(&pqsmime::oids::AT_ORGANIZATION, "Example, Inc"),
            &rdn(&pqsmime::oids::AT_COMMON_NAME, "Alice\u{1b}[31m"),
        ]);
        let w = Walk::new(&der);
        let t = Seq::over(&der).any(&w, "name").unwrap();
        assert_eq!(
            name(&w, &t, "subject").unwrap(),
            "CN=Alice\\u{1b}[31m,O=Example\\, Inc,C=DE"
        );
    }

    #[test]
    fn times_are_formatted_and_bad_ones_reported() {
        let der = tlv(asn1::TAG_UTC_TIME, b"261128044956Z");
        let w = Walk::new(&der);
        let t = Seq::over(&der).any(&w, "t").unwrap();
        assert_eq!(time(&w, &t, "t").unwrap(), "2026-11-28 04:49:56 UTC");
        let g = tlv(asn1::TAG_GENERALIZED_TIME, b"20500101000000Z");
        let wg = Walk::new(&g);
        let tg = Seq::over(&g).any(&wg, "t").unwrap();
        assert_eq!(time(&wg, &tg, "t").unwrap(), "2050-01-01 00:00:00 UTC");
        // Multi-byte UTF-8 where digits belong must not split a character.
        let odd = tlv(asn1::TAG_UTC_TIME, "26112804495\u{e9}".as_bytes());
        let wo = Walk::new(&odd);
        let to = Seq::over(&odd).any(&wo, "t").unwrap();
        assert!(time(&wo, &to, "t")
            .unwrap()
            .contains("not in the RFC 5280 form"));
        let bad = tlv(asn1::TAG_INTEGER, b"\x01");
        let wb = Walk::new(&bad);
        let tb = Seq::over(&bad).any(&wb, "t").unwrap();
        assert!(time(&wb, &tb, "notAfter")
            .unwrap_err()
            .msg
            .contains("notAfter"));
    }

    #[test]
    fn errors_carry_the_offset_of_the_broken_element() {
        // SEQUENCE { INTEGER 1, OCTET STRING claiming 9 bytes but holding 1 }
        let der = [0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x09, 0xAA];
        let w = Walk::new(&der);
        let outer = Seq::over(&der).any(&w, "outer");
        // The outer length is consistent (6 bytes), so it parses; the inner one is truncated.
        let outer = outer.unwrap();
        let mut s = Seq::of(&outer);
        s.expect(&w, asn1::TAG_INTEGER, "version").unwrap();
        let e = s.any(&w, "payload").unwrap_err();
        assert_eq!(e.offset, Some(5));
        assert!(e.msg.starts_with("payload: truncated"), "{}", e.msg);
    }

    #[test]
    fn general_names_in_words() {
        let der = [
            tlv(0x81, b"alice@example.com"),
            tlv(0x82, b"example.com"),
            tlv(0x87, &[192, 0, 2, 1]),
        ]
        .concat();
        let w = Walk::new(&der);
        let mut n = Node::new("san");
        general_names(&w, &der, &mut n).unwrap();
        let got: Vec<&str> = n.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            got,
            [
                "email: alice@example.com",
                "DNS: example.com",
                "IP: 192.0.2.1"
            ]
        );
    }

    #[test]
    fn numbers_and_hex() {
        assert_eq!(integer(&[0x01, 0x00]), "256");
        assert!(integer(&[0x80]).contains("negative"));
        assert_eq!(serial(&[0x00, 0x8F, 0x01]), "8F:01");
        assert!(hex(&[0u8; 80]).ends_with("(80 bytes)"));
        assert_eq!(hex(&[0xAB; 64]).len(), 128);
        assert_eq!(clean("a\u{7}b\u{202E}"), "a\\u{7}b\\u{202e}");
    }
}
