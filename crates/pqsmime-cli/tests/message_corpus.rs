//! The real-mail corpora through `pqsmime verify`: the exit codes and the reasons in words
//! that tests/vectors/smime-thunderbird/INDEX.md and smime-protected-headers/INDEX.md lead
//! to (per-layer detail is checked in crates/pqsmime/tests/smime_corpus.rs).

mod common;

use std::path::PathBuf;

use common::*;

fn v(sub: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(sub)
        .join(name)
}

const TB: &str = "smime-thunderbird/smime";

fn verify_tb(name: &str, extra: &[&str]) -> Out {
    let ca = v(TB, "TestCA.pem");
    let crt = v(TB, "Bob.crt.pem");
    let key = v(TB, "Bob.key.pem");
    let path = v(TB, name);
    let mut args = vec![
        "verify",
        "--trust",
        s(&ca),
        "--decrypt-cert",
        s(&crt),
        "--decrypt-key",
        s(&key),
    ];
    args.extend_from_slice(extra);
    args.push(s(&path));
    pqsmime(&args, None)
}

#[test]
fn thunderbird_messages_exit_as_the_index_says() {
    let valid = [
        "alice.dsig.SHA256.multipart.eml",
        "alice.dsig.SHA256.multipart.env.eml",
        "alice.env.sig.SHA256.opaque.eml",
        "alice.future.dsig.SHA256.multipart.eml",
        "alice.html.sig.SHA256.opaque.eml",
        "alice.html.sig.SHA256.opaque.env.eml",
        "alice.sig.SHA256.opaque.eml",
        "alice.sig.SHA256.opaque.env.eml",
    ];
    for name in valid {
        let out = verify_tb(name, &[]);
        out.ok(&[]);
        assert!(
            out.stdout_str()
                .contains("This is a test message from Alice to Bob."),
            "{name}: {}",
            out.describe()
        );
        assert!(out.stderr.contains("sender confirmed"), "{name}");
    }
    // Must fail, with the reason.
    for (name, layer) in [
        ("alice.dsig.SHA256.multipart.bad.eml", ""),
        ("alice.env.dsig.SHA256.multipart.eml", ""),
        (
            "alice.env.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml",
            "layer 2: ",
        ),
    ] {
        let out = verify_tb(name, &[]);
        out.expect_code(1, &[]);
        let last = out.stderr.lines().last().unwrap_or_default();
        assert!(
            last.contains(&format!("{layer}verification failed"))
                && last.contains("does not match the signed SHA-256 message digest"),
            "{name}: {}",
            out.describe()
        );
    }
    let out = verify_tb("alice.dsig.SHA256.multipart.mismatch-econtent.eml", &[]);
    out.expect_code(1, &[]);
    assert!(
        out.stderr.contains("carries content of its own (eContent)"),
        "{}",
        out.describe()
    );
    // Re-signed by Dave: every signature valid, but Alice's sits under Dave's From.
    for name in [
        "alice.plain.dsig.SHA256.multipart.dave.dsig.SHA256.multipart.eml",
        "alice.plain.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
        "alice.env.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
    ] {
        let out = verify_tb(name, &[]);
        out.expect_code(1, &[]);
        assert!(
            out.stderr
                .contains("layer 2: sender mismatch: From Dave@example.com"),
            "{name}: {}",
            out.describe()
        );
        verify_tb(name, &["--allow-sender-mismatch"]).ok(&[&out]);
    }
    // Encrypted only: opened, and there is no signature to verify.
    let out = verify_tb("alice.env.eml", &[]);
    out.expect_code(1, &[]);
    assert!(
        out.stderr.contains("encrypted but not signed"),
        "{}",
        out.describe()
    );
}

#[test]
fn protected_header_samples() {
    let sub = "smime-protected-headers";
    let ca = v(sub, "sample-ca.pem");
    let crt = v(sub, "bob.crt.pem");
    let key = v(sub, "bob.key.pem");
    for name in ["smime-multipart-signed.eml", "smime-onepart-signed.eml"] {
        let path = v(sub, name);
        let out = pqsmime(&["verify", "--trust", s(&ca), s(&path)], None);
        out.ok(&[]);
        assert!(
            out.stderr
                .contains("Header protection: protected-headers=\"v1\""),
            "{}",
            out.describe()
        );
        assert!(out
            .stdout_str()
            .contains("Bob, we need to cancel this contract."));
    }
    // 3DES-CBC EnvelopedData around an opaque signature: decrypts, verifies, yields the body.
    let path = v(sub, "smime-sign+enc.eml");
    let out = pqsmime(
        &[
            "verify",
            "--trust",
            s(&ca),
            "--decrypt-cert",
            s(&crt),
            "--decrypt-key",
            s(&key),
            s(&path),
        ],
        None,
    );
    out.ok(&[]);
    assert!(out.stderr.contains("3DES-CBC"), "{}", out.describe());
    assert!(out.stdout_str().contains("Hi Bob!"), "{}", out.describe());
}
