//! Whole messages against OpenSSL 4 (`openssl cms` reading and writing S/MIME):
//! * OpenSSL accepts ours: clear-signed and opaque-signed messages (ML-DSA-65, ECDSA, RSA and
//!   the ML-DSA + ECDSA pair), encrypted messages (ML-KEM-768 and RSA recipients,
//!   AuthEnvelopedData and EnvelopedData), and `pqsmime protect` (sign-then-encrypt);
//! * we accept OpenSSL's: clear and opaque signed, encrypted, signed-then-encrypted, and
//!   triple-wrapped messages with `-from/-to/-subject` headers.

mod common;
mod message_common;

use pqsmime::cms::enveloped::{ContentCipher, DecryptionKey, Recipient};
use pqsmime::cms::signed::VerifyOptions;
use pqsmime::keys::PrivateKey;
use pqsmime::smime::message::{protect_to_vec, Protection};
use pqsmime::smime::{open, Blob, OpenOptions};
use pqsmime::x509::Certificate;
use serde_json::Value;

use common::*;
use message_common::*;

fn sign_with(dir: &std::path::Path, ids: &[&IdFiles], extra: &[&str]) -> std::path::PathBuf {
    let msg = dir.join("message.eml");
    write(&msg, message_lf().as_bytes());
    let out = dir.join("signed.eml");
    let mut args = vec!["sign"];
    for id in ids {
        args.extend(["--cert", id.crt(), "--key", id.key()]);
    }
    args.extend_from_slice(extra);
    args.extend(["-o", s(&out), s(&msg)]);
    pqsmime(&args, None).ok(&[]);
    out
}

fn openssl_verify(signed: &std::path::Path, out: &std::path::Path) -> Out {
    let p = mpki();
    openssl(
        &[
            "cms",
            "-verify",
            "-in",
            s(signed),
            "-CAfile",
            p.root.crt(),
            "-out",
            s(out),
        ],
        None,
    )
}

#[test]
fn openssl_verifies_our_clear_and_opaque_signed_messages() {
    let p = mpki();
    let sets: [(&str, Vec<&IdFiles>); 4] = [
        ("ml-dsa-65", vec![&p.alice_sign]),
        ("ecdsa", vec![&p.alice_ec]),
        ("rsa", vec![&p.carol_sign]),
        ("ml-dsa-65 + ecdsa", vec![&p.alice_sign, &p.alice_ec]),
    ];
    for (name, ids) in sets {
        for form in [&[][..], &["--opaque"][..]] {
            let dir = tempdir();
            let signed = sign_with(dir.path(), &ids, form);
            let content = dir.path().join("content.eml");
            let v = openssl_verify(&signed, &content);
            v.ok(&[]);
            let c = String::from_utf8_lossy(&read(&content)).into_owned();
            assert!(
                c.contains("=46rom now on this line"),
                "{name} {form:?}: {c}"
            );
            assert!(c.contains("hp=\"clear\""), "{name} {form:?}: {c}");
            assert!(
                c.contains("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?="),
                "{c}"
            );
        }
    }
    // The classical-only message also passes OpenSSL's older PKCS #7 S/MIME code.
    let dir = tempdir();
    let signed = sign_with(dir.path(), &[&p.alice_ec], &[]);
    openssl(
        &[
            "smime",
            "-verify",
            "-in",
            s(&signed),
            "-CAfile",
            p.root.crt(),
        ],
        None,
    )
    .ok(&[]);
}

#[test]
fn openssl_decrypts_our_encrypted_messages() {
    let p = mpki();
    let bob = Certificate::from_pem_or_der(&read(&p.bob_enc.crt))
        .unwrap()
        .remove(0);
    let carol = Certificate::from_pem_or_der(&read(&p.carol_enc.crt))
        .unwrap()
        .remove(0);
    let recipients = [
        Recipient::for_certificate(&bob).unwrap(),
        Recipient::for_certificate(&carol).unwrap(),
    ];
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes128Cbc] {
        let (msg, _) = protect_to_vec(
            MESSAGE.as_bytes(),
            &Protection::encrypt(&recipients, cipher),
        )
        .unwrap();
        let dir = tempdir();
        let f = dir.path().join("enc.eml");
        write(&f, &msg);
        for id in [&p.bob_enc, &p.carol_enc] {
            let out = dir.path().join("dec.eml");
            openssl(
                &[
                    "cms",
                    "-decrypt",
                    "-in",
                    s(&f),
                    "-recip",
                    id.crt(),
                    "-inkey",
                    id.key(),
                    "-out",
                    s(&out),
                ],
                None,
            )
            .ok(&[]);
            let d = String::from_utf8_lossy(&read(&out)).into_owned();
            assert!(d.contains("hp=\"cipher\""), "{cipher:?}: {d}");
            assert!(d.contains("HP-Outer: Subject: [...]"), "{d}");
            assert!(d.contains("Hallo Bob,"), "{d}");
        }
    }
}

