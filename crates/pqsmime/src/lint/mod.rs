//! Certificate linter for the CA/Browser Forum S/MIME Baseline Requirements (SBR).
//!
//! [`lint`] reads one certificate (leniently: a malformed extension becomes a finding, only an
//! unreadable outer structure is an error), decides what it is — a subscriber certificate of
//! one of the twelve SBR profiles, a subordinate CA or a root — and runs every [`Rule`] that
//! applies. Each finding carries a stable code, a [`Severity`] and the section of the SBR (or
//! RFC) it comes from. [`passes`] decides pass/fail: any error fails.
//!
//! ```no_run
//! # fn main() -> pqsmime::Result<()> {
//! use pqsmime::lint::{self, LintOptions};
//! let der = std::fs::read("alice.der")?;
//! let report = lint::lint(&der, &LintOptions::default())?;
//! print!("{}", lint::format_text(&report.findings));
//! assert_eq!(report.passed(), lint::passes(&report.findings));
//! # Ok(())
//! # }
//! ```
//!
//! # Profiles
//!
//! Without an explicit [`LintOptions::profile`], a certificate with `cA TRUE` is linted as a CA
//! certificate (root when self-issued, otherwise subordinate) and any other certificate as a
//! subscriber certificate whose type and generation come from the SBR reserved policy OID
//! `2.23.140.1.5.<type>.<generation>` it carries. An explicit profile always means "subscriber
//! certificate of this profile". The four Legacy profiles can be linted (old certificates
//! exist); issuing under them after 2025-07-15 is itself an error.
//!
//! # Rules
//!
//! A rule is one [`Rule`] value in a table (`lint/rules/*.rs`): code, severity, citation,
//! which certificates it applies to, optional effective dates compared with notBefore, the
//! equivalent pkilint/zlint checks, and a `check` function that returns one message per
//! problem. Adding a rule means adding one such value. [`rules`] lists them all.
//!
//! Rules are written against the SBR as it stands (v1.0.16); a certificate issued before the
//! SBR took effect (2023-09-01) is still checked against them, with a notice saying so. Rules
//! that later ballots introduced or changed carry their own dates.

mod cert;
mod rules;
mod text;

use std::fmt;

use const_oid::ObjectIdentifier;

use crate::error::{Error, Result};

pub use rules::rules;

use cert::LintCert;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A SHALL / SHALL NOT of the SBR or an RFC is broken: the certificate is not compliant.
    Error,
    /// A SHOULD / SHOULD NOT is not followed.
    Warning,
    /// Worth knowing; not a defect.
    Notice,
}

impl Severity {
    /// `error`, `warning` or `notice` (the words of `pqsmime lint`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The certificate types of SBR §1.2 (what the subject holds and how it was validated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CertificateType {
    /// Mailbox-validated: only the mailbox (policy arc `.1`).
    Mailbox,
    /// Organization-validated (`.2`).
    Organization,
    /// Sponsor-validated: a natural person affiliated with an organization (`.3`).
    Sponsored,
    /// Individual-validated: a natural person (`.4`).
    Individual,
}

/// The generations of SBR §1.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    /// `.1`; no new certificates since 2025-07-15 (SMC08).
    Legacy,
    /// `.2`.
    Multipurpose,
    /// `.3`.
    Strict,
}

/// One of the twelve SBR subscriber certificate profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SmimeProfile {
    pub cert_type: CertificateType,
    pub generation: Generation,
}

impl SmimeProfile {
    /// All twelve, in policy OID order.
    pub const ALL: [SmimeProfile; 12] = {
        use CertificateType::*;
        use Generation::*;
        const fn p(cert_type: CertificateType, generation: Generation) -> SmimeProfile {
            SmimeProfile {
                cert_type,
                generation,
            }
        }
        [
            p(Mailbox, Legacy),
            p(Mailbox, Multipurpose),
            p(Mailbox, Strict),
            p(Organization, Legacy),
            p(Organization, Multipurpose),
            p(Organization, Strict),
            p(Sponsored, Legacy),
            p(Sponsored, Multipurpose),
            p(Sponsored, Strict),
            p(Individual, Legacy),
            p(Individual, Multipurpose),
            p(Individual, Strict),
        ]
    };

