//! Algorithm rules: the byte-exact AlgorithmIdentifier allow-lists of SBR §7.1.3, the key
//! checks of §6.1.5/§6.1.6, and the post-quantum rules of ballot SMC013.

use super::{hex, key_alg, KeyAlg, BASE, SMC013};
use crate::keys::PublicKey;
use crate::lint::{Context, Rule, Scope, Severity};

/// SBR §7.1.3.1: the only SubjectPublicKeyInfo.algorithm encodings allowed.
pub(crate) const ALLOWED_SPKI: &[(&str, &str)] = &[
    ("300d06092a864886f70d0101010500", "RSA"),
    ("301306072a8648ce3d020106082a8648ce3d030107", "EC P-256"),
    ("301006072a8648ce3d020106052b81040022", "EC P-384"),
    ("301006072a8648ce3d020106052b81040023", "EC P-521"),
    ("300506032b6570", "Ed25519"),
    ("300506032b6571", "Ed448"),
    ("300b0609608648016503040311", "ML-DSA-44"),
    ("300b0609608648016503040312", "ML-DSA-65"),
    ("300b0609608648016503040313", "ML-DSA-87"),
    ("300b0609608648016503040401", "ML-KEM-512"),
    ("300b0609608648016503040402", "ML-KEM-768"),
    ("300b0609608648016503040403", "ML-KEM-1024"),
];

/// SBR §7.1.3.2: the only signature AlgorithmIdentifier encodings allowed.
pub(crate) const ALLOWED_SIGNATURE: &[(&str, &str)] = &[
    ("300d06092a864886f70d01010b0500", "RSA PKCS#1 v1.5 SHA-256"),
    ("300d06092a864886f70d01010c0500", "RSA PKCS#1 v1.5 SHA-384"),
    ("300d06092a864886f70d01010d0500", "RSA PKCS#1 v1.5 SHA-512"),
    ("304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120", "RSA-PSS SHA-256"),
    ("304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130", "RSA-PSS SHA-384"),
    ("304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020140", "RSA-PSS SHA-512"),
    ("300a06082a8648ce3d040302", "ECDSA SHA-256"),
    ("300a06082a8648ce3d040303", "ECDSA SHA-384"),
    ("300a06082a8648ce3d040304", "ECDSA SHA-512"),
    ("300506032b6570", "Ed25519"),
    ("300506032b6571", "Ed448"),
    ("300b0609608648016503040311", "ML-DSA-44"),
    ("300b0609608648016503040312", "ML-DSA-65"),
    ("300b0609608648016503040313", "ML-DSA-87"),
];

