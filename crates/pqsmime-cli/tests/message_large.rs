//! A message with a 100 MB attachment is signed, encrypted, verified and decrypted as a
//! stream: every step succeeds, the attachment comes back byte for byte, and no step's peak
//! memory comes near the message size.

mod common;
mod message_common;

use std::io::Write;

use common::*;
use message_common::*;

const ATTACHMENT: usize = 100 * 1000 * 1000;
/// Peak resident memory allowed per step, far below the ~136 MB message.
const PEAK_LIMIT_KIB: u64 = 48 * 1024;

fn write_message(path: &std::path::Path) {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    f.write_all(
        b"From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: the big file\r\n\
Date: Mon, 01 Jun 2026 10:00:00 +0200\r\nMessage-ID: <big@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\r\nThe file is attached.\r\n--outer\r\n\
Content-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=big.bin\r\n\r\n",
    )
    .unwrap();
    // Deterministic bytes, base64 in 76-column lines.
    let mut x: u64 = 0x243F_6A88_85A3_08D3;
    let mut raw = Vec::with_capacity(57 * 1024);
    let mut left = ATTACHMENT;
    while left > 0 {
        raw.clear();
        let n = left.min(57 * 1024);
        while raw.len() < n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            raw.extend_from_slice(&x.to_le_bytes());
        }
        raw.truncate(n);
        for chunk in raw.chunks(57) {
            f.write_all(<base64ct::Base64 as base64ct::Encoding>::encode_string(chunk).as_bytes())
                .unwrap();
            f.write_all(b"\r\n").unwrap();
        }
        left -= n;
    }
    f.write_all(b"--outer--\r\n").unwrap();
}

fn body_after_header(path: &std::path::Path) -> Vec<u8> {
    let data = read(path);
    let at = data.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    data[at..].to_vec()
}

fn check_peak(step: &str, peak: Option<u64>) {
    if let Some(kib) = peak {
        assert!(
            kib < PEAK_LIMIT_KIB,
            "{step} peaked at {kib} KiB for a 136 MB message"
        );
    }
}

#[test]
fn hundred_megabyte_attachment_is_streamed_through_every_step() {
    let p = mpki();
    let dir = tempdir();
    let msg = dir.path().join("big.eml");
    write_message(&msg);
    let original_body = body_after_header(&msg);

    // Clear-signed, then verified.
    let signed = dir.path().join("signed.eml");
    let (run, peak) = pqsmime_measured(&[
        "sign",
        "--cert",
        p.alice_sign.crt(),
        "--key",
        p.alice_sign.key(),
        "-o",
        s(&signed),
        s(&msg),
    ]);
    run.ok(&[]);
    check_peak("sign", peak);
    let out = dir.path().join("verified.eml");
    let (run, peak) =
        pqsmime_measured(&["verify", "--trust", p.root.crt(), "-o", s(&out), s(&signed)]);
    run.ok(&[]);
    check_peak("verify", peak);
    assert_eq!(
        body_after_header(&out),
        original_body,
        "the verified body differs"
    );

    // Signed and encrypted, then decrypted and verified.
    let sent = dir.path().join("sent.eml");
    let (run, peak) = pqsmime_measured(&[
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
    ]);
    run.ok(&[]);
    check_peak("protect", peak);
    let out = dir.path().join("received.eml");
    let (run, peak) = pqsmime_measured(&[
        "verify",
        "--trust",
        p.root.crt(),
        "--decrypt-cert",
        p.bob_enc.crt(),
        "--decrypt-key",
        p.bob_enc.key(),
        "-o",
        s(&out),
        s(&sent),
    ]);
    run.ok(&[]);
    check_peak("decrypt and verify", peak);
    assert_eq!(
        body_after_header(&out),
        original_body,
        "the decrypted body differs"
    );

    // One flipped byte deep inside the attachment breaks the signature.
    let mut bad = read(&signed);
    let at = bad.len() / 2;
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    let badf = dir.path().join("bad.eml");
    write(&badf, &bad);
    let (run, _) = pqsmime_measured(&["verify", "--trust", p.root.crt(), s(&badf)]);
    run.expect_code(1, &[]);
    assert!(
        run.stderr.contains("does not match the signed"),
        "{}",
        run.describe()
    );
}
