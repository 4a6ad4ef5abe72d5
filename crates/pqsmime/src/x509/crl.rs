//! Certificate revocation lists (RFC 5280 §5): strict parsing, issuing, and the scope and
//! freshness checks that revocation checking during path validation applies (RFC 5280 §6.3).
//!
//! ```text
//! CertificateList ::= SEQUENCE { tbsCertList TBSCertList,
//!     signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
//! TBSCertList ::= SEQUENCE {
//!     version Version OPTIONAL,                 -- v2 (1) when present
//!     signature AlgorithmIdentifier, issuer Name,
//!     thisUpdate Time, nextUpdate Time OPTIONAL,
//!     revokedCertificates SEQUENCE OF SEQUENCE {
//!         userCertificate CertificateSerialNumber, revocationDate Time,
//!         crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
//!     crlExtensions [0] EXPLICIT Extensions OPTIONAL }
//! ```
//!
//! # What [`CrlBuilder`] emits
//!
//! A v2 CRL signed with the CA key's default algorithm (ML-DSA pure with empty context,
//! ECDSA, RSA PKCS #1 v1.5, Ed25519 — the S/MIME BR §7.1.3.2 encodings), issuer = the CA
//! certificate's subject bytes, thisUpdate/nextUpdate, one entry per revoked serial with the
//! revocation date and a non-critical reasonCode when a reason other than `unspecified` is
//! given (S/MIME BR §7.2.2: never `unspecified`), and the non-critical CRL extensions
//! authorityKeyIdentifier (keyIdentifier only) and cRLNumber (RFC 5280 §5.2.1, §5.2.3).
//!
//! # What a parsed [`Crl`] can be used for
//!
//! A CRL with an unknown critical extension, or an unknown critical entry extension, is
//! parsed but marked unusable (RFC 5280 §5.2, §5.3): [`Crl::unusable_reason`]. Delta CRLs
//! and indirect CRLs are recognised and likewise not used to decide a certificate's status
//! (pqsmime does not implement delta or indirect CRL processing).

use std::time::{Duration, SystemTime};

use const_oid::ObjectIdentifier;

use super::ext;
use super::name::{self, names_match};
use super::parse::{parse_bit_string, to_pem};
use super::time::{parse_time, UtcDateTime};
use super::{format_rfc3339, Certificate, Extension, KeyUsage};
use crate::alg::SignatureAlgorithm;
use crate::asn1::{
    self, Reader, Rules, Tlv, TAG_BIT_STRING, TAG_BOOLEAN, TAG_GENERALIZED_TIME, TAG_INTEGER,
    TAG_OCTET_STRING, TAG_SEQUENCE,
};
use crate::error::{Error, Result};
use crate::keys::{PrivateKey, PublicKey};
use crate::oids;

/// deltaCRLIndicator (RFC 5280 §5.2.4).
const EXT_DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
/// issuingDistributionPoint (RFC 5280 §5.2.5).
const EXT_ISSUING_DISTRIBUTION_POINT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
/// freshestCRL (RFC 5280 §5.2.6).
const EXT_FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");
/// invalidityDate entry extension (RFC 5280 §5.3.2).
const EXT_INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
/// certificateIssuer entry extension (RFC 5280 §5.3.3).
const EXT_CERTIFICATE_ISSUER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.29");

const TAG_ENUMERATED: u8 = 0x0A;

/// Upper bound on entries read from one CRL (a hostile-input limit far above real CRLs of
/// S/MIME issuing CAs).
pub const MAX_CRL_ENTRIES: usize = 1_000_000;

/// CRLReason (RFC 5280 §5.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    Unspecified,
    KeyCompromise,
    CaCompromise,
    AffiliationChanged,
    Superseded,
    CessationOfOperation,
    CertificateHold,
    RemoveFromCrl,
    PrivilegeWithdrawn,
    AaCompromise,
}

impl RevocationReason {
    const ALL: [(RevocationReason, u8, &'static str); 10] = [
        (RevocationReason::Unspecified, 0, "unspecified"),
        (RevocationReason::KeyCompromise, 1, "keyCompromise"),
        (RevocationReason::CaCompromise, 2, "cACompromise"),
        (
            RevocationReason::AffiliationChanged,
            3,
            "affiliationChanged",
        ),
        (RevocationReason::Superseded, 4, "superseded"),
        (
            RevocationReason::CessationOfOperation,
            5,
            "cessationOfOperation",
        ),
        (RevocationReason::CertificateHold, 6, "certificateHold"),
        (RevocationReason::RemoveFromCrl, 8, "removeFromCRL"),
        (
            RevocationReason::PrivilegeWithdrawn,
            9,
            "privilegeWithdrawn",
        ),
        (RevocationReason::AaCompromise, 10, "aACompromise"),
    ];

    /// The ENUMERATED value.
    pub fn code(self) -> u8 {
        Self::ALL
            .iter()
            .find(|(r, _, _)| *r == self)
            .map(|(_, c, _)| *c)
            .unwrap_or(0)
    }

    /// The RFC 5280 name, e.g. `keyCompromise`.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(r, _, _)| *r == self)
            .map(|(_, _, n)| *n)
            .unwrap_or("unspecified")
    }

    pub fn from_code(code: u8) -> Option<RevocationReason> {
        Self::ALL
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(r, _, _)| *r)
    }

    /// Parses an RFC 5280 name, case-insensitively and with `-`/`_` ignored
    /// (`keyCompromise`, `key-compromise`, `KEY_COMPROMISE`).
    pub fn from_name(name: &str) -> Result<RevocationReason> {
        let norm = |s: &str| -> String {
            s.chars()
                .filter(|c| *c != '-' && *c != '_')
                .flat_map(char::to_lowercase)
                .collect()
        };
        let want = norm(name);
        Self::ALL
            .iter()
            .find(|(_, _, n)| norm(n) == want)
            .map(|(r, _, _)| *r)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown revocation reason '{name}' (known: {})",
                    Self::ALL
                        .iter()
                        .map(|(_, _, n)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }
}

impl std::fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One entry of `revokedCertificates`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedCertificate {
    /// The serial number INTEGER contents octets, as encoded (compare with
    /// [`Certificate::serial_bytes`]).
    pub serial: Vec<u8>,
    pub revocation_date: SystemTime,
    pub reason: Option<RevocationReason>,
    pub invalidity_date: Option<SystemTime>,
}

impl RevokedCertificate {
    /// The serial in upper-case hex without the sign octet (as [`Certificate::serial_hex`]).
    pub fn serial_hex(&self) -> String {
        serial_hex(&self.serial)
    }
}

