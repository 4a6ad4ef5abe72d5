//! Building certificates for the linter's unit tests: a compliant base certificate per key
//! type that a test then breaks in exactly one place.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use const_oid::ObjectIdentifier;

use crate::alg::{oid, KeyKind, MlDsaLevel, MlKemLevel};
use crate::asn1::{self, TAG_SEQUENCE};
use crate::keys::PrivateKey;
use crate::oids;

use super::cert::{attr_oid, ext_oid};
use super::{lint, Finding, LintOptions, SmimeProfile};

/// Keys, generated once per test binary and kind.
pub(crate) fn key(kind: KeyKind) -> &'static PrivateKey {
    static KEYS: OnceLock<Mutex<HashMap<KeyKind, &'static PrivateKey>>> = OnceLock::new();
    let mut map = KEYS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(kind).or_insert_with(|| {
        Box::leak(Box::new(
            PrivateKey::generate(kind).expect("test key generation"),
        ))
    })
}

pub(crate) fn ml_dsa_44() -> &'static PrivateKey {
    key(KeyKind::MlDsa(MlDsaLevel::L44))
}

/// A Name with one attribute per RDN: countryName as PrintableString, emailAddress as
/// IA5String, everything else UTF8String.
pub(crate) fn name(attrs: &[(ObjectIdentifier, &str)]) -> Vec<u8> {
    let rdns: Vec<Vec<u8>> = attrs
        .iter()
        .map(|(o, v)| {
            let tag = if *o == oids::AT_COUNTRY || *o == oids::AT_SERIAL_NUMBER {
                asn1::TAG_PRINTABLE_STRING
            } else if *o == oids::AT_EMAIL_ADDRESS {
                asn1::TAG_IA5_STRING
            } else {
                asn1::TAG_UTF8_STRING
            };
            atv_rdn(o, tag, v.as_bytes())
        })
        .collect();
    asn1::tlv(TAG_SEQUENCE, &rdns.concat())
}

pub(crate) fn atv_rdn(o: &ObjectIdentifier, tag: u8, v: &[u8]) -> Vec<u8> {
    let atv = asn1::sequence(&[&asn1::oid(o), &asn1::tlv(tag, v)]);
    asn1::tlv(asn1::TAG_SET, &atv)
}

pub(crate) fn ext(o: &ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut body = asn1::oid(o);
    if critical {
        body.extend_from_slice(&[0x01, 0x01, 0xFF]);
    }
    body.extend(asn1::octet_string(value));
    asn1::tlv(TAG_SEQUENCE, &body)
}

/// keyUsage value from bits (bit n = 1 << n), DER named bit list.
pub(crate) fn ku_value(bits: u16) -> Vec<u8> {
    if bits == 0 {
        return vec![0x03, 0x01, 0x00];
    }
    let highest = 15 - bits.leading_zeros() as usize;
    let n = highest / 8 + 1;
    let mut body = vec![(7 - highest % 8) as u8];
    for i in 0..n {
        let mut b = 0u8;
        for j in 0..8 {
            if bits & (1 << (i * 8 + j)) != 0 {
                b |= 0x80 >> j;
            }
        }
        body.push(b);
    }
    asn1::tlv(asn1::TAG_BIT_STRING, &body)
}

pub(crate) fn eku_value(purposes: &[ObjectIdentifier]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = purposes.iter().map(asn1::oid).collect();
    asn1::tlv(TAG_SEQUENCE, &parts.concat())
}

pub(crate) fn rfc822(addr: &str) -> Vec<u8> {
    asn1::tlv(0x81, addr.as_bytes())
}

pub(crate) fn smtp_utf8(addr: &str) -> Vec<u8> {
    let inner = asn1::tlv(0xA0, &asn1::tlv(asn1::TAG_UTF8_STRING, addr.as_bytes()));
    asn1::tlv(
        0xA0,
        &[asn1::oid(&oids::ON_SMTP_UTF8_MAILBOX), inner].concat(),
    )
}

