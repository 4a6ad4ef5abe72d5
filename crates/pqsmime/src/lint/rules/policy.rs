//! Certificate policies (reserved OIDs, qualifiers), profile detection, validity period and
//! the Legacy sunset.

use super::{fmt_time, BASE, LEGACY_SUNSET, SBR_EFFECTIVE};
use crate::lint::cert::{ext_oid, Qualifier};
use crate::lint::{Context, Generation, Rule, Scope, Severity, SmimeProfile, Target};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "lint.profile_unknown",
        severity: Severity::Notice,
        citation: "SBR §7.1.6.1",
        scope: Scope::SUBSCRIBER,
        description: "The certificate type and generation are known (given, or taken from the reserved policy OID); otherwise the rules that depend on them are skipped.",
        check: profile_unknown,
        ..BASE
    },
    Rule {
        code: "lint.predates_sbr",
        severity: Severity::Notice,
        citation: "SBR §1.2.1 (v1.0.0 effective 2023-09-01)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        effective_until: Some(SBR_EFFECTIVE),
        description: "Certificates issued before 2023-09-01 predate the SBR; the findings say how they compare with today's rules.",
        check: predates,
        ..BASE
    },
    Rule {
        code: "smime.certificate_policies_missing",
        citation: "SBR §7.1.2.3(a), §7.1.2.2(a)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "certificatePolicies is present.",
        pkilint: &["cabf.smime.certificate_policies_extension_missing"],
        zlint: &["e_smime_policy_missing"],
        check: cp_missing,
        ..BASE
    },
    Rule {
        code: "smime.reserved_policy_oid_missing",
        citation: "SBR §7.1.2.3(a), §7.1.6.1",
        scope: Scope::SUBSCRIBER,
        description: "certificatePolicies contains the reserved policy OID 2.23.140.1.5.<type>.<generation> of the certificate's profile.",
        pkilint: &["cabf.smime.no_required_reserved_policy_oid"],
        zlint: &["e_cabf_policy_missing"],
        check: reserved_missing,
        ..BASE
    },
    Rule {
        code: "smime.multiple_reserved_policy_oids",
        citation: "SBR §7.1.2.3(a), §7.1.6.1",
        scope: Scope::SUBSCRIBER,
        description: "certificatePolicies contains exactly one of the twelve reserved policy OIDs.",
        pkilint: &["cabf.smime.multiple_reserved_policy_oids"],
        check: reserved_multiple,
        ..BASE
    },
    Rule {
        code: "smime.any_policy_in_subscriber",
        citation: "SBR §7.1.2.3(a); RFC 5280 §4.2.1.4",
        scope: Scope::SUBSCRIBER,
        description: "A subscriber certificate does not assert anyPolicy.",
        pkilint: &["cabf.smime.anypolicy_present"],
        check: any_policy,
        ..BASE
    },
    Rule {
        code: "smime.certificate_policies_critical",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(a), §7.1.2.2(a)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "certificatePolicies SHOULD NOT be critical.",
        pkilint: &["cabf.critical_certificate_policies_extension"],
        check: cp_critical,
        ..BASE
    },
    Rule {
        code: "smime.cps_uri_not_http",
        citation: "SBR §7.1.2.3(a), §7.1.2.2(a)",
        description: "An id-qt-cps qualifier is an HTTP or HTTPS URL.",
        pkilint: &["cabf.cps_uri_is_not_http"],
        check: cps_http,
        ..BASE
    },
    Rule {
        code: "smime.user_notice_has_notice_ref",
        citation: "SBR §7.1.2.3(a), §7.1.2.2(a)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "An id-qt-unotice qualifier has no noticeRef.",
        pkilint: &["cabf.smime.usernotice_has_noticeref", "pkix.certificate_policies_usernotice_has_noticeref"],
        check: notice_ref,
        ..BASE
    },
    Rule {
        code: "pkix.explicit_text_invalid",
        citation: "RFC 5280 §4.2.1.4; RFC 6818 §3",
        description: "explicitText is not an IA5String and has at most 200 characters.",
        pkilint: &[
            "pkix.rfc5280_certificate_policies_invalid_explicit_text_encoding",
            "pkix.rfc6818_certificate_policies_invalid_explicit_text_encoding",
        ],
        check: explicit_text,
        ..BASE
    },
    Rule {
        code: "pkix.policy_has_qualifier",
        severity: Severity::Notice,
        citation: "RFC 5280 §4.2.1.4",
        description: "RFC 5280 recommends policy identifiers without qualifiers.",
        pkilint: &["pkix.certificate_policies_policy_has_qualifier"],
        check: has_qualifier,
        ..BASE
    },
    Rule {
        code: "smime.legacy_after_sunset",
        citation: "SBR §7.1.6.1 (SMC08)",
        scope: Scope::SUBSCRIBER,
        effective_from: Some(LEGACY_SUNSET),
        description: "No Legacy-generation certificate is issued on or after 2025-07-15.",
        pkilint: &["cabf.smime.legacy_generation_certificate_issued_after_prohibition"],
        zlint: &["e_legacy_generation_deprecated"],
        check: legacy_sunset,
        ..BASE
    },
    Rule {
        code: "smime.validity_too_long",
        citation: "SBR §6.3.2",
        scope: Scope::SUBSCRIBER,
        description: "The validity period (notBefore to notAfter inclusive) is at most 825 days (Strict, Multipurpose) or 1185 days (Legacy).",
        pkilint: &[
            "cabf.smime.certificate_validity_period_exceeds_825_days",
            "cabf.smime.certificate_validity_period_exceeds_1185_days",
        ],
        check: validity_long,
        ..BASE
    },
    Rule {
        code: "smime.validity_at_maximum",
        severity: Severity::Warning,
        citation: "SBR §6.3.2",
        scope: Scope::SUBSCRIBER,
        description: "The validity period SHOULD NOT be exactly the maximum.",
        pkilint: &["cabf.smime.certificate_validity_period_at_maximum"],
        check: validity_max,
        ..BASE
    },
];

