//! The RFC 9882 (draft-ietf-lamps-cms-ml-dsa) example messages, verified with the RFC 9881
//! example certificates. See tests/vectors/lamps-cms-ml-dsa/INDEX.md: the messages carry no
//! certificates, and the three certificates share issuer and serial number, so the signer
//! must be matched by issuerAndSerialNumber *and* algorithm.

mod common;

use std::path::PathBuf;

use common::*;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn message(level: u32) -> PathBuf {
    vectors().join(format!(
        "lamps-cms-ml-dsa/examples/mldsa{level}-signed-attrs.pem"
    ))
}

fn cert(level: u32) -> PathBuf {
    let p = vectors().join(format!(
        "lamps-dilithium-certificates/examples/ML-DSA-{level}.crt"
    ));
    assert!(
        p.is_file(),
        "{} is missing (tests/vectors/lamps-dilithium-certificates is copied from \
         /work/shared/vectors with its INDEX.md)",
        p.display()
    );
    p
}

fn expected_content(level: u32) -> Vec<u8> {
    format!("ML-DSA-{level} signed-data example with signed attributes").into_bytes()
}

fn no_chain(level: u32) {
    let dir = tempdir();
    let got = dir.path().join("got");
    let v = pqsmime(
        &[
            "verify",
            "--no-chain",
            "--certs",
            s(&cert(level)),
            "-o",
            s(&got),
            s(&message(level)),
        ],
        None,
    );
    v.ok(&[]);
    assert_file_eq(&got, &expected_content(level), "RFC 9882 content", &[&v]);
}

fn trust_self_signed(level: u32) {
    let dir = tempdir();
    let got = dir.path().join("got");
    let c = cert(level);
    let v = pqsmime(
        &[
            "verify",
            "--trust",
            s(&c),
            "--certs",
            s(&c),
            "-o",
            s(&got),
            s(&message(level)),
        ],
        None,
    );
    v.ok(&[]);
    assert_file_eq(&got, &expected_content(level), "RFC 9882 content", &[&v]);
}

/// All three certificates offered: the one with the right algorithm must be picked.
fn all_three_certs_offered(level: u32) {
    let dir = tempdir();
    let got = dir.path().join("got");
    let (c44, c65, c87) = (cert(44), cert(65), cert(87));
    let v = pqsmime(
        &[
            "verify",
            "--no-chain",
            "--certs",
            s(&c44),
            "--certs",
            s(&c65),
            "--certs",
            s(&c87),
            "-o",
            s(&got),
            s(&message(level)),
        ],
        None,
    );
    v.ok(&[]);
    assert_file_eq(&got, &expected_content(level), "RFC 9882 content", &[&v]);
}

/// Only a certificate with the same issuer and serial but another ML-DSA level: the
/// signature cannot be valid, so the message is rejected (exit 1), never accepted.
fn wrong_level_cert_only(level: u32) {
    let other = if level == 65 { 44 } else { 65 };
    let v = pqsmime(
        &[
            "verify",
            "--no-chain",
            "--certs",
            s(&cert(other)),
            s(&message(level)),
        ],
        None,
    );
    v.expect_code(1, &[]);
}

fn tampered_content(level: u32) {
    let dir = tempdir();
    let der = pem_decode(&read(&message(level)), "CMS");
    let bad = dir.path().join("bad.der");
    write(&bad, &flip_content(&der, &expected_content(level)));
    let v = pqsmime(
        &["verify", "--no-chain", "--certs", s(&cert(level)), s(&bad)],
        None,
    );
    v.expect_code(1, &[]);
}

fn tampered_signature(level: u32) {
    let dir = tempdir();
    let der = pem_decode(&read(&message(level)), "CMS");
    let bad = dir.path().join("bad.der");
    write(&bad, &flip_signature(&der, 0));
    let v = pqsmime(
        &["verify", "--no-chain", "--certs", s(&cert(level)), s(&bad)],
        None,
    );
    v.expect_code(1, &[]);
}

/// The messages carry no certificate: without `--certs` the signer cannot be found. That is
/// a rejection, not a success; with exit 2 the contract's one-line error applies.
fn missing_certificate(level: u32) {
    let v = pqsmime(&["verify", "--no-chain", s(&message(level))], None);
    match v.code {
        1 => {
            if !v.stderr.to_ascii_lowercase().contains("certificate") {
                fail(
                    "exit 1 but stderr does not mention the missing certificate",
                    &[&v],
                );
            }
        }
        2 => assert_final_error_line(&v, &[]),
        _ => fail("a signer without its certificate must not verify", &[&v]),
    }
}

macro_rules! levels {
    ($($case:ident),* $(,)?) => {
        $(
            mod $case {
                #[test]
                fn ml_dsa_44() {
                    super::$case(44)
                }
                #[test]
                fn ml_dsa_65() {
                    super::$case(65)
                }
                #[test]
                fn ml_dsa_87() {
                    super::$case(87)
                }
            }
        )*
    };
}

levels!(
    no_chain,
    trust_self_signed,
    all_three_certs_offered,
    wrong_level_cert_only,
    tampered_content,
    tampered_signature,
    missing_certificate,
);

/// OpenSSL 4 agrees with the expected outcome (a check of the vectors and the peer).
#[test]
fn openssl_agrees() {
    for level in [44, 65, 87] {
        let c = cert(level);
        let o = openssl(
            &[
                "cms",
                "-verify",
                "-inform",
                "PEM",
                "-binary",
                "-in",
                s(&message(level)),
                "-certfile",
                s(&c),
                "-CAfile",
                s(&c),
            ],
            None,
        );
        o.ok(&[]);
        assert_eq!(o.stdout, expected_content(level));
    }
}
