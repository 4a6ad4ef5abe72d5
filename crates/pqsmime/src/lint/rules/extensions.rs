//! Presence, criticality and content of the other subscriber extensions of SBR §7.1.2.3
//! (CRL distribution points, AIA, key identifiers, Adobe, LEI, qcStatements,
//! subjectDirectoryAttributes) and the CA-shared ones of §7.1.2.2.

use super::{critical, is_http, uri_scheme, BASE};
use crate::lint::cert::{ext_name, ext_oid, GeneralName};
use crate::lint::{CertificateType, Context, Generation, Rule, Scope, Severity};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "smime.crldp_missing",
        citation: "SBR §7.1.2.3(b), §7.1.2.2(b)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "cRLDistributionPoints is present.",
        pkilint: &["cabf.smime.crldp_extension_missing"],
        zlint: &["e_subscribers_shall_have_crl_distribution_points"],
        check: crldp_missing,
        ..BASE
    },
    Rule {
        code: "smime.crldp_critical",
        citation: "SBR §7.1.2.3(b), §7.1.2.2(b)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "cRLDistributionPoints is not critical.",
        pkilint: &["cabf.critical_crldp_extension", "pkix.certificate_crldp_extension_critical"],
        check: crldp_critical,
        ..BASE
    },
    Rule {
        code: "smime.crldp_no_http",
        citation: "SBR §7.1.2.3(b), §7.1.2.2(b)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "At least one distribution point fullName is an http: URI.",
        pkilint: &["cabf.no_http_crldp_uri"],
        zlint: &["e_subscribers_crl_distribution_points_are_http"],
        check: crldp_no_http,
        ..BASE
    },
    Rule {
        code: "smime.crldp_uri_scheme",
        citation: "SBR §7.1.2.3(b)",
        scope: Scope::SUBSCRIBER,
        description: "Strict and Multipurpose: every distribution point URI is http:. Legacy: http:, ldap: or ftp:.",
        pkilint: &["cabf.smime.crldp_fullname_prohibited_uri_scheme"],
        zlint: &["e_subscribers_crl_distribution_points_are_http"],
        check: crldp_scheme,
        ..BASE
    },
    Rule {
        code: "smime.crldp_general_name_type",
        citation: "SBR §7.1.2.3(b)",
        scope: Scope::SUBSCRIBER,
        description: "Distribution point fullNames are URIs.",
        pkilint: &["cabf.smime.crldp_fullname_prohibited_generalname_type"],
        check: crldp_gn_type,
        ..BASE
    },
    Rule {
        code: "smime.aia_missing",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(c), §7.1.2.2(c)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "authorityInfoAccess SHOULD be present.",
        pkilint: &["cabf.aia_extension_missing"],
        check: aia_missing,
        ..BASE
    },
    Rule {
        code: "smime.aia_ca_issuers_missing",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(c), §7.1.2.2(c)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "authorityInfoAccess SHOULD contain an id-ad-caIssuers access description.",
        pkilint: &["cabf.aia_ca_issuers_missing"],
        check: aia_ca_issuers,
        ..BASE
    },
    Rule {
        code: "smime.aia_no_http",
        citation: "SBR §7.1.2.3(c), §7.1.2.2(c)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "Each access method present (id-ad-ocsp, id-ad-caIssuers) has at least one http: URI.",
        pkilint: &["cabf.aia_ca_issuers_has_no_http_uri", "cabf.aia_ocsp_has_no_http_uri"],
        zlint: &["e_smime_legacy_aia_has_one_http"],
        check: aia_no_http,
        ..BASE
    },
    Rule {
        code: "smime.aia_uri_scheme",
        citation: "SBR §7.1.2.3(c)",
        scope: Scope::SUBSCRIBER,
        description: "Strict and Multipurpose: every accessLocation is an http: URI. Legacy: http:, ldap: or ftp:.",
        pkilint: &["cabf.smime.aia_prohibited_uri_scheme"],
        zlint: &["e_smime_strict_aia_shall_have_http_only"],
        check: aia_scheme,
        ..BASE
    },
    Rule {
        code: "smime.aia_general_name_type",
        citation: "SBR §7.1.2.3(c)",
        scope: Scope::SUBSCRIBER,
        description: "accessLocations are URIs.",
        pkilint: &["cabf.smime.aia_prohibited_generalname_type"],
        check: aia_gn_type,
        ..BASE
    },
    Rule {
        code: "smime.aki_missing",
        citation: "SBR §7.1.2.3(g), §7.1.2.2(f)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "authorityKeyIdentifier is present.",
        pkilint: &["pkix.authority_key_identifier_extension_absent"],
        zlint: &["e_authority_key_identifier_correct"],
        check: aki_missing,
        ..BASE
    },
    Rule {
        code: "smime.aki_key_id_missing",
        citation: "SBR §7.1.2.3(g), §7.1.2.2(f)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "authorityKeyIdentifier has a keyIdentifier.",
        pkilint: &["pkix.authority_key_identifier_keyid_missing"],
        zlint: &["e_authority_key_identifier_correct"],
        check: aki_key_id,
        ..BASE
    },
    Rule {
        code: "smime.aki_issuer_and_serial",
        citation: "SBR §7.1.2.3(g), §7.1.2.2(f)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "authorityKeyIdentifier has no authorityCertIssuer or authorityCertSerialNumber.",
        pkilint: &["cabf.authority_key_identifier_has_issuer_cert"],
        zlint: &["e_authority_key_identifier_correct"],
        check: aki_issuer_serial,
        ..BASE
    },
    Rule {
        code: "smime.ski_missing",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(n)",
        scope: Scope::SUBSCRIBER,
        description: "subjectKeyIdentifier SHOULD be present.",
        pkilint: &["pkix.certificate_skid_end_entity_missing"],
        check: ski_missing,
        ..BASE
    },
    Rule {
        code: "smime.adobe_timestamp_prohibited",
        citation: "SBR §7.1.2.3(m)",
        scope: Scope::SUBSCRIBER,
        description: "Strict certificates have no Adobe Time-stamp extension.",
        pkilint: &["cabf.smime.adobe_timestamp_extension_prohibited"],
        zlint: &["e_adobe_extensions_strict_presence"],
        check: adobe_ts_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.adobe_timestamp_critical",
        citation: "SBR §7.1.2.3(m)",
        scope: Scope::SUBSCRIBER,
        description: "The Adobe Time-stamp extension is not critical.",
        pkilint: &["cabf.smime.adobe_timestamp_extension_critical"],
        zlint: &["e_adobe_extensions_legacy_multipurpose_criticality"],
        check: adobe_ts_critical,
        ..BASE
    },
    Rule {
        code: "smime.adobe_timestamp_location_not_uri",
        citation: "SBR §7.1.2.3(m); Adobe Acrobat security extensions",
        description: "The Adobe Time-stamp location is a URI.",
        pkilint: &["adbe.invalid_timestamp_location_type"],
        check: adobe_ts_location,
        ..BASE
    },
    Rule {
        code: "smime.adobe_archive_rev_info_prohibited",
        citation: "SBR §7.1.2.3(m)",
        scope: Scope::SUBSCRIBER,
        description: "Strict certificates have no Adobe ArchiveRevInfo extension.",
        pkilint: &["cabf.smime.adobe_archive_revinfo_extension_prohibited"],
        zlint: &["e_adobe_extensions_strict_presence"],
        check: adobe_ari_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.adobe_archive_rev_info_critical",
        citation: "SBR §7.1.2.3(m)",
        scope: Scope::SUBSCRIBER,
        description: "The Adobe ArchiveRevInfo extension is not critical.",
        pkilint: &["cabf.smime.adobe_archive_revinfo_extension_critical"],
        zlint: &["e_adobe_extensions_legacy_multipurpose_criticality"],
        check: adobe_ari_critical,
        ..BASE
    },
    Rule {
        code: "smime.lei_prohibited",
        citation: "SBR §7.1.2.3(l)",
        scope: Scope::SUBSCRIBER,
        description: "Mailbox- and Individual-validated certificates have no LEI extension.",
        pkilint: &["cabf.smime.lei_extension_prohibited"],
        zlint: &["e_legal_entity_identifier"],
        check: lei_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.lei_critical",
        citation: "SBR §7.1.2.3(l)",
        scope: Scope::SUBSCRIBER,
        description: "The LEI extension is not critical.",
        pkilint: &["cabf.smime.lei_extension_critical"],
        zlint: &["e_legal_entity_identifier"],
        check: lei_critical,
        ..BASE
    },
    Rule {
        code: "smime.lei_role_prohibited",
        citation: "SBR §7.1.2.3(l)",
        scope: Scope::SUBSCRIBER,
        description: "Only Sponsor-validated certificates have the LEI role extension.",
        pkilint: &["cabf.smime.lei_role_extension_prohibited"],
        zlint: &["e_legal_entity_identifier"],
        check: lei_role_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.lei_role_critical",
        citation: "SBR §7.1.2.3(l)",
        scope: Scope::SUBSCRIBER,
        description: "The LEI role extension is not critical.",
        pkilint: &["cabf.smime.lei_role_extension_critical"],
        zlint: &["e_legal_entity_identifier"],
        check: lei_role_critical,
        ..BASE
    },
    Rule {
        code: "smime.lei_invalid",
        citation: "SBR §7.1.2.3(l); ISO 17442",
        description: "A Legal Entity Identifier (extension or LEIXG- organizationIdentifier) is 20 characters with a valid ISO 7064 MOD 97-10 check.",
        pkilint: &["iso.lei.invalid_lei_format", "iso.lei.invalid_lei_checksum"],
        check: lei_invalid,
        ..BASE
    },
    Rule {
        code: "smime.qc_statements_critical",
        citation: "SBR §7.1.2.3(k)",
        scope: Scope::SUBSCRIBER,
        description: "qcStatements is not critical.",
        pkilint: &["cabf.smime.qc_statements_extension_critical"],
        zlint: &["e_smime_qc_statements_must_not_be_critical"],
        check: qc_critical,
        ..BASE
    },
    Rule {
        code: "smime.subject_directory_attributes_prohibited",
        citation: "SBR §7.1.2.3(j)",
        scope: Scope::SUBSCRIBER,
        description: "subjectDirectoryAttributes appears only in Legacy Organization-, Sponsor- and Individual-validated certificates.",
        pkilint: &["cabf.smime.subject_directory_attributes_extension_prohibited"],
        zlint: &["e_subject_dir_attr"],
        check: sda_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.unlisted_extension",
        severity: Severity::Notice,
        citation: "SBR §7.1.2.4",
        scope: Scope::SUBSCRIBER,
        description: "Extensions not listed in SBR §7.1.2.3 need a reason the CA can give.",
        check: unlisted,
        ..BASE
    },
];

