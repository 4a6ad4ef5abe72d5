//! Whole messages through the command line: `sign`, `protect` and `verify` on .eml files,
//! split-use certificates (`--encryption-cert`, `--save-certs`), sender checks, header
//! protection, JSON, and the negative cases (re-encoded signed part, swapped From, detached
//! signature over another body, broken boundary, deep nesting).

mod common;
mod message_common;

use serde_json::Value;

use common::*;
use message_common::*;

fn signed_message(dir: &std::path::Path, extra: &[&str]) -> std::path::PathBuf {
    let p = mpki();
    let msg = dir.join("message.eml");
    write(&msg, message_lf().as_bytes());
    let out = dir.join("signed.eml");
    let mut args = vec![
        "sign",
        "--cert",
        p.alice_sign.crt(),
        "--key",
        p.alice_sign.key(),
        "--cert",
        p.alice_ec.crt(),
        "--key",
        p.alice_ec.key(),
        "-o",
        s(&out),
    ];
    args.extend_from_slice(extra);
    args.push(s(&msg));
    pqsmime(&args, None).ok(&[]);
    out
}

fn protected_message(dir: &std::path::Path, extra: &[&str]) -> (std::path::PathBuf, Out) {
    let p = mpki();
    let msg = dir.join("message.eml");
    write(&msg, message_lf().as_bytes());
    let out = dir.join("sent.eml");
    let mut args = vec![
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
        s(&out),
    ];
    args.extend_from_slice(extra);
    args.push(s(&msg));
    let run = pqsmime(&args, None);
    run.ok(&[]);
    (out, run)
}

fn verify_with(msg: &std::path::Path, extra: &[&str]) -> Out {
    let p = mpki();
    let mut args = vec!["verify", "--trust", p.root.crt()];
    args.extend_from_slice(extra);
    args.push(s(msg));
    pqsmime(&args, None)
}

#[test]
fn signed_message_keeps_its_header_and_verify_restores_the_message() {
    let dir = tempdir();
    let signed = signed_message(dir.path(), &[]);
    let bytes = read(&signed);
    let text = String::from_utf8_lossy(&bytes);
    for line in [
        "From: Alice <alice@example.com>\r\n",
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n",
        "X-Raw-Utf8: Grüße\r\n",
        "Message-ID: <m1@example.com>\r\n",
        "MIME-Version: 1.0\r\n",
    ] {
        assert!(text.contains(line), "missing {line:?}:\n{text}");
    }
    assert!(header(&bytes, "content-type")
        .unwrap()
        .starts_with("multipart/signed; protocol=\"application/pkcs7-signature\""));
    assert!(text.contains("=46rom now on"), "{text}");
    assert!(text.contains("hp=\"clear\""), "{text}");

    let out = dir.path().join("verified.eml");
    let v = verify_with(&signed, &["-o", s(&out)]);
    v.ok(&[]);
    for needle in [
        "Layer 1 of 1: clear-signed (multipart/signed)",
        "micalg:        sha-512,sha-256",
        "sender:        From alice@example.com, protected From alice@example.com named by signer 1 and signer 2",
        "Header protection: RFC 9788 (hp=\"clear\")",
        "subject:       same inside and outside",
        "Result: VALID",
    ] {
        assert!(v.stderr.contains(needle), "missing {needle:?}\n{}", v.describe());
    }
    let restored = read(&out);
    let r = String::from_utf8_lossy(&restored);
    assert!(r.contains("From: Alice <alice@example.com>\r\n"), "{r}");
    assert!(
        r.contains("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n"),
        "{r}"
    );
    assert!(
        r.contains("Content-Transfer-Encoding: quoted-printable"),
        "{r}"
    );
    assert!(r.contains("Hallo Bob,\r\n=46rom now on"), "{r}");
    assert!(!r.contains("multipart/signed"), "{r}");
}

#[test]
fn sign_notes_the_reencoding_and_can_skip_header_protection() {
    let dir = tempdir();
    let p = mpki();
    let msg = dir.path().join("m.eml");
    write(&msg, message_lf().as_bytes());
    let out = dir.path().join("s.eml");
    let run = pqsmime(
        &[
            "sign",
            "--cert",
            p.alice_sign.crt(),
            "--key",
            p.alice_sign.key(),
            "--no-header-protection",
            "--opaque",
            "-o",
            s(&out),
            s(&msg),
        ],
        None,
    );
    run.ok(&[]);
    assert!(
        run.stderr
            .contains("text/plain part re-encoded as quoted-printable"),
        "{}",
        run.describe()
    );
    let v = verify_with(&out, &[]);
    v.ok(&[&run]);
    assert!(v.stderr.contains("opaque-signed"), "{}", v.describe());
    assert!(!v.stderr.contains("Header protection"), "{}", v.describe());
}

