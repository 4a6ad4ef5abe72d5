//! Subject distinguished names (SBR §7.1.4.2.2 – §7.1.4.2.6, Appendix A): the attribute
//! matrix per type and generation, commonName sources, pseudonyms, address dependencies,
//! country codes and organizationIdentifier. Subscriber rules look at the subject and at every
//! subjectAltName directoryName (the SBR put both under the same rules).

use const_oid::ObjectIdentifier;

use super::BASE;
use crate::lint::cert::{attr_name, attr_oid, Name};
use crate::lint::{CertificateType, Context, Generation, Rule, Scope, Severity};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "smime.subject_attribute_missing",
        citation: "SBR §7.1.4.2.3 – §7.1.4.2.6",
        scope: Scope::SUBSCRIBER,
        description: "Required subject attributes are present: organizationName and organizationIdentifier (Organization, Sponsor); givenName/surname or pseudonym (Sponsor, Individual; Legacy also accepts commonName).",
        pkilint: &["cabf.smime.missing_required_attribute"],
        zlint: &["e_invalid_individual_identity"],
        check: missing_attributes,
        ..BASE
    },
    Rule {
        code: "smime.subject_attribute_prohibited",
        citation: "SBR §7.1.4.2.3 – §7.1.4.2.6",
        scope: Scope::SUBSCRIBER,
        description: "The subject has only the attributes the SBR table allows for the certificate type and generation.",
        pkilint: &["cabf.smime.prohibited_attribute"],
        zlint: &["e_mailbox_validated_enforce_subject_field_restrictions"],
        check: prohibited_attributes,
        ..BASE
    },
    Rule {
        code: "smime.subject_name_and_pseudonym",
        citation: "SBR §7.1.4.2.2(c), (e)",
        scope: Scope::SUBSCRIBER,
        description: "A subject has a pseudonym or givenName/surname, not both.",
        pkilint: &["cabf.smime.mixed_name_and_pseudonym_attributes"],
        check: name_and_pseudonym,
        ..BASE
    },
    Rule {
        code: "smime.subject_attribute_dependency",
        citation: "SBR §7.1.4.2.2(j) – (m)",
        scope: Scope::SUBSCRIBER,
        description: "streetAddress needs localityName or stateOrProvinceName; localityName, stateOrProvinceName and postalCode need countryName.",
        pkilint: &["cabf.smime.required_attribute_missing_for_dependent_attribute"],
        check: dependencies,
        ..BASE
    },
    Rule {
        code: "smime.subject_common_name_source",
        citation: "SBR §7.1.4.2.2(a)",
        scope: Scope::SUBSCRIBER,
        description: "commonName holds a SAN mailbox, or (Organization) the organizationName, or (Sponsor, Individual) the personal name or pseudonym.",
        pkilint: &["cabf.smime.common_name_value_unknown_source"],
        zlint: &["e_mailbox_validated_commonname", "e_organization_validated_invalid_cn"],
        check: common_name_source,
        ..BASE
    },
    Rule {
        code: "smime.subject_country_invalid",
        citation: "SBR §7.1.4.2.2(n)",
        description: "countryName is an ISO 3166-1 alpha-2 code or XX.",
        pkilint: &["cabf.invalid_country_code"],
        zlint: &["e_subject_country_name"],
        check: country_codes,
        ..BASE
    },
    Rule {
        code: "smime.subject_insignificant_value",
        citation: "SBR §7.1.4.2",
        description: "No subject attribute value is only metadata such as '.', '-' or ' ' (it holds a letter, digit or symbol).",
        pkilint: &["cabf.insignificant_attribute_value_present"],
        check: insignificant,
        ..BASE
    },
    Rule {
        code: "smime.subject_html_entity",
        citation: "SBR §7.1.4.2",
        description: "Subject attribute values do not contain HTML character references such as '&amp;'.",
        pkilint: &["cabf.name.attribute_value_contains_html_entity"],
        check: html_entities,
        ..BASE
    },
    Rule {
        code: "smime.subject_multi_valued_rdn",
        severity: Severity::Notice,
        citation: "SBR §7.1.4.1",
        description: "Each RelativeDistinguishedName holds one attribute.",
        pkilint: &["cabf.rdn_contains_multiple_atvs"],
        check: multi_valued,
        ..BASE
    },
    Rule {
        code: "pkix.rdn_duplicate_attribute",
        citation: "X.501 §9.3",
        description: "A RelativeDistinguishedName does not hold the same attribute type twice.",
        pkilint: &["pkix.rdn_contains_duplicate_attribute_types"],
        check: rdn_duplicates,
        ..BASE
    },
    Rule {
        code: "pkix.attribute_value_invalid",
        citation: "RFC 5280 §4.1.2.4, Appendix A.1",
        description: "Subject attribute values use the string type their definition requires and respect its upper bound.",
        pkilint: &["itu.invalid_asn1_syntax"],
        check: attribute_values,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_encoding",
        citation: "SBR §7.1.4.2.2(d)",
        scope: Scope::SUBSCRIBER,
        description: "organizationIdentifier is a PrintableString or UTF8String.",
        pkilint: &["cabf.invalid_subject_organization_identifier_encoding"],
        check: orgid_encoding,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_format",
        citation: "SBR §7.1.4.2.2(d), Appendix A.1",
        scope: Scope::SUBSCRIBER,
        description: "organizationIdentifier has the form SSSCC[+SP][-Reference].",
        pkilint: &["cabf.invalid_subject_organization_identifier_format"],
        check: orgid_format,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_scheme",
        citation: "SBR Appendix A.1",
        scope: Scope::SUBSCRIBER,
        description: "The registration scheme is NTR, VAT, PSD, LEI, GOV or INT.",
        pkilint: &["cabf.invalid_organization_identifier_registration_scheme"],
        check: orgid_scheme,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_country",
        citation: "SBR Appendix A.1",
        scope: Scope::SUBSCRIBER,
        description: "The country of the identifier is an ISO 3166-1 code (VAT also EL and XI); LEI and INT use XG.",
        pkilint: &["cabf.invalid_organization_identifier_country"],
        check: orgid_country,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_state_province",
        citation: "SBR Appendix A.1",
        scope: Scope::SUBSCRIBER,
        description: "Only the NTR and GOV schemes carry a state or province.",
        pkilint: &["cabf.invalid_subject_organization_identifier_state_province_for_scheme"],
        check: orgid_sp,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_reference",
        citation: "SBR Appendix A.1",
        scope: Scope::SUBSCRIBER,
        description: "NTR, VAT, PSD and LEI identifiers have a registration reference; GOV and INT have none.",
        pkilint: &[
            "cabf.organization_identifier_reference_missing_for_scheme",
            "cabf.smime.prohibited_organization_identifier_reference_present_for_scheme",
        ],
        check: orgid_reference,
        ..BASE
    },
    Rule {
        code: "smime.organization_identifier_country_mismatch",
        citation: "SBR §7.1.4.2.2(d), Appendix A.1",
        scope: Scope::SUBSCRIBER,
        description: "The country of organizationIdentifier equals countryName (except for LEI and INT).",
        pkilint: &["cabf.smime.org_identifier_and_country_name_attribute_inconsistent"],
        zlint: &["e_registration_scheme_id_matches_subject_country"],
        check: orgid_country_mismatch,
        ..BASE
    },
    Rule {
        code: "smime.german_ntr_not_euid",
        severity: Severity::Warning,
        citation: "SBR §7.1.4.2.2(d) (SMC011)",
        scope: Scope::SUBSCRIBER,
        description: "A German NTR registration reference SHOULD be an EUID (e.g. NTRDE-DER3306.HRB12345).",
        pkilint: &["cabf.smime.german_ntr_registration_reference_not_euid"],
        check: german_euid,
        ..BASE
    },
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Req {
    /// SHALL be present.
    S,
    /// MAY be present.
    M,
    /// SHALL NOT be present.
    X,
}
use Req::{M, S, X};

