//! Certification path building and validation in the style of RFC 5280 §6.
//!
//! [`validate_path`] searches depth-first from the end entity towards a trust anchor. At each
//! step the candidates are the anchors (tried first) and then the intermediates whose subject
//! matches the current certificate's issuer (DER equality or RFC 5280 §7.1 comparison) and,
//! when both sides carry key identifiers, whose subjectKeyIdentifier equals the
//! authorityKeyIdentifier. A candidate that fails a check does not end the search: the next
//! candidate is tried, and if no path succeeds, the failure reached deepest into the search is
//! reported (it is usually the informative one).
//!
//! Work is bounded like rustls/webpki's `Budget`: at most [`MAX_SIGNATURE_CHECKS`] signature
//! verifications and [`MAX_PATH_LEN`] certificates per path; running out of budget is an
//! [`Error::Limit`] that names the limit. Loops are cut by refusing a certificate (or the same
//! subject and key, RFC 4158 §5.2) that is already in the path.
//!
//! # Checks
//!
//! End entity (RFC 5280 §6.1.3 (a)(2), §6.1.5, RFC 8550 §4.4):
//! validity at `at`; no critical extension pqsmime does not process; keyUsage (when present)
//! fits the [`Purpose`]; extKeyUsage (when present) contains emailProtection or
//! anyExtendedKeyUsage; the key type can do what the purpose needs.
//!
//! Each intermediate (§6.1.3, §6.1.4): validity; basicConstraints cA TRUE (§6.1.4 (k));
//! keyUsage, when present, includes keyCertSign (§6.1.4 (n)); no unprocessed critical
//! extension (§6.1.4 (o)); its signature over the certificate below it; pathLenConstraint
//! (§6.1.4 (l)(m), self-issued certificates not counted). In addition, like OpenSSL and
//! Mozilla, an intermediate with an extKeyUsage must allow emailProtection (or any purpose).
//!
//! Trust anchor: trusted as given. Its validity period is checked; its signature,
//! basicConstraints, keyUsage and pathLenConstraint are not (RFC 5280 §6.1.1 (d): the anchor
//! is an input, not part of the path).
//!
//! # Not yet checked
//!
//! * Name constraints (§6.1.3 (b)(c), §6.1.4 (g)). A **critical** nameConstraints extension
//!   makes the certificate fail (rather than be accepted unchecked).
//! * Certificate policy processing (§6.1.3 (d)-(f), §6.1.4 (a)(b)(h)-(j), §6.1.5 (a)(b)):
//!   the validation behaves as with user-initial-policy-set = anyPolicy and no explicit policy
//!   required. Critical policyMappings, policyConstraints and inhibitAnyPolicy extensions make
//!   a certificate fail; a critical certificatePolicies is accepted (with anyPolicy as the
//!   initial set and no policy constraint in the path it cannot change the outcome).
//! * Revocation (CRL, OCSP).
//!
//! Both missing rule families slot into [`process_path`], which walks a complete candidate
//! path from the anchor down with the RFC 5280 §6.1.2 state variables.

use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use super::name::names_match;
use super::{format_rfc3339, Certificate, KeyUsage};
use crate::alg::KeyKind;
use crate::error::{Error, Result};
use crate::oids;

/// Most certificates in one path, end entity and trust anchor included.
pub const MAX_PATH_LEN: usize = 8;

/// Most signature verifications one call of [`validate_path`] performs (the figure
/// rustls/webpki uses, chosen there to bound the cost of hostile certificate bags).
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// Most issuer candidates one call examines.
const MAX_CANDIDATES: usize = 10_000;

/// What a certificate must be good for at the end of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// S/MIME signing: keyUsage digitalSignature or nonRepudiation, EKU emailProtection.
    EmailSigning,
    /// S/MIME encryption: keyUsage keyEncipherment (or keyAgreement), EKU emailProtection.
    EmailEncryption,
}

impl Purpose {
    fn words(self) -> &'static str {
        match self {
            Purpose::EmailSigning => "email signing",
            Purpose::EmailEncryption => "email encryption",
        }
    }
}