#[test]
fn protect_encrypts_to_every_recipient_and_the_sender() {
    let p = mpki();
    let dir = tempdir();
    let (sent, _) = protected_message(dir.path(), &[]);
    let bytes = read(&sent);
    assert_eq!(header(&bytes, "subject").as_deref(), Some("[...]"));
    assert_eq!(
        header(&bytes, "from").as_deref(),
        Some("Alice <alice@example.com>")
    );
    assert!(header(&bytes, "content-type")
        .unwrap()
        .contains("smime-type=authEnveloped-data"));
    assert!(!String::from_utf8_lossy(&bytes).contains("Hallo"));
    for id in [&p.bob_enc, &p.carol_enc, &p.alice_enc] {
        let out = dir.path().join("read.eml");
        let v = verify_with(
            &sent,
            &[
                "--decrypt-cert",
                id.crt(),
                "--decrypt-key",
                id.key(),
                "-o",
                s(&out),
            ],
        );
        v.ok(&[]);
        assert!(
            v.stderr
                .contains("Layer 1 of 2: encrypted (application/pkcs7-mime authEnveloped-data)"),
            "{}",
            v.describe()
        );
        assert!(
            v.stderr.contains("Layer 2 of 2: clear-signed"),
            "{}",
            v.describe()
        );
        assert!(
            v.stderr.contains("obscured by the sender"),
            "{}",
            v.describe()
        );
        let r = String::from_utf8_lossy(&read(&out)).into_owned();
        assert!(
            r.contains("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?="),
            "{r}"
        );
        assert!(!r.contains("[...]"), "{r}");
    }
    // Not a recipient: one generic failure, exit 1.
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.carol_sign.crt(),
            "--decrypt-key",
            p.carol_sign.key(),
        ],
    );
    v.expect_code(1, &[]);
    assert!(
        v.stderr.contains("pqsmime: error: decryption failed"),
        "{}",
        v.describe()
    );
    // No key at all: a usage error that says what to give.
    let v = verify_with(&sent, &[]);
    v.expect_code(2, &[]);
    assert!(v.stderr.contains("--decrypt-cert"), "{}", v.describe());
}

#[test]
fn protect_options_cbc_and_no_self() {
    let p = mpki();
    let dir = tempdir();
    let (sent, _) = protected_message(
        dir.path(),
        &[
            "--cipher",
            "aes-128-cbc",
            "--no-encrypt-to-self",
            "--opaque",
        ],
    );
    let bytes = read(&sent);
    assert!(header(&bytes, "content-type")
        .unwrap()
        .contains("smime-type=enveloped-data"));
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-key",
            p.bob_enc.key(),
        ],
    );
    v.ok(&[]);
    assert!(v.stderr.contains("opaque-signed"), "{}", v.describe());
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.alice_enc.crt(),
            "--decrypt-key",
            p.alice_enc.key(),
        ],
    );
    v.expect_code(1, &[]);
}

#[test]
fn save_certs_collects_the_encryption_certificate_for_an_encrypted_reply() {
    let p = mpki();
    let dir = tempdir();
    let (sent, _) = protected_message(dir.path(), &[]);
    let contacts = dir.path().join("contacts");
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-key",
            p.bob_enc.key(),
            "--save-certs",
            s(&contacts),
        ],
    );
    v.ok(&[]);
    let saved = contacts.join("alice@example.com.pem");
    assert!(
        v.stderr
            .contains("Saved the encryption certificate of alice@example.com"),
        "{}",
        v.describe()
    );
    assert_eq!(
        read(&saved),
        read(&p.alice_enc.crt),
        "the saved file is Alice's ML-KEM certificate"
    );
    // Bob replies to the saved certificate; Alice reads it.
    let reply = dir.path().join("reply.eml");
    write(
        &reply,
        b"From: bob@example.com\nTo: alice@example.com\nSubject: Re: hi\n\nGot it.\n",
    );
    let sent_reply = dir.path().join("reply-sent.eml");
    pqsmime(
        &[
            "protect",
            "--cert",
            p.bob_sign.crt(),
            "--key",
            p.bob_sign.key(),
            "--to",
            s(&saved),
            "-o",
            s(&sent_reply),
            s(&reply),
        ],
        None,
    )
    .ok(&[]);
    let v = verify_with(
        &sent_reply,
        &[
            "--decrypt-cert",
            p.alice_enc.crt(),
            "--decrypt-key",
            p.alice_enc.key(),
        ],
    );
    v.ok(&[]);
    assert!(
        v.stderr.contains("From bob@example.com"),
        "{}",
        v.describe()
    );
    // A second save of the same certificate leaves the file as it is.
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-key",
            p.bob_enc.key(),
            "--save-certs",
            s(&contacts),
        ],
    );
    assert!(v.stderr.contains("(unchanged)"), "{}", v.describe());
}

