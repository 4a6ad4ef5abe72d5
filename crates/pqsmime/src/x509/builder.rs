//! Issuing certificates: self-signed roots, intermediate CAs and S/MIME end entities.
//!
//! The [`CertificateBuilder`] owns the parts every certificate shares (version 3, a random
//! serial, names, the subject key, the signature with the issuer key's default algorithm) and
//! the checks that hold for any profile (a CA key must sign; an ML-KEM key is never certified
//! for signing, a signature-only key never for encryption; the issuer must be a CA whose key
//! matches). A [`Profile`] decides the rest: validity and extensions. [`TestProfile`] is the
//! built-in profile for test hierarchies; the S/MIME Baseline Requirements profiles are meant
//! to be further implementations of the same trait.
//!
//! # Example
//!
//! ```
//! use pqsmime::alg::{KeyKind, MlDsaLevel, MlKemLevel};
//! use pqsmime::keys::PrivateKey;
//! use pqsmime::x509::{CertificateBuilder, Usage};
//!
//! # fn main() -> pqsmime::Result<()> {
//! let ca_key = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L65))?;
//! let ca = CertificateBuilder::ca("CN=Test Root,O=Example,C=DE", &ca_key)?
//!     .days(3650)
//!     .sign(None)?; // self-signed
//!
//! let kem_key = PrivateKey::generate(KeyKind::MlKem(MlKemLevel::L768))?;
//! let alice_enc =
//!     CertificateBuilder::end_entity("alice@example.com", &kem_key.public_key(), Usage::Encrypt)?
//!         .days(365)
//!         .sign(Some((&ca, &ca_key)))?;
//! assert_eq!(alice_enc.email_addresses(), ["alice@example.com"]);
//! # Ok(())
//! # }
//! ```
//!
//! # What [`TestProfile`] emits
//!
//! | | CA | end entity |
//! |---|---|---|
//! | basicConstraints | critical, cA TRUE (+ pathLenConstraint if set) | critical, cA FALSE (empty SEQUENCE) |
//! | keyUsage (critical) | keyCertSign, cRLSign | signing: digitalSignature (+ nonRepudiation if asked); encryption: keyEncipherment for ML-KEM and RSA, keyAgreement for EC and X25519 |
//! | extKeyUsage | — | emailProtection |
//! | subjectAltName | — | rfc822Name, or SmtpUTF8Mailbox (RFC 9598) when the local part is not ASCII |
//! | subjectKeyIdentifier | SHA-1 of the key bits (RFC 5280 §4.2.1.2 method 1) | same |
//! | authorityKeyIdentifier | keyIdentifier only | keyIdentifier only |
//!
//! End entities carry an explicit `cA FALSE` so that no relying party has to guess whether a
//! v3 certificate without basicConstraints may act as a CA. Validity starts one hour before
//! the time of issuing (clock skew between machines) and lasts exactly `days` days counted as
//! RFC 5280 and the S/MIME BR do (notAfter inclusive, so notAfter = notBefore + days·86400 − 1 s).
//! Defaults: 3650 days for CAs, 365 for end entities. Times through 2049 are UTCTime, from
//! 2050 GeneralizedTime (RFC 5280 §4.1.2.5).

use std::time::{Duration, SystemTime};

use const_oid::ObjectIdentifier;

use super::name::parse_dn;
use super::time::UtcDateTime;
use super::{Certificate, Extension, KeyUsage};
use crate::alg::KeyKind;
use crate::asn1::{self, TAG_SEQUENCE, TAG_UTF8_STRING};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::oids;

/// What an end-entity certificate's key is certified for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Usage {
    /// Signing messages (keyUsage digitalSignature, optionally nonRepudiation).
    Sign,
    /// Receiving encrypted messages (keyEncipherment or keyAgreement, by key type).
    Encrypt,
    /// Both with one key ("dual use", RSA and EC only): digitalSignature plus
    /// keyEncipherment (RSA) or keyAgreement (EC). Split-use keys are preferable.
    Both,
}

impl Usage {
    /// Parses `sign`, `encrypt` or `both` (the `--usage` values of the CLI).
    pub fn from_name(name: &str) -> Result<Usage> {
        match name.to_ascii_lowercase().as_str() {
            "sign" => Ok(Usage::Sign),
            "encrypt" => Ok(Usage::Encrypt),
            "both" => Ok(Usage::Both),
            other => Err(Error::Usage(format!(
                "unknown certificate usage '{other}' (expected 'sign', 'encrypt' or 'both')"
            ))),
        }
    }