/// Critical extensions the validator processes (RFC 5280 §6.1.4 (o)). certificatePolicies:
/// see the module documentation.
const PROCESSED_CRITICAL: [ObjectIdentifier; 7] = [
    oids::EXT_BASIC_CONSTRAINTS,
    oids::EXT_KEY_USAGE,
    oids::EXT_EXTENDED_KEY_USAGE,
    oids::EXT_SUBJECT_ALT_NAME,
    oids::EXT_SUBJECT_KEY_IDENTIFIER,
    oids::EXT_AUTHORITY_KEY_IDENTIFIER,
    oids::EXT_CERTIFICATE_POLICIES,
];

fn who(c: &Certificate) -> String {
    c.subject_string()
}

fn rejected(msg: String) -> Error {
    Error::Certificate(msg)
}

fn check_validity(c: &Certificate, at: SystemTime, role: &str) -> Result<()> {
    if at < c.not_before() {
        return Err(rejected(format!(
            "{role} '{}' is not valid before {}",
            who(c),
            format_rfc3339(c.not_before())
        )));
    }
    if at > c.not_after() {
        return Err(rejected(format!(
            "{role} '{}' expired on {}",
            who(c),
            format_rfc3339(c.not_after())
        )));
    }
    Ok(())
}

fn check_critical_extensions(c: &Certificate, role: &str) -> Result<()> {
    for e in c.extensions() {
        if e.critical && !PROCESSED_CRITICAL.contains(&e.oid) {
            let what = if e.oid == oids::EXT_NAME_CONSTRAINTS
                || e.oid == oids::EXT_POLICY_MAPPINGS
                || e.oid == oids::EXT_POLICY_CONSTRAINTS
                || e.oid == oids::EXT_INHIBIT_ANY_POLICY
            {
                "a critical extension pqsmime does not process yet"
            } else {
                "an unknown critical extension"
            };
            return Err(rejected(format!(
                "{role} '{}' has {what}: {} (RFC 5280 §4.2 requires rejecting it)",
                who(c),
                crate::alg::describe_oid(&e.oid)
            )));
        }
    }
    Ok(())
}

fn eku_allows_email(c: &Certificate) -> std::result::Result<(), String> {
    match c.extended_key_usage() {
        None => Ok(()),
        Some(purposes)
            if purposes
                .iter()
                .any(|p| *p == oids::KP_EMAIL_PROTECTION || *p == oids::ANY_EXTENDED_KEY_USAGE) =>
        {
            Ok(())
        }
        Some(purposes) => Err(purposes
            .iter()
            .map(|p| {
                oids::name(p)
                    .map(str::to_string)
                    .unwrap_or_else(|| p.to_string())
            })
            .collect::<Vec<_>>()
            .join(", ")),
    }
}

/// The end-entity rules that do not depend on the path.
fn check_end_entity(ee: &Certificate, at: SystemTime, purpose: Purpose) -> Result<()> {
    check_validity(ee, at, "certificate")?;
    check_critical_extensions(ee, "certificate")?;
    if let Err(has) = eku_allows_email(ee) {
        return Err(rejected(format!(
            "certificate '{}' is not for {}: its extendedKeyUsage ({has}) does not include emailProtection",
            who(ee),
            purpose.words()
        )));
    }
    let kind: Option<KeyKind> = ee.public_key().ok().map(|k| k.kind());
    if let Some(k) = kind {
        let able = match purpose {
            Purpose::EmailSigning => k.can_sign(),
            Purpose::EmailEncryption => k.can_encrypt(),
        };
        if !able {
            return Err(rejected(format!(
                "certificate '{}' holds a {} key, which cannot be used for {}",
                who(ee),
                k.name(),
                purpose.words()
            )));
        }
    }
    if let Some(ku) = ee.key_usage() {
        let (needed, names) = match (purpose, kind) {
            (Purpose::EmailSigning, _) => (
                KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION,
                "digitalSignature or nonRepudiation",
            ),
            (Purpose::EmailEncryption, Some(KeyKind::MlKem(_) | KeyKind::Rsa(_))) => {
                (KeyUsage::KEY_ENCIPHERMENT, "keyEncipherment")
            }
            (Purpose::EmailEncryption, Some(KeyKind::Ec(_) | KeyKind::X25519)) => {
                (KeyUsage::KEY_AGREEMENT, "keyAgreement")
            }
            (Purpose::EmailEncryption, _) => (
                KeyUsage::KEY_ENCIPHERMENT | KeyUsage::KEY_AGREEMENT,
                "keyEncipherment or keyAgreement",
            ),
        };
        if !ku.intersects(needed) {
            return Err(rejected(format!(
                "certificate '{}' is not for {}: its keyUsage ({ku}) lacks {names}",
                who(ee),
                purpose.words()
            )));
        }
    }
    Ok(())
}