fn serial_hex(s: &[u8]) -> String {
    let s = match s {
        [0, rest @ ..] if !rest.is_empty() => rest,
        other => other,
    };
    s.iter().map(|b| format!("{b:02X}")).collect()
}

/// The issuingDistributionPoint extension (RFC 5280 §5.2.5), decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssuingDistributionPoint {
    /// The `fullName` GeneralNames, each as its complete DER encoding.
    pub full_names: Vec<Vec<u8>>,
    /// Whether the point is named relative to the CRL issuer.
    pub relative_name: bool,
    pub only_user_certs: bool,
    pub only_ca_certs: bool,
    pub only_some_reasons: bool,
    pub indirect_crl: bool,
    pub only_attribute_certs: bool,
}

/// A parsed CRL that keeps its exact DER encoding.
#[derive(Clone)]
pub struct Crl {
    der: Vec<u8>,
    version: u8,
    tbs: std::ops::Range<usize>,
    issuer: std::ops::Range<usize>,
    sig_alg: std::ops::Range<usize>,
    signature: std::ops::Range<usize>,
    issuer_string: String,
    this_update: SystemTime,
    next_update: Option<SystemTime>,
    entries: Vec<RevokedCertificate>,
    extensions: Vec<Extension>,
    crl_number: Option<Vec<u8>>,
    aki_key_id: Option<Vec<u8>>,
    delta: bool,
    idp: Option<IssuingDistributionPoint>,
    unusable: Option<String>,
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.issuer_string)
            .field("this_update", &format_rfc3339(self.this_update))
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl PartialEq for Crl {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Crl {}

fn prefix(e: Error, what: &str) -> Error {
    match e {
        Error::Malformed(m) => Error::malformed(format!("{what}: {m}")),
        other => other,
    }
}

fn range_of(base: &[u8], sub: &[u8]) -> std::ops::Range<usize> {
    let start = (sub.as_ptr() as usize).saturating_sub(base.as_ptr() as usize);
    start..start + sub.len()
}

fn read_time(r: &mut Reader<'_>, what: &str) -> Result<SystemTime> {
    let t = r.read().map_err(|e| prefix(e, what))?;
    Ok(parse_time(t.tag, t.value, what)?.to_system_time())
}

/// Checks a CertificateSerialNumber: DER-minimal INTEGER of at most 20 octets of magnitude.
/// Negative and zero serials are tolerated in CRL entries (they exist in the wild and can only
/// match certificates that carry them).
fn check_entry_serial(value: &[u8], what: &str) -> Result<()> {
    let first = *value
        .first()
        .ok_or_else(|| Error::malformed(format!("{what}: empty INTEGER")))?;
    if let Some(&second) = value.get(1) {
        if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
            return Err(Error::malformed(format!(
                "{what}: INTEGER is not minimally encoded (not DER)"
            )));
        }
    }
    if value.len() > 21 {
        return Err(Error::malformed(format!(
            "{what}: serial number of {} octets (RFC 5280 allows at most 20)",
            value.len()
        )));
    }
    Ok(())
}

struct ExtensionsRead {
    list: Vec<Extension>,
}

fn read_extensions(t: &Tlv<'_>, what: &str) -> Result<ExtensionsRead> {
    let mut r = t.reader(Rules::Der);
    let mut list: Vec<Extension> = Vec::new();
    if r.is_empty() {
        return Err(Error::malformed(format!(
            "{what} is present but empty (RFC 5280 requires at least one extension)"
        )));
    }
    while !r.is_empty() {
        if list.len() >= ext::MAX_ELEMENTS {
            return Err(Error::Limit(format!(
                "{what} has more than {} extensions",
                ext::MAX_ELEMENTS
            )));
        }
        let e = r.read_expected(TAG_SEQUENCE, &format!("{what} Extension"))?;
        let mut er = e.reader(Rules::Der);
        let oid = asn1::read_oid(&mut er, &format!("{what} extnID"))?;
        let critical = match er.read_optional(TAG_BOOLEAN)? {
            None => false,
            Some(b) if b.value == [0xFF] => true,
            Some(_) => {
                return Err(Error::malformed(format!(
                    "{what} {}: critical must be omitted when FALSE and 0xFF when TRUE (DER)",
                    crate::alg::describe_oid(&oid)
                )))
            }
        };
        let v = er.read_expected(TAG_OCTET_STRING, &format!("{what} extnValue"))?;
        er.finish(&format!("{what} Extension"))?;
        if list.iter().any(|x| x.oid == oid) {
            return Err(Error::malformed(format!(
                "{what}: extension {} appears more than once",
                crate::alg::describe_oid(&oid)
            )));
        }
        list.push(Extension {
            oid,
            critical,
            value: v.value.to_vec(),
        });
    }
    Ok(ExtensionsRead { list })
}

fn parse_bool(t: &Tlv<'_>, what: &str) -> Result<bool> {
    match t.value {
        [0xFF] => Ok(true),
        [0x00] => Err(Error::malformed(format!(
            "{what} is encoded as FALSE, but DER omits this DEFAULT value"
        ))),
        _ => Err(Error::malformed(format!(
            "{what}: BOOLEAN must be 0xFF in DER"
        ))),
    }
}