fn profile_unknown(ctx: &Context<'_>) -> Vec<String> {
    if ctx.target() == Target::Subscriber(None) {
        vec!["the certificate carries no reserved S/MIME policy OID, so its type and generation are unknown; rules that depend on them were skipped (give a profile to check them)".into()]
    } else {
        Vec::new()
    }
}

fn predates(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.not_before.unix {
        Some(nb) => vec![format!(
            "the certificate was issued ({}) before the S/MIME BR took effect on 2023-09-01; it is checked against the current rules",
            fmt_time(nb)
        )],
        None => Vec::new(),
    }
}

fn cp_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_CERTIFICATE_POLICIES).is_none() {
        vec!["the certificatePolicies extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn reserved_in_cert(ctx: &Context<'_>) -> Vec<SmimeProfile> {
    ctx.cert
        .policies
        .iter()
        .flatten()
        .filter_map(|p| SmimeProfile::from_policy_oid(&p.oid))
        .collect()
}

fn reserved_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.policies.is_none() {
        return Vec::new();
    }
    let found = reserved_in_cert(ctx);
    match ctx.profile() {
        Some(p) if !found.contains(&p) => vec![format!(
            "certificatePolicies does not contain {} (the reserved policy OID of {})",
            p.policy_oid(),
            p.name()
        )],
        None if found.is_empty() => vec![
            "certificatePolicies contains none of the reserved S/MIME policy OIDs 2.23.140.1.5.<type>.<generation>"
                .into(),
        ],
        _ => Vec::new(),
    }
}

fn reserved_multiple(ctx: &Context<'_>) -> Vec<String> {
    let found = reserved_in_cert(ctx);
    if found.len() > 1 {
        let list: Vec<String> = found.iter().map(|p| p.policy_oid().to_string()).collect();
        vec![format!(
            "certificatePolicies contains {} reserved policy OIDs ({}); exactly one is allowed",
            found.len(),
            list.join(", ")
        )]
    } else {
        Vec::new()
    }
}

