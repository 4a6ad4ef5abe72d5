//! Issuing under the CA/Browser Forum S/MIME Baseline Requirements (SBR, v1.0.16; checklist
//! in `shared/spec/smime-br.md`): the eight non-Legacy subscriber profiles (mailbox,
//! organization, sponsor and individual validated × Strict and Multipurpose) and the
//! subordinate CA profile.
//!
//! [`issue_smime`] builds a subscriber certificate from what the caller has **validated**
//! ([`SmimeRequest`]: the key, the mailboxes, the subject identity) — nothing is copied from a
//! certificate request — and refuses anything the SBR forbid, citing the rule: the Legacy
//! generation (SBR §7.1.6.1, sunset 2025-07-15), key types outside SBR §6.1.5 (SLH-DSA,
//! X25519, RSA below 2048 bits), issuer signature algorithms outside SBR §7.1.3.2, subject
//! attributes outside the matrix of SBR §7.1.4.2, validity beyond 825 days (SBR §6.3.2) and
//! non-http CRL / CA-issuer locations (SBR §7.1.2.3 (b)(c)). Every certificate is linted with
//! [`crate::lint`] twice: before the CA key signs (with a placeholder signature, SBR
//! §4.3.1.2 pre-issuance linting) and after; any error finding refuses the certificate.
//!
//! # What a subscriber certificate contains
//!
//! | field | value |
//! |---|---|
//! | serialNumber | 16 octets from the OS CSPRNG, positive, first octet non-zero (≥ 120 random bits; SBR §7.1 wants ≥ 64) |
//! | signature | the CA key's algorithm with the exact SBR §7.1.3.2 encoding (ML-DSA and ECDSA: no parameters; RSA PKCS #1 v1.5: NULL) |
//! | validity | notBefore = issuing time − 1 h; notAfter = notBefore + days·86400 − 1 s (days ≤ 825, default 365) |
//! | subject | built from [`SubjectIdentity`] in the order C, ST, L, street, postalCode, O, OU, organizationIdentifier, title, SN, GN, pseudonym, serialNumber, CN, emailAddress; one attribute per RDN; C, serialNumber and organizationIdentifier PrintableString, emailAddress IA5String, the rest UTF8String |
//! | keyUsage (critical) | SBR §7.1.2.3 (e): ML-DSA, Ed25519, RSA/EC signing: digitalSignature [+ nonRepudiation]; ML-KEM: keyEncipherment only; RSA encryption: keyEncipherment; EC encryption: keyAgreement; RSA/EC dual use: both |
//! | extKeyUsage | emailProtection (Multipurpose: + clientAuth on request) |
//! | certificatePolicies | the profile's reserved OID 2.23.140.1.5.t.g, with an id-qt-cps URL when given |
//! | cRLDistributionPoints | one point with the http CRL URL(s) |
//! | authorityInfoAccess | caIssuers (and OCSP) http URLs, when given (SHOULD) |
//! | subjectAltName | one rfc822Name per ASCII mailbox, SmtpUTF8Mailbox (RFC 9598) when the local part is not ASCII; domain in lower case; critical only when the subject is empty |
//! | subjectKeyIdentifier | SHA-1 of the subject key bits (RFC 5280 §4.2.1.2 method 1) |
//! | authorityKeyIdentifier | keyIdentifier only (the CA's subjectKeyIdentifier) |
//!
//! No basicConstraints (SBR §7.1.2.3 (d): MAY; absent means "not a CA").
//!
//! # Split-use pair
//!
//! [`issue_split_pair`] issues an ML-DSA (or other signature key) signing certificate and an
//! ML-KEM encryption certificate for the same mailboxes and identity in one call.

use std::time::{Duration, SystemTime};

use const_oid::ObjectIdentifier;

use super::builder::{end_entity_key_usage, validate_mailbox, IssueRequest, Profile, Usage};
use super::ext;
use super::{Certificate, CertificateBuilder, Extension, KeyUsage};
use crate::alg::{KeyKind, SignatureAlgorithm};
use crate::asn1::{self, TAG_IA5_STRING, TAG_PRINTABLE_STRING, TAG_SEQUENCE, TAG_UTF8_STRING};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::lint::{
    self, CertificateType, Finding, Generation, LintOptions, Severity, SmimeProfile,
};
use crate::oids;

/// SBR §6.3.2: Strict and Multipurpose certificates are valid for at most 825 days.
pub const MAX_VALIDITY_DAYS: u32 = 825;
/// The default validity of [`SmimeRequest`] (SBR §6.3.2: do not issue at the maximum).
pub const DEFAULT_VALIDITY_DAYS: u32 = 365;
/// How far notBefore is set back from the issuing time (clock skew between machines).
pub const BACKDATE: Duration = Duration::from_secs(3600);

const AT_STREET: ObjectIdentifier = oids::AT_STREET;
const AT_POSTAL_CODE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.17");

/// The lint codes that only say the placeholder signature does not verify (pre-issuance
/// linting signs with a placeholder, not with the CA key).
const PLACEHOLDER_SIGNATURE_CODES: [&str; 2] =
    ["lint.signature_invalid", "lint.signature_unverifiable"];

/// Where relying parties find the issuing CA's CRL, certificate and OCSP responder. The
/// S/MIME BR require plain `http://` URLs for Strict and Multipurpose certificates
/// (SBR §7.1.2.3 (b)(c)); at least one CRL URL is required.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaUrls {
    /// cRLDistributionPoints fullName URIs (at least one).
    pub crl: Vec<String>,
    /// authorityInfoAccess id-ad-caIssuers URIs (SHOULD be present).
    pub ca_issuers: Vec<String>,
    /// authorityInfoAccess id-ad-ocsp URIs (MAY).
    pub ocsp: Vec<String>,
}

impl CaUrls {
    fn check(&self) -> Result<()> {
        if self.crl.is_empty() {
            return Err(Error::Usage(
                "an S/MIME BR certificate needs the http URL of the issuing CA's CRL (cRLDistributionPoints, S/MIME BR §7.1.2.3 (b))".into(),
            ));
        }
        for u in &self.crl {
            ext::check_http_url(u, "CRL URL")?;
        }
        for u in &self.ca_issuers {
            ext::check_http_url(u, "CA issuers URL")?;
        }
        for u in &self.ocsp {
            ext::check_http_url(u, "OCSP URL")?;
        }
        Ok(())
    }
}