pub(super) const RULES: &[Rule] = &[
    Rule {
        code: "smime.spki_algorithm_not_allowed",
        citation: "SBR §7.1.3.1, §6.1.5",
        description: "The SubjectPublicKeyInfo AlgorithmIdentifier is byte-for-byte one of the encodings SBR §7.1.3.1 lists (RSA with NULL parameters, P-256/P-384/P-521, Ed25519, Ed448, ML-DSA-44/65/87, ML-KEM-512/768/1024).",
        pkilint: &["cabf.smime.prohibited_spki_algorithm_encoding"],
        zlint: &["e_invalid_spki_algoid", "e_invalid_legacy_spki_algoid"],
        check: spki_allowed,
        ..BASE
    },
    Rule {
        code: "smime.spki_slh_dsa",
        citation: "SBR §6.1.5 (SMC013)",
        description: "SLH-DSA and HashSLH-DSA keys are not allowed: the SBR admit only ML-DSA among post-quantum signature algorithms.",
        pkilint: &["cabf.smime.prohibited_spki_algorithm_encoding"],
        check: spki_slh_dsa,
        ..BASE
    },
    Rule {
        code: "smime.spki_hash_ml_dsa",
        citation: "SBR §6.1.5 (SMC013); RFC 9881 §2",
        description: "HashML-DSA keys are not allowed: only pure ML-DSA.",
        pkilint: &["cabf.smime.prohibited_spki_algorithm_encoding"],
        check: spki_hash_ml_dsa,
        ..BASE
    },
    Rule {
        code: "smime.spki_pq_parameters",
        citation: "SBR §7.1.3.1; RFC 9881 §2; RFC 9935 §3",
        description: "ML-DSA and ML-KEM public key AlgorithmIdentifiers have their parameters absent (not NULL).",
        pkilint: &["cabf.smime.prohibited_spki_algorithm_encoding"],
        check: spki_pq_params,
        ..BASE
    },
    Rule {
        code: "smime.signature_algorithm_not_allowed",
        citation: "SBR §7.1.3.2",
        description: "The signature AlgorithmIdentifier is byte-for-byte one of the encodings SBR §7.1.3.2 lists; SHA-1, SLH-DSA and HashML-DSA signatures are not among them.",
        pkilint: &["cabf.smime.prohibited_signature_algorithm_encoding"],
        check: signature_allowed,
        ..BASE
    },
    Rule {
        code: "smime.pq_algorithm_before_smc013",
        citation: "SBR §6.1.5, §7.1.3 (SMC013, v1.0.11)",
        effective_until: Some(SMC013),
        description: "ML-DSA and ML-KEM keys and ML-DSA signatures appear only in certificates issued on or after 2025-08-22, when ballot SMC013 admitted them.",
        check: pq_before_smc013,
        ..BASE
    },
    Rule {
        code: "pkix.public_key_invalid",
        citation: "RFC 9881 §4; RFC 9935 §4; RFC 8410 §4; RFC 8017 §A.1.1",
        description: "The subjectPublicKey decodes as a key of its algorithm (right length, ML-KEM coefficients reduced, valid point, RSAPublicKey structure).",
        pkilint: &["itu.invalid_asn1_syntax"],
        check: key_invalid,
        ..BASE
    },
    Rule {
        code: "smime.ec_public_key_invalid",
        severity: Severity::Warning,
        citation: "SBR §6.1.6",
        description: "An EC public key is a valid point on its curve (the SBR ask for public key validation).",
        pkilint: &["cabf.ecdsa_key_validation_failed"],
        check: ec_invalid,
        ..BASE
    },
    Rule {
        code: "smime.rsa_modulus_size",
        citation: "SBR §6.1.5",
        description: "An RSA modulus is at least 2048 bits long and a multiple of 8 bits.",
        pkilint: &["cabf.rsa_modulus_invalid_length"],
        check: rsa_size,
        ..BASE
    },
    Rule {
        code: "smime.rsa_exponent_invalid",
        citation: "SBR §6.1.6",
        description: "An RSA public exponent is odd and at least 3.",
        pkilint: &["cabf.rsa_exponent_prohibited_value"],
        check: rsa_exponent,
        ..BASE
    },
    Rule {
        code: "smime.rsa_exponent_not_recommended",
        severity: Severity::Warning,
        citation: "SBR §6.1.6",
        description: "An RSA public exponent SHOULD lie in 2^16+1 .. 2^256-1.",
        pkilint: &["cabf.rsa_exponent_not_in_recommended_range"],
        check: rsa_exponent_range,
        ..BASE
    },
    Rule {
        code: "smime.rsa_modulus_small_factor",
        severity: Severity::Warning,
        citation: "SBR §6.1.6",
        description: "An RSA modulus SHOULD have no prime factor smaller than 752.",
        pkilint: &["cabf.rsa_modulus_has_small_prime_factor"],
        check: rsa_small_factor,
        ..BASE
    },
    Rule {
        code: "smime.ca_rsa_key_too_small",
        citation: "SBR §6.1.5 (SMC017v2)",
        scope: Scope::CA,
        effective_from: Some(super::SMC017_CA_RSA),
        description: "A CA certificate signed on or after 2026-09-15 certifies an RSA key of at least 4096 bits.",
        check: ca_rsa_size,
        ..BASE
    },
];

fn spki_info(ctx: &Context<'_>) -> Option<(String, KeyAlg, bool)> {
    let s = ctx.cert.spki.as_ref().ok()?;
    let alg = key_alg(ctx.cert).unwrap_or(KeyAlg::Other);
    Some((hex(s.alg_raw), alg, s.params.is_some()))
}