fn crldp_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_CRL_DISTRIBUTION_POINTS).is_none() {
        vec!["the cRLDistributionPoints extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn crldp_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(
        ctx,
        &oids::EXT_CRL_DISTRIBUTION_POINTS,
        "cRLDistributionPoints",
    )
}

fn crldp_uris<'a>(ctx: &'a Context<'_>) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    for dp in ctx.cert.crl_dps.iter().flatten() {
        for gn in dp.full_name.iter().flatten() {
            if let GeneralName::Uri(u) = gn {
                out.push(*u);
            }
        }
    }
    out
}

fn crldp_no_http(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.crl_dps.is_none() {
        return Vec::new();
    }
    if crldp_uris(ctx).iter().any(|u| is_http(u)) {
        Vec::new()
    } else {
        vec!["no distribution point has an http: URI".into()]
    }
}

fn allowed_schemes(g: Generation) -> &'static [&'static str] {
    if g == Generation::Legacy {
        &["http", "ldap", "ftp"]
    } else {
        &["http"]
    }
}

fn scheme_problems(ctx: &Context<'_>, uris: &[&[u8]], what: &str) -> Vec<String> {
    let Some(g) = ctx.generation() else {
        return Vec::new();
    };
    let allowed = allowed_schemes(g);
    uris.iter()
        .filter(|u| {
            !uri_scheme(u)
                .as_deref()
                .is_some_and(|s| allowed.contains(&s))
        })
        .map(|u| {
            format!(
                "the {what} URI {:?} does not use an allowed scheme ({})",
                String::from_utf8_lossy(u),
                allowed.join(", ")
            )
        })
        .collect()
}

