//! Distinguished names: strict parsing of `Name` (RFC 5280 §4.1.2.4), RFC 4514 strings in both
//! directions, and the RFC 5280 §7.1 name comparison used for chaining.
//!
//! ```text
//! Name ::= CHOICE { rdnSequence RDNSequence }
//! RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
//! RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//! AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
//! ```
//!
//! RFC 4514 writes the RDNs in reverse order (last RDN of the sequence first), so a name encoded
//! as `C=DE, O=Example, CN=Alice` reads `CN=Alice,O=Example,C=DE`; [`parse_dn`] reverses again.

use const_oid::ObjectIdentifier;

use crate::asn1::TAG_UTF8_STRING;
use crate::asn1::{
    self, Reader, Rules, TAG_IA5_STRING, TAG_PRINTABLE_STRING, TAG_SEQUENCE, TAG_SET,
};
use crate::error::{Error, Result};
use crate::oids;

const TAG_NUMERIC_STRING: u8 = 0x12;
const TAG_TELETEX_STRING: u8 = 0x14;
const TAG_VISIBLE_STRING: u8 = 0x1A;
const TAG_UNIVERSAL_STRING: u8 = 0x1C;
const TAG_BMP_STRING: u8 = 0x1E;

const AT_DOMAIN_COMPONENT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25");
const AT_USER_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1");
const AT_POSTAL_CODE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.17");
const AT_DN_QUALIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.46");
const AT_INITIALS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.43");
const AT_GENERATION_QUALIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.44");
const AT_BUSINESS_CATEGORY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.15");

/// How an attribute is written in strings and which string type the issuer encodes it with.
struct AttrInfo {
    oid: ObjectIdentifier,
    /// The name written in RFC 4514 output.
    name: &'static str,
    /// Further names accepted on input (case-insensitive).
    aliases: &'static [&'static str],
    /// Tag used when encoding a value typed by the user.
    tag: u8,
    /// RFC 5280 Appendix A upper bound in characters (0 = none).
    max_len: usize,
}

/// Attributes with names, in the spelling RFC 4514 §3 uses where it defines one and the
/// X.520 / RFC 5280 short names otherwise.
const ATTRS: &[AttrInfo] = &[
    AttrInfo {
        oid: oids::AT_COMMON_NAME,
        name: "CN",
        aliases: &["commonName"],
        tag: TAG_UTF8_STRING,
        max_len: 64,
    },
    AttrInfo {
        oid: oids::AT_SURNAME,
        name: "SN",
        aliases: &["surname"],
        tag: TAG_UTF8_STRING,
        max_len: 32768,
    },
    AttrInfo {
        oid: oids::AT_SERIAL_NUMBER,
        name: "serialNumber",
        aliases: &[],
        tag: TAG_PRINTABLE_STRING,
        max_len: 64,
    },
    AttrInfo {
        oid: oids::AT_COUNTRY,
        name: "C",
        aliases: &["countryName"],
        tag: TAG_PRINTABLE_STRING,
        max_len: 0,
    },
    AttrInfo {
        oid: oids::AT_LOCALITY,
        name: "L",
        aliases: &["localityName"],
        tag: TAG_UTF8_STRING,
        max_len: 128,
    },
    AttrInfo {
        oid: oids::AT_STATE,
        name: "ST",
        aliases: &["stateOrProvinceName", "S"],
        tag: TAG_UTF8_STRING,
        max_len: 128,
    },
    AttrInfo {
        oid: oids::AT_STREET,
        name: "STREET",
        aliases: &["street", "streetAddress"],
        tag: TAG_UTF8_STRING,
        max_len: 128,
    },
    AttrInfo {
        oid: oids::AT_ORGANIZATION,
        name: "O",
        aliases: &["organizationName"],
        tag: TAG_UTF8_STRING,
        max_len: 64,
    },
    AttrInfo {
        oid: oids::AT_ORGANIZATIONAL_UNIT,
        name: "OU",
        aliases: &["organizationalUnitName"],
        tag: TAG_UTF8_STRING,
        max_len: 64,
    },
    AttrInfo {
        oid: oids::AT_TITLE,
        name: "title",
        aliases: &["T"],
        tag: TAG_UTF8_STRING,
        max_len: 64,
    },
    AttrInfo {
        oid: oids::AT_GIVEN_NAME,
        name: "GN",
        aliases: &["givenName", "G"],
        tag: TAG_UTF8_STRING,
        max_len: 32768,
    },
    AttrInfo {
        oid: oids::AT_PSEUDONYM,
        name: "pseudonym",
        aliases: &[],
        tag: TAG_UTF8_STRING,
        max_len: 128,
    },
    AttrInfo {
        oid: oids::AT_ORGANIZATION_IDENTIFIER,
        name: "organizationIdentifier",
        aliases: &[],
        tag: TAG_UTF8_STRING,
        max_len: 0,
    },
    AttrInfo {
        oid: oids::AT_EMAIL_ADDRESS,
        name: "emailAddress",
        aliases: &["E", "email"],
        tag: TAG_IA5_STRING,
        max_len: 255,
    },
    AttrInfo {
        oid: AT_DOMAIN_COMPONENT,
        name: "DC",
        aliases: &["domainComponent"],
        tag: TAG_IA5_STRING,
        max_len: 63,
    },
    AttrInfo {
        oid: AT_USER_ID,
        name: "UID",
        aliases: &["userId"],
        tag: TAG_UTF8_STRING,
        max_len: 0,
    },
    AttrInfo {
        oid: AT_POSTAL_CODE,
        name: "postalCode",
        aliases: &[],
        tag: TAG_UTF8_STRING,
        max_len: 40,
    },
    AttrInfo {
        oid: AT_DN_QUALIFIER,
        name: "dnQualifier",
        aliases: &[],
        tag: TAG_PRINTABLE_STRING,
        max_len: 0,
    },
    AttrInfo {
        oid: AT_INITIALS,
        name: "initials",
        aliases: &[],
        tag: TAG_UTF8_STRING,
        max_len: 32768,
    },
    AttrInfo {
        oid: AT_GENERATION_QUALIFIER,
        name: "generationQualifier",
        aliases: &[],
        tag: TAG_UTF8_STRING,
        max_len: 32768,
    },
    AttrInfo {
        oid: AT_BUSINESS_CATEGORY,
        name: "businessCategory",
        aliases: &[],
        tag: TAG_UTF8_STRING,
        max_len: 128,
    },
];