    /// `sign`, `encrypt` or `both`.
    pub fn name(self) -> &'static str {
        match self {
            Usage::Sign => "sign",
            Usage::Encrypt => "encrypt",
            Usage::Both => "both",
        }
    }
}

/// Everything a [`Profile`] sees when it decides a certificate's validity and extensions.
#[derive(Clone, Copy, Debug)]
pub struct IssueRequest<'a> {
    /// The key being certified.
    pub subject_key: &'a PublicKey,
    /// DER of the subject name.
    pub subject_der: &'a [u8],
    /// The mailbox of an end-entity certificate (ASCII domain, as given).
    pub email: Option<&'a str>,
    /// `None` for CA certificates.
    pub usage: Option<Usage>,
    pub is_ca: bool,
    /// pathLenConstraint asked for a CA certificate.
    pub path_len: Option<u32>,
    /// Whether a signing certificate should also assert nonRepudiation.
    pub non_repudiation: bool,
    /// The key identifier to put in authorityKeyIdentifier: the issuer's subjectKeyIdentifier
    /// (or its key's method-1 identifier when it has none); the subject's own for self-signed.
    pub authority_key_id: &'a [u8],
    /// The issuer's certificate; `None` when self-signed.
    pub issuer: Option<&'a Certificate>,
    /// The time of issuing.
    pub now: SystemTime,
    /// Validity asked for by the caller; the profile decides what it accepts.
    pub days: Option<u32>,
    pub not_before: Option<SystemTime>,
    pub not_after: Option<SystemTime>,
}

/// A certificate profile: decides validity and extensions and may refuse a request.
///
/// Implementations must be deterministic given the request (the builder may call each method
/// once per certificate).
pub trait Profile {
    /// A short name for messages, e.g. `test` or `mailbox-strict`.
    fn name(&self) -> &str;

    /// Refuses requests the profile does not allow (key types, names, ...). The builder has
    /// already checked the profile-independent rules.
    fn check(&self, request: &IssueRequest<'_>) -> Result<()> {
        let _ = request;
        Ok(())
    }