fn spki_allowed(ctx: &Context<'_>) -> Vec<String> {
    let Ok(s) = &ctx.cert.spki else {
        return vec!["the subjectPublicKeyInfo cannot be decoded".into()];
    };
    let Some((enc, alg, has_params)) = spki_info(ctx) else {
        return Vec::new();
    };
    if ALLOWED_SPKI.iter().any(|(h, _)| *h == enc) {
        return Vec::new();
    }
    // These have their own, more specific rules.
    if matches!(alg, KeyAlg::SlhDsa | KeyAlg::HashSlhDsa | KeyAlg::HashMlDsa)
        || (matches!(alg, KeyAlg::MlDsa(_) | KeyAlg::MlKem(_)) && has_params)
    {
        return Vec::new();
    }
    let why = match alg {
        KeyAlg::Rsa => "rsaEncryption must carry NULL parameters".to_string(),
        KeyAlg::Ec(None) => "the EC key uses a curve other than P-256, P-384 or P-521 (or explicit curve parameters)".to_string(),
        KeyAlg::Ec(Some(_)) => "the EC parameters are not encoded as the namedCurve OID".to_string(),
        KeyAlg::Ed25519 | KeyAlg::Ed448 => "EdDSA AlgorithmIdentifiers have no parameters".to_string(),
        KeyAlg::X25519 | KeyAlg::X448 => "X25519/X448 keys are not allowed in S/MIME BR certificates".to_string(),
        _ => match s.alg_oid {
            Some(o) => format!("the algorithm {} is not allowed", crate::alg::describe_oid(&o)),
            None => "the algorithm OID cannot be decoded".to_string(),
        },
    };
    vec![format!(
        "public key AlgorithmIdentifier {enc} is not allowed: {why}"
    )]
}

fn spki_slh_dsa(ctx: &Context<'_>) -> Vec<String> {
    match key_alg(ctx.cert) {
        Some(KeyAlg::SlhDsa) | Some(KeyAlg::HashSlhDsa) => vec![format!(
            "the subject key is {}, which the S/MIME BR do not allow (ML-DSA is the only post-quantum signature algorithm admitted by SMC013)",
            key_alg(ctx.cert).map(KeyAlg::name).unwrap_or_default()
        )],
        _ => Vec::new(),
    }
}

fn spki_hash_ml_dsa(ctx: &Context<'_>) -> Vec<String> {
    match key_alg(ctx.cert) {
        Some(KeyAlg::HashMlDsa) => {
            vec!["the subject key is HashML-DSA; only pure ML-DSA is allowed".into()]
        }
        _ => Vec::new(),
    }
}

fn spki_pq_params(ctx: &Context<'_>) -> Vec<String> {
    let Some((enc, alg, has_params)) = spki_info(ctx) else {
        return Vec::new();
    };
    if has_params && matches!(alg, KeyAlg::MlDsa(_) | KeyAlg::MlKem(_)) {
        vec![format!(
            "the {} public key AlgorithmIdentifier ({enc}) has parameters; they must be absent",
            alg.name()
        )]
    } else {
        Vec::new()
    }
}

fn signature_allowed(ctx: &Context<'_>) -> Vec<String> {
    let enc = hex(ctx.cert.tbs_signature_alg);
    if ALLOWED_SIGNATURE.iter().any(|(h, _)| *h == enc) {
        return Vec::new();
    }
    let parsed = crate::asn1::parse_algorithm_identifier(ctx.cert.tbs_signature_alg).ok();
    let why = match parsed {
        Some((o, params)) => {
            let alg = KeyAlg::from_oid(&o, params);
            if o == crate::alg::oid::SHA1_WITH_RSA
                || o.to_string() == "1.2.840.10045.4.1"
                || o.to_string() == "1.3.14.3.2.29"
            {
                "SHA-1 signatures are not allowed (and no certificate may be signed with SHA-1 from 2026-09-15, SMC016)".to_string()
            } else if matches!(alg, KeyAlg::SlhDsa | KeyAlg::HashSlhDsa) {
                "SLH-DSA signatures are not allowed; ML-DSA is the only post-quantum signature algorithm admitted".to_string()
            } else if matches!(alg, KeyAlg::HashMlDsa) {
                "HashML-DSA signatures are not allowed; only pure ML-DSA".to_string()
            } else if matches!(alg, KeyAlg::MlDsa(_)) {
                "ML-DSA signature AlgorithmIdentifiers have their parameters absent".to_string()
            } else if o == crate::alg::oid::RSASSA_PSS {
                "RSASSA-PSS must use one of the three parameter sets of §7.1.3.2 (SHA-256/32, SHA-384/48, SHA-512/64, MGF1 with the same hash)".to_string()
            } else {
                format!("{} is not in the list", crate::alg::describe_oid(&o))
            }
        }
        None => "it cannot be decoded".to_string(),
    };
    vec![format!(
        "signature AlgorithmIdentifier {enc} is not allowed: {why}"
    )]
}