fn attr_by_oid(oid: &ObjectIdentifier) -> Option<&'static AttrInfo> {
    ATTRS.iter().find(|a| a.oid == *oid)
}

fn attr_by_name(name: &str) -> Option<&'static AttrInfo> {
    ATTRS.iter().find(|a| {
        a.name.eq_ignore_ascii_case(name) || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(name))
    })
}

/// One `AttributeTypeAndValue`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Atv<'a> {
    pub oid: ObjectIdentifier,
    /// Tag of the value.
    pub tag: u8,
    /// Contents octets of the value.
    pub value: &'a [u8],
    /// Full encoding of the value.
    pub raw_value: &'a [u8],
}

/// Parses a DER `Name` into its RDNs (in encoded order), checking the structure strictly.
pub(crate) fn parse_name<'a>(der: &'a [u8], what: &str) -> Result<Vec<Vec<Atv<'a>>>> {
    let mut outer = Reader::new(der);
    let seq = outer.read_expected(TAG_SEQUENCE, what)?;
    outer.finish(what)?;
    let mut rdns = Vec::new();
    let mut r = seq.reader(Rules::Der);
    while !r.is_empty() {
        let set = r.read_expected(TAG_SET, &format!("{what} RelativeDistinguishedName"))?;
        let mut sr = set.reader(Rules::Der);
        let mut atvs = Vec::new();
        let mut previous: Option<&[u8]> = None;
        while !sr.is_empty() {
            let atv = sr.read_expected(TAG_SEQUENCE, &format!("{what} AttributeTypeAndValue"))?;
            // DER SET OF: elements in ascending order of their encodings (X.690 §11.6).
            if let Some(p) = previous {
                if p > atv.raw {
                    return Err(Error::malformed(format!(
                        "{what}: the attributes of a multi-valued RDN are not in DER order"
                    )));
                }
            }
            previous = Some(atv.raw);
            let mut ar = atv.reader(Rules::Der);
            let oid = asn1::read_oid(&mut ar, &format!("{what} attribute type"))?;
            let v = ar.read().map_err(|e| match e {
                Error::Malformed(m) => {
                    Error::malformed(format!("{what} attribute {oid} value: {m}"))
                }
                other => other,
            })?;
            ar.finish(&format!("{what} AttributeTypeAndValue"))?;
            if v.tag == TAG_UTF8_STRING && std::str::from_utf8(v.value).is_err() {
                return Err(Error::malformed(format!(
                    "{what}: attribute {} is a UTF8String that is not valid UTF-8",
                    attr_display_name(&oid)
                )));
            }
            atvs.push(Atv {
                oid,
                tag: v.tag,
                value: v.value,
                raw_value: v.raw,
            });
        }
        if atvs.is_empty() {
            return Err(Error::malformed(format!(
                "{what}: a RelativeDistinguishedName is empty (RFC 5280 requires at least one attribute)"
            )));
        }
        rdns.push(atvs);
    }
    Ok(rdns)
}