pub(crate) fn san_value(names: &[Vec<u8>]) -> Vec<u8> {
    asn1::tlv(TAG_SEQUENCE, &names.concat())
}

pub(crate) fn policies_value(policies: &[ObjectIdentifier]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = policies
        .iter()
        .map(|p| asn1::sequence(&[&asn1::oid(p)]))
        .collect();
    asn1::tlv(TAG_SEQUENCE, &parts.concat())
}

pub(crate) fn crldp_value(uri: &str) -> Vec<u8> {
    let full = asn1::tlv(0xA0, &asn1::tlv(0x86, uri.as_bytes()));
    asn1::sequence(&[&asn1::sequence(&[&asn1::tlv(0xA0, &full)])])
}

pub(crate) fn aia_value(method: &ObjectIdentifier, uri: &str) -> Vec<u8> {
    asn1::sequence(&[&asn1::sequence(&[
        &asn1::oid(method),
        &asn1::tlv(0x86, uri.as_bytes()),
    ])])
}

pub(crate) fn key_id_value(tag: u8, id: &[u8]) -> Vec<u8> {
    if tag == asn1::TAG_OCTET_STRING {
        asn1::octet_string(id)
    } else {
        asn1::sequence(&[&asn1::tlv(0x80, id)])
    }
}

/// UTCTime (years < 2050) or GeneralizedTime.
pub(crate) fn time(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Vec<u8> {
    if y < 2050 {
        asn1::tlv(
            asn1::TAG_UTC_TIME,
            format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100).as_bytes(),
        )
    } else {
        asn1::tlv(
            asn1::TAG_GENERALIZED_TIME,
            format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z").as_bytes(),
        )
    }
}

/// The parts of a certificate; every field is a complete DER element.
#[derive(Clone)]
pub(crate) struct TestCert {
    pub version: Option<Vec<u8>>,
    pub serial: Vec<u8>,
    pub sig_alg: Vec<u8>,
    pub issuer: Vec<u8>,
    pub not_before: Vec<u8>,
    pub not_after: Vec<u8>,
    pub subject: Vec<u8>,
    pub spki: Vec<u8>,
    pub extensions: Vec<Vec<u8>>,
}

pub(crate) const EMAIL: &str = "alice@example.com";
pub(crate) const ISSUER_KEY_ID: [u8; 20] = [0x11; 20];

