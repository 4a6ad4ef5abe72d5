//! OpenSSL 4 signs (with pqsmime-made keys and certificates), pqsmime verifies: default
//! digests (SHAKE256 for ML-DSA in OpenSSL 4), `-md sha512`, `-noattr`, detached and
//! encapsulated, DER, PEM and S/MIME.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use common::*;

/// `openssl cms -sign` with the fixture's end entity over `content`; returns the message path.
fn openssl_sign(
    p: &Pki,
    dir: &Path,
    flags: &[&str],
    content: &[u8],
    name: &str,
) -> (PathBuf, PathBuf, Out) {
    let cfile = dir.join(format!("{name}.content"));
    write(&cfile, content);
    let msg = dir.join(name);
    let mut args = vec![
        "cms",
        "-sign",
        "-signer",
        s(&p.ee_crt),
        "-inkey",
        s(&p.ee_key),
        "-in",
        s(&cfile),
        "-out",
        s(&msg),
    ];
    args.extend_from_slice(flags);
    let run = openssl(&args, None);
    run.ok(&[]);
    (msg, cfile, run)
}

/// `pqsmime verify --trust ca` (plus `extra` flags) must pass and write `content` back.
fn our_verify_ok(p: &Pki, dir: &Path, msg: &Path, extra: &[&str], content: &[u8], signed: &Out) {
    let got = dir.join("got");
    let mut args = vec!["verify", "--trust", s(&p.ca_crt)];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", s(&got), s(msg)]);
    let v = pqsmime(&args, None);
    if v.code != 0 {
        let dump = openssl(
            &[
                "cms",
                "-cmsout",
                "-print",
                "-in",
                s(msg),
                "-inform",
                guess_inform(msg),
            ],
            None,
        );
        v.ok(&[signed, &dump]);
    }
    assert_file_eq(&got, content, "pqsmime verify output", &[signed, &v]);
}

fn guess_inform(msg: &Path) -> &'static str {
    match msg.extension().and_then(|e| e.to_str()) {
        Some("der") => "DER",
        Some("pem") => "PEM",
        _ => "SMIME",
    }
}

fn binary_content(alg: &str, case: &str) -> Vec<u8> {
    pseudo_random(&format!("{case} {alg}"), 2500)
}

fn default_der_detached(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "default_der_detached");
    let (msg, cfile, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-outform", "DER"],
        &content,
        "sig.der",
    );
    our_verify_ok(
        &p,
        dir.path(),
        &msg,
        &["--content", s(&cfile)],
        &content,
        &signed,
    );
}

fn default_der_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "default_der_encapsulated");
    let (msg, _, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-nodetach", "-outform", "DER"],
        &content,
        "msg.der",
    );
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

fn default_pem_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "default_pem_encapsulated");
    let (msg, _, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-nodetach", "-outform", "PEM"],
        &content,
        "msg.pem",
    );
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

/// OpenSSL's default S/MIME output: multipart/signed (micalg `shake-256` for ML-DSA and
/// `shake-128` for SLH-DSA-SHAKE-128f — not RFC 8551 tokens; the SignerInfo is authoritative).
fn default_smime_multipart(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("default_smime_multipart {alg}"));
    let (msg, _, signed) = openssl_sign(&p, dir.path(), &[], &content, "msg.eml");
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

fn default_smime_opaque(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("default_smime_opaque {alg}"));
    let (msg, _, signed) = openssl_sign(&p, dir.path(), &["-nodetach"], &content, "msg.eml");
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

fn sha512_der_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "sha512_der_encapsulated");
    let (msg, _, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-nodetach", "-outform", "DER", "-md", "sha512"],
        &content,
        "msg.der",
    );
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

fn sha512_smime_multipart(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("sha512_smime_multipart {alg}"));
    let (msg, _, signed) = openssl_sign(&p, dir.path(), &["-md", "sha512"], &content, "msg.eml");
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

/// No signed attributes, content encapsulated. OpenSSL 4 cannot verify these itself for
/// ML-DSA, SLH-DSA and Ed25519 ("no content"); pqsmime must.
fn noattr_der_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "noattr_der_encapsulated");
    let (msg, _, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-nodetach", "-noattr", "-outform", "DER"],
        &content,
        "msg.der",
    );
    let der = read(&msg);
    let parts = signer_infos(&der).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !parts[0].has_signed_attrs,
        "openssl -noattr still wrote signed attributes"
    );
    our_verify_ok(&p, dir.path(), &msg, &[], &content, &signed);
}

fn noattr_der_detached(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "noattr_der_detached");
    let (msg, cfile, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-noattr", "-outform", "DER"],
        &content,
        "sig.der",
    );
    our_verify_ok(
        &p,
        dir.path(),
        &msg,
        &["--content", s(&cfile)],
        &content,
        &signed,
    );
}

/// `-nocerts`: the message carries no certificate; `--certs` supplies the signer's.
fn nocerts_with_certs_flag(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = binary_content(alg, "nocerts_with_certs_flag");
    let (msg, _, signed) = openssl_sign(
        &p,
        dir.path(),
        &["-binary", "-nodetach", "-nocerts", "-outform", "DER"],
        &content,
        "msg.der",
    );
    our_verify_ok(
        &p,
        dir.path(),
        &msg,
        &["--certs", s(&p.ee_crt)],
        &content,
        &signed,
    );
}

alg_tests!([
    ml_dsa_44 = "ml-dsa-44",
    ml_dsa_65 = "ml-dsa-65",
    ml_dsa_87 = "ml-dsa-87",
    slh_dsa_sha2_128f = "slh-dsa-sha2-128f",
    slh_dsa_shake_128f = "slh-dsa-shake-128f",
    rsa_2048 = "rsa-2048",
    ec_p256 = "ec-p256",
    ed25519 = "ed25519",
] => [
    default_der_detached,
    default_der_encapsulated,
    default_pem_encapsulated,
    default_smime_multipart,
    default_smime_opaque,
    noattr_der_encapsulated,
    noattr_der_detached,
    nocerts_with_certs_flag,
]);

// RFC 9814 fixes the SLH-DSA digest per parameter set, so `-md sha512` is exercised only for
// the algorithms where SHA-512 is a defined choice (RFC 9882, RFC 8419, RFC 5754).
mod sha512 {
    use super::*;
    alg_tests!([
        ml_dsa_44 = "ml-dsa-44",
        ml_dsa_65 = "ml-dsa-65",
        ml_dsa_87 = "ml-dsa-87",
        rsa_2048 = "rsa-2048",
        ec_p256 = "ec-p256",
        ed25519 = "ed25519",
    ] => [sha512_der_encapsulated, sha512_smime_multipart]);
}