    /// notBefore and notAfter.
    fn validity(&self, request: &IssueRequest<'_>) -> Result<(SystemTime, SystemTime)>;

    /// The extensions, in the order they are to be encoded.
    fn extensions(&self, request: &IssueRequest<'_>) -> Result<Vec<Extension>>;
}

/// The profile for test hierarchies (see the module documentation for what it emits).
#[derive(Clone, Copy, Debug, Default)]
pub struct TestProfile;

/// How far notBefore is set back from the time of issuing by [`TestProfile`].
pub const BACKDATE: Duration = Duration::from_secs(3600);

impl Profile for TestProfile {
    fn name(&self) -> &str {
        "test"
    }

    fn validity(&self, r: &IssueRequest<'_>) -> Result<(SystemTime, SystemTime)> {
        let days = r.days.unwrap_or(if r.is_ca { 3650 } else { 365 });
        if days == 0 && r.not_after.is_none() {
            return Err(Error::Usage(
                "the validity must be at least one day".to_string(),
            ));
        }
        let not_before = r
            .not_before
            .unwrap_or_else(|| r.now.checked_sub(BACKDATE).unwrap_or(r.now));
        let not_after = match r.not_after {
            Some(t) => t,
            None => not_before
                .checked_add(Duration::from_secs(u64::from(days) * 86_400 - 1))
                .ok_or_else(|| Error::Usage(format!("a validity of {days} days is too long")))?,
        };
        Ok((not_before, not_after))
    }

    fn extensions(&self, r: &IssueRequest<'_>) -> Result<Vec<Extension>> {
        let ski = r.subject_key.key_identifier();
        let mut exts = Vec::with_capacity(6);
        if r.is_ca {
            exts.push(Extension::basic_constraints(true, r.path_len));
            exts.push(Extension::key_usage(
                KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN,
            ));
        } else {
            let usage = r.usage.ok_or_else(|| {
                Error::Usage("an end-entity certificate needs a usage (sign or encrypt)".into())
            })?;
            let email = r.email.ok_or_else(|| {
                Error::Usage("an end-entity certificate needs an email address".into())
            })?;
            exts.push(Extension::basic_constraints(false, None));
            exts.push(Extension::key_usage(end_entity_key_usage(
                r.subject_key.kind(),
                usage,
                r.non_repudiation,
            )?));
            exts.push(Extension::extended_key_usage(&[oids::KP_EMAIL_PROTECTION]));
            exts.push(Extension::subject_alt_name_email(email, r.subject_der)?);
        }
        exts.push(Extension::subject_key_identifier(&ski));
        exts.push(Extension::authority_key_identifier(r.authority_key_id));
        Ok(exts)
    }
}

/// The keyUsage an S/MIME end-entity certificate gets for `kind` and `usage` (RFC 8550 §4.4.2,
/// RFC 9935 §5 for ML-KEM, RFC 8813 for EC, S/MIME BR §7.1.2.3e). Refuses impossible pairs.
pub fn end_entity_key_usage(
    kind: KeyKind,
    usage: Usage,
    non_repudiation: bool,
) -> Result<KeyUsage> {
    check_usage(kind, usage)?;
    let mut ku = KeyUsage::empty();
    if matches!(usage, Usage::Sign | Usage::Both) {
        ku |= KeyUsage::DIGITAL_SIGNATURE;
        if non_repudiation {
            ku |= KeyUsage::NON_REPUDIATION;
        }
    }
    if matches!(usage, Usage::Encrypt | Usage::Both) {
        ku |= match kind {
            KeyKind::Ec(_) | KeyKind::X25519 => KeyUsage::KEY_AGREEMENT,
            _ => KeyUsage::KEY_ENCIPHERMENT,
        };
    }
    Ok(ku)
}

fn check_usage(kind: KeyKind, usage: Usage) -> Result<()> {
    match usage {
        Usage::Sign if !kind.can_sign() => Err(Error::Usage(format!(
            "cannot certify a {} key for signing: it can only be used for encryption (use usage 'encrypt')",
            kind.name()
        ))),
        Usage::Encrypt if !kind.can_encrypt() => Err(Error::Usage(format!(
            "cannot certify a {} key for encryption: it is a signature-only algorithm (use usage 'sign')",
            kind.name()
        ))),
        Usage::Both if !(kind.can_sign() && kind.can_encrypt()) => Err(Error::Usage(format!(
            "cannot certify a {} key for both signing and encryption: only RSA and EC keys can do both (use usage 'sign' or 'encrypt', or a split pair of keys)",
            kind.name()
        ))),
        _ => Ok(()),
    }
}

impl Extension {
    /// basicConstraints, critical (RFC 5280 §4.2.1.9). `cA FALSE` is the empty SEQUENCE.
    pub fn basic_constraints(ca: bool, path_len: Option<u32>) -> Extension {
        let mut body = Vec::new();
        if ca {
            body.extend_from_slice(&[0x01, 0x01, 0xFF]);
            if let Some(n) = path_len {
                body.extend(asn1::integer_u64(u64::from(n)));
            }
        }
        Extension {
            oid: oids::EXT_BASIC_CONSTRAINTS,
            critical: true,
            value: asn1::tlv(TAG_SEQUENCE, &body),
        }
    }

    /// keyUsage, critical (RFC 5280 §4.2.1.3).
    pub fn key_usage(ku: KeyUsage) -> Extension {
        Extension {
            oid: oids::EXT_KEY_USAGE,
            critical: true,
            value: ku.to_der(),
        }
    }

    /// extKeyUsage, not critical (RFC 5280 §4.2.1.12).
    pub fn extended_key_usage(purposes: &[ObjectIdentifier]) -> Extension {
        let body: Vec<u8> = purposes.iter().flat_map(asn1::oid).collect();
        Extension {
            oid: oids::EXT_EXTENDED_KEY_USAGE,
            critical: false,
            value: asn1::tlv(TAG_SEQUENCE, &body),
        }
    }

    /// subjectAltName holding one mailbox: rfc822Name when the local part is ASCII,
    /// SmtpUTF8Mailbox otherwise (RFC 9598 §3). Critical only when the subject is empty
    /// (RFC 5280 §4.2.1.6).
    pub fn subject_alt_name_email(email: &str, subject_der: &[u8]) -> Result<Extension> {
        let (local, domain) = validate_mailbox(email)?;
        let domain = domain.to_ascii_lowercase();
        let name = if local.is_ascii() {
            asn1::tlv(0x81, format!("{local}@{domain}").as_bytes())
        } else {
            let value = asn1::tlv(
                0xA0,
                &asn1::tlv(TAG_UTF8_STRING, format!("{local}@{domain}").as_bytes()),
            );
            let mut body = asn1::oid(&oids::ON_SMTP_UTF8_MAILBOX);
            body.extend(value);
            asn1::tlv(0xA0, &body)
        };
        Ok(Extension {
            oid: oids::EXT_SUBJECT_ALT_NAME,
            critical: subject_der == [0x30, 0x00],
            value: asn1::tlv(TAG_SEQUENCE, &name),
        })
    }

    /// subjectKeyIdentifier, not critical (RFC 5280 §4.2.1.2).
    pub fn subject_key_identifier(key_id: &[u8]) -> Extension {
        Extension {
            oid: oids::EXT_SUBJECT_KEY_IDENTIFIER,
            critical: false,
            value: asn1::octet_string(key_id),
        }
    }

    /// authorityKeyIdentifier with keyIdentifier only, not critical (RFC 5280 §4.2.1.1).
    pub fn authority_key_identifier(key_id: &[u8]) -> Extension {
        Extension {
            oid: oids::EXT_AUTHORITY_KEY_IDENTIFIER,
            critical: false,
            value: asn1::tlv(TAG_SEQUENCE, &asn1::tlv(0x80, key_id)),
        }
    }
}

/// Checks a mailbox address (RFC 5321 §4.1.2 `Mailbox` in dot-atom form, with RFC 6531
/// UTF-8 allowed in the local part) and splits it. The domain must be ASCII (A-labels).
pub fn validate_mailbox(email: &str) -> Result<(&str, &str)> {
    let bad = |why: &str| Error::Usage(format!("'{email}' is not a usable email address: {why}"));
    let (local, domain) = email
        .rsplit_once('@')
        .ok_or_else(|| bad("there is no '@'"))?;
    if local.is_empty() {
        return Err(bad("the local part before '@' is empty"));
    }
    if local.len() > 64 {
        return Err(bad(
            "the local part is longer than 64 octets (RFC 5321 §4.5.3.1.1)",
        ));
    }
    let atext = |c: char| {
        c.is_ascii_alphanumeric()
            || "!#$%&'*+-/=?^_`{|}~".contains(c)
            || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
    };
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(bad("the local part has a leading, trailing or doubled '.'"));
    }
    if let Some(c) = local.chars().find(|c| *c != '.' && !atext(*c)) {
        return Err(bad(&format!(
            "the local part contains {c:?}, which needs quoting (quoted local parts are not supported)"
        )));
    }
    if domain.is_empty() {
        return Err(bad("the domain after '@' is empty"));
    }
    if !domain.is_ascii() {
        return Err(bad(
            "the domain is not ASCII; write it in A-label (punycode) form, e.g. xn--bcher-kva.example",
        ));
    }
    if domain.len() > 253 {
        return Err(bad("the domain is longer than 253 characters"));
    }
    for label in domain.split('.') {
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(bad(&format!(
                "the domain label '{label}' is not a letter-digit-hyphen label of 1 to 63 characters"
            )));
        }
    }
    Ok((local, domain))
}

