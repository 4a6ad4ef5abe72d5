//! pqsmime signs, OpenSSL 4 verifies: every algorithm, every output form.
//!
//! Keys, the CA and the end-entity certificate are made by `pqsmime` too, so these tests
//! also show that OpenSSL accepts our certificates for S/MIME signing (purpose smimesign).

#[macro_use]
mod common;

use common::*;

/// `pqsmime sign` with the fixture's end entity; returns the output path and the run.
fn our_sign(
    p: &Pki,
    dir: &std::path::Path,
    extra: &[&str],
    input: &[u8],
    name: &str,
) -> (std::path::PathBuf, Out) {
    let content = dir.join(format!("{name}.in"));
    write(&content, input);
    let out_path = dir.join(name);
    let mut args = vec!["sign", "--cert", s(&p.ee_crt), "--key", s(&p.ee_key)];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-o", s(&out_path), s(&content)]);
    let run = pqsmime(&args, None);
    run.ok(&[]);
    (out_path, run)
}

/// Encapsulated DER → `openssl cms -verify -inform DER -binary` returns the content.
fn der_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("der_encapsulated {alg}"), 3000);
    let (msg, signed) = our_sign(&p, dir.path(), &["--format", "der"], &content, "msg.der");
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
    v.ok(&[&signed, &openssl_print_der(&msg)]);
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&signed, &v]);
    let parts = signer_infos(&read(&msg)).unwrap_or_else(|e| panic!("our DER does not walk: {e}"));
    assert_eq!(parts.len(), 1, "one signer expected");
    assert!(
        parts[0].has_signed_attrs,
        "pqsmime should sign with signed attributes"
    );
}

/// Detached DER → `openssl cms -verify -binary -content FILE`.
fn der_detached(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("der_detached {alg}"), 5000);
    let (msg, signed) = our_sign(
        &p,
        dir.path(),
        &["--detached", "--format", "der"],
        &content,
        "sig.der",
    );
    let der = read(&msg);
    if find(&der, &content[..32]).is_some() {
        fail("--detached output contains the content", &[&signed]);
    }
    let cfile = dir.path().join("content.bin");
    write(&cfile, &content);
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
            "-content",
            s(&cfile),
            "-in",
            s(&msg),
            "-out",
            s(&got),
        ],
        None,
    );
    v.ok(&[&signed, &openssl_print_der(&msg)]);
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&signed, &v]);
}

/// PEM (`CMS` label) encapsulated → `openssl cms -verify -inform PEM`.
fn pem_encapsulated(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("pem_encapsulated {alg}"), 777);
    let (msg, signed) = our_sign(&p, dir.path(), &["--format", "pem"], &content, "msg.pem");
    let text = read(&msg);
    if !String::from_utf8_lossy(&text).contains("-----BEGIN CMS-----") {
        fail(
            "--format pem output has no `-----BEGIN CMS-----` block",
            &[&signed],
        );
    }
    let got = dir.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
            "-inform",
            "PEM",
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
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&signed, &v]);
}

/// Default `--format smime` (multipart/signed) → `openssl cms -verify` (S/MIME input).
/// Also checks `micalg` names the SignerInfo digest (RFC 8551 §3.5.3.2).
fn smime_multipart(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("smime_multipart {alg}"));
    let (msg, signed) = our_sign(&p, dir.path(), &[], &content, "msg.eml");
    let entity = read(&msg);
    let ctype = mime_content_type(&entity);
    if ctype.as_deref() != Some("multipart/signed") {
        fail(
            &format!("default smime output has Content-Type {ctype:?}, want multipart/signed"),
            &[&signed],
        );
    }
    let got = dir.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
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
    assert_file_eq(
        &got,
        &content,
        "openssl cms -verify output (first MIME part)",
        &[&signed, &v],
    );

    // micalg must name the digest the SignerInfo used.
    let micalg = mime_param(&entity, "micalg");
    let sig_der = dir.path().join("sig.der");
    let pk7 = openssl(
        &[
            "cms",
            "-cmsout",
            "-in",
            s(&msg),
            "-outform",
            "DER",
            "-out",
            s(&sig_der),
        ],
        None,
    );
    pk7.ok(&[&signed]);
    let der = read(&sig_der);
    let parts = signer_infos(&der).unwrap_or_else(|e| panic!("signature part does not walk: {e}"));
    let digest = oid_string(parts[0].digest_oid.value(&der));
    let want = micalg_token(&digest);
    if want.is_none() || micalg.as_deref().map(str::to_ascii_lowercase).as_deref() != want {
        fail(
            &format!("micalg is {micalg:?} but the SignerInfo digest is {digest} (token {want:?})"),
            &[&signed],
        );
    }
}

