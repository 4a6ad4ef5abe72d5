//! subjectAltName and mailbox addresses (SBR §7.1.2.3(h), §7.1.4.2.1; RFC 5321, RFC 9598).

use super::{domain_problem, mailbox_problem, same_mailbox, BASE};
use crate::lint::cert::{attr_name, ext_oid, GeneralName};
use crate::lint::{Context, Generation, Rule, Scope, Severity};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "smime.san_missing",
        citation: "SBR §7.1.2.3(h)",
        scope: Scope::SUBSCRIBER,
        description: "subjectAltName is present.",
        pkilint: &["cabf.smime.san_extension_missing"],
        zlint: &["e_subscribers_san_shall_be_present"],
        check: san_missing,
        ..BASE
    },
    Rule {
        code: "smime.san_no_mailbox",
        citation: "SBR §7.1.2.3(h), §7.1.4.2.1",
        scope: Scope::SUBSCRIBER,
        description: "subjectAltName contains at least one rfc822Name or SmtpUTF8Mailbox.",
        pkilint: &["cabf.smime.san_does_not_contain_email_address"],
        zlint: &["e_mailbox_address_shall_contain_an_rfc822_name"],
        check: san_no_mailbox,
        ..BASE
    },
    Rule {
        code: "smime.san_general_name_type",
        citation: "SBR §7.1.2.3(h)",
        scope: Scope::SUBSCRIBER,
        description: "subjectAltName holds only rfc822Name, otherName and directoryName entries.",
        pkilint: &["cabf.smime.prohibited_generalname_type_present"],
        check: san_gn_type,
        ..BASE
    },
    Rule {
        code: "smime.san_other_name_type",
        citation: "SBR §7.1.2.3(h)",
        scope: Scope::SUBSCRIBER,
        description: "Strict certificates have no otherName other than SmtpUTF8Mailbox.",
        pkilint: &["cabf.smime.prohibited_othername_type_present"],
        check: san_other_name,
        ..BASE
    },
    Rule {
        code: "smime.san_critical",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(h)",
        scope: Scope::SUBSCRIBER,
        description: "subjectAltName SHOULD NOT be critical unless the subject is empty.",
        pkilint: &["pkix.san_extension_is_critical_non_empty_subject"],
        zlint: &["w_san_should_not_be_critical"],
        check: san_critical,
        ..BASE
    },
    Rule {
        code: "smime.mailbox_invalid",
        citation: "SBR §7.1.4.2.1; RFC 5321 §4.1.2; RFC 5280 §4.2.1.6",
        description: "Every rfc822Name is one RFC 5321 Mailbox (no display name, no angle brackets) with a fully qualified LDH domain.",
        pkilint: &["pkix.invalid_email_address_syntax", "pkix.rfc822name_domain_part_too_long"],
        zlint: &["e_single_email_if_present"],
        check: rfc822_syntax,
        ..BASE
    },
    Rule {
        code: "pkix.smtputf8_mailbox_ascii_only",
        citation: "RFC 9598 §3; SBR §7.1.4.2.1",
        description: "An SmtpUTF8Mailbox has a non-ASCII local part (all-ASCII mailboxes go in rfc822Name).",
        pkilint: &["pkix.smtp_utf8_mailbox_is_ascii_only"],
        check: smtputf8_ascii,
        ..BASE
    },
    Rule {
        code: "pkix.smtputf8_mailbox_invalid",
        citation: "RFC 9598 §3; RFC 6531 §3.3",
        description: "An SmtpUTF8Mailbox is a UTF8String without BOM holding a Mailbox whose domain is lower-case LDH labels or A-labels.",
        pkilint: &[
            "pkix.smtp_utf8_mailbox_has_bom",
            "pkix.smtp_utf8_mailbox_invalid_syntax",
            "pkix.smtp_utf8_mailbox_has_uppercase",
            "pkix.smtp_utf8_mailbox_domain_part_invalid_syntax",
            "pkix.smtputf8mailbox_domain_part_too_long",
        ],
        check: smtputf8_syntax,
        ..BASE
    },
    Rule {
        code: "smime.subject_email_invalid",
        citation: "SBR §7.1.4.2.2(h)",
        description: "An emailAddress attribute is an IA5String holding a single mailbox.",
        pkilint: &["pkix.invalid_email_address_syntax"],
        zlint: &["e_single_email_subject_if_present"],
        check: subject_email_syntax,
        ..BASE
    },
    Rule {
        code: "smime.internal_name",
        citation: "SBR §3.2.2, §7.1.2.4",
        description: "Mailbox domains and the hosts of URIs (SAN, CRL distribution points, AIA, CPS) are public names, not internal names (reserved or private top-level domains, single labels, private IP addresses).",
        pkilint: &["cabf.internal_domain_name", "cabf.internal_ip_address"],
        zlint: &["w_smime_aia_contains_internal_names", "w_smime_strict_aia_contains_internal_names"],
        check: internal_names,
        ..BASE
    },
    Rule {
        code: "smime.mailbox_in_subject_not_in_san",
        citation: "SBR §7.1.4.2.1",
        scope: Scope::SUBSCRIBER,
        description: "Every mailbox address in the subject (emailAddress, commonName or any other attribute) or a SAN directoryName is also an rfc822Name or SmtpUTF8Mailbox of the SAN.",
        pkilint: &["cabf.smime.email_address_in_attribute_not_in_san", "pkix.subject_email_address_not_in_san"],
        zlint: &["e_mailbox_address_shall_contain_an_rfc822_name"],
        check: subject_mailbox_in_san,
        ..BASE
    },
];