#[test]
fn swapped_from_fails_unless_allowed() {
    let p = mpki();
    let dir = tempdir();
    for extra in [&[][..], &["--no-header-protection"][..]] {
        let signed = signed_message(dir.path(), extra);
        let forged = String::from_utf8_lossy(&read(&signed)).replacen(
            "From: Alice <alice@example.com>",
            "From: Alice <alice@example.org>",
            1,
        );
        let f = dir.path().join("forged.eml");
        write(&f, forged.as_bytes());
        let v = verify_with(&f, &[]);
        v.expect_code(1, &[]);
        let last = v.stderr.lines().last().unwrap_or_default().to_string();
        assert!(
            last.starts_with(
                "pqsmime: error: verification failed: sender mismatch: From alice@example.org"
            ),
            "{}",
            v.describe()
        );
        assert!(last.contains("--allow-sender-mismatch"), "{last}");
        if extra.is_empty() {
            assert!(
                v.stderr
                    .contains("from:          DIFFERS from the protected value"),
                "{}",
                v.describe()
            );
        }
        let v = verify_with(&f, &["--allow-sender-mismatch"]);
        v.ok(&[]);
        assert!(
            v.stderr.contains("(allowed by --allow-sender-mismatch)"),
            "{}",
            v.describe()
        );
    }
    // Mallory's perfectly valid certificate does not make her Alice.
    let msg = dir.path().join("m.eml");
    write(&msg, message_lf().as_bytes());
    let out = dir.path().join("mallory.eml");
    pqsmime(
        &[
            "sign",
            "--cert",
            p.mallory.crt(),
            "--key",
            p.mallory.key(),
            "-o",
            s(&out),
            s(&msg),
        ],
        None,
    )
    .ok(&[]);
    let v = verify_with(&out, &[]);
    v.expect_code(1, &[]);
    assert!(
        v.stderr
            .contains("is not an address of the signer (certificate names mallory@example.net)"),
        "{}",
        v.describe()
    );
}

