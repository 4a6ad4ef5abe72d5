//! CA certificates: roots (SBR §7.1.2.1), subordinate CAs (§7.1.2.2), technically
//! constrained subordinate CAs (§7.1.5) and CA subject names (§7.1.4.3.1). Only what can be
//! checked from the certificate itself is here; affiliation, audits and cross-certification
//! agreements cannot be seen.

use super::BASE;
use crate::lint::cert::{attr_name, ext_oid, ku, GeneralName};
use crate::lint::{Context, Rule, Scope, Severity};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "smime.ca_basic_constraints_not_critical",
        citation: "SBR §7.1.2.1(d), §7.1.2.2(d); RFC 5280 §4.2.1.9",
        scope: Scope::CA,
        description: "A CA certificate's basicConstraints is critical.",
        pkilint: &["pkix.basic_constraints_extension_not_critical"],
        check: bc_critical,
        ..BASE
    },
    Rule {
        code: "smime.ca_key_usage_missing",
        citation: "SBR §7.1.2.1(e), §7.1.2.2(e); RFC 5280 §4.2.1.3",
        scope: Scope::CA,
        description: "A CA certificate has keyUsage.",
        pkilint: &["pkix.ca_certificate_no_ku_extension"],
        check: ku_missing,
        ..BASE
    },
    Rule {
        code: "smime.ca_key_usage_not_critical",
        citation: "SBR §7.1.2.1(e), §7.1.2.2(e)",
        scope: Scope::CA,
        description: "A CA certificate's keyUsage is critical.",
        pkilint: &["pkix.key_usage_extension_not_critical"],
        check: ku_not_critical,
        ..BASE
    },
    Rule {
        code: "smime.ca_key_usage_bits",
        citation: "SBR §7.1.2.1(e), §7.1.2.2(e)",
        scope: Scope::CA,
        description: "A CA certificate asserts keyCertSign and cRLSign, and otherwise at most digitalSignature.",
        pkilint: &[
            "pkix.ca_certificate_keycertsign_keyusage_not_set",
            "cabf.ca_certificate_required_ku_missing",
            "cabf.ca_certificate_prohibited_ku_present",
        ],
        check: ku_bits,
        ..BASE
    },
    Rule {
        code: "smime.ca_ski_missing",
        citation: "SBR §7.1.2.1(f), §7.1.2.2(h); RFC 5280 §4.2.1.2",
        scope: Scope::CA,
        description: "A CA certificate has subjectKeyIdentifier.",
        pkilint: &["pkix.certificate_skid_ca_missing"],
        check: ski_missing,
        ..BASE
    },
    Rule {
        code: "smime.ca_subject_attribute_missing",
        citation: "SBR §7.1.4.3.1",
        scope: Scope::CA,
        description: "A CA certificate's subject has commonName, organizationName and countryName.",
        check: subject_attrs,
        ..BASE
    },
    Rule {
        code: "smime.root_eku_present",
        citation: "SBR §7.1.2.1(c)",
        scope: Scope::ROOT_CA,
        description: "A root certificate has no extKeyUsage.",
        check: root_eku,
        ..BASE
    },
    Rule {
        code: "smime.root_certificate_policies_present",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.1(b)",
        scope: Scope::ROOT_CA,
        description: "A root certificate SHOULD NOT have certificatePolicies.",
        check: root_policies,
        ..BASE
    },
    Rule {
        code: "smime.root_path_len_present",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.1(d)",
        scope: Scope::ROOT_CA,
        description: "A root certificate SHOULD NOT have a pathLenConstraint.",
        check: root_path_len,
        ..BASE
    },
    Rule {
        code: "smime.subca_eku_missing",
        citation: "SBR §7.1.2.2(g)",
        scope: Scope::SUBORDINATE_CA,
        description: "A subordinate CA certificate has extKeyUsage (cross-certificates sharing a root's name and key may omit it; that cannot be seen here).",
        check: subca_eku_missing,
        ..BASE
    },
    Rule {
        code: "smime.subca_eku_email_protection_missing",
        citation: "SBR §7.1.2.2(g)",
        scope: Scope::SUBORDINATE_CA,
        description: "A subordinate CA certificate's extKeyUsage contains emailProtection.",
        check: subca_eku_email,
        ..BASE
    },
    Rule {
        code: "smime.subca_eku_prohibited",
        citation: "SBR §7.1.2.2(g), §7.1.5",
        scope: Scope::SUBORDINATE_CA,
        description: "A subordinate CA certificate's extKeyUsage has no serverAuth, codeSigning, timeStamping or anyExtendedKeyUsage.",
        check: subca_eku_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.subca_any_policy",
        severity: Severity::Notice,
        citation: "SBR §7.1.2.2(a), §7.1.6.3",
        scope: Scope::SUBORDINATE_CA,
        description: "anyPolicy in a subordinate CA is allowed only for CAs affiliated with the issuer.",
        check: subca_any_policy,
        ..BASE
    },
    Rule {
        code: "smime.name_constraints_not_critical",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.2(i); RFC 5280 §4.2.1.10",
        scope: Scope::CA,
        description: "nameConstraints SHOULD be critical.",
        pkilint: &["pkix.certificate_name_constraints_extension_not_critical"],
        check: nc_critical,
        ..BASE
    },
    Rule {
        code: "smime.name_constraints_rfc822_not_domain",
        citation: "SBR §7.1.5",
        scope: Scope::CA,
        description: "rfc822Name permitted subtrees of a technically constrained CA are domains (example.com or .example.com), not mailboxes.",
        check: nc_rfc822,
        ..BASE
    },
];

