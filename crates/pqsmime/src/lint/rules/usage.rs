//! keyUsage by key type (SBR §7.1.2.3(e), RFC 5280/8813/8410/9881/9909/9935), extKeyUsage
//! (§7.1.2.3(f), SMC018) and the subscriber basicConstraints rule (§7.1.2.3(d)).

use super::{key_alg, KeyAlg, BASE, SMC018_EKU};
use crate::lint::cert::{ext_oid, ku};
use crate::lint::{Context, Generation, Rule, Scope, Severity};
use crate::oids;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "smime.key_usage_missing",
        citation: "SBR §7.1.2.3(e)",
        scope: Scope::SUBSCRIBER,
        description: "keyUsage is present.",
        pkilint: &["cabf.smime.key_usage_extension_missing"],
        zlint: &["e_smime_key_usage_presence"],
        check: ku_missing,
        ..BASE
    },
    Rule {
        code: "smime.key_usage_not_critical",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(e)",
        scope: Scope::SUBSCRIBER,
        description: "keyUsage SHOULD be critical.",
        pkilint: &["cabf.smime.ku_extension_not_critical", "pkix.key_usage_extension_not_critical"],
        zlint: &["w_smime_key_usage_criticality"],
        check: ku_not_critical,
        ..BASE
    },
    Rule {
        code: "smime.key_usage_unknown_type",
        citation: "SBR §7.1.2.3(e)",
        scope: Scope::SUBSCRIBER,
        description: "keyUsage has the required bit of a signing (digitalSignature) or key-management (keyEncipherment for RSA and ML-KEM, keyAgreement for EC) certificate allowed for the key type.",
        pkilint: &["cabf.smime.unknown_certificate_key_usage_type"],
        zlint: &["e_rsa_key_usage_strict", "e_rsa_key_usage_legacy_multipurpose", "e_ecpublickey_key_usages", "e_edwardspublickey_key_usages"],
        check: ku_unknown_type,
        ..BASE
    },
    Rule {
        code: "smime.key_usage_prohibited_bit",
        citation: "SBR §7.1.2.3(e)",
        scope: Scope::SUBSCRIBER,
        description: "keyUsage asserts only the bits the SBR table allows for the key type, generation and use: RSA DS[NR] / KE[DE except Strict]; EC DS[NR] / KA[EO|DO]; EdDSA and ML-DSA DS[NR]; ML-KEM KE only.",
        pkilint: &["cabf.smime.prohibited_ku_present"],
        zlint: &["e_rsa_other_key_usages", "e_ecpublickey_other_key_usages", "e_edwardspublickey_key_usages", "e_rsa_key_usage_strict", "e_rsa_key_usage_legacy_multipurpose"],
        check: ku_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.key_usage_encipher_and_decipher_only",
        severity: Severity::Warning,
        citation: "SBR §7.1.2.3(e); RFC 5280 §4.2.1.3",
        scope: Scope::SUBSCRIBER,
        description: "encipherOnly and decipherOnly are not both asserted (together they leave the key-agreement use undefined).",
        pkilint: &["pkix.both_encipheronly_and_decipheronly_ku_set"],
        check: eo_and_do,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_prohibited_for_rsa",
        citation: "RFC 4055 §1.2; RFC 8017",
        description: "An RSA key is not certified for keyAgreement.",
        pkilint: &["pkix.key_usage_value_prohibited_for_rsa"],
        check: ku_rsa,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_prohibited_for_ec",
        citation: "RFC 8813 §3; RFC 5480 §3",
        description: "An id-ecPublicKey key is not certified for keyEncipherment or dataEncipherment.",
        pkilint: &["pkix.key_usage_value_prohibited_for_ec"],
        check: ku_ec,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_prohibited_for_eddsa",
        citation: "RFC 8410 §5; RFC 9295 §3",
        description: "An Ed25519/Ed448 key is certified only for digitalSignature, nonRepudiation, keyCertSign and cRLSign.",
        pkilint: &["pkix.key_usage_value_prohibited_for_edwards_curve"],
        check: ku_eddsa,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_prohibited_for_ml_dsa",
        citation: "RFC 9881 §5",
        description: "An ML-DSA key is certified only for digitalSignature, nonRepudiation, keyCertSign and cRLSign.",
        pkilint: &["pkix.key_usage_value_prohibited_for_mldsa", "pkix.key_usage_value_prohibited_for_hash_mldsa"],
        check: ku_ml_dsa,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_prohibited_for_slh_dsa",
        citation: "RFC 9909 §5",
        description: "An SLH-DSA key is certified only for digitalSignature, nonRepudiation, keyCertSign and cRLSign.",
        pkilint: &["pkix.key_usage_value_prohibited_for_slhdsa", "pkix.key_usage_value_prohibited_for_hash_slhdsa"],
        check: ku_slh_dsa,
        ..BASE
    },
    Rule {
        code: "pkix.key_usage_prohibited_for_ml_kem",
        citation: "RFC 9935 §5",
        description: "An ML-KEM key is certified for keyEncipherment and nothing else.",
        pkilint: &["pkix.key_usage_value_prohibited_for_mlkem"],
        check: ku_ml_kem,
        ..BASE
    },
    Rule {
        code: "smime.eku_missing",
        citation: "SBR §7.1.2.3(f)",
        scope: Scope::SUBSCRIBER,
        description: "extKeyUsage is present.",
        pkilint: &["cabf.smime.extended_key_usage_extension_missing"],
        check: eku_missing,
        ..BASE
    },
    Rule {
        code: "smime.eku_email_protection_missing",
        citation: "SBR §7.1.2.3(f)",
        scope: Scope::SUBSCRIBER,
        description: "extKeyUsage contains id-kp-emailProtection.",
        pkilint: &["cabf.smime.emailprotection_eku_missing"],
        zlint: &["e_smime_strict_eku_check", "e_smime_legacy_multipurpose_eku_check"],
        check: eku_email,
        ..BASE
    },
    Rule {
        code: "smime.eku_prohibited",
        citation: "SBR §7.1.2.3(f)",
        scope: Scope::SUBSCRIBER,
        description: "Strict: emailProtection is the only key purpose. Multipurpose and Legacy: no serverAuth, codeSigning, timeStamping, OCSPSigning or anyExtendedKeyUsage.",
        pkilint: &["cabf.smime.prohibited_eku_present"],
        zlint: &["e_smime_strict_eku_check", "e_smime_legacy_multipurpose_eku_check"],
        check: eku_prohibited,
        ..BASE
    },
    Rule {
        code: "smime.eku_restricted_smc018",
        citation: "SBR §7.1.2.3(f), §7.1.2.2(g) (SMC018)",
        scope: Scope::SUBSCRIBER_OR_SUBORDINATE_CA,
        effective_from: Some(SMC018_EKU),
        description: "From 2027-07-01 only emailProtection and (optionally) clientAuth may appear in extKeyUsage.",
        check: eku_smc018,
        ..BASE
    },
    Rule {
        code: "smime.subscriber_is_ca",
        citation: "SBR §7.1.2.3(d)",
        scope: Scope::SUBSCRIBER,
        description: "A subscriber certificate does not assert cA TRUE.",
        pkilint: &["cabf.smime.is_ca_certificate"],
        check: is_ca,
        ..BASE
    },
];