fn san_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_SUBJECT_ALT_NAME).is_none() {
        vec!["the subjectAltName extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn san_no_mailbox(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.san {
        Some(_) if ctx.cert.san_emails().is_empty() => {
            vec!["subjectAltName contains no rfc822Name or SmtpUTF8Mailbox".into()]
        }
        _ => Vec::new(),
    }
}

fn san_gn_type(ctx: &Context<'_>) -> Vec<String> {
    let mut types: Vec<&str> = ctx
        .cert
        .san
        .iter()
        .flatten()
        .filter(|g| {
            !matches!(
                g,
                GeneralName::Rfc822(_) | GeneralName::OtherName { .. } | GeneralName::Directory(_)
            )
        })
        .map(GeneralName::type_name)
        .collect();
    types.sort_unstable();
    types.dedup();
    types
        .into_iter()
        .map(|t| format!("subjectAltName contains a {t}, which is not allowed"))
        .collect()
}

fn san_other_name(ctx: &Context<'_>) -> Vec<String> {
    if ctx.generation() != Some(Generation::Strict) {
        return Vec::new();
    }
    ctx.cert
        .san
        .iter()
        .flatten()
        .filter_map(|g| match g {
            GeneralName::OtherName { type_id, .. } if *type_id != oids::ON_SMTP_UTF8_MAILBOX => {
                let name = if *type_id == ext_oid::MS_UPN {
                    "Microsoft UPN".to_string()
                } else {
                    type_id.to_string()
                };
                Some(format!(
                    "subjectAltName contains an otherName of type {name}, not allowed in Strict certificates"
                ))
            }
            _ => None,
        })
        .collect()
}

fn san_critical(ctx: &Context<'_>) -> Vec<String> {
    let non_empty = matches!(&ctx.cert.subject, Ok(n) if !n.is_empty());
    match ctx.cert.ext(&oids::EXT_SUBJECT_ALT_NAME) {
        Some(e) if e.critical && non_empty => {
            vec!["subjectAltName is critical although the subject is not empty".into()]
        }
        _ => Vec::new(),
    }
}