fn any_policy(ctx: &Context<'_>) -> Vec<String> {
    if ctx
        .cert
        .policies
        .iter()
        .flatten()
        .any(|p| p.oid == ext_oid::ANY_POLICY)
    {
        vec!["certificatePolicies contains anyPolicy (2.5.29.32.0)".into()]
    } else {
        Vec::new()
    }
}

fn cp_critical(ctx: &Context<'_>) -> Vec<String> {
    super::critical(ctx, &oids::EXT_CERTIFICATE_POLICIES, "certificatePolicies")
}

fn cps_http(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for p in ctx.cert.policies.iter().flatten() {
        for q in &p.qualifiers {
            match q {
                Qualifier::Cps(Ok(u)) => {
                    let s = super::uri_scheme(u.as_bytes());
                    if !matches!(s.as_deref(), Some("http") | Some("https")) {
                        out.push(format!(
                            "the CPS pointer {u:?} of policy {} is not an HTTP or HTTPS URL",
                            p.oid
                        ));
                    }
                }
                Qualifier::Cps(Err(e)) => out.push(format!("policy {}: {e}", p.oid)),
                _ => {}
            }
        }
    }
    out
}

fn notice_ref(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for p in ctx.cert.policies.iter().flatten() {
        for q in &p.qualifiers {
            if let Qualifier::UserNotice {
                has_notice_ref: true,
                ..
            } = q
            {
                out.push(format!(
                    "the user notice of policy {} has a noticeRef",
                    p.oid
                ));
            }
        }
    }
    out
}

fn explicit_text(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for p in ctx.cert.policies.iter().flatten() {
        for q in &p.qualifiers {
            if let Qualifier::UserNotice {
                explicit_text: Some((tag, text)),
                ..
            } = q
            {
                if *tag == crate::asn1::TAG_IA5_STRING {
                    out.push(format!(
                        "the explicitText of policy {} is an IA5String (RFC 6818 forbids it)",
                        p.oid
                    ));
                }
                match text {
                    Some(t) if t.chars().count() > 200 => out.push(format!(
                        "the explicitText of policy {} has {} characters (at most 200)",
                        p.oid,
                        t.chars().count()
                    )),
                    None => out.push(format!(
                        "the explicitText of policy {} is not a valid string of its type",
                        p.oid
                    )),
                    _ => {}
                }
            }
        }
    }
    out
}

fn has_qualifier(ctx: &Context<'_>) -> Vec<String> {
    ctx.cert
        .policies
        .iter()
        .flatten()
        .filter(|p| !p.qualifiers.is_empty())
        .map(|p| format!("policy {} has qualifiers", p.oid))
        .collect()
}

fn legacy_sunset(ctx: &Context<'_>) -> Vec<String> {
    match (ctx.profile(), ctx.cert.not_before.unix) {
        (Some(p), Some(nb)) if p.generation == Generation::Legacy => vec![format!(
            "the certificate uses the Legacy profile {} ({}) but was issued on {}, after the Legacy sunset of 2025-07-15",
            p.name(),
            p.policy_oid(),
            fmt_time(nb)
        )],
        _ => Vec::new(),
    }
}

/// (maximum days, validity in seconds counting notAfter inclusively)
fn validity(ctx: &Context<'_>) -> Option<(i64, i64)> {
    let g = ctx.generation()?;
    let (nb, na) = (ctx.cert.not_before.unix?, ctx.cert.not_after.unix?);
    let max = if g == Generation::Legacy { 1185 } else { 825 };
    Some((max, na - nb + 1))
}

fn validity_long(ctx: &Context<'_>) -> Vec<String> {
    match validity(ctx) {
        Some((max, secs)) if secs > max * 86_400 => vec![format!(
            "the validity period is {} days and {} seconds; at most {max} days are allowed",
            secs / 86_400,
            secs % 86_400
        )],
        _ => Vec::new(),
    }
}

fn validity_max(ctx: &Context<'_>) -> Vec<String> {
    match validity(ctx) {
        Some((max, secs)) if secs == max * 86_400 => vec![format!(
            "the validity period is exactly the maximum of {max} days"
        )],
        _ => Vec::new(),
    }
}