/// The rules an intermediate must meet to issue certificates, independent of its signature.
fn check_intermediate(ca: &Certificate, at: SystemTime) -> Result<()> {
    check_validity(ca, at, "intermediate CA certificate")?;
    match ca.basic_constraints() {
        Some(bc) if bc.ca => {}
        _ => {
            return Err(rejected(format!(
                "certificate '{}' is used as an issuer but is not a CA (basicConstraints cA is not TRUE)",
                who(ca)
            )))
        }
    }
    if let Some(ku) = ca.key_usage() {
        if !ku.contains(KeyUsage::KEY_CERT_SIGN) {
            return Err(rejected(format!(
                "CA certificate '{}' may not sign certificates: its keyUsage ({ku}) lacks keyCertSign",
                who(ca)
            )));
        }
    }
    check_critical_extensions(ca, "CA certificate")?;
    if let Err(has) = eku_allows_email(ca) {
        return Err(rejected(format!(
            "CA certificate '{}' is restricted by extendedKeyUsage ({has}) to purposes other than emailProtection",
            who(ca)
        )));
    }
    Ok(())
}

struct Search<'c> {
    intermediates: &'c [Certificate],
    anchors: &'c [Certificate],
    at: SystemTime,
    signatures: usize,
    candidates: usize,
    /// The failure that got deepest, with the path length at which it happened.
    best: Option<(usize, Error)>,
}

impl<'c> Search<'c> {
    fn record(&mut self, depth: usize, e: Error) {
        match &self.best {
            Some((d, _)) if *d >= depth => {}
            _ => self.best = Some((depth, e)),
        }
    }

    fn verify(
        &mut self,
        subject: &Certificate,
        issuer: &Certificate,
    ) -> Result<std::result::Result<(), Error>> {
        self.signatures += 1;
        if self.signatures > MAX_SIGNATURE_CHECKS {
            return Err(Error::Limit(format!(
                "path building gave up after {MAX_SIGNATURE_CHECKS} signature checks (too many candidate issuers)"
            )));
        }
        let key = match issuer.public_key() {
            Ok(k) => k,
            Err(e) => {
                return Ok(Err(rejected(format!(
                    "the key of '{}' cannot check the signature of '{}': {e}",
                    who(issuer),
                    who(subject)
                ))))
            }
        };
        Ok(subject.verify_signature(&key).map_err(|e| {
            rejected(format!(
                "the signature of certificate '{}' does not verify with the key of '{}': {e}",
                who(subject),
                who(issuer)
            ))
        }))
    }

    /// Whether `cand` may have issued `c` by name and key identifier.
    fn could_issue(c: &Certificate, cand: &Certificate) -> bool {
        if !names_match(c.issuer_der(), cand.subject_der()) {
            return false;
        }
        match (c.authority_key_identifier(), cand.subject_key_identifier()) {
            (Some(aki), Some(ski)) => aki == ski,
            _ => true,
        }
    }

