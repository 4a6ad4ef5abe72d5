//! Unit tests for the key module internals; vector and round-trip tests live in
//! `crates/pqsmime/tests/keys_*.rs`.

use super::*;

fn spki(alg: &[u8], raw: &[u8]) -> Vec<u8> {
    asn1::sequence(&[alg, &asn1::bit_string(raw)])
}

#[test]
fn private_key_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<PrivateKey>();
    check::<PublicKey>();
}

#[test]
fn hash_slh_dsa_oids_are_recognised() {
    for arc in 35..=46u32 {
        let o = ObjectIdentifier::new(&format!("2.16.840.1.101.3.4.3.{arc}")).unwrap();
        assert!(is_hash_slh_dsa(&o), "{o}");
    }
    for o in [
        oid::SLH_DSA_SHA2_128S,
        oid::ML_DSA_44,
        oid::HASH_ML_DSA_44_SHA512,
    ] {
        assert!(!is_hash_slh_dsa(&o), "{o}");
    }
}

#[test]
fn rsa_modulus_bits_are_exact() {
    let key = |n: &[u8]| asn1::sequence(&[&asn1::integer_unsigned(n), &asn1::integer_u64(65537)]);
    let mut n = vec![0xFFu8; 256];
    assert_eq!(rsa_modulus_bits(&key(&n)).unwrap(), 2048);
    n[0] = 0x7F;
    assert_eq!(rsa_modulus_bits(&key(&n)).unwrap(), 2047);
    assert!(rsa_modulus_bits(&[0x30, 0x00]).is_err());
}

#[test]
fn spki_parameter_and_length_rules() {
    let ml = generate_pq_public(KeyKind::MlDsa(MlDsaLevel::L44));
    let raw = ml.raw().to_vec();
    // Parameters must be absent for PQ keys (NULL is refused).
    let with_null = spki(
        &asn1::algorithm_identifier(&oid::ML_DSA_44, Some(&[0x05, 0x00])),
        &raw,
    );
    let err = PublicKey::from_spki_der(&with_null).unwrap_err();
    assert!(err.to_string().contains("must be absent"), "{err}");
    // Wrong length for the parameter set.
    let short = spki(
        &asn1::algorithm_identifier(&oid::ML_DSA_44, None),
        &raw[..1311],
    );
    let err = PublicKey::from_spki_der(&short).unwrap_err();
    assert!(
        err.to_string().contains("1311 bytes, expected 1312"),
        "{err}"
    );
    // ML-DSA-44 key material under the ML-DSA-65 OID is refused by length.
    let wrong_set = spki(&asn1::algorithm_identifier(&oid::ML_DSA_65, None), &raw);
    assert!(PublicKey::from_spki_der(&wrong_set).is_err());
    // HashML-DSA and HashSLH-DSA keys are named and refused.
    let hash = spki(
        &asn1::algorithm_identifier(&oid::HASH_ML_DSA_44_SHA512, None),
        &raw,
    );
    let err = PublicKey::from_spki_der(&hash).unwrap_err();
    assert!(err.to_string().contains("HashML-DSA"), "{err}");
    let hash_slh = ObjectIdentifier::new("2.16.840.1.101.3.4.3.35").unwrap();
    let err = PublicKey::from_spki_der(&spki(
        &asn1::algorithm_identifier(&hash_slh, None),
        &[0; 32],
    ))
    .unwrap_err();
    assert!(err.to_string().contains("HashSLH-DSA"), "{err}");
    // Unused bits, trailing data, unknown algorithms.
    let mut unused = ml.spki_der().to_vec();
    let pos = unused.len() - raw.len() - 1;
    unused[pos] = 1;
    assert!(PublicKey::from_spki_der(&unused).is_err());
    let mut trailing = ml.spki_der().to_vec();
    trailing.push(0);
    assert!(PublicKey::from_spki_der(&trailing).is_err());
    let dsa = ObjectIdentifier::new("1.2.840.10040.4.1").unwrap();
    let err =
        PublicKey::from_spki_der(&spki(&asn1::algorithm_identifier(&dsa, None), &[1])).unwrap_err();
    assert!(matches!(err, Error::UnsupportedAlgorithm(_)), "{err}");
    // The SPKI we build is what we parse.
    assert_eq!(PublicKey::from_spki_der(ml.spki_der()).unwrap(), ml);
}

