//! Keys cross between OpenSSL 4 and pqsmime: OpenSSL's keys (ML-DSA/ML-KEM in the `both`
//! form) load in `pqsmime key pub` and give OpenSSL's SubjectPublicKeyInfo; our keys (ML-DSA
//! and ML-KEM in the seed form) load in `openssl pkey` and give ours. Private key files are
//! written with mode 0600.

#[macro_use]
mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::*;

/// `openssl genpkey` arguments for one of our algorithm names.
fn genpkey_args(alg: &str) -> Vec<&'static str> {
    match alg {
        "ml-dsa-44" => vec!["-algorithm", "ML-DSA-44"],
        "ml-dsa-65" => vec!["-algorithm", "ML-DSA-65"],
        "ml-dsa-87" => vec!["-algorithm", "ML-DSA-87"],
        "ml-kem-512" => vec!["-algorithm", "ML-KEM-512"],
        "ml-kem-768" => vec!["-algorithm", "ML-KEM-768"],
        "ml-kem-1024" => vec!["-algorithm", "ML-KEM-1024"],
        "slh-dsa-sha2-128f" => vec!["-algorithm", "SLH-DSA-SHA2-128f"],
        "slh-dsa-shake-128f" => vec!["-algorithm", "SLH-DSA-SHAKE-128f"],
        "rsa-2048" => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "ec-p256" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "ec-p384" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "ed25519" => vec!["-algorithm", "ED25519"],
        "x25519" => vec!["-algorithm", "X25519"],
        other => panic!("no genpkey mapping for {other}"),
    }
}

/// OpenSSL's SubjectPublicKeyInfo (DER) for a private key file.
fn openssl_spki(key: &Path, context: &[&Out]) -> Vec<u8> {
    let out = openssl(&["pkey", "-in", s(key), "-pubout", "-outform", "DER"], None);
    out.ok(context);
    out.stdout
}

/// `pqsmime key pub` (PEM `PUBLIC KEY`) → DER.
fn our_spki(key: &Path, context: &[&Out]) -> (Vec<u8>, Out) {
    let out = pqsmime(&["key", "pub", s(key)], None);
    out.ok(context);
    let der = pem_decode(&out.stdout, "PUBLIC KEY");
    (der, out)
}

/// The privateKey OCTET STRING content of a PKCS#8 PEM file.
fn pkcs8_private_key(pem: &[u8]) -> Vec<u8> {
    let der = pem_decode(pem, "PRIVATE KEY");
    let top = tlv_at(&der, 0).unwrap_or_else(|e| panic!("PKCS#8 does not parse: {e}"));
    let kids = children(&der, &top).unwrap_or_else(|e| panic!("{e}"));
    let pk = kids.get(2).expect("PrivateKeyInfo has a privateKey");
    assert_eq!(pk.tag, 0x04, "privateKey is an OCTET STRING");
    pk.value(&der).to_vec()
}

fn openssl_key_loads(alg: &str) {
    let dir = tempdir();
    let key = dir.path().join("openssl.key");
    let mut args = vec!["genpkey"];
    args.extend(genpkey_args(alg));
    args.extend(["-out", s(&key)]);
    let gen = openssl(&args, None);
    gen.ok(&[]);
    if alg.starts_with("ml-") {
        // OpenSSL's default output is the `both` form: SEQUENCE { seed, expandedKey }.
        let inner = pkcs8_private_key(&read(&key));
        assert_eq!(
            inner.first(),
            Some(&0x30),
            "OpenSSL should have written the `both` form"
        );
    }
    let want = openssl_spki(&key, &[&gen]);
    let (got, run) = our_spki(&key, &[&gen]);
    if got != want {
        fail(
            &format!(
                "SPKI from pqsmime ({} bytes) differs from OpenSSL's ({} bytes)",
                got.len(),
                want.len()
            ),
            &[&gen, &run],
        );
    }
}

fn our_key_loads_in_openssl(alg: &str) {
    let dir = tempdir();
    let key = gen_key(dir.path(), alg, "ours.key").unwrap_or_else(|e| panic!("{e}"));
    let (ours, run) = our_spki(&key, &[]);
    let theirs = openssl_spki(&key, &[&run]);
    if ours != theirs {
        fail(
            "OpenSSL derives a different public key from our private key",
            &[&run],
        );
    }
    // The key's text form is readable by OpenSSL too.
    openssl(&["pkey", "-in", s(&key), "-noout", "-text"], None).ok(&[]);
}

