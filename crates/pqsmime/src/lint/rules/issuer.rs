//! Rules that need the issuing CA certificate (given in the options; a root is its own
//! issuer): the signature itself, name and key-identifier chaining, and the fit between the
//! signature algorithm and the issuer key (SBR §7.1.3.2, §7.1.4.1).

use super::{key_alg, KeyAlg, BASE, SMC017_ISSUER_RSA};
use crate::alg::{DigestAlgorithm, EcCurve, SignatureAlgorithm};
use crate::keys::PublicKey;
use crate::lint::cert::{ku, plain, LintCert};
use crate::lint::{Context, Rule, Scope, Severity, Target};
use crate::x509::Certificate;

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "lint.signature_invalid",
        citation: "RFC 5280 §4.1.1.3, §6.1.3",
        description: "The certificate's signature verifies with the issuer's public key (every algorithm pqsmime implements, ML-DSA included).",
        pkilint: &["pkix.signature_verification_failed"],
        check: signature_invalid,
        ..BASE
    },
    Rule {
        code: "lint.signature_unverifiable",
        severity: Severity::Notice,
        citation: "RFC 5280 §6.1.3",
        description: "The signature could be checked (the linter knows the algorithm and the issuer key).",
        pkilint: &["pkix.unsupported_algorithm"],
        check: signature_unverifiable,
        ..BASE
    },
    Rule {
        code: "pkix.issuer_name_mismatch",
        citation: "SBR §7.1.4.1; RFC 5280 §4.1.2.4",
        description: "The issuer name is byte-for-byte the issuing CA's subject name.",
        pkilint: &["pkix.issuer_and_subject_dn_not_binary_equal"],
        check: name_mismatch,
        ..BASE
    },
    Rule {
        code: "pkix.authority_key_identifier_mismatch",
        citation: "RFC 5280 §4.2.1.1",
        description: "authorityKeyIdentifier.keyIdentifier equals the issuing CA's subjectKeyIdentifier.",
        pkilint: &["pkix.issuer_and_subject_key_identifier_not_equal"],
        check: aki_mismatch,
        ..BASE
    },
    Rule {
        code: "smime.signature_algorithm_issuer_key_mismatch",
        citation: "SBR §7.1.3.2",
        description: "The signature algorithm fits the issuer key: ECDSA hash by curve (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512), the ML-DSA parameter set of the key, RSA algorithms for RSA keys.",
        check: alg_issuer_mismatch,
        ..BASE
    },
    Rule {
        code: "pkix.issuer_not_ca",
        citation: "RFC 5280 §4.2.1.9, §4.2.1.3",
        description: "The issuing certificate is a CA certificate (cA TRUE) whose keyUsage, when present, asserts keyCertSign.",
        check: issuer_not_ca,
        ..BASE
    },
    Rule {
        code: "smime.issuer_rsa_key_too_small",
        citation: "SBR §6.1.5 (SMC017v2)",
        scope: Scope::SUBSCRIBER,
        effective_from: Some(SMC017_ISSUER_RSA),
        description: "From 2027-09-15 no S/MIME subscriber certificate is issued by a CA whose RSA key is smaller than 3072 bits.",
        check: issuer_rsa,
        ..BASE
    },
];

/// The issuer certificate: given, or the certificate itself for a root.
fn issuer<'a>(ctx: &'a Context<'_>) -> Option<&'a LintCert<'a>> {
    match (ctx.issuer, ctx.target()) {
        (Some(i), _) => Some(i),
        (None, Target::RootCa) => Some(ctx.cert),
        _ => None,
    }
}

use crate::lint::SignatureVerdict as Verdict;

/// The signature verdict, computed once per lint run.
fn verify<'c>(ctx: &'c Context<'_>) -> Option<&'c Verdict> {
    ctx.signature.get_or_init(|| compute_verdict(ctx)).as_ref()
}

fn compute_verdict(ctx: &Context<'_>) -> Option<Verdict> {
    let iss = issuer(ctx)?;
    let key = match PublicKey::from_spki_der(iss.spki_raw) {
        Ok(k) => k,
        Err(e) => {
            return Some(Verdict::Unverifiable(format!(
                "the issuer's public key cannot be used: {}",
                plain(&e)
            )))
        }
    };
    let alg = match SignatureAlgorithm::from_algorithm_identifier(ctx.cert.signature_alg, None) {
        Ok(a) => a,
        Err(e) => {
            return Some(Verdict::Unverifiable(format!(
                "the signature algorithm cannot be verified: {}",
                plain(&e)
            )))
        }
    };
    if !alg.matches_key(key.kind()) {
        return Some(Verdict::Invalid(format!(
            "the certificate is signed with {} but the issuer key is {}",
            alg.name(),
            key.kind()
        )));
    }
    // The strict parser's verification when it accepts the certificate; otherwise the same
    // check on the bytes as received.
    let result = match Certificate::from_der(ctx.cert.der) {
        Ok(c) => c.verify_signature(&key),
        Err(_) => key.verify(alg, ctx.cert.tbs, ctx.cert.signature),
    };
    Some(match result {
        Ok(()) => Verdict::Valid,
        Err(crate::Error::BadSignature(m)) => Verdict::Invalid(m),
        Err(crate::Error::UnsupportedAlgorithm(m)) => Verdict::Unverifiable(m),
        Err(e) => Verdict::Invalid(plain(&e)),
    })
}