/// The subject identity the CA has validated (SBR §3.2.3, §3.2.4). Which fields a profile
/// requires or forbids is the matrix of SBR §7.1.4.2 (see [`subject_name`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubjectIdentity {
    /// commonName; when `None` it is derived: the first mailbox (mailbox profiles), the
    /// organizationName (organization profiles), the personal name or pseudonym (sponsor and
    /// individual profiles).
    pub common_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub pseudonym: Option<String>,
    pub title: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    /// organizationIdentifier, e.g. `NTRDE-HRB12345` (SBR §7.1.4.2.2 (d), Appendix A.1).
    pub organization_identifier: Option<String>,
    /// ISO 3166-1 alpha-2, or `XX`.
    pub country: Option<String>,
    pub state: Option<String>,
    pub locality: Option<String>,
    /// Multipurpose only.
    pub street: Option<String>,
    /// Multipurpose only.
    pub postal_code: Option<String>,
    /// A subject serialNumber (CA or RA subscriber identifier, SBR §7.1.4.2.2 (j)).
    pub serial_number: Option<String>,
    /// Also put the first mailbox in an emailAddress attribute (MAY; it is repeated in the
    /// subjectAltName as the SBR require).
    pub email_in_subject: bool,
}

/// Everything [`issue_smime`] needs.
#[derive(Clone, Debug)]
pub struct SmimeRequest<'a> {
    pub profile: SmimeProfile,
    pub key: &'a PublicKey,
    pub usage: Usage,
    /// The validated mailboxes (SBR §3.2.2); at least one.
    pub emails: Vec<String>,
    pub identity: SubjectIdentity,
    /// Signing certificates: also assert nonRepudiation.
    pub non_repudiation: bool,
    /// Multipurpose only: also assert the clientAuth key purpose.
    pub client_auth: bool,
    pub urls: CaUrls,
    /// An id-qt-cps qualifier URL (http or https, SBR §7.1.2.3 (a)).
    pub cps_url: Option<String>,
    /// Validity in days (1 to 825).
    pub days: u32,
    /// The issuing time (default: now).
    pub issued_at: Option<SystemTime>,
}

impl<'a> SmimeRequest<'a> {
    /// A request with the defaults: no subject attributes beyond the derived CN, 365 days.
    pub fn new(
        profile: SmimeProfile,
        key: &'a PublicKey,
        usage: Usage,
        email: &str,
        urls: CaUrls,
    ) -> SmimeRequest<'a> {
        SmimeRequest {
            profile,
            key,
            usage,
            emails: vec![email.to_string()],
            identity: SubjectIdentity::default(),
            non_repudiation: false,
            client_auth: false,
            urls,
            cps_url: None,
            days: DEFAULT_VALIDITY_DAYS,
            issued_at: None,
        }
    }
}

/// An issued certificate and the non-error findings the linter reported on it.
#[derive(Clone, Debug)]
pub struct Issued {
    pub certificate: Certificate,
    /// Warnings and notices (an error finding refuses the certificate).
    pub findings: Vec<Finding>,
    /// Observations about the issuance that no linter sees (e.g. a root CA key signing a
    /// subscriber certificate, SBR §6.1.7).
    pub notes: Vec<String>,
}

fn refuse(rule: &str, msg: String) -> Error {
    Error::Usage(format!("{msg} ({rule})"))
}

/// SBR §6.1.5 and §7.1.3.1: the subject key types the SBR allow. Returns nothing for an
/// allowed key.
pub fn check_subscriber_key(kind: KeyKind) -> Result<()> {
    match kind {
        KeyKind::MlDsa(_) | KeyKind::MlKem(_) | KeyKind::Ec(_) | KeyKind::Ed25519 => Ok(()),
        KeyKind::Rsa(bits) if bits >= 2048 && bits % 8 == 0 => Ok(()),
        KeyKind::Rsa(bits) => Err(refuse(
            "S/MIME BR §6.1.5",
            format!("an RSA subscriber key must have at least 2048 bits and a multiple of 8; this one has {bits}"),
        )),
        KeyKind::SlhDsa(s) => Err(refuse(
            "S/MIME BR §6.1.5 and §7.1.3.1, which allow only RSA, ECDSA P-256/P-384/P-521, Ed25519/Ed448, ML-DSA and ML-KEM keys",
            format!("{} subscriber keys are not allowed in S/MIME BR certificates", s.name()),
        )),
        KeyKind::X25519 => Err(refuse(
            "S/MIME BR §6.1.5, which allows only RSA, ECDSA P-256/P-384/P-521, Ed25519/Ed448, ML-DSA and ML-KEM keys",
            "X25519 keys are not allowed in S/MIME BR certificates; use ML-KEM, or ECDH with a P-256/P-384/P-521 key".into(),
        )),
    }
}

/// SBR §7.1.3.2: the signature algorithms a CA may use (SHA-1 never; SLH-DSA is not listed).
pub fn check_issuer_algorithm(alg: SignatureAlgorithm) -> Result<()> {
    match alg {
        SignatureAlgorithm::SlhDsa(s) => Err(refuse(
            "S/MIME BR §7.1.3.2",
            format!(
                "the CA key is {}; SLH-DSA is not among the signature algorithms the S/MIME BR allow for certificates",
                s.name()
            ),
        )),
        _ => Ok(()),
    }
}

/// SBR §7.1.2.3 (e): the keyUsage for `kind` and `usage` (the same in Strict and
/// Multipurpose for what pqsmime issues: RSA dataEncipherment, allowed in Multipurpose only,
/// is never set).
pub fn subscriber_key_usage(
    kind: KeyKind,
    usage: Usage,
    non_repudiation: bool,
) -> Result<KeyUsage> {
    check_subscriber_key(kind)?;
    match (kind, usage) {
        (KeyKind::MlKem(_), Usage::Sign | Usage::Both) => {
            return Err(refuse(
                "S/MIME BR §7.1.2.3 (e); RFC 9935 §5",
                format!("an {} key can only be certified for encryption (keyEncipherment)", kind.name()),
            ))
        }
        (KeyKind::MlDsa(_) | KeyKind::Ed25519, Usage::Encrypt | Usage::Both) => {
            return Err(refuse(
                "S/MIME BR §7.1.2.3 (e)",
                format!(
                    "a {} key is signing-only; certify an ML-KEM key for encryption (a split-use pair)",
                    kind.name()
                ),
            ))
        }
        _ => {}
    }
    end_entity_key_usage(kind, usage, non_repudiation)
}