fn pq_before_smc013(ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a @ (KeyAlg::MlDsa(_) | KeyAlg::MlKem(_))) = key_alg(ctx.cert) {
        out.push(format!(
            "the subject key is {} but the certificate was issued before 2025-08-22, when SMC013 admitted it",
            a.name()
        ));
    }
    if let Ok((o, p)) = crate::asn1::parse_algorithm_identifier(ctx.cert.tbs_signature_alg) {
        if let a @ KeyAlg::MlDsa(_) = KeyAlg::from_oid(&o, p) {
            out.push(format!(
                "the certificate is signed with {} but was issued before 2025-08-22, when SMC013 admitted it",
                a.name()
            ));
        }
    }
    out
}

/// Decodes RSAPublicKey: (modulus magnitude, exponent magnitude).
fn rsa_parts<'a>(key: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), String> {
    let seq = crate::lint::cert::single(key, crate::asn1::TAG_SEQUENCE)?;
    let mut r = seq.reader(crate::asn1::Rules::Der);
    let n = r
        .read_expected(crate::asn1::TAG_INTEGER, "modulus")
        .map_err(|e| crate::lint::cert::plain(&e))?;
    let e = r
        .read_expected(crate::asn1::TAG_INTEGER, "publicExponent")
        .map_err(|e| crate::lint::cert::plain(&e))?;
    r.finish("RSAPublicKey")
        .map_err(|e| crate::lint::cert::plain(&e))?;
    let mag = |v: &'a [u8], what: &str| -> Result<&'a [u8], String> {
        if v.first().is_some_and(|b| b & 0x80 != 0) {
            return Err(format!("the RSA {what} is negative"));
        }
        let skip = v.iter().take_while(|b| **b == 0).count();
        Ok(&v[skip..])
    };
    Ok((mag(n.value, "modulus")?, mag(e.value, "public exponent")?))
}

fn bit_len(mag: &[u8]) -> usize {
    match mag.first() {
        Some(f) => mag.len() * 8 - f.leading_zeros() as usize,
        None => 0,
    }
}

fn rsa_key<'a>(ctx: &Context<'a>) -> Option<(&'a [u8], &'a [u8])> {
    if key_alg(ctx.cert) != Some(KeyAlg::Rsa) {
        return None;
    }
    let s = ctx.cert.spki.as_ref().ok()?;
    rsa_parts(s.key).ok()
}

fn key_invalid(ctx: &Context<'_>) -> Vec<String> {
    let Ok(s) = &ctx.cert.spki else {
        return Vec::new();
    };
    if s.unused_bits != 0 {
        return vec![format!(
            "the subjectPublicKey BIT STRING has {} unused bits",
            s.unused_bits
        )];
    }
    match key_alg(ctx.cert) {
        Some(KeyAlg::Rsa) => match rsa_parts(s.key) {
            Err(e) => vec![format!("the RSA public key cannot be decoded: {e}")],
            Ok(_) => Vec::new(),
        },
        Some(a @ (KeyAlg::MlDsa(_) | KeyAlg::MlKem(_) | KeyAlg::Ed25519)) => {
            // Decode with the canonical AlgorithmIdentifier so that a parameter problem
            // (reported by the allow-list rules) does not hide a key problem.
            let canonical = match a {
                KeyAlg::MlDsa(l) => crate::asn1::algorithm_identifier(&l.oid(), None),
                KeyAlg::MlKem(l) => crate::asn1::algorithm_identifier(&l.oid(), None),
                _ => crate::asn1::algorithm_identifier(&crate::alg::oid::ED25519, None),
            };
            let spki = crate::asn1::sequence(&[&canonical, &crate::asn1::bit_string(s.key)]);
            match PublicKey::from_spki_der(&spki) {
                Ok(_) => Vec::new(),
                Err(e) => vec![format!(
                    "the {} public key is invalid: {}",
                    a.name(),
                    crate::lint::cert::plain(&e)
                )],
            }
        }
        _ => Vec::new(),
    }
}