fn attr_display_name(oid: &ObjectIdentifier) -> String {
    match attr_by_oid(oid) {
        Some(a) => a.name.to_string(),
        None => oid.to_string(),
    }
}

/// Decodes a string-typed attribute value; `None` if the type is not a string type or the
/// bytes do not fit it.
pub(crate) fn decode_string(tag: u8, value: &[u8]) -> Option<String> {
    match tag {
        TAG_UTF8_STRING => std::str::from_utf8(value).ok().map(str::to_string),
        TAG_PRINTABLE_STRING | TAG_IA5_STRING | TAG_NUMERIC_STRING | TAG_VISIBLE_STRING => {
            if value.is_ascii() {
                std::str::from_utf8(value).ok().map(str::to_string)
            } else {
                None
            }
        }
        // T.61 in theory; in practice Latin-1 (what every other implementation assumes).
        TAG_TELETEX_STRING => Some(value.iter().map(|b| char::from(*b)).collect()),
        TAG_BMP_STRING => {
            if value.len() % 2 != 0 {
                return None;
            }
            let units: Vec<u16> = value
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        TAG_UNIVERSAL_STRING => {
            if value.len() % 4 != 0 {
                return None;
            }
            value
                .chunks_exact(4)
                .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect()
        }
        _ => None,
    }
}

/// RFC 4514 §2.4 escaping of a string value. Control characters are also escaped (as `\XX`)
/// so that names can be printed to a terminal safely.
fn escape_value(s: &str, out: &mut String) {
    let count = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' if i == 0 || i + 1 == count => out.push_str("\\ "),
            '#' if i == 0 => out.push_str("\\#"),
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                out.push_str(&format!("\\{:02X}", c as u32));
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
}

fn hex_upper(bytes: &[u8], out: &mut String) {
    for b in bytes {
        out.push_str(&format!("{b:02X}"));
    }
}

/// The RFC 4514 string of a DER `Name` (RDNs in reverse order, `+` inside a multi-valued RDN).
/// Attributes without a known name are written as dotted OID and `#` hex of the value's DER.
pub(crate) fn name_to_string(rdns: &[Vec<Atv<'_>>]) -> String {
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, atv) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            let known = attr_by_oid(&atv.oid);
            let text = decode_string(atv.tag, atv.value);
            match (known, text) {
                (Some(a), Some(t)) => {
                    out.push_str(a.name);
                    out.push('=');
                    escape_value(&t, &mut out);
                }
                (Some(a), None) => {
                    out.push_str(a.name);
                    out.push_str("=#");
                    hex_upper(atv.raw_value, &mut out);
                }
                (None, _) => {
                    out.push_str(&atv.oid.to_string());
                    out.push_str("=#");
                    hex_upper(atv.raw_value, &mut out);
                }
            }
        }
    }
    out
}