    /// The profile name of `pqsmime` (`mailbox-strict`, `individual-legacy`, ...).
    pub fn name(self) -> String {
        let t = match self.cert_type {
            CertificateType::Mailbox => "mailbox",
            CertificateType::Organization => "organization",
            CertificateType::Sponsored => "sponsored",
            CertificateType::Individual => "individual",
        };
        let g = match self.generation {
            Generation::Legacy => "legacy",
            Generation::Multipurpose => "multipurpose",
            Generation::Strict => "strict",
        };
        format!("{t}-{g}")
    }

    /// Parses a profile name (case-insensitive).
    pub fn from_name(name: &str) -> Result<SmimeProfile> {
        let lower = name.to_ascii_lowercase();
        SmimeProfile::ALL
            .into_iter()
            .find(|p| p.name() == lower)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "unknown S/MIME profile '{name}' (known: {})",
                    SmimeProfile::ALL
                        .iter()
                        .map(|p| p.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    /// The reserved policy OID `2.23.140.1.5.<type>.<generation>` (SBR §7.1.6.1).
    pub fn policy_oid(self) -> ObjectIdentifier {
        let t = self.cert_type as u32 + 1;
        let g = self.generation as u32 + 1;
        // Cannot fail: the arcs are small constants.
        ObjectIdentifier::new(&format!("2.23.140.1.5.{t}.{g}")).unwrap_or(SMIME_ARC)
    }

    /// The profile a reserved policy OID stands for.
    pub fn from_policy_oid(oid: &ObjectIdentifier) -> Option<SmimeProfile> {
        SmimeProfile::ALL
            .into_iter()
            .find(|p| p.policy_oid() == *oid)
    }
}

impl fmt::Display for SmimeProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The SBR policy arc `2.23.140.1.5`.
const SMIME_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.140.1.5");

/// What kind of certificate was linted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A subscriber (end-entity) certificate; `None` when no profile was given and the
    /// certificate carries no reserved policy OID (type-dependent rules are then skipped).
    Subscriber(Option<SmimeProfile>),
    /// A CA certificate that is not self-issued (SBR §7.1.2.2).
    SubordinateCa,
    /// A self-issued CA certificate (SBR §7.1.2.1).
    RootCa,
}

impl Target {
    /// The profile name for reports: `mailbox-strict`, `subordinate-ca`, `root-ca`, or `None`.
    pub fn profile_name(self) -> Option<String> {
        match self {
            Target::Subscriber(Some(p)) => Some(p.name()),
            Target::Subscriber(None) => None,
            Target::SubordinateCa => Some("subordinate-ca".to_string()),
            Target::RootCa => Some("root-ca".to_string()),
        }
    }
}

/// One problem found.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    pub severity: Severity,
    /// Stable code of the rule, e.g. `smime.key_usage_prohibited_bit`.
    pub code: &'static str,
    /// One sentence saying what is wrong and where.
    pub message: String,
    /// Where the requirement comes from, e.g. `SBR §7.1.2.3(e)`.
    pub citation: &'static str,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}  {}", self.severity, self.code, self.message)
    }
}

/// The result of linting one certificate.
#[derive(Clone, Debug)]
pub struct Report {
    pub target: Target,
    /// Sorted: errors first, then by code and message.
    pub findings: Vec<Finding>,
}

impl Report {
    /// No error finding.
    pub fn passed(&self) -> bool {
        passes(&self.findings)
    }
}

/// What to lint against.
#[derive(Clone, Copy, Debug, Default)]
pub struct LintOptions<'a> {
    /// Lint as a subscriber certificate of this profile instead of detecting it.
    pub profile: Option<SmimeProfile>,
    /// DER of the issuing CA certificate: enables the signature check (every algorithm
    /// pqsmime verifies, ML-DSA included) and the issuer-dependent rules.
    pub issuer_der: Option<&'a [u8]>,
}