// -----------------------------------------------------------------------------------------
// Subject names

fn insignificant(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.chars().all(|c| ".-_ *?/\\".contains(c))
        || ["n/a", "na", "none", "null", "unknown", "not applicable"]
            .iter()
            .any(|x| t.eq_ignore_ascii_case(x))
}

fn printable(c: char) -> bool {
    c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c)
}

/// One attribute to put in the subject: (OID, tag, value, name for messages, max chars).
struct Attr<'v> {
    oid: ObjectIdentifier,
    tag: u8,
    value: &'v str,
    name: &'static str,
    max: usize,
}

fn encode_attr(a: &Attr<'_>) -> Result<Vec<u8>> {
    if insignificant(a.value) {
        return Err(refuse(
            "S/MIME BR §7.1.4.2",
            format!(
                "the {} value '{}' only holds metadata; leave the attribute out instead",
                a.name, a.value
            ),
        ));
    }
    if a.value != a.value.trim() {
        return Err(Error::Usage(format!(
            "the {} value '{}' has leading or trailing spaces",
            a.name, a.value
        )));
    }
    if a.value.chars().any(char::is_control) {
        return Err(Error::Usage(format!(
            "the {} value contains control characters",
            a.name
        )));
    }
    let chars = a.value.chars().count();
    if chars > a.max {
        return Err(refuse(
            "RFC 5280 Appendix A upper bounds",
            format!(
                "the {} value is {chars} characters long; at most {} are allowed",
                a.name, a.max
            ),
        ));
    }
    match a.tag {
        TAG_PRINTABLE_STRING if !a.value.chars().all(printable) => {
            return Err(Error::Usage(format!(
                "the {} value '{}' has characters a PrintableString cannot hold",
                a.name, a.value
            )))
        }
        TAG_IA5_STRING if !a.value.is_ascii() => {
            return Err(Error::Usage(format!(
                "the {} value '{}' must be ASCII (IA5String)",
                a.name, a.value
            )))
        }
        _ => {}
    }
    let atv = asn1::sequence(&[&asn1::oid(&a.oid), &asn1::tlv(a.tag, a.value.as_bytes())]);
    Ok(asn1::set_of(vec![atv]))
}

/// Checks an organizationIdentifier against SBR Appendix A.1 (`SSSCC-Reference`,
/// `SSSCC+SSS-Reference`, `GOVCC`, `INTXG`) and against countryName.
fn check_org_id(id: &str, country: Option<&str>) -> Result<()> {
    let bad = |why: &str| {
        refuse(
            "S/MIME BR §7.1.4.2.2 (d) and Appendix A.1",
            format!("organizationIdentifier '{id}' {why}"),
        )
    };
    let head: String = id.chars().take(5).collect();
    if head.len() != 5 || !head.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(bad(
            "does not start with a 3-letter scheme and a 2-letter country (e.g. NTRDE-HRB12345)",
        ));
    }
    let (scheme, cc) = head.split_at(3);
    let rest = &id[5..];
    let rest = match rest.strip_prefix('+') {
        Some(r) => {
            let sub: String = r.chars().take_while(|c| *c != '-').collect();
            if sub.is_empty() || sub.len() > 3 || !sub.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(bad("has a malformed subdivision code after '+'"));
            }
            &r[sub.len()..]
        }
        None => rest,
    };
    match scheme {
        "GOV" | "INT" => {
            if !rest.is_empty() {
                return Err(bad(
                    "has a reference, but GOV and INT identifiers have none",
                ));
            }
            if scheme == "INT" && cc != "XG" {
                return Err(bad("uses INT with a country other than XG"));
            }
        }
        "NTR" | "VAT" | "PSD" | "LEI" => {
            let Some(reference) = rest.strip_prefix('-') else {
                return Err(bad("has no '-' before the registration reference"));
            };
            if reference.is_empty() {
                return Err(bad("has an empty registration reference"));
            }
            if scheme == "LEI" && cc != "XG" {
                return Err(bad("uses LEI with a country other than XG"));
            }
        }
        other => {
            return Err(bad(&format!(
                "uses the scheme '{other}' (known: NTR, VAT, PSD, LEI, GOV, INT)"
            )))
        }
    }
    if let Some(c) = country {
        let expected = match (scheme, cc) {
            ("LEI" | "INT", _) => None,
            ("VAT", "EL") => Some("GR"),
            ("VAT", "XI") => Some("GB"),
            (_, cc) => Some(cc),
        };
        if let Some(e) = expected {
            if e != c {
                return Err(bad(&format!("names country {cc}, but countryName is {c}")));
            }
        }
    }
    Ok(())
}

