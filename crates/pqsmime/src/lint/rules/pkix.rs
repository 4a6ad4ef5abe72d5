//! Encoding and RFC 5280 structure rules that hold for every certificate.

use super::{critical, BASE};
use crate::lint::cert::{ext_name, ext_oid, ku, GeneralName, Qualifier};
use crate::lint::{Context, Rule, Scope, Severity};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "asn1.not_der",
        citation: "RFC 5280 §4.1; X.690 §10",
        description: "The certificate is DER-encoded.",
        pkilint: &["itu.invalid_asn1_syntax"],
        check: not_der,
        ..BASE
    },
    Rule {
        code: "asn1.extension_not_der",
        citation: "RFC 5280 §4.1; X.690 §11.5, §11.2.2",
        description: "Extension values are DER: DEFAULT values omitted, named bit lists without trailing zero bits.",
        pkilint: &["itu.invalid_asn1_syntax"],
        check: extension_not_der,
        ..BASE
    },
    Rule {
        code: "pkix.extension_malformed",
        citation: "RFC 5280 §4.2",
        description: "Every extension the linter knows decodes according to its ASN.1 definition.",
        pkilint: &["itu.invalid_asn1_syntax"],
        check: extension_malformed,
        ..BASE
    },
    Rule {
        code: "pkix.name_malformed",
        citation: "RFC 5280 §4.1.2.4, §4.1.2.6",
        description: "Issuer and subject are well-formed Names.",
        pkilint: &["itu.invalid_asn1_syntax"],
        check: name_malformed,
        ..BASE
    },
    Rule {
        code: "pkix.version_not_v3",
        citation: "SBR §7.1.1; RFC 5280 §4.1.2.1",
        description: "The certificate is X.509 version 3.",
        pkilint: &["pkix.certificate_version_is_not_v3"],
        check: version,
        ..BASE
    },
    Rule {
        code: "pkix.serial_not_positive",
        citation: "SBR §7.1; RFC 5280 §4.1.2.2",
        description: "The serial number is a positive integer.",
        pkilint: &["pkix.certificate_serial_number_out_of_range"],
        check: serial_positive,
        ..BASE
    },
    Rule {
        code: "pkix.serial_too_long",
        citation: "SBR §7.1; RFC 5280 §4.1.2.2",
        description: "The serial number is at most 20 octets (less than 2^159 for the SBR).",
        pkilint: &["pkix.certificate_serial_number_out_of_range"],
        check: serial_length,
        ..BASE
    },
    Rule {
        code: "smime.serial_low_entropy",
        severity: Severity::Warning,
        citation: "SBR §7.1",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        description: "The serial number is long enough to hold 64 bits of CSPRNG output.",
        check: serial_entropy,
        ..BASE
    },
    Rule {
        code: "pkix.signature_algorithm_mismatch",
        citation: "RFC 5280 §4.1.1.2",
        description: "signatureAlgorithm equals tbsCertificate.signature.",
        pkilint: &["pkix.certificate_signature_algorithm_mismatch"],
        check: sig_alg_mismatch,
        ..BASE
    },
    Rule {
        code: "pkix.unique_identifier_present",
        citation: "RFC 5280 §4.1.2.8",
        description: "issuerUniqueID and subjectUniqueID are absent.",
        pkilint: &["pkix.issuer_unique_id_present", "pkix.subject_unique_id_present"],
        check: unique_ids,
        ..BASE
    },
    Rule {
        code: "pkix.issuer_empty",
        citation: "RFC 5280 §4.1.2.4",
        description: "The issuer name is not empty.",
        pkilint: &["pkix.name_empty"],
        check: issuer_empty,
        ..BASE
    },
    Rule {
        code: "pkix.time_invalid",
        citation: "RFC 5280 §4.1.2.5",
        description: "notBefore and notAfter are UTCTime through 2049 and GeneralizedTime from 2050, in the Zulu form with seconds.",
        pkilint: &[
            "pkix.utctime_incorrect_syntax",
            "pkix.generalizedtime_incorrect_syntax",
            "pkix.wrong_time_useful_type",
            "pkix.invalid_time_syntax",
        ],
        check: times,
        ..BASE
    },
    Rule {
        code: "pkix.validity_negative",
        citation: "RFC 5280 §4.1.2.5",
        description: "notAfter is not before notBefore.",
        pkilint: &["pkix.certificate_negative_validity_period"],
        check: validity_negative,
        ..BASE
    },
    Rule {
        code: "pkix.extensions_missing",
        citation: "SBR §7.1.2.3; RFC 5280 §4.1.2.9",
        description: "The certificate has extensions.",
        pkilint: &["cabf.certificate_extensions_missing"],
        check: extensions_missing,
        ..BASE
    },
    Rule {
        code: "pkix.duplicate_extension",
        citation: "RFC 5280 §4.2",
        description: "No extension appears more than once.",
        pkilint: &["pkix.duplicate_extension"],
        check: duplicate_extension,
        ..BASE
    },
    Rule {
        code: "pkix.ca_extension_in_end_entity",
        citation: "RFC 5280 §4.2.1.10, §4.2.1.5, §4.2.1.11, §4.2.1.14",
        scope: Scope::SUBSCRIBER,
        description: "nameConstraints, policyMappings, policyConstraints and inhibitAnyPolicy appear only in CA certificates.",
        pkilint: &[
            "pkix.name_constraints_in_ee_certificate",
            "pkix.end_entity_policy_mappings_extension_present",
            "pkix.end_entity_policy_constraints_extension_present",
            "pkix.end_entity_inhibit_anypolicy_extension_present",
        ],
        check: ca_extensions_in_ee,
        ..BASE
    },
    Rule {
        code: "pkix.subject_key_identifier_critical",
        citation: "RFC 5280 §4.2.1.2; SBR §7.1.2.3(n)",
        description: "subjectKeyIdentifier is not critical.",
        pkilint: &["pkix.certificate_skid_extension_critical"],
        check: ski_critical,
        ..BASE
    },
    Rule {
        code: "pkix.authority_key_identifier_critical",
        citation: "RFC 5280 §4.2.1.1; SBR §7.1.2.3(g)",
        description: "authorityKeyIdentifier is not critical.",
        pkilint: &["pkix.authority_key_identifier_critical"],
        zlint: &["e_authority_key_identifier_correct"],
        check: aki_critical,
        ..BASE
    },
    Rule {
        code: "pkix.authority_key_identifier_issuer_serial_pairing",
        citation: "RFC 5280 §4.2.1.1",
        description: "authorityCertIssuer and authorityCertSerialNumber appear together or not at all.",
        pkilint: &[
            "pkix.aki_with_cert_issuer_but_serial_number_absent",
            "pkix.aki_with_serial_number_but_cert_issuer_absent",
        ],
        check: aki_pairing,
        ..BASE
    },
    Rule {
        code: "pkix.authority_info_access_critical",
        citation: "RFC 5280 §4.2.2.1; SBR §7.1.2.3(c)",
        description: "authorityInfoAccess is not critical.",
        pkilint: &["pkix.authority_information_access_extension_critical"],
        check: aia_critical,
        ..BASE
    },
    Rule {
        code: "pkix.subject_directory_attributes_critical",
        citation: "RFC 5280 §4.2.1.8; SBR §7.1.2.3(j)",
        description: "subjectDirectoryAttributes is not critical.",
        pkilint: &["pkix.subject_directory_attributes_extension_critical"],
        check: sda_critical,
        ..BASE
    },
    Rule {
        code: "pkix.smime_capabilities_critical",
        citation: "SBR §7.1.2.3(i); RFC 4262 §2",
        description: "smimeCapabilities is not critical.",
        pkilint: &["pkix.smime_capabilities_extension_critical"],
        check: smime_caps_critical,
        ..BASE
    },
    Rule {
        code: "pkix.subject_info_access_critical",
        citation: "RFC 5280 §4.2.2.2",
        description: "subjectInfoAccess is not critical.",
        pkilint: &["pkix.subject_information_access_extension_critical"],
        check: sia_critical,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_empty",
        citation: "RFC 5280 §4.2.1.3",
        description: "A keyUsage extension asserts at least one bit.",
        pkilint: &["pkix.no_ku_bits_set"],
        check: ku_empty,
        ..BASE
    },
    Rule {
        code: "pkix.end_entity_key_cert_sign",
        citation: "RFC 5280 §4.2.1.3, §4.2.1.9",
        scope: Scope::SUBSCRIBER,
        description: "keyCertSign is asserted only when basicConstraints says cA TRUE.",
        pkilint: &["pkix.ee_certificate_keycertsign_keyusage_set"],
        check: ee_kcs,
        ..BASE
    },
    Rule {
        code: "pkix.path_len_without_ca",
        citation: "RFC 5280 §4.2.1.9; SBR §7.1.2.3(d)",
        description: "pathLenConstraint appears only with cA TRUE.",
        pkilint: &["pkix.basic_constraints_has_pathlen_for_non_ca"],
        check: path_len_non_ca,
        ..BASE
    },
    Rule {
        code: "pkix.san_not_critical_empty_subject",
        citation: "RFC 5280 §4.2.1.6",
        description: "subjectAltName is critical when the subject is empty.",
        pkilint: &["pkix.san_extension_not_critical_empty_subject"],
        check: san_empty_subject,
        ..BASE
    },
    Rule {
        code: "pkix.duplicate_policy",
        citation: "RFC 5280 §4.2.1.4",
        description: "A policy OID appears only once in certificatePolicies.",
        pkilint: &["pkix.duplicate_certificate_policy_oids"],
        check: duplicate_policy,
        ..BASE
    },
    Rule {
        code: "pkix.distribution_point_empty",
        citation: "RFC 5280 §4.2.1.13",
        description: "Each DistributionPoint has a distributionPoint or a cRLIssuer.",
        pkilint: &["pkix.distribution_point_does_not_contain_name_or_issuer"],
        check: dp_empty,
        ..BASE
    },
    Rule {
        code: "pkix.uri_invalid",
        citation: "RFC 5280 §4.2.1.6; RFC 3986 §3",
        description: "URIs in subjectAltName, cRLDistributionPoints, authorityInfoAccess and CPS pointers have a scheme and contain only printable ASCII without spaces.",
        pkilint: &["pkix.invalid_uri_syntax"],
        check: uris,
        ..BASE
    },
    Rule {
        code: "pkix.general_name_invalid",
        citation: "RFC 5280 §4.2.1.6",
        description: "dNSName entries are preferred-name-syntax domain names and iPAddress entries are 4 or 16 octets.",
        pkilint: &["pkix.invalid_domain_name_syntax", "pkix.ip_address_wrong_length", "pkix.dnsname_domain_name_too_long"],
        check: general_names,
        ..BASE
    },
    Rule {
        code: "pkix.subject_key_identifier_method_unknown",
        severity: Severity::Notice,
        citation: "SBR §7.1.2.3(n); RFC 5280 §4.2.1.2; RFC 7093 §2",
        description: "The subjectKeyIdentifier is derived from the public key by RFC 5280 method 1 or 2 or an RFC 7093 method.",
        pkilint: &["pkix.unknown_subject_key_identifier_calculation_method"],
        check: ski_method,
        ..BASE
    },
];