fn generate_pq_public(kind: KeyKind) -> PublicKey {
    PrivateKey::generate(kind).unwrap().public_key()
}

#[test]
fn ec_and_rsa_spki_rules() {
    let ec = PrivateKey::generate(KeyKind::Ec(EcCurve::P256))
        .unwrap()
        .public_key();
    let point = ec.raw().to_vec();
    // Explicit curve parameters are refused with a reason.
    let explicit = asn1::algorithm_identifier(&oid::EC_PUBLIC_KEY, Some(&asn1::sequence(&[])));
    let err = PublicKey::from_spki_der(&spki(&explicit, &point)).unwrap_err();
    assert!(err.to_string().contains("namedCurve"), "{err}");
    // A point that is not on the curve.
    let mut off = point.clone();
    off[64] ^= 1;
    let alg = asn1::algorithm_identifier(&oid::EC_PUBLIC_KEY, Some(&asn1::oid(&oid::SECP256R1)));
    assert!(PublicKey::from_spki_der(&spki(&alg, &off)).is_err());
    // Compressed points are refused.
    let mut compressed = vec![0x02 | (point[64] & 1)];
    compressed.extend_from_slice(&point[1..33]);
    assert!(PublicKey::from_spki_der(&spki(&alg, &compressed)).is_err());

    // rsaEncryption: NULL parameters written; absent parameters accepted on input.
    let rsa = PrivateKey::from_pem_or_der(RSA_2048_PEM.as_bytes())
        .unwrap()
        .public_key();
    assert_eq!(rsa.kind(), KeyKind::Rsa(2048));
    assert!(rsa.spki_der()[4..].starts_with(&asn1::algorithm_identifier(
        &oid::RSA_ENCRYPTION,
        Some(&[5, 0])
    )));
    let absent = spki(
        &asn1::algorithm_identifier(&oid::RSA_ENCRYPTION, None),
        rsa.raw(),
    );
    assert_eq!(
        PublicKey::from_spki_der(&absent).unwrap().kind(),
        KeyKind::Rsa(2048)
    );
    // 1024-bit RSA keys are refused.
    let small = asn1::sequence(&[
        &asn1::integer_unsigned(&[0xC5; 128]),
        &asn1::integer_u64(65537),
    ]);
    let err = PublicKey::from_raw(KeyKind::Rsa(1024), &small).unwrap_err();
    assert!(err.to_string().contains("1024 bits"), "{err}");
}

/// A 2048-bit test key in the legacy PKCS#1 PEM form (generated for these tests with
/// `openssl genrsa 2048 -traditional`, OpenSSL 4.0.3).
const RSA_2048_PEM: &str = include_str!("testdata/rsa-2048-pkcs1.pem");

#[test]
fn legacy_pem_forms_are_read() {
    let rsa = PrivateKey::from_pem_or_der(RSA_2048_PEM.as_bytes()).unwrap();
    let back = PrivateKey::from_pkcs8_der(&rsa.to_pkcs8_der().unwrap()).unwrap();
    assert_eq!(back.public_key(), rsa.public_key());
    let ec = PrivateKey::from_pem_or_der(EC_P384_SEC1_PEM.as_bytes()).unwrap();
    assert_eq!(ec.kind(), KeyKind::Ec(EcCurve::P384));
}

/// A P-384 key in the RFC 5915 `EC PRIVATE KEY` PEM form (`openssl ecparam -genkey -name
/// secp384r1 -noout`, OpenSSL 4.0.3).
const EC_P384_SEC1_PEM: &str = include_str!("testdata/ec-p384-sec1.pem");

