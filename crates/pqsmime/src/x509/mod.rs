//! X.509 certificates, requests and CRLs: parsing (RFC 5280, RFC 2986), issuing under the
//! S/MIME Baseline Requirements, and path validation with policies, name constraints and
//! revocation.
//!
//! * [`Certificate`] parses strict DER and keeps the exact encoding: names, the
//!   to-be-signed bytes and the public key are handed out as received, never re-encoded.
//! * [`CertificateBuilder`] issues self-signed roots, intermediate CAs and S/MIME end-entity
//!   certificates; a [`Profile`] decides the validity and extensions ([`TestProfile`] is the
//!   built-in one for test hierarchies).
//! * [`issue_smime`], [`issue_split_pair`] and [`issue_subordinate_ca`] issue under the
//!   S/MIME BR (the eight Strict/Multipurpose subscriber profiles and the subordinate CA
//!   profile), refuse what the BR forbid with the rule cited, and lint every certificate
//!   before and after signing.
//! * [`CsrBuilder`] / [`CertificationRequest`]: PKCS #10 with self-signed proof of possession,
//!   and RFC 9883 statements of possession for ML-KEM keys, with the CA-side checks.
//! * [`CrlBuilder`] / [`Crl`]: CRLs (ML-DSA-signed too) and their scope and freshness checks.
//! * [`validate_path`] / [`validate`] build and check a path from an end entity to a trust
//!   anchor (RFC 5280 §6: policies with the RFC 9618 graph, name constraints, CRL revocation)
//!   with a bounded amount of work.
//!
//! Submodules: `parse` (DER → ranges), `name` (DNs, RFC 4514, §7.1 comparison), `time`
//! (UTCTime/GeneralizedTime), `ext` (extension decoding and encoding), `builder` (issuing),
//! `profiles` (S/MIME BR), `csr`, `crl`, `path` (validation), `policy` (policy graph),
//! `constraints` (name constraints).

use std::fmt;
use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use crate::alg::SignatureAlgorithm;
use crate::error::{Error, Result};
use crate::keys::PublicKey;

mod builder;
mod constraints;
mod crl;
mod csr;
mod ext;
mod name;
mod parse;
mod path;
mod policy;
mod profiles;
mod time;

pub use builder::{
    end_entity_key_usage, validate_mailbox, CertificateBuilder, IssueRequest, Profile, TestProfile,
    Usage, BACKDATE,
};
pub use constraints::check_issuer_name_constraints;
pub use crl::{
    parse_serial_hex, Crl, CrlBuilder, IssuingDistributionPoint, RevocationReason,
    RevokedCertificate, DEFAULT_CRL_DAYS, MAX_CRL_ENTRIES,
};
pub use csr::{
    CertificationRequest, CsrBuilder, PossessionStatement, VerifiedRequest, AT_EXTENSION_REQUEST,
    AT_STATEMENT_OF_POSSESSION,
};
pub use ext::{check_http_url, GeneralName, AD_CA_ISSUERS, AD_OCSP, ANY_POLICY, QT_CPS};
pub use name::parse_dn;
pub use path::{
    validate, validate_path, validate_path_with_crls, PathOptions, PolicyOptions, Purpose,
    RevocationCheck, ValidatedPath, MAX_PATH_LEN, MAX_SIGNATURE_CHECKS,
};
pub use profiles::{
    check_issuer_algorithm, check_subscriber_key, issue_smime, issue_split_pair,
    issue_subordinate_ca, subject_name, subscriber_key_usage, CaUrls, Issued, SmimeRequest,
    SubjectIdentity, SubordinateCaRequest, DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS,
};
pub use time::format_rfc3339;

/// A parsed certificate that keeps its exact DER encoding.
///
/// Equality and hashing are on the DER encoding.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    p: parse::Parsed,
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Certificate {}

impl std::hash::Hash for Certificate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.der.hash(state);
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.p.subject_string)
            .field("issuer", &self.p.issuer_string)
            .field("serial", &self.serial_hex())
            .field("der_len", &self.der.len())
            .finish()
    }
}

/// One extension as it appears in the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub oid: ObjectIdentifier,
    pub critical: bool,
    /// The contents of `extnValue` (the DER of the extension's own value).
    pub value: Vec<u8>,
}

impl Extension {
    /// DER of `Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue }`.
    pub fn to_der(&self) -> Vec<u8> {
        let mut body = crate::asn1::oid(&self.oid);
        if self.critical {
            body.extend_from_slice(&[0x01, 0x01, 0xFF]);
        }
        body.extend(crate::asn1::octet_string(&self.value));
        crate::asn1::tlv(crate::asn1::TAG_SEQUENCE, &body)
    }
}