/// SBR §7.1.4.2.3 – §7.1.4.2.6 attribute table: per type (Mailbox, Organization, Sponsor,
/// Individual), per generation (Legacy, Multipurpose, Strict).
const MATRIX: &[(ObjectIdentifier, [[Req; 3]; 4])] = &[
    (
        oids::AT_COMMON_NAME,
        [[M, M, M], [M, M, M], [M, M, M], [M, M, M]],
    ),
    (
        oids::AT_ORGANIZATION,
        [[X, X, X], [S, S, S], [S, S, S], [X, X, X]],
    ),
    (
        oids::AT_ORGANIZATIONAL_UNIT,
        [[X, X, X], [M, M, M], [M, M, M], [X, X, X]],
    ),
    (
        oids::AT_ORGANIZATION_IDENTIFIER,
        [[X, X, X], [S, S, S], [S, S, S], [X, X, X]],
    ),
    (
        oids::AT_GIVEN_NAME,
        [[X, X, X], [X, X, X], [M, M, M], [M, M, M]],
    ),
    (
        oids::AT_SURNAME,
        [[X, X, X], [X, X, X], [M, M, M], [M, M, M]],
    ),
    (
        oids::AT_PSEUDONYM,
        [[X, X, X], [X, X, X], [M, M, M], [M, M, M]],
    ),
    (
        oids::AT_SERIAL_NUMBER,
        [[M, M, M], [M, M, M], [M, M, M], [M, M, M]],
    ),
    (
        oids::AT_EMAIL_ADDRESS,
        [[M, M, M], [M, M, M], [M, M, M], [M, M, M]],
    ),
    (oids::AT_TITLE, [[X, X, X], [X, X, X], [M, M, M], [M, M, M]]),
    (
        oids::AT_STREET,
        [[X, X, X], [M, M, X], [M, M, X], [M, M, X]],
    ),
    (
        oids::AT_LOCALITY,
        [[X, X, X], [M, M, M], [M, M, M], [M, M, M]],
    ),
    (oids::AT_STATE, [[X, X, X], [M, M, M], [M, M, M], [M, M, M]]),
    (
        attr_oid::POSTAL_CODE,
        [[X, X, X], [M, M, X], [M, M, X], [M, M, X]],
    ),
    (
        oids::AT_COUNTRY,
        [[X, X, X], [M, M, M], [M, M, M], [M, M, M]],
    ),
];