    /// Extends `path` (end entity first) to a trust anchor. `Ok(true)`: `path` is complete;
    /// `Ok(false)`: no way found from here (the reason is in `best`); `Err`: out of budget.
    fn extend(&mut self, path: &mut Vec<&'c Certificate>) -> Result<bool> {
        let Some(&top) = path.last() else {
            return Ok(false);
        };
        let depth = path.len();
        let mut found_any = false;
        for (is_anchor, cand) in self
            .anchors
            .iter()
            .map(|a| (true, a))
            .chain(self.intermediates.iter().map(|i| (false, i)))
        {
            if !Self::could_issue(top, cand) {
                continue;
            }
            if !is_anchor && self.anchors.contains(cand) {
                continue; // already tried as an anchor
            }
            if path.iter().any(|p| {
                *p == cand
                    || (p.subject_der() == cand.subject_der() && p.spki_der() == cand.spki_der())
            }) {
                continue; // loop (RFC 4158 §5.2)
            }
            found_any = true;
            self.candidates += 1;
            if self.candidates > MAX_CANDIDATES {
                return Err(Error::Limit(format!(
                    "path building gave up after examining {MAX_CANDIDATES} candidate issuers"
                )));
            }
            if is_anchor {
                if let Err(e) = check_validity(cand, self.at, "trust anchor") {
                    self.record(depth, e);
                    continue;
                }
            } else {
                if depth + 2 > MAX_PATH_LEN {
                    self.record(
                        depth,
                        rejected(format!(
                            "no path to a trust anchor within {MAX_PATH_LEN} certificates from '{}'",
                            who(path[0])
                        )),
                    );
                    continue;
                }
                if let Err(e) = check_intermediate(cand, self.at) {
                    self.record(depth, e);
                    continue;
                }
            }
            if let Err(e) = self.verify(top, cand)? {
                self.record(depth, e);
                continue;
            }
            path.push(cand);
            if is_anchor {
                match process_path(path) {
                    Ok(()) => return Ok(true),
                    Err(e) => self.record(depth + 1, e),
                }
            } else if self.extend(path)? {
                return Ok(true);
            }
            path.pop();
        }
        if !found_any {
            let msg = if top.is_self_issued() {
                format!(
                    "no path to a trust anchor: '{}' is a self-issued (root) certificate that is not among the trust anchors",
                    who(top)
                )
            } else {
                format!(
                    "no path to a trust anchor: no issuer certificate '{}' of '{}' was found among the intermediates and trust anchors",
                    top.issuer_string(),
                    who(top)
                )
            };
            self.record(depth, rejected(msg));
        }
        Ok(false)
    }
}

/// The rules that need the complete path, processed from the anchor down to the end entity
/// with the RFC 5280 §6.1.2 state. Today: pathLenConstraint (§6.1.4 (l)(m)). Name constraints
/// (permitted/excluded subtrees) and policy processing (valid_policy_tree, explicit_policy,
/// policy_mapping, inhibit_anyPolicy) belong here as further state and steps.
fn process_path(path: &[&Certificate]) -> Result<()> {
    let n = path.len();
    // §6.1.2 (k): max_path_length starts at n; remember who set the limit for the message.
    let mut max_path_length = n;
    let mut limited_by: Option<&Certificate> = None;
    // Intermediates from the one below the anchor down to the one above the end entity.
    for i in (1..n.saturating_sub(1)).rev() {
        let c = path[i];
        if !c.is_self_issued() {
            if max_path_length == 0 {
                let setter = limited_by.map(who).unwrap_or_default();
                return Err(rejected(format!(
                    "pathLenConstraint of CA certificate '{setter}' is exceeded by the CA certificate '{}' below it",
                    who(c)
                )));
            }
            max_path_length -= 1;
        }
        if let Some(len) = c.basic_constraints().and_then(|b| b.path_len) {
            if (len as usize) < max_path_length {
                max_path_length = len as usize;
                limited_by = Some(c);
            }
        }
    }
    Ok(())
}

/// Builds and validates a path from `end_entity` to one of `anchors` (RFC 5280 §6) at time
/// `at`. Returns the path (end entity first, anchor last) or the first rule that failed.
///
/// An end entity that is itself one of the anchors (byte for byte) is accepted on its own
/// after the end-entity checks. See the module documentation for the rules and what is not
/// yet checked.
pub fn validate_path(
    end_entity: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: SystemTime,
    purpose: Purpose,
) -> Result<Vec<Certificate>> {
    check_end_entity(end_entity, at, purpose)?;
    if anchors.is_empty() {
        return Err(rejected(format!(
            "no trust anchors were given to validate '{}'",
            who(end_entity)
        )));
    }
    if anchors.contains(end_entity) {
        return Ok(vec![end_entity.clone()]);
    }
    let mut search = Search {
        intermediates,
        anchors,
        at,
        signatures: 0,
        candidates: 0,
        best: None,
    };
    let mut path = vec![end_entity];
    if search.extend(&mut path)? {
        return Ok(path.into_iter().cloned().collect());
    }
    Err(search.best.map(|(_, e)| e).unwrap_or_else(|| {
        rejected(format!(
            "no path to a trust anchor found for '{}'",
            who(end_entity)
        ))
    }))
}