#[test]
fn ecdsa_signs_with_every_sha2_digest_on_every_curve() {
    use DigestAlgorithm::*;
    for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        let key = PrivateKey::generate(KeyKind::Ec(curve)).unwrap();
        let public = key.public_key();
        for d in [Sha256, Sha384, Sha512] {
            let alg = SignatureAlgorithm::Ecdsa(d);
            let sig = key.sign(alg, b"message").unwrap();
            // Checked with the backend's own (curve, digest) verifier, independently of
            // the mapping in `PublicKey::verify`.
            let backend: &'static dyn VerificationAlgorithm = match (curve, d) {
                (EcCurve::P256, Sha256) => &lc_sig::ECDSA_P256_SHA256_ASN1,
                (EcCurve::P256, Sha384) => &lc_sig::ECDSA_P256_SHA384_ASN1,
                (EcCurve::P256, _) => &lc_sig::ECDSA_P256_SHA512_ASN1,
                (EcCurve::P384, Sha256) => &lc_sig::ECDSA_P384_SHA256_ASN1,
                (EcCurve::P384, Sha384) => &lc_sig::ECDSA_P384_SHA384_ASN1,
                (EcCurve::P384, _) => &lc_sig::ECDSA_P384_SHA512_ASN1,
                (EcCurve::P521, Sha256) => &lc_sig::ECDSA_P521_SHA256_ASN1,
                (EcCurve::P521, Sha384) => &lc_sig::ECDSA_P521_SHA384_ASN1,
                (EcCurve::P521, _) => &lc_sig::ECDSA_P521_SHA512_ASN1,
            };
            UnparsedPublicKey::new(backend, public.raw())
                .verify(b"message", &sig)
                .unwrap_or_else(|_| panic!("{curve:?} with {d:?}"));
            public.verify(alg, b"message", &sig).unwrap();
            assert!(public.verify(alg, b"messagf", &sig).is_err());
            let digest = crate::digest::digest(d, b"message");
            public.verify_digest(alg, &digest, &sig).unwrap();
        }
        let err = key
            .sign(SignatureAlgorithm::Ecdsa(Sha3_256), b"m")
            .unwrap_err();
        assert!(matches!(err, Error::UnsupportedAlgorithm(_)), "{err}");
    }
}

#[test]
fn ml_dsa_expanded_key_check_catches_each_inconsistency() {
    let key = PrivateKey::from_seed(KeyKind::MlDsa(MlDsaLevel::L65), &[7u8; 32]).unwrap();
    let Inner::MlDsa(k) = key.inner() else {
        panic!("not ML-DSA")
    };
    let expanded = mldsa_expanded_of(&k.key).unwrap();
    let pk = mldsa::check_expanded_key(MlDsaLevel::L65, &expanded).unwrap();
    assert_eq!(pk.as_slice(), key.public_key().raw());

    // ML-DSA-65: ρ 32, K 32, tr 64, s1 5·128, s2 6·128, t0 6·416.
    let t0_start = 128 + 5 * 128 + 6 * 128;
    let mut bad_t0 = expanded.to_vec();
    bad_t0[t0_start + 100] ^= 0x01;
    let err = mldsa::check_expanded_key(MlDsaLevel::L65, &bad_t0).unwrap_err();
    assert!(err.to_string().contains("t0"), "{err}");

    let mut bad_tr = expanded.to_vec();
    bad_tr[64 + 3] ^= 0x80;
    let err = mldsa::check_expanded_key(MlDsaLevel::L65, &bad_tr).unwrap_err();
    assert!(err.to_string().contains("tr "), "{err}");

    // η = 4: a 4-bit field of 9..15 is outside [−4, 4].
    let mut bad_s = expanded.to_vec();
    bad_s[128] = 0xFF;
    let err = mldsa::check_expanded_key(MlDsaLevel::L65, &bad_s).unwrap_err();
    assert!(err.to_string().contains("outside"), "{err}");

    // Any change of K is undetectable by design (K only seeds signing randomness), but a
    // change of ρ changes Â and therefore t0.
    let mut bad_rho = expanded.to_vec();
    bad_rho[0] ^= 1;
    assert!(mldsa::check_expanded_key(MlDsaLevel::L65, &bad_rho).is_err());
}

#[test]
fn seed_lengths_and_kinds_are_checked() {
    assert!(PrivateKey::from_seed(KeyKind::MlDsa(MlDsaLevel::L44), &[0; 31]).is_err());
    assert!(PrivateKey::from_seed(KeyKind::MlKem(MlKemLevel::L512), &[0; 32]).is_err());
    assert!(PrivateKey::from_seed(KeyKind::SlhDsa(SlhDsaSet::Shake128f), &[0; 64]).is_err());
    assert!(PrivateKey::from_seed(KeyKind::Rsa(2048), &[0; 32]).is_err());
    assert!(PrivateKey::generate(KeyKind::Rsa(1024)).is_err());
    // Same seed, same key.
    let a = PrivateKey::from_seed(KeyKind::SlhDsa(SlhDsaSet::Shake128f), &[9; 48]).unwrap();
    let b = PrivateKey::from_seed(KeyKind::SlhDsa(SlhDsaSet::Shake128f), &[9; 48]).unwrap();
    assert_eq!(a.public_key(), b.public_key());
}