fn idx(t: CertificateType, g: Generation) -> (usize, usize) {
    (t as usize, g as usize)
}

/// Attributes other than the listed ones: allowed only in Legacy OV/SV/IV.
fn others_allowed(t: CertificateType, g: Generation) -> bool {
    g == Generation::Legacy && t != CertificateType::Mailbox
}

fn for_each_name(ctx: &Context<'_>, f: &mut dyn FnMut(&str, &Name<'_>)) {
    for (label, name) in ctx.cert.subject_like_names() {
        f(&label, name);
    }
}

fn missing_attributes(ctx: &Context<'_>) -> Vec<String> {
    let Some(p) = ctx.profile() else {
        return Vec::new();
    };
    let (t, g) = idx(p.cert_type, p.generation);
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for (o, table) in MATRIX {
            if table[t][g] == S && !name.has(o) {
                out.push(format!(
                    "{label} has no {}, which {} certificates require",
                    attr_name(o),
                    p.name()
                ));
            }
        }
        if matches!(
            p.cert_type,
            CertificateType::Sponsored | CertificateType::Individual
        ) {
            let mut one_of = vec![oids::AT_GIVEN_NAME, oids::AT_SURNAME, oids::AT_PSEUDONYM];
            if p.generation == Generation::Legacy {
                one_of.push(oids::AT_COMMON_NAME);
            }
            if !one_of.iter().any(|o| name.has(o)) {
                let list: Vec<String> = one_of.iter().map(attr_name).collect();
                out.push(format!(
                    "{label} has none of {}, one of which {} certificates require",
                    list.join(", "),
                    p.name()
                ));
            }
        }
    });
    out
}

fn prohibited_attributes(ctx: &Context<'_>) -> Vec<String> {
    let Some(p) = ctx.profile() else {
        return Vec::new();
    };
    let (t, g) = idx(p.cert_type, p.generation);
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        for a in name.atvs() {
            if seen.contains(&a.oid) {
                continue;
            }
            seen.push(a.oid);
            let listed = MATRIX.iter().find(|(o, _)| *o == a.oid);
            let bad = match listed {
                Some((_, table)) => table[t][g] == X,
                None => !others_allowed(p.cert_type, p.generation),
            };
            if bad {
                out.push(format!(
                    "{label} has {}, which {} certificates must not contain",
                    attr_name(&a.oid),
                    p.name()
                ));
            }
        }
    });
    out
}