/// (required bits, allowed bits) of the signing and the key-management shapes.
type Shape = Option<(u16, u16)>;

/// The SBR §7.1.2.3(e) table for a key type and generation.
fn shapes(alg: KeyAlg, generation: Generation) -> Option<(Shape, Shape)> {
    let sign = Some((ku::DS, ku::DS | ku::NR));
    Some(match alg {
        KeyAlg::Rsa => {
            let km = if generation == Generation::Strict {
                ku::KE
            } else {
                ku::KE | ku::DE
            };
            (sign, Some((ku::KE, km)))
        }
        KeyAlg::Ec(_) => (sign, Some((ku::KA, ku::KA | ku::EO | ku::DO))),
        KeyAlg::Ed25519 | KeyAlg::Ed448 | KeyAlg::MlDsa(_) => (sign, None),
        KeyAlg::MlKem(_) => (None, Some((ku::KE, ku::KE))),
        _ => return None,
    })
}

fn ku_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_KEY_USAGE).is_none() {
        vec!["the keyUsage extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn ku_not_critical(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.ext(&oids::EXT_KEY_USAGE) {
        Some(e) if !e.critical => vec!["the keyUsage extension is not critical".into()],
        _ => Vec::new(),
    }
}

/// (asserted bits, key algorithm, signing shape, key-management shape)
fn ku_inputs(ctx: &Context<'_>) -> Option<(u16, KeyAlg, Shape, Shape)> {
    let bits = ctx.cert.key_usage?.bits;
    let g = ctx.generation()?;
    let alg = key_alg(ctx.cert)?;
    let (s, k) = shapes(alg, g)?;
    Some((bits, alg, s, k))
}

