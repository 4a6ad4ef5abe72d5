//! `pqsmime encrypt` / `pqsmime decrypt` through the binary, without a peer: every failure
//! that depends on keys or ciphertext is exit 1 with the one line `pqsmime: error: decryption
//! failed` and no output file; problems in the public encoding are exit 2 with a sentence;
//! nothing panics. Also: JSON, every cipher and format, X25519, whole messages, the
//! sign | encrypt and decrypt | verify pipes, and constant memory on a large stream.

#[macro_use]
mod common;
mod encrypt_common;

use std::path::Path;
use std::process::Command;

use common::{assert_input_error, pqsmime, pseudo_random, read, s, tempdir, write};
use encrypt_common::{
    assert_generic_failure, elements_with, enc_pki, pqsmime_bounded, rewrite, smime_body,
    smime_entity, Id,
};

fn encrypt_der(to: &[&Id], extra: &[&str], content: &[u8], dir: &Path, name: &str) -> Vec<u8> {
    let input = dir.join(format!("{name}.in"));
    write(&input, content);
    let out = dir.join(format!("{name}.der"));
    let mut args = vec!["encrypt", "--format", "der", "-o", s(&out)];
    for r in to {
        args.extend(["--to", r.crt()]);
    }
    args.extend_from_slice(extra);
    args.push(s(&input));
    pqsmime(&args, None).ok(&[]);
    read(&out)
}

/// Decrypts `file` with -o into `dir` and asserts the generic failure and that nothing was
/// left in `dir` (no output, no temporary file).
fn assert_fails_generically_leaving_nothing(r: &Id, file: &Path, what: &str) {
    let outdir = tempdir();
    let dest = outdir.path().join("plain.txt");
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "-o",
            s(&dest),
            s(file),
        ],
        None,
    );
    assert_generic_failure(&d, &[]);
    let left: Vec<_> = std::fs::read_dir(outdir.path())
        .unwrap()
        .flatten()
        .collect();
    assert!(left.is_empty(), "{what}: files left behind: {left:?}");
    // And on standard output: nothing at all.
    let d = pqsmime(
        &["decrypt", "--cert", r.crt(), "--key", r.key(), s(file)],
        None,
    );
    assert_generic_failure(&d, &[]);
}

#[test]
fn wrong_recipient_is_the_generic_failure() {
    let pki = enc_pki();
    let dir = tempdir();
    for alg in ["ml-kem-768", "rsa-2048", "ec-p256", "x25519"] {
        let msg = encrypt_der(&[pki.recipient(alg)], &[], b"for bob only", dir.path(), alg);
        let file = dir.path().join(format!("{alg}.p7m"));
        write(&file, &msg);
        assert_fails_generically_leaving_nothing(pki.other(alg), &file, alg);
        // A key of another kind (an RSA key against an ML-KEM message) is the same.
        let stranger = if alg == "rsa-2048" {
            "ml-kem-768"
        } else {
            "rsa-2048"
        };
        assert_fails_generically_leaving_nothing(pki.other(stranger), &file, alg);
    }
}

#[test]
fn tampered_tag_or_ciphertext_is_the_generic_failure() {
    let pki = enc_pki();
    let dir = tempdir();
    let content = pseudo_random("tamper", 5000);
    for alg in ["ml-kem-768", "rsa-2048", "ec-p256"] {
        let r = pki.recipient(alg);
        let msg = encrypt_der(&[r], &[], &content, dir.path(), alg);
        // The in-memory output is DER: the last 16 bytes are the GCM tag (mac).
        let mut tag = msg.clone();
        let last = tag.len() - 1;
        tag[last] ^= 0x01;
        // A byte in the middle of the ciphertext (the content is the bulk of the message).
        let mut ct = msg.clone();
        let mid = msg.len() - 16 - 2 - 2500;
        ct[mid] ^= 0x80;
        for (what, bad) in [("tag", tag), ("ciphertext", ct)] {
            let der = dir.path().join(format!("{alg}-{what}.der"));
            write(&der, &bad);
            assert_fails_generically_leaving_nothing(r, &der, what);
            let eml = dir.path().join(format!("{alg}-{what}.eml"));
            write(&eml, &smime_entity(&bad, "authEnveloped-data"));
            assert_fails_generically_leaving_nothing(r, &eml, what);
        }
        // The untouched message still decrypts.
        let good = dir.path().join(format!("{alg}.der"));
        write(&good, &msg);
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&good)],
            None,
        );
        d.ok(&[]);
        assert_eq!(d.stdout, content);
    }
}