fn crldp_scheme(ctx: &Context<'_>) -> Vec<String> {
    scheme_problems(ctx, &crldp_uris(ctx), "cRLDistributionPoints")
}

fn crldp_gn_type(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for dp in ctx.cert.crl_dps.iter().flatten() {
        for gn in dp.full_name.iter().flatten() {
            if !matches!(gn, GeneralName::Uri(_)) {
                out.push(format!(
                    "a distribution point fullName is a {}, not a URI",
                    gn.type_name()
                ));
            }
        }
    }
    out
}

fn aia_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_AUTHORITY_INFO_ACCESS).is_none() {
        vec!["the authorityInfoAccess extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn aia_ca_issuers(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.aia {
        Some(a) if !a.iter().any(|d| d.method == ext_oid::AD_CA_ISSUERS) => {
            vec!["authorityInfoAccess has no id-ad-caIssuers access description".into()]
        }
        _ => Vec::new(),
    }
}

fn aia_no_http(ctx: &Context<'_>) -> Vec<String> {
    let Some(a) = &ctx.cert.aia else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (m, name) in [
        (ext_oid::AD_CA_ISSUERS, "id-ad-caIssuers"),
        (ext_oid::AD_OCSP, "id-ad-ocsp"),
    ] {
        let descs: Vec<_> = a.iter().filter(|d| d.method == m).collect();
        if !descs.is_empty()
            && !descs
                .iter()
                .any(|d| matches!(d.location, GeneralName::Uri(u) if is_http(u)))
        {
            out.push(format!("authorityInfoAccess {name} has no http: URI"));
        }
    }
    out
}