#[test]
fn json_report_of_a_protected_message() {
    let p = mpki();
    let dir = tempdir();
    let (sent, _) = protected_message(dir.path(), &[]);
    let v = verify_with(
        &sent,
        &[
            "--json",
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-key",
            p.bob_enc.key(),
        ],
    );
    v.ok(&[]);
    let j: Value =
        serde_json::from_slice(&v.stdout).unwrap_or_else(|e| fail(&format!("{e}"), &[&v]));
    assert_eq!(j["valid"], true);
    assert_eq!(j["framing"], "application/pkcs7-mime");
    assert_eq!(j["sender_ok"], true);
    assert_eq!(j["layers"][0]["kind"], "auth-enveloped");
    assert_eq!(
        j["layers"][0]["decryption"]["recipient_info"],
        "KEMRecipientInfo"
    );
    assert_eq!(j["layers"][0]["decryption"]["recipients"]["kem"], 2);
    assert_eq!(
        j["layers"][0]["decryption"]["recipients"]["key_transport"],
        1
    );
    assert_eq!(j["layers"][1]["kind"], "clear-signed");
    assert_eq!(j["layers"][1]["valid"], true);
    let signers = j["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 2);
    for sgn in signers {
        assert_eq!(sgn["layer"], 2);
        assert_eq!(sgn["sender_match"], true);
        assert_eq!(sgn["signature_valid"], true);
        assert_eq!(sgn["encryption_certificate"], "CN=alice@example.com");
    }
    assert!(signers
        .iter()
        .any(|s| s["algorithm"] == "ML-DSA-65" && s["quantum_safe"] == true));
    assert_eq!(j["header_protection"]["scheme"], "rfc9788-cipher");
    let fields = j["header_protection"]["fields"].as_array().unwrap();
    let subject = fields.iter().find(|f| f["name"] == "subject").unwrap();
    assert_eq!(subject["status"], "obscured");
    assert_eq!(subject["outer"], "[...]");
    assert_eq!(j["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn reencoded_signed_part_fails() {
    let dir = tempdir();
    let signed = signed_message(dir.path(), &["--no-header-protection"]);
    let t = String::from_utf8_lossy(&read(&signed)).into_owned();
    let relayed = t
        .replacen(
            "Content-Transfer-Encoding: quoted-printable",
            "Content-Transfer-Encoding: 8bit",
            1,
        )
        .replacen("=46rom now on", "From now on", 1);
    assert_ne!(relayed, t);
    let f = dir.path().join("relayed.eml");
    write(&f, relayed.as_bytes());
    let v = verify_with(&f, &[]);
    v.expect_code(1, &[]);
    assert!(
        v.stderr.contains("the content does not match the signed"),
        "{}",
        v.describe()
    );
}

#[test]
fn detached_signature_over_another_body_fails() {
    let dir = tempdir();
    let a = String::from_utf8_lossy(&read(&signed_message(dir.path(), &[]))).into_owned();
    let other = dir.path().join("other.eml");
    write(
        &other,
        message_lf().replace("Hallo Bob", "Hello Eve").as_bytes(),
    );
    let p = mpki();
    let b_path = dir.path().join("b.eml");
    pqsmime(
        &[
            "sign",
            "--cert",
            p.alice_sign.crt(),
            "--key",
            p.alice_sign.key(),
            "--cert",
            p.alice_ec.crt(),
            "--key",
            p.alice_ec.key(),
            "-o",
            s(&b_path),
            s(&other),
        ],
        None,
    )
    .ok(&[]);
    let b = String::from_utf8_lossy(&read(&b_path)).into_owned();
    let sig = |m: &str| {
        let i = m.find("Content-Type: application/pkcs7-signature").unwrap();
        let j = m[i..].find("\r\n\r\n").unwrap() + i + 4;
        let k = m[j..].find("\r\n--").unwrap() + j;
        m[j..k].to_string()
    };
    let spliced = a.replacen(&sig(&a), &sig(&b), 1);
    let f = dir.path().join("spliced.eml");
    write(&f, spliced.as_bytes());
    let v = verify_with(&f, &[]);
    v.expect_code(1, &[]);
    assert!(
        v.stderr.contains("does not match the signed"),
        "{}",
        v.describe()
    );
}

#[test]
fn broken_boundary_and_truncation_are_input_errors() {
    let dir = tempdir();
    let t = String::from_utf8_lossy(&read(&signed_message(dir.path(), &[]))).into_owned();
    let b = t
        .split("boundary=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    for (name, text, why) in [
        (
            "broken",
            t.replacen(&format!("boundary=\"{b}\""), "boundary=\"other\"", 1),
            "boundary never occurs",
        ),
        (
            "truncated",
            t[..t.rfind(&format!("--{b}--")).unwrap()].to_string(),
            "no closing boundary",
        ),
        (
            "three-parts",
            t.replacen(
                &format!("--{b}--"),
                &format!("--{b}\r\n\r\nextra\r\n--{b}--"),
                1,
            ),
            "exactly two parts",
        ),
    ] {
        let f = dir.path().join(format!("{name}.eml"));
        write(&f, text.as_bytes());
        let v = verify_with(&f, &[]);
        v.expect_code(2, &[]);
        assert_final_error_line(&v, &[]);
        assert!(v.stderr.contains(why), "{name}: {}", v.describe());
    }
}

#[test]
fn deep_nesting_is_refused_with_a_clear_error() {
    let p = mpki();
    let dir = tempdir();
    let mut cur = dir.path().join("0.eml");
    write(&cur, message_lf().as_bytes());
    for i in 1..=9 {
        let next = dir.path().join(format!("{i}.eml"));
        pqsmime(
            &[
                "sign",
                "--cert",
                p.alice_ec.crt(),
                "--key",
                p.alice_ec.key(),
                "--no-header-protection",
                "-o",
                s(&next),
                s(&cur),
            ],
            None,
        )
        .ok(&[]);
        cur = next;
    }
    let v = verify_with(&dir.path().join("8.eml"), &[]);
    v.ok(&[]);
    assert!(v.stderr.contains("Layer 8 of 8"), "{}", v.describe());
    let v = verify_with(&cur, &[]);
    v.expect_code(2, &[]);
    assert_one_error_line(&v, &[]);
    assert!(
        v.stderr.contains("nests more than 8 S/MIME layers"),
        "{}",
        v.describe()
    );
}

#[test]
fn plain_message_is_not_smime() {
    let dir = tempdir();
    let f = dir.path().join("plain.eml");
    write(&f, message_lf().as_bytes());
    let v = verify_with(&f, &[]);
    v.expect_code(2, &[]);
    assert!(
        v.stderr
            .contains("the MIME entity is 'text/plain', not an S/MIME message"),
        "{}",
        v.describe()
    );
}

#[test]
fn decrypt_pairs_must_match() {
    let p = mpki();
    let dir = tempdir();
    let (sent, _) = protected_message(dir.path(), &[]);
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-cert",
            p.carol_enc.crt(),
            "--decrypt-key",
            p.bob_enc.key(),
        ],
    );
    v.expect_code(2, &[]);
    assert!(
        v.stderr
            .contains("each --decrypt-cert needs the --decrypt-key"),
        "{}",
        v.describe()
    );
    let v = verify_with(
        &sent,
        &[
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-key",
            p.carol_enc.key(),
        ],
    );
    v.expect_code(2, &[]);
    assert!(v.stderr.contains("does not belong"), "{}", v.describe());
}
