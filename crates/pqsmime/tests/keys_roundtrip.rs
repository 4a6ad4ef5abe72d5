//! Generate → PKCS#8 → parse → sign → verify round trips for every key kind, KEM round trips,
//! and the error behaviour callers rely on (wrong algorithm, tampered and wrong-size
//! signatures, wrong ciphertext length).

use pqsmime::alg::{
    DigestAlgorithm, EcCurve, KeyKind, MlDsaLevel, MlKemLevel, SignatureAlgorithm, SlhDsaSet,
};
use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::Error;

/// Every signature algorithm a key of `kind` can make.
fn algorithms_for(kind: KeyKind) -> Vec<SignatureAlgorithm> {
    use DigestAlgorithm::*;
    match kind {
        KeyKind::MlDsa(l) => vec![SignatureAlgorithm::MlDsa(l)],
        KeyKind::SlhDsa(s) => vec![SignatureAlgorithm::SlhDsa(s)],
        KeyKind::Rsa(_) => [Sha256, Sha384, Sha512]
            .into_iter()
            .flat_map(|d| {
                [
                    SignatureAlgorithm::RsaPkcs1(d),
                    SignatureAlgorithm::RsaPss(d),
                ]
            })
            .collect(),
        KeyKind::Ec(_) => [Sha256, Sha384, Sha512]
            .map(SignatureAlgorithm::Ecdsa)
            .to_vec(),
        KeyKind::Ed25519 => vec![SignatureAlgorithm::Ed25519],
        KeyKind::MlKem(_) | KeyKind::X25519 => vec![],
    }
}

/// The full round trip for one kind; returns how many signatures were checked.
fn round_trip(kind: KeyKind) -> usize {
    let key = PrivateKey::generate(kind).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    assert_eq!(key.kind(), kind);

    // PKCS#8 DER and PEM round trips give the same key.
    let der = key.to_pkcs8_der().unwrap();
    let parsed = PrivateKey::from_pkcs8_der(&der).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
    assert_eq!(parsed.public_key(), key.public_key(), "{kind:?}");
    assert_eq!(
        parsed.to_pkcs8_der().unwrap().as_slice(),
        der.as_slice(),
        "{kind:?}"
    );
    let pem = key.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let from_pem = PrivateKey::from_pem_or_der(pem.as_bytes()).unwrap();
    assert_eq!(from_pem.public_key(), key.public_key());

    // SPKI DER and PEM round trips.
    let public = key.public_key();
    assert_eq!(PublicKey::from_spki_der(public.spki_der()).unwrap(), public);
    let public_pem = public.to_pem();
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(
        PublicKey::from_pem_or_der(public_pem.as_bytes()).unwrap(),
        public
    );
    assert_eq!(PublicKey::from_raw(kind, public.raw()).unwrap(), public);

    let mut checked = 0;
    for alg in algorithms_for(kind) {
        let message = format!("round trip for {}", alg.name());
        // Sign with the key read back from PKCS#8, verify with the original public key.
        let sig = parsed
            .sign(alg, message.as_bytes())
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        match alg {
            SignatureAlgorithm::MlDsa(l) => assert_eq!(sig.len(), l.signature_len()),
            SignatureAlgorithm::SlhDsa(s) => assert_eq!(sig.len(), s.signature_len()),
            SignatureAlgorithm::Ed25519 => assert_eq!(sig.len(), 64),
            _ => {}
        }
        public
            .verify(alg, message.as_bytes(), &sig)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));

        // Tampered signature and tampered message fail with BadSignature.
        let mut tampered = sig.clone();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 0x04;
        assert!(
            matches!(
                public.verify(alg, message.as_bytes(), &tampered),
                Err(Error::BadSignature(_))
            ),
            "{alg}: tampered signature"
        );
        assert!(
            matches!(
                public.verify(alg, b"another message", &sig),
                Err(Error::BadSignature(_))
            ),
            "{alg}: other message"
        );

        // Wrong-size signatures fail with a clear error before reaching the backend.
        let mut longer = sig.clone();
        longer.push(0);
        let err = public.verify(alg, message.as_bytes(), &longer).unwrap_err();
        assert!(matches!(err, Error::BadSignature(_)), "{alg}: {err}");
        if !matches!(alg, SignatureAlgorithm::Ecdsa(_)) {
            assert!(err.to_string().contains("bytes, expected"), "{alg}: {err}");
        }
        let err = public
            .verify(alg, message.as_bytes(), &sig[..sig.len() - 1])
            .unwrap_err();
        assert!(matches!(err, Error::BadSignature(_)), "{alg}: {err}");

        // Hash-then-sign algorithms also verify over the precomputed digest.
        if let SignatureAlgorithm::RsaPkcs1(d)
        | SignatureAlgorithm::RsaPss(d)
        | SignatureAlgorithm::Ecdsa(d) = alg
        {
            let digest = pqsmime::digest::digest(d, message.as_bytes());
            public.verify_digest(alg, &digest, &sig).unwrap();
            let mut wrong = digest.clone();
            wrong[0] ^= 1;
            assert!(matches!(
                public.verify_digest(alg, &wrong, &sig),
                Err(Error::BadSignature(_))
            ));
            assert!(public.verify_digest(alg, &digest[1..], &sig).is_err());
        }
        checked += 1;
    }

    // An algorithm of another family is refused for signing and verifying.
    let foreign = match kind {
        KeyKind::Ed25519 => SignatureAlgorithm::MlDsa(MlDsaLevel::L44),
        _ => SignatureAlgorithm::Ed25519,
    };
    assert!(key.sign(foreign, b"x").is_err(), "{kind:?}");
    assert!(matches!(
        public.verify(foreign, b"x", &[0; 64]),
        Err(Error::BadSignature(_))
    ));
    checked
}

