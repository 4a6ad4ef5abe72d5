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
//! On each complete candidate path, from the anchor down ([`process_path`]):
//! * **certificate policies** (§6.1.3 (d)–(f), §6.1.4 (a)(b)(h)–(j), §6.1.5 (a)(b)(g)) with
//!   the RFC 9618 policy graph ([`PolicyOptions`] are the §6.1.1 inputs; the default is
//!   user-initial-policy-set = anyPolicy, nothing inhibited, no explicit policy required —
//!   a path's own policyConstraints and the ban on mapping anyPolicy still apply);
//! * **name constraints** (§6.1.3 (b)(c), §6.1.4 (g)) on rfc822Name / SmtpUTF8Mailbox /
//!   emailAddress, directoryName, dNSName, URI and iPAddress names (see `constraints`); the
//!   trust anchor's own nameConstraints are applied too (as RFC 5937 suggests and OpenSSL does);
//! * **revocation** (§6.3) with the CRLs given ([`RevocationCheck`]): each CRL must come from
//!   the issuer of the certificate it speaks for (name, key identifier, signature by that
//!   issuer's key, which must allow cRLSign), be current (`thisUpdate <= at <= nextUpdate`) and
//!   cover the certificate (issuingDistributionPoint scope); a listed serial fails the path
//!   and names the CRL, the date and the reason. Delta and indirect CRLs are not used.
//!
//! Trust anchor: trusted as given. Its validity period is checked; its signature,
//! basicConstraints, keyUsage and pathLenConstraint are not (RFC 5280 §6.1.1 (d): the anchor
//! is an input, not part of the path).
//!
//! Every failure names the rule (and RFC section) that failed and the certificate it failed on.

use std::time::SystemTime;

use const_oid::ObjectIdentifier;

use super::constraints::NameState;
use super::crl::Crl;
use super::name::names_match;
use super::policy::PolicyState;
use super::{format_rfc3339, Certificate, KeyUsage};
use crate::alg::KeyKind;
use crate::error::{Error, Result};
use crate::oids;

pub use super::policy::PolicyOptions;

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

/// Critical extensions the validator processes (RFC 5280 §6.1.4 (o)).
const PROCESSED_CRITICAL: [ObjectIdentifier; 12] = [
    oids::EXT_BASIC_CONSTRAINTS,
    oids::EXT_KEY_USAGE,
    oids::EXT_EXTENDED_KEY_USAGE,
    oids::EXT_SUBJECT_ALT_NAME,
    oids::EXT_SUBJECT_KEY_IDENTIFIER,
    oids::EXT_AUTHORITY_KEY_IDENTIFIER,
    oids::EXT_CERTIFICATE_POLICIES,
    oids::EXT_POLICY_MAPPINGS,
    oids::EXT_POLICY_CONSTRAINTS,
    oids::EXT_INHIBIT_ANY_POLICY,
    oids::EXT_NAME_CONSTRAINTS,
    oids::EXT_CRL_DISTRIBUTION_POINTS,
];

/// How the CRLs given to the validation are used (RFC 5280 §6.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RevocationCheck {
    /// No revocation checking; CRLs are ignored.
    #[default]
    Off,
    /// Every certificate of the path whose issuer published one of the CRLs given is checked,
    /// and the end entity must be covered by one (like OpenSSL's `-crl_check`).
    EndEntity,
    /// Every certificate below the trust anchor must be covered by a CRL given (like
    /// OpenSSL's `-crl_check_all`).
    All,
}

/// Everything [`validate`] needs.
#[derive(Clone, Copy, Debug)]
pub struct PathOptions<'a> {
    /// Certificates that may serve as intermediates.
    pub intermediates: &'a [Certificate],
    pub anchors: &'a [Certificate],
    /// The validation time.
    pub at: SystemTime,
    pub purpose: Purpose,
    pub policy: &'a PolicyOptions,
    pub crls: &'a [Crl],
    pub revocation: RevocationCheck,
}