#[test]
fn openssl_opens_our_protected_messages() {
    let p = mpki();
    let dir = tempdir();
    let msg = dir.path().join("message.eml");
    write(&msg, message_lf().as_bytes());
    let sent = dir.path().join("sent.eml");
    pqsmime(
        &[
            "protect",
            "--cert",
            p.alice_sign.crt(),
            "--key",
            p.alice_sign.key(),
            "--cert",
            p.alice_ec.crt(),
            "--key",
            p.alice_ec.key(),
            "--encryption-cert",
            p.alice_enc.crt(),
            "--to",
            p.bob_enc.crt(),
            "--to",
            p.carol_enc.crt(),
            "-o",
            s(&sent),
            s(&msg),
        ],
        None,
    )
    .ok(&[]);
    for id in [&p.bob_enc, &p.carol_enc, &p.alice_enc] {
        let dec = dir.path().join("dec.eml");
        openssl(
            &[
                "cms",
                "-decrypt",
                "-in",
                s(&sent),
                "-recip",
                id.crt(),
                "-inkey",
                id.key(),
                "-out",
                s(&dec),
            ],
            None,
        )
        .ok(&[]);
        let content = dir.path().join("content.eml");
        openssl_verify(&dec, &content).ok(&[]);
        let c = String::from_utf8_lossy(&read(&content)).into_owned();
        assert!(c.contains("Hallo Bob,"), "{c}");
        assert!(c.contains("hp=\"cipher\""), "{c}");
    }
}

/// OpenSSL signs `message.eml` (a MIME entity) with S/MIME output and message headers.
fn openssl_sign(
    dir: &std::path::Path,
    id: &IdFiles,
    from: &str,
    extra: &[&str],
    name: &str,
) -> std::path::PathBuf {
    let entity = dir.join("entity.txt");
    write(
        &entity,
        b"Content-Type: text/plain; charset=us-ascii\n\nHello from OpenSSL.\nA second line.\n",
    );
    let out = dir.join(name);
    let mut args = vec![
        "cms",
        "-sign",
        "-in",
        s(&entity),
        "-signer",
        id.crt(),
        "-inkey",
        id.key(),
        "-from",
        from,
        "-to",
        "bob@example.com",
        "-subject",
        "OpenSSL interop",
        "-out",
        s(&out),
    ];
    args.extend_from_slice(extra);
    openssl(&args, None).ok(&[]);
    out
}

fn verify_json(msg: &std::path::Path, extra: &[&str]) -> (Out, Value) {
    let p = mpki();
    let mut args = vec!["verify", "--json", "--trust", p.root.crt()];
    args.extend_from_slice(extra);
    args.push(s(msg));
    let out = pqsmime(&args, None);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| fail(&format!("no JSON: {e}"), &[&out]));
    (out, v)
}