/// The ML-KEM ciphertext of another message to the same recipient: the KEM decapsulates
/// (implicit rejection) to a wrong secret and the unwrap fails — the generic failure.
#[test]
fn swapped_kemct_is_the_generic_failure() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let dir = tempdir();
    let a = encrypt_der(&[r], &[], b"message a", dir.path(), "a");
    let b = encrypt_der(&[r], &[], b"message b", dir.path(), "b");
    // ML-KEM-768 ciphertexts are 1088 bytes: the only OCTET STRING of that size.
    let kemct_a = elements_with(&a, 0x04, 1088);
    let kemct_b = elements_with(&b, 0x04, 1088);
    assert_eq!((kemct_a.len(), kemct_b.len()), (1, 1));
    assert_ne!(kemct_a, kemct_b);
    let swapped = rewrite(&a, &|raw| {
        (raw == kemct_a[0].as_slice()).then(|| kemct_b[0].clone())
    });
    assert_eq!(swapped.len(), a.len());
    let file = dir.path().join("swapped.der");
    write(&file, &swapped);
    assert_fails_generically_leaving_nothing(r, &file, "swapped kemct");
}

/// Problems visible in the public encoding are input errors that say what is wrong: a
/// kekLength that does not match the key wrap, an unknown KDF, Bouncy Castle's KDF3.
#[test]
fn wrong_kek_length_and_unknown_kdfs_are_input_errors() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let dir = tempdir();
    let msg = encrypt_der(&[r], &[], b"kdf checks", dir.path(), "kdf");
    let hkdf256: Vec<u8> = [
        &[0x30, 0x0D, 0x06, 0x0B][..],
        &[
            0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x03, 0x1C,
        ],
    ]
    .concat();
    assert_eq!(
        elements_with(&msg, 0x30, 13)
            .iter()
            .filter(|e| **e == hkdf256)
            .count(),
        1
    );
    let mut unknown = hkdf256.clone();
    *unknown.last_mut().unwrap() = 0x7F; // 1.2.840.113549.1.9.16.3.127
                                         // KDF3 (1.3.133.16.840.9.44.1.2) with SHA-256, as Bouncy Castle writes it.
    let kdf3: Vec<u8> = [
        &[0x30, 0x18, 0x06, 0x09][..],
        &[0x2B, 0x81, 0x05, 0x10, 0x86, 0x48, 0x09, 0x2C, 0x01, 0x02],
        &[
            0x30, 0x0B, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        ],
    ]
    .concat();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "kekLength",
            // aes256-wrap with kekLength 32 (02 01 20) → 16.
            rewrite(&msg, &|raw| {
                (raw == [0x02, 0x01, 0x20]).then(|| vec![0x02, 0x01, 0x10])
            }),
            "kekLength is 16",
        ),
        (
            "unknown KDF",
            rewrite(&msg, &|raw| {
                (raw == hkdf256.as_slice()).then(|| unknown.clone())
            }),
            "1.2.840.113549.1.9.16.3.127",
        ),
        (
            "KDF3",
            rewrite(&msg, &|raw| {
                (raw == hkdf256.as_slice()).then(|| kdf3.clone())
            }),
            "KDF3",
        ),
    ];
    for (what, bad, want) in cases {
        assert_ne!(bad, msg, "{what}: the rewrite changed nothing");
        let file = dir.path().join(format!("{}.der", what.replace(' ', "-")));
        write(&file, &bad);
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&file)],
            None,
        );
        assert_input_error(&d, &[]);
        assert!(d.stderr.contains(want), "{what}: {}", d.describe());
        assert!(d.stdout.is_empty());
    }
}

/// A message cut short is an input error naming the truncation (exit 2): the cut is visible
/// in the public encoding, so saying so is no oracle; no plaintext is released.
#[test]
fn truncated_messages_are_input_errors_and_release_nothing() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let dir = tempdir();
    let content = pseudo_random("truncate", 200_000);
    let msg = encrypt_der(&[r], &[], &content, dir.path(), "t");
    // Streamed BER too (over 1 MiB of input).
    let big = pseudo_random("truncate big", (1 << 20) + 100_000);
    let ber = encrypt_der(&[r], &[], &big, dir.path(), "tb");
    assert_eq!(&ber[..2], &[0x30, 0x80]);
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, m) in [("der", &msg), ("ber", &ber)] {
        for cut in [1usize, 17, 2000, m.len() / 2, m.len() - 20, m.len() - 1] {
            cases.push((format!("{name} cut to {cut}"), m[..cut].to_vec()));
        }
    }
    let entity = smime_entity(&msg, "authEnveloped-data");
    for cut in [entity.len() / 2, entity.len() - 30] {
        cases.push((format!("S/MIME cut to {cut}"), entity[..cut].to_vec()));
    }
    for (what, bad) in cases {
        let file = dir.path().join("cut.p7m");
        write(&file, &bad);
        let outdir = tempdir();
        let dest = outdir.path().join("out.bin");
        let d = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "-o",
                s(&dest),
                s(&file),
            ],
            None,
        );
        assert_input_error(&d, &[]);
        assert!(d.stderr.contains("truncated"), "{what}: {}", d.describe());
        assert_eq!(
            std::fs::read_dir(outdir.path()).unwrap().count(),
            0,
            "{what}"
        );
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&file)],
            None,
        );
        assert_input_error(&d, &[]);
        assert!(d.stdout.is_empty(), "{what}: plaintext released");
    }
}

