//! Shared by the linter's integration tests (`lint_pkilint.rs`, `lint_bench.rs`): builds
//! S/MIME BR certificates through the public API (DER writers + key signing) so that a test
//! can break exactly one rule. Included with `#[path]`; as a test target of its own it has no
//! tests.

#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use const_oid::ObjectIdentifier;
use pqsmime::alg::{KeyKind, MlDsaLevel};
use pqsmime::asn1::{self, TAG_SEQUENCE};
use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::lint::{CertificateType, SmimeProfile};
use pqsmime::oids;
use pqsmime::x509::{Certificate, CertificateBuilder};

pub const KU_DS: u16 = 1;
pub const KU_NR: u16 = 2;
pub const KU_KE: u16 = 4;
pub const KU_DE: u16 = 8;
pub const KU_KA: u16 = 16;
pub const KU_EO: u16 = 128;
pub const KU_DO: u16 = 256;

pub const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");

/// The test CA: an ML-DSA-44 root "CN=Example S/MIME CA,O=Example Ltd,C=GB".
pub struct Ca {
    pub key: PrivateKey,
    pub cert: Certificate,
}

impl Default for Ca {
    fn default() -> Ca {
        Ca::new()
    }
}

impl Ca {
    pub fn new() -> Ca {
        let key = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L44)).expect("CA key");
        let cert = CertificateBuilder::ca("CN=Example S/MIME CA,O=Example Ltd,C=GB", &key)
            .expect("CA builder")
            .days(3650)
            .sign(None)
            .expect("CA certificate");
        Ca { key, cert }
    }
}