/// A calendar date (UTC midnight) for effective dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub const fn new(year: i32, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// Seconds since the Unix epoch at 00:00:00Z of this date.
    pub fn unix(self) -> i64 {
        cert::days_from_civil(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        ) * 86_400
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Which certificates a rule applies to (a set of [`Target`] kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scope(u8);

impl Scope {
    pub const SUBSCRIBER: Scope = Scope(1);
    pub const SUBORDINATE_CA: Scope = Scope(2);
    pub const ROOT_CA: Scope = Scope(4);
    pub const CA: Scope = Scope(6);
    pub const SUBSCRIBER_OR_SUBORDINATE_CA: Scope = Scope(3);
    pub const ANY: Scope = Scope(7);

    pub fn contains(self, target: Target) -> bool {
        let bit = match target {
            Target::Subscriber(_) => 1,
            Target::SubordinateCa => 2,
            Target::RootCa => 4,
        };
        self.0 & bit != 0
    }
}

/// The check of a rule: one message per problem found (empty when the rule is satisfied or
/// does not apply to what the certificate contains).
pub type Check = fn(&Context<'_>) -> Vec<String>;

/// One lint rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Stable code. `smime.*`: SBR rules; `pkix.*`: RFC 5280 and algorithm RFCs; `asn1.*`:
    /// encodings; `lint.*`: about the linting itself.
    pub code: &'static str,
    pub severity: Severity,
    /// Section of the SBR (v1.0.16 numbering) or RFC.
    pub citation: &'static str,
    pub scope: Scope,
    /// Applies only to certificates whose notBefore is on or after this date.
    pub effective_from: Option<Date>,
    /// Applies only to certificates whose notBefore is before this date.
    pub effective_until: Option<Date>,
    /// What the rule requires, in one sentence.
    pub description: &'static str,
    /// pkilint finding codes that check the same thing (for cross-checks).
    pub pkilint: &'static [&'static str],
    /// zlint lint names that check the same thing.
    pub zlint: &'static [&'static str],
    pub check: Check,
}

impl Rule {
    fn applies(&self, target: Target, not_before: Option<i64>) -> bool {
        if !self.scope.contains(target) {
            return false;
        }
        if let Some(from) = self.effective_from {
            // Unknown notBefore: assume the rule is in force.
            if not_before.is_some_and(|nb| nb < from.unix()) {
                return false;
            }
        }
        if let Some(until) = self.effective_until {
            match not_before {
                Some(nb) if nb < until.unix() => {}
                _ => return false,
            }
        }
        true
    }
}

/// What a rule's check sees.
pub struct Context<'a> {
    pub(crate) cert: &'a LintCert<'a>,
    pub(crate) issuer: Option<&'a LintCert<'a>>,
    target: Target,
    /// The signature check, done once for the rules that report on it.
    pub(crate) signature: std::cell::OnceCell<Option<SignatureVerdict>>,
}

/// Outcome of verifying the certificate's signature with the issuer key.
#[derive(Clone, Debug)]
pub(crate) enum SignatureVerdict {
    Valid,
    Invalid(String),
    Unverifiable(String),
}

impl Context<'_> {
    /// The kind of certificate being linted.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The subscriber profile, when known.
    pub fn profile(&self) -> Option<SmimeProfile> {
        match self.target {
            Target::Subscriber(p) => p,
            _ => None,
        }
    }

    pub fn generation(&self) -> Option<Generation> {
        self.profile().map(|p| p.generation)
    }

    pub fn cert_type(&self) -> Option<CertificateType> {
        self.profile().map(|p| p.cert_type)
    }

    /// Whether an issuer certificate was given.
    pub fn has_issuer(&self) -> bool {
        self.issuer.is_some()
    }
}

