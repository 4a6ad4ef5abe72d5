//! `pqsmime csr` and `pqsmime cert issue --csr` through the binary: OpenSSL 4 verifies our
//! self-signed requests, the RFC 9883 flow for an ML-KEM key (request vouched for by the
//! ML-DSA signing certificate, then issued under an S/MIME BR profile), and the refusals:
//! tampered proof, a vouching certificate for another mailbox or from an untrusted CA, an
//! ML-KEM request without a statement, a mailbox other than the one requested.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use common::*;

const CRL: &str = "http://crl.example.com/ca.crl";

struct Ca {
    dir: tempfile::TempDir,
    crt: PathBuf,
    key: PathBuf,
}

fn ca(alg: &str, cn: &str) -> Ca {
    let dir = tempdir();
    let key = gen_key(dir.path(), alg, "ca.key").unwrap();
    let crt = dir.path().join("ca.crt");
    pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&key),
            "--subject",
            &format!("CN={cn},O=Example Ltd,C=GB"),
            "-o",
            s(&crt),
        ],
        None,
    )
    .ok(&[]);
    Ca { dir, crt, key }
}

fn csr(
    dir: &Path,
    key: &Path,
    email: &str,
    possession: Option<(&Path, &Path)>,
    name: &str,
) -> (PathBuf, Out) {
    let out_path = dir.join(name);
    let mut args = vec!["csr", "--key", s(key), "--email", email];
    if let Some((c, k)) = possession {
        args.extend_from_slice(&["--possession-cert", s(c), "--possession-key", s(k)]);
    }
    args.extend_from_slice(&["-o", s(&out_path)]);
    let out = pqsmime(&args, None);
    (out_path, out)
}

fn issue(ca: &Ca, csr: &Path, email: &str, extra: &[&str], name: &str) -> (PathBuf, Out) {
    let out_path = ca.dir.path().join(name);
    let mut args = vec![
        "cert",
        "issue",
        "--ca-cert",
        s(&ca.crt),
        "--ca-key",
        s(&ca.key),
        "--csr",
        s(csr),
        "--email",
        email,
    ];
    args.extend_from_slice(extra);
    if !extra.contains(&"--profile") {
        // Request checking is the same in every profile; the test profile needs no CRL URL.
        args.extend_from_slice(&["--profile", "test"]);
    }
    args.extend_from_slice(&["-o", s(&out_path)]);
    let out = pqsmime(&args, None);
    (out_path, out)
}

#[test]
fn openssl_verifies_our_self_signed_requests() {
    let dir = tempdir();
    let d = dir.path();
    for alg in [
        "ml-dsa-44",
        "ml-dsa-65",
        "ml-dsa-87",
        "ec-p256",
        "rsa-2048",
        "ed25519",
    ] {
        let key = gen_key(d, alg, &format!("{alg}.key")).unwrap();
        let (path, out) = csr(d, &key, EMAIL, None, &format!("{alg}.csr"));
        out.ok(&[]);
        let v = openssl(
            &["req", "-in", s(&path), "-noout", "-verify", "-text"],
            None,
        );
        v.ok(&[&out]);
        let all = v.stdout_str() + &v.stderr;
        assert!(all.contains("verify OK"), "{alg}: {}", v.describe());
        assert!(
            all.contains("email:alice@example.com"),
            "{alg}: {}",
            v.describe()
        );
    }
}

#[test]
fn rfc9883_flow_signing_then_encryption_certificate() {
    let ca = ca("ml-dsa-65", "CSR CLI CA");
    let d = ca.dir.path();
    let sign_key = gen_key(d, "ml-dsa-65", "sign.key").unwrap();
    let kem_key = gen_key(d, "ml-kem-768", "kem.key").unwrap();
    // 1. The signing certificate from a self-signed request.
    let (sign_csr, out) = csr(d, &sign_key, EMAIL, None, "sign.csr");
    out.ok(&[]);
    let (sign_crt, out) = issue(
        &ca,
        &sign_csr,
        EMAIL,
        &["--profile", "mailbox-strict", "--crl-url", CRL],
        "sign.crt",
    );
    out.ok(&[]);
    // 2. The ML-KEM key cannot sign its own request ...
    let (_, out) = csr(d, &kem_key, EMAIL, None, "kem-alone.csr");
    out.expect_code(2, &[]);
    assert!(
        out.stderr.contains("--possession-cert") && out.stderr.contains("RFC 9883"),
        "{}",
        out.describe()
    );
    // ... the signing certificate vouches for it.
    let (kem_csr, out) = csr(d, &kem_key, EMAIL, Some((&sign_crt, &sign_key)), "kem.csr");
    out.ok(&[]);
    let text = openssl(&["req", "-in", s(&kem_csr), "-noout", "-text"], None);
    assert!(
        text.stdout_str().contains("ML-KEM-768"),
        "{}",
        text.describe()
    );
    // 3. The encryption certificate: keyEncipherment only, same mailbox.
    let (enc_crt, out) = issue(
        &ca,
        &kem_csr,
        EMAIL,
        &["--profile", "mailbox-strict", "--crl-url", CRL],
        "enc.crt",
    );
    out.ok(&[]);
    let t = openssl(&["x509", "-in", s(&enc_crt), "-noout", "-text"], None).stdout_str();
    assert!(
        t.contains("ML-KEM-768")
            && t.contains("Key Encipherment")
            && !t.contains("Digital Signature"),
        "{t}"
    );
    assert!(t.contains("email:alice@example.com"), "{t}");
    pqsmime(&["lint", s(&enc_crt)], None).ok(&[]);
    // The test profile accepts the same request.
    issue(&ca, &kem_csr, EMAIL, &[], "enc-test.crt").1.ok(&[]);
}