/// Values of every `emailAddress` attribute (PKCS #9) in the name.
pub(crate) fn email_attributes(rdns: &[Vec<Atv<'_>>]) -> Vec<String> {
    rdns.iter()
        .flatten()
        .filter(|a| a.oid == oids::AT_EMAIL_ADDRESS)
        .filter_map(|a| decode_string(a.tag, a.value))
        .collect()
}

// -----------------------------------------------------------------------------------------
// RFC 4514 strings → DER

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A parsed value: its bytes and which of them were escaped (so that only unescaped spaces at
/// the ends are trimmed).
enum RawValue {
    Text(String),
    /// `#` followed by the hex of a BER/DER encoding (RFC 4514 §2.4).
    Encoded(Vec<u8>),
}

/// Splits an RFC 4514 string into RDNs of (type, value) pairs, honouring `\` escapes.
fn split_dn(dn: &str) -> Result<Vec<Vec<(String, RawValue)>>> {
    let bytes = dn.as_bytes();
    let mut rdns: Vec<Vec<(String, RawValue)>> = Vec::new();
    let mut current: Vec<(String, RawValue)> = Vec::new();
    let mut i = 0;
    loop {
        // attribute type, up to '='
        let start = i;
        while i < bytes.len() && bytes[i] != b'=' {
            if matches!(bytes[i], b',' | b'+') {
                return Err(Error::Usage(format!(
                    "distinguished name '{dn}': attribute '{}' has no '=' and value",
                    dn[start..i].trim()
                )));
            }
            i += 1;
        }
        if i >= bytes.len() {
            return Err(Error::Usage(format!(
                "distinguished name '{dn}': '{}' has no '=' and value",
                dn[start..].trim()
            )));
        }
        let attr = dn[start..i].trim().to_string();
        if attr.is_empty() {
            return Err(Error::Usage(format!(
                "distinguished name '{dn}': an attribute type is missing before '='"
            )));
        }
        i += 1; // '='
                // skip unescaped leading spaces (lenient: RFC 4514 wants them escaped)
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let value = if bytes.get(i) == Some(&b'#') {
            i += 1;
            let hs = i;
            while i < bytes.len() && !matches!(bytes[i], b',' | b'+') {
                i += 1;
            }
            let hex = dn[hs..i].trim_end();
            if hex.is_empty() || hex.len() % 2 != 0 {
                return Err(Error::Usage(format!(
                    "distinguished name '{dn}': the '#' value of {attr} is not an even number of hex digits"
                )));
            }
            let mut v = Vec::with_capacity(hex.len() / 2);
            for pair in hex.as_bytes().chunks_exact(2) {
                match (hex_val(pair[0]), hex_val(pair[1])) {
                    (Some(h), Some(l)) => v.push(h << 4 | l),
                    _ => {
                        return Err(Error::Usage(format!(
                            "distinguished name '{dn}': the '#' value of {attr} contains a non-hex character"
                        )))
                    }
                }
            }
            RawValue::Encoded(v)
        } else {
            let mut buf: Vec<u8> = Vec::new();
            // index in buf after the last escaped byte: trailing-space trimming stops there
            let mut keep = 0usize;
            while i < bytes.len() && !matches!(bytes[i], b',' | b'+') {
                let c = bytes[i];
                if c == b'\\' {
                    let n = *bytes.get(i + 1).ok_or_else(|| {
                        Error::Usage(format!("distinguished name '{dn}' ends with a lone '\\'"))
                    })?;
                    if let (Some(h), Some(l)) =
                        (hex_val(n), bytes.get(i + 2).and_then(|b| hex_val(*b)))
                    {
                        buf.push(h << 4 | l);
                        i += 3;
                    } else if matches!(
                        n,
                        b'"' | b'+' | b',' | b';' | b'<' | b'>' | b'\\' | b' ' | b'#' | b'='
                    ) {
                        buf.push(n);
                        i += 2;
                    } else {
                        return Err(Error::Usage(format!(
                            "distinguished name '{dn}': '\\{}' is not a valid escape (RFC 4514 §3)",
                            char::from(n)
                        )));
                    }
                    keep = buf.len();
                } else {
                    buf.push(c);
                    i += 1;
                }
            }
            while buf.len() > keep && buf.last() == Some(&b' ') {
                buf.pop();
            }
            let s = String::from_utf8(buf).map_err(|_| {
                Error::Usage(format!(
                    "distinguished name '{dn}': the value of {attr} is not valid UTF-8 after unescaping"
                ))
            })?;
            RawValue::Text(s)
        };
        current.push((attr, value));
        match bytes.get(i) {
            None => {
                rdns.push(std::mem::take(&mut current));
                break;
            }
            Some(b',') => {
                rdns.push(std::mem::take(&mut current));
                i += 1;
            }
            Some(_) => {
                // '+'
                i += 1;
            }
        }
    }
    Ok(rdns)
}

fn is_printable_string_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

fn encode_atv(dn: &str, attr: &str, value: RawValue) -> Result<Vec<u8>> {
    let (oid, info) = match attr_by_name(attr) {
        Some(a) => (a.oid, Some(a)),
        None => {
            let dotted = attr
                .strip_prefix("OID.")
                .or_else(|| attr.strip_prefix("oid."))
                .unwrap_or(attr);
            if dotted.bytes().all(|b| b.is_ascii_digit() || b == b'.') && dotted.contains('.') {
                let oid = ObjectIdentifier::new(dotted).map_err(|e| {
                    Error::Usage(format!(
                        "distinguished name '{dn}': '{attr}' is not a valid OID ({e})"
                    ))
                })?;
                (oid, attr_by_oid(&oid))
            } else {
                let known: Vec<&str> = ATTRS.iter().map(|a| a.name).collect();
                return Err(Error::Usage(format!(
                    "distinguished name '{dn}': unknown attribute type '{attr}' (known: {}, or a dotted OID)",
                    known.join(", ")
                )));
            }
        }
    };
    let value_der = match value {
        RawValue::Encoded(v) => {
            let mut r = Reader::new(&v);
            r.read().map_err(|e| {
                Error::Usage(format!("distinguished name '{dn}': the '#' value of {attr} is not one DER element ({e})"))
            })?;
            r.finish("value").map_err(|e| {
                Error::Usage(format!(
                    "distinguished name '{dn}': the '#' value of {attr}: {e}"
                ))
            })?;
            v
        }
        RawValue::Text(s) => {
            let name = info.map(|a| a.name).unwrap_or(attr);
            if s.is_empty() {
                return Err(Error::Usage(format!(
                    "distinguished name '{dn}': {name} has an empty value"
                )));
            }
            let chars = s.chars().count();
            if let Some(a) = info {
                if a.max_len > 0 && chars > a.max_len {
                    return Err(Error::Usage(format!(
                        "distinguished name '{dn}': {name} is {chars} characters long; RFC 5280 allows at most {}",
                        a.max_len
                    )));
                }
            }
            let tag = info.map(|a| a.tag).unwrap_or(TAG_UTF8_STRING);
            if oid == oids::AT_COUNTRY
                && !(chars == 2 && s.chars().all(|c| c.is_ascii_alphabetic()))
            {
                return Err(Error::Usage(format!(
                    "distinguished name '{dn}': C must be a two-letter ISO 3166 country code, not '{s}'"
                )));
            }
            match tag {
                TAG_PRINTABLE_STRING if !s.chars().all(is_printable_string_char) => {
                    return Err(Error::Usage(format!(
                        "distinguished name '{dn}': {name} '{s}' has characters a PrintableString cannot hold"
                    )));
                }
                TAG_IA5_STRING if !s.is_ascii() => {
                    return Err(Error::Usage(format!(
                        "distinguished name '{dn}': {name} '{s}' must be ASCII (IA5String)"
                    )));
                }
                _ => {}
            }
            asn1::tlv(tag, s.as_bytes())
        }
    };
    let mut body = asn1::oid(&oid);
    body.extend_from_slice(&value_der);
    Ok(asn1::tlv(TAG_SEQUENCE, &body))
}

/// Encodes an RFC 4514 string such as `CN=Test Root,O=Example,C=DE` as a DER `Name`.
///
/// Supported attribute names: CN, O, OU, C, L, ST, STREET, emailAddress (E), serialNumber, GN,
/// SN, organizationIdentifier, pseudonym, title, DC, UID, postalCode, dnQualifier, initials,
/// generationQualifier, businessCategory, plus dotted OIDs (value as UTF8String, or `#` hex
/// of a complete DER value). `C`, `serialNumber` and `dnQualifier` are PrintableString,
/// `emailAddress` and `DC` IA5String, everything else UTF8String. Escapes: `\,` `\+` `\\` `\"`
/// `\;` `\<` `\>` `\=` `\#` `\ ` and `\XX` hex bytes (RFC 4514 §2.4, §3). Spaces after `,` and
/// around values are tolerated and dropped unless escaped.
pub fn parse_dn(dn: &str) -> Result<Vec<u8>> {
    // Only leading spaces are dropped here: a trailing space may be escaped ("\ ").
    let trimmed = dn.trim_start();
    if trimmed.trim_end().is_empty() {
        return Err(Error::Usage("the distinguished name is empty".to_string()));
    }
    if trimmed.starts_with('/') {
        return Err(Error::Usage(format!(
            "distinguished name '{dn}' looks like OpenSSL's /C=../CN=.. form; write it as RFC 4514, e.g. CN=Test Root,O=Example,C=DE"
        )));
    }
    let rdns = split_dn(trimmed)?;
    let mut encoded_rdns = Vec::with_capacity(rdns.len());
    for rdn in rdns.into_iter().rev() {
        let mut atvs = Vec::with_capacity(rdn.len());
        for (attr, value) in rdn {
            atvs.push(encode_atv(dn, &attr, value)?);
        }
        encoded_rdns.push(asn1::set_of(atvs));
    }
    Ok(asn1::tlv(TAG_SEQUENCE, &encoded_rdns.concat()))
}

// -----------------------------------------------------------------------------------------
// RFC 5280 §7.1 comparison

/// The comparison form of a value: for string types, the text with leading and trailing
/// spaces removed, inner runs of whitespace folded to one space and case folded (an
/// approximation of LDAP StringPrep's caseIgnoreMatch without NFKC normalisation); for other
/// types, the encoding.
fn comparison_form(atv: &Atv<'_>) -> Vec<u8> {
    match decode_string(atv.tag, atv.value) {
        Some(s) => {
            let folded: String = s
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .flat_map(char::to_lowercase)
                .collect();
            let mut v = vec![0u8];
            v.extend_from_slice(folded.as_bytes());
            v
        }
        None => {
            let mut v = vec![1u8];
            v.extend_from_slice(atv.raw_value);
            v
        }
    }
}

/// Whether two DER names are equal under RFC 5280 §7.1: byte-equal, or the same RDNs in the
/// same order with matching attribute sets, where string values compare case-insensitively
/// with insignificant whitespace ignored.
pub(crate) fn names_match(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (Ok(ra), Ok(rb)) = (parse_name(a, "name"), parse_name(b, "name")) else {
        return false;
    };
    if ra.len() != rb.len() {
        return false;
    }
    ra.iter().zip(rb.iter()).all(|(x, y)| rdns_match(x, y))
}

/// Whether two RDNs hold the same attributes under the §7.1 comparison.
fn rdns_match(x: &[Atv<'_>], y: &[Atv<'_>]) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut fx: Vec<(String, Vec<u8>)> = x
        .iter()
        .map(|a| (a.oid.to_string(), comparison_form(a)))
        .collect();
    let mut fy: Vec<(String, Vec<u8>)> = y
        .iter()
        .map(|a| (a.oid.to_string(), comparison_form(a)))
        .collect();
    fx.sort();
    fy.sort();
    fx == fy
}

/// Whether the DER name `name` lies in the directoryName subtree `base` (RFC 5280
/// §4.2.1.10): its RDN sequence starts with the RDNs of `base`, compared as in §7.1. An
/// empty base contains every name. A name that does not parse is not within any subtree.
pub(crate) fn name_within(name: &[u8], base: &[u8]) -> bool {
    let (Ok(rn), Ok(rb)) = (parse_name(name, "name"), parse_name(base, "name")) else {
        return false;
    };
    rb.len() <= rn.len() && rb.iter().zip(rn.iter()).all(|(b, n)| rdns_match(b, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(dn: &str) -> String {
        let der = parse_dn(dn).unwrap();
        name_to_string(&parse_name(&der, "name").unwrap())
    }

    #[test]
    fn rfc4514_order_is_reversed_in_der() {
        let der = parse_dn("CN=Test Root,O=Example,C=DE").unwrap();
        let rdns = parse_name(&der, "n").unwrap();
        assert_eq!(rdns[0][0].oid, oids::AT_COUNTRY);
        assert_eq!(rdns[0][0].tag, TAG_PRINTABLE_STRING);
        assert_eq!(rdns[2][0].oid, oids::AT_COMMON_NAME);
        assert_eq!(rdns[2][0].tag, TAG_UTF8_STRING);
        assert_eq!(name_to_string(&rdns), "CN=Test Root,O=Example,C=DE");
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(
            round_trip(r"CN=Doe\, John,O=A\+B \\ C"),
            r"CN=Doe\, John,O=A\+B \\ C"
        );
        assert_eq!(round_trip(r"CN=\#1 \ "), r"CN=\#1 \ ");
        assert_eq!(round_trip(r"CN=caf\C3\A9"), "CN=café");
        assert_eq!(round_trip("CN=Alice, O=Example"), "CN=Alice,O=Example");
        assert_eq!(
            round_trip("CN=a+emailAddress=a@example.com"),
            "CN=a+emailAddress=a@example.com"
        );
    }

    #[test]
    fn supported_attributes_and_string_types() {
        let der = parse_dn(
            "CN=x,O=o,OU=u,C=DE,L=l,ST=s,emailAddress=a@b.c,serialNumber=123,GN=g,SN=s,organizationIdentifier=NTRDE-HRB1,pseudonym=p,title=t",
        )
        .unwrap();
        let rdns = parse_name(&der, "n").unwrap();
        assert_eq!(rdns.len(), 13);
        let tag_of = |o: ObjectIdentifier| rdns.iter().flatten().find(|a| a.oid == o).unwrap().tag;
        assert_eq!(tag_of(oids::AT_SERIAL_NUMBER), TAG_PRINTABLE_STRING);
        assert_eq!(tag_of(oids::AT_EMAIL_ADDRESS), TAG_IA5_STRING);
        assert_eq!(tag_of(oids::AT_ORGANIZATION_IDENTIFIER), TAG_UTF8_STRING);
        assert_eq!(email_attributes(&rdns), vec!["a@b.c".to_string()]);
    }

    #[test]
    fn bad_input_is_refused_with_a_reason() {
        for (dn, needle) in [
            ("", "empty"),
            ("CN", "no '='"),
            ("XX=1", "unknown attribute"),
            ("C=DEU", "two-letter"),
            ("serialNumber=a_b", "PrintableString"),
            ("CN=", "empty value"),
            (r"CN=a\q", "not a valid escape"),
            ("/C=DE/CN=x", "RFC 4514"),
            ("emailAddress=ä@b.c", "ASCII"),
        ] {
            let err = parse_dn(dn).unwrap_err().to_string();
            assert!(err.contains(needle), "{dn}: {err}");
        }
        let long = format!("CN={}", "a".repeat(65));
        assert!(parse_dn(&long)
            .unwrap_err()
            .to_string()
            .contains("at most 64"));
    }

    #[test]
    fn dotted_oids_and_hex_values() {
        let der = parse_dn("2.5.4.3=#0C03616263,1.2.3.4=x").unwrap();
        let rdns = parse_name(&der, "n").unwrap();
        assert_eq!(name_to_string(&rdns), "CN=abc,1.2.3.4=#0C0178");
    }

    #[test]
    fn comparison_folds_case_and_spaces_and_string_types() {
        let a = parse_dn("CN=Test  Root,O=Example").unwrap();
        let b = parse_dn("CN=test root ,O=EXAMPLE").unwrap();
        let c = parse_dn("CN=Test Root2,O=Example").unwrap();
        assert!(names_match(&a, &b));
        assert!(!names_match(&a, &c));
        // PrintableString vs UTF8String with the same text
        let p = asn1::sequence(&[&asn1::set_of(vec![asn1::sequence(&[
            &asn1::oid(&oids::AT_COMMON_NAME),
            &asn1::tlv(TAG_PRINTABLE_STRING, b"X"),
        ])])]);
        let u = parse_dn("CN=x").unwrap();
        assert!(names_match(&p, &u));
    }

    #[test]
    fn control_characters_are_escaped_for_display() {
        let n = asn1::sequence(&[&asn1::set_of(vec![asn1::sequence(&[
            &asn1::oid(&oids::AT_COMMON_NAME),
            &asn1::tlv(TAG_UTF8_STRING, b"a\x1b[31mb"),
        ])])]);
        assert_eq!(
            name_to_string(&parse_name(&n, "n").unwrap()),
            "CN=a\\1B[31mb"
        );
    }

    #[test]
    fn unsorted_multi_valued_rdn_is_not_der() {
        let x = asn1::sequence(&[
            &asn1::oid(&oids::AT_COMMON_NAME),
            &asn1::tlv(TAG_UTF8_STRING, b"b"),
        ]);
        let y = asn1::sequence(&[
            &asn1::oid(&oids::AT_COMMON_NAME),
            &asn1::tlv(TAG_UTF8_STRING, b"a"),
        ]);
        let set = asn1::tlv(TAG_SET, &[x, y].concat());
        let n = asn1::sequence(&[&set]);
        assert!(parse_name(&n, "n")
            .unwrap_err()
            .to_string()
            .contains("DER order"));
    }
}