/// Lints one DER certificate. Fails only when the outer structure cannot be read (not a
/// certificate at all), or the issuer certificate given cannot be read.
pub fn lint(der: &[u8], options: &LintOptions<'_>) -> Result<Report> {
    let cert = LintCert::parse(der)?;
    let issuer = match options.issuer_der {
        Some(i) => Some(LintCert::parse(i).map_err(|e| match e {
            Error::Malformed(m) => Error::Malformed(format!("issuer certificate: {m}")),
            other => other,
        })?),
        None => None,
    };
    let target = detect_target(&cert, options.profile);
    let ctx = Context {
        cert: &cert,
        issuer: issuer.as_ref(),
        target,
        signature: std::cell::OnceCell::new(),
    };
    let nb = cert.not_before.unix;
    let mut findings = Vec::new();
    for rule in rules::all() {
        if !rule.applies(target, nb) {
            continue;
        }
        for message in (rule.check)(&ctx) {
            findings.push(Finding {
                severity: rule.severity,
                code: rule.code,
                message,
                citation: rule.citation,
            });
        }
    }
    findings
        .sort_by(|a, b| (a.severity, a.code, &a.message).cmp(&(b.severity, b.code, &b.message)));
    findings.dedup();
    Ok(Report { target, findings })
}

/// Lints one DER certificate and returns only the findings (see [`lint`]).
pub fn lint_findings(der: &[u8], options: &LintOptions<'_>) -> Result<Vec<Finding>> {
    lint(der, options).map(|r| r.findings)
}

/// Pass/fail: true when no finding is an error.
pub fn passes(findings: &[Finding]) -> bool {
    !findings.iter().any(|f| f.severity == Severity::Error)
}

fn detect_target(cert: &LintCert<'_>, forced: Option<SmimeProfile>) -> Target {
    if let Some(p) = forced {
        return Target::Subscriber(Some(p));
    }
    if cert.basic_constraints.is_some_and(|b| b.ca) {
        return if cert.issuer_raw == cert.subject_raw {
            Target::RootCa
        } else {
            Target::SubordinateCa
        };
    }
    let profile = cert
        .policies
        .iter()
        .flatten()
        .find_map(|p| SmimeProfile::from_policy_oid(&p.oid));
    Target::Subscriber(profile)
}

/// Extracts the certificates of a PEM text (`CERTIFICATE` blocks; other blocks and text are
/// skipped) or returns DER input as it is. Nothing is parsed beyond the PEM armour, so that
/// [`lint`] sees certificates a strict parser would refuse.
pub fn read_certificates(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    text::read_certificates(data)
}

/// The findings in the `pqsmime lint` text format: one line `SEVERITY  CODE  message` each.
pub fn format_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&f.to_string());
        out.push('\n');
    }
    out
}

/// Every rule as a Markdown table (code, severity, applies to, effective dates, citation,
/// description), e.g. for `pqsmime lint --list-rules` or documentation.
pub fn rules_table() -> String {
    let mut out = String::from(
        "| code | severity | applies to | effective | citation | requirement |\n|---|---|---|---|---|---|\n",
    );
    for r in rules() {
        let scope = match r.scope {
            Scope::SUBSCRIBER => "subscriber",
            Scope::SUBORDINATE_CA => "subordinate CA",
            Scope::ROOT_CA => "root CA",
            Scope::CA => "CA",
            Scope::SUBSCRIBER_OR_SUBORDINATE_CA => "subscriber, subordinate CA",
            _ => "any",
        };
        let dates = match (r.effective_from, r.effective_until) {
            (Some(f), Some(u)) => format!("{f} – {u}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(u)) => format!("before {u}"),
            (None, None) => String::new(),
        };
        out.push_str(&format!(
            "| `{}` | {} | {scope} | {dates} | {} | {} |\n",
            r.code, r.severity, r.citation, r.description
        ));
    }
    out
}

/// The `pqsmime lint --json` object for one certificate:
/// `{"certificate", "profile", "findings": [{"severity", "code", "message", "citation"}]}`.
/// `certificate` is how the caller names it (usually the path); `profile` is the profile name
/// (`mailbox-strict`, `subordinate-ca`, ...) or `null` when it could not be determined.
pub fn format_json(certificate: &str, report: &Report) -> String {
    text::format_json(certificate, report)
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
