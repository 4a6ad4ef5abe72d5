//! Strict DER parsing of `Certificate` (RFC 5280 §4.1) on top of [`crate::asn1`], keeping byte
//! ranges into the original encoding so that names, the to-be-signed part and keys are
//! available exactly as received.
//!
//! ```text
//! Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
//!                            signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
//! TBSCertificate ::= SEQUENCE {
//!     version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
//!     signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
//!     subjectPublicKeyInfo SubjectPublicKeyInfo,
//!     issuerUniqueID [1] IMPLICIT UniqueIdentifier OPTIONAL,   -- v2, v3
//!     subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,  -- v2, v3
//!     extensions [3] EXPLICIT Extensions OPTIONAL }           -- v3
//! ```
//!
//! What "strict" means here, beyond DER itself (definite minimal lengths, minimal INTEGERs,
//! DEFAULT values omitted, BOOLEAN 0x00/0xFF, sorted SET OF, zero padding bits):
//! * serialNumber positive and at most 20 octets (RFC 5280 §4.1.2.2);
//! * `signatureAlgorithm` byte-equal to `tbsCertificate.signature` (§4.1.1.2);
//! * times in the RFC 5280 §4.1.2.5 forms (`Z`, seconds, no fractions);
//! * uniqueIDs only in v2/v3, extensions only in v3, no extension twice (§4.2);
//! * the extensions pqsmime acts on (basicConstraints, keyUsage, extKeyUsage,
//!   subjectKeyIdentifier, authorityKeyIdentifier, subjectAltName) are decoded and must be
//!   well formed; other extensions are kept as opaque bytes.

use std::ops::Range;

use const_oid::ObjectIdentifier;

use super::name;
use super::time::{parse_time, UtcDateTime};
use super::{BasicConstraints, Extension, KeyUsage};
use crate::asn1::{
    self, Reader, Rules, Tlv, TAG_BIT_STRING, TAG_BOOLEAN, TAG_INTEGER, TAG_OCTET_STRING,
    TAG_SEQUENCE, TAG_UTF8_STRING,
};
use crate::error::{Error, Result};
use crate::oids;

/// Everything [`super::Certificate`] needs, as ranges into its DER.
#[derive(Clone)]
pub(crate) struct Parsed {
    pub tbs: Range<usize>,
    pub version: u8,
    pub serial: Range<usize>,
    pub issuer: Range<usize>,
    pub not_before: UtcDateTime,
    pub not_after: UtcDateTime,
    pub subject: Range<usize>,
    pub spki: Range<usize>,
    pub extensions: Vec<Extension>,
    pub sig_alg: Range<usize>,
    pub signature: Range<usize>,
    pub basic_constraints: Option<BasicConstraints>,
    pub key_usage: Option<KeyUsage>,
    pub ext_key_usage: Option<Vec<ObjectIdentifier>>,
    pub ski: Option<Range<usize>>,
    pub aki_key_id: Option<Range<usize>>,
    pub san_emails: Vec<String>,
    pub subject_emails: Vec<String>,
    pub subject_string: String,
    pub issuer_string: String,
}

/// The position of `sub` inside `base` (both from the same allocation).
fn range_of(base: &[u8], sub: &[u8]) -> Range<usize> {
    let start = (sub.as_ptr() as usize).saturating_sub(base.as_ptr() as usize);
    start..start + sub.len()
}

fn parse_boolean(t: &Tlv<'_>, what: &str) -> Result<bool> {
    match t.value {
        [0x00] => Ok(false),
        [0xFF] => Ok(true),
        [_] => Err(Error::malformed(format!(
            "{what}: BOOLEAN must be 0x00 or 0xFF in DER"
        ))),
        _ => Err(Error::malformed(format!(
            "{what}: BOOLEAN must have exactly one content octet"
        ))),
    }
}