fn rfc822_syntax(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for g in ctx.cert.san.iter().flatten() {
        if let GeneralName::Rfc822(v) = g {
            let s = String::from_utf8_lossy(v);
            if !v.is_ascii() {
                out.push(format!(
                    "the rfc822Name {s:?} is not ASCII (IA5String); non-ASCII mailboxes belong in SmtpUTF8Mailbox"
                ));
            } else if let Some(p) = mailbox_problem(&s, false) {
                out.push(format!("the rfc822Name {s:?} {p}"));
            }
        }
    }
    out
}

fn smtputf8_values<'a>(ctx: &'a Context<'_>) -> Vec<(u8, &'a [u8])> {
    ctx.cert
        .san
        .iter()
        .flatten()
        .filter_map(|g| match g {
            GeneralName::OtherName { type_id, value } if *type_id == oids::ON_SMTP_UTF8_MAILBOX => {
                Some((value.tag, value.value))
            }
            _ => None,
        })
        .collect()
}

fn smtputf8_ascii(ctx: &Context<'_>) -> Vec<String> {
    smtputf8_values(ctx)
        .into_iter()
        .filter_map(|(_, v)| {
            let s = std::str::from_utf8(v).ok()?;
            let local = s.rsplit_once('@').map(|(l, _)| l).unwrap_or(s);
            local.is_ascii().then(|| {
                format!("the SmtpUTF8Mailbox {s:?} has an all-ASCII local part; it must be an rfc822Name")
            })
        })
        .collect()
}

fn smtputf8_syntax(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (tag, v) in smtputf8_values(ctx) {
        if tag != crate::asn1::TAG_UTF8_STRING {
            out.push(format!(
                "an SmtpUTF8Mailbox is encoded with tag 0x{tag:02X}, not as a UTF8String"
            ));
            continue;
        }
        let Ok(s) = std::str::from_utf8(v) else {
            out.push("an SmtpUTF8Mailbox is not valid UTF-8".to_string());
            continue;
        };
        if s.starts_with('\u{FEFF}') {
            out.push(format!(
                "the SmtpUTF8Mailbox {s:?} starts with a byte order mark"
            ));
            continue;
        }
        if let Some(p) = mailbox_problem(s, true) {
            out.push(format!("the SmtpUTF8Mailbox {s:?} {p}"));
            continue;
        }
        if let Some((_, d)) = s.rsplit_once('@') {
            if d.bytes().any(|b| b.is_ascii_uppercase()) {
                out.push(format!(
                    "the domain of the SmtpUTF8Mailbox {s:?} has upper-case letters"
                ));
            } else if let Some(p) = domain_problem(d) {
                out.push(format!("the domain of the SmtpUTF8Mailbox {s:?} {p}"));
            }
        }
    }
    out
}

fn subject_email_syntax(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (label, name) in ctx.cert.subject_like_names() {
        for a in name.atvs() {
            if a.oid != oids::AT_EMAIL_ADDRESS {
                continue;
            }
            if a.tag != crate::asn1::TAG_IA5_STRING {
                out.push(format!(
                    "{label} emailAddress is encoded with tag 0x{:02X}, not IA5String",
                    a.tag
                ));
                continue;
            }
            match a.text() {
                None => out.push(format!("{label} emailAddress is not ASCII")),
                Some(s) => {
                    if let Some(p) = mailbox_problem(&s, false) {
                        out.push(format!("{label} emailAddress {s:?} {p}"));
                    }
                }
            }
        }
    }
    out
}

fn subject_mailbox_in_san(ctx: &Context<'_>) -> Vec<String> {
    let san = ctx.cert.san_emails();
    let mut out = Vec::new();
    for (label, name) in ctx.cert.subject_like_names() {
        for a in name.atvs() {
            let Some(v) = a.text() else { continue };
            let is_email_attr = a.oid == oids::AT_EMAIL_ADDRESS;
            if !is_email_attr && mailbox_problem(&v, true).is_some() {
                continue;
            }
            if !san.iter().any(|s| same_mailbox(s, &v)) {
                out.push(format!(
                    "{label} {} {v:?} is not repeated in subjectAltName",
                    attr_name(&a.oid)
                ));
            }
        }
    }
    out
}