#[test]
fn choice_forms_are_parsed_by_tag() {
    // A 32-byte contents that is not a CHOICE (raw seed without tag) is refused by tag.
    let alg = asn1::algorithm_identifier(&oid::ML_DSA_44, None);
    let raw_seed = [0x42u8; 32];
    let der = pkcs8::write_v1(&alg, &raw_seed);
    let err = PrivateKey::from_pkcs8_der(&der).unwrap_err();
    assert!(err.to_string().contains("tag 0x42"), "{err}");
    // Seed [0] with the wrong size.
    let der = pkcs8::write_v1(&alg, &asn1::tlv(0x80, &[1; 31]));
    assert!(PrivateKey::from_pkcs8_der(&der).is_err());
    // Trailing bytes after the CHOICE.
    let mut contents = asn1::tlv(0x80, &[1; 32]);
    contents.push(0);
    assert!(PrivateKey::from_pkcs8_der(&pkcs8::write_v1(&alg, &contents)).is_err());
    // The publicKey [1] field of a v2 key must match.
    let key = PrivateKey::from_seed(KeyKind::MlDsa(MlDsaLevel::L44), &[1; 32]).unwrap();
    let v2 = |pk: &[u8]| {
        asn1::sequence(&[
            &asn1::integer_u64(1),
            &alg,
            &asn1::octet_string(&asn1::tlv(0x80, &[1; 32])),
            &asn1::tlv(0x81, &[&[0u8][..], pk].concat()),
        ])
    };
    let good = v2(key.public_key().raw());
    assert_eq!(
        PrivateKey::from_pkcs8_der(&good).unwrap().public_key(),
        key.public_key()
    );
    let mut other = key.public_key().raw().to_vec();
    other[40] ^= 1;
    let err = PrivateKey::from_pkcs8_der(&v2(&other)).unwrap_err();
    assert!(err.to_string().contains("publicKey field"), "{err}");
}

#[test]
fn signing_refuses_mismatched_algorithms() {
    let key = PrivateKey::from_seed(KeyKind::Ed25519, &[3; 32]).unwrap();
    let err = key
        .sign(SignatureAlgorithm::MlDsa(MlDsaLevel::L44), b"m")
        .unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
    let x = PrivateKey::from_seed(KeyKind::X25519, &[3; 32]).unwrap();
    assert!(x.sign(SignatureAlgorithm::Ed25519, b"m").is_err());
    assert!(x.agreement_key().is_ok());
    assert!(key.agreement_key().is_err());
    assert!(key.kem_decapsulate(&[0; 768]).is_err());
    assert!(key.public_key().kem_encapsulate().is_err());
    // A pure algorithm cannot be checked over a digest.
    let sig = key.sign(SignatureAlgorithm::Ed25519, b"m").unwrap();
    let err = key
        .public_key()
        .verify_digest(SignatureAlgorithm::Ed25519, &[0; 64], &sig)
        .unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err}");
}

#[test]
fn debug_output_names_the_kind_only() {
    let key = PrivateKey::from_seed(KeyKind::Ed25519, &[0x5A; 32]).unwrap();
    let text = format!("{key:?}");
    assert!(
        text.contains("Ed25519") && !text.contains("5A") && !text.contains("90"),
        "{text}"
    );
}

#[test]
fn pq_signatures_are_hedged() {
    for kind in [
        KeyKind::MlDsa(MlDsaLevel::L44),
        KeyKind::SlhDsa(SlhDsaSet::Sha2_128f),
    ] {
        let key = PrivateKey::from_seed(
            kind,
            &[0x11; 48][..if matches!(kind, KeyKind::MlDsa(_)) {
                32
            } else {
                48
            }],
        )
        .unwrap();
        let alg = kind.default_signature_algorithm().unwrap();
        let a = key.sign(alg, b"same message").unwrap();
        let b = key.sign(alg, b"same message").unwrap();
        assert_ne!(a, b, "{kind:?} signing is deterministic");
        key.public_key().verify(alg, b"same message", &a).unwrap();
        key.public_key().verify(alg, b"same message", &b).unwrap();
    }
}