/// BIT STRING contents split into (unused bits, bytes), with the DER rule that the unused
/// bits are zero.
pub(crate) fn parse_bit_string<'a>(value: &'a [u8], what: &str) -> Result<(u8, &'a [u8])> {
    let (&unused, bits) = value
        .split_first()
        .ok_or_else(|| Error::malformed(format!("{what}: BIT STRING has no content octets")))?;
    if unused > 7 || (bits.is_empty() && unused != 0) {
        return Err(Error::malformed(format!(
            "{what}: BIT STRING declares {unused} unused bits"
        )));
    }
    if let Some(last) = bits.last() {
        if last & ((1u8 << unused) - 1) != 0 {
            return Err(Error::malformed(format!(
                "{what}: BIT STRING padding bits are not zero (not DER)"
            )));
        }
    }
    Ok((unused, bits))
}

fn check_serial(value: &[u8]) -> Result<()> {
    let first = *value
        .first()
        .ok_or_else(|| Error::malformed("certificate serialNumber is an empty INTEGER"))?;
    if value.len() > 1 {
        let second = value[1];
        if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
            return Err(Error::malformed(
                "certificate serialNumber INTEGER is not minimally encoded (not DER)",
            ));
        }
    }
    if first & 0x80 != 0 {
        return Err(Error::malformed(
            "certificate serialNumber is negative; RFC 5280 §4.1.2.2 requires a positive integer",
        ));
    }
    if value.iter().all(|b| *b == 0) {
        return Err(Error::malformed(
            "certificate serialNumber is zero; RFC 5280 §4.1.2.2 requires a positive integer",
        ));
    }
    let magnitude = if first == 0 { &value[1..] } else { value };
    if magnitude.len() > 20 {
        return Err(Error::malformed(format!(
            "certificate serialNumber is {} octets long; RFC 5280 §4.1.2.2 allows at most 20",
            magnitude.len()
        )));
    }
    Ok(())
}