/// Builds the subject `Name` for `profile` from a validated identity and mailboxes,
/// enforcing the attribute matrix of SBR §7.1.4.2.2–§7.1.4.2.6.
pub fn subject_name(
    profile: SmimeProfile,
    id: &SubjectIdentity,
    emails: &[String],
) -> Result<Vec<u8>> {
    let t = profile.cert_type;
    let strict = profile.generation == Generation::Strict;
    let pname = profile.name();
    let section = match t {
        CertificateType::Mailbox => "S/MIME BR §7.1.4.2.3",
        CertificateType::Organization => "S/MIME BR §7.1.4.2.4",
        CertificateType::Sponsored => "S/MIME BR §7.1.4.2.5",
        CertificateType::Individual => "S/MIME BR §7.1.4.2.6",
    };
    let forbid = |present: bool, attr: &str| -> Result<()> {
        if present {
            Err(refuse(
                section,
                format!("the {pname} profile does not allow {attr} in the subject"),
            ))
        } else {
            Ok(())
        }
    };
    let require = |present: bool, attr: &str| -> Result<()> {
        if present {
            Ok(())
        } else {
            Err(refuse(
                section,
                format!("the {pname} profile requires {attr} in the subject"),
            ))
        }
    };
    let natural = matches!(t, CertificateType::Sponsored | CertificateType::Individual);
    let legal = matches!(
        t,
        CertificateType::Organization | CertificateType::Sponsored
    );
    let has_person = id.given_name.is_some() || id.surname.is_some();
    if t == CertificateType::Mailbox {
        for (present, attr) in [
            (id.organization.is_some(), "organizationName"),
            (id.organizational_unit.is_some(), "organizationalUnitName"),
            (
                id.organization_identifier.is_some(),
                "organizationIdentifier",
            ),
            (has_person, "givenName or surname"),
            (id.pseudonym.is_some(), "pseudonym"),
            (id.title.is_some(), "title"),
            (id.country.is_some(), "countryName"),
            (id.state.is_some(), "stateOrProvinceName"),
            (id.locality.is_some(), "localityName"),
            (id.street.is_some(), "streetAddress"),
            (id.postal_code.is_some(), "postalCode"),
        ] {
            forbid(present, attr)?;
        }
    }
    if legal {
        require(id.organization.is_some(), "organizationName")?;
        require(
            id.organization_identifier.is_some(),
            "organizationIdentifier",
        )?;
    } else {
        forbid(id.organization.is_some(), "organizationName")?;
        forbid(id.organizational_unit.is_some(), "organizationalUnitName")?;
        forbid(
            id.organization_identifier.is_some(),
            "organizationIdentifier",
        )?;
    }
    if natural {
        if has_person && id.pseudonym.is_some() {
            return Err(refuse(
                "S/MIME BR §7.1.4.2.2 (c)",
                "givenName/surname and pseudonym are mutually exclusive".into(),
            ));
        }
        require(
            has_person || id.pseudonym.is_some(),
            "givenName and/or surname, or a pseudonym",
        )?;
    } else {
        forbid(has_person, "givenName or surname")?;
        forbid(id.pseudonym.is_some(), "pseudonym")?;
        forbid(id.title.is_some(), "title")?;
    }
    if strict {
        forbid(id.street.is_some(), "streetAddress (Multipurpose only)")?;
        forbid(id.postal_code.is_some(), "postalCode (Multipurpose only)")?;
    }
    // Address dependencies (SBR §7.1.4.2.2 (k)-(n)).
    if id.street.is_some() && id.locality.is_none() && id.state.is_none() {
        return Err(refuse(
            "S/MIME BR §7.1.4.2.2",
            "streetAddress needs localityName or stateOrProvinceName".into(),
        ));
    }
    if (id.locality.is_some() || id.state.is_some() || id.postal_code.is_some())
        && id.country.is_none()
    {
        return Err(refuse(
            "S/MIME BR §7.1.4.2.2",
            "localityName, stateOrProvinceName and postalCode need countryName".into(),
        ));
    }
    if let Some(c) = &id.country {
        if c.len() != 2 || !c.chars().all(|x| x.is_ascii_uppercase()) {
            return Err(refuse(
                "S/MIME BR §7.1.4.2.2 (n)",
                format!("countryName '{c}' is not an upper-case ISO 3166-1 alpha-2 code (or XX)"),
            ));
        }
    }
    if let Some(o) = &id.organization_identifier {
        check_org_id(o, id.country.as_deref())?;
    }
    // commonName
    let personal_names: Vec<String> = match (&id.given_name, &id.surname) {
        (Some(g), Some(s)) => vec![format!("{g} {s}"), format!("{s} {g}"), format!("{s}, {g}")],
        (Some(g), None) => vec![g.clone()],
        (None, Some(s)) => vec![s.clone()],
        (None, None) => Vec::new(),
    };
    let is_email = |cn: &str| {
        emails
            .iter()
            .any(|e| match (cn.rsplit_once('@'), e.rsplit_once('@')) {
                (Some((l1, d1)), Some((l2, d2))) => l1 == l2 && d1.eq_ignore_ascii_case(d2),
                _ => false,
            })
    };
    let cn: Option<String> = match &id.common_name {
        Some(cn) => {
            let ok = is_email(cn)
                || (t == CertificateType::Organization && id.organization.as_deref() == Some(cn))
                || (natural
                    && (personal_names.iter().any(|p| p == cn)
                        || id.pseudonym.as_deref() == Some(cn)));
            if !ok {
                let allowed = match t {
                    CertificateType::Mailbox => "one of the mailboxes",
                    CertificateType::Organization => "the organizationName or one of the mailboxes",
                    _ => "the personal name (given name and surname), the pseudonym or one of the mailboxes",
                };
                return Err(refuse(
                    "S/MIME BR §7.1.4.2.2 (a)",
                    format!("commonName '{cn}' must be {allowed} in the {pname} profile"),
                ));
            }
            Some(cn.clone())
        }
        None => match t {
            CertificateType::Mailbox => emails
                .first()
                .filter(|e| e.chars().count() <= 64)
                .map(|e| normalise_mailbox(e)),
            CertificateType::Organization => id.organization.clone(),
            _ => personal_names
                .first()
                .cloned()
                .or_else(|| id.pseudonym.clone()),
        },
    };
    let email_attr = if id.email_in_subject {
        let e = emails
            .first()
            .ok_or_else(|| Error::Usage("no mailbox for the emailAddress attribute".into()))?;
        Some(normalise_mailbox(e))
    } else {
        None
    };
    let utf8 = TAG_UTF8_STRING;
    let candidates: [(Option<&str>, ObjectIdentifier, u8, &'static str, usize); 15] = [
        (
            id.country.as_deref(),
            oids::AT_COUNTRY,
            TAG_PRINTABLE_STRING,
            "countryName",
            2,
        ),
        (
            id.state.as_deref(),
            oids::AT_STATE,
            utf8,
            "stateOrProvinceName",
            128,
        ),
        (
            id.locality.as_deref(),
            oids::AT_LOCALITY,
            utf8,
            "localityName",
            128,
        ),
        (id.street.as_deref(), AT_STREET, utf8, "streetAddress", 128),
        (
            id.postal_code.as_deref(),
            AT_POSTAL_CODE,
            utf8,
            "postalCode",
            40,
        ),
        (
            id.organization.as_deref(),
            oids::AT_ORGANIZATION,
            utf8,
            "organizationName",
            64,
        ),
        (
            id.organizational_unit.as_deref(),
            oids::AT_ORGANIZATIONAL_UNIT,
            utf8,
            "organizationalUnitName",
            64,
        ),
        (
            id.organization_identifier.as_deref(),
            oids::AT_ORGANIZATION_IDENTIFIER,
            TAG_PRINTABLE_STRING,
            "organizationIdentifier",
            64,
        ),
        (id.title.as_deref(), oids::AT_TITLE, utf8, "title", 64),
        (id.surname.as_deref(), oids::AT_SURNAME, utf8, "surname", 64),
        (
            id.given_name.as_deref(),
            oids::AT_GIVEN_NAME,
            utf8,
            "givenName",
            64,
        ),
        (
            id.pseudonym.as_deref(),
            oids::AT_PSEUDONYM,
            utf8,
            "pseudonym",
            128,
        ),
        (
            id.serial_number.as_deref(),
            oids::AT_SERIAL_NUMBER,
            TAG_PRINTABLE_STRING,
            "serialNumber",
            64,
        ),
        (cn.as_deref(), oids::AT_COMMON_NAME, utf8, "commonName", 64),
        (
            email_attr.as_deref(),
            oids::AT_EMAIL_ADDRESS,
            TAG_IA5_STRING,
            "emailAddress",
            255,
        ),
    ];
    let mut rdns = Vec::new();
    for (value, oid, tag, name, max) in candidates {
        if let Some(value) = value {
            rdns.extend(encode_attr(&Attr {
                oid,
                tag,
                value,
                name,
                max,
            })?);
        }
    }
    Ok(asn1::tlv(TAG_SEQUENCE, &rdns))
}

/// `local@domain` with the domain in lower case (RFC 9598 §3 wants lower-case A-labels).
fn normalise_mailbox(e: &str) -> String {
    match e.rsplit_once('@') {
        Some((l, d)) => format!("{l}@{}", d.to_ascii_lowercase()),
        None => e.to_string(),
    }
}

/// subjectAltName with every mailbox (RFC 9598: rfc822Name for ASCII local parts,
/// SmtpUTF8Mailbox otherwise).
fn subject_alt_name(emails: &[String], subject_der: &[u8]) -> Result<Extension> {
    let mut body = Vec::new();
    for e in emails {
        let one = Extension::subject_alt_name_email(e, subject_der)?;
        let seq = ext::single(&one.value, TAG_SEQUENCE, "subjectAltName")?;
        body.extend_from_slice(seq.value);
    }
    Ok(Extension {
        oid: oids::EXT_SUBJECT_ALT_NAME,
        critical: subject_der == [0x30, 0x00],
        value: asn1::tlv(TAG_SEQUENCE, &body),
    })
}

// -----------------------------------------------------------------------------------------
// The profile

/// The subscriber profile as a [`Profile`] for [`CertificateBuilder`]; [`issue_smime`] is the
/// way to use it (it also builds the subject and lints).
struct SubscriberProfile<'r> {
    req: &'r SmimeRequest<'r>,
    key_usage: KeyUsage,
}