fn name_and_pseudonym(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        if name.has(&oids::AT_PSEUDONYM)
            && (name.has(&oids::AT_GIVEN_NAME) || name.has(&oids::AT_SURNAME))
        {
            out.push(format!(
                "{label} has both a pseudonym and givenName/surname"
            ));
        }
    });
    out
}

fn dependencies(ctx: &Context<'_>) -> Vec<String> {
    let rules: [(ObjectIdentifier, &[ObjectIdentifier]); 4] = [
        (oids::AT_STREET, &[oids::AT_LOCALITY, oids::AT_STATE]),
        (oids::AT_STATE, &[oids::AT_COUNTRY]),
        (oids::AT_LOCALITY, &[oids::AT_COUNTRY]),
        (attr_oid::POSTAL_CODE, &[oids::AT_COUNTRY]),
    ];
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for (dep, needs) in &rules {
            if name.has(dep) && !needs.iter().any(|n| name.has(n)) {
                let list: Vec<String> = needs.iter().map(attr_name).collect();
                out.push(format!(
                    "{label} has {} but no {}",
                    attr_name(dep),
                    list.join(" or ")
                ));
            }
        }
    });
    out
}

fn common_name_source(ctx: &Context<'_>) -> Vec<String> {
    let Some(p) = ctx.profile() else {
        return Vec::new();
    };
    let emails = ctx.cert.san_emails();
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for cn in name.atvs().filter(|a| a.oid == oids::AT_COMMON_NAME) {
            let Some(v) = cn.text() else { continue };
            let ok = match p.cert_type {
                CertificateType::Sponsored | CertificateType::Individual => {
                    let pseudonyms = name.texts(&oids::AT_PSEUDONYM);
                    (p.generation == Generation::Legacy && pseudonyms.is_empty())
                        || pseudonyms.contains(&v)
                        || name.has(&oids::AT_GIVEN_NAME)
                        || name.has(&oids::AT_SURNAME)
                }
                CertificateType::Organization => name.texts(&oids::AT_ORGANIZATION).contains(&v),
                CertificateType::Mailbox => false,
            };
            if !ok && !emails.iter().any(|e| super::same_mailbox(e, &v)) {
                out.push(format!(
                    "{label} commonName {v:?} is none of the values a {} certificate may put there",
                    p.name()
                ));
            }
        }
    });
    out
}

/// ISO 3166-1 alpha-2 codes (from the `iso3166` Python package 3.0.0, which follows the ISO
/// 3166 Maintenance Agency list; includes the user-assigned XK for Kosovo).
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

pub(super) fn is_country(c: &str) -> bool {
    c.len() == 2 && COUNTRIES.split(' ').any(|x| x == c)
}

fn country_codes(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for c in name.texts(&oids::AT_COUNTRY) {
            if c != "XX" && !is_country(&c) {
                out.push(format!(
                    "{label} countryName {c:?} is not an ISO 3166-1 alpha-2 code"
                ));
            }
        }
    });
    out
}

/// Whether a character counts as significant (a letter, digit or symbol, approximating the
/// Unicode general categories L, N and S).
fn significant(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || "$+<=>^`|~".contains(c);
    }
    c.is_alphanumeric()
        || matches!(c, '\u{00A2}'..='\u{00A9}' | '\u{00AC}' | '\u{00AE}'..='\u{00B1}' | '\u{00B4}' | '\u{00B8}' | '\u{00D7}' | '\u{00F7}' | '\u{20A0}'..='\u{20CF}' | '\u{2100}'..='\u{214F}' | '\u{2190}'..='\u{23FF}' | '\u{2500}'..='\u{27BF}' | '\u{1F300}'..='\u{1FAFF}')
}

fn insignificant(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for a in name.atvs() {
            if let Some(v) = a.text() {
                if !v.chars().any(significant) {
                    out.push(format!(
                        "{label} {} {v:?} holds no letter, digit or symbol",
                        attr_name(&a.oid)
                    ));
                }
            }
        }
    });
    out
}

/// The HTML named character references seen in certificate names.
const NAMED_ENTITIES: [&str; 10] = [
    "amp", "lt", "gt", "quot", "apos", "nbsp", "copy", "reg", "euro", "shy",
];

