//! `pqsmime verify --maildir` and `--mbox`: one line per message, right statuses, a summary,
//! bounded memory over tens of thousands of messages.

mod common;
mod message_common;

use std::io::Write;

use serde_json::Value;

use common::*;
use message_common::*;

/// Messages of every kind, as files: (name, bytes, expected status).
fn samples(dir: &std::path::Path) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let p = mpki();
    let msg = dir.join("m.eml");
    write(&msg, message_lf().as_bytes());
    let signed = dir.join("signed.eml");
    pqsmime(
        &[
            "sign",
            "--cert",
            p.alice_ec.crt(),
            "--key",
            p.alice_ec.key(),
            "-o",
            s(&signed),
            s(&msg),
        ],
        None,
    )
    .ok(&[]);
    let sent = dir.join("sent.eml");
    pqsmime(
        &[
            "protect",
            "--cert",
            p.alice_sign.crt(),
            "--key",
            p.alice_sign.key(),
            "--to",
            p.bob_enc.crt(),
            "-o",
            s(&sent),
            s(&msg),
        ],
        None,
    )
    .ok(&[]);
    let good = read(&signed);
    let text = String::from_utf8_lossy(&good).into_owned();
    let tampered = text.replacen("Hallo Bob", "Hallo Eve", 1).into_bytes();
    let forged = text
        .replacen(
            "From: Alice <alice@example.com>",
            "From: Alice <alice@example.net>",
            1,
        )
        .into_bytes();
    vec![
        ("good", good, "valid"),
        ("tampered", tampered, "invalid"),
        ("forged", forged, "invalid"),
        ("plain", message_lf().into_bytes(), "unsigned"),
        ("encrypted", read(&sent), "encrypted"),
        ("garbage", b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; boundary=x\n\n--x\nno end\n".to_vec(), "error"),
    ]
}

fn statuses(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|l| {
            let mut it = l.split_whitespace();
            (
                it.next().unwrap_or_default().to_string(),
                it.next().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn maildir_reports_one_line_per_message() {
    let p = mpki();
    let dir = tempdir();
    let md = dir.path().join("Maildir");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(md.join(sub)).unwrap();
    }
    let samples = samples(dir.path());
    for (i, (name, bytes, _)) in samples.iter().enumerate() {
        let sub = if i % 2 == 0 { "cur" } else { "new" };
        write(&md.join(sub).join(format!("{i}.{name}:2,S")), bytes);
    }
    write(&md.join("tmp/ignored"), b"being delivered");
    let run = pqsmime(
        &["verify", "--trust", p.root.crt(), "--maildir", s(&md)],
        None,
    );
    run.expect_code(1, &[]);
    let got = statuses(&run.stdout_str());
    assert_eq!(got.len(), samples.len(), "{}", run.describe());
    for (i, (name, _, want)) in samples.iter().enumerate() {
        let line = got
            .iter()
            .find(|(_, id)| id.contains(&format!("{i}.{name}")))
            .unwrap_or_else(|| fail(&format!("no line for {name}"), &[&run]));
        assert_eq!(line.0, *want, "{name}: {}", run.describe());
    }
    let out = run.stdout_str();
    assert!(
        out.contains("signed by alice@example.com (ECDSA with SHA-256)"),
        "{out}"
    );
    assert!(
        out.contains("sender mismatch: From alice@example.net"),
        "{out}"
    );
    assert!(out.contains("does not match the signed"), "{out}");
    assert!(
        run.stderr.contains("Checked 6 message(s): 1 valid, 2 invalid, 1 unsigned, 1 encrypted (no key), 0 undecryptable, 1 unreadable"),
        "{}",
        run.describe()
    );
    // With Bob's key the encrypted one opens and verifies; JSON lines.
    let run = pqsmime(
        &[
            "verify",
            "--json",
            "--trust",
            p.root.crt(),
            "--decrypt-cert",
            p.bob_enc.crt(),
            "--decrypt-key",
            p.bob_enc.key(),
            "--maildir",
            s(&md),
        ],
        None,
    );
    run.expect_code(1, &[]);
    let lines: Vec<Value> = run
        .stdout_str()
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| fail(&format!("not JSON: {e}: {l}"), &[&run]))
        })
        .collect();
    assert_eq!(lines.len(), samples.len());
    let enc = lines
        .iter()
        .find(|v| v["id"].as_str().unwrap().contains("encrypted"))
        .unwrap();
    assert_eq!(enc["status"], "valid", "{enc}");
    assert_eq!(enc["valid"], true);
    let forged = lines
        .iter()
        .find(|v| v["id"].as_str().unwrap().contains("forged"))
        .unwrap();
    assert_eq!(forged["status"], "invalid");
    assert!(
        forged["problems"][0]
            .as_str()
            .unwrap()
            .contains("sender mismatch"),
        "{forged}"
    );
    // --allow-sender-mismatch turns the forged one valid (and only that one changes).
    let run = pqsmime(
        &[
            "verify",
            "--trust",
            p.root.crt(),
            "--allow-sender-mismatch",
            "--maildir",
            s(&md),
        ],
        None,
    );
    let got = statuses(&run.stdout_str());
    let forged = got.iter().find(|(_, id)| id.contains("forged")).unwrap();
    assert_eq!(forged.0, "valid");
}