/// ML-DSA and ML-KEM private keys are written in the seed form (cli.md; RFC 9881/9935).
fn seed_form(alg: &str) {
    let dir = tempdir();
    let key = gen_key(dir.path(), alg, "seed.key").unwrap_or_else(|e| panic!("{e}"));
    let inner = pkcs8_private_key(&read(&key));
    let seed_len = if alg.starts_with("ml-kem") { 64 } else { 32 };
    assert_eq!(
        inner.len(),
        2 + seed_len,
        "seed-only privateKey expected, got {} bytes",
        inner.len()
    );
    assert_eq!(inner[0], 0x80, "seed is [0] IMPLICIT OCTET STRING");
    assert_eq!(usize::from(inner[1]), seed_len);
}

/// `key gen -o` creates the file with mode 0600.
fn private_key_mode(alg: &str) {
    let dir = tempdir();
    let key = gen_key(dir.path(), alg, "mode.key").unwrap_or_else(|e| panic!("{e}"));
    let mode = std::fs::metadata(&key)
        .expect("key file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "private key file mode is {mode:o}");
}

alg_tests!([
    ml_dsa_44 = "ml-dsa-44",
    ml_dsa_65 = "ml-dsa-65",
    ml_dsa_87 = "ml-dsa-87",
    ml_kem_512 = "ml-kem-512",
    ml_kem_768 = "ml-kem-768",
    ml_kem_1024 = "ml-kem-1024",
    slh_dsa_sha2_128f = "slh-dsa-sha2-128f",
    slh_dsa_shake_128f = "slh-dsa-shake-128f",
    rsa_2048 = "rsa-2048",
    ec_p256 = "ec-p256",
    ec_p384 = "ec-p384",
    ed25519 = "ed25519",
    x25519 = "x25519",
] => [openssl_key_loads, our_key_loads_in_openssl]);

mod seed {
    use super::*;
    alg_tests!([
        ml_dsa_44 = "ml-dsa-44",
        ml_dsa_65 = "ml-dsa-65",
        ml_dsa_87 = "ml-dsa-87",
        ml_kem_512 = "ml-kem-512",
        ml_kem_768 = "ml-kem-768",
        ml_kem_1024 = "ml-kem-1024",
    ] => [seed_form]);
}

mod mode {
    use super::*;
    alg_tests!([
        ml_dsa_65 = "ml-dsa-65",
        ml_kem_768 = "ml-kem-768",
        ec_p256 = "ec-p256",
        rsa_2048 = "rsa-2048",
    ] => [private_key_mode]);
}

/// An OpenSSL-generated ML-DSA-65 key (`both` form) signs through pqsmime, with a pqsmime
/// certificate, and OpenSSL verifies the result.
#[test]
fn openssl_ml_dsa_key_signs_with_pqsmime() {
    let p = pki("ml-dsa-65");
    let dir = tempdir();
    let key = dir.path().join("openssl.key");
    openssl(
        &["genpkey", "-algorithm", "ML-DSA-65", "-out", s(&key)],
        None,
    )
    .ok(&[]);
    let pubf = dir.path().join("openssl.pub");
    pqsmime(&["key", "pub", s(&key), "-o", s(&pubf)], None).ok(&[]);
    let crt = dir.path().join("bob.crt");
    pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(&p.ca_crt),
            "--ca-key",
            s(&p.ca_key),
            "--pub",
            s(&pubf),
            "--email",
            "bob@example.com",
            "--usage",
            "sign",
            "--profile",
            "test",
            "-o",
            s(&crt),
        ],
        None,
    )
    .ok(&[]);
    let content = pseudo_random("openssl key", 1500);
    let cfile = dir.path().join("content");
    write(&cfile, &content);
    let msg = dir.path().join("msg.der");
    let signed = pqsmime(
        &[
            "sign",
            "--cert",
            s(&crt),
            "--key",
            s(&key),
            "--format",
            "der",
            "-o",
            s(&msg),
            s(&cfile),
        ],
        None,
    );
    signed.ok(&[]);
    let got = dir.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-binary",
            "-CAfile",
            s(&p.ca_crt),
            "-in",
            s(&msg),
            "-out",
            s(&got),
        ],
        None,
    );
    v.ok(&[&signed]);
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&v]);
}