/// Builds and signs one certificate; see the module documentation.
pub struct CertificateBuilder<'a> {
    subject_key: PublicKey,
    /// The CA's own key when building a CA certificate (used when self-signing).
    own_key: Option<&'a PrivateKey>,
    subject_der: Option<Vec<u8>>,
    email: Option<String>,
    usage: Option<Usage>,
    is_ca: bool,
    days: Option<u32>,
    serial: Option<Vec<u8>>,
    not_before: Option<SystemTime>,
    not_after: Option<SystemTime>,
    now: Option<SystemTime>,
    non_repudiation: bool,
    path_len: Option<u32>,
    profile: Box<dyn Profile + 'a>,
}

impl<'a> CertificateBuilder<'a> {
    /// A CA certificate for `key` with the subject `subject_dn` (RFC 4514, e.g.
    /// `CN=Test Root,O=Example,C=DE`, see [`parse_dn`](super::parse_dn)). Signed with `key`
    /// itself when [`sign`](Self::sign) gets `None`, or by a parent CA to make an intermediate.
    pub fn ca(subject_dn: &str, key: &'a PrivateKey) -> Result<CertificateBuilder<'a>> {
        let kind = key.kind();
        if !kind.can_sign() {
            return Err(Error::Usage(format!(
                "a CA key must be able to sign certificates; {} keys cannot sign",
                kind.name()
            )));
        }
        let subject = parse_dn(subject_dn)?;
        Ok(CertificateBuilder {
            subject_key: key.public_key(),
            own_key: Some(key),
            subject_der: Some(subject),
            email: None,
            usage: None,
            is_ca: true,
            days: None,
            serial: None,
            not_before: None,
            not_after: None,
            now: None,
            non_repudiation: false,
            path_len: None,
            profile: Box::new(TestProfile),
        })
    }

    /// A CA certificate for someone else's `key` (an intermediate CA), signed by the issuer
    /// given to [`sign`](Self::sign) (which must not be `None`).
    pub fn ca_for_key(subject_dn: &str, key: &PublicKey) -> Result<CertificateBuilder<'a>> {
        let kind = key.kind();
        if !kind.can_sign() {
            return Err(Error::Usage(format!(
                "a CA key must be able to sign certificates; {} keys cannot sign",
                kind.name()
            )));
        }
        let subject = parse_dn(subject_dn)?;
        Ok(CertificateBuilder {
            subject_key: key.clone(),
            own_key: None,
            subject_der: Some(subject),
            email: None,
            usage: None,
            is_ca: true,
            days: None,
            serial: None,
            not_before: None,
            not_after: None,
            now: None,
            non_repudiation: false,
            path_len: None,
            profile: Box::new(TestProfile),
        })
    }