fn not_der(ctx: &Context<'_>) -> Vec<String> {
    ctx.cert
        .der_problems
        .iter()
        .map(|p| format!("the certificate is not DER: {p}"))
        .collect()
}

fn extension_not_der(ctx: &Context<'_>) -> Vec<String> {
    ctx.cert
        .der_notes
        .iter()
        .map(|(e, p)| format!("extension {e} is not DER: {p}"))
        .collect()
}

fn extension_malformed(ctx: &Context<'_>) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .cert
        .extension_list_problems
        .iter()
        .map(|p| format!("extensions: {p}"))
        .collect();
    out.extend(
        ctx.cert
            .decode_errors
            .iter()
            .map(|(e, p)| format!("extension {e} cannot be decoded: {p}")),
    );
    out
}

fn name_malformed(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Err(e) = &ctx.cert.issuer {
        out.push(format!("the issuer name cannot be decoded: {e}"));
    }
    if let Err(e) = &ctx.cert.subject {
        out.push(format!("the subject name cannot be decoded: {e}"));
    }
    out
}

fn version(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.version {
        Some(Ok(2)) => Vec::new(),
        None => {
            vec!["the certificate is version 1 (no version field); X.509 v3 is required".into()]
        }
        Some(Ok(0)) => {
            vec!["the certificate is version 1, encoded explicitly; X.509 v3 is required".into()]
        }
        Some(Ok(n)) => vec![format!(
            "the certificate is version {}; X.509 v3 is required",
            n + 1
        )],
        Some(Err(e)) => vec![format!("the version field cannot be read: {e}")],
    }
}