impl Profile for SubscriberProfile<'_> {
    fn name(&self) -> &str {
        "s/mime-br"
    }

    fn validity(&self, r: &IssueRequest<'_>) -> Result<(SystemTime, SystemTime)> {
        let days = self.req.days;
        if days == 0 || days > MAX_VALIDITY_DAYS {
            return Err(refuse(
                "S/MIME BR §6.3.2",
                format!("a Strict or Multipurpose certificate is valid for 1 to {MAX_VALIDITY_DAYS} days, not {days}"),
            ));
        }
        let not_before = r.now.checked_sub(BACKDATE).unwrap_or(r.now);
        let not_after = not_before
            .checked_add(Duration::from_secs(u64::from(days) * 86_400 - 1))
            .ok_or_else(|| Error::Usage("the validity end cannot be represented".into()))?;
        Ok((not_before, not_after))
    }

    fn extensions(&self, r: &IssueRequest<'_>) -> Result<Vec<Extension>> {
        let req = self.req;
        let mut eku = vec![oids::KP_EMAIL_PROTECTION];
        if req.client_auth {
            eku.push(oids::KP_CLIENT_AUTH);
        }
        let crl: Vec<&str> = req.urls.crl.iter().map(String::as_str).collect();
        let mut exts = vec![
            Extension::key_usage(self.key_usage),
            Extension::extended_key_usage(&eku),
            Extension {
                oid: oids::EXT_CERTIFICATE_POLICIES,
                critical: false,
                value: ext::encode_certificate_policies(
                    &[req.profile.policy_oid()],
                    req.cps_url.as_deref(),
                ),
            },
            Extension {
                oid: oids::EXT_CRL_DISTRIBUTION_POINTS,
                critical: false,
                value: ext::encode_crl_distribution_points(&crl),
            },
        ];
        if !req.urls.ca_issuers.is_empty() || !req.urls.ocsp.is_empty() {
            let ca: Vec<&str> = req.urls.ca_issuers.iter().map(String::as_str).collect();
            let ocsp: Vec<&str> = req.urls.ocsp.iter().map(String::as_str).collect();
            exts.push(Extension {
                oid: oids::EXT_AUTHORITY_INFO_ACCESS,
                critical: false,
                value: ext::encode_authority_info_access(&ca, &ocsp),
            });
        }
        exts.push(subject_alt_name(&req.emails, r.subject_der)?);
        exts.push(Extension::subject_key_identifier(
            &r.subject_key.key_identifier(),
        ));
        exts.push(Extension::authority_key_identifier(r.authority_key_id));
        Ok(exts)
    }
}

/// Lints `der` as a subscriber certificate of `profile` issued by `ca`, returns the findings
/// or refuses when there is an error finding (those in `ignore` excepted).
fn lint_or_refuse(
    der: &[u8],
    profile: Option<SmimeProfile>,
    ca: &Certificate,
    ignore: &[&str],
    stage: &str,
) -> Result<Vec<Finding>> {
    let report = lint::lint(
        der,
        &LintOptions {
            profile,
            issuer_der: Some(ca.der()),
        },
    )?;
    let findings: Vec<Finding> = report
        .findings
        .into_iter()
        .filter(|f| !ignore.contains(&f.code))
        .collect();
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} {} ({})", f.code, f.message, f.citation))
        .collect();
    if !errors.is_empty() {
        return Err(Error::Certificate(format!(
            "refusing to issue: {stage} linting found {} error(s): {}",
            errors.len(),
            errors.join("; ")
        )));
    }
    Ok(findings)
}