#[test]
fn bad_requests_are_refused() {
    let ca = ca("ml-dsa-44", "CSR CLI CA");
    let d = ca.dir.path();
    let key = gen_key(d, "ml-dsa-44", "a.key").unwrap();
    let (good, out) = csr(d, &key, EMAIL, None, "a.csr");
    out.ok(&[]);
    // Tampered proof of possession: one bit of the signature flipped.
    let der_path = d.join("a.der");
    pqsmime(
        &[
            "csr",
            "--key",
            s(&key),
            "--email",
            EMAIL,
            "--der",
            "-o",
            s(&der_path),
        ],
        None,
    )
    .ok(&[]);
    let mut der = read(&der_path);
    let n = der.len();
    der[n - 10] ^= 0x01;
    let bad = d.join("bad.der");
    write(&bad, &der);
    let (p, out) = issue(&ca, &bad, EMAIL, &[], "bad.crt");
    out.expect_code(1, &[]);
    assert!(
        out.stderr.contains("proof of possession"),
        "{}",
        out.describe()
    );
    assert!(!p.exists());
    // Another mailbox than the one requested.
    let (_, out) = issue(&ca, &good, "bob@example.com", &[], "bob.crt");
    out.expect_code(1, &[]);
    assert!(
        out.stderr.contains("asks for alice@example.com"),
        "{}",
        out.describe()
    );
    // Garbage is an input error.
    let junk = d.join("junk.csr");
    write(
        &junk,
        b"-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
    );
    let (_, out) = issue(&ca, &junk, EMAIL, &[], "junk.crt");
    out.expect_code(2, &[]);
    assert_one_error_line(&out, &[]);
}

#[test]
fn wrong_vouching_certificates_are_refused() {
    let ca = ca("ml-dsa-65", "CSR CLI CA");
    let other = ca_other();
    let d = ca.dir.path();
    let sign_key = gen_key(d, "ml-dsa-65", "sign.key").unwrap();
    let sign_pub = d.join("sign.pub");
    pqsmime(&["key", "pub", s(&sign_key), "-o", s(&sign_pub)], None).ok(&[]);
    let kem_key = gen_key(d, "ml-kem-768", "kem.key").unwrap();
    // A signing certificate from another CA vouches: not trusted by this CA ...
    let foreign = other.dir.path().join("foreign.crt");
    pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(&other.crt),
            "--ca-key",
            s(&other.key),
            "--pub",
            s(&sign_pub),
            "--email",
            EMAIL,
            "--profile",
            "test",
            "-o",
            s(&foreign),
        ],
        None,
    )
    .ok(&[]);
    let (kem_csr, out) = csr(d, &kem_key, EMAIL, Some((&foreign, &sign_key)), "kem.csr");
    out.ok(&[]);
    let (_, out) = issue(&ca, &kem_csr, EMAIL, &[], "enc.crt");
    out.expect_code(1, &[]);
    assert!(
        out.stderr.contains("RFC 9883 §5 requires path validation"),
        "{}",
        out.describe()
    );
    // ... unless that CA is given as a further trust anchor.
    issue(
        &ca,
        &kem_csr,
        EMAIL,
        &["--trust", s(&other.crt)],
        "enc-trusted.crt",
    )
    .1
    .ok(&[]);
    // A signing certificate for another mailbox cannot vouch for alice's key.
    let bobs = d.join("bob-sign.crt");
    pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(&ca.crt),
            "--ca-key",
            s(&ca.key),
            "--pub",
            s(&sign_pub),
            "--email",
            "bob@example.com",
            "--profile",
            "test",
            "-o",
            s(&bobs),
        ],
        None,
    )
    .ok(&[]);
    let (_, out) = csr(d, &kem_key, EMAIL, Some((&bobs, &sign_key)), "kem-bob.csr");
    out.expect_code(2, &[]);
    assert!(
        out.stderr.contains("not for alice@example.com"),
        "{}",
        out.describe()
    );
    let (bob_csr, out) = csr(
        d,
        &kem_key,
        "bob@example.com",
        Some((&bobs, &sign_key)),
        "kem-bob2.csr",
    );
    out.ok(&[]);
    let (_, out) = issue(&ca, &bob_csr, EMAIL, &[], "x.crt");
    out.expect_code(1, &[]);
    // The vouching certificate with a key that is not the possession key.
    let wrong_key = gen_key(d, "ml-dsa-65", "wrong.key").unwrap();
    let (_, out) = csr(
        d,
        &kem_key,
        "bob@example.com",
        Some((&bobs, &wrong_key)),
        "kem-wrong.csr",
    );
    out.expect_code(2, &[]);
    assert!(out.stderr.contains("does not belong"), "{}", out.describe());
}

fn ca_other() -> Ca {
    ca("ml-dsa-44", "Other CA")
}