/// Whether `s` contains an HTML character reference (`&name;`, `&#123;`, `&#x1F;`).
fn has_html_entity(s: &str) -> bool {
    let b = s.as_bytes();
    for (i, _) in s.match_indices('&') {
        let rest = &b[i + 1..];
        let (body, ok_char): (&[u8], fn(&u8) -> bool) = match rest {
            [b'#', b'x' | b'X', tail @ ..] => (tail, u8::is_ascii_hexdigit),
            [b'#', tail @ ..] => (tail, u8::is_ascii_digit),
            tail => (tail, u8::is_ascii_alphanumeric),
        };
        let n = body.iter().take_while(|c| ok_char(c)).count();
        if n > 0 && body.get(n) == Some(&b';') {
            let numeric = rest.first() == Some(&b'#');
            let named = &body[..n];
            if numeric || NAMED_ENTITIES.iter().any(|e| e.as_bytes() == named) {
                return true;
            }
        }
    }
    false
}

fn html_entities(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for a in name.atvs() {
            if let Some(v) = a.text() {
                if has_html_entity(&v) {
                    out.push(format!(
                        "{label} {} {v:?} contains an HTML character reference",
                        attr_name(&a.oid)
                    ));
                }
            }
        }
    });
    out
}

fn multi_valued(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        if name.rdns.iter().any(|r| r.len() > 1) {
            out.push(format!("{label} has a multi-valued RDN"));
        }
    });
    out
}

fn rdn_duplicates(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for rdn in &name.rdns {
            for (i, a) in rdn.iter().enumerate() {
                if rdn.iter().position(|b| b.oid == a.oid) != Some(i) {
                    out.push(format!(
                        "{label} has an RDN with {} twice",
                        attr_name(&a.oid)
                    ));
                }
            }
        }
    });
    out
}

/// (type, allowed tags, upper bound in characters)
fn attribute_spec(o: &ObjectIdentifier) -> Option<(&'static [u8], usize)> {
    const DIR: &[u8] = &[0x14, 0x13, 0x1C, 0x0C, 0x1E];
    const PRINTABLE: &[u8] = &[0x13];
    Some(if *o == oids::AT_COUNTRY {
        (PRINTABLE, 2)
    } else if *o == oids::AT_SERIAL_NUMBER {
        (PRINTABLE, 64)
    } else if *o == oids::AT_EMAIL_ADDRESS {
        (&[0x16], 255)
    } else if *o == attr_oid::DOMAIN_COMPONENT {
        (&[0x16], 63)
    } else if *o == oids::AT_COMMON_NAME
        || *o == oids::AT_ORGANIZATION
        || *o == oids::AT_ORGANIZATIONAL_UNIT
        || *o == oids::AT_TITLE
    {
        (DIR, 64)
    } else if *o == oids::AT_LOCALITY
        || *o == oids::AT_STATE
        || *o == oids::AT_STREET
        || *o == oids::AT_PSEUDONYM
    {
        (DIR, 128)
    } else if *o == attr_oid::POSTAL_CODE {
        (DIR, 40)
    } else if *o == oids::AT_GIVEN_NAME || *o == oids::AT_SURNAME {
        (DIR, 32768)
    } else if *o == oids::AT_ORGANIZATION_IDENTIFIER {
        (DIR, 256)
    } else {
        return None;
    })
}

fn printable_ok(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c))
}

