//! Key loading and checking against external vectors: the LAMPS RFC 9881 / RFC 9935 /
//! RFC 9909 examples, keys written by OpenSSL 4.0.3, and C2SP Wycheproof ML-DSA-65 / ML-KEM-768
//! files. Vector provenance: `tests/vectors/*/INDEX.md`.

use std::path::PathBuf;

use base64ct::{Base64, Encoding};
use pqsmime::alg::{KeyKind, MlDsaLevel, MlKemLevel, SignatureAlgorithm, SlhDsaSet};
use pqsmime::asn1::{self, Reader};
use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::Error;
use serde_json::Value;

fn vectors(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    let p = vectors(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Minimal PEM body decoder for test fixtures (first block with `label`).
fn pem_body(data: &[u8], label: &str) -> Vec<u8> {
    let text = std::str::from_utf8(data).expect("PEM fixture is UTF-8");
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).expect("BEGIN line") + begin.len();
    let stop = start + text[start..].find(&end).expect("END line");
    let b64: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Base64::decode_vec(&b64).expect("base64")
}

/// The parts of a certificate these tests need, read with the crate's DER reader.
struct Cert {
    tbs: Vec<u8>,
    spki: Vec<u8>,
    signature_algorithm: Vec<u8>,
    signature: Vec<u8>,
    ski: Option<Vec<u8>>,
}

fn parse_cert(der: &[u8]) -> Cert {
    let mut outer = Reader::new(der);
    let cert = outer.read_expected(0x30, "Certificate").unwrap();
    let mut c = cert.reader(asn1::Rules::Der);
    let tbs = c.read_expected(0x30, "tbs").unwrap();
    let sig_alg = c.read_expected(0x30, "signatureAlgorithm").unwrap();
    let sig = c.read_expected(0x03, "signature").unwrap();
    let mut t = tbs.reader(asn1::Rules::Der);
    t.read_optional(0xA0).unwrap(); // version
    t.read_expected(0x02, "serial").unwrap();
    t.read_expected(0x30, "signature").unwrap();
    t.read_expected(0x30, "issuer").unwrap();
    t.read_expected(0x30, "validity").unwrap();
    t.read_expected(0x30, "subject").unwrap();
    let spki = t.read_expected(0x30, "spki").unwrap();
    t.read_optional(0x81).unwrap();
    t.read_optional(0x82).unwrap();
    let mut ski = None;
    if let Some(exts) = t.read_optional(0xA3).unwrap() {
        let mut er = exts.reader(asn1::Rules::Der);
        let list = er.read_expected(0x30, "Extensions").unwrap();
        let mut lr = list.reader(asn1::Rules::Der);
        while !lr.is_empty() {
            let ext = lr.read_expected(0x30, "Extension").unwrap();
            let mut xr = ext.reader(asn1::Rules::Der);
            let oid = asn1::read_oid(&mut xr, "extnID").unwrap();
            xr.read_optional(0x01).unwrap();
            let value = xr.read_expected(0x04, "extnValue").unwrap();
            if oid.to_string() == "2.5.29.14" {
                let mut vr = Reader::new(value.value);
                ski = Some(vr.read_expected(0x04, "SKI").unwrap().value.to_vec());
            }
        }
    }
    Cert {
        tbs: tbs.raw.to_vec(),
        spki: spki.raw.to_vec(),
        signature_algorithm: sig_alg.raw.to_vec(),
        signature: sig.value[1..].to_vec(),
        ski,
    }
}

fn cert(rel: &str) -> Cert {
    parse_cert(&pem_body(&read(rel), "CERTIFICATE"))
}

fn err_text(r: Result<PrivateKey, Error>) -> String {
    match r {
        Ok(k) => panic!("a {:?} key was accepted but must be refused", k.kind()),
        Err(e) => e.to_string(),
    }
}

const ML_DSA: [(MlDsaLevel, &str); 3] = [
    (MlDsaLevel::L44, "44"),
    (MlDsaLevel::L65, "65"),
    (MlDsaLevel::L87, "87"),
];
const ML_KEM: [(MlKemLevel, &str); 3] = [
    (MlKemLevel::L512, "512"),
    (MlKemLevel::L768, "768"),
    (MlKemLevel::L1024, "1024"),
];

// ---------------------------------------------------------------------------------------
// LAMPS examples

#[test]
fn lamps_ml_dsa_every_form_gives_the_published_public_key() {
    for (level, n) in ML_DSA {
        let dir = "lamps-dilithium-certificates/examples";
        let published =
            PublicKey::from_pem_or_der(&read(&format!("{dir}/ML-DSA-{n}.pub"))).unwrap();
        assert_eq!(published.kind(), KeyKind::MlDsa(level));
        let crt = cert(&format!("{dir}/ML-DSA-{n}.crt"));
        assert_eq!(
            published.spki_der(),
            crt.spki.as_slice(),
            "ML-DSA-{n} .pub vs .crt"
        );
        for form in ["seed", "expanded", "both"] {
            let key = PrivateKey::from_pem_or_der(&read(&format!("{dir}/ML-DSA-{n}-{form}.priv")))
                .unwrap_or_else(|e| panic!("ML-DSA-{n}-{form}: {e}"));
            assert_eq!(key.kind(), KeyKind::MlDsa(level));
            assert_eq!(key.public_key(), published, "ML-DSA-{n}-{form}");
        }
    }
}

#[test]
fn lamps_ml_kem_every_form_gives_the_published_public_key() {
    for (level, n) in ML_KEM {
        let dir = "lamps-kyber-certificates/example";
        let published =
            PublicKey::from_pem_or_der(&read(&format!("{dir}/ML-KEM-{n}.pub"))).unwrap();
        assert_eq!(published.kind(), KeyKind::MlKem(level));
        let crt = cert(&format!("{dir}/ML-KEM-{n}.crt"));
        assert_eq!(
            published.spki_der(),
            crt.spki.as_slice(),
            "ML-KEM-{n} .pub vs .crt"
        );
        for form in ["seed", "expanded", "both"] {
            let key = PrivateKey::from_pem_or_der(&read(&format!("{dir}/ML-KEM-{n}-{form}.priv")))
                .unwrap_or_else(|e| panic!("ML-KEM-{n}-{form}: {e}"));
            assert_eq!(key.public_key(), published, "ML-KEM-{n}-{form}");
            // The loaded key decapsulates what its public key encapsulates.
            let (ct, ss) = published.kem_encapsulate().unwrap();
            assert_eq!(key.kem_decapsulate(&ct).unwrap(), ss, "ML-KEM-{n}-{form}");
        }
    }
}

#[test]
fn lamps_slh_dsa_key_gives_the_published_public_key() {
    let dir = "lamps-x509-slhdsa";
    let published =
        PublicKey::from_pem_or_der(&read(&format!("{dir}/id-slh-dsa-sha2-128s.pub"))).unwrap();
    assert_eq!(published.kind(), KeyKind::SlhDsa(SlhDsaSet::Sha2_128s));
    let crt = cert(&format!("{dir}/id-slh-dsa-sha2-128s.pem"));
    assert_eq!(published.spki_der(), crt.spki.as_slice());
    let key =
        PrivateKey::from_pem_or_der(&read(&format!("{dir}/id-slh-dsa-sha2-128s.priv"))).unwrap();
    assert_eq!(key.public_key(), published);
    // RFC 9909 stores the raw 4n bytes; we write them back identically.
    let der = pem_body(
        &read(&format!("{dir}/id-slh-dsa-sha2-128s.priv")),
        "PRIVATE KEY",
    );
    assert_eq!(key.to_pkcs8_der().unwrap().as_slice(), der.as_slice());
}

/// `key_identifier` is RFC 5280 method 1 (SHA-1 of the subjectPublicKey bits).
///
/// Finding: the LAMPS certificates do not all use that method. The RFC 9909 SLH-DSA example
/// does, and so does RFC 9936 Appendix A (recipient SKI of the ML-KEM-512 key), but the
/// RFC 9881 / RFC 9935 example certificates carry SKI = SHAKE256(raw key) cut to 20 bytes.
/// Matching a certificate by SKI must therefore use its extension, never a recomputed hash.
#[test]
fn lamps_subject_key_identifiers() {
    let crt = cert("lamps-x509-slhdsa/id-slh-dsa-sha2-128s.pem");
    let key = PublicKey::from_spki_der(&crt.spki).unwrap();
    assert_eq!(Some(key.key_identifier().to_vec()), crt.ski);

    // RFC 9936 Appendix A: recipient SKI 599788C37AED400EE405D1B2A3366AB17D824A51 for the
    // ML-KEM-512 example key (the same key as lamps-kyber-certificates ML-KEM-512).
    let kem512 =
        PublicKey::from_pem_or_der(&read("lamps-kyber-certificates/example/ML-KEM-512.pub"))
            .unwrap();
    assert_eq!(
        hex::encode_upper(kem512.key_identifier()),
        "599788C37AED400EE405D1B2A3366AB17D824A51"
    );

    let mut shake_style = 0;
    for path in [
        "lamps-dilithium-certificates/examples/ML-DSA-44.crt",
        "lamps-dilithium-certificates/examples/ML-DSA-65.crt",
        "lamps-dilithium-certificates/examples/ML-DSA-87.crt",
        "lamps-kyber-certificates/example/ML-KEM-512.crt",
        "lamps-kyber-certificates/example/ML-KEM-768.crt",
        "lamps-kyber-certificates/example/ML-KEM-1024.crt",
    ] {
        let crt = cert(path);
        let key = PublicKey::from_spki_der(&crt.spki).unwrap();
        let ski = crt.ski.expect("the LAMPS certificates carry an SKI");
        let shake = pqsmime::digest::digest(pqsmime::alg::DigestAlgorithm::Shake256, key.raw());
        assert_eq!(ski.as_slice(), &shake[..20], "{path}");
        assert_ne!(ski.as_slice(), key.key_identifier().as_slice(), "{path}");
        shake_style += 1;
    }
    assert_eq!(shake_style, 6);
}

#[test]
fn lamps_certificate_signatures_verify() {
    // ML-DSA certificates are self-signed; each ML-KEM certificate is signed by the ML-DSA
    // key of the matching level; the SLH-DSA certificate is self-signed.
    let pairs = [
        (
            "lamps-dilithium-certificates/examples/ML-DSA-44.crt",
            "lamps-dilithium-certificates/examples/ML-DSA-44.crt",
        ),
        (
            "lamps-dilithium-certificates/examples/ML-DSA-65.crt",
            "lamps-dilithium-certificates/examples/ML-DSA-65.crt",
        ),
        (
            "lamps-dilithium-certificates/examples/ML-DSA-87.crt",
            "lamps-dilithium-certificates/examples/ML-DSA-87.crt",
        ),
        (
            "lamps-kyber-certificates/example/ML-KEM-512.crt",
            "lamps-dilithium-certificates/examples/ML-DSA-44.crt",
        ),
        (
            "lamps-kyber-certificates/example/ML-KEM-768.crt",
            "lamps-dilithium-certificates/examples/ML-DSA-65.crt",
        ),
        (
            "lamps-kyber-certificates/example/ML-KEM-1024.crt",
            "lamps-dilithium-certificates/examples/ML-DSA-87.crt",
        ),
        (
            "lamps-x509-slhdsa/id-slh-dsa-sha2-128s.pem",
            "lamps-x509-slhdsa/id-slh-dsa-sha2-128s.pem",
        ),
    ];
    for (subject, issuer) in pairs {
        let crt = cert(subject);
        let issuer_key = PublicKey::from_spki_der(&cert(issuer).spki).unwrap();
        let alg =
            SignatureAlgorithm::from_algorithm_identifier(&crt.signature_algorithm, None).unwrap();
        issuer_key
            .verify(alg, &crt.tbs, &crt.signature)
            .unwrap_or_else(|e| panic!("{subject}: {e}"));
        let mut tampered = crt.tbs.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(matches!(
            issuer_key.verify(alg, &tampered, &crt.signature),
            Err(Error::BadSignature(_))
        ));
    }
}

#[test]
fn lamps_bad_ml_dsa_keys_are_refused() {
    let dir = "lamps-dilithium-certificates/examples";
    // bad-1: `both` with seed and expandedKey disagreeing.
    let e1 = err_text(PrivateKey::from_pem_or_der(&read(&format!(
        "{dir}/bad-ML-DSA-44-1.priv"
    ))));
    assert!(e1.contains("inconsistent") && e1.contains("seed"), "{e1}");
    // bad-2: expandedKey whose tr is not H(pk).
    let e2 = err_text(PrivateKey::from_pem_or_der(&read(&format!(
        "{dir}/bad-ML-DSA-44-2.priv"
    ))));
    assert!(e2.contains("inconsistent") && e2.contains("tr "), "{e2}");
    // bad-3: expandedKey whose t0 does not match s1, s2 (a sign/verify test would pass).
    let e3 = err_text(PrivateKey::from_pem_or_der(&read(&format!(
        "{dir}/bad-ML-DSA-44-3.priv"
    ))));
    assert!(e3.contains("inconsistent") && e3.contains("t0"), "{e3}");
}

#[test]
fn lamps_bad_ml_kem_keys_are_refused() {
    let dir = "lamps-kyber-certificates/example";
    let expect = [
        ("bad-ML-KEM-512-1.priv", "expanded from the seed"),
        ("bad-ML-KEM-512-2.priv", "pairwise"),
        ("bad-ML-KEM-512-3.priv", "hash check"),
        ("bad-ML-KEM-512-4.priv", "expanded from the seed"),
    ];
    for (file, why) in expect {
        let e = err_text(PrivateKey::from_pem_or_der(&read(&format!("{dir}/{file}"))));
        assert!(
            (e.contains("inconsistent") || e.contains("invalid")) && e.contains(why),
            "{file}: {e}"
        );
    }
}

#[test]
fn seed_form_we_write_is_byte_identical_to_lamps() {
    let seed32: Vec<u8> = (0u8..32).collect();
    for (level, n) in ML_DSA {
        let key = PrivateKey::from_seed(KeyKind::MlDsa(level), &seed32).unwrap();
        let lamps = pem_body(
            &read(&format!(
                "lamps-dilithium-certificates/examples/ML-DSA-{n}-seed.priv"
            )),
            "PRIVATE KEY",
        );
        assert_eq!(
            key.to_pkcs8_der().unwrap().as_slice(),
            lamps.as_slice(),
            "ML-DSA-{n}"
        );
        let pem = key.to_pkcs8_pem().unwrap();
        assert_eq!(
            PrivateKey::from_pem_or_der(pem.as_bytes())
                .unwrap()
                .public_key(),
            key.public_key()
        );
    }
    let seed64: Vec<u8> = (0u8..64).collect();
    for (level, n) in ML_KEM {
        let key = PrivateKey::from_seed(KeyKind::MlKem(level), &seed64).unwrap();
        let lamps = pem_body(
            &read(&format!(
                "lamps-kyber-certificates/example/ML-KEM-{n}-seed.priv"
            )),
            "PRIVATE KEY",
        );
        assert_eq!(
            key.to_pkcs8_der().unwrap().as_slice(),
            lamps.as_slice(),
            "ML-KEM-{n}"
        );
    }
}

#[test]
fn expanded_only_keys_are_written_back_in_expanded_form() {
    for file in [
        "lamps-dilithium-certificates/examples/ML-DSA-65-expanded.priv",
        "lamps-kyber-certificates/example/ML-KEM-768-expanded.priv",
    ] {
        let original = pem_body(&read(file), "PRIVATE KEY");
        let key = PrivateKey::from_pkcs8_der(&original).unwrap();
        let written = key.to_pkcs8_der().unwrap();
        assert_eq!(written.as_slice(), original.as_slice(), "{file}");
    }
}

// ---------------------------------------------------------------------------------------
// OpenSSL 4.0.3 keys

#[test]
fn openssl4_keys_load_and_match_pkey_pubout() {
    let names = [
        ("ml-dsa-44", KeyKind::MlDsa(MlDsaLevel::L44)),
        ("ml-dsa-65", KeyKind::MlDsa(MlDsaLevel::L65)),
        ("ml-dsa-87", KeyKind::MlDsa(MlDsaLevel::L87)),
        ("ml-kem-512", KeyKind::MlKem(MlKemLevel::L512)),
        ("ml-kem-768", KeyKind::MlKem(MlKemLevel::L768)),
        ("ml-kem-1024", KeyKind::MlKem(MlKemLevel::L1024)),
        ("slh-dsa-sha2-128s", KeyKind::SlhDsa(SlhDsaSet::Sha2_128s)),
        ("slh-dsa-shake-128f", KeyKind::SlhDsa(SlhDsaSet::Shake128f)),
        ("rsa-2048", KeyKind::Rsa(2048)),
        ("ec-p256", KeyKind::Ec(pqsmime::alg::EcCurve::P256)),
        ("ec-p384", KeyKind::Ec(pqsmime::alg::EcCurve::P384)),
        ("ec-p521", KeyKind::Ec(pqsmime::alg::EcCurve::P521)),
        ("ed25519", KeyKind::Ed25519),
        ("x25519", KeyKind::X25519),
    ];
    for (name, kind) in names {
        let key = PrivateKey::from_pem_or_der(&read(&format!("openssl-keys/{name}.pem")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.kind(), kind, "{name}");
        let pubout = read(&format!("openssl-keys/{name}.pub.pem"));
        let expected = PublicKey::from_pem_or_der(&pubout).unwrap();
        assert_eq!(key.public_key(), expected, "{name}");
        // Byte-identical to OpenSSL's SubjectPublicKeyInfo.
        assert_eq!(
            key.public_key().spki_der(),
            pem_body(&pubout, "PUBLIC KEY").as_slice(),
            "{name}"
        );
        // DER input is detected too.
        let der = pem_body(&read(&format!("openssl-keys/{name}.pem")), "PRIVATE KEY");
        assert_eq!(
            PrivateKey::from_pem_or_der(&der).unwrap().public_key(),
            expected
        );
        if let Some(alg) = kind.default_signature_algorithm() {
            let sig = key.sign(alg, b"interop").unwrap();
            expected.verify(alg, b"interop", &sig).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Wycheproof

fn wycheproof(file: &str) -> Value {
    serde_json::from_slice(&read(&format!("wycheproof/testvectors_v1/{file}"))).unwrap()
}

fn hexf(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap_or_else(|| panic!("field {field}"))).unwrap()
}

fn groups(v: &Value) -> &Vec<Value> {
    v["testGroups"].as_array().unwrap()
}

#[test]
fn wycheproof_mldsa_65_verify() {
    let v = wycheproof("mldsa_65_verify_test.json");
    let alg = SignatureAlgorithm::MlDsa(MlDsaLevel::L65);
    let (mut run, mut skipped_ctx, mut valid) = (0, 0, 0);
    for g in groups(&v) {
        // Use the SPKI form where the group has one, the raw form otherwise.
        let key = match g.get("publicKeyDer").and_then(|d| d.as_str()) {
            Some(d) => PublicKey::from_spki_der(&hex::decode(d).unwrap()),
            None => PublicKey::from_raw(KeyKind::MlDsa(MlDsaLevel::L65), &hexf(g, "publicKey")),
        };
        if let Ok(k) = &key {
            assert_eq!(k.raw(), hexf(g, "publicKey").as_slice());
        }
        for t in g["tests"].as_array().unwrap() {
            let tc = t["tcId"].as_u64().unwrap();
            if t.get("ctx")
                .is_some_and(|c| !c.as_str().unwrap_or_default().is_empty())
            {
                skipped_ctx += 1;
                continue;
            }
            run += 1;
            let outcome = key.as_ref().map_err(|e| e.to_string()).and_then(|k| {
                k.verify(alg, &hexf(t, "msg"), &hexf(t, "sig"))
                    .map_err(|e| e.to_string())
            });
            match t["result"].as_str().unwrap() {
                "valid" => {
                    valid += 1;
                    assert!(outcome.is_ok(), "tcId {tc}: {outcome:?}")
                }
                _ => assert!(outcome.is_err(), "tcId {tc} ({}) verified", t["comment"]),
            }
        }
    }
    assert_eq!(run + skipped_ctx, 210);
    // Non-empty contexts are not used by X.509/CMS (RFC 9881/9882 fix the empty context).
    assert_eq!(
        skipped_ctx, EXPECTED_MLDSA_VERIFY_CTX_SKIPS,
        "context tests skipped"
    );
    assert!(valid > 50, "only {valid} valid vectors ran");
}

/// Tests in mldsa_65_verify_test.json with a non-empty `ctx`.
const EXPECTED_MLDSA_VERIFY_CTX_SKIPS: usize = 7;

#[test]
fn wycheproof_mldsa_65_sign_seed() {
    let v = wycheproof("mldsa_65_sign_seed_test.json");
    let alg = SignatureAlgorithm::MlDsa(MlDsaLevel::L65);
    let (mut keys, mut verified, mut refused) = (0, 0, 0);
    for g in groups(&v) {
        let seed = hexf(g, "privateSeed");
        let key = match PrivateKey::from_seed(KeyKind::MlDsa(MlDsaLevel::L65), &seed) {
            Ok(k) => k,
            Err(e) => {
                // Only the groups flagged IncorrectPrivateKeyLength may fail, and their
                // PKCS#8 form must be refused as well.
                assert_ne!(seed.len(), 32, "seed refused: {e}");
                assert!(matches!(e, Error::InvalidKey(_)), "{e}");
                let p8 = hexf(g, "privateKeyPkcs8");
                assert!(PrivateKey::from_pkcs8_der(&p8).is_err());
                refused += 1;
                continue;
            }
        };
        keys += 1;
        assert_eq!(key.public_key().raw(), hexf(g, "publicKey").as_slice());
        if let Some(p8) = g.get("privateKeyPkcs8").and_then(|p| p.as_str()) {
            let p8 = hex::decode(p8).unwrap();
            assert_eq!(key.to_pkcs8_der().unwrap().as_slice(), p8.as_slice());
        }
        for t in g["tests"].as_array().unwrap() {
            let has_ctx = t
                .get("ctx")
                .is_some_and(|c| !c.as_str().unwrap_or_default().is_empty());
            if has_ctx || t.get("msg").is_none() || t["result"] != "valid" {
                continue; // context, External-μ-only, or refused-to-sign cases
            }
            key.public_key()
                .verify(alg, &hexf(t, "msg"), &hexf(t, "sig"))
                .unwrap_or_else(|e| panic!("tcId {}: {e}", t["tcId"]));
            verified += 1;
        }
    }
    assert_eq!(refused, 3, "groups with a wrong seed length");
    assert!(
        keys >= 30 && verified >= 50,
        "{keys} keys, {verified} signatures"
    );
}

#[test]
fn wycheproof_mlkem_768_keygen_from_seed() {
    let v = wycheproof("mlkem_768_keygen_seed_test.json");
    let mut n = 0;
    for g in groups(&v) {
        for t in g["tests"].as_array().unwrap() {
            let key =
                PrivateKey::from_seed(KeyKind::MlKem(MlKemLevel::L768), &hexf(t, "seed")).unwrap();
            assert_eq!(
                key.public_key().raw(),
                hexf(t, "ek").as_slice(),
                "tcId {}",
                t["tcId"]
            );
            // The expanded key must be byte-exact: write it in the `both`-free expanded form
            // by loading the vector's dk and comparing public keys and decapsulation.
            let dk = hexf(t, "dk");
            let expanded = expanded_pkcs8(MlKemLevel::L768, &dk);
            let from_dk = PrivateKey::from_pkcs8_der(&expanded).unwrap();
            assert_eq!(from_dk.public_key(), key.public_key());
            let both = both_pkcs8(MlKemLevel::L768, &hexf(t, "seed"), &dk);
            // `both` is accepted only if our seed expansion equals dk byte for byte.
            PrivateKey::from_pkcs8_der(&both).unwrap_or_else(|e| panic!("tcId {}: {e}", t["tcId"]));
            n += 1;
        }
    }
    assert_eq!(n, 100);
}

fn ml_kem_alg_id(level: MlKemLevel) -> Vec<u8> {
    asn1::algorithm_identifier(&level.oid(), None)
}

fn expanded_pkcs8(level: MlKemLevel, dk: &[u8]) -> Vec<u8> {
    let inner = asn1::octet_string(dk);
    asn1::sequence(&[
        &asn1::integer_u64(0),
        &ml_kem_alg_id(level),
        &asn1::octet_string(&inner),
    ])
}

fn both_pkcs8(level: MlKemLevel, seed: &[u8], dk: &[u8]) -> Vec<u8> {
    let inner = asn1::sequence(&[&asn1::octet_string(seed), &asn1::octet_string(dk)]);
    asn1::sequence(&[
        &asn1::integer_u64(0),
        &ml_kem_alg_id(level),
        &asn1::octet_string(&inner),
    ])
}

#[test]
fn wycheproof_mlkem_768_decapsulation() {
    let v = wycheproof("mlkem_768_test.json");
    let (mut valid, mut invalid) = (0, 0);
    for g in groups(&v) {
        for t in g["tests"].as_array().unwrap() {
            let tc = t["tcId"].as_u64().unwrap();
            let outcome = PrivateKey::from_seed(KeyKind::MlKem(MlKemLevel::L768), &hexf(t, "seed"))
                .and_then(|k| {
                    if let Some(ek) = t.get("ek").and_then(|e| e.as_str()) {
                        assert_eq!(
                            k.public_key().raw(),
                            hex::decode(ek).unwrap().as_slice(),
                            "tcId {tc}"
                        );
                    }
                    k.kem_decapsulate(&hexf(t, "c"))
                });
            match t["result"].as_str().unwrap() {
                "valid" => {
                    // Includes implicit rejection: modified ciphertexts give the rejection K.
                    let k = outcome.unwrap_or_else(|e| panic!("tcId {tc}: {e}"));
                    assert_eq!(k.as_slice(), hexf(t, "K").as_slice(), "tcId {tc}");
                    valid += 1;
                }
                _ => {
                    assert!(
                        outcome.is_err(),
                        "tcId {tc} ({}) was accepted",
                        t["comment"]
                    );
                    invalid += 1;
                }
            }
        }
    }
    assert_eq!((valid, invalid), (153, 40));
}

#[test]
fn wycheproof_mlkem_768_encapsulation_key_checks() {
    let v = wycheproof("mlkem_768_encaps_test.json");
    let (mut valid, mut invalid) = (0, 0);
    for g in groups(&v) {
        for t in g["tests"].as_array().unwrap() {
            let tc = t["tcId"].as_u64().unwrap();
            let ek = hexf(t, "ek");
            let spki = asn1::sequence(&[&ml_kem_alg_id(MlKemLevel::L768), &asn1::bit_string(&ek)]);
            let loaded = PublicKey::from_spki_der(&spki);
            match t["result"].as_str().unwrap() {
                "valid" => {
                    let key = loaded.unwrap_or_else(|e| panic!("tcId {tc}: {e}"));
                    let (ct, _) = key.kem_encapsulate().unwrap();
                    assert_eq!(ct.len(), 1088);
                    valid += 1;
                }
                _ => {
                    let err = loaded.err().unwrap_or_else(|| panic!("tcId {tc} accepted"));
                    assert!(matches!(err, Error::InvalidKey(_)), "tcId {tc}: {err}");
                    invalid += 1;
                }
            }
        }
    }
    assert_eq!((valid, invalid), (133, 132));
}

#[test]
fn wycheproof_mlkem_768_semi_expanded_decapsulation() {
    let v = wycheproof("mlkem_768_semi_expanded_decaps_test.json");
    let mut n = 0;
    for g in groups(&v) {
        for t in g["tests"].as_array().unwrap() {
            let tc = t["tcId"].as_u64().unwrap();
            let flags: Vec<&str> = t["flags"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f.as_str())
                .collect();
            let key = PrivateKey::from_pkcs8_der(&expanded_pkcs8(MlKemLevel::L768, &hexf(t, "dk")));
            let outcome = key.as_ref().map_err(|e| e.to_string()).and_then(|k| {
                assert_eq!(k.public_key().raw(), hexf(t, "ek").as_slice(), "tcId {tc}");
                k.kem_decapsulate(&hexf(t, "c")).map_err(|e| e.to_string())
            });
            match t["result"].as_str().unwrap() {
                "valid" => {
                    let k = outcome.unwrap_or_else(|e| panic!("tcId {tc}: {e}"));
                    assert_eq!(k.as_slice(), hexf(t, "K").as_slice(), "tcId {tc}");
                }
                _ => {
                    assert!(outcome.is_err(), "tcId {tc} accepted");
                    if flags.contains(&"IncorrectCiphertextLength") {
                        // The key itself is fine; only decapsulation fails, without detail.
                        assert!(key.is_ok(), "tcId {tc}");
                        assert_eq!(outcome.unwrap_err(), Error::Decrypt.to_string());
                    } else {
                        assert!(key.is_err(), "tcId {tc}: key should be refused on load");
                    }
                }
            }
            n += 1;
        }
    }
    assert_eq!(n, 9);
}