fn bc_critical(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.ext(&oids::EXT_BASIC_CONSTRAINTS) {
        Some(e) if !e.critical => {
            vec!["basicConstraints of a CA certificate is not critical".into()]
        }
        _ => Vec::new(),
    }
}

fn ku_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_KEY_USAGE).is_none() {
        vec!["the CA certificate has no keyUsage extension".into()]
    } else {
        Vec::new()
    }
}

fn ku_not_critical(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.ext(&oids::EXT_KEY_USAGE) {
        Some(e) if !e.critical => vec!["keyUsage of a CA certificate is not critical".into()],
        _ => Vec::new(),
    }
}

fn ku_bits(ctx: &Context<'_>) -> Vec<String> {
    let Some(k) = ctx.cert.key_usage else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let missing = (ku::KCS | ku::CRLS) & !k.bits;
    if missing != 0 {
        out.push(format!(
            "the CA certificate's keyUsage lacks {}",
            ku::names(missing)
        ));
    }
    let extra = k.bits & !(ku::KCS | ku::CRLS | ku::DS);
    if extra != 0 {
        out.push(format!(
            "the CA certificate's keyUsage asserts {}, which a CA certificate must not",
            ku::names(extra)
        ));
    }
    out
}

fn ski_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_SUBJECT_KEY_IDENTIFIER).is_none() {
        vec!["the CA certificate has no subjectKeyIdentifier".into()]
    } else {
        Vec::new()
    }
}

fn subject_attrs(ctx: &Context<'_>) -> Vec<String> {
    let Ok(s) = &ctx.cert.subject else {
        return Vec::new();
    };
    [
        oids::AT_COMMON_NAME,
        oids::AT_ORGANIZATION,
        oids::AT_COUNTRY,
    ]
    .iter()
    .filter(|o| !s.has(o))
    .map(|o| format!("the CA certificate's subject has no {}", attr_name(o)))
    .collect()
}

fn root_eku(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_EXTENDED_KEY_USAGE).is_some() {
        vec!["the root certificate has an extKeyUsage extension".into()]
    } else {
        Vec::new()
    }
}

fn root_policies(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_CERTIFICATE_POLICIES).is_some() {
        vec!["the root certificate has a certificatePolicies extension".into()]
    } else {
        Vec::new()
    }
}

fn root_path_len(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.basic_constraints {
        Some(b) if b.path_len.is_some() => {
            vec!["the root certificate has a pathLenConstraint".into()]
        }
        _ => Vec::new(),
    }
}

fn subca_eku_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_EXTENDED_KEY_USAGE).is_none() {
        vec!["the subordinate CA certificate has no extKeyUsage extension".into()]
    } else {
        Vec::new()
    }
}

fn subca_eku_email(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.ext_key_usage {
        Some(e) if !e.contains(&oids::KP_EMAIL_PROTECTION) => {
            vec!["the subordinate CA certificate's extKeyUsage lacks emailProtection".into()]
        }
        _ => Vec::new(),
    }
}

fn subca_eku_prohibited(ctx: &Context<'_>) -> Vec<String> {
    let Some(e) = &ctx.cert.ext_key_usage else {
        return Vec::new();
    };
    let bad: Vec<String> = e
        .iter()
        .filter(|o| {
            [
                oids::KP_SERVER_AUTH,
                oids::KP_CODE_SIGNING,
                oids::KP_TIME_STAMPING,
                oids::ANY_EXTENDED_KEY_USAGE,
            ]
            .contains(o)
        })
        .map(crate::lint::cert::ext_name)
        .collect();
    if bad.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "the subordinate CA certificate's extKeyUsage contains {}",
            bad.join(", ")
        )]
    }
}

fn subca_any_policy(ctx: &Context<'_>) -> Vec<String> {
    if ctx
        .cert
        .policies
        .iter()
        .flatten()
        .any(|p| p.oid == ext_oid::ANY_POLICY)
    {
        vec!["the subordinate CA certificate asserts anyPolicy, allowed only when it is operated by an affiliate of the issuer".into()]
    } else {
        Vec::new()
    }
}

fn nc_critical(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.ext(&oids::EXT_NAME_CONSTRAINTS) {
        Some(e) if !e.critical => vec!["nameConstraints is not critical".into()],
        _ => Vec::new(),
    }
}

fn nc_rfc822(ctx: &Context<'_>) -> Vec<String> {
    let Some(nc) = &ctx.cert.name_constraints else {
        return Vec::new();
    };
    nc.permitted
        .iter()
        .filter_map(|g| match g {
            GeneralName::Rfc822(v) if v.contains(&b'@') => Some(format!(
                "the permitted rfc822Name subtree {:?} is a mailbox, not a domain",
                String::from_utf8_lossy(v)
            )),
            _ => None,
        })
        .collect()
}
