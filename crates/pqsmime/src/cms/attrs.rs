//! Signed attributes: building them in DER and reading the ones we check.
//!
//! RFC 5652 §5.3/§11, RFC 6211 (CMSAlgorithmProtection), RFC 5035 (signing-certificate-v2),
//! RFC 8551 §2.5 (SMIMECapabilities, SMIMEEncryptionKeyPreference).

use std::time::{SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;

use crate::alg::{oid as alg_oid, DigestAlgorithm};
use crate::asn1::{self, Reader, Rules, Tlv};
use crate::digest;
use crate::error::{Error, Result};
use crate::oids;
use crate::x509::Certificate;

/// One `Attribute ::= SEQUENCE { attrType, attrValues SET OF }` in DER.
pub fn attribute(attr_type: &ObjectIdentifier, values: Vec<Vec<u8>>) -> Vec<u8> {
    asn1::sequence(&[&asn1::oid(attr_type), &asn1::set_of(values)])
}

/// `Time` for signing-time (RFC 5652 §11.3): UTCTime for 1950–2049, GeneralizedTime otherwise.
pub fn encode_time(t: SystemTime) -> Result<Vec<u8>> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| Error::Usage("signing time before 1970 is not supported".into()))?
        .as_secs();
    let (y, mo, d, h, mi, s) = civil_from_unix(secs);
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100);
        Ok(asn1::tlv(asn1::TAG_UTC_TIME, text.as_bytes()))
    } else {
        let text = format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z");
        Ok(asn1::tlv(asn1::TAG_GENERALIZED_TIME, text.as_bytes()))
    }
}

/// Parses a DER UTCTime / GeneralizedTime element into seconds since the Unix epoch.
pub fn parse_time(t: &Tlv<'_>) -> Result<i64> {
    let text =
        std::str::from_utf8(t.value).map_err(|_| Error::malformed("time value is not ASCII"))?;
    let digits = |s: &str| -> Result<i64> {
        if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
            s.parse::<i64>()
                .map_err(|_| Error::malformed("time value has a bad number"))
        } else {
            Err(Error::malformed(format!(
                "time value '{text}' is not digits"
            )))
        }
    };
    let (year, rest) = match t.tag {
        asn1::TAG_UTC_TIME => {
            if text.len() != 13 || !text.ends_with('Z') {
                return Err(Error::malformed(format!(
                    "UTCTime '{text}' is not of the form YYMMDDHHMMSSZ"
                )));
            }
            let yy = digits(&text[0..2])?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..12])
        }
        asn1::TAG_GENERALIZED_TIME => {
            if text.len() != 15 || !text.ends_with('Z') {
                return Err(Error::malformed(format!(
                    "GeneralizedTime '{text}' is not of the form YYYYMMDDHHMMSSZ"
                )));
            }
            (digits(&text[0..4])?, &text[4..14])
        }
        other => {
            return Err(Error::malformed(format!(
                "expected a time, found tag 0x{other:02X}"
            )))
        }
    };
    let mo = digits(&rest[0..2])?;
    let d = digits(&rest[2..4])?;
    let h = digits(&rest[4..6])?;
    let mi = digits(&rest[6..8])?;
    let s = digits(&rest[8..10])?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return Err(Error::malformed(format!(
            "time value '{text}' is out of range"
        )));
    }
    Ok(unix_from_civil(year, mo, d) + h * 3600 + mi * 60 + s)
}

/// Days-from-civil (proleptic Gregorian), after H. Hinnant's public-domain algorithm description.
fn unix_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}

fn civil_from_unix(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        ((rem % 3600) / 60) as u32,
        (rem % 60) as u32,
    )
}