/// Default `--format smime` for the SHAKE SLH-DSA set, which has no micalg token: whatever
/// form pqsmime picks, OpenSSL must verify it and return the content.
fn smime_default_shake(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("smime_default_shake {alg}"));
    let (msg, signed) = our_sign(&p, dir.path(), &[], &content, "msg.eml");
    let got = dir.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
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
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&signed, &v]);
}

/// `--opaque --format smime` (application/pkcs7-mime; smime-type=signed-data) →
/// `openssl cms -verify`, and for RSA/ECDSA also the PKCS#7 `openssl smime -verify`
/// (OpenSSL's PKCS#7 code cannot verify Ed25519, ML-DSA or SLH-DSA, even its own messages).
fn smime_opaque(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = mime_text(&format!("smime_opaque {alg}"));
    let (msg, signed) = our_sign(
        &p,
        dir.path(),
        &["--opaque", "--format", "smime"],
        &content,
        "msg.eml",
    );
    let entity = read(&msg);
    let ctype = mime_content_type(&entity);
    let smime_type = mime_param(&entity, "smime-type");
    if ctype.as_deref() != Some("application/pkcs7-mime")
        || smime_type.as_deref() != Some("signed-data")
    {
        fail(
            &format!("--opaque output is {ctype:?} smime-type={smime_type:?}, want application/pkcs7-mime signed-data"),
            &[&signed],
        );
    }
    let got = dir.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
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
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&signed, &v]);
    if alg.starts_with("rsa-") || alg.starts_with("ec-") {
        let got2 = dir.path().join("got2");
        let v2 = openssl(
            &[
                "smime",
                "-verify",
                "-CAfile",
                s(&p.ca_crt),
                "-in",
                s(&msg),
                "-out",
                s(&got2),
            ],
            None,
        );
        v2.ok(&[&signed]);
        assert_file_eq(
            &got2,
            &content,
            "openssl smime -verify output",
            &[&signed, &v2],
        );
    }
}

/// Our own verifier accepts what we signed (every form), so a failure above is an interop
/// problem and not a plain bug on one side.
fn self_roundtrip(alg: &str) {
    let p = pki(alg);
    let dir = tempdir();
    let content = pseudo_random(&format!("self_roundtrip {alg}"), 1024);
    for (name, extra) in [
        ("a.der", &["--format", "der"][..]),
        ("b.pem", &["--format", "pem"][..]),
    ] {
        let (msg, signed) = our_sign(&p, dir.path(), extra, &content, name);
        let got = dir.path().join(format!("{name}.got"));
        let v = pqsmime(
            &["verify", "--trust", s(&p.ca_crt), "-o", s(&got), s(&msg)],
            None,
        );
        v.ok(&[&signed]);
        assert_file_eq(&got, &content, "pqsmime verify output", &[&signed, &v]);
    }
    let (msg, signed) = our_sign(
        &p,
        dir.path(),
        &["--detached", "--format", "der"],
        &content,
        "c.der",
    );
    let cfile = dir.path().join("content");
    write(&cfile, &content);
    let got = dir.path().join("c.got");
    let v = pqsmime(
        &[
            "verify",
            "--trust",
            s(&p.ca_crt),
            "--content",
            s(&cfile),
            "-o",
            s(&got),
            s(&msg),
        ],
        None,
    );
    v.ok(&[&signed]);
    assert_file_eq(
        &got,
        &content,
        "pqsmime verify output (detached)",
        &[&signed, &v],
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
] => [der_encapsulated, der_detached, pem_encapsulated, smime_opaque, self_roundtrip]);

// The SHAKE SLH-DSA set digests with SHAKE128 (RFC 9814), for which RFC 8551 defines no
// micalg token: clear-signing is not offered for it here; the opaque form above covers S/MIME.
mod multipart {
    use super::*;
    alg_tests!([
        ml_dsa_44 = "ml-dsa-44",
        ml_dsa_65 = "ml-dsa-65",
        ml_dsa_87 = "ml-dsa-87",
        slh_dsa_sha2_128f = "slh-dsa-sha2-128f",
        rsa_2048 = "rsa-2048",
        ec_p256 = "ec-p256",
        ed25519 = "ed25519",
    ] => [smime_multipart]);
}

mod shake_default {
    use super::*;
    alg_tests!([slh_dsa_shake_128f = "slh-dsa-shake-128f"] => [smime_default_shake]);
}