fn parse_idp(value: &[u8]) -> Result<IssuingDistributionPoint> {
    let what = "issuingDistributionPoint";
    let t = ext::single(value, TAG_SEQUENCE, what)?;
    let mut r = t.reader(Rules::Der);
    let mut idp = IssuingDistributionPoint::default();
    if let Some(n) = r.read_optional(0xA0)? {
        let (full, rel) =
            ext::distribution_point_name(n.value, &format!("{what} distributionPoint"))?;
        idp.relative_name = rel.is_some();
        if !full.is_empty() {
            // Keep each GeneralName's complete encoding for comparison.
            let inner = ext::single(n.value, 0xA0, what)?;
            let mut gr = inner.reader(Rules::Der);
            while !gr.is_empty() {
                idp.full_names.push(gr.read()?.raw.to_vec());
            }
        }
    }
    if let Some(b) = r.read_optional(0x81)? {
        idp.only_user_certs = parse_bool(&b, "onlyContainsUserCerts")?;
    }
    if let Some(b) = r.read_optional(0x82)? {
        idp.only_ca_certs = parse_bool(&b, "onlyContainsCACerts")?;
    }
    if let Some(b) = r.read_optional(0x83)? {
        parse_bit_string(b.value, "onlySomeReasons")?;
        idp.only_some_reasons = true;
    }
    if let Some(b) = r.read_optional(0x84)? {
        idp.indirect_crl = parse_bool(&b, "indirectCRL")?;
    }
    if let Some(b) = r.read_optional(0x85)? {
        idp.only_attribute_certs = parse_bool(&b, "onlyContainsAttributeCerts")?;
    }
    r.finish(what)?;
    let onlies = [
        idp.only_user_certs,
        idp.only_ca_certs,
        idp.only_attribute_certs,
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if onlies > 1 {
        return Err(Error::malformed(format!(
            "{what} asserts more than one of onlyContainsUserCerts, onlyContainsCACerts and onlyContainsAttributeCerts (RFC 5280 §5.2.5)"
        )));
    }
    Ok(idp)
}

fn parse_crl(der: &[u8]) -> Result<Crl> {
    let mut outer = Reader::new(der);
    let list = outer.read_expected(TAG_SEQUENCE, "CertificateList")?;
    outer.finish("CertificateList")?;
    let mut lr = list.reader(Rules::Der);
    let tbs = lr.read_expected(TAG_SEQUENCE, "tbsCertList")?;
    let sig_alg = lr.read_expected(TAG_SEQUENCE, "CRL signatureAlgorithm")?;
    let sig = lr.read_expected(TAG_BIT_STRING, "CRL signatureValue")?;
    lr.finish("CertificateList")?;
    let (unused, _) = parse_bit_string(sig.value, "CRL signatureValue")?;
    if unused != 0 {
        return Err(Error::malformed(
            "CRL signatureValue is not a whole number of octets",
        ));
    }
    let sig_range = range_of(der, sig.value);

    let mut r = tbs.reader(Rules::Der);
    let version = match r.read_optional(TAG_INTEGER)? {
        None => 1u8,
        Some(v) => {
            match asn1::parse_small_uint(v.value).map_err(|e| prefix(e, "CRL version"))? {
                1 => 2,
                0 => return Err(Error::malformed(
                    "CRL version v1 is encoded explicitly (RFC 5280 §5.1.2.1: omit it, or use v2)",
                )),
                n => {
                    return Err(Error::malformed(format!(
                        "CRL version {} is unknown (RFC 5280 knows v1 and v2)",
                        n + 1
                    )))
                }
            }
        }
    };
    let tbs_sig = r.read_expected(TAG_SEQUENCE, "tbsCertList signature")?;
    if tbs_sig.raw != sig_alg.raw {
        return Err(Error::malformed(
            "CRL signatureAlgorithm differs from tbsCertList.signature (RFC 5280 §5.1.1.2 requires them to be equal)",
        ));
    }
    asn1::parse_algorithm_identifier(sig_alg.raw)?;
    let issuer = r.read_expected(TAG_SEQUENCE, "CRL issuer")?;
    let issuer_rdns = name::parse_name(issuer.raw, "CRL issuer")?;
    if issuer_rdns.is_empty() {
        return Err(Error::malformed(
            "CRL issuer name is empty (RFC 5280 §5.1.2.3 requires a non-empty issuer)",
        ));
    }
    let this_update = read_time(&mut r, "CRL thisUpdate")?;
    let next_update = match r.peek_tag() {
        Some(asn1::TAG_UTC_TIME | TAG_GENERALIZED_TIME) => {
            Some(read_time(&mut r, "CRL nextUpdate")?)
        }
        _ => None,
    };
    let mut crl = Crl {
        der: der.to_vec(),
        version,
        tbs: range_of(der, tbs.raw),
        issuer: range_of(der, issuer.raw),
        sig_alg: range_of(der, sig_alg.raw),
        signature: sig_range.start + 1..sig_range.end,
        issuer_string: name::name_to_string(&issuer_rdns),
        this_update,
        next_update,
        entries: Vec::new(),
        extensions: Vec::new(),
        crl_number: None,
        aki_key_id: None,
        delta: false,
        idp: None,
        unusable: None,
    };
    if let Some(revoked) = r.read_optional(TAG_SEQUENCE)? {
        let mut rr = revoked.reader(Rules::Der);
        while !rr.is_empty() {
            if crl.entries.len() >= MAX_CRL_ENTRIES {
                return Err(Error::Limit(format!(
                    "CRL lists more than {MAX_CRL_ENTRIES} revoked certificates"
                )));
            }
            let n = crl.entries.len() + 1;
            let what = format!("CRL entry {n}");
            let e = rr.read_expected(TAG_SEQUENCE, &what)?;
            let mut er = e.reader(Rules::Der);
            let serial = er.read_expected(TAG_INTEGER, &format!("{what} userCertificate"))?;
            check_entry_serial(serial.value, &format!("{what} userCertificate"))?;
            let revocation_date = read_time(&mut er, &format!("{what} revocationDate"))?;
            let mut entry = RevokedCertificate {
                serial: serial.value.to_vec(),
                revocation_date,
                reason: None,
                invalidity_date: None,
            };
            if let Some(x) = er.read_optional(TAG_SEQUENCE)? {
                if version != 2 {
                    return Err(Error::malformed(format!(
                        "{what} has extensions but the CRL is v1 (RFC 5280 §5.1.2.6)"
                    )));
                }
                let exts = read_extensions(&x, &format!("{what} crlEntryExtensions"))?;
                for x in exts.list {
                    if x.oid == oids::EXT_CRL_REASON {
                        let t =
                            ext::single(&x.value, TAG_ENUMERATED, &format!("{what} reasonCode"))?;
                        let code = asn1::parse_small_uint(t.value)
                            .map_err(|e| prefix(e, &format!("{what} reasonCode")))?;
                        let reason = u8::try_from(code)
                            .ok()
                            .and_then(RevocationReason::from_code)
                            .ok_or_else(|| {
                                Error::malformed(format!(
                                    "{what}: reasonCode {code} is not defined (RFC 5280 §5.3.1)"
                                ))
                            })?;
                        entry.reason = Some(reason);
                    } else if x.oid == EXT_INVALIDITY_DATE {
                        let t = ext::single(
                            &x.value,
                            TAG_GENERALIZED_TIME,
                            &format!("{what} invalidityDate"),
                        )?;
                        entry.invalidity_date = Some(
                            parse_time(t.tag, t.value, &format!("{what} invalidityDate"))?
                                .to_system_time(),
                        );
                    } else if x.oid == EXT_CERTIFICATE_ISSUER {
                        crl.unusable.get_or_insert_with(|| {
                            format!("{what} has a certificateIssuer extension (an indirect CRL, which pqsmime does not process)")
                        });
                    } else if x.critical {
                        crl.unusable.get_or_insert_with(|| {
                            format!(
                                "{what} has an unknown critical extension {} (RFC 5280 §5.3 forbids using such a CRL)",
                                crate::alg::describe_oid(&x.oid)
                            )
                        });
                    }
                }
            }
            er.finish(&what)?;
            crl.entries.push(entry);
        }
    }
    if let Some(x) = r.read_optional(0xA0)? {
        if version != 2 {
            return Err(Error::malformed(
                "CRL has extensions but is v1 (RFC 5280 §5.1.2.7)",
            ));
        }
        let seq = ext::single(x.value, TAG_SEQUENCE, "crlExtensions")?;
        let exts = read_extensions(&seq, "crlExtensions")?;
        for x in &exts.list {
            let what = format!("CRL extension {}", crate::alg::describe_oid(&x.oid));
            if x.oid == oids::EXT_AUTHORITY_KEY_IDENTIFIER {
                let t = ext::single(&x.value, TAG_SEQUENCE, &what)?;
                let mut ar = t.reader(Rules::Der);
                if let Some(k) = ar.read_optional(0x80)? {
                    crl.aki_key_id = Some(k.value.to_vec());
                }
                if let Some(g) = ar.read_optional(0xA1)? {
                    ext::parse_general_names(g.value, &what)?;
                }
                ar.read_optional(0x82)?;
                ar.finish(&what)?;
            } else if x.oid == oids::EXT_CRL_NUMBER {
                let t = ext::single(&x.value, TAG_INTEGER, &what)?;
                check_entry_serial(t.value, &what)?;
                if t.value[0] & 0x80 != 0 {
                    return Err(Error::malformed(format!(
                        "{what} is negative (RFC 5280 §5.2.3)"
                    )));
                }
                crl.crl_number = Some(t.value.to_vec());
            } else if x.oid == EXT_DELTA_CRL_INDICATOR {
                ext::single(&x.value, TAG_INTEGER, &what)?;
                crl.delta = true;
                crl.unusable.get_or_insert_with(|| {
                    "it is a delta CRL, which pqsmime does not combine with a base CRL".to_string()
                });
            } else if x.oid == EXT_ISSUING_DISTRIBUTION_POINT {
                let idp = parse_idp(&x.value)?;
                if idp.indirect_crl {
                    crl.unusable.get_or_insert_with(|| {
                        "it is an indirect CRL, which pqsmime does not process".to_string()
                    });
                }
                crl.idp = Some(idp);
            } else if x.oid == oids::EXT_ISSUER_ALT_NAME {
                let t = ext::single(&x.value, TAG_SEQUENCE, &what)?;
                ext::parse_general_names(t.value, &what)?;
            } else if x.critical && x.oid != EXT_FRESHEST_CRL {
                crl.unusable.get_or_insert_with(|| {
                    format!(
                        "it has an unknown critical extension {} (RFC 5280 §5.2 forbids using such a CRL)",
                        crate::alg::describe_oid(&x.oid)
                    )
                });
            }
        }
        crl.extensions = exts.list;
    }
    r.finish("tbsCertList")?;
    Ok(crl)
}

/// Upper bound on CRLs read from one PEM input.
const MAX_PEM_CRLS: usize = 1_000;

impl Crl {
    /// Parses one DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        parse_crl(der)
    }

    /// Every `X509 CRL` block of a PEM text (other blocks are skipped), or one DER CRL.
    pub fn from_pem_or_der(data: &[u8]) -> Result<Vec<Crl>> {
        if data.first() == Some(&0x30) {
            return Ok(vec![Crl::from_der(data)?]);
        }
        let blocks = pem_blocks(data, "X509 CRL")?;
        if blocks.is_empty() {
            return Err(Error::malformed(
                "no CRL found: expected PEM '-----BEGIN X509 CRL-----' blocks or one DER CRL",
            ));
        }
        if blocks.len() > MAX_PEM_CRLS {
            return Err(Error::Limit(format!(
                "more than {MAX_PEM_CRLS} CRLs in one PEM input"
            )));
        }
        blocks.iter().map(|d| Crl::from_der(d)).collect()
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// PEM (`-----BEGIN X509 CRL-----`).
    pub fn to_pem(&self) -> String {
        to_pem("X509 CRL", &self.der)
    }

    /// 1 or 2.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// DER of the issuer `Name`, as encoded.
    pub fn issuer_der(&self) -> &[u8] {
        &self.der[self.issuer.clone()]
    }

    /// The issuer in RFC 4514 style.
    pub fn issuer_string(&self) -> String {
        self.issuer_string.clone()
    }

    /// The DER of `tbsCertList`, the bytes the signature covers.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    pub fn signature_algorithm_der(&self) -> &[u8] {
        &self.der[self.sig_alg.clone()]
    }

    pub fn signature_value(&self) -> &[u8] {
        &self.der[self.signature.clone()]
    }

    pub fn signature_algorithm(&self) -> Result<SignatureAlgorithm> {
        SignatureAlgorithm::from_algorithm_identifier(self.signature_algorithm_der(), None)
    }

    pub fn this_update(&self) -> SystemTime {
        self.this_update
    }

    pub fn next_update(&self) -> Option<SystemTime> {
        self.next_update
    }

    /// The revoked certificates, in encoded order.
    pub fn entries(&self) -> &[RevokedCertificate] {
        &self.entries
    }

    /// All CRL extensions, in encoded order.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The cRLNumber INTEGER contents, if present.
    pub fn crl_number(&self) -> Option<&[u8]> {
        self.crl_number.as_deref()
    }

    /// The cRLNumber in upper-case hex, if present.
    pub fn crl_number_hex(&self) -> Option<String> {
        self.crl_number.as_deref().map(serial_hex)
    }

    /// The keyIdentifier of the authorityKeyIdentifier extension, if present.
    pub fn authority_key_identifier(&self) -> Option<&[u8]> {
        self.aki_key_id.as_deref()
    }

    /// Whether this is a delta CRL (deltaCRLIndicator present).
    pub fn is_delta(&self) -> bool {
        self.delta
    }

    /// The issuingDistributionPoint extension, if present.
    pub fn issuing_distribution_point(&self) -> Option<&IssuingDistributionPoint> {
        self.idp.as_ref()
    }

    /// Why this CRL cannot be used to decide any certificate's status (unknown critical
    /// extension, delta or indirect CRL), or `None` when it can.
    pub fn unusable_reason(&self) -> Option<&str> {
        self.unusable.as_deref()
    }

    /// The entry for a certificate serial (INTEGER contents octets, as
    /// [`Certificate::serial_bytes`] returns them).
    pub fn find(&self, serial: &[u8]) -> Option<&RevokedCertificate> {
        self.entries.iter().find(|e| e.serial == serial)
    }

    /// Whether the CRL names `issuer` as its issuer (RFC 5280 §7.1 comparison) and, when both
    /// sides carry key identifiers, its authorityKeyIdentifier is `issuer`'s
    /// subjectKeyIdentifier.
    pub fn is_from(&self, issuer: &Certificate) -> bool {
        if !names_match(self.issuer_der(), issuer.subject_der()) {
            return false;
        }
        match (
            self.authority_key_identifier(),
            issuer.subject_key_identifier(),
        ) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }

    /// Verifies the CRL signature with the issuer's key.
    pub fn verify_signature(&self, issuer_key: &PublicKey) -> Result<()> {
        let alg = self.signature_algorithm()?;
        if !alg.matches_key(issuer_key.kind()) {
            return Err(Error::BadSignature(format!(
                "the CRL of '{}' is signed with {alg}, which a {} key cannot make",
                self.issuer_string,
                issuer_key.kind()
            )));
        }
        issuer_key
            .verify(alg, self.tbs_der(), self.signature_value())
            .map_err(|e| match e {
                Error::BadSignature(m) => {
                    Error::BadSignature(format!("the CRL of '{}': {m}", self.issuer_string))
                }
                other => other,
            })
    }

    /// Checks that the CRL was issued by `issuer` and may be used to decide the status of
    /// certificates it issued at time `at`: issuer name, a CA whose keyUsage (when present)
    /// includes cRLSign, the signature, and `thisUpdate <= at <= nextUpdate`.
    pub fn check_issued_by(&self, issuer: &Certificate, at: SystemTime) -> Result<()> {
        if !names_match(self.issuer_der(), issuer.subject_der()) {
            return Err(Error::Certificate(format!(
                "the CRL was issued by '{}', not by '{}'",
                self.issuer_string,
                issuer.subject_string()
            )));
        }
        if let Some(ku) = issuer.key_usage() {
            if !ku.contains(KeyUsage::CRL_SIGN) {
                return Err(Error::Certificate(format!(
                    "'{}' may not sign CRLs: its keyUsage ({ku}) lacks cRLSign (RFC 5280 §6.3.3 (f))",
                    issuer.subject_string()
                )));
            }
        }
        let key = issuer.public_key()?;
        self.verify_signature(&key)?;
        self.check_time(at)
    }

    /// `thisUpdate <= at <= nextUpdate` (a CRL without nextUpdate is not stale).
    pub fn check_time(&self, at: SystemTime) -> Result<()> {
        if at < self.this_update {
            return Err(Error::Certificate(format!(
                "the CRL of '{}' is not valid yet: thisUpdate is {}",
                self.issuer_string,
                format_rfc3339(self.this_update)
            )));
        }
        if let Some(next) = self.next_update {
            if at > next {
                return Err(Error::Certificate(format!(
                    "the CRL of '{}' is out of date: its nextUpdate was {}",
                    self.issuer_string,
                    format_rfc3339(next)
                )));
            }
        }
        Ok(())
    }

    /// Whether the CRL's scope (issuingDistributionPoint) covers `cert` (RFC 5280 §6.3.3
    /// (b)): user/CA/attribute-only restrictions, partitioning by reasons, and the
    /// distribution point name against the certificate's cRLDistributionPoints. `Err` says why
    /// not.
    pub fn covers(&self, cert: &Certificate) -> std::result::Result<(), String> {
        if let Some(why) = &self.unusable {
            return Err(why.clone());
        }
        let Some(idp) = &self.idp else {
            return Ok(());
        };
        if idp.only_user_certs && cert.is_ca() {
            return Err("it covers only end-entity certificates (onlyContainsUserCerts)".into());
        }
        if idp.only_ca_certs && !cert.is_ca() {
            return Err("it covers only CA certificates (onlyContainsCACerts)".into());
        }
        if idp.only_attribute_certs {
            return Err("it covers only attribute certificates".into());
        }
        if idp.only_some_reasons {
            return Err(
                "it covers only some revocation reasons (onlySomeReasons), and pqsmime does not combine partial CRLs"
                    .into(),
            );
        }
        if idp.relative_name {
            return Err(
                "its distribution point is named relative to the issuer, which pqsmime does not match".into(),
            );
        }
        if idp.full_names.is_empty() {
            return Ok(());
        }
        let dps = match cert.extension(&oids::EXT_CRL_DISTRIBUTION_POINTS) {
            Some(e) => raw_dp_full_names(&e.value).map_err(|e| e.to_string())?,
            None => Vec::new(),
        };
        let matches = idp.full_names.iter().any(|a| {
            dps.iter().any(|b| {
                a == b
                    || match (ext_directory(a), ext_directory(b)) {
                        (Some(x), Some(y)) => names_match(&x, &y),
                        _ => false,
                    }
            })
        });
        if matches {
            Ok(())
        } else {
            Err("its issuingDistributionPoint names a distribution point that is not among the certificate's cRLDistributionPoints".into())
        }
    }
}