fn ec_invalid(ctx: &Context<'_>) -> Vec<String> {
    let Some(KeyAlg::Ec(Some(curve))) = key_alg(ctx.cert) else {
        return Vec::new();
    };
    let Ok(s) = &ctx.cert.spki else {
        return Vec::new();
    };
    let alg = crate::asn1::algorithm_identifier(
        &crate::alg::oid::EC_PUBLIC_KEY,
        Some(&crate::asn1::oid(&curve.oid())),
    );
    let spki = crate::asn1::sequence(&[&alg, &crate::asn1::bit_string(s.key)]);
    match PublicKey::from_spki_der(&spki) {
        Ok(_) => Vec::new(),
        Err(e) => vec![format!(
            "the EC public key failed validation: {}",
            crate::lint::cert::plain(&e)
        )],
    }
}

fn rsa_size(ctx: &Context<'_>) -> Vec<String> {
    let Some((n, _)) = rsa_key(ctx) else {
        return Vec::new();
    };
    let bits = bit_len(n);
    if bits < 2048 || bits % 8 != 0 {
        vec![format!(
            "the RSA modulus is {bits} bits; at least 2048 and a multiple of 8 are required"
        )]
    } else {
        Vec::new()
    }
}

fn rsa_exponent(ctx: &Context<'_>) -> Vec<String> {
    let Some((_, e)) = rsa_key(ctx) else {
        return Vec::new();
    };
    let odd = e.last().is_some_and(|b| b & 1 == 1);
    let small = bit_len(e) <= 2 && e.last().copied().unwrap_or(0) < 3;
    if !odd {
        vec!["the RSA public exponent is even".into()]
    } else if small {
        vec!["the RSA public exponent is less than 3".into()]
    } else {
        Vec::new()
    }
}

fn rsa_exponent_range(ctx: &Context<'_>) -> Vec<String> {
    let Some((_, e)) = rsa_key(ctx) else {
        return Vec::new();
    };
    let bits = bit_len(e);
    // 2^16+1 <= e <= 2^256-1
    let below = bits < 17 || (bits == 17 && e.iter().rev().take(2).all(|b| *b == 0));
    if below || bits > 256 {
        vec![format!(
            "the RSA public exponent ({bits} bits) is outside the recommended range 2^16+1 .. 2^256-1"
        )]
    } else {
        Vec::new()
    }
}

/// Primes below 752 (SBR §6.1.6, NIST SP 800-89 §5.3.3).
fn small_primes() -> impl Iterator<Item = u32> {
    (2u32..752).filter(|n| (2..*n).take_while(|d| d * d <= *n).all(|d| n % d != 0))
}

fn rsa_small_factor(ctx: &Context<'_>) -> Vec<String> {
    let Some((n, _)) = rsa_key(ctx) else {
        return Vec::new();
    };
    for p in small_primes() {
        let r = n
            .iter()
            .fold(0u32, |acc, b| (acc * 256 + u32::from(*b)) % p);
        if r == 0 {
            return vec![format!("the RSA modulus is divisible by {p}")];
        }
    }
    Vec::new()
}

fn ca_rsa_size(ctx: &Context<'_>) -> Vec<String> {
    let Some((n, _)) = rsa_key(ctx) else {
        return Vec::new();
    };
    let bits = bit_len(n);
    if bits < 4096 {
        vec![format!(
            "the CA key is RSA with a {bits}-bit modulus; CA certificates signed from 2026-09-15 need at least 4096 bits"
        )]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_prime_list() {
        let p: Vec<u32> = small_primes().collect();
        assert_eq!(p.first(), Some(&2));
        assert_eq!(p.last(), Some(&751));
        assert_eq!(p.len(), 133);
    }

    #[test]
    fn rsa_public_key_decoding() {
        let key = crate::asn1::sequence(&[
            &crate::asn1::integer_unsigned(&[0xC0, 0x01]),
            &crate::asn1::integer_u64(65537),
        ]);
        let (n, e) = rsa_parts(&key).unwrap();
        assert_eq!(n, [0xC0, 0x01]);
        assert_eq!(bit_len(n), 16);
        assert_eq!(bit_len(e), 17);
        assert!(rsa_parts(&[0x30, 0x00]).is_err());
    }
}