#[test]
fn round_trip_ml_dsa() {
    for l in [MlDsaLevel::L44, MlDsaLevel::L65, MlDsaLevel::L87] {
        assert_eq!(round_trip(KeyKind::MlDsa(l)), 1);
    }
}

#[test]
fn round_trip_classical() {
    let mut n = 0;
    for kind in [
        KeyKind::Rsa(2048),
        KeyKind::Rsa(3072),
        KeyKind::Ec(EcCurve::P256),
        KeyKind::Ec(EcCurve::P384),
        KeyKind::Ec(EcCurve::P521),
        KeyKind::Ed25519,
        KeyKind::X25519,
    ] {
        n += round_trip(kind);
    }
    assert_eq!(n, 6 + 6 + 3 * 3 + 1);
}

/// RSA-4096 generation takes a few seconds; kept separate so it runs in parallel.
#[test]
fn round_trip_rsa_4096() {
    assert_eq!(round_trip(KeyKind::Rsa(4096)), 6);
}

/// All twelve SLH-DSA sets, split over several tests so they run in parallel. In a debug
/// build (pqsmime at opt-level 1) the SHAKE `s` sets take 6–10 s each, the rest well under
/// a second.
#[test]
fn round_trip_slh_dsa_sha2_sets() {
    for set in [
        SlhDsaSet::Sha2_128s,
        SlhDsaSet::Sha2_128f,
        SlhDsaSet::Sha2_192s,
        SlhDsaSet::Sha2_192f,
        SlhDsaSet::Sha2_256s,
        SlhDsaSet::Sha2_256f,
    ] {
        assert_eq!(round_trip(KeyKind::SlhDsa(set)), 1);
    }
}

#[test]
fn round_trip_slh_dsa_shake_f_sets() {
    for set in [
        SlhDsaSet::Shake128f,
        SlhDsaSet::Shake192f,
        SlhDsaSet::Shake256f,
    ] {
        assert_eq!(round_trip(KeyKind::SlhDsa(set)), 1);
    }
}

#[test]
fn round_trip_slh_dsa_shake_128s() {
    assert_eq!(round_trip(KeyKind::SlhDsa(SlhDsaSet::Shake128s)), 1);
}

#[test]
fn round_trip_slh_dsa_shake_192s() {
    assert_eq!(round_trip(KeyKind::SlhDsa(SlhDsaSet::Shake192s)), 1);
}

#[test]
fn round_trip_slh_dsa_shake_256s() {
    assert_eq!(round_trip(KeyKind::SlhDsa(SlhDsaSet::Shake256s)), 1);
}

#[test]
fn round_trip_ml_kem() {
    for l in [MlKemLevel::L512, MlKemLevel::L768, MlKemLevel::L1024] {
        assert_eq!(round_trip(KeyKind::MlKem(l)), 0);
        let key = PrivateKey::generate(KeyKind::MlKem(l)).unwrap();
        let public = key.public_key();
        let (ct, ss) = public.kem_encapsulate().unwrap();
        assert_eq!(ct.len(), l.ciphertext_len());
        assert_eq!(ss.len(), 32);
        assert_eq!(key.kem_decapsulate(&ct).unwrap(), ss);
        // Fresh randomness each time.
        let (ct2, ss2) = public.kem_encapsulate().unwrap();
        assert_ne!(ct, ct2);
        assert_ne!(ss, ss2);
        // A modified ciphertext of the right length does not fail (implicit rejection) but
        // yields a different secret.
        let mut bad = ct.clone();
        bad[10] ^= 1;
        let rejected = key.kem_decapsulate(&bad).unwrap();
        assert_ne!(rejected, ss);
        assert_eq!(key.kem_decapsulate(&bad).unwrap(), rejected);
        // Wrong lengths are a plain decryption error.
        assert!(matches!(key.kem_decapsulate(&ct[1..]), Err(Error::Decrypt)));
        let mut longer = ct.clone();
        longer.push(0);
        assert!(matches!(key.kem_decapsulate(&longer), Err(Error::Decrypt)));
        // A key loaded from the seed-only PKCS#8 decapsulates the same way.
        let reloaded = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der().unwrap()).unwrap();
        assert_eq!(reloaded.kem_decapsulate(&ct).unwrap(), ss);
    }
}

#[test]
fn garbage_input_is_an_error_not_a_panic() {
    let key = PrivateKey::generate(KeyKind::MlDsa(MlDsaLevel::L44)).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    // Every truncation and a sweep of single-byte corruptions.
    for cut in 0..der.len() {
        assert!(PrivateKey::from_pkcs8_der(&der[..cut]).is_err());
    }
    for i in 0..der.len() {
        let mut d = der.to_vec();
        d[i] ^= 0xFF;
        let _ = PrivateKey::from_pkcs8_der(&d);
    }
    let spki = key.public_key().spki_der().to_vec();
    for cut in 0..spki.len().min(64) {
        assert!(PublicKey::from_spki_der(&spki[..cut]).is_err());
    }
    for junk in [&b""[..], b"\x30", b"-----BEGIN PRIVATE KEY-----", b"hello"] {
        assert!(PrivateKey::from_pem_or_der(junk).is_err());
        assert!(PublicKey::from_pem_or_der(junk).is_err());
    }
}
