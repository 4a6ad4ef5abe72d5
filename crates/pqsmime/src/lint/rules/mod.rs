//! The rule tables, one file per family, and helpers they share.
//!
//! | file | family |
//! |---|---|
//! | `pkix.rs` | encoding, version, serial, times, extension framing and criticality (RFC 5280) |
//! | `algorithms.rs` | SPKI and signature AlgorithmIdentifier allow-lists, key checks, PQC rules |
//! | `policy.rs` | certificate policies, profile detection, validity period, Legacy sunset |
//! | `usage.rs` | keyUsage by key type, extKeyUsage, basicConstraints of subscribers |
//! | `extensions.rs` | CRLDP, AIA, AKI, SKI, Adobe, LEI, qcStatements, subjectDirectoryAttributes |
//! | `names.rs` | subjectAltName and mailbox syntax (RFC 5321, RFC 9598) |
//! | `subject.rs` | subject attribute matrix, commonName, organizationIdentifier, countries |
//! | `ca.rs` | root and subordinate CA certificates (SBR §7.1.2.1, §7.1.2.2, §7.1.5) |
//! | `issuer.rs` | checks that need the issuing CA certificate, including the signature |

use const_oid::ObjectIdentifier;

use super::cert::LintCert;
use super::{Context, Date, Rule, Scope, Severity};
use crate::alg::{oid, EcCurve, MlDsaLevel, MlKemLevel};

mod algorithms;
mod ca;
mod extensions;
mod issuer;
mod names;
mod pkix;
mod policy;
mod subject;
mod usage;

const FAMILIES: &[&[Rule]] = &[
    pkix::RULES,
    algorithms::RULES,
    policy::RULES,
    usage::RULES,
    extensions::RULES,
    names::RULES,
    subject::RULES,
    ca::RULES,
    issuer::RULES,
];

/// Every rule, in table order.
pub(super) fn all() -> impl Iterator<Item = &'static Rule> {
    FAMILIES.iter().flat_map(|f| f.iter())
}

/// Every rule the linter runs (for documentation, `--list` style output and tests).
pub fn rules() -> Vec<&'static Rule> {
    all().collect()
}

fn no_check(_: &Context<'_>) -> Vec<String> {
    Vec::new()
}

/// Defaults for rule literals (`Rule { code, ..BASE }`).
pub(super) const BASE: Rule = Rule {
    code: "",
    severity: Severity::Error,
    citation: "",
    scope: Scope::ANY,
    effective_from: None,
    effective_until: None,
    description: "",
    pkilint: &[],
    zlint: &[],
    check: no_check,
};

/// SBR v1.0.0 effective date.
pub(super) const SBR_EFFECTIVE: Date = Date::new(2023, 9, 1);
/// SMC08: no Legacy-generation issuance on or after this date.
pub(super) const LEGACY_SUNSET: Date = Date::new(2025, 7, 15);
/// SMC013 (v1.0.11) published: ML-DSA and ML-KEM allowed.
pub(super) const SMC013: Date = Date::new(2025, 8, 22);
/// SMC017v2: RSA CA keys of at least 4096 bits for CA certificates signed from this date.
pub(super) const SMC017_CA_RSA: Date = Date::new(2026, 9, 15);
/// SMC017v2: no subscriber issuance from CAs with RSA keys under 3072 bits.
pub(super) const SMC017_ISSUER_RSA: Date = Date::new(2027, 9, 15);
/// SMC018: EKU restricted to emailProtection (+ clientAuth).
pub(super) const SMC018_EKU: Date = Date::new(2027, 7, 1);

/// The public key algorithm families the rules distinguish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyAlg {
    Rsa,
    /// id-ecPublicKey, with the named curve when it is one pqsmime knows.
    Ec(Option<EcCurve>),
    Ed25519,
    Ed448,
    X25519,
    X448,
    MlDsa(MlDsaLevel),
    HashMlDsa,
    SlhDsa,
    HashSlhDsa,
    MlKem(MlKemLevel),
    Other,
}

const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
const SIG_ALGS_ARC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3");