fn aia_scheme(ctx: &Context<'_>) -> Vec<String> {
    let uris: Vec<&[u8]> = ctx
        .cert
        .aia
        .iter()
        .flatten()
        .filter_map(|d| match d.location {
            GeneralName::Uri(u) => Some(u),
            _ => None,
        })
        .collect();
    scheme_problems(ctx, &uris, "authorityInfoAccess")
}

fn aia_gn_type(ctx: &Context<'_>) -> Vec<String> {
    ctx.cert
        .aia
        .iter()
        .flatten()
        .filter(|d| !matches!(d.location, GeneralName::Uri(_)))
        .map(|d| {
            format!(
                "an authorityInfoAccess accessLocation is a {}, not a URI",
                d.location.type_name()
            )
        })
        .collect()
}

fn aki_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_AUTHORITY_KEY_IDENTIFIER).is_none() {
        vec!["the authorityKeyIdentifier extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn aki_key_id(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.aki {
        Some(a) if a.key_id.is_none() => {
            vec!["authorityKeyIdentifier has no keyIdentifier".into()]
        }
        _ => Vec::new(),
    }
}

fn aki_issuer_serial(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.aki {
        Some(a) if a.has_issuer || a.has_serial => vec![
            "authorityKeyIdentifier has authorityCertIssuer/authorityCertSerialNumber; only keyIdentifier is allowed"
                .into(),
        ],
        _ => Vec::new(),
    }
}

fn ski_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_SUBJECT_KEY_IDENTIFIER).is_none() {
        vec!["the subjectKeyIdentifier extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn prohibited_in_strict(ctx: &Context<'_>, o: &const_oid::ObjectIdentifier) -> Vec<String> {
    if ctx.generation() == Some(Generation::Strict) && ctx.cert.ext(o).is_some() {
        vec![format!(
            "the {} extension is not allowed in Strict certificates",
            ext_name(o)
        )]
    } else {
        Vec::new()
    }
}

fn adobe_ts_prohibited(ctx: &Context<'_>) -> Vec<String> {
    prohibited_in_strict(ctx, &ext_oid::ADOBE_TIMESTAMP)
}

fn adobe_ts_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &ext_oid::ADOBE_TIMESTAMP, "Adobe Time-stamp")
}

fn adobe_ts_location(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.adobe_timestamp {
        Some(t) if !matches!(t.location, GeneralName::Uri(_)) => vec![format!(
            "the Adobe Time-stamp location is a {}, not a URI",
            t.location.type_name()
        )],
        _ => Vec::new(),
    }
}

fn adobe_ari_prohibited(ctx: &Context<'_>) -> Vec<String> {
    prohibited_in_strict(ctx, &ext_oid::ADOBE_ARCHIVE_REV_INFO)
}

fn adobe_ari_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(
        ctx,
        &ext_oid::ADOBE_ARCHIVE_REV_INFO,
        "Adobe ArchiveRevInfo",
    )
}

fn lei_prohibited(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert_type() {
        Some(t @ (CertificateType::Mailbox | CertificateType::Individual))
            if ctx.cert.ext(&ext_oid::LEI).is_some() =>
        {
            vec![format!(
                "the LEI extension is not allowed in {:?}-validated certificates",
                t
            )]
        }
        _ => Vec::new(),
    }
}

fn lei_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &ext_oid::LEI, "Legal Entity Identifier")
}