#[test]
fn a_clean_mailbox_exits_0_and_bad_arguments_exit_2() {
    let p = mpki();
    let dir = tempdir();
    let flat = dir.path().join("flat");
    std::fs::create_dir_all(&flat).unwrap();
    let samples = samples(dir.path());
    write(&flat.join("a.eml"), &samples[0].1);
    write(&flat.join("b.eml"), &samples[3].1);
    let run = pqsmime(
        &["verify", "--trust", p.root.crt(), "--maildir", s(&flat)],
        None,
    );
    run.ok(&[]);
    assert_eq!(statuses(&run.stdout_str()).len(), 2);
    let run = pqsmime(
        &[
            "verify",
            "--trust",
            p.root.crt(),
            "--maildir",
            s(&dir.path().join("nope")),
        ],
        None,
    );
    run.expect_code(2, &[]);
    assert_one_error_line(&run, &[]);
    let run = pqsmime(
        &["verify", "--maildir", s(&flat), s(&flat.join("a.eml"))],
        None,
    );
    run.expect_code(2, &[]);
    let notmbox = dir.path().join("x.mbox");
    write(&notmbox, b"Subject: not an mbox\n\nbody\n");
    let run = pqsmime(
        &["verify", "--trust", p.root.crt(), "--mbox", s(&notmbox)],
        None,
    );
    run.expect_code(2, &[]);
    assert!(run.stderr.contains("not an mbox"), "{}", run.describe());
}

/// Tens of thousands of messages: every line present, memory bounded.
#[test]
fn twenty_thousand_messages_in_an_mbox_and_a_maildir() {
    const N: usize = 20_000;
    let p = mpki();
    let dir = tempdir();
    let samples = samples(dir.path());
    let good = &samples[0].1;
    let tampered = &samples[1].1;
    // mbox: every 1000th message tampered.
    let mbox = dir.path().join("big.mbox");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&mbox).unwrap());
        for i in 0..N {
            writeln!(f, "From alice@example.com Sat Nov 28 06:00:00 2026").unwrap();
            let m = if i % 1000 == 999 { tampered } else { good };
            f.write_all(m).unwrap();
            f.write_all(b"\n").unwrap();
        }
    }
    let (run, peak) = pqsmime_measured(&["verify", "--trust", p.root.crt(), "--mbox", s(&mbox)]);
    run.expect_code(1, &[]);
    let got = statuses(&run.stdout_str());
    assert_eq!(got.len(), N, "{}", run.cmdline);
    assert_eq!(
        got.iter().filter(|(st, _)| st == "valid").count(),
        N - N / 1000
    );
    assert_eq!(
        got.iter().filter(|(st, _)| st == "invalid").count(),
        N / 1000
    );
    assert_eq!(got[999].1, "message");
    assert!(run
        .stdout_str()
        .lines()
        .nth(999)
        .unwrap()
        .contains("message 1000 (line"));
    if let Some(kib) = peak {
        assert!(
            kib < 48 * 1024,
            "verifying {N} messages peaked at {kib} KiB"
        );
    }
    // Maildir with the same number of files.
    let md = dir.path().join("md");
    std::fs::create_dir_all(md.join("cur")).unwrap();
    for i in 0..N {
        std::fs::write(md.join("cur").join(format!("{i:06}:2,S")), good).unwrap();
    }
    let (run, peak) = pqsmime_measured(&["verify", "--trust", p.root.crt(), "--maildir", s(&md)]);
    run.ok(&[]);
    assert_eq!(statuses(&run.stdout_str()).len(), N);
    assert!(
        run.stderr
            .contains(&format!("Checked {N} message(s): {N} valid")),
        "{}",
        run.stderr
    );
    if let Some(kib) = peak {
        assert!(kib < 48 * 1024, "verifying {N} files peaked at {kib} KiB");
    }
}