/// The CA's signature algorithm (checked against SBR §7.1.3.2) and notes about the CA.
fn check_ca(ca: &Certificate, ca_key: &PrivateKey) -> Result<(SignatureAlgorithm, Vec<String>)> {
    let alg = ca_key.kind().default_signature_algorithm().ok_or_else(|| {
        Error::Usage(format!(
            "the CA key is {}, which cannot sign",
            ca_key.kind().name()
        ))
    })?;
    check_issuer_algorithm(alg)?;
    let mut notes = Vec::new();
    if ca.is_self_issued() {
        notes.push(format!(
            "the issuing CA '{}' is a root (self-issued) CA: S/MIME BR §6.1.7 reserves root keys for CA certificates; issue from a subordinate CA (pqsmime cert ca --ca-cert ROOT --ca-key ROOT-KEY ...)",
            ca.subject_string()
        ));
    }
    Ok((alg, notes))
}

/// Issues a subscriber certificate under the S/MIME BR profile of `req`; see the module
/// documentation. Refuses (with the rule) anything the SBR forbid and anything the linter
/// reports as an error.
pub fn issue_smime(
    req: &SmimeRequest<'_>,
    ca: &Certificate,
    ca_key: &PrivateKey,
) -> Result<Issued> {
    let profile = req.profile;
    if profile.generation == Generation::Legacy {
        return Err(refuse(
            "S/MIME BR §7.1.6.1 (ballot SMC08): no Legacy-generation certificates since 2025-07-15",
            format!("the Legacy profile {profile} is no longer issued; use the Strict or Multipurpose generation"),
        ));
    }
    let (_, notes) = check_ca(ca, ca_key)?;
    if req.client_auth && profile.generation == Generation::Strict {
        return Err(refuse(
            "S/MIME BR §7.1.2.3 (f)",
            format!("the {profile} profile allows only emailProtection in extKeyUsage (clientAuth needs a Multipurpose profile)"),
        ));
    }
    if req.emails.is_empty() {
        return Err(Error::Usage(
            "an S/MIME certificate needs at least one mailbox address (S/MIME BR §7.1.2.3 (h))"
                .into(),
        ));
    }
    for (i, e) in req.emails.iter().enumerate() {
        validate_mailbox(e)?;
        if req.emails[..i]
            .iter()
            .any(|x| normalise_mailbox(x) == normalise_mailbox(e))
        {
            return Err(Error::Usage(format!("the mailbox '{e}' is listed twice")));
        }
    }
    req.urls.check()?;
    if let Some(u) = &req.cps_url {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(refuse(
                "S/MIME BR §7.1.2.3 (a)",
                format!("the CPS URL '{u}' must be an http or https URL"),
            ));
        }
        if u.chars().any(|c| !c.is_ascii_graphic()) {
            return Err(Error::Usage(format!(
                "the CPS URL '{u}' must be ASCII without spaces"
            )));
        }
    }
    let key_usage = subscriber_key_usage(req.key.kind(), req.usage, req.non_repudiation)?;
    let subject = subject_name(profile, &req.identity, &req.emails)?;
    let first = req
        .emails
        .first()
        .ok_or_else(|| Error::Usage("no mailbox".into()))?;
    let mut builder = CertificateBuilder::end_entity(first, req.key, req.usage)?
        .subject_der(&subject)?
        .days(req.days)
        .non_repudiation(req.non_repudiation)
        .profile(SubscriberProfile { req, key_usage });
    if let Some(t) = req.issued_at {
        builder = builder.issued_at(t);
    }
    let cert = builder.sign_checked(Some((ca, ca_key)), |tbs_cert| {
        lint_or_refuse(
            tbs_cert,
            Some(profile),
            ca,
            &PLACEHOLDER_SIGNATURE_CODES,
            "pre-issuance",
        )
        .map(|_| ())
    })?;
    let findings = lint_or_refuse(cert.der(), Some(profile), ca, &[], "post-issuance")?;
    super::check_issuer_name_constraints(ca, &cert)?;
    Ok(Issued {
        certificate: cert,
        findings,
        notes,
    })
}

/// A signing and an encryption certificate for the same mailboxes and identity (a split-use
/// pair, smime-br.md §4): `sign_key` (ML-DSA, or another signature key) gets
/// digitalSignature [+ nonRepudiation], `kem_key` (ML-KEM) gets keyEncipherment only.
pub fn issue_split_pair(
    template: &SmimeRequest<'_>,
    sign_key: &PublicKey,
    kem_key: &PublicKey,
    ca: &Certificate,
    ca_key: &PrivateKey,
) -> Result<(Issued, Issued)> {
    if !matches!(kem_key.kind(), KeyKind::MlKem(_)) {
        return Err(Error::Usage(format!(
            "the encryption key of a split-use pair must be ML-KEM, not {}",
            kem_key.kind().name()
        )));
    }
    if !sign_key.kind().can_sign() {
        return Err(Error::Usage(format!(
            "the signing key of a split-use pair must be a signature key, not {}",
            sign_key.kind().name()
        )));
    }
    let sign_req = SmimeRequest {
        key: sign_key,
        usage: Usage::Sign,
        ..template.clone()
    };
    let enc_req = SmimeRequest {
        key: kem_key,
        usage: Usage::Encrypt,
        non_repudiation: false,
        ..template.clone()
    };
    let s = issue_smime(&sign_req, ca, ca_key)?;
    let e = issue_smime(&enc_req, ca, ca_key)?;
    Ok((s, e))
}

// -----------------------------------------------------------------------------------------
// Subordinate CA

/// Everything [`issue_subordinate_ca`] needs (SBR §7.1.2.2).
#[derive(Clone, Debug)]
pub struct SubordinateCaRequest<'a> {
    /// The subject DN (RFC 4514); must have CN, O and C (SBR §7.1.4.3.1).
    pub subject: String,
    pub key: &'a PublicKey,
    /// The issuing CA's CRL and certificate locations (http).
    pub urls: CaUrls,
    /// The S/MIME BR profiles this CA may issue (their reserved OIDs go in
    /// certificatePolicies); empty means all eight Strict and Multipurpose profiles.
    pub profiles: Vec<SmimeProfile>,
    /// pathLenConstraint (default 0: an issuing CA).
    pub path_len: Option<u32>,
    /// Mail domains for rfc822Name permittedSubtrees (a technically constrained CA, SBR
    /// §7.1.5); empty for none.
    pub permitted_email_domains: Vec<String>,
    pub days: u32,
    pub issued_at: Option<SystemTime>,
}