/// Serial magnitude (without sign octet), or None when negative or zero.
fn serial_magnitude(s: &[u8]) -> Option<&[u8]> {
    let first = *s.first()?;
    if first & 0x80 != 0 || s.iter().all(|b| *b == 0) {
        return None;
    }
    let skip = s.iter().take_while(|b| **b == 0).count();
    s.get(skip..)
}

fn serial_positive(ctx: &Context<'_>) -> Vec<String> {
    let s = ctx.cert.serial;
    if s.first().is_some_and(|b| b & 0x80 != 0) {
        vec!["the serial number is negative".into()]
    } else if s.iter().all(|b| *b == 0) {
        vec!["the serial number is zero".into()]
    } else {
        Vec::new()
    }
}

fn serial_length(ctx: &Context<'_>) -> Vec<String> {
    match serial_magnitude(ctx.cert.serial) {
        Some(m) if m.len() > 20 => vec![format!(
            "the serial number is {} octets long; at most 20 are allowed",
            m.len()
        )],
        Some(m) if m.len() == 20 && m.first().is_some_and(|b| b & 0x80 != 0) => {
            vec!["the serial number is 2^159 or more (SBR §7.1 requires less than 2^159)".into()]
        }
        _ => Vec::new(),
    }
}

fn serial_entropy(ctx: &Context<'_>) -> Vec<String> {
    match serial_magnitude(ctx.cert.serial) {
        Some(m) if m.len() < 8 => vec![format!(
            "the serial number has only {} octets, too short to hold 64 bits of CSPRNG output",
            m.len()
        )],
        _ => Vec::new(),
    }
}