impl KeyAlg {
    pub(super) fn from_oid(o: &ObjectIdentifier, params: Option<&[u8]>) -> KeyAlg {
        if *o == oid::RSA_ENCRYPTION {
            return KeyAlg::Rsa;
        }
        if *o == oid::EC_PUBLIC_KEY {
            let curve = params.and_then(|p| {
                let curve_oid = crate::asn1::parse_oid(p.get(2..)?).ok()?;
                if p.first() != Some(&crate::asn1::TAG_OID) {
                    return None;
                }
                [EcCurve::P256, EcCurve::P384, EcCurve::P521]
                    .into_iter()
                    .find(|c| c.oid() == curve_oid)
            });
            return KeyAlg::Ec(curve);
        }
        if *o == oid::ED25519 {
            return KeyAlg::Ed25519;
        }
        if *o == ED448 {
            return KeyAlg::Ed448;
        }
        if *o == oid::X25519 {
            return KeyAlg::X25519;
        }
        if *o == X448 {
            return KeyAlg::X448;
        }
        for l in [MlDsaLevel::L44, MlDsaLevel::L65, MlDsaLevel::L87] {
            if *o == l.oid() {
                return KeyAlg::MlDsa(l);
            }
        }
        for l in [MlKemLevel::L512, MlKemLevel::L768, MlKemLevel::L1024] {
            if *o == l.oid() {
                return KeyAlg::MlKem(l);
            }
        }
        if o.parent() == Some(SIG_ALGS_ARC) {
            if let Some(last) = o.arcs().last() {
                return match last {
                    20..=31 => KeyAlg::SlhDsa,
                    32..=34 => KeyAlg::HashMlDsa,
                    35..=46 => KeyAlg::HashSlhDsa,
                    _ => KeyAlg::Other,
                };
            }
        }
        KeyAlg::Other
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            KeyAlg::Rsa => "RSA",
            KeyAlg::Ec(_) => "EC",
            KeyAlg::Ed25519 => "Ed25519",
            KeyAlg::Ed448 => "Ed448",
            KeyAlg::X25519 => "X25519",
            KeyAlg::X448 => "X448",
            KeyAlg::MlDsa(MlDsaLevel::L44) => "ML-DSA-44",
            KeyAlg::MlDsa(MlDsaLevel::L65) => "ML-DSA-65",
            KeyAlg::MlDsa(MlDsaLevel::L87) => "ML-DSA-87",
            KeyAlg::HashMlDsa => "HashML-DSA",
            KeyAlg::SlhDsa => "SLH-DSA",
            KeyAlg::HashSlhDsa => "HashSLH-DSA",
            KeyAlg::MlKem(MlKemLevel::L512) => "ML-KEM-512",
            KeyAlg::MlKem(MlKemLevel::L768) => "ML-KEM-768",
            KeyAlg::MlKem(MlKemLevel::L1024) => "ML-KEM-1024",
            KeyAlg::Other => "unknown algorithm",
        }
    }
}

/// The subject key's algorithm family, when the SPKI decodes.
pub(super) fn key_alg(cert: &LintCert<'_>) -> Option<KeyAlg> {
    let s = cert.spki.as_ref().ok()?;
    let o = s.alg_oid?;
    Some(KeyAlg::from_oid(&o, s.params))
}

/// Lower-case hex.
pub(super) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `YYYY-MM-DD HH:MM:SSZ` for messages.
pub(super) fn fmt_time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // civil_from_days (inverse of days_from_civil)
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The URI scheme (lower case), if the URI has a syntactically valid one.
pub(super) fn uri_scheme(uri: &[u8]) -> Option<String> {
    let colon = uri.iter().position(|b| *b == b':')?;
    let scheme = uri.get(..colon)?;
    let first = *scheme.first()?;
    if !first.is_ascii_alphabetic()
        || !scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    Some(String::from_utf8_lossy(scheme).to_ascii_lowercase())
}

/// Whether a URI is an `http:` URI (case-insensitive scheme).
pub(super) fn is_http(uri: &[u8]) -> bool {
    uri_scheme(uri).as_deref() == Some("http")
}

/// RFC 5321 §4.1.2 `atext` (RFC 5322 §3.2.3).
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// Why `addr` is not an RFC 5321 Mailbox (RFC 6532 §3.2 when `utf8` allows non-ASCII local
/// parts), or `None`.
pub(super) fn mailbox_problem(addr: &str, utf8: bool) -> Option<String> {
    let Some(at) = addr.rfind('@') else {
        return Some("has no '@'".to_string());
    };
    let local = &addr[..at];
    let domain = &addr[at + 1..];
    if local.is_empty() {
        return Some("has an empty local part".to_string());
    }
    if local.len() > 64 {
        return Some(format!(
            "has a local part of {} octets (RFC 5321 §4.5.3.1.1 allows 64)",
            local.len()
        ));
    }
    if let Some(inner) = local.strip_prefix('"') {
        let Some(inner) = inner.strip_suffix('"') else {
            return Some("has an unterminated quoted local part".to_string());
        };
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            let ok = match c {
                '\\' => chars.next().is_some_and(|n| (' '..='~').contains(&n)),
                '"' => false,
                c if c.is_ascii() => (' '..='~').contains(&c),
                _ => utf8,
            };
            if !ok {
                return Some("has an invalid quoted local part".to_string());
            }
        }
    } else {
        for atom in local.split('.') {
            if atom.is_empty() {
                return Some("has an empty dot-separated part in the local part".to_string());
            }
            if let Some(c) = atom
                .chars()
                .find(|c| !(is_atext(*c) || (utf8 && !c.is_ascii())))
            {
                return Some(format!("has the character {c:?} in the local part"));
            }
        }
    }
    domain_problem(domain).map(|p| format!("has a domain that {p}"))
}