/// The basicConstraints extension (RFC 5280 §4.2.1.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraints {
    pub ca: bool,
    pub path_len: Option<u32>,
}

/// The keyUsage bits (RFC 5280 §4.2.1.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyUsage(u16);

impl KeyUsage {
    pub const DIGITAL_SIGNATURE: KeyUsage = KeyUsage(1 << 0);
    /// Also called contentCommitment.
    pub const NON_REPUDIATION: KeyUsage = KeyUsage(1 << 1);
    pub const KEY_ENCIPHERMENT: KeyUsage = KeyUsage(1 << 2);
    pub const DATA_ENCIPHERMENT: KeyUsage = KeyUsage(1 << 3);
    pub const KEY_AGREEMENT: KeyUsage = KeyUsage(1 << 4);
    pub const KEY_CERT_SIGN: KeyUsage = KeyUsage(1 << 5);
    pub const CRL_SIGN: KeyUsage = KeyUsage(1 << 6);
    pub const ENCIPHER_ONLY: KeyUsage = KeyUsage(1 << 7);
    pub const DECIPHER_ONLY: KeyUsage = KeyUsage(1 << 8);

    const NAMES: [&'static str; 9] = [
        "digitalSignature",
        "nonRepudiation",
        "keyEncipherment",
        "dataEncipherment",
        "keyAgreement",
        "keyCertSign",
        "cRLSign",
        "encipherOnly",
        "decipherOnly",
    ];

    pub const fn empty() -> KeyUsage {
        KeyUsage(0)
    }

    /// Bit `n` of the named bit list is `1 << n`.
    pub fn bits(self) -> u16 {
        self.0
    }

    pub fn contains(self, other: KeyUsage) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    pub fn intersects(self, other: KeyUsage) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names of the bits set, e.g. `["digitalSignature", "nonRepudiation"]`.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect()
    }

    /// Reads the BIT STRING contents: zero padding bits, nothing beyond decipherOnly. Trailing
    /// zero bits are tolerated (see the comment inside).
    pub(crate) fn from_bit_string(value: &[u8], what: &str) -> Result<KeyUsage> {
        let (unused, bytes) = parse::parse_bit_string(value, what)?;
        if bytes.len() > 2 {
            return Err(Error::malformed(format!(
                "{what}: keyUsage has {} octets of bits; only 9 bits are defined",
                bytes.len()
            )));
        }
        let mut v = 0u16;
        for (i, b) in bytes.iter().enumerate() {
            for j in 0..8 {
                if b & (0x80 >> j) != 0 {
                    v |= 1 << (i * 8 + j);
                }
            }
        }
        if v >> 9 != 0 {
            return Err(Error::malformed(format!(
                "{what}: keyUsage sets bits beyond decipherOnly"
            )));
        }
        // X.690 §11.2.2 wants trailing zero bits removed; some CAs (including the
        // draft-ietf-lamps-header-protection sample CA) leave them in. Like OpenSSL, NSS and Go
        // we accept that: the bits themselves are unambiguous.
        let _ = unused;
        Ok(KeyUsage(v))
    }

    /// DER BIT STRING with trailing zero bits removed.
    pub(crate) fn to_der(self) -> Vec<u8> {
        if self.0 == 0 {
            return crate::asn1::tlv(crate::asn1::TAG_BIT_STRING, &[0]);
        }
        let highest = 15 - self.0.leading_zeros() as usize; // highest bit number set
        let n_bytes = highest / 8 + 1;
        let unused = 7 - (highest % 8) as u8;
        let mut body = vec![unused];
        for i in 0..n_bytes {
            let mut b = 0u8;
            for j in 0..8 {
                if self.0 & (1 << (i * 8 + j)) != 0 {
                    b |= 0x80 >> j;
                }
            }
            body.push(b);
        }
        crate::asn1::tlv(crate::asn1::TAG_BIT_STRING, &body)
    }
}

impl std::ops::BitOr for KeyUsage {
    type Output = KeyUsage;
    fn bitor(self, rhs: KeyUsage) -> KeyUsage {
        KeyUsage(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for KeyUsage {
    fn bitor_assign(&mut self, rhs: KeyUsage) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for KeyUsage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            f.write_str("(none)")
        } else {
            f.write_str(&self.names().join(", "))
        }
    }
}

/// Upper bound on certificates read from one PEM input (hostile input protection).
const MAX_PEM_CERTIFICATES: usize = 10_000;

impl Certificate {
    /// Parses one DER certificate (strict DER, see the `parse` module docs for the rules).
    pub fn from_der(der: &[u8]) -> Result<Certificate> {
        let p = parse::parse_certificate(der)?;
        Ok(Certificate {
            der: der.to_vec(),
            p,
        })
    }