/// The DER of a `Name` inside a directoryName GeneralName encoding, if it is one.
fn ext_directory(gn: &[u8]) -> Option<Vec<u8>> {
    let mut r = Reader::new(gn);
    let t = r.read().ok()?;
    (t.tag == 0xA4).then(|| t.value.to_vec())
}

/// The complete encodings of every fullName GeneralName in a cRLDistributionPoints value.
fn raw_dp_full_names(value: &[u8]) -> Result<Vec<Vec<u8>>> {
    ext::crl_distribution_points(value)?; // structure check
    let seq = ext::single(value, TAG_SEQUENCE, "cRLDistributionPoints")?;
    let mut r = seq.reader(Rules::Der);
    let mut out = Vec::new();
    while !r.is_empty() {
        let dp = r.read()?;
        let mut dr = dp.reader(Rules::Der);
        if let Some(n) = dr.read_optional(0xA0)? {
            let mut nr = n.reader(Rules::Der);
            if let Some(full) = nr.read_optional(0xA0)? {
                let mut gr = full.reader(Rules::Der);
                while !gr.is_empty() {
                    out.push(gr.read()?.raw.to_vec());
                }
            }
        }
    }
    Ok(out)
}

/// Every PEM block with `label`, decoded.
pub(crate) fn pem_blocks(data: &[u8], label: &str) -> Result<Vec<Vec<u8>>> {
    let text = String::from_utf8_lossy(data);
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(pos) = rest.find(&begin) {
        let body_start = &rest[pos + begin.len()..];
        let Some(stop) = body_start.find(&end) else {
            return Err(Error::malformed(format!(
                "PEM block '{label}' has no matching END line"
            )));
        };
        let b64: String = body_start[..stop]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).map_err(|e| {
            Error::malformed(format!(
                "PEM block {} ({label}) is not valid Base64: {e}",
                out.len() + 1
            ))
        })?;
        out.push(der);
        rest = &body_start[stop + end.len()..];
    }
    Ok(out)
}

