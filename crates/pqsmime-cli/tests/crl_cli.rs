//! `pqsmime crl` and `pqsmime verify --crl` through the binary: CRLs signed with ML-DSA (and
//! ECDSA) that OpenSSL 4 verifies, reasons and serials, `--previous` carrying entries forward
//! with an increasing number, revoked signers failing verification with exit 1 and the
//! reason, stale and foreign CRLs, and the PKITS policy-mapping message failing path
//! validation.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use common::*;

struct Setup {
    dir: tempfile::TempDir,
    ca_crt: PathBuf,
    ca_key: PathBuf,
    alice_crt: PathBuf,
    alice_key: PathBuf,
    bob_crt: PathBuf,
}

fn setup(alg: &str) -> Setup {
    let dir = tempdir();
    let d = dir.path();
    let ca_key = gen_key(d, alg, "ca.key").unwrap();
    let ca_crt = d.join("ca.crt");
    pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&ca_key),
            "--subject",
            "CN=CRL CLI CA,O=Example Ltd,C=GB",
            "-o",
            s(&ca_crt),
        ],
        None,
    )
    .ok(&[]);
    let mut certs = Vec::new();
    let mut keys = Vec::new();
    for who in ["alice", "bob"] {
        let k = gen_key(d, "ml-dsa-44", &format!("{who}.key")).unwrap();
        let p = d.join(format!("{who}.pub"));
        pqsmime(&["key", "pub", s(&k), "-o", s(&p)], None).ok(&[]);
        let c = d.join(format!("{who}.crt"));
        pqsmime(
            &[
                "cert",
                "issue",
                "--ca-cert",
                s(&ca_crt),
                "--ca-key",
                s(&ca_key),
                "--pub",
                s(&p),
                "--email",
                &format!("{who}@example.com"),
                "--profile",
                "test",
                "-o",
                s(&c),
            ],
            None,
        )
        .ok(&[]);
        certs.push(c);
        keys.push(k);
    }
    Setup {
        ca_crt,
        ca_key,
        alice_key: keys.remove(0),
        alice_crt: certs.remove(0),
        bob_crt: certs.remove(0),
        dir,
    }
}

fn crl(st: &Setup, name: &str, extra: &[&str]) -> (PathBuf, Out) {
    let out_path = st.dir.path().join(name);
    let mut args = vec!["crl", "--ca-cert", s(&st.ca_crt), "--ca-key", s(&st.ca_key)];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", s(&out_path)]);
    let out = pqsmime(&args, None);
    (out_path, out)
}

fn signed_by_alice(st: &Setup) -> PathBuf {
    let d = st.dir.path();
    let msg = d.join("msg.eml");
    let content = d.join("content.eml");
    write(&content, &mime_text("crl test"));
    pqsmime(
        &[
            "sign",
            "--cert",
            s(&st.alice_crt),
            "--key",
            s(&st.alice_key),
            "-o",
            s(&msg),
            s(&content),
        ],
        None,
    )
    .ok(&[]);
    msg
}

fn verify(st: &Setup, msg: &Path, crls: &[&Path]) -> Out {
    let mut args = vec!["verify", "--trust", s(&st.ca_crt)];
    for c in crls {
        args.extend_from_slice(&["--crl", s(c)]);
    }
    args.extend_from_slice(&["-o", "/dev/null", s(msg)]);
    pqsmime(&args, None)
}

#[test]
fn ml_dsa_crls_verify_in_openssl_and_list_what_was_revoked() {
    for alg in ["ml-dsa-65", "ml-dsa-87", "ec-p256"] {
        let st = setup(alg);
        let (path, out) = crl(
            &st,
            "ca.crl",
            &[
                "--revoke",
                s(&st.bob_crt),
                "--revoke",
                "0x1A2B3C",
                "--reason",
                "superseded",
            ],
        );
        out.ok(&[]);
        let v = openssl(
            &["crl", "-in", s(&path), "-CAfile", s(&st.ca_crt), "-noout"],
            None,
        );
        v.ok(&[&out]);
        assert!(
            v.stderr.contains("verify OK") || v.stdout_str().contains("verify OK"),
            "{}",
            v.describe()
        );
        let text = openssl(&["crl", "-in", s(&path), "-noout", "-text"], None);
        let t = text.stdout_str();
        assert!(
            t.contains("Superseded") && t.contains("1A2B3C") && t.contains("CRL Number"),
            "{}",
            text.describe()
        );
        // openssl verify -crl_check sees bob revoked and alice not.
        let bob = openssl(
            &[
                "verify",
                "-crl_check",
                "-CRLfile",
                s(&path),
                "-CAfile",
                s(&st.ca_crt),
                s(&st.bob_crt),
            ],
            None,
        );
        assert!(
            bob.code != 0 && (bob.stdout_str() + &bob.stderr).contains("certificate revoked"),
            "{}",
            bob.describe()
        );
        openssl(
            &[
                "verify",
                "-crl_check",
                "-CRLfile",
                s(&path),
                "-CAfile",
                s(&st.ca_crt),
                s(&st.alice_crt),
            ],
            None,
        )
        .ok(&[]);
    }
}