#[test]
fn inputs_that_are_not_encrypted_messages_are_input_errors() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let dir = tempdir();
    let signed = {
        let input = dir.path().join("m.txt");
        write(&input, &common::mime_text("signed"));
        let out = pqsmime(
            &[
                "sign",
                "--cert",
                pki.signer.crt(),
                "--key",
                pki.signer.key(),
                s(&input),
            ],
            None,
        );
        out.ok(&[]);
        out.stdout
    };
    let signed_der = {
        let input = dir.path().join("m.txt");
        let out = pqsmime(
            &[
                "sign",
                "--cert",
                pki.signer.crt(),
                "--key",
                pki.signer.key(),
                "--format",
                "der",
                s(&input),
            ],
            None,
        );
        out.ok(&[]);
        out.stdout
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        ("random bytes", pseudo_random("garbage", 3000), "neither DER, PEM nor an S/MIME"),
        ("DER-looking garbage", [&[0x30u8, 0x82, 0x10, 0x00][..], &pseudo_random("g", 100)].concat(), "decrypting"),
        ("text", b"Hello, this is not a message\n".to_vec(), "neither DER, PEM nor an S/MIME"),
        ("multipart/signed", signed, "use pqsmime verify"),
        ("SignedData", signed_der, "not EnvelopedData or AuthEnvelopedData"),
        ("certificate", read(&pki.signer.crt), "not a CMS message"),
        ("bad base64", b"Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: base64\r\n\r\nMIIB*AAA\r\n".to_vec(), "base64"),
    ];
    for (what, data, want) in cases {
        let file = dir.path().join("in.bin");
        write(&file, &data);
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&file)],
            None,
        );
        assert_input_error(&d, &[]);
        assert!(d.stderr.contains(want), "{what}: {}", d.describe());
        // The same on standard input.
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key()],
            Some(&data),
        );
        assert_input_error(&d, &[]);
    }
}

#[test]
fn unusable_keys_and_certificates_are_input_errors() {
    let pki = enc_pki();
    let dir = tempdir();
    let input = dir.path().join("m.txt");
    write(&input, b"x");
    let bob = pki.recipient("ml-kem-768");
    let eve = pki.other("ml-kem-768");
    let msg = dir.path().join("m.p7m");
    pqsmime(
        &["encrypt", "--to", bob.crt(), "-o", s(&msg), s(&input)],
        None,
    )
    .ok(&[]);

    // A key that is not the certificate's.
    let d = pqsmime(
        &["decrypt", "--cert", bob.crt(), "--key", eve.key(), s(&msg)],
        None,
    );
    assert_input_error(&d, &[]);
    assert!(d.stderr.contains("does not belong"), "{}", d.describe());
    // A signing key.
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            pki.signer.crt(),
            "--key",
            pki.signer.key(),
            s(&msg),
        ],
        None,
    );
    assert_input_error(&d, &[]);
    assert!(d.stderr.contains("cannot decrypt"), "{}", d.describe());
    // A signing certificate as a recipient: refused with the reason.
    let d = pqsmime(&["encrypt", "--to", pki.signer.crt(), s(&input)], None);
    assert_input_error(&d, &[]);
    assert!(
        d.stderr.contains("cannot be used to encrypt") && d.stderr.contains("keyUsage"),
        "{}",
        d.describe()
    );
    // A CA certificate (keyCertSign only).
    let d = pqsmime(&["encrypt", "--to", pki.ca(), s(&input)], None);
    assert_input_error(&d, &[]);
    // Bad options.
    for args in [
        vec!["encrypt", "--to", bob.crt(), "--ukm", "xyz", s(&input)],
        vec![
            "encrypt",
            "--to",
            bob.crt(),
            "--cipher",
            "des-ede3-cbc",
            s(&input),
        ],
        vec!["encrypt", "--to", bob.crt(), "--kem-kdf", "kdf3", s(&input)],
        vec!["encrypt", s(&input)],
        vec!["encrypt", "--to", "/nonexistent/bob.crt", s(&input)],
        vec!["decrypt", "--cert", bob.crt(), s(&msg)],
    ] {
        let d = pqsmime(&args, None);
        assert_input_error(&d, &[]);
    }
    assert!(!dir.path().join("out").exists());
}

/// `decrypt | verify`: a DER SignedData on standard input is verified as it streams (no
/// spooling); a tampered one fails with exit 1 and releases nothing; PEM and S/MIME on
/// standard input still work (spooled for detection).
#[test]
fn verify_reads_signed_data_from_standard_input() {
    let pki = enc_pki();
    let dir = tempdir();
    let input = dir.path().join("m.bin");
    let content = pseudo_random("stdin verify", 300_000);
    write(&input, &content);
    let a = &pki.signer;
    for format in ["der", "pem", "smime"] {
        let signed = pqsmime(
            &[
                "sign",
                "--cert",
                a.crt(),
                "--key",
                a.key(),
                "--format",
                format,
                s(&input),
            ],
            None,
        );
        signed.ok(&[]);
        let v = pqsmime(&["verify", "--trust", pki.ca()], Some(&signed.stdout));
        v.ok(&[&signed]);
        if format != "smime" {
            assert!(v.stdout == content, "{format}: content differs");
        }
        if format == "der" {
            let mut bad = signed.stdout.clone();
            let n = bad.len() / 2;
            bad[n] ^= 0x01;
            let v = pqsmime(&["verify", "--trust", pki.ca()], Some(&bad));
            v.expect_code(1, &[]);
            assert!(v.stdout.is_empty(), "tampered content was released");
            // Truncated on stdin: an input error, nothing released.
            let v = pqsmime(
                &["verify", "--trust", pki.ca()],
                Some(&signed.stdout[..signed.stdout.len() - 100]),
            );
            v.expect_code(2, &[]);
            assert!(v.stdout.is_empty());
        }
    }
}