// -----------------------------------------------------------------------------------------
// Issuing

/// Builds and signs a CRL; see the module documentation for what it contains.
pub struct CrlBuilder<'a> {
    issuer: &'a Certificate,
    key: &'a PrivateKey,
    this_update: Option<SystemTime>,
    next_update: Option<SystemTime>,
    days: u32,
    number: Option<Vec<u8>>,
    entries: Vec<RevokedCertificate>,
}

/// Default CRL lifetime of [`CrlBuilder`]: 7 days (a common S/MIME CA practice; the S/MIME
/// BR defer to the TLS BR's at most 10 days for subscriber-certificate CRLs).
pub const DEFAULT_CRL_DAYS: u32 = 7;

impl<'a> CrlBuilder<'a> {
    /// A CRL for `issuer`, signed with `key`. Checks that the key belongs to the certificate,
    /// which must be a CA allowed to sign CRLs (keyUsage cRLSign when keyUsage is present).
    pub fn new(issuer: &'a Certificate, key: &'a PrivateKey) -> Result<CrlBuilder<'a>> {
        if key.public_key().spki_der() != issuer.spki_der() {
            return Err(Error::Usage(format!(
                "the CA key does not belong to the CA certificate '{}'",
                issuer.subject_string()
            )));
        }
        if !issuer.is_ca() {
            return Err(Error::Usage(format!(
                "'{}' is not a CA certificate (basicConstraints cA is not TRUE), so it cannot issue CRLs",
                issuer.subject_string()
            )));
        }
        if let Some(ku) = issuer.key_usage() {
            if !ku.contains(KeyUsage::CRL_SIGN) {
                return Err(Error::Usage(format!(
                    "the CA certificate '{}' has a keyUsage without cRLSign, so its CRLs would be refused",
                    issuer.subject_string()
                )));
            }
        }
        if key.kind().default_signature_algorithm().is_none() {
            return Err(Error::Usage(format!(
                "a {} key cannot sign CRLs",
                key.kind().name()
            )));
        }
        Ok(CrlBuilder {
            issuer,
            key,
            this_update: None,
            next_update: None,
            days: DEFAULT_CRL_DAYS,
            number: None,
            entries: Vec::new(),
        })
    }

    /// thisUpdate (default: now).
    pub fn this_update(mut self, t: SystemTime) -> Self {
        self.this_update = Some(t);
        self
    }

    /// nextUpdate (default: thisUpdate + [`days`](Self::days)).
    pub fn next_update(mut self, t: SystemTime) -> Self {
        self.next_update = Some(t);
        self
    }

    /// Days from thisUpdate to nextUpdate.
    pub fn days(mut self, days: u32) -> Self {
        self.days = days;
        self
    }

    /// The cRLNumber (big-endian magnitude, at most 20 octets). Default: thisUpdate in
    /// seconds since the Unix epoch, which grows with every CRL issued at least a second
    /// apart (RFC 5280 §5.2.3 wants monotonically increasing numbers).
    pub fn number(mut self, n: &[u8]) -> Result<Self> {
        let skip = n.iter().take_while(|b| **b == 0).count();
        let m = &n[skip..];
        if m.len() > 20 {
            return Err(Error::Usage(
                "a CRL number may have at most 20 octets (RFC 5280 §5.2.3)".into(),
            ));
        }
        self.number = Some(m.to_vec());
        Ok(self)
    }

    /// Adds a revoked serial (big-endian magnitude bytes or INTEGER contents) with its
    /// revocation date and reason. `Some(Unspecified)` is refused (S/MIME BR §7.2.2: omit
    /// the reasonCode instead), and so is `RemoveFromCrl` (only meaningful in delta CRLs).
    pub fn revoke(
        mut self,
        serial: &[u8],
        date: SystemTime,
        reason: Option<RevocationReason>,
    ) -> Result<Self> {
        match reason {
            Some(RevocationReason::Unspecified) => {
                return Err(Error::Usage(
                    "the reason 'unspecified' is not used: the S/MIME BR §7.2.2 and RFC 5280 §5.3.1 say to omit the reasonCode instead".into(),
                ))
            }
            Some(RevocationReason::RemoveFromCrl) => {
                return Err(Error::Usage(
                    "removeFromCRL is only meaningful in delta CRLs, which pqsmime does not issue".into(),
                ))
            }
            _ => {}
        }
        let contents = asn1::integer_unsigned(serial);
        // integer_unsigned gives 02 len contents; keep the contents.
        let value = contents.get(2..).unwrap_or_default().to_vec();
        if value.iter().all(|b| *b == 0) {
            return Err(Error::Usage(
                "a revoked serial number must be positive".into(),
            ));
        }
        if value.len() > 21 {
            return Err(Error::Usage(
                "a serial number may have at most 20 octets".into(),
            ));
        }
        if let Some(e) = self.entries.iter_mut().find(|e| e.serial == value) {
            e.revocation_date = date;
            e.reason = reason;
        } else {
            self.entries.push(RevokedCertificate {
                serial: value,
                revocation_date: date,
                reason,
                invalidity_date: None,
            });
        }
        Ok(self)
    }

    /// Revokes a certificate this CA issued, checking that it did and applying the S/MIME BR
    /// §7.2.2 reason rules: a CA certificate needs a reason, and certificateHold is never
    /// used for CA certificates or Strict-generation subscriber certificates.
    pub fn revoke_certificate(
        self,
        cert: &Certificate,
        date: SystemTime,
        reason: Option<RevocationReason>,
    ) -> Result<Self> {
        let key_ids_differ = matches!(
            (cert.authority_key_identifier(), self.issuer.subject_key_identifier()),
            (Some(a), Some(s)) if a != s
        );
        if key_ids_differ || !names_match(cert.issuer_der(), self.issuer.subject_der()) {
            return Err(Error::Usage(format!(
                "certificate '{}' was issued by '{}', not by this CA '{}'",
                cert.subject_string(),
                cert.issuer_string(),
                self.issuer.subject_string()
            )));
        }
        if cert.is_ca() {
            match reason {
                None => {
                    return Err(Error::Usage(format!(
                        "revoking the CA certificate '{}' needs a reason (S/MIME BR §7.2.2)",
                        cert.subject_string()
                    )))
                }
                Some(RevocationReason::CertificateHold) => {
                    return Err(Error::Usage(
                        "certificateHold is never used for CA certificates (S/MIME BR §7.2.2)"
                            .into(),
                    ))
                }
                _ => {}
            }
        } else if reason == Some(RevocationReason::CertificateHold) && is_strict(cert) {
            return Err(Error::Usage(format!(
                "certificateHold is not allowed for the Strict-generation certificate '{}' (S/MIME BR §7.2.2)",
                cert.subject_string()
            )));
        }
        let serial = cert.serial_bytes().to_vec();
        self.revoke(&serial, date, reason)
    }

    /// Signs the CRL and returns it parsed back (its signature checked).
    pub fn sign(self) -> Result<Crl> {
        let alg = self
            .key
            .kind()
            .default_signature_algorithm()
            .ok_or_else(|| Error::Usage("the CA key cannot sign".into()))?;
        let this_update = self.this_update.unwrap_or_else(SystemTime::now);
        let next_update = match self.next_update {
            Some(t) => t,
            None => {
                if self.days == 0 {
                    return Err(Error::Usage(
                        "a CRL must be valid for at least one day".into(),
                    ));
                }
                this_update
                    .checked_add(Duration::from_secs(u64::from(self.days) * 86_400))
                    .ok_or_else(|| Error::Usage("the CRL lifetime is too long".into()))?
            }
        };
        if next_update <= this_update {
            return Err(Error::Usage(
                "nextUpdate must be later than thisUpdate".into(),
            ));
        }
        let number = match self.number {
            Some(n) => n,
            None => {
                let secs = this_update
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                secs.to_be_bytes().to_vec()
            }
        };
        let aki = match self.issuer.subject_key_identifier() {
            Some(s) => s.to_vec(),
            None => self.key.public_key().key_identifier().to_vec(),
        };
        let alg_id = alg.algorithm_identifier();
        let mut tbs = Vec::new();
        tbs.extend(asn1::integer_u64(1)); // v2
        tbs.extend_from_slice(&alg_id);
        tbs.extend_from_slice(self.issuer.subject_der());
        tbs.extend(UtcDateTime::from_system_time(this_update).to_der()?);
        tbs.extend(UtcDateTime::from_system_time(next_update).to_der()?);
        if !self.entries.is_empty() {
            let mut list = Vec::new();
            for e in &self.entries {
                let mut body = asn1::tlv(TAG_INTEGER, &e.serial);
                body.extend(UtcDateTime::from_system_time(e.revocation_date).to_der()?);
                if let Some(r) = e.reason {
                    let ext = Extension {
                        oid: oids::EXT_CRL_REASON,
                        critical: false,
                        value: asn1::tlv(TAG_ENUMERATED, &[r.code()]),
                    };
                    body.extend(asn1::tlv(TAG_SEQUENCE, &ext.to_der()));
                }
                list.extend(asn1::tlv(TAG_SEQUENCE, &body));
            }
            tbs.extend(asn1::tlv(TAG_SEQUENCE, &list));
        }
        let exts = [
            Extension::authority_key_identifier(&aki),
            Extension {
                oid: oids::EXT_CRL_NUMBER,
                critical: false,
                value: asn1::integer_unsigned(&number),
            },
        ];
        let exts: Vec<u8> = exts.iter().flat_map(Extension::to_der).collect();
        tbs.extend(asn1::tlv(0xA0, &asn1::tlv(TAG_SEQUENCE, &exts)));
        let tbs = asn1::tlv(TAG_SEQUENCE, &tbs);
        let signature = self.key.sign(alg, &tbs)?;
        let der = asn1::sequence(&[&tbs, &alg_id, &asn1::bit_string(&signature)]);
        let crl = Crl::from_der(&der)?;
        crl.verify_signature(&self.key.public_key())
            .map_err(|e| Error::Crypto(format!("the CRL just signed does not verify: {e}")))?;
        Ok(crl)
    }
}