struct SubCaProfile<'r> {
    req: &'r SubordinateCaRequest<'r>,
}

impl Profile for SubCaProfile<'_> {
    fn name(&self) -> &str {
        "s/mime-br-subordinate-ca"
    }

    fn validity(&self, r: &IssueRequest<'_>) -> Result<(SystemTime, SystemTime)> {
        let days = self.req.days;
        if days == 0 {
            return Err(Error::Usage("the validity must be at least one day".into()));
        }
        let not_before = r.now.checked_sub(BACKDATE).unwrap_or(r.now);
        let not_after = not_before
            .checked_add(Duration::from_secs(u64::from(days) * 86_400 - 1))
            .ok_or_else(|| Error::Usage(format!("a validity of {days} days is too long")))?;
        Ok((not_before, not_after))
    }

    fn extensions(&self, r: &IssueRequest<'_>) -> Result<Vec<Extension>> {
        let req = self.req;
        let profiles: Vec<ObjectIdentifier> = if req.profiles.is_empty() {
            SmimeProfile::ALL
                .iter()
                .filter(|p| p.generation != Generation::Legacy)
                .map(|p| p.policy_oid())
                .collect()
        } else {
            req.profiles.iter().map(|p| p.policy_oid()).collect()
        };
        let crl: Vec<&str> = req.urls.crl.iter().map(String::as_str).collect();
        let mut exts = vec![
            Extension::basic_constraints(true, Some(req.path_len.unwrap_or(0))),
            Extension::key_usage(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN),
            Extension::extended_key_usage(&[oids::KP_EMAIL_PROTECTION]),
            Extension {
                oid: oids::EXT_CERTIFICATE_POLICIES,
                critical: false,
                value: ext::encode_certificate_policies(&profiles, None),
            },
            Extension {
                oid: oids::EXT_CRL_DISTRIBUTION_POINTS,
                critical: false,
                value: ext::encode_crl_distribution_points(&crl),
            },
        ];
        if !req.urls.ca_issuers.is_empty() || !req.urls.ocsp.is_empty() {
            let ca: Vec<&str> = req.urls.ca_issuers.iter().map(String::as_str).collect();
            let ocsp: Vec<&str> = req.urls.ocsp.iter().map(String::as_str).collect();
            exts.push(Extension {
                oid: oids::EXT_AUTHORITY_INFO_ACCESS,
                critical: false,
                value: ext::encode_authority_info_access(&ca, &ocsp),
            });
        }
        if !req.permitted_email_domains.is_empty() {
            let subtrees: Vec<u8> = req
                .permitted_email_domains
                .iter()
                .flat_map(|d| asn1::sequence(&[&asn1::tlv(0x81, d.as_bytes())]))
                .collect();
            exts.push(Extension {
                oid: oids::EXT_NAME_CONSTRAINTS,
                critical: true,
                value: asn1::sequence(&[&asn1::tlv(0xA0, &subtrees)]),
            });
        }
        exts.push(Extension::subject_key_identifier(
            &r.subject_key.key_identifier(),
        ));
        exts.push(Extension::authority_key_identifier(r.authority_key_id));
        Ok(exts)
    }
}

