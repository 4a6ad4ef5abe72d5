//! `pqsmime demo` runs, prints each step readably, leaves the files it names, and its
//! messages are accepted by pqsmime and by OpenSSL 4.

mod common;

use common::*;

#[test]
fn demo_runs_prints_every_step_and_leaves_readable_files() {
    let base = tempdir();
    let dir = base.path().join("demo");
    let run = pqsmime(&["demo", "--dir", s(&dir)], None);
    run.ok(&[]);
    let out = run.stdout_str();
    for needle in [
        &format!("All files go to {}", dir.display())[..],
        "1. Two certificate authorities",
        "2. Certificates: split signing and encryption keys",
        "3. Alice writes to Bob and Carol",
        "SMIMEEncryptionKeyPreference -> her ML-KEM certificate",
        "outer Subject replaced by '[...]'",
        "4. Each recipient decrypts and verifies",
        "Bob (quantum-safe client)",
        "decrypted (KEMRecipientInfo, AES-256-GCM), then clear-signed (multipart/signed)",
        "Carol (legacy client)",
        "decrypted (KeyTransRecipientInfo, AES-256-GCM)",
        "ML-DSA-65 — signature valid, certificate not trusted by this reader",
        "Alice (her sent copy)",
        "protected Subject: \"Quarterly figures (quantum-safe)\"",
        "5. Bob replies, encrypted to the key Alice advertised",
        "Alice opens it: VALID, sender bob@example.com confirmed",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert_eq!(
        out.matches("result: VALID, sender alice@example.com confirmed")
            .count(),
        3,
        "{out}"
    );
    // Readable: no line longer than a terminal, no control characters.
    for line in out.lines() {
        assert!(line.chars().count() <= 110, "long line: {line:?}");
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{line:?}"
        );
    }
    // Every file the output names exists; keys are private.
    for f in [
        "ca/pq-root.crt",
        "ca/legacy-root.crt",
        "alice/sign.crt",
        "alice/enc.crt",
        "alice/ecdsa.crt",
        "bob/sign.crt",
        "bob/enc.crt",
        "carol/rsa.crt",
        "message.eml",
        "sent.eml",
        "bob/received.eml",
        "carol/received.eml",
        "alice/sent-copy.eml",
        "bob/contacts/alice@example.com.pem",
        "reply.eml",
        "alice/reply-received.eml",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
        assert!(out.contains(f), "{f} not mentioned");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for k in [
            "alice/sign.key",
            "alice/enc.key",
            "bob/enc.key",
            "carol/rsa.key",
            "ca/pq-root.key",
        ] {
            let mode = std::fs::metadata(dir.join(k)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{k}");
        }
    }
    let received = String::from_utf8_lossy(&read(&dir.join("bob/received.eml"))).into_owned();
    assert!(
        received.contains("Subject: Quarterly figures (quantum-safe)"),
        "{received}"
    );
    assert!(
        received.contains("From: Alice <alice@example.com>"),
        "{received}"
    );
    let sent = String::from_utf8_lossy(&read(&dir.join("sent.eml"))).into_owned();
    assert!(sent.contains("Subject: [...]"));
    assert!(!sent.contains("Quarterly"));

    // pqsmime itself, as the output suggests.
    let v = pqsmime(
        &[
            "verify",
            "--trust",
            s(&dir.join("ca/pq-root.crt")),
            "--trust",
            s(&dir.join("ca/legacy-root.crt")),
            "--policy",
            "all",
            "--decrypt-cert",
            s(&dir.join("bob/enc.crt")),
            "--decrypt-key",
            s(&dir.join("bob/enc.key")),
            s(&dir.join("sent.eml")),
        ],
        None,
    );
    v.ok(&[&run]);
    pqsmime(&["inspect", s(&dir.join("sent.eml"))], None).ok(&[]);

    // OpenSSL 4 reads the demo's mail too: decrypt as Bob (ML-KEM) and as Carol (RSA), then
    // verify both signatures against both roots.
    let roots = base.path().join("roots.pem");
    let mut both = read(&dir.join("ca/pq-root.crt"));
    both.extend(read(&dir.join("ca/legacy-root.crt")));
    write(&roots, &both);
    for (crt, key) in [
        ("bob/enc.crt", "bob/enc.key"),
        ("carol/rsa.crt", "carol/rsa.key"),
    ] {
        let dec = base.path().join("dec.eml");
        openssl(
            &[
                "cms",
                "-decrypt",
                "-in",
                s(&dir.join("sent.eml")),
                "-recip",
                s(&dir.join(crt)),
                "-inkey",
                s(&dir.join(key)),
                "-out",
                s(&dec),
            ],
            None,
        )
        .ok(&[]);
        openssl(
            &[
                "cms",
                "-verify",
                "-in",
                s(&dec),
                "-CAfile",
                s(&roots),
                "-out",
                s(&base.path().join("c.txt")),
            ],
            None,
        )
        .ok(&[]);
    }
}

#[test]
fn demo_refuses_a_non_empty_directory() {
    let base = tempdir();
    write(&base.path().join("keep.txt"), b"mine");
    let run = pqsmime(&["demo", "--dir", s(base.path())], None);
    run.expect_code(2, &[]);
    assert_one_error_line(&run, &[]);
    assert!(run.stderr.contains("is not empty"), "{}", run.describe());
    assert_eq!(read(&base.path().join("keep.txt")), b"mine");
}