fn sig_alg_mismatch(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.tbs_signature_alg == ctx.cert.signature_alg {
        Vec::new()
    } else {
        vec![format!(
            "signatureAlgorithm ({}) differs from tbsCertificate.signature ({})",
            super::hex(ctx.cert.signature_alg),
            super::hex(ctx.cert.tbs_signature_alg)
        )]
    }
}

fn unique_ids(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if ctx.cert.issuer_uid {
        out.push("issuerUniqueID is present".to_string());
    }
    if ctx.cert.subject_uid {
        out.push("subjectUniqueID is present".to_string());
    }
    out
}

fn issuer_empty(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.issuer {
        Ok(n) if n.is_empty() => vec!["the issuer name is empty".into()],
        _ => Vec::new(),
    }
}

fn times(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (what, t) in [
        ("notBefore", &ctx.cert.not_before),
        ("notAfter", &ctx.cert.not_after),
    ] {
        if let Some(p) = &t.problem {
            out.push(format!("{what}: {p}"));
        }
    }
    out
}

fn validity_negative(ctx: &Context<'_>) -> Vec<String> {
    match (ctx.cert.not_before.unix, ctx.cert.not_after.unix) {
        (Some(nb), Some(na)) if na < nb => vec![format!(
            "notAfter ({}) is before notBefore ({})",
            super::fmt_time(na),
            super::fmt_time(nb)
        )],
        _ => Vec::new(),
    }
}