fn lei_role_prohibited(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert_type() {
        Some(t)
            if t != CertificateType::Sponsored && ctx.cert.ext(&ext_oid::LEI_ROLE).is_some() =>
        {
            vec![format!(
                "the LEI role extension is allowed only in Sponsor-validated certificates, not {:?}-validated ones",
                t
            )]
        }
        _ => Vec::new(),
    }
}

fn lei_role_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &ext_oid::LEI_ROLE, "LEI role")
}

/// Why `lei` is not an ISO 17442 LEI, or `None`.
pub(super) fn lei_problem(lei: &str) -> Option<String> {
    let b = lei.as_bytes();
    if b.len() != 20
        || !b[..18]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        || !b[18..].iter().all(u8::is_ascii_digit)
    {
        return Some(format!(
            "{lei:?} is not 18 upper-case letters or digits followed by 2 check digits"
        ));
    }
    // ISO 7064 MOD 97-10: letters become 10..35; the number mod 97 must be 1.
    let mut r = 0u32;
    for c in b {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    if r != 1 {
        return Some(format!(
            "{lei:?} has wrong check digits (ISO 7064 MOD 97-10)"
        ));
    }
    None
}

fn lei_invalid(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(l) = &ctx.cert.lei {
        if let Some(p) = lei_problem(l) {
            out.push(format!("the LEI extension value {p}"));
        }
    }
    for (label, name) in ctx.cert.subject_like_names() {
        for v in name.texts(&crate::oids::AT_ORGANIZATION_IDENTIFIER) {
            if let Some(l) = v.strip_prefix("LEIXG-") {
                if let Some(p) = lei_problem(l) {
                    out.push(format!("{label} organizationIdentifier: the LEI {p}"));
                }
            }
        }
    }
    out
}

fn qc_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &ext_oid::QC_STATEMENTS, "qcStatements")
}

fn sda_prohibited(ctx: &Context<'_>) -> Vec<String> {
    let Some(p) = ctx.profile() else {
        return Vec::new();
    };
    if ctx
        .cert
        .ext(&ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES)
        .is_none()
    {
        return Vec::new();
    }
    if p.cert_type == CertificateType::Mailbox || p.generation != Generation::Legacy {
        vec![format!(
            "the subjectDirectoryAttributes extension is not allowed in {} certificates",
            p.name()
        )]
    } else {
        Vec::new()
    }
}

fn unlisted(ctx: &Context<'_>) -> Vec<String> {
    let listed = [
        oids::EXT_CERTIFICATE_POLICIES,
        oids::EXT_CRL_DISTRIBUTION_POINTS,
        oids::EXT_AUTHORITY_INFO_ACCESS,
        oids::EXT_BASIC_CONSTRAINTS,
        oids::EXT_KEY_USAGE,
        oids::EXT_EXTENDED_KEY_USAGE,
        oids::EXT_AUTHORITY_KEY_IDENTIFIER,
        oids::EXT_SUBJECT_ALT_NAME,
        oids::ID_SMIME_CAPABILITIES,
        ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES,
        ext_oid::QC_STATEMENTS,
        ext_oid::LEI,
        ext_oid::LEI_ROLE,
        ext_oid::ADOBE_TIMESTAMP,
        ext_oid::ADOBE_ARCHIVE_REV_INFO,
        oids::EXT_SUBJECT_KEY_IDENTIFIER,
        // Reported by their own rules when present in a subscriber certificate.
        oids::EXT_NAME_CONSTRAINTS,
        oids::EXT_POLICY_MAPPINGS,
        oids::EXT_POLICY_CONSTRAINTS,
        oids::EXT_INHIBIT_ANY_POLICY,
    ];
    let mut out = Vec::new();
    for e in &ctx.cert.extensions {
        if !listed.contains(&e.oid) && !out.iter().any(|m: &String| m.contains(&ext_name(&e.oid))) {
            out.push(format!(
                "the extension {} is not one SBR §7.1.2.3 lists",
                ext_name(&e.oid)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::lei_problem;

    #[test]
    fn lei_checksum() {
        // GLEIF's own LEI.
        assert!(lei_problem("506700GE1G29325QX363").is_none());
        assert!(lei_problem("506700GE1G29325QX364").is_some());
        assert!(lei_problem("506700GE1G29325QX3").is_some());
        assert!(lei_problem("506700ge1g29325QX363").is_some());
    }
}