/// Parses a complete certificate.
pub(crate) fn parse_certificate(der: &[u8]) -> Result<Parsed> {
    let mut outer = Reader::new(der);
    let cert = outer.read_expected(TAG_SEQUENCE, "Certificate")?;
    outer.finish("Certificate")?;
    let mut cr = cert.reader(Rules::Der);
    let tbs = cr.read_expected(TAG_SEQUENCE, "tbsCertificate")?;
    let sig_alg = cr.read_expected(TAG_SEQUENCE, "Certificate signatureAlgorithm")?;
    let sig = cr.read_expected(TAG_BIT_STRING, "Certificate signatureValue")?;
    cr.finish("Certificate")?;
    let (unused, _) = parse_bit_string(sig.value, "Certificate signatureValue")?;
    if unused != 0 {
        return Err(Error::malformed(
            "Certificate signatureValue is not a whole number of octets",
        ));
    }
    // Signature bytes start after the unused-bits octet.
    let sig_range = range_of(der, sig.value);
    let signature = sig_range.start + 1..sig_range.end;

    let mut r = tbs.reader(Rules::Der);
    let version = match r.read_optional(0xA0)? {
        None => 1u8,
        Some(v) => {
            let mut vr = v.reader(Rules::Der);
            let n = asn1::read_small_uint(&mut vr, "certificate version")?;
            vr.finish("certificate version")?;
            match n {
                0 => return Err(Error::malformed(
                    "certificate version v1 is encoded explicitly, but DER omits DEFAULT values",
                )),
                1 => 2,
                2 => 3,
                other => {
                    return Err(Error::malformed(format!(
                        "certificate version {} is unknown (RFC 5280 knows v1, v2, v3)",
                        other + 1
                    )))
                }
            }
        }
    };
    let serial = r.read_expected(TAG_INTEGER, "certificate serialNumber")?;
    check_serial(serial.value)?;
    let tbs_sig = r.read_expected(TAG_SEQUENCE, "tbsCertificate signature")?;
    if tbs_sig.raw != sig_alg.raw {
        return Err(Error::malformed(
            "certificate signatureAlgorithm differs from tbsCertificate.signature (RFC 5280 §4.1.1.2 requires them to be equal)",
        ));
    }
    asn1::parse_algorithm_identifier(sig_alg.raw)?;
    let issuer = r.read_expected(TAG_SEQUENCE, "certificate issuer")?;
    let issuer_rdns = name::parse_name(issuer.raw, "certificate issuer")?;
    if issuer_rdns.is_empty() {
        return Err(Error::malformed(
            "certificate issuer name is empty (RFC 5280 §4.1.2.4 requires a non-empty issuer)",
        ));
    }
    let validity = r.read_expected(TAG_SEQUENCE, "certificate validity")?;
    let mut vr = validity.reader(Rules::Der);
    let nb = vr.read().map_err(|e| prefix(e, "certificate notBefore"))?;
    let not_before = parse_time(nb.tag, nb.value, "certificate notBefore")?;
    let na = vr.read().map_err(|e| prefix(e, "certificate notAfter"))?;
    let not_after = parse_time(na.tag, na.value, "certificate notAfter")?;
    vr.finish("certificate validity")?;
    let subject = r.read_expected(TAG_SEQUENCE, "certificate subject")?;
    let subject_rdns = name::parse_name(subject.raw, "certificate subject")?;
    let spki = r.read_expected(TAG_SEQUENCE, "subjectPublicKeyInfo")?;
    {
        let mut sr = spki.reader(Rules::Der);
        let alg = sr.read_expected(TAG_SEQUENCE, "subjectPublicKeyInfo algorithm")?;
        asn1::parse_algorithm_identifier(alg.raw)?;
        let key = sr.read_expected(TAG_BIT_STRING, "subjectPublicKey")?;
        parse_bit_string(key.value, "subjectPublicKey")?;
        sr.finish("subjectPublicKeyInfo")?;
    }
    for (tag, what) in [(0x81u8, "issuerUniqueID"), (0x82u8, "subjectUniqueID")] {
        if let Some(u) = r.read_optional(tag)? {
            if version < 2 {
                return Err(Error::malformed(format!(
                    "certificate {what} is present in a v1 certificate"
                )));
            }
            parse_bit_string(u.value, what)?;
        }
    }
    let mut p = Parsed {
        tbs: range_of(der, tbs.raw),
        version,
        serial: range_of(der, serial.value),
        issuer: range_of(der, issuer.raw),
        not_before,
        not_after,
        subject: range_of(der, subject.raw),
        spki: range_of(der, spki.raw),
        extensions: Vec::new(),
        sig_alg: range_of(der, sig_alg.raw),
        signature,
        basic_constraints: None,
        key_usage: None,
        ext_key_usage: None,
        ski: None,
        aki_key_id: None,
        san_emails: Vec::new(),
        subject_emails: name::email_attributes(&subject_rdns),
        subject_string: name::name_to_string(&subject_rdns),
        issuer_string: name::name_to_string(&issuer_rdns),
    };
    if let Some(exts) = r.read_optional(0xA3)? {
        if version != 3 {
            return Err(Error::malformed(format!(
                "certificate has extensions but is version v{version} (extensions need v3)"
            )));
        }
        let mut er = exts.reader(Rules::Der);
        let seq = er.read_expected(TAG_SEQUENCE, "certificate extensions")?;
        er.finish("certificate extensions")?;
        parse_extensions(der, seq, &mut p)?;
    }
    r.finish("tbsCertificate")?;
    Ok(p)
}

fn prefix(e: Error, what: &str) -> Error {
    match e {
        Error::Malformed(m) => Error::malformed(format!("{what}: {m}")),
        other => other,
    }
}