fn extensions_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.has_extensions_field {
        Vec::new()
    } else {
        vec!["the certificate has no extensions".into()]
    }
}

fn duplicate_extension(ctx: &Context<'_>) -> Vec<String> {
    let exts = &ctx.cert.extensions;
    let mut out = Vec::new();
    for (i, e) in exts.iter().enumerate() {
        let first = exts.iter().position(|x| x.oid == e.oid) == Some(i);
        let count = exts.iter().filter(|x| x.oid == e.oid).count();
        if first && count > 1 {
            out.push(format!(
                "extension {} appears {count} times",
                ext_name(&e.oid)
            ));
        }
    }
    out
}

fn ca_extensions_in_ee(ctx: &Context<'_>) -> Vec<String> {
    [
        oids::EXT_NAME_CONSTRAINTS,
        oids::EXT_POLICY_MAPPINGS,
        oids::EXT_POLICY_CONSTRAINTS,
        oids::EXT_INHIBIT_ANY_POLICY,
    ]
    .iter()
    .filter(|o| ctx.cert.ext(o).is_some())
    .map(|o| {
        format!(
            "the CA-only extension {} is present in an end-entity certificate",
            ext_name(o)
        )
    })
    .collect()
}

fn ski_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(
        ctx,
        &oids::EXT_SUBJECT_KEY_IDENTIFIER,
        "subjectKeyIdentifier",
    )
}

fn aki_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(
        ctx,
        &oids::EXT_AUTHORITY_KEY_IDENTIFIER,
        "authorityKeyIdentifier",
    )
}

fn aia_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &oids::EXT_AUTHORITY_INFO_ACCESS, "authorityInfoAccess")
}

fn sda_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(
        ctx,
        &ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES,
        "subjectDirectoryAttributes",
    )
}

fn smime_caps_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &oids::ID_SMIME_CAPABILITIES, "smimeCapabilities")
}

fn sia_critical(ctx: &Context<'_>) -> Vec<String> {
    critical(ctx, &ext_oid::SUBJECT_INFO_ACCESS, "subjectInfoAccess")
}

fn aki_pairing(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.aki {
        Some(a) if a.has_issuer != a.has_serial => vec![if a.has_issuer {
            "authorityKeyIdentifier has authorityCertIssuer without authorityCertSerialNumber"
                .into()
        } else {
            "authorityKeyIdentifier has authorityCertSerialNumber without authorityCertIssuer"
                .into()
        }],
        _ => Vec::new(),
    }
}

fn ku_empty(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.key_usage {
        Some(k) if k.bits == 0 => vec!["keyUsage asserts no bit".into()],
        _ => Vec::new(),
    }
}

fn ee_kcs(ctx: &Context<'_>) -> Vec<String> {
    let is_ca = ctx.cert.basic_constraints.is_some_and(|b| b.ca);
    match ctx.cert.key_usage {
        Some(k) if k.bits & ku::KCS != 0 && !is_ca => {
            vec![
                "keyUsage asserts keyCertSign in a certificate that is not a CA certificate".into(),
            ]
        }
        _ => Vec::new(),
    }
}

fn path_len_non_ca(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.basic_constraints {
        Some(b) if !b.ca && b.path_len.is_some() => {
            vec!["basicConstraints has a pathLenConstraint but cA is FALSE".into()]
        }
        _ => Vec::new(),
    }
}

fn san_empty_subject(ctx: &Context<'_>) -> Vec<String> {
    let empty = matches!(&ctx.cert.subject, Ok(n) if n.is_empty());
    match ctx.cert.ext(&oids::EXT_SUBJECT_ALT_NAME) {
        Some(e) if empty && !e.critical => {
            vec!["the subject is empty but subjectAltName is not critical".into()]
        }
        _ => Vec::new(),
    }
}