/// Formats seconds since the epoch as RFC 3339 (for reports).
pub fn format_unix(secs: i64) -> String {
    if secs < 0 {
        return format!("{secs} seconds before 1970");
    }
    let (y, mo, d, h, mi, s) = civil_from_unix(secs as u64);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `IssuerAndSerialNumber` DER for a certificate.
pub fn issuer_and_serial(cert: &Certificate) -> Vec<u8> {
    asn1::sequence(&[
        cert.issuer_der(),
        &asn1::tlv(asn1::TAG_INTEGER, cert.serial_bytes()),
    ])
}

/// SMIMECapabilities value (RFC 8551 §2.5.2): what pqsmime can receive and verify, most
/// preferred first, quantum-safe algorithms first. Parameters absent everywhere (RFC 9881,
/// RFC 9936, RFC 5084 capability form for GCM has no parameters either).
pub fn smime_capabilities() -> Vec<u8> {
    let ids: [ObjectIdentifier; 16] = [
        oids::AES256_GCM,
        oids::AES128_GCM,
        alg_oid::ML_KEM_768,
        alg_oid::ML_KEM_1024,
        alg_oid::ML_KEM_512,
        oids::HKDF_SHA256,
        oids::AES256_WRAP,
        oids::AES128_WRAP,
        alg_oid::ML_DSA_65,
        alg_oid::ML_DSA_87,
        alg_oid::ML_DSA_44,
        alg_oid::SLH_DSA_SHA2_128S,
        alg_oid::ED25519,
        alg_oid::ECDSA_WITH_SHA256,
        oids::AES256_CBC,
        oids::AES128_CBC,
    ];
    let mut body = Vec::new();
    for id in ids {
        body.extend(asn1::sequence(&[&asn1::oid(&id)]));
    }
    asn1::tlv(asn1::TAG_SEQUENCE, &body)
}

/// SigningCertificateV2 with one ESSCertIDv2 for `cert`: SHA-256 (hashAlgorithm omitted as
/// the DER DEFAULT) and IssuerSerial.
pub fn signing_certificate_v2(cert: &Certificate) -> Vec<u8> {
    let hash = digest::digest(DigestAlgorithm::Sha256, cert.der());
    let general_names = asn1::sequence(&[&asn1::tlv(0xA4, cert.issuer_der())]);
    let issuer_serial = asn1::sequence(&[
        &general_names,
        &asn1::tlv(asn1::TAG_INTEGER, cert.serial_bytes()),
    ]);
    let ess_cert_id = asn1::sequence(&[&asn1::octet_string(&hash), &issuer_serial]);
    let certs = asn1::sequence(&[&ess_cert_id]);
    asn1::sequence(&[&certs])
}

/// SMIMEEncryptionKeyPreference `[0] IMPLICIT IssuerAndSerialNumber` (RFC 8551 §2.5.3).
pub fn encryption_key_preference(cert: &Certificate) -> Vec<u8> {
    let ias = issuer_and_serial(cert);
    asn1::retag(&ias, 0xA0)
}

/// A parsed attribute: type and values, each value's full encoding.
#[derive(Clone, Debug)]
pub struct Attribute<'a> {
    pub attr_type: ObjectIdentifier,
    pub values: Vec<Tlv<'a>>,
}

/// Maximum number of attributes in a signed-attributes set.
pub const MAX_ATTRIBUTES: usize = 64;