/// Top-level domains that never name a public host (RFC 2606, RFC 6761, RFC 6762, RFC 7686,
/// ICANN's .internal, and the private names seen in the wild).
const INTERNAL_TLDS: [&str; 13] = [
    "test",
    "example",
    "invalid",
    "localhost",
    "local",
    "internal",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
    "localdomain",
    "onion",
];

/// Why a host name or address is internal, or `None`.
pub(super) fn internal_host(host: &str) -> Option<String> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if let Some(v6) = h.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        let ip: Option<std::net::Ipv6Addr> = v6.parse().ok();
        return ip
            .filter(|a| {
                a.is_loopback()
                    || a.is_unspecified()
                    || (a.segments()[0] & 0xfe00) == 0xfc00
                    || (a.segments()[0] & 0xffc0) == 0xfe80
            })
            .map(|_| format!("{host} is a private or local IPv6 address"));
    }
    if let Ok(a) = h.parse::<std::net::Ipv4Addr>() {
        return (a.is_private() || a.is_loopback() || a.is_link_local() || a.is_unspecified())
            .then(|| format!("{host} is a private or local IPv4 address"));
    }
    let labels: Vec<&str> = h.split('.').collect();
    if labels.len() < 2 {
        return Some(format!("{host} is a single-label (internal) name"));
    }
    let tld = labels.last().copied().unwrap_or_default();
    INTERNAL_TLDS
        .contains(&tld)
        .then(|| format!("{host} uses the non-public top-level domain .{tld}"))
}

/// The host of a URI with an authority (`scheme://[userinfo@]host[:port]...`).
fn uri_host(uri: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(uri).ok()?;
    let rest = s.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if hostport.starts_with('[') {
        hostport.split_inclusive(']').next()?
    } else {
        hostport.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_string())
}

fn internal_names(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut uri = |where_: &str, u: &[u8]| {
        if let Some(p) = uri_host(u).and_then(|h| internal_host(&h)) {
            out.push(format!(
                "the {where_} URI {:?}: {p}",
                String::from_utf8_lossy(u)
            ));
        }
    };
    for g in ctx.cert.san.iter().flatten() {
        if let GeneralName::Uri(u) = g {
            uri("subjectAltName", u);
        }
    }
    for dp in ctx.cert.crl_dps.iter().flatten() {
        for g in dp.full_name.iter().flatten() {
            if let GeneralName::Uri(u) = g {
                uri("cRLDistributionPoints", u);
            }
        }
    }
    for ad in ctx.cert.aia.iter().flatten() {
        if let GeneralName::Uri(u) = &ad.location {
            uri("authorityInfoAccess", u);
        }
    }
    for p in ctx.cert.policies.iter().flatten() {
        for q in &p.qualifiers {
            if let crate::lint::cert::Qualifier::Cps(Ok(u)) = q {
                uri("CPS", u.as_bytes());
            }
        }
    }
    for e in ctx.cert.san_emails() {
        if let Some((_, d)) = e.rsplit_once('@') {
            // single labels are already a syntax error of the mailbox
            if d.contains('.') {
                if let Some(p) = internal_host(d) {
                    out.push(format!("the mailbox {e:?}: {p}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_hosts_and_uri_hosts() {
        assert!(internal_host("crl.example.com").is_none());
        assert!(internal_host("crl.corp").is_some());
        assert!(internal_host("ca").is_some());
        assert!(internal_host("10.1.2.3").is_some());
        assert!(internal_host("8.8.8.8").is_none());
        assert!(internal_host("[fd00::1]").is_some());
        assert_eq!(
            uri_host(b"http://u@h.example.com:8080/x").as_deref(),
            Some("h.example.com")
        );
        assert_eq!(
            uri_host(b"http://[fd00::1]:80/").as_deref(),
            Some("[fd00::1]")
        );
        assert_eq!(uri_host(b"mailto:x@y"), None);
    }
}