/// `inspect` reports the UKM's own length (the OCTET STRING inside the EXPLICIT tag) for
/// KEMRecipientInfo and KeyAgreeRecipientInfo.
#[test]
fn inspect_reports_the_ukm_length() {
    let pki = enc_pki();
    let dir = tempdir();
    let input = dir.path().join("m.txt");
    write(&input, &common::mime_text("ukm"));
    let msg = dir.path().join("m.der");
    pqsmime(
        &[
            "encrypt",
            "--to",
            pki.recipient("ml-kem-768").crt(),
            "--to",
            pki.recipient("ec-p256").crt(),
            "--ukm",
            "00112233445566778899",
            "--format",
            "der",
            "-o",
            s(&msg),
            s(&input),
        ],
        None,
    )
    .ok(&[]);
    let out = pqsmime(&["inspect", s(&msg)], None);
    out.ok(&[]);
    let text = out.stdout_str();
    let ukm_lines: Vec<&str> = text.lines().filter(|l| l.contains("ukm:")).collect();
    assert_eq!(ukm_lines.len(), 2, "{text}");
    assert!(
        ukm_lines.iter().all(|l| l.ends_with("present (10 bytes)")),
        "{text}"
    );
}

#[test]
fn json_reports_success_and_failure() {
    let pki = enc_pki();
    let dir = tempdir();
    let r = pki.recipient("ec-p256");
    let content = common::mime_text("json");
    let input = dir.path().join("m.txt");
    write(&input, &content);
    let msg = dir.path().join("m.eml");
    pqsmime(
        &[
            "encrypt",
            "--to",
            r.crt(),
            "--to",
            pki.recipient("ml-kem-1024").crt(),
            "--cipher",
            "aes-128-cbc",
            "-o",
            s(&msg),
            s(&input),
        ],
        None,
    )
    .ok(&[]);

    // Without -o: only the JSON object on stdout.
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--json",
            s(&msg),
        ],
        None,
    );
    d.ok(&[]);
    let j: serde_json::Value = serde_json::from_slice(&d.stdout).expect("one JSON object");
    assert_eq!(j["decrypted"], true);
    assert_eq!(j["input_format"], "smime");
    assert_eq!(j["smime_type"], "enveloped-data");
    assert_eq!(j["content_type"], "id-data");
    assert_eq!(j["authenticated"], false);
    assert_eq!(j["content_cipher"], "AES-128-CBC");
    assert_eq!(j["recipient"], "KeyAgreeRecipientInfo");
    assert_eq!(j["recipients"]["kem"], 1);
    assert_eq!(j["recipients"]["key_agreement"], 1);
    assert_eq!(j["content_length"], content.len());
    assert_eq!(j["output"], serde_json::Value::Null);
    assert!(j["error"].is_null());
    // The human report goes to stderr, with the CBC caveat.
    assert!(
        d.stderr.contains("KeyAgreeRecipientInfo"),
        "{}",
        d.describe()
    );
    assert!(
        d.stderr.contains("no integrity protection"),
        "{}",
        d.describe()
    );

    // With -o: the content goes to the file.
    let out = dir.path().join("plain.txt");
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--json",
            "-o",
            s(&out),
            s(&msg),
        ],
        None,
    );
    d.ok(&[]);
    let j: serde_json::Value = serde_json::from_slice(&d.stdout).expect("one JSON object");
    assert_eq!(j["output"], s(&out));
    assert_eq!(read(&out), content);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "decrypted content should be private");
    }

    // Failure: the JSON says so, with the same generic sentence.
    let eve = pki.other("ec-p256");
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            eve.crt(),
            "--key",
            eve.key(),
            "--json",
            s(&msg),
        ],
        None,
    );
    d.expect_code(1, &[]);
    let j: serde_json::Value = serde_json::from_slice(&d.stdout).expect("one JSON object");
    assert_eq!(j["decrypted"], false);
    assert_eq!(j["error"], "decryption failed");
    assert_eq!(d.stderr, "pqsmime: error: decryption failed\n");
}