/// Whether a certificate carries a Strict-generation S/MIME BR policy OID (2.23.140.1.5.x.3).
fn is_strict(cert: &Certificate) -> bool {
    let Some(e) = cert.extension(&oids::EXT_CERTIFICATE_POLICIES) else {
        return false;
    };
    let Ok(policies) = ext::certificate_policies(&e.value) else {
        return false;
    };
    policies.iter().any(|p| {
        crate::lint::SmimeProfile::from_policy_oid(p)
            .is_some_and(|p| p.generation == crate::lint::Generation::Strict)
    })
}

/// Parses a serial number written as hex (`0x` prefix and `:` separators allowed), as
/// `openssl x509 -serial` and `pqsmime inspect` print it; returns the big-endian magnitude.
pub fn parse_serial_hex(s: &str) -> Result<Vec<u8>> {
    let t = s.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .or_else(|| t.strip_prefix("serial="))
        .unwrap_or(t);
    let hex: String = t.chars().filter(|c| *c != ':').collect();
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::Usage(format!(
            "'{s}' is not a serial number in hex (e.g. 0x1A2B or 1A:2B)"
        )));
    }
    let padded = if hex.len() % 2 == 1 {
        format!("0{hex}")
    } else {
        hex
    };
    let bytes: Vec<u8> = padded
        .as_bytes()
        .chunks(2)
        .map(|c| {
            let hi = (c[0] as char).to_digit(16).unwrap_or(0) as u8;
            let lo = (c[1] as char).to_digit(16).unwrap_or(0) as u8;
            (hi << 4) | lo
        })
        .collect();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let m = bytes[skip..].to_vec();
    if m.is_empty() {
        return Err(Error::Usage(format!("serial number '{s}' is zero")));
    }
    if m.len() > 20 {
        return Err(Error::Usage(format!(
            "serial number '{s}' is longer than 20 octets"
        )));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::{KeyKind, MlDsaLevel};
    use crate::x509::{CertificateBuilder, Usage};

    fn ca() -> (PrivateKey, Certificate) {
        let k = PrivateKey::generate(KeyKind::Ed25519).unwrap();
        let c = CertificateBuilder::ca("CN=CRL Test CA,O=Example,C=DE", &k)
            .unwrap()
            .sign(None)
            .unwrap();
        (k, c)
    }

    #[test]
    fn reasons_by_name_and_code() {
        assert_eq!(
            RevocationReason::from_name("key-compromise").unwrap(),
            RevocationReason::KeyCompromise
        );
        assert_eq!(
            RevocationReason::from_name("cACompromise").unwrap().code(),
            2
        );
        assert_eq!(
            RevocationReason::from_code(8),
            Some(RevocationReason::RemoveFromCrl)
        );
        assert_eq!(RevocationReason::from_code(7), None);
        assert!(RevocationReason::from_name("bogus").is_err());
    }

    #[test]
    fn build_parse_round_trip_and_lookup() {
        let (k, c) = ca();
        let now = SystemTime::now();
        let crl = CrlBuilder::new(&c, &k)
            .unwrap()
            .this_update(now)
            .number(&[0x01, 0x00])
            .unwrap()
            .revoke(&[0x12, 0x34], now, Some(RevocationReason::KeyCompromise))
            .unwrap()
            .revoke(&[0x80], now, None)
            .unwrap()
            .sign()
            .unwrap();
        assert_eq!(crl.version(), 2);
        assert_eq!(crl.entries().len(), 2);
        assert_eq!(crl.crl_number_hex().as_deref(), Some("0100"));
        assert_eq!(
            crl.find(&[0x12, 0x34]).unwrap().reason,
            Some(RevocationReason::KeyCompromise)
        );
        // 0x80 is encoded with a leading zero octet, as in certificates
        assert_eq!(crl.find(&[0x00, 0x80]).unwrap().serial_hex(), "80");
        assert!(crl.find(&[0x80]).is_none());
        assert!(crl.is_from(&c));
        crl.check_issued_by(&c, now).unwrap();
        assert!(crl
            .check_time(now + Duration::from_secs(8 * 86_400))
            .is_err());
        assert!(crl.check_time(now - Duration::from_secs(10)).is_err());
        let again = Crl::from_pem_or_der(crl.to_pem().as_bytes()).unwrap();
        assert_eq!(again, vec![crl.clone()]);
        // a flipped signature bit fails
        let mut bad = crl.der().to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let bad = Crl::from_der(&bad).unwrap();
        assert!(bad.check_issued_by(&c, now).is_err());
    }

    #[test]
    fn builder_refuses_what_the_rules_forbid() {
        let (k, c) = ca();
        let now = SystemTime::now();
        let b = CrlBuilder::new(&c, &k).unwrap();
        assert!(b
            .revoke(&[1], now, Some(RevocationReason::Unspecified))
            .is_err());
        let ee_key = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L44)).unwrap();
        let ee = CertificateBuilder::end_entity("a@example.com", &ee_key.public_key(), Usage::Sign)
            .unwrap()
            .sign(Some((&c, &k)))
            .unwrap();
        // an end entity cannot issue CRLs
        assert!(CrlBuilder::new(&ee, &ee_key).is_err());
        // the CA key must match
        assert!(CrlBuilder::new(&c, &ee_key).is_err());
        // revoking a CA certificate needs a reason
        let (k2, c2) = ca();
        let sub = CertificateBuilder::ca("CN=Sub,O=Example,C=DE", &k2)
            .unwrap()
            .sign(Some((&c, &k)))
            .unwrap();
        let e = CrlBuilder::new(&c, &k)
            .unwrap()
            .revoke_certificate(&sub, now, None)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("needs a reason"), "{e}");
        // a certificate of another CA is refused
        assert!(CrlBuilder::new(&c2, &k2)
            .unwrap()
            .revoke_certificate(&ee, now, None)
            .is_err());
    }

    #[test]
    fn certificate_hold_is_refused_for_strict_certificates() {
        use crate::lint::SmimeProfile;
        use crate::x509::{issue_smime, CaUrls, SmimeRequest};
        let (k, c) = ca();
        let ee_key = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L44)).unwrap();
        let urls = CaUrls {
            crl: vec!["http://crl.example.com/ca.crl".into()],
            ..CaUrls::default()
        };
        let pk = ee_key.public_key();
        let issue = |profile: &str| {
            let p = SmimeProfile::from_name(profile).unwrap();
            issue_smime(
                &SmimeRequest::new(p, &pk, Usage::Sign, "a@example.com", urls.clone()),
                &c,
                &k,
            )
            .unwrap()
            .certificate
        };
        let strict = issue("mailbox-strict");
        let multi = issue("mailbox-multipurpose");
        let hold = Some(RevocationReason::CertificateHold);
        let now = SystemTime::now();
        let e = CrlBuilder::new(&c, &k)
            .unwrap()
            .revoke_certificate(&strict, now, hold)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("Strict") && e.contains("§7.2.2"), "{e}");
        assert!(CrlBuilder::new(&c, &k)
            .unwrap()
            .revoke_certificate(&multi, now, hold)
            .is_ok());
    }

    #[test]
    fn unknown_critical_extensions_make_a_crl_unusable() {
        let (k, c) = ca();
        let crl = CrlBuilder::new(&c, &k).unwrap().sign().unwrap();
        assert!(crl.unusable_reason().is_none());
        // Re-sign a tbs with an extra critical extension.
        let mut tbs = crl.tbs_der().to_vec();
        let extra = Extension {
            oid: ObjectIdentifier::new_unwrap("1.2.3.4"),
            critical: true,
            value: vec![0x05, 0x00],
        }
        .to_der();
        // Rebuild: replace the extensions wrapper with one that has the extra extension.
        let mut r = Reader::new(&tbs);
        let seq = r.read().unwrap();
        let mut fields = Vec::new();
        let mut fr = seq.reader(Rules::Der);
        while !fr.is_empty() {
            let f = fr.read().unwrap();
            if f.tag == 0xA0 {
                let inner = ext::single(f.value, TAG_SEQUENCE, "x").unwrap();
                let mut v = inner.value.to_vec();
                v.extend(&extra);
                fields.extend(asn1::tlv(0xA0, &asn1::tlv(TAG_SEQUENCE, &v)));
            } else {
                fields.extend_from_slice(f.raw);
            }
        }
        tbs = asn1::tlv(TAG_SEQUENCE, &fields);
        let alg = k.kind().default_signature_algorithm().unwrap();
        let sig = k.sign(alg, &tbs).unwrap();
        let der = asn1::sequence(&[&tbs, &alg.algorithm_identifier(), &asn1::bit_string(&sig)]);
        let crl = Crl::from_der(&der).unwrap();
        assert!(crl.unusable_reason().unwrap().contains("unknown critical"));
        let ee_key = PrivateKey::generate(KeyKind::Ed25519).unwrap();
        let ee = CertificateBuilder::end_entity("a@example.com", &ee_key.public_key(), Usage::Sign)
            .unwrap()
            .sign(Some((&c, &k)))
            .unwrap();
        assert!(crl.covers(&ee).is_err());
    }

    #[test]
    fn malformed_crls_are_refused() {
        assert!(Crl::from_der(&[0x30, 0x00]).is_err());
        assert!(Crl::from_der(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
        assert!(Crl::from_pem_or_der(b"no pem here").is_err());
    }

    #[test]
    fn serial_hex_parsing() {
        assert_eq!(parse_serial_hex("0x1A2B").unwrap(), [0x1A, 0x2B]);
        assert_eq!(parse_serial_hex("1a:2b").unwrap(), [0x1A, 0x2B]);
        assert_eq!(parse_serial_hex("serial=0ABC").unwrap(), [0x0A, 0xBC]);
        assert!(parse_serial_hex("xyz").is_err());
        assert!(parse_serial_hex("00").is_err());
    }
}