fn signature_invalid(ctx: &Context<'_>) -> Vec<String> {
    match verify(ctx) {
        Some(Verdict::Invalid(m)) => vec![format!(
            "the signature does not verify with the issuer's key: {m}"
        )],
        _ => Vec::new(),
    }
}

fn signature_unverifiable(ctx: &Context<'_>) -> Vec<String> {
    match verify(ctx) {
        Some(Verdict::Unverifiable(m)) => vec![format!("the signature was not checked: {m}")],
        _ => Vec::new(),
    }
}

fn name_mismatch(ctx: &Context<'_>) -> Vec<String> {
    let Some(iss) = ctx.issuer else {
        return Vec::new();
    };
    if ctx.cert.issuer_raw == iss.subject_raw {
        Vec::new()
    } else {
        vec![
            "the issuer name is not byte-for-byte the subject name of the issuing CA certificate"
                .into(),
        ]
    }
}

fn aki_mismatch(ctx: &Context<'_>) -> Vec<String> {
    let Some(iss) = ctx.issuer else {
        return Vec::new();
    };
    match (ctx.cert.aki.as_ref().and_then(|a| a.key_id), iss.ski) {
        (Some(a), Some(s)) if a != s => vec![format!(
            "authorityKeyIdentifier {} differs from the issuer's subjectKeyIdentifier {}",
            super::hex(a),
            super::hex(s)
        )],
        _ => Vec::new(),
    }
}

fn alg_issuer_mismatch(ctx: &Context<'_>) -> Vec<String> {
    let Some(iss) = issuer(ctx) else {
        return Vec::new();
    };
    let Some(key) = key_alg(iss) else {
        return Vec::new();
    };
    let Ok(alg) = SignatureAlgorithm::from_algorithm_identifier(ctx.cert.signature_alg, None)
    else {
        return Vec::new();
    };
    let ok = match (key, alg) {
        (KeyAlg::Ec(Some(c)), SignatureAlgorithm::Ecdsa(d)) => c.digest() == d,
        (KeyAlg::Ec(_), _) => false,
        (KeyAlg::MlDsa(l), SignatureAlgorithm::MlDsa(m)) => l == m,
        (KeyAlg::Rsa, SignatureAlgorithm::RsaPkcs1(_) | SignatureAlgorithm::RsaPss(_)) => true,
        (KeyAlg::Ed25519, SignatureAlgorithm::Ed25519) => true,
        (KeyAlg::SlhDsa, SignatureAlgorithm::SlhDsa(_)) => true,
        _ => false,
    };
    if ok {
        return Vec::new();
    }
    let hint = match key {
        KeyAlg::Ec(Some(c)) => format!(
            " (a {} key signs with ECDSA and {})",
            match c {
                EcCurve::P256 => "P-256",
                EcCurve::P384 => "P-384",
                EcCurve::P521 => "P-521",
            },
            match c.digest() {
                DigestAlgorithm::Sha256 => "SHA-256",
                DigestAlgorithm::Sha384 => "SHA-384",
                _ => "SHA-512",
            }
        ),
        _ => String::new(),
    };
    vec![format!(
        "the certificate is signed with {} but the issuer key is {}{hint}",
        alg.name(),
        key.name()
    )]
}

fn issuer_not_ca(ctx: &Context<'_>) -> Vec<String> {
    let Some(iss) = ctx.issuer else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !iss.basic_constraints.is_some_and(|b| b.ca) {
        out.push("the issuing certificate does not assert cA TRUE".to_string());
    }
    if iss.key_usage.is_some_and(|k| k.bits & ku::KCS == 0) {
        out.push("the issuing certificate's keyUsage lacks keyCertSign".to_string());
    }
    out
}

fn issuer_rsa(ctx: &Context<'_>) -> Vec<String> {
    let Some(iss) = ctx.issuer else {
        return Vec::new();
    };
    if key_alg(iss) != Some(KeyAlg::Rsa) {
        return Vec::new();
    }
    match PublicKey::from_spki_der(iss.spki_raw).map(|k| k.kind()) {
        Ok(crate::alg::KeyKind::Rsa(bits)) if bits < 3072 => vec![format!(
            "the issuing CA's RSA key has {bits} bits; from 2027-09-15 it needs at least 3072"
        )],
        _ => Vec::new(),
    }
}