/// Every cipher, every format, every recipient kind (X25519 included), through files and
/// through stdin/stdout, and the smime-type / outer type each cipher must give.
#[test]
fn round_trips_for_every_cipher_format_and_recipient() {
    let pki = enc_pki();
    let dir = tempdir();
    let content = pseudo_random("round trip", 10_000);
    let input = dir.path().join("data.bin");
    write(&input, &content);
    for alg in encrypt_common::RECIPIENT_ALGS {
        let r = pki.recipient(alg);
        for cipher in ["aes-256-gcm", "aes-128-gcm", "aes-256-cbc", "aes-128-cbc"] {
            for format in ["smime", "pem", "der"] {
                let e = pqsmime(
                    &[
                        "encrypt",
                        "--to",
                        r.crt(),
                        "--cipher",
                        cipher,
                        "--format",
                        format,
                    ],
                    Some(&content),
                );
                e.ok(&[]);
                let cms = match format {
                    "smime" => smime_body(&e.stdout),
                    "pem" => common::pem_decode(&e.stdout, "CMS"),
                    _ => e.stdout.clone(),
                };
                let want_type = if cipher.ends_with("gcm") {
                    "authEnvelopedData"
                } else {
                    "envelopedData"
                };
                assert_eq!(
                    encrypt_common::outer_type(&cms),
                    want_type,
                    "{alg} {cipher} {format}"
                );
                let d = pqsmime(
                    &["decrypt", "--cert", r.crt(), "--key", r.key()],
                    Some(&e.stdout),
                );
                d.ok(&[&e]);
                let want = if format == "smime" {
                    pqsmime::smime::canonicalize(&content)
                } else {
                    content.clone()
                };
                if d.stdout != want {
                    common::fail(
                        &format!("{alg} {cipher} {format}: content differs"),
                        &[&e, &d],
                    );
                }
            }
        }
    }
}

/// A complete message keeps From/To/Date outside for delivery, its Subject obscured, and the
/// real header fields travel inside (RFC 9788); decrypting gives the protected entity.
#[test]
fn whole_messages_keep_their_outer_header() {
    let pki = enc_pki();
    let dir = tempdir();
    let r = pki.recipient("ml-kem-768");
    let message = "From: Alice <alice@example.com>\nTo: Bob <bob@example.com>\nSubject: Quarterly numbers\nDate: Sat, 28 Nov 2026 06:00:00 +0000\nMessage-ID: <1@example.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nThe numbers are good.\n";
    let input = dir.path().join("m.eml");
    write(&input, message.as_bytes());
    let enc = dir.path().join("enc.eml");
    let e = pqsmime(
        &["encrypt", "--to", r.crt(), "-o", s(&enc), s(&input)],
        None,
    );
    e.ok(&[]);
    let text = String::from_utf8(read(&enc)).unwrap();
    let head = &text[..text.find("\r\n\r\n").expect("a header section")];
    assert!(head.contains("From: Alice <alice@example.com>"), "{head}");
    assert!(head.contains("To: Bob <bob@example.com>"), "{head}");
    assert!(head.contains("Message-ID: <1@example.com>"), "{head}");
    assert!(!head.contains("Quarterly"), "the Subject leaked: {head}");
    assert!(head.contains("smime-type=authEnveloped-data"), "{head}");
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--json",
            "-o",
            s(&dir.path().join("dec.eml")),
            s(&enc),
        ],
        None,
    );
    d.ok(&[&e]);
    let j: serde_json::Value = serde_json::from_slice(&d.stdout).unwrap();
    assert_eq!(j["whole_message"], true);
    let inner = String::from_utf8(read(&dir.path().join("dec.eml"))).unwrap();
    assert!(inner.contains("Subject: Quarterly numbers"), "{inner}");
    assert!(inner.contains("hp=\"cipher\""), "{inner}");
    assert!(inner.contains("The numbers are good.\r\n"), "{inner}");

    // --no-header-protection: the Subject stays as it was, nothing is copied inside.
    let e = pqsmime(
        &[
            "encrypt",
            "--to",
            r.crt(),
            "--no-header-protection",
            s(&input),
        ],
        None,
    );
    e.ok(&[]);
    let text = String::from_utf8(e.stdout.clone()).unwrap();
    assert!(text.contains("Subject: Quarterly numbers"), "{text}");
    let d = pqsmime(
        &["decrypt", "--cert", r.crt(), "--key", r.key()],
        Some(&e.stdout),
    );
    d.ok(&[&e]);
    let inner = String::from_utf8(d.stdout).unwrap();
    assert!(!inner.contains("Subject:"), "{inner}");
    assert!(inner.starts_with("Content-Type: text/plain"), "{inner}");
}