/// Issues a subordinate (issuing) CA certificate under SBR §7.1.2.2 from a root or another
/// CA: basicConstraints critical cA TRUE with pathLenConstraint (default 0), keyUsage
/// critical keyCertSign + cRLSign, extKeyUsage emailProtection, certificatePolicies with the
/// reserved OIDs of the profiles it may issue, http cRLDistributionPoints (the issuer's CRL)
/// and authorityInfoAccess, optional rfc822Name name constraints, key identifiers. Linted as
/// a subordinate CA; an error finding refuses it.
pub fn issue_subordinate_ca(
    req: &SubordinateCaRequest<'_>,
    issuer: &Certificate,
    issuer_key: &PrivateKey,
) -> Result<Issued> {
    check_ca(issuer, issuer_key)?;
    if !issuer.is_ca() {
        return Err(Error::Usage(format!(
            "'{}' is not a CA certificate",
            issuer.subject_string()
        )));
    }
    if !req.key.kind().can_sign() {
        return Err(Error::Usage(format!(
            "a CA key must be able to sign; {} keys cannot",
            req.key.kind().name()
        )));
    }
    if let KeyKind::SlhDsa(s) = req.key.kind() {
        return Err(refuse(
            "S/MIME BR §6.1.5 and §7.1.3.2",
            format!(
                "{} CA keys are not allowed: the S/MIME BR list no SLH-DSA key or signature algorithm",
                s.name()
            ),
        ));
    }
    if req
        .profiles
        .iter()
        .any(|p| p.generation == Generation::Legacy)
    {
        return Err(refuse(
            "S/MIME BR §7.1.6.1",
            "a new CA certificate cannot assert Legacy-generation policies".into(),
        ));
    }
    req.urls.check()?;
    for d in &req.permitted_email_domains {
        if d.contains('@') {
            return Err(refuse(
                "S/MIME BR §7.1.5",
                format!("permitted email subtree '{d}' must be a domain (example.com or .example.com), not a mailbox"),
            ));
        }
        let bare = d.strip_prefix('.').unwrap_or(d);
        validate_mailbox(&format!("x@{bare}"))?;
    }
    let subject = super::parse_dn(&req.subject)?;
    {
        let rdns = super::name::parse_name(&subject, "subject")?;
        let has = |o: &ObjectIdentifier| rdns.iter().flatten().any(|a| a.oid == *o);
        for (o, n) in [
            (oids::AT_COMMON_NAME, "CN"),
            (oids::AT_ORGANIZATION, "O"),
            (oids::AT_COUNTRY, "C"),
        ] {
            if !has(&o) {
                return Err(refuse(
                    "S/MIME BR §7.1.4.3.1",
                    format!(
                        "a CA certificate's subject needs {n}; '{}' has none",
                        req.subject
                    ),
                ));
            }
        }
    }
    let mut builder = CertificateBuilder::ca_for_key(&req.subject, req.key)?
        .days(req.days)
        .profile(SubCaProfile { req });
    if let Some(t) = req.issued_at {
        builder = builder.issued_at(t);
    }
    let cert = builder.sign_checked(Some((issuer, issuer_key)), |tbs| {
        lint_or_refuse(
            tbs,
            None,
            issuer,
            &PLACEHOLDER_SIGNATURE_CODES,
            "pre-issuance",
        )
        .map(|_| ())
    })?;
    let findings = lint_or_refuse(cert.der(), None, issuer, &[], "post-issuance")?;
    Ok(Issued {
        certificate: cert,
        findings,
        notes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::{EcCurve, MlDsaLevel, MlKemLevel, SlhDsaSet};

    fn p(name: &str) -> SmimeProfile {
        SmimeProfile::from_name(name).unwrap()
    }

    #[test]
    fn key_rules() {
        assert!(check_subscriber_key(KeyKind::MlDsa(MlDsaLevel::L44)).is_ok());
        assert!(check_subscriber_key(KeyKind::Rsa(2048)).is_ok());
        let e = check_subscriber_key(KeyKind::SlhDsa(SlhDsaSet::Sha2_128s))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("slh-dsa-sha2-128s") && e.contains("§6.1.5"),
            "{e}"
        );
        assert!(check_subscriber_key(KeyKind::X25519).is_err());
        assert_eq!(
            subscriber_key_usage(KeyKind::MlKem(MlKemLevel::L768), Usage::Encrypt, true).unwrap(),
            KeyUsage::KEY_ENCIPHERMENT
        );
        assert!(
            subscriber_key_usage(KeyKind::MlKem(MlKemLevel::L768), Usage::Sign, false).is_err()
        );
        assert!(
            subscriber_key_usage(KeyKind::MlDsa(MlDsaLevel::L65), Usage::Encrypt, false).is_err()
        );
        assert_eq!(
            subscriber_key_usage(KeyKind::Ec(EcCurve::P256), Usage::Both, false).unwrap(),
            KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_AGREEMENT
        );
    }

    #[test]
    fn subject_matrix() {
        let emails = vec!["alice@Example.com".to_string()];
        let mv = subject_name(p("mailbox-strict"), &SubjectIdentity::default(), &emails).unwrap();
        let rdns = crate::x509::name::parse_name(&mv, "s").unwrap();
        assert_eq!(
            crate::x509::name::name_to_string(&rdns),
            "CN=alice@example.com"
        );
        let with_org = SubjectIdentity {
            organization: Some("Example Ltd".into()),
            ..SubjectIdentity::default()
        };
        let e = subject_name(p("mailbox-strict"), &with_org, &emails)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not allow organizationName") && e.contains("§7.1.4.2.3"),
            "{e}"
        );
        let e = subject_name(p("organization-strict"), &with_org, &emails)
            .unwrap_err()
            .to_string();
        assert!(e.contains("requires organizationIdentifier"), "{e}");
        let ov = SubjectIdentity {
            organization_identifier: Some("NTRGB-12345678".into()),
            country: Some("GB".into()),
            ..with_org.clone()
        };
        let der = subject_name(p("organization-strict"), &ov, &emails).unwrap();
        let s =
            crate::x509::name::name_to_string(&crate::x509::name::parse_name(&der, "s").unwrap());
        assert_eq!(
            s,
            "CN=Example Ltd,organizationIdentifier=NTRGB-12345678,O=Example Ltd,C=GB"
        );
        let wrong_country = SubjectIdentity {
            country: Some("DE".into()),
            ..ov.clone()
        };
        assert!(subject_name(p("organization-strict"), &wrong_country, &emails).is_err());
        let person = SubjectIdentity {
            given_name: Some("Alice".into()),
            surname: Some("Example".into()),
            ..SubjectIdentity::default()
        };
        let der = subject_name(p("individual-strict"), &person, &emails).unwrap();
        let s =
            crate::x509::name::name_to_string(&crate::x509::name::parse_name(&der, "s").unwrap());
        assert_eq!(s, "CN=Alice Example,GN=Alice,SN=Example");
        let both = SubjectIdentity {
            pseudonym: Some("Al".into()),
            ..person.clone()
        };
        assert!(subject_name(p("individual-strict"), &both, &emails).is_err());
        let street = SubjectIdentity {
            street: Some("1 Main St".into()),
            locality: Some("London".into()),
            country: Some("GB".into()),
            ..person.clone()
        };
        assert!(subject_name(p("individual-strict"), &street, &emails).is_err());
        assert!(subject_name(p("individual-multipurpose"), &street, &emails).is_ok());
        let bad_cn = SubjectIdentity {
            common_name: Some("Bob".into()),
            ..person
        };
        let e = subject_name(p("individual-strict"), &bad_cn, &emails)
            .unwrap_err()
            .to_string();
        assert!(e.contains("commonName 'Bob'"), "{e}");
        let meta = SubjectIdentity {
            surname: Some("-".into()),
            ..SubjectIdentity::default()
        };
        assert!(subject_name(p("individual-strict"), &meta, &emails).is_err());
    }

    #[test]
    fn organization_identifiers() {
        assert!(check_org_id("NTRDE-HRB12345", Some("DE")).is_ok());
        assert!(check_org_id("VATEL-123456789", Some("GR")).is_ok());
        assert!(check_org_id("LEIXG-5493001KJTIIGC8Y1R12", Some("US")).is_ok());
        assert!(check_org_id("GOVUS+CA", None).is_ok());
        assert!(check_org_id("NTRDE-HRB12345", Some("FR")).is_err());
        assert!(check_org_id("XYZDE-1", None).is_err());
        assert!(check_org_id("NTRDE", None).is_err());
        assert!(check_org_id("LEIUS-5493001KJTIIGC8Y1R12", None).is_err());
    }

    #[test]
    fn urls_must_be_http() {
        let urls = CaUrls {
            crl: vec!["https://crl.example.com/x.crl".into()],
            ..CaUrls::default()
        };
        assert!(urls.check().is_err());
        assert!(CaUrls::default().check().is_err());
    }
}