fn parse_extensions(der: &[u8], seq: Tlv<'_>, p: &mut Parsed) -> Result<()> {
    let mut r = seq.reader(Rules::Der);
    if r.is_empty() {
        return Err(Error::malformed(
            "certificate extensions field is present but empty (RFC 5280 requires at least one)",
        ));
    }
    while !r.is_empty() {
        let ext = r.read_expected(TAG_SEQUENCE, "certificate Extension")?;
        let mut xr = ext.reader(Rules::Der);
        let oid = asn1::read_oid(&mut xr, "certificate extension extnID")?;
        let what = format!("certificate extension {}", crate::alg::describe_oid(&oid));
        let critical = match xr.read_optional(TAG_BOOLEAN)? {
            None => false,
            Some(b) => {
                if !parse_boolean(&b, &what)? {
                    return Err(Error::malformed(format!(
                        "{what}: critical is encoded as FALSE, but DER omits this DEFAULT value"
                    )));
                }
                true
            }
        };
        let value = xr.read_expected(TAG_OCTET_STRING, &format!("{what} extnValue"))?;
        xr.finish(&what)?;
        if p.extensions.iter().any(|e| e.oid == oid) {
            return Err(Error::malformed(format!(
                "{what} appears more than once (RFC 5280 §4.2)"
            )));
        }
        decode_known_extension(der, &oid, value.value, &what, p)?;
        p.extensions.push(Extension {
            oid,
            critical,
            value: value.value.to_vec(),
        });
    }
    Ok(())
}

/// Reads one element that must fill `data` completely.
fn single<'a>(data: &'a [u8], tag: u8, what: &str) -> Result<Tlv<'a>> {
    let mut r = Reader::new(data);
    let t = r.read_expected(tag, what)?;
    r.finish(what)?;
    Ok(t)
}

fn decode_known_extension(
    der: &[u8],
    oid: &ObjectIdentifier,
    value: &[u8],
    what: &str,
    p: &mut Parsed,
) -> Result<()> {
    if *oid == oids::EXT_BASIC_CONSTRAINTS {
        p.basic_constraints = Some(parse_basic_constraints(value, what)?);
    } else if *oid == oids::EXT_KEY_USAGE {
        let t = single(value, TAG_BIT_STRING, what)?;
        p.key_usage = Some(KeyUsage::from_bit_string(t.value, what)?);
    } else if *oid == oids::EXT_EXTENDED_KEY_USAGE {
        let t = single(value, TAG_SEQUENCE, what)?;
        let mut r = t.reader(Rules::Der);
        let mut purposes = Vec::new();
        while !r.is_empty() {
            purposes.push(asn1::read_oid(&mut r, what)?);
        }
        if purposes.is_empty() {
            return Err(Error::malformed(format!(
                "{what} lists no key purpose (RFC 5280 requires at least one)"
            )));
        }
        p.ext_key_usage = Some(purposes);
    } else if *oid == oids::EXT_SUBJECT_KEY_IDENTIFIER {
        let t = single(value, TAG_OCTET_STRING, what)?;
        p.ski = Some(range_of(der, t.value));
    } else if *oid == oids::EXT_AUTHORITY_KEY_IDENTIFIER {
        let t = single(value, TAG_SEQUENCE, what)?;
        let mut r = t.reader(Rules::Der);
        if let Some(k) = r.read_optional(0x80)? {
            p.aki_key_id = Some(range_of(der, k.value));
        }
        if let Some(g) = r.read_optional(0xA1)? {
            parse_general_names(g.value, what)?;
        }
        r.read_optional(0x82)?;
        r.finish(what)?;
    } else if *oid == oids::EXT_SUBJECT_ALT_NAME {
        let t = single(value, TAG_SEQUENCE, what)?;
        p.san_emails = parse_general_names(t.value, what)?;
    }
    Ok(())
}

fn parse_basic_constraints(value: &[u8], what: &str) -> Result<BasicConstraints> {
    let t = single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let ca = match r.read_optional(TAG_BOOLEAN)? {
        None => false,
        Some(b) => {
            if !parse_boolean(&b, what)? {
                return Err(Error::malformed(format!(
                    "{what}: cA is encoded as FALSE, but DER omits this DEFAULT value"
                )));
            }
            true
        }
    };
    let path_len = match r.read_optional(TAG_INTEGER)? {
        None => None,
        Some(i) => {
            let n = asn1::parse_small_uint(i.value)
                .map_err(|e| prefix(e, &format!("{what} pathLenConstraint")))?;
            Some(u32::try_from(n).unwrap_or(u32::MAX))
        }
    };
    r.finish(what)?;
    Ok(BasicConstraints { ca, path_len })
}