fn bash(script: &str) -> common::Out {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run bash");
    let o = common::Out {
        cmdline: script.to_string(),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    if o.stderr.contains("panicked") {
        common::fail("pqsmime panicked", &[&o]);
    }
    o
}

/// `pqsmime sign | pqsmime encrypt` and `pqsmime decrypt | pqsmime verify` compose, in DER
/// (streamed) and S/MIME (multipart/signed inside authEnveloped-data).
#[test]
fn sign_then_encrypt_and_decrypt_then_verify_through_pipes() {
    let pki = enc_pki();
    let dir = tempdir();
    let p = common::pqsmime_bin();
    let r = pki.recipient("ml-kem-768");
    let a = &pki.signer;
    let data = pseudo_random("pipes", (1 << 20) * 3 + 5);
    let input = dir.path().join("data.bin");
    write(&input, &data);
    let text = dir.path().join("m.txt");
    write(&text, &common::mime_text("pipes"));
    let d = s(dir.path());
    let out = bash(&format!(
        "cd {d}
        {p} sign --cert {sc} --key {sk} --format der < data.bin | {p} encrypt --to {rc} --format der > big.p7m
        {p} decrypt --cert {rc} --key {rk} big.p7m | {p} verify --trust {ca} -o big.out
        {p} sign --cert {sc} --key {sk} m.txt | {p} encrypt --to {rc} > m.eml
        {p} decrypt --cert {rc} --key {rk} m.eml | {p} verify --trust {ca} -o m.out
        {p} decrypt --cert {rc} --key {rk} m.eml > m.signed",
        sc = a.crt(),
        sk = a.key(),
        rc = r.crt(),
        rk = r.key(),
        ca = pki.ca(),
    ));
    out.ok(&[]);
    common::assert_file_eq(&dir.path().join("big.out"), &data, "DER pipe", &[&out]);
    common::assert_file_eq(
        &dir.path().join("m.out"),
        &common::mime_text("pipes"),
        "S/MIME pipe",
        &[&out],
    );
    let signed = read(&dir.path().join("m.signed"));
    assert!(
        common::find(&signed, b"\r\nContent-Type: multipart/signed").is_some(),
        "{}",
        String::from_utf8_lossy(&signed[..signed.len().min(300)])
    );
    // A tampered encrypted message stops the pipe: decrypt fails, verify gets nothing.
    let mut bad = read(&dir.path().join("big.p7m"));
    let mid = bad.len() / 2;
    bad[mid] ^= 1;
    write(&dir.path().join("bad.p7m"), &bad);
    let out = bash(&format!(
        "cd {d}\n{p} decrypt --cert {rc} --key {rk} bad.p7m | {p} verify --trust {ca} -o bad.out",
        rc = r.crt(),
        rk = r.key(),
        ca = pki.ca(),
    ));
    assert_ne!(out.code, 0, "{}", out.describe());
    assert!(
        out.stderr.contains("pqsmime: error: decryption failed"),
        "{}",
        out.describe()
    );
    assert!(!dir.path().join("bad.out").exists());
}

/// 160 MiB encrypted and decrypted (DER, S/MIME, and signed-then-encrypted with
/// `--sign-cert` / `--verify`) within 256 MiB of address space and, where GNU time can tell,
/// under 64 MiB of peak RSS.
#[test]
fn large_messages_stream_in_bounded_memory() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let dir = tempdir();
    let input = dir.path().join("big.bin");
    write_large_input(&input, "large", 160);
    let size = std::fs::metadata(&input).unwrap().len();
    // Peak RSS when GNU time is there to measure it; the address space is limited either way.
    const LIMIT_KIB: u64 = 64 * 1024;
    let check = |what: &str, out: &common::Out, peak: Option<u64>, context: &[&common::Out]| {
        out.ok(context);
        if let Some(p) = peak {
            assert!(p < LIMIT_KIB, "{what}: peak RSS {p} KiB");
        }
    };
    let a = &pki.signer;
    let ca = pki.ca();
    for (name, format, sign) in [
        ("der", "der", false),
        ("smime", "smime", false),
        ("signed", "der", true),
    ] {
        let enc = dir.path().join(format!("big.{name}"));
        let mut args = vec![
            "encrypt",
            "--to",
            r.crt(),
            "--format",
            format,
            "-o",
            s(&enc),
        ];
        if sign {
            args.extend(["--sign-cert", a.crt(), "--sign-key", a.key()]);
        }
        args.push(s(&input));
        let (e, peak) = pqsmime_bounded(&args);
        check(&format!("encrypt {name}"), &e, peak, &[]);
        let dec = dir.path().join(format!("big.{name}.out"));
        let mut args = vec![
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "-o",
            s(&dec),
        ];
        if sign {
            args.extend(["--verify", "--trust", ca]);
        }
        args.push(s(&enc));
        let (d, peak) = pqsmime_bounded(&args);
        check(&format!("decrypt {name}"), &d, peak, &[&e]);
        let got = std::fs::metadata(&dec).unwrap().len();
        if format == "der" {
            assert_eq!(got, size);
            assert!(files_equal(&dec, &input), "{name}: round trip differs");
        } else {
            // Canonical form: every bare LF gained a CR, so it is longer.
            assert!(got > size);
        }
        std::fs::remove_file(&dec).unwrap();
        std::fs::remove_file(&enc).unwrap();
    }
}