fn attribute_values(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut names: Vec<(String, &Name<'_>)> = ctx.cert.subject_like_names();
    if let Ok(i) = &ctx.cert.issuer {
        names.push(("issuer".to_string(), i));
    }
    for (label, name) in names {
        for a in name.atvs() {
            let what = format!("{label} {}", attr_name(&a.oid));
            let Some(text) = a.text() else {
                if matches!(a.tag, 0x0C | 0x13 | 0x14 | 0x16 | 0x1A | 0x1C | 0x1E) {
                    out.push(format!(
                        "{what} is not a valid string of its type (tag 0x{:02X})",
                        a.tag
                    ));
                }
                continue;
            };
            if a.tag == 0x13 && !printable_ok(&text) {
                out.push(format!(
                    "{what} {text:?} has characters PrintableString does not allow"
                ));
            }
            let Some((tags, max)) = attribute_spec(&a.oid) else {
                continue;
            };
            if !tags.contains(&a.tag) {
                out.push(format!(
                    "{what} is encoded with tag 0x{:02X}, which its definition does not allow",
                    a.tag
                ));
            }
            let n = text.chars().count();
            if n > max {
                out.push(format!("{what} has {n} characters (at most {max})"));
            }
            if n == 0 {
                out.push(format!("{what} is empty"));
            }
        }
    }
    out
}

/// A parsed organizationIdentifier (SBR Appendix A.1).
struct OrgId {
    scheme: String,
    country: String,
    sp: Option<String>,
    reference: Option<String>,
}

fn parse_org_id(s: &str) -> Option<OrgId> {
    let b = s.as_bytes();
    let scheme = b.get(0..3)?;
    if !scheme[..2].iter().all(u8::is_ascii_uppercase)
        || !(scheme[2].is_ascii_uppercase() || scheme[2] == b':')
    {
        return None;
    }
    let country = b.get(3..5)?;
    if !country.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let mut rest = &s[5..];
    let mut sp = None;
    if let Some(r) = rest.strip_prefix('+') {
        let n = r.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if !(1..=3).contains(&n) {
            return None;
        }
        sp = Some(r[..n].to_string());
        rest = &r[n..];
    }
    let reference = if rest.is_empty() {
        None
    } else {
        let r = rest.strip_prefix('-')?;
        if r.is_empty() {
            return None;
        }
        Some(r.to_string())
    };
    Some(OrgId {
        scheme: String::from_utf8_lossy(scheme).into_owned(),
        country: String::from_utf8_lossy(country).into_owned(),
        sp,
        reference,
    })
}

const SCHEMES: [&str; 6] = ["NTR", "VAT", "PSD", "LEI", "GOV", "INT"];

/// (label, value text, parsed) of every organizationIdentifier that parses with a known scheme.
fn org_ids(ctx: &Context<'_>) -> Vec<(String, String, Option<OrgId>)> {
    let mut out = Vec::new();
    for (label, name) in ctx.cert.subject_like_names() {
        for v in name.texts(&oids::AT_ORGANIZATION_IDENTIFIER) {
            let p = parse_org_id(&v);
            out.push((label.clone(), v, p));
        }
    }
    out
}

fn orgid_encoding(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for_each_name(ctx, &mut |label, name| {
        for a in name.atvs() {
            if a.oid == oids::AT_ORGANIZATION_IDENTIFIER && !matches!(a.tag, 0x13 | 0x0C) {
                out.push(format!(
                    "{label} organizationIdentifier is encoded with tag 0x{:02X}; PrintableString or UTF8String is required",
                    a.tag
                ));
            }
        }
    });
    out
}

fn orgid_format(ctx: &Context<'_>) -> Vec<String> {
    org_ids(ctx)
        .into_iter()
        .filter(|(_, _, p)| p.is_none())
        .map(|(l, v, _)| {
            format!("{l} organizationIdentifier {v:?} is not of the form SSSCC[+SP][-Reference]")
        })
        .collect()
}

fn known(
    ids: &[(String, String, Option<OrgId>)],
) -> impl Iterator<Item = (&String, &String, &OrgId)> {
    ids.iter().filter_map(|(l, v, p)| {
        p.as_ref()
            .filter(|p| SCHEMES.contains(&p.scheme.as_str()))
            .map(|p| (l, v, p))
    })
}

fn orgid_scheme(ctx: &Context<'_>) -> Vec<String> {
    org_ids(ctx)
        .into_iter()
        .filter_map(|(l, v, p)| {
            let p = p?;
            (!SCHEMES.contains(&p.scheme.as_str())).then(|| {
                format!(
                    "{l} organizationIdentifier {v:?} uses the registration scheme {:?}, not one of NTR, VAT, PSD, LEI, GOV, INT",
                    p.scheme
                )
            })
        })
        .collect()
}

fn orgid_country(ctx: &Context<'_>) -> Vec<String> {
    let ids = org_ids(ctx);
    known(&ids)
        .filter_map(|(l, v, p)| {
            let ok = match p.scheme.as_str() {
                "LEI" | "INT" => p.country == "XG",
                "VAT" => is_country(&p.country) || p.country == "EL" || p.country == "XI",
                _ => is_country(&p.country),
            };
            (!ok).then(|| {
                format!(
                    "{l} organizationIdentifier {v:?} has the country {:?}, not valid for scheme {}",
                    p.country, p.scheme
                )
            })
        })
        .collect()
}

fn orgid_sp(ctx: &Context<'_>) -> Vec<String> {
    let ids = org_ids(ctx);
    known(&ids)
        .filter(|(_, _, p)| p.sp.is_some() && !matches!(p.scheme.as_str(), "NTR" | "GOV"))
        .map(|(l, v, p)| {
            format!(
                "{l} organizationIdentifier {v:?} has a state/province, which scheme {} does not allow",
                p.scheme
            )
        })
        .collect()
}

fn orgid_reference(ctx: &Context<'_>) -> Vec<String> {
    let ids = org_ids(ctx);
    known(&ids)
        .filter_map(|(l, v, p)| {
            let needs = matches!(p.scheme.as_str(), "NTR" | "VAT" | "PSD" | "LEI");
            match (needs, &p.reference) {
                (true, None) => Some(format!(
                    "{l} organizationIdentifier {v:?} has no registration reference, which scheme {} requires",
                    p.scheme
                )),
                (false, Some(_)) => Some(format!(
                    "{l} organizationIdentifier {v:?} has a registration reference, which scheme {} does not allow",
                    p.scheme
                )),
                _ => None,
            }
        })
        .collect()
}

fn orgid_country_mismatch(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for (label, name) in ctx.cert.subject_like_names() {
        let countries = name.texts(&oids::AT_COUNTRY);
        for v in name.texts(&oids::AT_ORGANIZATION_IDENTIFIER) {
            let Some(p) = parse_org_id(&v) else { continue };
            if p.country == "XG" {
                continue;
            }
            let expected = match p.country.as_str() {
                "EL" if p.scheme == "VAT" => "GR".to_string(),
                "XI" if p.scheme == "VAT" => "GB".to_string(),
                c => c.to_string(),
            };
            for c in &countries {
                if *c != expected {
                    out.push(format!(
                        "{label} countryName {c:?} differs from the country {:?} of organizationIdentifier {v:?}",
                        p.country
                    ));
                }
            }
        }
    }
    out
}

fn german_euid(ctx: &Context<'_>) -> Vec<String> {
    let ids = org_ids(ctx);
    known(&ids)
        .filter_map(|(l, v, p)| {
            if p.scheme != "NTR" || p.country != "DE" {
                return None;
            }
            let r = p.reference.as_deref().unwrap_or("");
            let euid = p.sp.is_none()
                && r.len() > 3
                && r.as_bytes().get(..2) == Some(b"DE")
                && r[2..].contains('.')
                && !r.ends_with('.')
                && !r[2..].starts_with('.');
            (!euid).then(|| {
                format!(
                    "{l} organizationIdentifier {v:?} does not use an EUID registration reference"
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_identifiers_parse() {
        let p = parse_org_id("NTRDE-DER3306.HRB12345").unwrap();
        assert_eq!((p.scheme.as_str(), p.country.as_str()), ("NTR", "DE"));
        assert_eq!(p.reference.as_deref(), Some("DER3306.HRB12345"));
        let p = parse_org_id("GOVUS+CA").unwrap();
        assert_eq!(p.sp.as_deref(), Some("CA"));
        assert!(p.reference.is_none());
        assert!(parse_org_id("NTR-123").is_none());
        assert!(parse_org_id("NTRDE123").is_none());
        assert!(parse_org_id("NTRDE-").is_none());
        assert!(parse_org_id("ntrDE-1").is_none());
    }

    #[test]
    fn significance_and_entities() {
        assert!(!".-".chars().any(significant));
        assert!(!" ".chars().any(significant));
        assert!("N/A".chars().any(significant));
        assert!("€".chars().any(significant));
        assert!(has_html_entity("A &amp; B"));
        assert!(has_html_entity("x&#39;y"));
        assert!(!has_html_entity("A & B"));
        assert!(!has_html_entity("A&B;"));
        assert!(is_country("DE") && !is_country("XX") && !is_country("UK"));
    }
}