/// Checks `GeneralNames` contents (the elements of the SEQUENCE) and returns the mailbox
/// addresses: rfc822Name entries and SmtpUTF8Mailbox otherNames (RFC 9598).
fn parse_general_names(content: &[u8], what: &str) -> Result<Vec<String>> {
    let mut r = Reader::new(content);
    let mut emails = Vec::new();
    if r.is_empty() {
        return Err(Error::malformed(format!(
            "{what}: GeneralNames is empty (RFC 5280 requires at least one name)"
        )));
    }
    while !r.is_empty() {
        let gn = r.read()?;
        match gn.tag {
            // rfc822Name [1] IMPLICIT IA5String
            0x81 => {
                if !gn.value.is_ascii() {
                    return Err(Error::malformed(format!(
                        "{what}: rfc822Name is not ASCII (IA5String); RFC 9598 puts such addresses in SmtpUTF8Mailbox"
                    )));
                }
                emails.push(String::from_utf8_lossy(gn.value).into_owned());
            }
            // otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
            0xA0 => {
                let mut or = gn.reader(Rules::Der);
                let type_id = asn1::read_oid(&mut or, &format!("{what} otherName type-id"))?;
                let v = or.read_expected(0xA0, &format!("{what} otherName value"))?;
                or.finish(&format!("{what} otherName"))?;
                let inner = single(
                    v.value,
                    v.value.first().copied().unwrap_or(0),
                    &format!("{what} otherName value"),
                )?;
                if type_id == oids::ON_SMTP_UTF8_MAILBOX {
                    if inner.tag != TAG_UTF8_STRING {
                        return Err(Error::malformed(format!(
                            "{what}: SmtpUTF8Mailbox is not a UTF8String (RFC 9598)"
                        )));
                    }
                    let s = std::str::from_utf8(inner.value).map_err(|_| {
                        Error::malformed(format!("{what}: SmtpUTF8Mailbox is not valid UTF-8"))
                    })?;
                    emails.push(s.to_string());
                }
            }
            // dNSName [2], uniformResourceIdentifier [6]: IA5String
            0x82 | 0x86 => {
                if !gn.value.is_ascii() {
                    return Err(Error::malformed(format!(
                        "{what}: a dNSName or URI is not ASCII (IA5String)"
                    )));
                }
            }
            // directoryName [4] EXPLICIT Name
            0xA4 => {
                name::parse_name(gn.value, &format!("{what} directoryName"))?;
            }
            // iPAddress [7] OCTET STRING: 4 or 16 octets (8 or 32 in name constraints)
            0x87 | 0x88 | 0xA3 | 0xA5 => {}
            t => {
                return Err(Error::malformed(format!(
                    "{what}: GeneralName with unknown tag 0x{t:02X}"
                )))
            }
        }
    }
    Ok(emails)
}

// -----------------------------------------------------------------------------------------
// PEM

const PEM_LABELS: [&str; 2] = ["CERTIFICATE", "X509 CERTIFICATE"];

/// Every `CERTIFICATE` block of a PEM text (other blocks and text around them are skipped),
/// decoded to DER.
pub(crate) fn pem_certificate_blocks(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(pos) = rest.find("-----BEGIN ") {
        let after = &rest[pos + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err(Error::malformed(
                "PEM BEGIN line is not terminated by '-----'",
            ));
        };
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_start.find(&end_marker) else {
            return Err(Error::malformed(format!(
                "PEM block '{label}' has no matching END line"
            )));
        };
        let body = &body_start[..end];
        rest = &body_start[end + end_marker.len()..];
        if !PEM_LABELS.contains(&label) {
            continue;
        }
        if body.contains(':') {
            return Err(Error::malformed(format!(
                "PEM block {} ({label}) has headers; certificates are never encrypted",
                out.len() + 1
            )));
        }
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).map_err(|e| {
            Error::malformed(format!(
                "PEM block {} ({label}) is not valid Base64: {e}",
                out.len() + 1
            ))
        })?;
        out.push(der);
    }
    Ok(out)
}