    /// Reads every certificate in a PEM file (one or more `CERTIFICATE` blocks, with any text
    /// or other PEM blocks such as private keys around them) or one DER certificate.
    pub fn from_pem_or_der(data: &[u8]) -> Result<Vec<Certificate>> {
        if data.first() == Some(&0x30) {
            return Ok(vec![Certificate::from_der(data)?]);
        }
        let blocks = parse::pem_certificate_blocks(data)?;
        if blocks.is_empty() {
            return Err(Error::malformed(
                "no certificate found: expected PEM '-----BEGIN CERTIFICATE-----' blocks or one DER certificate",
            ));
        }
        if blocks.len() > MAX_PEM_CERTIFICATES {
            return Err(Error::Limit(format!(
                "more than {MAX_PEM_CERTIFICATES} certificates in one PEM input"
            )));
        }
        let total = blocks.len();
        blocks
            .into_iter()
            .enumerate()
            .map(|(i, der)| {
                Certificate::from_der(&der).map_err(|e| match e {
                    Error::Malformed(m) if total > 1 => {
                        Error::Malformed(format!("PEM certificate {} of {total}: {m}", i + 1))
                    }
                    other => other,
                })
            })
            .collect()
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`, 64-character lines, trailing newline).
    pub fn to_pem(&self) -> String {
        parse::to_pem("CERTIFICATE", &self.der)
    }

    /// 1, 2 or 3.
    pub fn version(&self) -> u8 {
        self.p.version
    }

    /// The DER of `tbsCertificate`, exactly the bytes the signature covers.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.p.tbs.clone()]
    }

    /// DER of the issuer `Name`, exactly as encoded in the certificate.
    pub fn issuer_der(&self) -> &[u8] {
        &self.der[self.p.issuer.clone()]
    }

    /// DER of the subject `Name`, exactly as encoded in the certificate.
    pub fn subject_der(&self) -> &[u8] {
        &self.der[self.p.subject.clone()]
    }

    /// The serialNumber INTEGER contents octets (two's complement, as encoded).
    pub fn serial_bytes(&self) -> &[u8] {
        &self.der[self.p.serial.clone()]
    }

    /// The serial number in upper-case hex without the sign octet, e.g. `159FFE6F…`.
    pub fn serial_hex(&self) -> String {
        let s = self.serial_bytes();
        let s = match s {
            [0, rest @ ..] if !rest.is_empty() => rest,
            other => other,
        };
        s.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The subjectKeyIdentifier extension value, if present.
    pub fn subject_key_identifier(&self) -> Option<&[u8]> {
        self.p.ski.clone().map(|r| &self.der[r])
    }

    /// The keyIdentifier of the authorityKeyIdentifier extension, if present.
    pub fn authority_key_identifier(&self) -> Option<&[u8]> {
        self.p.aki_key_id.clone().map(|r| &self.der[r])
    }

    /// DER of the SubjectPublicKeyInfo, as encoded in the certificate.
    pub fn spki_der(&self) -> &[u8] {
        &self.der[self.p.spki.clone()]
    }

    /// The subject public key. Fails for key types pqsmime does not support (e.g. DSA).
    pub fn public_key(&self) -> Result<PublicKey> {
        PublicKey::from_spki_der(self.spki_der())
    }

    /// Subject in RFC 4514 style, e.g. `CN=Alice,O=Example,C=DE`.
    pub fn subject_string(&self) -> String {
        self.p.subject_string.clone()
    }

    pub fn issuer_string(&self) -> String {
        self.p.issuer_string.clone()
    }

    /// Email addresses: subjectAltName rfc822Name and SmtpUTF8Mailbox entries, then any
    /// emailAddress attributes of the subject (without repeating an address already listed,
    /// compared ignoring ASCII case).
    pub fn email_addresses(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in self.p.san_emails.iter().chain(self.p.subject_emails.iter()) {
            if !out.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                out.push(e.clone());
            }
        }
        out
    }

    /// notBefore.
    pub fn not_before(&self) -> SystemTime {
        self.p.not_before.to_system_time()
    }

    /// notAfter (inclusive, RFC 5280 §4.1.2.5).
    pub fn not_after(&self) -> SystemTime {
        self.p.not_after.to_system_time()
    }

    /// Whether `at` lies within notBefore..=notAfter.
    pub fn is_valid_at(&self, at: SystemTime) -> bool {
        self.not_before() <= at && at <= self.not_after()
    }

    /// The basicConstraints extension, if present.
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.p.basic_constraints
    }

    /// Whether basicConstraints says cA TRUE.
    pub fn is_ca(&self) -> bool {
        self.p.basic_constraints.is_some_and(|b| b.ca)
    }

    /// The keyUsage extension, if present.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.p.key_usage
    }

    /// The extKeyUsage key purposes, if the extension is present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.p.ext_key_usage.as_deref()
    }

    /// All extensions in encoded order.
    pub fn extensions(&self) -> &[Extension] {
        &self.p.extensions
    }

    /// The extension with this OID, if present.
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<&Extension> {
        self.p.extensions.iter().find(|e| e.oid == *oid)
    }

    /// Whether subject and issuer are the same name (RFC 5280 §6.1: "self-issued").
    pub fn is_self_issued(&self) -> bool {
        name::names_match(self.subject_der(), self.issuer_der())
    }

    /// DER of the outer `signatureAlgorithm` (byte-equal to `tbsCertificate.signature`).
    pub fn signature_algorithm_der(&self) -> &[u8] {
        &self.der[self.p.sig_alg.clone()]
    }

    /// The signature bits (the BIT STRING contents after the unused-bits octet).
    pub fn signature_value(&self) -> &[u8] {
        &self.der[self.p.signature.clone()]
    }

    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm> {
        SignatureAlgorithm::from_algorithm_identifier(self.signature_algorithm_der(), None).map_err(
            |e| match e {
                Error::UnsupportedAlgorithm(m) => Error::UnsupportedAlgorithm(format!(
                    "{m} (signature of certificate '{}')",
                    self.p.subject_string
                )),
                other => other,
            },
        )
    }

    /// Verifies this certificate's signature over the received `tbsCertificate` bytes with
    /// the issuer's public key.
    pub fn verify_signature(&self, issuer_key: &PublicKey) -> Result<()> {
        let alg = self.signature_algorithm()?;
        if !alg.matches_key(issuer_key.kind()) {
            return Err(Error::BadSignature(format!(
                "certificate '{}' is signed with {alg}, which a {} issuer key cannot make",
                self.p.subject_string,
                issuer_key.kind()
            )));
        }
        issuer_key
            .verify(alg, self.tbs_der(), self.signature_value())
            .map_err(|e| match e {
                Error::BadSignature(m) => {
                    Error::BadSignature(format!("certificate '{}': {m}", self.p.subject_string))
                }
                other => other,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_der_round_trip_and_minimality() {
        let cases: [(KeyUsage, &[u8]); 4] = [
            (KeyUsage::DIGITAL_SIGNATURE, &[0x03, 0x02, 0x07, 0x80]),
            (KeyUsage::KEY_ENCIPHERMENT, &[0x03, 0x02, 0x05, 0x20]),
            (
                KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN,
                &[0x03, 0x02, 0x01, 0x06],
            ),
            (
                KeyUsage::DIGITAL_SIGNATURE | KeyUsage::DECIPHER_ONLY,
                &[0x03, 0x03, 0x07, 0x80, 0x80],
            ),
        ];
        for (ku, der) in cases {
            assert_eq!(ku.to_der(), der, "{ku}");
            assert_eq!(KeyUsage::from_bit_string(&der[2..], "ku").unwrap(), ku);
        }
        // trailing zero bits are tolerated (seen in the wild: 03 03 07 06 00)
        assert_eq!(
            KeyUsage::from_bit_string(&[0x07, 0x06, 0x00], "ku").unwrap(),
            KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN
        );
        assert!(KeyUsage::from_bit_string(&[0x07, 0x06, 0x01], "ku").is_err());
        // non-zero padding
        assert!(KeyUsage::from_bit_string(&[0x07, 0x81], "ku").is_err());
        assert_eq!(
            (KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION).names(),
            ["digitalSignature", "nonRepudiation"]
        );
    }

    #[test]
    fn extension_der_omits_default_critical() {
        let e = Extension {
            oid: crate::oids::EXT_KEY_USAGE,
            critical: false,
            value: vec![0x03, 0x01, 0x00],
        };
        assert_eq!(
            e.to_der(),
            [0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x04, 0x03, 0x03, 0x01, 0x00]
        );
        let c = Extension {
            critical: true,
            ..e
        };
        assert_eq!(&c.to_der()[7..10], [0x01, 0x01, 0xFF]);
    }
}