/// `sign --format der` and `verify` of 160 MiB of encapsulated content, both within 256 MiB of
/// address space: verification streams the content through the digest into a file that is
/// published only when the signature is valid. One flipped content byte: exit 1, no output.
#[test]
fn large_signed_data_signs_and_verifies_in_bounded_memory() {
    let pki = enc_pki();
    let dir = tempdir();
    let input = dir.path().join("big.bin");
    write_large_input(&input, "large signed", 160);
    let a = &pki.signer;
    let signed = dir.path().join("big.p7m");
    let (out, _) = pqsmime_bounded(&[
        "sign",
        "--cert",
        a.crt(),
        "--key",
        a.key(),
        "--format",
        "der",
        "-o",
        s(&signed),
        s(&input),
    ]);
    out.ok(&[]);
    let content = dir.path().join("big.out");
    let (v, _) = pqsmime_bounded(&["verify", "--trust", pki.ca(), "-o", s(&content), s(&signed)]);
    v.ok(&[&out]);
    assert!(v.stderr.contains("Result: VALID"), "{}", v.describe());
    assert!(files_equal(&content, &input), "verified content differs");
    std::fs::remove_file(&content).unwrap();

    // Flip one byte in the middle of the content.
    {
        use std::io::{Read, Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&signed)
            .unwrap();
        let mid = f.metadata().unwrap().len() / 2;
        let mut b = [0u8; 1];
        f.seek(SeekFrom::Start(mid)).unwrap();
        f.read_exact(&mut b).unwrap();
        f.seek(SeekFrom::Start(mid)).unwrap();
        f.write_all(&[b[0] ^ 0x01]).unwrap();
    }
    let (v, _) = pqsmime_bounded(&["verify", "--trust", pki.ca(), "-o", s(&content), s(&signed)]);
    v.expect_code(1, &[]);
    assert!(v.stderr.contains("message digest"), "{}", v.describe());
    assert!(!content.exists(), "unverified content was written");
}

/// `mib` blocks of 1 MiB of pseudo-random bytes (seeded by `tag`), each prefixed with its
/// index so that no two blocks are equal, written without holding the file in memory.
fn write_large_input(path: &Path, tag: &str, mib: u32) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let block = pseudo_random(tag, 1 << 20);
    for i in 0..mib {
        f.write_all(&i.to_le_bytes()).unwrap();
        f.write_all(&block).unwrap();
    }
}

fn files_equal(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (mut fa, mut fb) = (
        std::fs::File::open(a).unwrap(),
        std::fs::File::open(b).unwrap(),
    );
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let na = fa.read(&mut ba).unwrap();
        let mut nb = 0;
        while nb < na {
            let n = fb.read(&mut bb[nb..na]).unwrap();
            if n == 0 {
                return false;
            }
            nb += n;
        }
        if na == 0 {
            return fb.read(&mut bb).unwrap() == 0;
        }
        if ba[..na] != bb[..na] {
            return false;
        }
    }
}