fn duplicate_policy(ctx: &Context<'_>) -> Vec<String> {
    let Some(p) = &ctx.cert.policies else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, pi) in p.iter().enumerate() {
        if p.iter().position(|x| x.oid == pi.oid) != Some(i)
            && !out.iter().any(|m: &String| m.contains(&pi.oid.to_string()))
        {
            out.push(format!("policy {} appears more than once", pi.oid));
        }
    }
    out
}

fn dp_empty(ctx: &Context<'_>) -> Vec<String> {
    ctx.cert
        .crl_dps
        .iter()
        .flatten()
        .enumerate()
        .filter(|(_, d)| !d.has_name && !d.has_crl_issuer)
        .map(|(i, _)| {
            format!(
                "cRLDistributionPoints entry {} has neither a distributionPoint nor a cRLIssuer",
                i + 1
            )
        })
        .collect()
}

fn uri_problem(u: &[u8]) -> Option<String> {
    if let Some(b) = u.iter().find(|b| !(0x21..=0x7E).contains(*b)) {
        return Some(format!(
            "contains the byte 0x{b:02X} (space, control or non-ASCII)"
        ));
    }
    if super::uri_scheme(u).is_none() {
        return Some("has no scheme".to_string());
    }
    None
}

fn uris(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |where_: &str, u: &[u8]| {
        if let Some(p) = uri_problem(u) {
            out.push(format!(
                "the URI {:?} in {where_} {p}",
                String::from_utf8_lossy(u)
            ));
        }
    };
    for gn in ctx.cert.san.iter().flatten() {
        if let GeneralName::Uri(u) = gn {
            check("subjectAltName", u);
        }
    }
    for dp in ctx.cert.crl_dps.iter().flatten() {
        for gn in dp.full_name.iter().flatten() {
            if let GeneralName::Uri(u) = gn {
                check("cRLDistributionPoints", u);
            }
        }
    }
    for ad in ctx.cert.aia.iter().flatten() {
        if let GeneralName::Uri(u) = &ad.location {
            check("authorityInfoAccess", u);
        }
    }
    for p in ctx.cert.policies.iter().flatten() {
        for q in &p.qualifiers {
            if let Qualifier::Cps(Ok(u)) = q {
                check("a CPS pointer", u.as_bytes());
            }
        }
    }
    out
}

fn ski_method(ctx: &Context<'_>) -> Vec<String> {
    let (Some(ski), Ok(spki)) = (ctx.cert.ski, &ctx.cert.spki) else {
        return Vec::new();
    };
    let key = spki.key;
    let sha1 = crate::digest::sha1(key);
    let mut m2 = [0u8; 8];
    m2.copy_from_slice(&sha1[12..20]);
    m2[0] = 0x40 | (m2[0] & 0x0F);
    if ski == sha1 || ski == m2 {
        return Vec::new();
    }
    use crate::alg::DigestAlgorithm as D;
    for d in [D::Sha256, D::Sha384, D::Sha512] {
        let h = crate::digest::digest(d, key);
        if h.get(..20) == Some(ski) {
            return Vec::new();
        }
    }
    // RFC 7093 method 4 hashes the whole SPKI.
    for d in [D::Sha256, D::Sha384, D::Sha512] {
        let h = crate::digest::digest(d, ctx.cert.spki_raw);
        if h.get(..20) == Some(ski) || h.as_slice() == ski {
            return Vec::new();
        }
    }
    vec!["the subjectKeyIdentifier is not derived from the public key by a known method".into()]
}

fn general_names(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for gn in ctx.cert.san.iter().flatten() {
        match gn {
            GeneralName::Dns(d) => {
                let s = String::from_utf8_lossy(d);
                let plain = s.strip_prefix("*.").unwrap_or(&s);
                if let Some(p) = super::domain_problem(plain) {
                    out.push(format!("the subjectAltName dNSName {s:?} {p}"));
                }
            }
            GeneralName::Ip(ip) if ip.len() != 4 && ip.len() != 16 => out.push(format!(
                "a subjectAltName iPAddress has {} octets (4 or 16 expected)",
                ip.len()
            )),
            _ => {}
        }
    }
    out
}