    /// An S/MIME end-entity certificate for `email` and `public_key`. The subject defaults to
    /// `CN=<email>`. Refuses signing use of a key that cannot sign (ML-KEM, X25519) and
    /// encryption use of a signature-only key (ML-DSA, SLH-DSA, Ed25519).
    pub fn end_entity(
        email: &str,
        public_key: &PublicKey,
        usage: Usage,
    ) -> Result<CertificateBuilder<'a>> {
        validate_mailbox(email)?;
        check_usage(public_key.kind(), usage)?;
        Ok(CertificateBuilder {
            subject_key: public_key.clone(),
            own_key: None,
            subject_der: None,
            email: Some(email.to_string()),
            usage: Some(usage),
            is_ca: false,
            days: None,
            serial: None,
            not_before: None,
            not_after: None,
            now: None,
            non_repudiation: false,
            path_len: None,
            profile: Box::new(TestProfile),
        })
    }

    /// Validity in days (the profile may refuse it).
    pub fn days(mut self, days: u32) -> Self {
        self.days = Some(days);
        self
    }

    /// Replaces the subject name (RFC 4514 string).
    pub fn subject(mut self, dn: &str) -> Result<Self> {
        self.subject_der = Some(parse_dn(dn)?);
        Ok(self)
    }

    /// Replaces the subject name with a DER `Name` (validated).
    pub fn subject_der(mut self, der: &[u8]) -> Result<Self> {
        super::name::parse_name(der, "subject")?;
        self.subject_der = Some(der.to_vec());
        Ok(self)
    }

    /// Sets the serial number (big-endian magnitude; must be positive and at most 20 octets).
    /// Without it, 16 bytes from the operating system's CSPRNG are used (127 random bits).
    pub fn serial(mut self, serial: &[u8]) -> Result<Self> {
        let skip = serial.iter().take_while(|b| **b == 0).count();
        let magnitude = &serial[skip..];
        if magnitude.is_empty() {
            return Err(Error::Usage(
                "a certificate serial number must be positive".into(),
            ));
        }
        if magnitude.len() > 20 {
            return Err(Error::Usage(format!(
                "a certificate serial number may have at most 20 octets, not {}",
                magnitude.len()
            )));
        }
        if magnitude.len() == 20 && magnitude[0] & 0x80 != 0 {
            return Err(Error::Usage(
                "a 20-octet serial number must have its top bit clear (RFC 5280 §4.1.2.2)".into(),
            ));
        }
        self.serial = Some(magnitude.to_vec());
        Ok(self)
    }

    /// Sets notBefore (instead of the profile's default).
    pub fn not_before(mut self, t: SystemTime) -> Self {
        self.not_before = Some(t);
        self
    }

    /// Sets notAfter (instead of notBefore + days).
    pub fn not_after(mut self, t: SystemTime) -> Self {
        self.not_after = Some(t);
        self
    }

    /// The time of issuing (default: now). Tests use it to make certificates for other dates.
    pub fn issued_at(mut self, t: SystemTime) -> Self {
        self.now = Some(t);
        self
    }

    /// Signing certificates: also assert nonRepudiation (contentCommitment).
    pub fn non_repudiation(mut self, yes: bool) -> Self {
        self.non_repudiation = yes;
        self
    }

    /// CA certificates: the pathLenConstraint.
    pub fn path_len(mut self, n: Option<u32>) -> Self {
        self.path_len = n;
        self
    }

    /// Uses `profile` instead of [`TestProfile`].
    pub fn profile(mut self, profile: impl Profile + 'a) -> Self {
        self.profile = Box::new(profile);
        self
    }

    /// Signs the certificate. `issuer` is the CA certificate and key; `None` self-signs a CA
    /// certificate with its own key. The result is parsed back and its signature verified
    /// before it is returned.
    pub fn sign(self, issuer: Option<(&Certificate, &PrivateKey)>) -> Result<Certificate> {
        self.sign_checked(issuer, |_| Ok(()))
    }

    /// [`sign`](Self::sign) with a check of the to-be-signed certificate before the issuer
    /// key is used (pre-issuance linting, S/MIME BR §4.3.1.2): `check` receives the DER of
    /// the certificate with a placeholder signature value of the algorithm's size that no
    /// key verifies, and may refuse it.
    pub fn sign_checked(
        self,
        issuer: Option<(&Certificate, &PrivateKey)>,
        check: impl FnOnce(&[u8]) -> Result<()>,
    ) -> Result<Certificate> {
        let (signer, issuer_der, authority_key_id, issuer_cert): (
            &PrivateKey,
            Vec<u8>,
            Vec<u8>,
            Option<&Certificate>,
        ) = match issuer {
            None => {
                let key = self.own_key.ok_or_else(|| {
                        Error::Usage(
                            "an end-entity certificate needs an issuer: give the CA certificate and key"
                                .into(),
                        )
                    })?;
                let subject = self.subject_der.clone().unwrap_or_default();
                (
                    key,
                    subject,
                    self.subject_key.key_identifier().to_vec(),
                    None,
                )
            }
            Some((cert, key)) => {
                check_issuer(cert, key)?;
                let aki = match cert.subject_key_identifier() {
                    Some(ski) => ski.to_vec(),
                    None => key.public_key().key_identifier().to_vec(),
                };
                (key, cert.subject_der().to_vec(), aki, Some(cert))
            }
        };
        let alg = signer.kind().default_signature_algorithm().ok_or_else(|| {
            Error::Usage(format!(
                "the issuer key is {}, which cannot sign certificates",
                signer.kind().name()
            ))
        })?;
        let subject_der = match &self.subject_der {
            Some(s) => s.clone(),
            None => default_subject(self.email.as_deref().unwrap_or_default())?,
        };
        let request = IssueRequest {
            subject_key: &self.subject_key,
            subject_der: &subject_der,
            email: self.email.as_deref(),
            usage: self.usage,
            is_ca: self.is_ca,
            path_len: self.path_len,
            non_repudiation: self.non_repudiation,
            authority_key_id: &authority_key_id,
            issuer: issuer_cert,
            now: self.now.unwrap_or_else(SystemTime::now),
            days: self.days,
            not_before: self.not_before,
            not_after: self.not_after,
        };
        let profile = self.profile.as_ref();
        profile.check(&request)?;
        let (not_before, not_after) = profile.validity(&request)?;
        if not_after < not_before {
            return Err(Error::Usage(format!(
                "notAfter {} is before notBefore {}",
                super::format_rfc3339(not_after),
                super::format_rfc3339(not_before)
            )));
        }
        let extensions = profile.extensions(&request)?;
        for (i, e) in extensions.iter().enumerate() {
            if extensions[..i].iter().any(|x| x.oid == e.oid) {
                return Err(Error::Usage(format!(
                    "profile '{}' produced extension {} twice",
                    profile.name(),
                    e.oid
                )));
            }
        }
        let serial = match &self.serial {
            Some(s) => s.clone(),
            None => random_serial()?,
        };
        let alg_id = alg.algorithm_identifier();

        let mut tbs = Vec::new();
        tbs.extend_from_slice(&[0xA0, 0x03, 0x02, 0x01, 0x02]); // version v3
        tbs.extend(asn1::integer_unsigned(&serial));
        tbs.extend_from_slice(&alg_id);
        tbs.extend_from_slice(&issuer_der);
        let validity = [
            UtcDateTime::from_system_time(not_before).to_der()?,
            UtcDateTime::from_system_time(not_after).to_der()?,
        ]
        .concat();
        tbs.extend(asn1::tlv(TAG_SEQUENCE, &validity));
        tbs.extend_from_slice(&subject_der);
        tbs.extend_from_slice(self.subject_key.spki_der());
        if !extensions.is_empty() {
            let exts: Vec<u8> = extensions.iter().flat_map(Extension::to_der).collect();
            tbs.extend(asn1::tlv(0xA3, &asn1::tlv(TAG_SEQUENCE, &exts)));
        }
        let tbs = asn1::tlv(TAG_SEQUENCE, &tbs);
        let placeholder = asn1::sequence(&[
            &tbs,
            &alg_id,
            &asn1::bit_string(&placeholder_signature(signer.kind())),
        ]);
        check(&placeholder)?;
        let signature = signer.sign(alg, &tbs)?;
        let cert_der = asn1::sequence(&[&tbs, &alg_id, &asn1::bit_string(&signature)]);
        let cert = Certificate::from_der(&cert_der)?;
        cert.verify_signature(&signer.public_key()).map_err(|e| {
            Error::Crypto(format!("the certificate just issued does not verify: {e}"))
        })?;
        Ok(cert)
    }
}

