//! Bad input gets the contract's treatment (cli.md "General"): exit 2 for input errors,
//! exactly one stderr line `pqsmime: error: ...`, and never a panic (every run through
//! `common::pqsmime` also fails the test if stderr says "panicked").

mod common;

use std::path::PathBuf;

use common::*;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// The RFC 9882 ML-DSA-44 example as DER (a valid SignedData that needs no pqsmime signing).
fn example_der() -> Vec<u8> {
    let pem = read(&vectors().join("lamps-cms-ml-dsa/examples/mldsa44-signed-attrs.pem"));
    pem_decode(&pem, "CMS")
}

fn example_cert() -> PathBuf {
    vectors().join("lamps-dilithium-certificates/examples/ML-DSA-44.crt")
}

fn verify_file(data: &[u8], name: &str) -> Out {
    let dir = tempdir();
    let f = dir.path().join(name);
    write(&f, data);
    pqsmime(
        &["verify", "--no-chain", "--certs", s(&example_cert()), s(&f)],
        None,
    )
}

#[test]
fn truncated_der() {
    let der = example_der();
    for cut in [
        1,
        2,
        5,
        20,
        100,
        der.len() / 2,
        der.len() - 100,
        der.len() - 1,
    ] {
        let out = verify_file(&der[..cut], "truncated.der");
        if out.code != 2 {
            fail(
                &format!("message truncated to {cut} of {} bytes", der.len()),
                &[&out],
            );
        }
        assert_one_error_line(&out, &[]);
    }
}

#[test]
fn random_bytes() {
    for (i, len) in [1usize, 17, 300, 5000].into_iter().enumerate() {
        let data = pseudo_random(&format!("random input {i}"), len);
        let out = verify_file(&data, "random.bin");
        assert_input_error(&out, &[]);
        let out = pqsmime(&["verify", "--no-chain"], Some(&data));
        assert_input_error(&out, &[]);
        let out = pqsmime(&["inspect"], Some(&data));
        assert_input_error(&out, &[]);
    }
}

/// A DER SEQUENCE header claiming far more content than there is (and than memory holds).
#[test]
fn huge_length_claim() {
    let data = [0x30u8, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x06, 0x09];
    assert_input_error(&verify_file(&data, "huge.der"), &[]);
}

#[test]
fn certificate_given_as_message() {
    let out = pqsmime(&["verify", "--no-chain", s(&example_cert())], None);
    assert_input_error(&out, &[]);
}

#[test]
fn cms_under_wrong_pem_label() {
    let pem = pem_encode(&example_der(), "PRIVATE KEY");
    assert_input_error(&verify_file(&pem, "wrong-label.pem"), &[]);
    let pem = pem_encode(&example_der(), "FOO BAR");
    assert_input_error(&verify_file(&pem, "unknown-label.pem"), &[]);
}

#[test]
fn pem_with_bad_base64() {
    let pem = b"-----BEGIN CMS-----\nMIIK!!!!not base64 at all\n-----END CMS-----\n";
    assert_input_error(&verify_file(pem, "bad-base64.pem"), &[]);
}

#[test]
fn empty_input() {
    assert_input_error(&pqsmime(&["verify", "--no-chain"], Some(b"")), &[]);
    assert_input_error(&verify_file(b"", "empty.der"), &[]);
    assert_input_error(&pqsmime(&["inspect"], Some(b"")), &[]);
    let dir = tempdir();
    let empty = dir.path().join("empty.key");
    write(&empty, b"");
    assert_input_error(&pqsmime(&["key", "pub", s(&empty)], None), &[]);
}

#[test]
fn missing_file() {
    let out = pqsmime(
        &["verify", "--no-chain", "/nonexistent/pqsmime/message.p7m"],
        None,
    );
    assert_input_error(&out, &[]);
    if !out.stderr.contains("/nonexistent/pqsmime/message.p7m") {
        fail("the error should name the missing file", &[&out]);
    }
}

/// Replaces the SignerInfo's signatureAlgorithm OID (id-ml-dsa-44) by the unassigned
/// 2.16.840.1.101.3.4.3.127.
#[test]
fn unknown_signature_algorithm_oid() {
    let mut der = example_der();
    let parts = signer_infos(&der).unwrap_or_else(|e| panic!("{e}"));
    let oid = parts[0].signature_alg_oid;
    assert_eq!(oid_string(oid.value(&der)), "2.16.840.1.101.3.4.3.17");
    der[oid.content.1 - 1] = 0x7f;
    assert_input_error_after_report(&verify_file(&der, "unknown-sigalg.der"), &[]);
}