fn ku_unknown_type(ctx: &Context<'_>) -> Vec<String> {
    let Some((bits, alg, s, k)) = ku_inputs(ctx) else {
        return Vec::new();
    };
    let is_sign = s.is_some_and(|(req, _)| bits & req != 0);
    let is_km = k.is_some_and(|(req, _)| bits & req != 0);
    if is_sign || is_km {
        return Vec::new();
    }
    let expected = match (s, k) {
        (Some(_), Some((req, _))) => format!("digitalSignature or {}", ku::names(req)),
        (Some(_), None) => "digitalSignature".to_string(),
        (None, Some((req, _))) => ku::names(req),
        (None, None) => "nothing".to_string(),
    };
    vec![format!(
        "keyUsage ({}) is neither a signing nor a key-management usage for an {} key (expected {expected})",
        ku::names(bits),
        alg.name()
    )]
}

fn ku_prohibited(ctx: &Context<'_>) -> Vec<String> {
    let Some((bits, alg, s, k)) = ku_inputs(ctx) else {
        return Vec::new();
    };
    let mut allowed = 0u16;
    let mut known = false;
    if let Some((req, all)) = s {
        if bits & req != 0 {
            allowed |= all;
            known = true;
        }
    }
    if let Some((req, all)) = k {
        if bits & req != 0 {
            allowed |= all;
            known = true;
        }
    }
    if !known {
        return Vec::new();
    }
    let extra = bits & !allowed;
    if extra == 0 {
        return Vec::new();
    }
    vec![format!(
        "keyUsage asserts {}, which the SBR do not allow for an {} {} certificate",
        ku::names(extra),
        alg.name(),
        ctx.profile().map(|p| p.name()).unwrap_or_default()
    )]
}

fn eo_and_do(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.key_usage {
        Some(k) if k.bits & ku::EO != 0 && k.bits & ku::DO != 0 => {
            vec!["keyUsage asserts both encipherOnly and decipherOnly".into()]
        }
        _ => Vec::new(),
    }
}

fn ku_for(ctx: &Context<'_>, matches: fn(KeyAlg) -> bool, allowed: u16, why: &str) -> Vec<String> {
    let (Some(k), Some(alg)) = (ctx.cert.key_usage, key_alg(ctx.cert)) else {
        return Vec::new();
    };
    if !matches(alg) {
        return Vec::new();
    }
    let extra = k.bits & !allowed;
    if extra == 0 {
        Vec::new()
    } else {
        vec![format!(
            "keyUsage asserts {} for an {} key ({why})",
            ku::names(extra),
            alg.name()
        )]
    }
}

const SIGNATURE_BITS: u16 = ku::DS | ku::NR | ku::KCS | ku::CRLS;

fn ku_rsa(ctx: &Context<'_>) -> Vec<String> {
    ku_for(
        ctx,
        |a| a == KeyAlg::Rsa,
        !ku::KA,
        "RSA keys cannot do key agreement",
    )
}