/// A signature value of the size `kind` makes, all zero octets; for ECDSA a DER
/// `Ecdsa-Sig-Value` of (1, 1), so that parsers accept its shape.
fn placeholder_signature(kind: KeyKind) -> Vec<u8> {
    match kind {
        KeyKind::MlDsa(l) => vec![0; l.signature_len()],
        KeyKind::SlhDsa(s) => vec![0; s.signature_len()],
        KeyKind::Rsa(bits) => vec![0; (bits as usize).div_ceil(8)],
        KeyKind::Ec(_) => vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
        _ => vec![0; 64],
    }
}

/// The issuer must be a CA whose certificate holds the key we sign with.
fn check_issuer(cert: &Certificate, key: &PrivateKey) -> Result<()> {
    if key.public_key().spki_der() != cert.spki_der() {
        return Err(Error::Usage(format!(
            "the CA key does not belong to the CA certificate '{}'",
            cert.subject_string()
        )));
    }
    if !cert.is_ca() {
        return Err(Error::Usage(format!(
            "the issuer certificate '{}' is not a CA certificate (basicConstraints cA is not TRUE)",
            cert.subject_string()
        )));
    }
    if let Some(ku) = cert.key_usage() {
        if !ku.contains(KeyUsage::KEY_CERT_SIGN) {
            return Err(Error::Usage(format!(
                "the issuer certificate '{}' has a keyUsage without keyCertSign",
                cert.subject_string()
            )));
        }
    }
    Ok(())
}