/// Replaces the SignerInfo's digestAlgorithm OID (id-sha512) by the unassigned
/// 2.16.840.1.101.3.4.2.127.
#[test]
fn unknown_digest_algorithm_oid() {
    let mut der = example_der();
    let parts = signer_infos(&der).unwrap_or_else(|e| panic!("{e}"));
    let oid = parts[0].digest_oid;
    assert_eq!(oid_string(oid.value(&der)), "2.16.840.1.101.3.4.2.3");
    der[oid.content.1 - 1] = 0x7f;
    assert_input_error_after_report(&verify_file(&der, "unknown-digest.der"), &[]);
}

/// A seed-form PKCS#8 key whose algorithm OID is the unassigned 2.16.840.1.101.3.4.3.127.
#[test]
fn unknown_key_algorithm_oid() {
    let mut der = vec![
        0x30, 0x34, 0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
        0x04, 0x03, 0x7f, 0x04, 0x22, 0x80, 0x20,
    ];
    der.extend_from_slice(&[0x42; 32]);
    let dir = tempdir();
    let key = dir.path().join("unknown.key");
    write(&key, &pem_encode(&der, "PRIVATE KEY"));
    assert_input_error(&pqsmime(&["key", "pub", s(&key)], None), &[]);
    let key_der = dir.path().join("unknown-key.der");
    write(&key_der, &der);
    assert_input_error(&pqsmime(&["key", "pub", s(&key_der)], None), &[]);
}

/// Usage errors are exit 2 too (their wording is the argument parser's).
#[test]
fn unknown_algorithm_name() {
    let out = pqsmime(&["key", "gen", "--alg", "ml-dsa-99"], None);
    out.expect_code(2, &[]);
    if !out.stderr.contains("ml-dsa-99") {
        fail("the error should name the unknown algorithm", &[&out]);
    }
}

/// OpenSSL `-nocerts`: the signer certificate is nowhere. Not a success; an exit-2 report
/// is the one-line kind.
#[test]
fn missing_signer_certificate() {
    let p = pki("ec-p256");
    let dir = tempdir();
    let content = dir.path().join("content");
    write(&content, b"no certificate inside");
    let msg = dir.path().join("msg.der");
    openssl(
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-nocerts",
            "-outform",
            "DER",
            "-signer",
            s(&p.ee_crt),
            "-inkey",
            s(&p.ee_key),
            "-in",
            s(&content),
            "-out",
            s(&msg),
        ],
        None,
    )
    .ok(&[]);
    let out = pqsmime(&["verify", "--trust", s(&p.ca_crt), s(&msg)], None);
    match out.code {
        1 => {
            if !out.stderr.to_ascii_lowercase().contains("certificate") {
                fail(
                    "exit 1 but stderr does not mention the missing certificate",
                    &[&out],
                );
            }
        }
        2 => assert_final_error_line(&out, &[]),
        _ => fail("a signer without its certificate must not verify", &[&out]),
    }
}

/// multipart/signed whose signature part is not base64 CMS.
#[test]
fn multipart_with_garbage_signature() {
    let entity = b"MIME-Version: 1.0\r\n\
Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"XYZ\"\r\n\
\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
hello\r\n\
--XYZ\r\n\
Content-Type: application/pkcs7-signature; name=smime.p7s\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAAAgarbage***\r\n\
--XYZ--\r\n";
    assert_input_error(&verify_file(entity, "garbage.eml"), &[]);
}

/// multipart/signed without its closing boundary.
#[test]
fn multipart_unterminated() {
    let entity = b"MIME-Version: 1.0\r\n\
Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"XYZ\"\r\n\
\r\n\
--XYZ\r\n\
Content-Type: text/plain\r\n\
\r\n\
hello\r\n";
    assert_input_error(&verify_file(entity, "unterminated.eml"), &[]);
}

/// A certificate and a key that do not belong together.
#[test]
fn sign_with_mismatched_key() {
    let ml = pki("ml-dsa-65");
    let ec = pki("ec-p256");
    let dir = tempdir();
    let content = dir.path().join("content");
    write(&content, b"mismatch");
    let out = pqsmime(
        &[
            "sign",
            "--cert",
            s(&ml.ee_crt),
            "--key",
            s(&ec.ee_key),
            "--format",
            "der",
            s(&content),
        ],
        None,
    );
    assert_input_error(&out, &[]);
    // Same algorithm, different key.
    let other = other_pki("ml-dsa-65");
    let out = pqsmime(
        &[
            "sign",
            "--cert",
            s(&ml.ee_crt),
            "--key",
            s(&other.ee_key),
            "--format",
            "der",
            s(&content),
        ],
        None,
    );
    assert_input_error(&out, &[]);
}

/// A private key passed where a certificate is expected.
#[test]
fn key_given_as_certificate() {
    let ml = pki("ml-dsa-65");
    let dir = tempdir();
    let content = dir.path().join("content");
    write(&content, b"key as cert");
    let out = pqsmime(
        &[
            "sign",
            "--cert",
            s(&ml.ee_key),
            "--key",
            s(&ml.ee_key),
            "--format",
            "der",
            s(&content),
        ],
        None,
    );
    assert_input_error(&out, &[]);
}