/// `pqsmime encrypt --sign-cert` and `pqsmime decrypt --verify`: the same structure as the
/// sign | encrypt pipe; content released only when both the decryption and the signature
/// check out; a decryption failure is always the generic one, even when the (unauthentic)
/// plaintext would also fail verification; an untrusted signer is exit 1 with the reason;
/// content that is not a SignedData is exit 2.
#[test]
fn sign_then_encrypt_and_decrypt_then_verify_in_one_process() {
    let pki = enc_pki();
    let dir = tempdir();
    let r = pki.recipient("rsa-2048");
    let a = &pki.signer;
    for len in [3_000usize, 1_500_000] {
        let data = pseudo_random(&format!("one process {len}"), len);
        let input = dir.path().join("in.bin");
        write(&input, &data);
        let enc = dir.path().join("se.pem");
        let e = pqsmime(
            &[
                "encrypt",
                "--sign-cert",
                a.crt(),
                "--sign-key",
                a.key(),
                "--to",
                r.crt(),
                "--format",
                "pem",
                "--cipher",
                "aes-128-gcm",
                "-o",
                s(&enc),
                s(&input),
            ],
            None,
        );
        e.ok(&[]);
        // Through the pipe commands too.
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&enc)],
            None,
        );
        d.ok(&[&e]);
        let v = pqsmime(&["verify", "--trust", pki.ca()], Some(&d.stdout));
        v.ok(&[&e, &d]);
        assert_eq!(v.stdout, data);
        // In one process, to a file and to stdout.
        let out = dir.path().join("out.bin");
        let dv = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "--verify",
                "--trust",
                pki.ca(),
                "-o",
                s(&out),
                s(&enc),
            ],
            None,
        );
        dv.ok(&[&e]);
        common::assert_file_eq(&out, &data, "decrypt --verify", &[&e, &dv]);
        assert!(dv.stderr.contains("Result: VALID"), "{}", dv.describe());
        let dv = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "--verify",
                "--trust",
                pki.ca(),
                s(&enc),
            ],
            None,
        );
        dv.ok(&[&e]);
        assert_eq!(dv.stdout, data);

        // Untrusted: exit 1 with the reason, nothing released.
        let out2 = dir.path().join("untrusted.bin");
        let dv = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "--verify",
                "--trust",
                r.crt(),
                "-o",
                s(&out2),
                s(&enc),
            ],
            None,
        );
        dv.expect_code(1, &[&e]);
        common::assert_final_error_line(&dv, &[&e]);
        assert!(
            dv.stderr.contains("not trusted") || dv.stderr.contains("no path"),
            "{}",
            dv.describe()
        );
        assert!(!out2.exists());
        // --no-chain accepts it.
        let dv = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "--verify",
                "--no-chain",
                s(&enc),
            ],
            None,
        );
        dv.ok(&[&e]);
        assert_eq!(dv.stdout, data);
    }

    // Tampered ciphertext: garbage plaintext would fail verification, but what is reported
    // is the decryption failure, and only that.
    let data = pseudo_random("tampered one process", 200_000);
    let input = dir.path().join("t.bin");
    write(&input, &data);
    let enc = dir.path().join("t.der");
    pqsmime(
        &[
            "encrypt",
            "--sign-cert",
            a.crt(),
            "--sign-key",
            a.key(),
            "--to",
            r.crt(),
            "--format",
            "der",
            "-o",
            s(&enc),
            s(&input),
        ],
        None,
    )
    .ok(&[]);
    let mut bad = read(&enc);
    for at in [bad.len() - 1, bad.len() / 2, bad.len() - 150_000] {
        let mut b = bad.clone();
        b[at] ^= 0x04;
        let f = dir.path().join("bad.der");
        write(&f, &b);
        let outdir = tempdir();
        let dv = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "--verify",
                "--trust",
                pki.ca(),
                "-o",
                s(&outdir.path().join("x")),
                s(&f),
            ],
            None,
        );
        assert_generic_failure(&dv, &[]);
        assert_eq!(std::fs::read_dir(outdir.path()).unwrap().count(), 0);
    }
    bad.truncate(bad.len() - 10);
    let f = dir.path().join("cut.der");
    write(&f, &bad);
    let dv = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--verify",
            "--trust",
            pki.ca(),
            s(&f),
        ],
        None,
    );
    assert_input_error(&dv, &[]);
    assert!(dv.stdout.is_empty());

    // Not a SignedData inside.
    let plain = dir.path().join("plain.der");
    pqsmime(
        &[
            "encrypt",
            "--to",
            r.crt(),
            "--format",
            "der",
            "-o",
            s(&plain),
            s(&input),
        ],
        None,
    )
    .ok(&[]);
    let dv = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--verify",
            "--no-chain",
            s(&plain),
        ],
        None,
    );
    assert_input_error(&dv, &[]);
    assert!(
        dv.stderr.contains("not a CMS SignedData"),
        "{}",
        dv.describe()
    );

    // Usage: --verify without a trust decision; --sign-cert with S/MIME output; unpaired.
    for args in [
        vec![
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--verify",
            s(&enc),
        ],
        vec![
            "encrypt",
            "--sign-cert",
            a.crt(),
            "--sign-key",
            a.key(),
            "--to",
            r.crt(),
            s(&input),
        ],
        vec![
            "encrypt",
            "--sign-cert",
            a.crt(),
            "--sign-cert",
            a.crt(),
            "--sign-key",
            a.key(),
            "--to",
            r.crt(),
            "--format",
            "der",
            s(&input),
        ],
        vec![
            "encrypt",
            "--sign-cert",
            r.crt(),
            "--sign-key",
            r.key(),
            "--to",
            r.crt(),
            "--format",
            "der",
            s(&input),
        ],
        vec![
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "--trust",
            pki.ca(),
            s(&enc),
        ],
    ] {
        let o = pqsmime(&args, None);
        assert_input_error(&o, &[]);
    }
}

/// Regression (found by the enveloped_decrypt fuzz target): a KeyTransRecipientInfo that
/// says PKCS #1 v1.5 (rsaEncryption) but whose padding does not check out gets a random key
/// (RFC 3218 §2.3.2), never an error of its own. With AES-GCM the tag then always fails: the
/// generic failure, exactly like a wrong key; with AES-CBC the outcome is the generic failure
/// or (rarely) garbage, and never anything that names the padding.
#[test]
fn rsa_v15_bad_padding_is_indistinguishable_from_a_wrong_key() {
    let pki = enc_pki();
    let dir = tempdir();
    let r = pki.recipient("rsa-2048");
    // RSAES-OAEP AlgorithmIdentifier → rsaEncryption (NULL parameters): the OAEP block is
    // then read as a v1.5 block, whose padding fails.
    let oaep_oid = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x07,
    ];
    let rsa_encryption = vec![
        0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    for cipher in ["aes-256-gcm", "aes-128-cbc"] {
        let msg = encrypt_der(
            &[r],
            &["--cipher", cipher],
            &pseudo_random("v15", 3000),
            dir.path(),
            cipher,
        );
        let bad = rewrite(&msg, &|raw| {
            (raw.first() == Some(&0x30) && raw.get(2..13) == Some(&oaep_oid[..]))
                .then(|| rsa_encryption.clone())
        });
        assert_ne!(bad, msg, "no RSAES-OAEP identifier found");
        let file = dir.path().join(format!("v15-{cipher}.der"));
        write(&file, &bad);
        for _ in 0..3 {
            let d = pqsmime(
                &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&file)],
                None,
            );
            if cipher.ends_with("gcm") || d.code != 0 {
                assert_generic_failure(&d, &[]);
            }
            assert!(
                !d.stderr.to_ascii_lowercase().contains("padding"),
                "{}",
                d.describe()
            );
        }
    }
}