/// PEM text with 64-character lines.
pub(crate) fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::{sequence, tlv};

    const ALG: [u8; 7] = [0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70]; // Ed25519

    fn name(cn: &str) -> Vec<u8> {
        crate::x509::parse_dn(&format!("CN={cn}")).unwrap()
    }

    fn spki() -> Vec<u8> {
        let mut key = vec![0u8; 33];
        key[0] = 0;
        sequence(&[&ALG, &tlv(TAG_BIT_STRING, &key)])
    }

    /// A certificate from parts; `None` leaves a field at its default.
    struct Parts {
        version: Option<Vec<u8>>,
        serial: Vec<u8>,
        validity: Vec<u8>,
        exts: Option<Vec<u8>>,
        outer_alg: Vec<u8>,
    }

    impl Default for Parts {
        fn default() -> Self {
            Parts {
                version: Some(vec![0xA0, 0x03, 0x02, 0x01, 0x02]),
                serial: vec![0x02, 0x01, 0x01],
                validity: sequence(&[&tlv(0x17, b"250101000000Z"), &tlv(0x18, b"20500101000000Z")]),
                exts: None,
                outer_alg: ALG.to_vec(),
            }
        }
    }

    fn build(p: Parts) -> Vec<u8> {
        let mut tbs = Vec::new();
        if let Some(v) = p.version {
            tbs.extend(v);
        }
        tbs.extend(p.serial);
        tbs.extend(ALG);
        tbs.extend(name("Issuer"));
        tbs.extend(p.validity);
        tbs.extend(name("Subject"));
        tbs.extend(spki());
        if let Some(e) = p.exts {
            tbs.extend(tlv(0xA3, &sequence(&[&e])));
        }
        let tbs = tlv(TAG_SEQUENCE, &tbs);
        sequence(&[&tbs, &p.outer_alg, &tlv(TAG_BIT_STRING, &[0, 1, 2, 3])])
    }

    fn err(p: Parts) -> String {
        match parse_certificate(&build(p)) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    fn ext(oid: &[u8], critical: Option<u8>, value: &[u8]) -> Vec<u8> {
        let mut body = tlv(0x06, oid);
        if let Some(c) = critical {
            body.extend([0x01, 0x01, c]);
        }
        body.extend(tlv(TAG_OCTET_STRING, value));
        tlv(TAG_SEQUENCE, &body)
    }

    const BC: [u8; 3] = [0x55, 0x1D, 0x13];

    #[test]
    fn a_minimal_certificate_parses() {
        let p = parse_certificate(&build(Parts::default())).unwrap();
        assert_eq!(p.version, 3);
        assert_eq!(p.subject_string, "CN=Subject");
        assert_eq!(p.not_after.year, 2050);
        let v1 = build(Parts {
            version: None,
            ..Parts::default()
        });
        assert_eq!(parse_certificate(&v1).unwrap().version, 1);
    }

    #[test]
    fn serial_number_rules() {
        for (serial, needle) in [
            (vec![0x02, 0x01, 0x00], "zero"),
            (vec![0x02, 0x01, 0x80], "negative"),
            (vec![0x02, 0x02, 0x00, 0x01], "minimally"),
            ([vec![0x02, 0x15], vec![0x01; 21]].concat(), "at most 20"),
        ] {
            let e = err(Parts {
                serial,
                ..Parts::default()
            });
            assert!(e.contains(needle), "{e}");
        }
        // 20 octets with the top bit set need a 21st (zero) octet: allowed
        let ok = [vec![0x02, 0x15, 0x00], vec![0x80; 20]].concat();
        assert!(parse_certificate(&build(Parts {
            serial: ok,
            ..Parts::default()
        }))
        .is_ok());
    }

    #[test]
    fn version_and_extension_rules() {
        let e = err(Parts {
            version: Some(vec![0xA0, 0x03, 0x02, 0x01, 0x00]),
            ..Parts::default()
        });
        assert!(e.contains("v1 is encoded explicitly"), "{e}");
        let e = err(Parts {
            version: Some(vec![0xA0, 0x03, 0x02, 0x01, 0x03]),
            ..Parts::default()
        });
        assert!(e.contains("unknown"), "{e}");
        let bc = ext(&BC, Some(0xFF), &[0x30, 0x00]);
        let e = err(Parts {
            version: None,
            exts: Some(bc.clone()),
            ..Parts::default()
        });
        assert!(e.contains("extensions need v3"), "{e}");
        let e = err(Parts {
            exts: Some([bc.clone(), bc.clone()].concat()),
            ..Parts::default()
        });
        assert!(e.contains("more than once"), "{e}");
        let e = err(Parts {
            exts: Some(ext(&BC, Some(0x00), &[0x30, 0x00])),
            ..Parts::default()
        });
        assert!(e.contains("critical is encoded as FALSE"), "{e}");
        let e = err(Parts {
            exts: Some(ext(&BC, Some(0x01), &[0x30, 0x00])),
            ..Parts::default()
        });
        assert!(e.contains("0x00 or 0xFF"), "{e}");
        let e = err(Parts {
            exts: Some(ext(&BC, None, &[0x30, 0x03, 0x01, 0x01, 0x00])),
            ..Parts::default()
        });
        assert!(e.contains("cA is encoded as FALSE"), "{e}");
        let e = err(Parts {
            exts: Some(ext(&BC, None, &[0x30, 0x00, 0x00])),
            ..Parts::default()
        });
        assert!(e.contains("trailing"), "{e}");
        let ok = parse_certificate(&build(Parts {
            exts: Some(ext(
                &BC,
                Some(0xFF),
                &[0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x03],
            )),
            ..Parts::default()
        }))
        .unwrap();
        assert_eq!(
            ok.basic_constraints,
            Some(BasicConstraints {
                ca: true,
                path_len: Some(3)
            })
        );
        assert!(ok.extensions[0].critical);
    }

    #[test]
    fn names_and_emails_from_subject_alt_name() {
        let san_oid = [0x55, 0x1D, 0x11];
        let smtp = tlv(
            0xA0,
            &[
                tlv(0x06, oids::ON_SMTP_UTF8_MAILBOX.as_bytes()),
                tlv(0xA0, &tlv(0x0C, "jörg@example.com".as_bytes())),
            ]
            .concat(),
        );
        let names = sequence(&[
            &tlv(0x81, b"a@example.com"),
            &tlv(0x82, b"example.com"),
            &smtp,
        ]);
        let p = parse_certificate(&build(Parts {
            exts: Some(ext(&san_oid, None, &names)),
            ..Parts::default()
        }))
        .unwrap();
        assert_eq!(p.san_emails, ["a@example.com", "jörg@example.com"]);
        // a non-ASCII rfc822Name is refused
        let bad = sequence(&[&tlv(0x81, "ä@example.com".as_bytes())]);
        let e = err(Parts {
            exts: Some(ext(&san_oid, None, &bad)),
            ..Parts::default()
        });
        assert!(e.contains("rfc822Name is not ASCII"), "{e}");
        // empty GeneralNames
        let e = err(Parts {
            exts: Some(ext(&san_oid, None, &[0x30, 0x00])),
            ..Parts::default()
        });
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn times_and_algorithm_consistency() {
        let e = err(Parts {
            validity: sequence(&[&tlv(0x17, b"2501010000Z"), &tlv(0x17, b"350101000000Z")]),
            ..Parts::default()
        });
        assert!(e.contains("notBefore"), "{e}");
        let e = err(Parts {
            outer_alg: vec![0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x71],
            ..Parts::default()
        });
        assert!(e.contains("differs from tbsCertificate.signature"), "{e}");
    }

    #[test]
    fn pem_blocks_are_found_among_other_text() {
        let der = build(Parts::default());
        let mut text =
            String::from("junk\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        text.push_str(&to_pem("CERTIFICATE", &der));
        text.push_str("trailer");
        assert_eq!(pem_certificate_blocks(text.as_bytes()).unwrap(), vec![der]);
        assert!(pem_certificate_blocks(b"-----BEGIN CERTIFICATE-----\nAAAA\n").is_err());
        assert!(pem_certificate_blocks(
            b"-----BEGIN CERTIFICATE-----\nProc-Type: 4\n-----END CERTIFICATE-----"
        )
        .is_err());
    }
}