#[test]
fn verify_with_crls() {
    let st = setup("ml-dsa-65");
    let msg = signed_by_alice(&st);
    // Without --crl, and with a CRL that does not list alice: valid.
    verify(&st, &msg, &[]).ok(&[]);
    let (clean, out) = crl(&st, "clean.crl", &["--revoke", s(&st.bob_crt)]);
    out.ok(&[]);
    verify(&st, &msg, &[&clean]).ok(&[]);
    // Alice revoked: exit 1, the report names the revocation and the reason.
    let (revoking, out) = crl(
        &st,
        "revoking.crl",
        &["--revoke", s(&st.alice_crt), "--reason", "key-compromise"],
    );
    out.ok(&[]);
    let v = verify(&st, &msg, &[&revoking]);
    v.expect_code(1, &[&out]);
    assert!(
        v.stderr.contains("is revoked") && v.stderr.contains("keyCompromise"),
        "{}",
        v.describe()
    );
    // JSON says so too.
    let j = pqsmime(
        &[
            "verify",
            "--json",
            "--trust",
            s(&st.ca_crt),
            "--crl",
            s(&revoking),
            s(&msg),
        ],
        None,
    );
    j.expect_code(1, &[]);
    let json: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(json["valid"], false);
    // A CRL of another CA does not cover alice: her status cannot be determined.
    let other = setup("ml-dsa-44");
    let (foreign, out) = crl(&other, "foreign.crl", &[]);
    out.ok(&[]);
    let v = verify(&st, &msg, &[&foreign]);
    v.expect_code(1, &[]);
    assert!(
        v.stderr.contains("cannot be determined"),
        "{}",
        v.describe()
    );
    // Garbage in --crl is an input error.
    let junk = st.dir.path().join("junk.crl");
    write(&junk, b"not a crl");
    let v = verify(&st, &msg, &[&junk]);
    v.expect_code(2, &[]);
    assert_one_error_line(&v, &[]);
}

#[test]
fn previous_crl_is_carried_forward_with_a_higher_number() {
    let st = setup("ml-dsa-44");
    let (first, out) = crl(
        &st,
        "1.crl",
        &["--revoke", s(&st.bob_crt), "--number", "41"],
    );
    out.ok(&[]);
    let (second, out) = crl(
        &st,
        "2.crl",
        &[
            "--previous",
            s(&first),
            "--revoke",
            "0xABCDEF",
            "--reason",
            "cessation-of-operation",
        ],
    );
    out.ok(&[]);
    let text = openssl(&["crl", "-in", s(&second), "-noout", "-text"], None).stdout_str();
    assert!(text.contains("42") && text.contains("ABCDEF"), "{text}");
    let bob_serial = openssl(&["x509", "-in", s(&st.bob_crt), "-noout", "-serial"], None)
        .stdout_str()
        .trim()
        .trim_start_matches("serial=")
        .to_string();
    assert!(text.contains(&bob_serial), "{bob_serial} missing:\n{text}");
    // A number that does not increase is refused.
    let (_, out) = crl(&st, "3.crl", &["--previous", s(&second), "--number", "42"]);
    out.expect_code(2, &[]);
    assert!(out.stderr.contains("RFC 5280 §5.2.3"), "{}", out.describe());
    // A previous CRL of another CA is refused.
    let other = setup("ml-dsa-44");
    let (theirs, _) = crl(&other, "theirs.crl", &[]);
    let (_, out) = crl(&st, "4.crl", &["--previous", s(&theirs)]);
    out.expect_code(2, &[]);
}

#[test]
fn bad_crl_requests_are_refused() {
    let st = setup("ml-dsa-44");
    for (extra, needle) in [
        (vec!["--revoke", "not-a-file-or-hex"], "not a serial number"),
        (
            vec!["--revoke", "0x01", "--reason", "unspecified"],
            "unspecified",
        ),
        (
            vec!["--revoke", "0x01", "--reason", "bogus"],
            "unknown revocation reason",
        ),
        (vec!["--revoke", "0x00"], "not a serial number"),
    ] {
        let (p, out) = crl(&st, "x.crl", &extra);
        out.expect_code(2, &[]);
        assert!(out.stderr.contains(needle), "{extra:?}: {}", out.describe());
        assert!(!p.exists());
    }
    // An end-entity certificate cannot issue CRLs.
    let out = pqsmime(
        &[
            "crl",
            "--ca-cert",
            s(&st.alice_crt),
            "--ca-key",
            s(&st.alice_key),
            "-o",
            s(&st.dir.path().join("y.crl")),
        ],
        None,
    );
    out.expect_code(2, &[]);
    assert!(out.stderr.contains("not a CA"), "{}", out.describe());
}

#[test]
fn pkits_invalid_mapping_from_any_policy_fails_verification() {
    let vectors =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/openssl-cms-testdata");
    let msg = vectors.join("smime-eml/SignedInvalidMappingFromanyPolicyTest7.eml");
    let anchor = vectors.join("certs/pkitsta.pem");
    let out = pqsmime(
        &["verify", "--trust", s(&anchor), "-o", "/dev/null", s(&msg)],
        None,
    );
    out.expect_code(1, &[]);
    assert!(
        out.stderr.contains("§6.1.4 (a)") && out.stderr.contains("anyPolicy"),
        "{}",
        out.describe()
    );
}