static DEFAULT_POLICY: PolicyOptions = PolicyOptions {
    initial_policy_set: Vec::new(),
    require_explicit_policy: false,
    inhibit_policy_mapping: false,
    inhibit_any_policy: false,
};

impl<'a> PathOptions<'a> {
    /// Options with the default policy inputs and no revocation checking.
    pub fn new(
        intermediates: &'a [Certificate],
        anchors: &'a [Certificate],
        at: SystemTime,
        purpose: Purpose,
    ) -> PathOptions<'a> {
        PathOptions {
            intermediates,
            anchors,
            at,
            purpose,
            policy: &DEFAULT_POLICY,
            crls: &[],
            revocation: RevocationCheck::Off,
        }
    }
}

/// A validated path and what the validation found out about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatedPath {
    /// End entity first, trust anchor last.
    pub certificates: Vec<Certificate>,
    /// The user-constrained policy set (RFC 5280 §6.1.6): the policies the path is valid
    /// for; contains [`ANY_POLICY`](super::ANY_POLICY) when the path does not restrict them
    /// (anyPolicy throughout); empty when the path asserts no policy and none was required.
    pub policies: Vec<ObjectIdentifier>,
    /// One line per certificate whose revocation status was checked, e.g.
    /// "'CN=alice' is not revoked (CRL of 'CN=Sub', thisUpdate ...)".
    pub revocation: Vec<String>,
}

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
            return Err(rejected(format!(
                "{role} '{}' has an unknown critical extension: {} (RFC 5280 §4.2 requires rejecting it)",
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
    opts: PathOptions<'c>,
    /// CRL signature results already computed: (CRL index, issuer SPKI) → outcome.
    crl_checks: Vec<(usize, Vec<u8>, std::result::Result<(), String>)>,
    result: Option<ValidatedPath>,
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
                match self.process_path(path)? {
                    Ok(v) => {
                        self.result = Some(v);
                        return Ok(true);
                    }
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

impl<'c> Search<'c> {
    /// The rules that need the complete path (end entity first, anchor last), processed from
    /// the anchor down with the RFC 5280 §6.1.2 state: pathLenConstraint (§6.1.4 (l)(m)),
    /// policies, name constraints, then revocation. Outer `Err`: out of budget.
    fn process_path(
        &mut self,
        path: &[&'c Certificate],
    ) -> Result<std::result::Result<ValidatedPath, Error>> {
        let policies = match process_rules(path, self.opts.policy) {
            Ok(p) => p,
            Err(e @ Error::Limit(_)) => return Err(e),
            Err(e) => return Ok(Err(e)),
        };
        let revocation = match self.check_revocation(path)? {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(ValidatedPath {
            certificates: path.iter().map(|c| (*c).clone()).collect(),
            policies,
            revocation,
        }))
    }

    /// RFC 5280 §6.3 with the CRLs given, for each certificate below the anchor.
    fn check_revocation(
        &mut self,
        path: &[&'c Certificate],
    ) -> Result<std::result::Result<Vec<String>, Error>> {
        let mut lines = Vec::new();
        if self.opts.revocation == RevocationCheck::Off {
            return Ok(Ok(lines));
        }
        for (k, pair) in path.windows(2).enumerate() {
            let (c, issuer) = (pair[0], pair[1]);
            let required = k == 0 || self.opts.revocation == RevocationCheck::All;
            let role = if k == 0 {
                "certificate"
            } else {
                "CA certificate"
            };
            let mut usable = None;
            let mut hard: Option<String> = None;
            let mut soft: Option<String> = None;
            for (idx, crl) in self.opts.crls.iter().enumerate() {
                if !names_match(crl.issuer_der(), c.issuer_der()) {
                    continue;
                }
                if let (Some(a), Some(s)) = (
                    crl.authority_key_identifier(),
                    issuer.subject_key_identifier(),
                ) {
                    if a != s {
                        soft.get_or_insert_with(|| {
                            format!(
                                "the CRL of '{}' was signed by another key of that CA (authorityKeyIdentifier differs)",
                                crl.issuer_string()
                            )
                        });
                        continue;
                    }
                }
                if let Err(why) = crl.covers(c) {
                    soft.get_or_insert_with(|| {
                        format!(
                            "the CRL of '{}' does not cover it: {why}",
                            crl.issuer_string()
                        )
                    });
                    continue;
                }
                if let Err(why) = self.crl_usable(idx, crl, issuer)? {
                    hard.get_or_insert(why);
                    continue;
                }
                if let Some(entry) = crl.find(c.serial_bytes()) {
                    let reason = entry
                        .reason
                        .map(|r| format!(", reason {r}"))
                        .unwrap_or_default();
                    return Ok(Err(rejected(format!(
                        "revocation check failed (RFC 5280 §6.3): {role} '{}' (serial {}) is revoked: the CRL of '{}' (thisUpdate {}) lists it as revoked on {}{reason}",
                        who(c),
                        c.serial_hex(),
                        crl.issuer_string(),
                        format_rfc3339(crl.this_update()),
                        format_rfc3339(entry.revocation_date),
                    ))));
                }
                usable.get_or_insert((idx, crl.this_update()));
            }
            match usable {
                Some((_, this_update)) => lines.push(format!(
                    "'{}' is not revoked (CRL of '{}', thisUpdate {})",
                    who(c),
                    issuer.subject_string(),
                    format_rfc3339(this_update)
                )),
                None => {
                    if let Some(h) = hard {
                        return Ok(Err(rejected(format!(
                            "revocation check failed (RFC 5280 §6.3): the revocation status of {role} '{}' cannot be determined: {h}",
                            who(c)
                        ))));
                    }
                    if required {
                        let why = soft.unwrap_or_else(|| {
                            format!("no CRL issued by '{}' was given", c.issuer_string())
                        });
                        return Ok(Err(rejected(format!(
                            "revocation check failed (RFC 5280 §6.3): the revocation status of {role} '{}' cannot be determined: {why}",
                            who(c)
                        ))));
                    }
                }
            }
        }
        Ok(Ok(lines))
    }

    /// Whether `crl` was signed by `issuer` (with cRLSign) and is current; signature results
    /// are cached and count against the signature budget.
    fn crl_usable(
        &mut self,
        idx: usize,
        crl: &Crl,
        issuer: &Certificate,
    ) -> Result<std::result::Result<(), String>> {
        let spki = issuer.spki_der().to_vec();
        if let Some((_, _, r)) = self
            .crl_checks
            .iter()
            .find(|(i, k, _)| *i == idx && *k == spki)
        {
            return Ok(r.clone());
        }
        self.signatures += 1;
        if self.signatures > MAX_SIGNATURE_CHECKS {
            return Err(Error::Limit(format!(
                "path building gave up after {MAX_SIGNATURE_CHECKS} signature checks (too many candidate issuers or CRLs)"
            )));
        }
        let r = crl
            .check_issued_by(issuer, self.at)
            .map_err(|e| e.to_string());
        self.crl_checks.push((idx, spki, r.clone()));
        Ok(r)
    }
}

/// pathLenConstraint, policies and name constraints over a complete path (end entity first,
/// anchor last); returns the user-constrained policy set.
fn process_rules(path: &[&Certificate], policy: &PolicyOptions) -> Result<Vec<ObjectIdentifier>> {
    let len = path.len();
    // RFC numbering: certificate 1 is the one the anchor issued, n the end entity.
    let n = len.saturating_sub(1);
    let mut max_path_length = n;
    let mut limited_by: Option<&Certificate> = None;
    let mut names = NameState::default();
    if let Some(anchor) = path.last() {
        names.add(anchor)?;
    }
    let mut policies = PolicyState::new(n, policy);
    for i in 1..=n {
        let c = path[n - i];
        let last = i == n;
        // §6.1.4 (l)(m) for intermediates (certificate n is the end entity).
        if !last {
            if !c.is_self_issued() {
                if max_path_length == 0 {
                    let setter = limited_by.map(who).unwrap_or_default();
                    return Err(rejected(format!(
                        "pathLenConstraint of CA certificate '{setter}' is exceeded by the CA certificate '{}' below it (RFC 5280 §6.1.4 (l))",
                        who(c)
                    )));
                }
                max_path_length -= 1;
            }
            if let Some(l) = c.basic_constraints().and_then(|b| b.path_len) {
                if (l as usize) < max_path_length {
                    max_path_length = l as usize;
                    limited_by = Some(c);
                }
            }
        }
        // §6.1.3 (b)(c)
        if last || !c.is_self_issued() {
            names.check(c)?;
        }
        // §6.1.3 (d)-(f)
        policies.process(c, i, n)?;
        if !last {
            // §6.1.4 (a)(b)(h)-(j), (g)
            policies.prepare_next(c)?;
            names.add(c)?;
        }
    }
    match path.first() {
        Some(ee) if n > 0 => policies.finish(ee, policy),
        _ => Ok(vec![super::ANY_POLICY]),
    }
}

/// Builds and validates a path from `end_entity` to one of `anchors` (RFC 5280 §6) at time
/// `at`. Returns the path (end entity first, anchor last) or the first rule that failed.
///
/// An end entity that is itself one of the anchors (byte for byte) is accepted on its own
/// after the end-entity checks. Policy processing runs with the default inputs and no
/// revocation is checked; [`validate`] takes them all.
pub fn validate_path(
    end_entity: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: SystemTime,
    purpose: Purpose,
) -> Result<Vec<Certificate>> {
    validate(
        end_entity,
        &PathOptions::new(intermediates, anchors, at, purpose),
    )
    .map(|v| v.certificates)
}

/// [`validate_path`] with CRLs: when `crls` is not empty, revocation is checked as
/// [`RevocationCheck::EndEntity`] describes.
pub fn validate_path_with_crls(
    end_entity: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    crls: &[Crl],
    at: SystemTime,
    purpose: Purpose,
) -> Result<Vec<Certificate>> {
    let opts = PathOptions {
        crls,
        revocation: if crls.is_empty() {
            RevocationCheck::Off
        } else {
            RevocationCheck::EndEntity
        },
        ..PathOptions::new(intermediates, anchors, at, purpose)
    };
    validate(end_entity, &opts).map(|v| v.certificates)
}

/// Builds and validates a path for `end_entity` with all the options of RFC 5280 §6.1.1 and
/// revocation checking (see the module documentation).
pub fn validate(end_entity: &Certificate, opts: &PathOptions<'_>) -> Result<ValidatedPath> {
    check_end_entity(end_entity, opts.at, opts.purpose)?;
    if opts.anchors.is_empty() {
        return Err(rejected(format!(
            "no trust anchors were given to validate '{}'",
            who(end_entity)
        )));
    }
    if opts.anchors.contains(end_entity) {
        return Ok(ValidatedPath {
            certificates: vec![end_entity.clone()],
            policies: vec![super::ANY_POLICY],
            revocation: Vec::new(),
        });
    }
    let mut search = Search {
        intermediates: opts.intermediates,
        anchors: opts.anchors,
        at: opts.at,
        opts: *opts,
        crl_checks: Vec::new(),
        result: None,
        signatures: 0,
        candidates: 0,
        best: None,
    };
    let mut path = vec![end_entity];
    if search.extend(&mut path)? {
        if let Some(v) = search.result.take() {
            return Ok(v);
        }
    }
    Err(search.best.map(|(_, e)| e).unwrap_or_else(|| {
        rejected(format!(
            "no path to a trust anchor found for '{}'",
            who(end_entity)
        ))
    }))
}