/// `CN=<email>` (as a UTF8String, so SmtpUTF8 local parts fit), built directly so that `,` or
/// `+` in the address need no escaping.
fn default_subject(email: &str) -> Result<Vec<u8>> {
    if email.chars().count() > 64 {
        return Err(Error::Usage(format!(
            "'{email}' is longer than 64 characters, the upper bound of CN; give a subject"
        )));
    }
    let (local, domain) = validate_mailbox(email)?;
    let value = format!("{local}@{}", domain.to_ascii_lowercase());
    let atv = asn1::sequence(&[
        &asn1::oid(&oids::AT_COMMON_NAME),
        &asn1::tlv(TAG_UTF8_STRING, value.as_bytes()),
    ]);
    Ok(asn1::sequence(&[&asn1::set_of(vec![atv])]))
}

/// 16 CSPRNG bytes, top bit cleared (positive) and a non-zero first octet (so the encoding
/// is always 16 octets): at least 120 random bits, more than the 64 the S/MIME BR ask for.
fn random_serial() -> Result<Vec<u8>> {
    let mut s = vec![0u8; 16];
    aws_lc_rs::rand::fill(&mut s)
        .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
    s[0] &= 0x7F;
    if s[0] == 0 {
        s[0] = 0x01;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_validation() {
        assert!(validate_mailbox("alice@example.com").is_ok());
        assert!(validate_mailbox("a.b+tag@sub.example.com").is_ok());
        assert!(validate_mailbox("jörg@example.com").is_ok());
        for (bad, needle) in [
            ("alice", "no '@'"),
            ("@example.com", "empty"),
            ("alice@", "empty"),
            ("a..b@example.com", "doubled"),
            ("al ice@example.com", "quoting"),
            ("alice@exämple.com", "A-label"),
            ("alice@-x.com", "label"),
            ("alice@example..com", "label"),
        ] {
            let e = validate_mailbox(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn random_serials_are_positive_16_octets_and_differ() {
        let a = random_serial().unwrap();
        let b = random_serial().unwrap();
        assert_ne!(a, b);
        for s in [a, b] {
            assert_eq!(asn1::integer_unsigned(&s).len(), 18);
            assert!(s[0] != 0 && s[0] & 0x80 == 0);
        }
    }

    #[test]
    fn san_uses_smtputf8mailbox_only_for_non_ascii_local_parts() {
        let subject = default_subject("alice@Example.COM").unwrap();
        let e = Extension::subject_alt_name_email("alice@Example.COM", &subject).unwrap();
        assert!(!e.critical);
        assert_eq!(
            e.value,
            asn1::tlv(TAG_SEQUENCE, &asn1::tlv(0x81, b"alice@example.com"))
        );
        let u = Extension::subject_alt_name_email("jörg@example.com", &subject).unwrap();
        // SEQUENCE { [0] { OID 1.3.6.1.5.5.7.8.9, [0] { UTF8String } } }
        let mut r = asn1::Reader::new(&u.value);
        let seq = r.read().unwrap();
        assert_eq!(seq.value[0], 0xA0);
        assert!(seq
            .value
            .windows(8)
            .any(|w| w == [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07]));
        assert!(seq.value.ends_with("jörg@example.com".as_bytes()));
        let empty = Extension::subject_alt_name_email("a@b.c", &[0x30, 0x00]).unwrap();
        assert!(empty.critical);
    }

    #[test]
    fn key_usage_follows_key_kind() {
        use crate::alg::{EcCurve, MlDsaLevel, MlKemLevel};
        let ku = |k, u, nr| end_entity_key_usage(k, u, nr);
        assert_eq!(
            ku(KeyKind::MlDsa(MlDsaLevel::L65), Usage::Sign, false).unwrap(),
            KeyUsage::DIGITAL_SIGNATURE
        );
        assert_eq!(
            ku(KeyKind::MlDsa(MlDsaLevel::L65), Usage::Sign, true).unwrap(),
            KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION
        );
        assert_eq!(
            ku(KeyKind::MlKem(MlKemLevel::L768), Usage::Encrypt, true).unwrap(),
            KeyUsage::KEY_ENCIPHERMENT
        );
        assert_eq!(
            ku(KeyKind::Rsa(2048), Usage::Encrypt, false).unwrap(),
            KeyUsage::KEY_ENCIPHERMENT
        );
        assert_eq!(
            ku(KeyKind::Ec(EcCurve::P256), Usage::Encrypt, false).unwrap(),
            KeyUsage::KEY_AGREEMENT
        );
        assert_eq!(
            ku(KeyKind::X25519, Usage::Encrypt, false).unwrap(),
            KeyUsage::KEY_AGREEMENT
        );
        let e = ku(KeyKind::MlKem(MlKemLevel::L768), Usage::Sign, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ml-kem-768") && e.contains("signing"), "{e}");
        let e = ku(KeyKind::Ed25519, Usage::Encrypt, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ed25519") && e.contains("signature-only"), "{e}");
        assert!(ku(KeyKind::X25519, Usage::Sign, false).is_err());
        assert_eq!(
            ku(KeyKind::Rsa(2048), Usage::Both, true).unwrap(),
            KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION | KeyUsage::KEY_ENCIPHERMENT
        );
        assert_eq!(
            ku(KeyKind::Ec(EcCurve::P384), Usage::Both, false).unwrap(),
            KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_AGREEMENT
        );
        assert!(ku(KeyKind::MlDsa(MlDsaLevel::L44), Usage::Both, false).is_err());
    }

    #[test]
    fn usage_names() {
        assert_eq!(Usage::from_name("sign").unwrap(), Usage::Sign);
        assert_eq!(Usage::from_name("Encrypt").unwrap(), Usage::Encrypt);
        assert_eq!(Usage::from_name("both").unwrap(), Usage::Both);
        assert!(Usage::from_name("dual").is_err());
    }
}