/// Civil date from days since 1970-01-01.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// UTCTime / GeneralizedTime for a Unix time.
pub fn time(unix: i64) -> Vec<u8> {
    let (y, m, d) = civil(unix.div_euclid(86_400));
    let s = unix.rem_euclid(86_400);
    let (hh, mm, ss) = (s / 3600, s % 3600 / 60, s % 60);
    if y < 2050 {
        asn1::tlv(
            asn1::TAG_UTC_TIME,
            format!("{:02}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z", y % 100).as_bytes(),
        )
    } else {
        asn1::tlv(
            asn1::TAG_GENERALIZED_TIME,
            format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z").as_bytes(),
        )
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn name(attrs: &[(ObjectIdentifier, &str)]) -> Vec<u8> {
    let rdns: Vec<Vec<u8>> = attrs
        .iter()
        .map(|(o, v)| {
            let tag = if *o == oids::AT_COUNTRY {
                asn1::TAG_PRINTABLE_STRING
            } else if *o == oids::AT_EMAIL_ADDRESS {
                asn1::TAG_IA5_STRING
            } else {
                asn1::TAG_UTF8_STRING
            };
            let atv = asn1::sequence(&[&asn1::oid(o), &asn1::tlv(tag, v.as_bytes())]);
            asn1::tlv(asn1::TAG_SET, &atv)
        })
        .collect();
    asn1::tlv(TAG_SEQUENCE, &rdns.concat())
}

pub fn ext(o: &ObjectIdentifier, critical: bool, value: &[u8]) -> Vec<u8> {
    let mut body = asn1::oid(o);
    if critical {
        body.extend_from_slice(&[0x01, 0x01, 0xFF]);
    }
    body.extend(asn1::octet_string(value));
    asn1::tlv(TAG_SEQUENCE, &body)
}

pub fn ku(bits: u16) -> Vec<u8> {
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

pub fn eku(purposes: &[ObjectIdentifier]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = purposes.iter().map(asn1::oid).collect();
    asn1::tlv(TAG_SEQUENCE, &parts.concat())
}

pub fn san_email(addr: &str) -> Vec<u8> {
    asn1::sequence(&[&asn1::tlv(0x81, addr.as_bytes())])
}

pub fn policies(oids_: &[ObjectIdentifier]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = oids_
        .iter()
        .map(|p| asn1::sequence(&[&asn1::oid(p)]))
        .collect();
    asn1::tlv(TAG_SEQUENCE, &parts.concat())
}

pub fn crldp(uri: &str) -> Vec<u8> {
    let full = asn1::tlv(0xA0, &asn1::tlv(0x86, uri.as_bytes()));
    asn1::sequence(&[&asn1::sequence(&[&asn1::tlv(0xA0, &full)])])
}

pub fn aia(uri: &str) -> Vec<u8> {
    asn1::sequence(&[&asn1::sequence(&[
        &asn1::oid(&AD_CA_ISSUERS),
        &asn1::tlv(0x86, uri.as_bytes()),
    ])])
}

/// The parts of a subscriber certificate; a test edits them before signing.
#[derive(Clone)]
pub struct Parts {
    pub serial: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub subject: Vec<u8>,
    pub spki: Vec<u8>,
    pub extensions: Vec<(ObjectIdentifier, Vec<u8>)>,
}

impl Parts {
    /// A compliant certificate of `profile` for `key`: signing use (digitalSignature) for
    /// signature keys, keyEncipherment for ML-KEM, keyAgreement for EC only when `km`.
    pub fn new(ca: &Ca, profile: SmimeProfile, key: &PublicKey, email: &str, serial: u64) -> Parts {
        let kind = key.kind();
        let bits = match kind {
            KeyKind::MlKem(_) => KU_KE,
            _ => KU_DS,
        };
        let subject = match profile.cert_type {
            CertificateType::Mailbox => name(&[(oids::AT_COMMON_NAME, email)]),
            CertificateType::Organization => name(&[
                (oids::AT_COMMON_NAME, "Example Ltd"),
                (oids::AT_ORGANIZATION, "Example Ltd"),
                (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
                (oids::AT_COUNTRY, "GB"),
            ]),
            CertificateType::Sponsored => name(&[
                (oids::AT_COMMON_NAME, "Alice Example"),
                (oids::AT_GIVEN_NAME, "Alice"),
                (oids::AT_SURNAME, "Example"),
                (oids::AT_ORGANIZATION, "Example Ltd"),
                (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
                (oids::AT_COUNTRY, "GB"),
            ]),
            CertificateType::Individual => name(&[
                (oids::AT_COMMON_NAME, "Alice Example"),
                (oids::AT_GIVEN_NAME, "Alice"),
                (oids::AT_SURNAME, "Example"),
                (oids::AT_COUNTRY, "GB"),
            ]),
        };
        let ca_ski = ca
            .cert
            .subject_key_identifier()
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        let nb = now() - 3600;
        let mut serial_bytes = [0x5Au8; 16];
        serial_bytes[8..].copy_from_slice(&serial.to_be_bytes());
        Parts {
            serial: serial_bytes.to_vec(),
            not_before: nb,
            not_after: nb + 365 * 86_400 - 1,
            subject,
            spki: key.spki_der().to_vec(),
            extensions: vec![
                (
                    oids::EXT_CERTIFICATE_POLICIES,
                    ext(
                        &oids::EXT_CERTIFICATE_POLICIES,
                        false,
                        &policies(&[profile.policy_oid()]),
                    ),
                ),
                (
                    oids::EXT_CRL_DISTRIBUTION_POINTS,
                    ext(
                        &oids::EXT_CRL_DISTRIBUTION_POINTS,
                        false,
                        &crldp("http://crl.example.com/ca.crl"),
                    ),
                ),
                (
                    oids::EXT_AUTHORITY_INFO_ACCESS,
                    ext(
                        &oids::EXT_AUTHORITY_INFO_ACCESS,
                        false,
                        &aia("http://ca.example.com/ca.crt"),
                    ),
                ),
                (
                    oids::EXT_KEY_USAGE,
                    ext(&oids::EXT_KEY_USAGE, true, &ku(bits)),
                ),
                (
                    oids::EXT_EXTENDED_KEY_USAGE,
                    ext(
                        &oids::EXT_EXTENDED_KEY_USAGE,
                        false,
                        &eku(&[oids::KP_EMAIL_PROTECTION]),
                    ),
                ),
                (
                    oids::EXT_AUTHORITY_KEY_IDENTIFIER,
                    ext(
                        &oids::EXT_AUTHORITY_KEY_IDENTIFIER,
                        false,
                        &asn1::sequence(&[&asn1::tlv(0x80, &ca_ski)]),
                    ),
                ),
                (
                    oids::EXT_SUBJECT_ALT_NAME,
                    ext(&oids::EXT_SUBJECT_ALT_NAME, false, &san_email(email)),
                ),
                (
                    oids::EXT_SUBJECT_KEY_IDENTIFIER,
                    ext(
                        &oids::EXT_SUBJECT_KEY_IDENTIFIER,
                        false,
                        &asn1::octet_string(&key.key_identifier()),
                    ),
                ),
            ],
        }
    }

    pub fn set(&mut self, o: ObjectIdentifier, critical: bool, value: &[u8]) -> &mut Self {
        let e = ext(&o, critical, value);
        match self.extensions.iter().position(|(x, _)| *x == o) {
            Some(i) => self.extensions[i].1 = e,
            None => self.extensions.push((o, e)),
        }
        self
    }

    pub fn remove(&mut self, o: ObjectIdentifier) -> &mut Self {
        self.extensions.retain(|(x, _)| *x != o);
        self
    }

    /// Signs with the CA key (its default algorithm) and returns DER.
    pub fn sign(&self, ca: &Ca) -> Vec<u8> {
        let alg = ca
            .key
            .kind()
            .default_signature_algorithm()
            .expect("CA signs");
        let alg_der = alg.algorithm_identifier();
        let exts: Vec<u8> = self
            .extensions
            .iter()
            .flat_map(|(_, e)| e.clone())
            .collect();
        let tbs = asn1::sequence(&[
            &asn1::tlv(0xA0, &asn1::integer_u64(2)),
            &asn1::integer_unsigned(&self.serial),
            &alg_der,
            ca.cert.subject_der(),
            &asn1::sequence(&[&time(self.not_before), &time(self.not_after)]),
            &self.subject,
            &self.spki,
            &asn1::tlv(0xA3, &asn1::tlv(TAG_SEQUENCE, &exts)),
        ]);
        let sig = ca.key.sign(alg, &tbs).expect("signature");
        asn1::sequence(&[&tbs, &alg_der, &asn1::bit_string(&sig)])
    }
}

/// PEM text of a DER certificate.
pub fn pem(der: &[u8]) -> String {
    let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}