/// Why `d` is not a fully qualified LDH domain name, or `None`.
pub(super) fn domain_problem(d: &str) -> Option<String> {
    if d.is_empty() {
        return Some("is empty".to_string());
    }
    if d.len() > 253 {
        return Some(format!("is {} octets long (at most 253)", d.len()));
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return Some("has a single label (not a public domain name)".to_string());
    }
    for l in &labels {
        if l.is_empty() {
            return Some("has an empty label".to_string());
        }
        if l.len() > 63 {
            return Some(format!("has a label of {} octets (at most 63)", l.len()));
        }
        if !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Some(format!(
                "has the label {l:?}, which is not letters, digits and hyphens"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Some(format!(
                "has the label {l:?}, which starts or ends with a hyphen"
            ));
        }
    }
    if labels
        .last()
        .is_some_and(|t| t.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("has an all-numeric top-level label".to_string());
    }
    None
}

/// Compares two mailboxes: local parts exactly, domains ignoring ASCII case.
pub(super) fn same_mailbox(a: &str, b: &str) -> bool {
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((la, da)), Some((lb, db))) => la == lb && da.eq_ignore_ascii_case(db),
        _ => a == b,
    }
}

/// Messages for each extension with this OID that is marked critical.
pub(super) fn critical(ctx: &Context<'_>, o: &ObjectIdentifier, what: &str) -> Vec<String> {
    match ctx.cert.ext(o) {
        Some(e) if e.critical => vec![format!("the {what} extension is marked critical")],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes() {
        assert!(mailbox_problem("alice@example.com", false).is_none());
        assert!(mailbox_problem("a.b+c@sub.example.org", false).is_none());
        assert!(mailbox_problem("\"a b\"@example.org", false).is_none());
        assert!(mailbox_problem("Alice <alice@example.com>", false).is_some());
        assert!(mailbox_problem("alice@localhost", false).is_some());
        assert!(mailbox_problem("alice@-x.com", false).is_some());
        assert!(mailbox_problem("a..b@example.com", false).is_some());
        assert!(mailbox_problem("élise@example.com", false).is_some());
        assert!(mailbox_problem("élise@example.com", true).is_none());
        assert!(mailbox_problem("élise@exämple.com", true).is_some());
        assert!(same_mailbox("a@Example.COM", "a@example.com"));
        assert!(!same_mailbox("A@example.com", "a@example.com"));
    }

    #[test]
    fn uri_schemes() {
        assert_eq!(uri_scheme(b"HTTP://x/y").as_deref(), Some("http"));
        assert_eq!(uri_scheme(b"ldap://x"), Some("ldap".to_string()));
        assert_eq!(uri_scheme(b"//x"), None);
        assert!(is_http(b"http://crl.example.com/a.crl"));
        assert!(!is_http(b"https://crl.example.com/a.crl"));
    }

    #[test]
    fn times_format() {
        assert_eq!(fmt_time(1_752_537_600), "2025-07-15 00:00:00Z");
        assert_eq!(fmt_time(0), "1970-01-01 00:00:00Z");
        assert_eq!(LEGACY_SUNSET.unix(), 1_752_537_600);
    }

    #[test]
    fn key_algorithms_by_oid() {
        assert_eq!(
            KeyAlg::from_oid(&oid::ML_DSA_65, None),
            KeyAlg::MlDsa(MlDsaLevel::L65)
        );
        assert_eq!(
            KeyAlg::from_oid(&oid::SLH_DSA_SHAKE_256F, None),
            KeyAlg::SlhDsa
        );
        assert_eq!(
            KeyAlg::from_oid(&oid::HASH_ML_DSA_44_SHA512, None),
            KeyAlg::HashMlDsa
        );
        let p256 = crate::asn1::oid(&oid::SECP256R1);
        assert_eq!(
            KeyAlg::from_oid(&oid::EC_PUBLIC_KEY, Some(&p256)),
            KeyAlg::Ec(Some(EcCurve::P256))
        );
        assert_eq!(KeyAlg::from_oid(&oid::SHA256, None), KeyAlg::Other);
    }

    #[test]
    fn codes_are_unique_and_rules_documented() {
        let rules = rules();
        assert!(rules.len() >= 100, "only {} rules", rules.len());
        let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        let before = codes.len();
        codes.dedup();
        assert_eq!(before, codes.len(), "duplicate rule codes");
        for r in rules {
            assert!(!r.citation.is_empty(), "{} has no citation", r.code);
            assert!(!r.description.is_empty(), "{} has no description", r.code);
            assert!(
                r.code.starts_with("smime.")
                    || r.code.starts_with("pkix.")
                    || r.code.starts_with("asn1.")
                    || r.code.starts_with("lint."),
                "{} has no known prefix",
                r.code
            );
            assert!(
                r.code.bytes().all(|b| b.is_ascii_lowercase()
                    || b == b'.'
                    || b == b'_'
                    || b.is_ascii_digit()),
                "{} is not a lower-case code",
                r.code
            );
        }
    }
}
