//! One flipped bit — in the content or in the signature — and both OpenSSL 4 and pqsmime
//! reject the message; pqsmime with exit code 1 ("the message is bad"). Also: a chain to
//! the wrong anchor is rejected, and `--no-chain` skips exactly that check.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};

use common::*;

fn sign_ours(p: &Pki, dir: &Path, extra: &[&str], content: &[u8], name: &str) -> (PathBuf, Out) {
    let cfile = dir.join(format!("{name}.content"));
    write(&cfile, content);
    let msg = dir.join(name);
    let mut args = vec!["sign", "--cert", s(&p.ee_crt), "--key", s(&p.ee_key)];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", s(&msg), s(&cfile)]);
    let run = pqsmime(&args, None);
    run.ok(&[]);
    (msg, run)
}

/// Both verifiers must reject `msg` (OpenSSL with any non-zero code, pqsmime with 1).
fn both_reject(
    p: &Pki,
    msg: &Path,
    inform: &str,
    content: Option<&Path>,
    why: &str,
    context: &[&Out],
) {
    let mut o_args = vec![
        "cms",
        "-verify",
        "-CAfile",
        s(&p.ca_crt),
        "-in",
        s(msg),
        "-out",
        "/dev/null",
    ];
    if inform != "SMIME" {
        o_args.extend_from_slice(&["-inform", inform, "-binary"]);
    }
    if let Some(c) = content {
        o_args.extend_from_slice(&["-content", s(c)]);
    }
    let o = openssl(&o_args, None);
    if o.code == 0 {
        fail(
            &format!("OpenSSL accepted a message with {why}"),
            &[context, &[&o]].concat(),
        );
    }
    let mut q_args = vec!["verify", "--trust", s(&p.ca_crt)];
    if let Some(c) = content {
        q_args.extend_from_slice(&["--content", s(c)]);
    }
    q_args.push(s(msg));
    let q = pqsmime(&q_args, None);
    if q.code != 1 {
        fail(
            &format!(
                "pqsmime verify of a message with {why}: want exit 1, got {}",
                q.code
            ),
            &[context, &[&o, &q]].concat(),
        );
    }
}

fn content_der_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("tamper content {alg}"), 3000);
    let (msg, signed) = sign_ours(&p, dir.path(), &["--format", "der"], &content, "msg.der");
    let bad = dir.path().join("bad.der");
    write(&bad, &flip_content(&read(&msg), &content));
    both_reject(&p, &bad, "DER", None, "one content bit flipped", &[&signed]);
}

fn signature_der_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("tamper signature {alg}"), 3000);
    let (msg, signed) = sign_ours(&p, dir.path(), &["--format", "der"], &content, "msg.der");
    let bad = dir.path().join("bad.der");
    write(&bad, &flip_signature(&read(&msg), 0));
    both_reject(
        &p,
        &bad,
        "DER",
        None,
        "one signature bit flipped",
        &[&signed],
    );
}

fn content_der_detached(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("tamper detached {alg}"), 3000);
    let (msg, signed) = sign_ours(
        &p,
        dir.path(),
        &["--detached", "--format", "der"],
        &content,
        "sig.der",
    );
    let mut changed = content.clone();
    changed[1234] ^= 0x01;
    let cfile = dir.path().join("changed.bin");
    write(&cfile, &changed);
    both_reject(
        &p,
        &msg,
        "DER",
        Some(&cfile),
        "detached content changed by one bit",
        &[&signed],
    );
}

fn content_smime_multipart(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("tamper multipart {alg}"));
    let (msg, signed) = sign_ours(&p, dir.path(), &[], &content, "msg.eml");
    let entity = read(&msg);
    let at = find(&entity, b"Hello from")
        .unwrap_or_else(|| fail("signed text not found in the entity", &[&signed]));
    let mut bad_entity = entity.clone();
    bad_entity[at] = b'J';
    let bad = dir.path().join("bad.eml");
    write(&bad, &bad_entity);
    both_reject(
        &p,
        &bad,
        "SMIME",
        None,
        "the clear-signed text changed",
        &[&signed],
    );
}

fn signature_openssl_signed(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("tamper openssl {alg}"), 2000);
    let cfile = dir.path().join("content");
    write(&cfile, &content);
    let msg = dir.path().join("msg.der");
    let signed = openssl(
        &[
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-outform",
            "DER",
            "-signer",
            s(&p.ee_crt),
            "-inkey",
            s(&p.ee_key),
            "-in",
            s(&cfile),
            "-out",
            s(&msg),
        ],
        None,
    );
    signed.ok(&[]);
    let bad = dir.path().join("bad.der");
    write(&bad, &flip_signature(&read(&msg), 0));
    both_reject(
        &p,
        &bad,
        "DER",
        None,
        "one signature bit flipped (OpenSSL-signed)",
        &[&signed],
    );
    let bad2 = dir.path().join("bad2.der");
    write(&bad2, &flip_content(&read(&msg), &content));
    both_reject(
        &p,
        &bad2,
        "DER",
        None,
        "one content bit flipped (OpenSSL-signed)",
        &[&signed],
    );
}

/// A valid signature from a certificate that does not chain to the given anchor: exit 1
/// (chain not trusted); with `--no-chain` the same message verifies.
fn wrong_trust_anchor(alg: &str) {
    let p = pki(alg);
    let other = other_pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("wrong anchor {alg}"), 500);
    let (msg, signed) = sign_ours(&p, dir.path(), &["--format", "der"], &content, "msg.der");
    let o = openssl(
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-binary",
            "-CAfile",
            s(&other.ca_crt),
            "-in",
            s(&msg),
            "-out",
            "/dev/null",
        ],
        None,
    );
    if o.code == 0 {
        fail(
            "OpenSSL accepted a chain to the wrong anchor",
            &[&signed, &o],
        );
    }
    let q = pqsmime(&["verify", "--trust", s(&other.ca_crt), s(&msg)], None);
    q.expect_code(1, &[&signed]);
    let got = dir.path().join("got");
    let q2 = pqsmime(&["verify", "--no-chain", "-o", s(&got), s(&msg)], None);
    q2.ok(&[&signed]);
    assert_file_eq(&got, &content, "pqsmime verify --no-chain output", &[&q2]);
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
    content_der_encapsulated,
    signature_der_encapsulated,
    content_der_detached,
    signature_openssl_signed,
    wrong_trust_anchor,
]);

mod multipart {
    use super::*;
    alg_tests!([
        ml_dsa_65 = "ml-dsa-65",
        slh_dsa_sha2_128f = "slh-dsa-sha2-128f",
        rsa_2048 = "rsa-2048",
        ec_p256 = "ec-p256",
        ed25519 = "ed25519",
    ] => [content_smime_multipart]);
}