fn ku_ec(ctx: &Context<'_>) -> Vec<String> {
    ku_for(
        ctx,
        |a| matches!(a, KeyAlg::Ec(_)),
        !(ku::KE | ku::DE),
        "EC keys cannot encrypt; key management uses keyAgreement",
    )
}

fn ku_eddsa(ctx: &Context<'_>) -> Vec<String> {
    ku_for(
        ctx,
        |a| matches!(a, KeyAlg::Ed25519 | KeyAlg::Ed448),
        SIGNATURE_BITS,
        "EdDSA keys only sign",
    )
}

fn ku_ml_dsa(ctx: &Context<'_>) -> Vec<String> {
    ku_for(
        ctx,
        |a| matches!(a, KeyAlg::MlDsa(_) | KeyAlg::HashMlDsa),
        SIGNATURE_BITS,
        "ML-DSA keys only sign",
    )
}

fn ku_slh_dsa(ctx: &Context<'_>) -> Vec<String> {
    ku_for(
        ctx,
        |a| matches!(a, KeyAlg::SlhDsa | KeyAlg::HashSlhDsa),
        SIGNATURE_BITS,
        "SLH-DSA keys only sign",
    )
}

fn ku_ml_kem(ctx: &Context<'_>) -> Vec<String> {
    ku_for(
        ctx,
        |a| matches!(a, KeyAlg::MlKem(_)),
        ku::KE,
        "ML-KEM keys are certified for keyEncipherment only",
    )
}

fn eku_missing(ctx: &Context<'_>) -> Vec<String> {
    if ctx.cert.ext(&oids::EXT_EXTENDED_KEY_USAGE).is_none() {
        vec!["the extKeyUsage extension is missing".into()]
    } else {
        Vec::new()
    }
}

fn eku_email(ctx: &Context<'_>) -> Vec<String> {
    match &ctx.cert.ext_key_usage {
        Some(e) if !e.contains(&oids::KP_EMAIL_PROTECTION) => {
            vec!["extKeyUsage does not contain id-kp-emailProtection".into()]
        }
        _ => Vec::new(),
    }
}

fn kp_name(o: &const_oid::ObjectIdentifier) -> String {
    if *o == ext_oid::KP_OCSP_SIGNING {
        return "OCSPSigning".to_string();
    }
    crate::lint::cert::ext_name(o)
}

fn eku_prohibited(ctx: &Context<'_>) -> Vec<String> {
    let (Some(e), Some(g)) = (&ctx.cert.ext_key_usage, ctx.generation()) else {
        return Vec::new();
    };
    let prohibited: Vec<String> = e
        .iter()
        .filter(|o| {
            if g == Generation::Strict {
                **o != oids::KP_EMAIL_PROTECTION
            } else {
                [
                    oids::KP_SERVER_AUTH,
                    oids::KP_CODE_SIGNING,
                    oids::KP_TIME_STAMPING,
                    ext_oid::KP_OCSP_SIGNING,
                    oids::ANY_EXTENDED_KEY_USAGE,
                ]
                .contains(o)
            }
        })
        .map(kp_name)
        .collect();
    if prohibited.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "extKeyUsage contains {}, not allowed in a {} certificate",
            prohibited.join(", "),
            ctx.profile().map(|p| p.name()).unwrap_or_default()
        )]
    }
}

fn eku_smc018(ctx: &Context<'_>) -> Vec<String> {
    let Some(e) = &ctx.cert.ext_key_usage else {
        return Vec::new();
    };
    let other: Vec<String> = e
        .iter()
        .filter(|o| **o != oids::KP_EMAIL_PROTECTION && **o != oids::KP_CLIENT_AUTH)
        .map(kp_name)
        .collect();
    if other.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "extKeyUsage contains {}; from 2027-07-01 only emailProtection and clientAuth are allowed",
            other.join(", ")
        )]
    }
}

fn is_ca(ctx: &Context<'_>) -> Vec<String> {
    match ctx.cert.basic_constraints {
        Some(b) if b.ca => {
            vec!["basicConstraints asserts cA TRUE in a subscriber certificate".into()]
        }
        _ => Vec::new(),
    }
}