impl TestCert {
    /// A compliant subscriber certificate of `profile` for `subject_key` (signing use for
    /// signature keys, key management for ML-KEM), issued 2025-09-01 for 365 days by an
    /// ML-DSA-44 CA.
    pub fn subscriber(profile: SmimeProfile, subject_key: KeyKind) -> TestCert {
        use super::CertificateType::*;
        let pk = key(subject_key).public_key();
        let ku_bits = match subject_key {
            KeyKind::MlKem(_) => super::cert::ku::KE,
            _ => super::cert::ku::DS,
        };
        let subject_attrs: Vec<(ObjectIdentifier, &str)> = match profile.cert_type {
            Mailbox => vec![(oids::AT_COMMON_NAME, EMAIL)],
            Organization => vec![
                (oids::AT_COMMON_NAME, "Example Ltd"),
                (oids::AT_ORGANIZATION, "Example Ltd"),
                (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
                (oids::AT_COUNTRY, "GB"),
            ],
            Sponsored => vec![
                (oids::AT_COMMON_NAME, "Alice Example"),
                (oids::AT_GIVEN_NAME, "Alice"),
                (oids::AT_SURNAME, "Example"),
                (oids::AT_ORGANIZATION, "Example Ltd"),
                (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
                (oids::AT_COUNTRY, "GB"),
            ],
            Individual => vec![
                (oids::AT_COMMON_NAME, "Alice Example"),
                (oids::AT_GIVEN_NAME, "Alice"),
                (oids::AT_SURNAME, "Example"),
                (oids::AT_COUNTRY, "GB"),
            ],
        };
        let ski = pk.key_identifier();
        TestCert {
            version: Some(asn1::tlv(0xA0, &asn1::integer_u64(2))),
            serial: asn1::integer_unsigned(&[
                0x5A, 0x13, 0x9C, 0x02, 0x77, 0xE1, 0x40, 0x9B, 0x3D, 0xC8, 0x01, 0x6F, 0xA2, 0x55,
                0x10, 0xBE,
            ]),
            sig_alg: asn1::algorithm_identifier(&oid::ML_DSA_44, None),
            issuer: name(&[
                (oids::AT_COMMON_NAME, "Example S/MIME CA"),
                (oids::AT_ORGANIZATION, "Example Ltd"),
                (oids::AT_COUNTRY, "GB"),
            ]),
            not_before: time(2025, 9, 1, 0, 0, 0),
            not_after: time(2026, 8, 31, 23, 59, 59),
            subject: name(&subject_attrs),
            spki: pk.spki_der().to_vec(),
            extensions: vec![
                ext(
                    &oids::EXT_CERTIFICATE_POLICIES,
                    false,
                    &policies_value(&[profile.policy_oid()]),
                ),
                ext(
                    &oids::EXT_CRL_DISTRIBUTION_POINTS,
                    false,
                    &crldp_value("http://crl.example.com/ca.crl"),
                ),
                ext(
                    &oids::EXT_AUTHORITY_INFO_ACCESS,
                    false,
                    &aia_value(&ext_oid::AD_CA_ISSUERS, "http://ca.example.com/ca.crt"),
                ),
                ext(&oids::EXT_KEY_USAGE, true, &ku_value(ku_bits)),
                ext(
                    &oids::EXT_EXTENDED_KEY_USAGE,
                    false,
                    &eku_value(&[oids::KP_EMAIL_PROTECTION]),
                ),
                ext(
                    &oids::EXT_AUTHORITY_KEY_IDENTIFIER,
                    false,
                    &key_id_value(TAG_SEQUENCE, &ISSUER_KEY_ID),
                ),
                ext(
                    &oids::EXT_SUBJECT_ALT_NAME,
                    false,
                    &san_value(&[rfc822(EMAIL)]),
                ),
                ext(
                    &oids::EXT_SUBJECT_KEY_IDENTIFIER,
                    false,
                    &key_id_value(asn1::TAG_OCTET_STRING, &ski),
                ),
            ],
        }
    }

    /// Replaces (or, when absent, appends) the extension with this OID.
    pub fn set_ext(&mut self, o: &ObjectIdentifier, critical: bool, value: &[u8]) -> &mut Self {
        let new = ext(o, critical, value);
        let prefix = asn1::oid(o);
        match self
            .extensions
            .iter()
            .position(|e| e.get(2..2 + prefix.len()) == Some(&prefix[..]))
        {
            Some(i) => self.extensions[i] = new,
            None => self.extensions.push(new),
        }
        self
    }

    /// Removes the extension with this OID.
    pub fn remove_ext(&mut self, o: &ObjectIdentifier) -> &mut Self {
        let prefix = asn1::oid(o);
        self.extensions
            .retain(|e| e.get(2..2 + prefix.len()) != Some(&prefix[..]));
        self
    }

    pub fn tbs(&self) -> Vec<u8> {
        let mut body = Vec::new();
        if let Some(v) = &self.version {
            body.extend_from_slice(v);
        }
        for part in [
            &self.serial,
            &self.sig_alg,
            &self.issuer,
            &asn1::sequence(&[&self.not_before, &self.not_after]),
            &self.subject,
            &self.spki,
        ] {
            body.extend_from_slice(part);
        }
        if !self.extensions.is_empty() {
            let exts = asn1::tlv(TAG_SEQUENCE, &self.extensions.concat());
            body.extend(asn1::tlv(0xA3, &exts));
        }
        asn1::tlv(TAG_SEQUENCE, &body)
    }

    /// The certificate with a dummy signature (enough for every rule but the signature one).
    pub fn der(&self) -> Vec<u8> {
        asn1::sequence(&[&self.tbs(), &self.sig_alg, &asn1::bit_string(&[0u8; 16])])
    }

    /// The certificate signed by `signer` with its default algorithm.
    pub fn signed(&self, signer: &PrivateKey) -> Vec<u8> {
        let alg = signer
            .kind()
            .default_signature_algorithm()
            .expect("signing key");
        let mut c = self.clone();
        c.sig_alg = alg.algorithm_identifier();
        let tbs = c.tbs();
        let sig = signer.sign(alg, &tbs).expect("test signature");
        asn1::sequence(&[&tbs, &c.sig_alg, &asn1::bit_string(&sig)])
    }
}

/// A CA certificate matching [`TestCert::subscriber`]'s issuer, self-signed with `key`.
pub(crate) fn test_ca(key: &PrivateKey) -> Vec<u8> {
    let subject = name(&[
        (oids::AT_COMMON_NAME, "Example S/MIME CA"),
        (oids::AT_ORGANIZATION, "Example Ltd"),
        (oids::AT_COUNTRY, "GB"),
    ]);
    let bc = asn1::sequence(&[&[0x01, 0x01, 0xFF]]);
    let c = TestCert {
        version: Some(asn1::tlv(0xA0, &asn1::integer_u64(2))),
        serial: asn1::integer_unsigned(&[0x42; 16]),
        sig_alg: Vec::new(),
        issuer: subject.clone(),
        not_before: time(2025, 9, 1, 0, 0, 0),
        not_after: time(2035, 1, 1, 0, 0, 0),
        subject,
        spki: key.public_key().spki_der().to_vec(),
        extensions: vec![
            ext(&oids::EXT_BASIC_CONSTRAINTS, true, &bc),
            ext(
                &oids::EXT_KEY_USAGE,
                true,
                &ku_value(super::cert::ku::KCS | super::cert::ku::CRLS),
            ),
            ext(
                &oids::EXT_SUBJECT_KEY_IDENTIFIER,
                false,
                &key_id_value(asn1::TAG_OCTET_STRING, &ISSUER_KEY_ID),
            ),
        ],
    };
    c.signed(key)
}

/// Lints with an explicit profile and returns the findings.
pub(crate) fn run(der: &[u8], profile: SmimeProfile) -> Vec<Finding> {
    lint(
        der,
        &LintOptions {
            profile: Some(profile),
            issuer_der: None,
        },
    )
    .expect("lint")
    .findings
}

/// The codes of the error findings.
pub(crate) fn errors(findings: &[Finding]) -> Vec<&'static str> {
    findings
        .iter()
        .filter(|f| f.severity == super::Severity::Error)
        .map(|f| f.code)
        .collect()
}

/// Makes a test certificate classical (RSA subject key, RSA signature), for dates before
/// ML-DSA and ML-KEM were admitted.
pub(crate) fn classical(c: &mut TestCert) {
    c.spki = key(KeyKind::Rsa(2048)).public_key().spki_der().to_vec();
    c.sig_alg = asn1::algorithm_identifier(&oid::SHA256_WITH_RSA, Some(&[0x05, 0x00]));
    let ski = key(KeyKind::Rsa(2048)).public_key().key_identifier();
    c.set_ext(
        &oids::EXT_SUBJECT_KEY_IDENTIFIER,
        false,
        &key_id_value(asn1::TAG_OCTET_STRING, &ski),
    );
}

pub(crate) fn profile(name: &str) -> SmimeProfile {
    SmimeProfile::from_name(name).expect("profile name")
}

#[allow(dead_code)]
pub(crate) const POSTAL: ObjectIdentifier = attr_oid::POSTAL_CODE;
#[allow(dead_code)]
pub(crate) const MLKEM768: KeyKind = KeyKind::MlKem(MlKemLevel::L768);