/// Parses a SignedAttributes field (its contents, after the [0] tag) strictly as DER:
/// definite minimal lengths and SET OF elements in ascending order (X.690 §11.6).
pub fn parse_signed_attrs(contents: &[u8]) -> Result<Vec<Attribute<'_>>> {
    let mut r = Reader::new(contents);
    let mut out = Vec::new();
    let mut previous: Option<&[u8]> = None;
    while !r.is_empty() {
        if out.len() >= MAX_ATTRIBUTES {
            return Err(Error::Limit(format!(
                "more than {MAX_ATTRIBUTES} signed attributes"
            )));
        }
        let attr = r.read_expected(asn1::TAG_SEQUENCE, "signed attribute")?;
        if let Some(prev) = previous {
            if prev > attr.raw {
                return Err(Error::malformed(
                    "signed attributes are not in DER SET OF order",
                ));
            }
        }
        previous = Some(attr.raw);
        let mut ar = attr.reader(Rules::Der);
        let attr_type = asn1::read_oid(&mut ar, "attribute type")?;
        let set = ar.read_expected(asn1::TAG_SET, "attribute values")?;
        ar.finish("attribute")?;
        let mut vr = set.reader(Rules::Der);
        let mut values = Vec::new();
        while !vr.is_empty() {
            if values.len() >= MAX_ATTRIBUTES {
                return Err(Error::Limit("attribute with too many values".into()));
            }
            values.push(vr.read()?);
        }
        if values.is_empty() {
            return Err(Error::malformed(format!(
                "attribute {} has no values",
                crate::alg::describe_oid(&attr_type)
            )));
        }
        out.push(Attribute { attr_type, values });
    }
    if out.is_empty() {
        return Err(Error::malformed("signed attributes are present but empty"));
    }
    Ok(out)
}

/// Finds the single value of an attribute that must occur at most once with one value.
pub fn single_value<'a>(
    attrs: &[Attribute<'a>],
    attr_type: &ObjectIdentifier,
    name: &str,
) -> Result<Option<Tlv<'a>>> {
    let mut found = None;
    for a in attrs.iter().filter(|a| a.attr_type == *attr_type) {
        if found.is_some() {
            return Err(Error::BadSignature(format!(
                "the {name} attribute appears more than once"
            )));
        }
        if a.values.len() != 1 {
            return Err(Error::BadSignature(format!(
                "the {name} attribute has {} values (exactly one is allowed)",
                a.values.len()
            )));
        }
        found = Some(a.values[0]);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_round_trip_and_era_choice() {
        let t = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let enc = encode_time(t).unwrap();
        assert_eq!(enc[0], asn1::TAG_UTC_TIME);
        assert_eq!(&enc[2..], b"231114221320Z");
        let tlv = Reader::new(&enc).read().unwrap();
        assert_eq!(parse_time(&tlv).unwrap(), 1_700_000_000);

        let far = UNIX_EPOCH + std::time::Duration::from_secs(2_556_143_999 + 86_400 * 366);
        let enc = encode_time(far).unwrap();
        assert_eq!(enc[0], asn1::TAG_GENERALIZED_TIME);
        let tlv = Reader::new(&enc).read().unwrap();
        assert_eq!(parse_time(&tlv).unwrap(), 2_556_143_999 + 86_400 * 366);
    }

    #[test]
    fn bad_times_are_rejected() {
        for bad in [
            &b"2311142213Z"[..],
            b"231314221320Z",
            b"23111422132aZ",
            b"231114221320",
        ] {
            let enc = asn1::tlv(asn1::TAG_UTC_TIME, bad);
            let tlv = Reader::new(&enc).read().unwrap();
            assert!(parse_time(&tlv).is_err(), "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn unsorted_or_duplicate_attributes_are_caught() {
        let a = attribute(&oids::ID_CONTENT_TYPE, vec![asn1::oid(&oids::ID_DATA)]);
        let b = attribute(&oids::ID_MESSAGE_DIGEST, vec![asn1::octet_string(&[1; 32])]);
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let sorted = [lo.clone(), hi.clone()].concat();
        assert_eq!(parse_signed_attrs(&sorted).unwrap().len(), 2);
        let unsorted = [hi, lo].concat();
        assert!(parse_signed_attrs(&unsorted).is_err());

        let twice = [
            attribute(&oids::ID_CONTENT_TYPE, vec![asn1::oid(&oids::ID_DATA)]),
            attribute(&oids::ID_CONTENT_TYPE, vec![asn1::oid(&oids::ID_DATA)]),
        ]
        .concat();
        let attrs = parse_signed_attrs(&twice).unwrap();
        assert!(single_value(&attrs, &oids::ID_CONTENT_TYPE, "content-type").is_err());
    }
}