fn kinds(v: &Value) -> Vec<String> {
    v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn we_verify_openssl_signed_messages() {
    let p = mpki();
    for id in [&p.alice_sign, &p.alice_ec] {
        for (form, kind) in [
            (&[][..], "clear-signed"),
            (&["-nodetach"][..], "opaque-signed"),
        ] {
            let dir = tempdir();
            let signed = openssl_sign(
                dir.path(),
                id,
                "Alice <alice@example.com>",
                form,
                "signed.eml",
            );
            let out = dir.path().join("out.eml");
            let (run, v) = verify_json(&signed, &["-o", s(&out)]);
            run.ok(&[]);
            assert_eq!(kinds(&v), [kind], "{}", run.describe());
            assert_eq!(v["sender_ok"], true);
            let o = String::from_utf8_lossy(&read(&out)).into_owned();
            assert!(o.contains("Subject: OpenSSL interop"), "{o}");
            assert!(o.contains("Hello from OpenSSL."), "{o}");
            // The same signature under someone else's From is a sender mismatch.
            let forged = dir.path().join("forged.eml");
            write(
                &forged,
                String::from_utf8_lossy(&read(&signed))
                    .replacen(
                        "From: Alice <alice@example.com>",
                        "From: Alice <alice@example.net>",
                        1,
                    )
                    .as_bytes(),
            );
            let (run, v) = verify_json(&forged, &[]);
            run.expect_code(1, &[]);
            assert_eq!(v["sender_ok"], false);
        }
    }
}

#[test]
fn we_open_openssl_encrypted_messages() {
    let p = mpki();
    for (id, cipher, kind, ri) in [
        (
            &p.bob_enc,
            "-aes-256-gcm",
            "auth-enveloped",
            "KEMRecipientInfo",
        ),
        (&p.bob_enc, "-aes-128-cbc", "enveloped", "KEMRecipientInfo"),
        (
            &p.carol_enc,
            "-aes-256-cbc",
            "enveloped",
            "KeyTransRecipientInfo",
        ),
    ] {
        let dir = tempdir();
        let entity = dir.path().join("entity.txt");
        write(
            &entity,
            b"Content-Type: text/plain\n\nSecret from OpenSSL.\n",
        );
        let enc = dir.path().join("enc.eml");
        openssl(
            &[
                "cms",
                "-encrypt",
                "-in",
                s(&entity),
                "-recip",
                id.crt(),
                cipher,
                "-from",
                "alice@example.com",
                "-to",
                "bob@example.com",
                "-subject",
                "encrypted",
                "-out",
                s(&enc),
            ],
            None,
        )
        .ok(&[]);
        // The CLI opens the layer and says there is no signature inside.
        let (run, v) = verify_json(
            &enc,
            &["--decrypt-cert", id.crt(), "--decrypt-key", id.key()],
        );
        run.expect_code(1, &[]);
        assert!(
            run.stderr.contains("encrypted but not signed"),
            "{}",
            run.describe()
        );
        assert_eq!(kinds(&v), [kind]);
        assert_eq!(v["layers"][0]["decryption"]["recipient_info"], ri);
        // And the library hands back exactly the encrypted entity.
        let cert = Certificate::from_pem_or_der(&read(&id.crt))
            .unwrap()
            .remove(0);
        let key = PrivateKey::from_pem_or_der(&read(&id.key)).unwrap();
        let oo = OpenOptions {
            verify: VerifyOptions::default(),
            keys: vec![DecryptionKey::new(&cert, &key).unwrap()],
            ..OpenOptions::default()
        };
        let o = open(&Blob::from_vec(read(&enc)), &oo).unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut o.content.reader(), &mut got).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got).replace("\r\n", "\n"),
            "Content-Type: text/plain\n\nSecret from OpenSSL.\n"
        );
    }
}

#[test]
fn we_verify_openssl_signed_then_encrypted_and_triple_wrapped_messages() {
    let p = mpki();
    for (sign_form, inner_kind) in [
        (&[][..], "clear-signed"),
        (&["-nodetach"][..], "opaque-signed"),
    ] {
        let dir = tempdir();
        let signed = openssl_sign(
            dir.path(),
            &p.alice_sign,
            "alice@example.com",
            sign_form,
            "signed.eml",
        );
        let enc = dir.path().join("enc.eml");
        openssl(
            &[
                "cms",
                "-encrypt",
                "-in",
                s(&signed),
                "-recip",
                p.bob_enc.crt(),
                "-recip",
                p.carol_enc.crt(),
                "-aes-256-gcm",
                "-from",
                "alice@example.com",
                "-to",
                "bob@example.com",
                "-subject",
                "signed and encrypted",
                "-out",
                s(&enc),
            ],
            None,
        )
        .ok(&[]);
        for id in [&p.bob_enc, &p.carol_enc] {
            let (run, v) = verify_json(
                &enc,
                &["--decrypt-cert", id.crt(), "--decrypt-key", id.key()],
            );
            run.ok(&[]);
            assert_eq!(
                kinds(&v),
                ["auth-enveloped", inner_kind],
                "{}",
                run.describe()
            );
            assert_eq!(v["sender_ok"], true);
        }
        // Triple wrapping: OpenSSL signs the encrypted message again (Alice's ECDSA key).
        let triple = dir.path().join("triple.eml");
        openssl(
            &[
                "cms",
                "-sign",
                "-in",
                s(&enc),
                "-signer",
                p.alice_ec.crt(),
                "-inkey",
                p.alice_ec.key(),
                "-from",
                "alice@example.com",
                "-to",
                "bob@example.com",
                "-subject",
                "triple",
                "-out",
                s(&triple),
            ],
            None,
        )
        .ok(&[]);
        let (run, v) = verify_json(
            &triple,
            &[
                "--decrypt-cert",
                p.bob_enc.crt(),
                "--decrypt-key",
                p.bob_enc.key(),
            ],
        );
        run.ok(&[]);
        assert_eq!(
            kinds(&v),
            ["clear-signed", "auth-enveloped", inner_kind],
            "{}",
            run.describe()
        );
        let signers = v["signers"].as_array().unwrap();
        assert_eq!(signers.len(), 2);
        assert_eq!(signers[0]["algorithm"], "ECDSA with SHA-256");
        assert_eq!(signers[0]["layer"], 1);
        assert_eq!(signers[1]["algorithm"], "ML-DSA-65");
        assert_eq!(signers[1]["layer"], 3);
    }
}
