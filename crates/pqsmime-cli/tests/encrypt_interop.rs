//! `pqsmime encrypt` / `pqsmime decrypt` against OpenSSL 4 (`openssl cms`), through the
//! binaries: for ML-KEM-512/768/1024, RSA-2048 and ECDH P-256, × AES-256-GCM
//! (AuthEnvelopedData) and AES-256-CBC (EnvelopedData), our messages decrypt in OpenSSL and
//! OpenSSL's decrypt in ours, as S/MIME and as DER; OpenSSL's KEMRecipientInfo options
//! (`-recip_kdf`, `-recip_ukm`, `-aes-128-cbc` which picks aes128-wrap) and ours
//! (`--kem-kdf`, `--key-wrap`, `--ukm`) cross over; a three-recipient message (ML-KEM-768 +
//! RSA + ECDH) opens for each recipient on both sides; streamed BER (inputs over 1 MiB) and
//! PEM; the RFC 9936 example.
//!
//! X25519 is left out of the OpenSSL matrix: OpenSSL 4.0.3 cannot encrypt to or decrypt
//! with X25519 in CMS even with its own keys (`ossl_ecx_compute_key: missing key`); our own
//! X25519 round trip is in `decrypt_cli.rs`.

#[macro_use]
mod common;
mod encrypt_common;

use std::path::Path;

use common::{find, mime_text, openssl, pqsmime, pseudo_random, read, s, tempdir, write};
use encrypt_common::{enc_pki, outer_type, smime_body};

/// The `openssl cms` flag for a cipher name.
fn openssl_cipher(cipher: &str) -> String {
    format!("-{cipher}")
}

fn expected_type(cipher: &str) -> (&'static str, &'static str) {
    if cipher.ends_with("gcm") {
        ("authEnvelopedData", "authEnveloped-data")
    } else {
        ("envelopedData", "enveloped-data")
    }
}

/// Content with bare LF line endings: `--format smime` must encrypt its canonical form.
fn lf_text(tag: &str) -> Vec<u8> {
    String::from_utf8(mime_text(tag))
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes()
}

/// pqsmime encrypts (S/MIME and DER), OpenSSL decrypts.
fn ours_to_openssl(alg: &str, cipher: &str) {
    let pki = enc_pki();
    let r = pki.recipient(alg);
    let dir = tempdir();
    let (cms_type, smime_type) = expected_type(cipher);

    // S/MIME: LF input, canonical (CRLF) content out of OpenSSL.
    let tag = format!("{alg} {cipher} smime");
    let input = dir.path().join("msg.txt");
    write(&input, &lf_text(&tag));
    let enc = dir.path().join("enc.eml");
    let e = pqsmime(
        &[
            "encrypt",
            "--to",
            r.crt(),
            "--cipher",
            cipher,
            "-o",
            s(&enc),
            s(&input),
        ],
        None,
    );
    e.ok(&[]);
    let entity = read(&enc);
    assert_eq!(
        common::mime_param(&entity, "smime-type").as_deref(),
        Some(smime_type),
        "{}",
        String::from_utf8_lossy(&entity)
    );
    assert_eq!(outer_type(&smime_body(&entity)), cms_type);
    let dec = dir.path().join("dec.txt");
    let o = openssl(
        &[
            "cms",
            "-decrypt",
            "-in",
            s(&enc),
            "-recip",
            r.crt(),
            "-inkey",
            r.key(),
            "-out",
            s(&dec),
        ],
        None,
    );
    o.ok(&[&e]);
    common::assert_file_eq(
        &dec,
        &mime_text(&tag),
        "OpenSSL decrypting our S/MIME",
        &[&e, &o],
    );

    // DER: binary content, byte for byte.
    let data = pseudo_random(&format!("{alg} {cipher} der"), 70_001);
    let input = dir.path().join("data.bin");
    write(&input, &data);
    let enc = dir.path().join("enc.der");
    let e = pqsmime(
        &[
            "encrypt",
            "--to",
            r.crt(),
            "--cipher",
            cipher,
            "--format",
            "der",
            "-o",
            s(&enc),
            s(&input),
        ],
        None,
    );
    e.ok(&[]);
    assert_eq!(outer_type(&read(&enc)), cms_type);
    let dec = dir.path().join("dec.bin");
    let o = openssl(
        &[
            "cms",
            "-decrypt",
            "-binary",
            "-inform",
            "DER",
            "-in",
            s(&enc),
            "-recip",
            r.crt(),
            "-inkey",
            r.key(),
            "-out",
            s(&dec),
        ],
        None,
    );
    o.ok(&[&e]);
    common::assert_file_eq(&dec, &data, "OpenSSL decrypting our DER", &[&e, &o]);
}

/// OpenSSL encrypts (S/MIME and DER), pqsmime decrypts.
fn openssl_to_ours(alg: &str, cipher: &str) {
    let pki = enc_pki();
    let r = pki.recipient(alg);
    let dir = tempdir();
    let (cms_type, _) = expected_type(cipher);

    let content = mime_text(&format!("OpenSSL {alg} {cipher}"));
    let input = dir.path().join("msg.txt");
    write(&input, &content);
    let enc = dir.path().join("enc.eml");
    let o = openssl(
        &[
            "cms",
            "-encrypt",
            &openssl_cipher(cipher),
            "-recip",
            r.crt(),
            "-in",
            s(&input),
            "-out",
            s(&enc),
        ],
        None,
    );
    o.ok(&[]);
    assert_eq!(outer_type(&smime_body(&read(&enc))), cms_type);
    let dec = dir.path().join("dec.txt");
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "-o",
            s(&dec),
            s(&enc),
        ],
        None,
    );
    d.ok(&[&o]);
    common::assert_file_eq(
        &dec,
        &content,
        "pqsmime decrypting OpenSSL's S/MIME",
        &[&o, &d],
    );

    let data = pseudo_random(&format!("OpenSSL {alg} {cipher} der"), 65_537);
    let input = dir.path().join("data.bin");
    write(&input, &data);
    let enc = dir.path().join("enc.der");
    let o = openssl(
        &[
            "cms",
            "-encrypt",
            "-binary",
            &openssl_cipher(cipher),
            "-outform",
            "DER",
            "-recip",
            r.crt(),
            "-in",
            s(&input),
            "-out",
            s(&enc),
        ],
        None,
    );
    o.ok(&[]);
    // Standard output this time (spooled, released after the check).
    let d = pqsmime(
        &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&enc)],
        None,
    );
    d.ok(&[&o]);
    if d.stdout != data {
        common::fail(
            "pqsmime decrypting OpenSSL's DER: content differs",
            &[&o, &d],
        );
    }
}

fn ours_to_openssl_aes256_gcm(alg: &str) {
    ours_to_openssl(alg, "aes-256-gcm")
}
fn ours_to_openssl_aes256_cbc(alg: &str) {
    ours_to_openssl(alg, "aes-256-cbc")
}
fn openssl_to_ours_aes256_gcm(alg: &str) {
    openssl_to_ours(alg, "aes-256-gcm")
}
fn openssl_to_ours_aes256_cbc(alg: &str) {
    openssl_to_ours(alg, "aes-256-cbc")
}

alg_tests!([
    ml_kem_512 = "ml-kem-512",
    ml_kem_768 = "ml-kem-768",
    ml_kem_1024 = "ml-kem-1024",
    rsa_2048 = "rsa-2048",
    ec_p256 = "ec-p256",
] => [
    ours_to_openssl_aes256_gcm,
    ours_to_openssl_aes256_cbc,
    openssl_to_ours_aes256_gcm,
    openssl_to_ours_aes256_cbc,
]);

/// Legacy mail: OpenSSL's `-des3` EnvelopedData decrypts in pqsmime (which reads 3DES-CBC
/// content and the RFC 3217 Triple-DES key wrap OpenSSL uses for ML-KEM and ECDH recipients,
/// and writes neither).
#[test]
fn openssl_3des_mail_decrypts_for_rsa_ml_kem_and_ecdh() {
    for alg in ["rsa-2048", "ml-kem-768", "ec-p256"] {
        openssl_to_ours(alg, "des3");
    }
}

/// `pqsmime decrypt --json` of a file; returns the parsed object.
fn decrypt_json(cert: &str, key: &str, file: &Path, context: &[&common::Out]) -> serde_json::Value {
    let d = pqsmime(
        &["decrypt", "--cert", cert, "--key", key, "--json", s(file)],
        None,
    );
    d.ok(context);
    serde_json::from_slice(&d.stdout)
        .unwrap_or_else(|e| common::fail(&format!("--json is not JSON: {e}"), &[&d]))
}

/// `openssl cms -cmsout -print` of a message.
fn openssl_print(file: &Path, der: bool) -> common::Out {
    let mut args = vec!["cms", "-cmsout", "-print", "-in", s(file)];
    if der {
        args.extend(["-inform", "DER"]);
    }
    let p = openssl(&args, None);
    p.ok(&[]);
    p
}

/// OpenSSL's KEMRecipientInfo options: `-recip_kdf HKDF-SHA512` and `-recip_ukm` for one
/// recipient, `-aes-128-cbc` (aes128-wrap even for ML-KEM-1024, kekLength 16), and
/// HKDF-SHA384 on ML-KEM-512; pqsmime decrypts each.
#[test]
fn openssl_kem_options_decrypt_in_pqsmime() {
    let pki = enc_pki();
    let dir = tempdir();
    let content = mime_text("OpenSSL KEM options");
    let input = dir.path().join("msg.txt");
    write(&input, &content);
    let cases: [(&str, &str, &[&str], &str, &str); 4] = [
        (
            "ml-kem-768",
            "aes-256-gcm",
            &["-recip_kdf", "HKDF-SHA512"],
            "HKDF-SHA512",
            "aes256",
        ),
        (
            "ml-kem-768",
            "aes-256-gcm",
            &[
                "-recip_kdf",
                "HKDF-SHA256",
                "-recip_ukm",
                "00112233445566778899aabbccddeeff",
            ],
            "HKDF-SHA256",
            "aes256",
        ),
        ("ml-kem-1024", "aes-128-cbc", &[], "HKDF-SHA256", "aes128"),
        (
            "ml-kem-512",
            "aes-256-cbc",
            &["-recip_kdf", "HKDF-SHA384", "-recip_ukm", "0102"],
            "HKDF-SHA384",
            "aes256",
        ),
    ];
    for (i, (alg, cipher, opts, kdf, wrap)) in cases.into_iter().enumerate() {
        let r = pki.recipient(alg);
        for der in [false, true] {
            let enc = dir.path().join(format!("kem-{i}-{der}.p7m"));
            let mut args = vec![
                "cms".to_string(),
                "-encrypt".into(),
                "-binary".into(),
                openssl_cipher(cipher),
                "-recip".into(),
                r.crt().into(),
            ];
            args.extend(opts.iter().map(|x| x.to_string()));
            args.extend([
                "-in".into(),
                s(&input).into(),
                "-out".into(),
                s(&enc).into(),
            ]);
            if der {
                args.extend(["-outform".into(), "DER".into()]);
            }
            let o = openssl(&args, None);
            o.ok(&[]);
            let printed = openssl_print(&enc, der).stdout_str();
            assert!(printed.contains(&format!("algorithm: {kdf}")), "{printed}");
            assert!(
                printed.contains(&format!("id-{wrap}-wrap")),
                "{alg} {cipher}: expected {wrap}-wrap\n{printed}"
            );
            let j = decrypt_json(r.crt(), r.key(), &enc, &[&o]);
            assert_eq!(j["decrypted"], true, "{j}");
            assert_eq!(j["recipient"], "KEMRecipientInfo", "{j}");
            assert_eq!(j["content_cipher"], cipher.to_ascii_uppercase(), "{j}");
            assert_eq!(j["content_length"], content.len(), "{j}");
            let dec = dir.path().join(format!("kem-{i}-{der}.txt"));
            let d = pqsmime(
                &[
                    "decrypt",
                    "--cert",
                    r.crt(),
                    "--key",
                    r.key(),
                    "-o",
                    s(&dec),
                    s(&enc),
                ],
                None,
            );
            d.ok(&[&o]);
            common::assert_file_eq(&dec, &content, "pqsmime decrypting", &[&o, &d]);
        }
    }
}

/// Our `--kem-kdf`, `--key-wrap` and `--ukm` are what the message says, and OpenSSL decrypts.
#[test]
fn pqsmime_kem_options_decrypt_in_openssl() {
    let pki = enc_pki();
    let dir = tempdir();
    let content = mime_text("pqsmime KEM options");
    let input = dir.path().join("msg.txt");
    write(&input, &content);
    // (recipient, our flags, KDF, wrap, UKM as OpenSSL prints it)
    type Case<'a> = (&'a str, &'a [&'a str], &'a str, &'a str, Option<&'a str>);
    let cases: [Case<'_>; 4] = [
        (
            "ml-kem-768",
            &["--kem-kdf", "hkdf-sha512"],
            "HKDF-SHA512",
            "aes256",
            None,
        ),
        (
            "ml-kem-768",
            &[
                "--kem-kdf",
                "hkdf-sha384",
                "--key-wrap",
                "aes128",
                "--ukm",
                "a0a1a2a3",
            ],
            "HKDF-SHA384",
            "aes128",
            Some("a0 a1 a2 a3"),
        ),
        ("ml-kem-512", &[], "HKDF-SHA256", "aes128", None),
        (
            "ml-kem-1024",
            &["--key-wrap", "aes128", "--cipher", "aes-128-gcm"],
            "HKDF-SHA256",
            "aes128",
            None,
        ),
    ];
    for (i, (alg, opts, kdf, wrap, ukm)) in cases.into_iter().enumerate() {
        let r = pki.recipient(alg);
        let enc = dir.path().join(format!("ours-{i}.der"));
        let mut args = vec!["encrypt", "--to", r.crt(), "--format", "der", "-o", s(&enc)];
        args.extend_from_slice(opts);
        args.push(s(&input));
        let e = pqsmime(&args, None);
        e.ok(&[]);
        let printed = openssl_print(&enc, true).stdout_str();
        assert!(printed.contains(&format!("algorithm: {kdf}")), "{printed}");
        let kek_len = if wrap == "aes128" { 16 } else { 32 };
        assert!(
            printed.contains(&format!("kekLength: {kek_len}")),
            "{printed}"
        );
        assert!(printed.contains(&format!("id-{wrap}-wrap")), "{printed}");
        match ukm {
            Some(u) => assert!(printed.contains(u), "ukm {u} missing\n{printed}"),
            None => assert!(printed.contains("ukm: <ABSENT>"), "{printed}"),
        }
        let dec = dir.path().join(format!("ours-{i}.txt"));
        let o = openssl(
            &[
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                s(&enc),
                "-recip",
                r.crt(),
                "-inkey",
                r.key(),
                "-out",
                s(&dec),
            ],
            None,
        );
        o.ok(&[&e]);
        common::assert_file_eq(&dec, &content, "OpenSSL decrypting", &[&e, &o]);
    }
}

/// One message to ML-KEM-768, RSA-2048 and ECDH P-256: each recipient decrypts it on both
/// sides, whoever made it.
#[test]
fn three_recipients_both_ways() {
    let pki = enc_pki();
    let dir = tempdir();
    let algs = ["ml-kem-768", "rsa-2048", "ec-p256"];
    let content = mime_text("three recipients");
    let input = dir.path().join("msg.txt");
    write(&input, &content);

    for cipher in ["aes-256-gcm", "aes-256-cbc"] {
        let ours = dir.path().join(format!("ours-{cipher}.eml"));
        let mut args = vec!["encrypt", "--cipher", cipher, "-o", s(&ours)];
        for a in algs {
            args.extend(["--to", pki.recipient(a).crt()]);
        }
        args.push(s(&input));
        let e = pqsmime(&args, None);
        e.ok(&[]);

        let theirs = dir.path().join(format!("theirs-{cipher}.eml"));
        let mut args = vec![
            "cms".to_string(),
            "-encrypt".into(),
            openssl_cipher(cipher),
            "-in".into(),
            s(&input).into(),
            "-out".into(),
            s(&theirs).into(),
        ];
        for a in algs {
            args.extend(["-recip".into(), pki.recipient(a).crt().into()]);
        }
        let o = openssl(&args, None);
        o.ok(&[]);

        for (a, kind) in algs.iter().zip([
            "KEMRecipientInfo",
            "KeyTransRecipientInfo",
            "KeyAgreeRecipientInfo",
        ]) {
            let r = pki.recipient(a);
            // OpenSSL opens ours.
            let dec = dir.path().join(format!("ours-{cipher}-{a}.txt"));
            let od = openssl(
                &[
                    "cms",
                    "-decrypt",
                    "-in",
                    s(&ours),
                    "-recip",
                    r.crt(),
                    "-inkey",
                    r.key(),
                    "-out",
                    s(&dec),
                ],
                None,
            );
            od.ok(&[&e]);
            common::assert_file_eq(&dec, &content, "OpenSSL, three recipients", &[&e, &od]);
            // We open ours and OpenSSL's, with the right RecipientInfo.
            for file in [&ours, &theirs] {
                let d = pqsmime(
                    &["decrypt", "--cert", r.crt(), "--key", r.key(), s(file)],
                    None,
                );
                d.ok(&[&e, &o]);
                assert_eq!(d.stdout, content, "{}", d.describe());
                let j = decrypt_json(r.crt(), r.key(), file, &[&e, &o]);
                assert_eq!(j["recipient"], kind, "{j}");
                assert_eq!(j["recipients"]["kem"], 1, "{j}");
                assert_eq!(j["recipients"]["key_transport"], 1, "{j}");
                assert_eq!(j["recipients"]["key_agreement"], 1, "{j}");
                assert_eq!(j["authenticated"], cipher.ends_with("gcm"), "{j}");
            }
        }
        // Someone else is not among them.
        let eve = pki.other("ml-kem-768");
        for file in [&ours, &theirs] {
            let d = pqsmime(
                &["decrypt", "--cert", eve.crt(), "--key", eve.key(), s(file)],
                None,
            );
            encrypt_common::assert_generic_failure(&d, &[]);
        }
    }
}

/// Inputs over 1 MiB are streamed as BER (indefinite lengths, 64 KiB segments) in every
/// format; OpenSSL reads all three, and a PEM of OpenSSL's comes back through pqsmime.
#[test]
fn streamed_ber_and_pem_interoperate() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let dir = tempdir();
    let data = pseudo_random("streamed", 3 * 1024 * 1024 + 17);
    let input = dir.path().join("big.bin");
    write(&input, &data);
    for (format, cipher) in [
        ("der", "aes-256-gcm"),
        ("pem", "aes-128-cbc"),
        ("smime", "aes-128-gcm"),
    ] {
        let enc = dir.path().join(format!("big.{format}"));
        let e = pqsmime(
            &[
                "encrypt",
                "--to",
                r.crt(),
                "--cipher",
                cipher,
                "--format",
                format,
                "-o",
                s(&enc),
                s(&input),
            ],
            None,
        );
        e.ok(&[]);
        let cms = match format {
            "der" => read(&enc),
            "pem" => common::pem_decode(&read(&enc), "CMS"),
            _ => smime_body(&read(&enc)),
        };
        assert_eq!(
            &cms[..2],
            &[0x30, 0x80],
            "{format}: expected indefinite-length BER"
        );
        let inform = match format {
            "der" => "DER",
            "pem" => "PEM",
            _ => "SMIME",
        };
        let dec = dir.path().join(format!("big-{format}.out"));
        let o = openssl(
            &[
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                inform,
                "-in",
                s(&enc),
                "-recip",
                r.crt(),
                "-inkey",
                r.key(),
                "-out",
                s(&dec),
            ],
            None,
        );
        o.ok(&[&e]);
        let want = if format == "smime" {
            pqsmime::smime::canonicalize(&data)
        } else {
            data.clone()
        };
        if read(&dec) != want {
            common::fail(&format!("{format}: OpenSSL's plaintext differs"), &[&e, &o]);
        }
        // And back through pqsmime.
        let d = pqsmime(
            &["decrypt", "--cert", r.crt(), "--key", r.key(), s(&enc)],
            None,
        );
        d.ok(&[&e]);
        if d.stdout != want {
            common::fail(&format!("{format}: pqsmime's plaintext differs"), &[&e, &d]);
        }
    }
    let pem = dir.path().join("theirs.pem");
    let o = openssl(
        &[
            "cms",
            "-encrypt",
            "-binary",
            "-aes-256-gcm",
            "-outform",
            "PEM",
            "-recip",
            r.crt(),
            "-in",
            s(&input),
            "-out",
            s(&pem),
        ],
        None,
    );
    o.ok(&[]);
    let out = dir.path().join("theirs.bin");
    let d = pqsmime(
        &[
            "decrypt",
            "--cert",
            r.crt(),
            "--key",
            r.key(),
            "-o",
            s(&out),
            s(&pem),
        ],
        None,
    );
    d.ok(&[&o]);
    common::assert_file_eq(&out, &data, "pqsmime decrypting OpenSSL's PEM", &[&o, &d]);
}

/// The RFC 9936 appendix message (AuthEnvelopedData, KEMRecipientInfo named by
/// subjectKeyIdentifier, ML-KEM-512) decrypts to `Hello, world!` with each of the three
/// private-key forms; an unrelated key gets the generic failure.
#[test]
fn rfc9936_example_decrypts() {
    let vec_dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/lamps-cms-kyber/example");
    let cms = vec_dir.join("ML-KEM-512.cms");
    let cert = vec_dir.join("ML-KEM-512.pem");
    let want = read(&vec_dir.join("decrypted.txt"));
    assert_eq!(want, b"Hello, world!");
    for form in ["seed", "expanded", "both"] {
        let key = vec_dir.join(format!("ML-KEM-512-{form}.priv"));
        let d = pqsmime(
            &["decrypt", "--cert", s(&cert), "--key", s(&key), s(&cms)],
            None,
        );
        d.ok(&[]);
        assert_eq!(d.stdout, want, "{form}: {}", d.describe());
        assert!(
            d.stderr.contains("AES-128-GCM") && d.stderr.contains("KEMRecipientInfo"),
            "{}",
            d.describe()
        );
    }
    let eve = enc_pki().other("ml-kem-512");
    let d = pqsmime(
        &["decrypt", "--cert", eve.crt(), "--key", eve.key(), s(&cms)],
        None,
    );
    encrypt_common::assert_generic_failure(&d, &[]);
    // The message names its recipient by subjectKeyIdentifier.
    let printed = openssl(
        &["cms", "-cmsout", "-print", "-in", s(&cms), "-inform", "PEM"],
        None,
    );
    printed.ok(&[]);
    assert!(
        find(printed.stdout.as_slice(), b"d.subjectKeyIdentifier").is_some(),
        "{}",
        printed.describe()
    );
}

/// `pqsmime encrypt --sign-cert` (sign-then-encrypt in one process) is read by
/// `openssl cms -decrypt | openssl cms -verify`, and OpenSSL's sign | encrypt pipe by
/// `pqsmime decrypt --verify`; small (DER in memory) and streamed (over 1 MiB, BER) content.
#[test]
fn sign_then_encrypt_both_ways() {
    let pki = enc_pki();
    let r = pki.recipient("ml-kem-768");
    let a = &pki.signer;
    let dir = tempdir();
    for (i, len) in [5_000usize, 2 * 1024 * 1024 + 3].into_iter().enumerate() {
        let data = pseudo_random(&format!("sign then encrypt {len}"), len);
        let input = dir.path().join(format!("data{i}.bin"));
        write(&input, &data);

        let ours = dir.path().join(format!("ours{i}.der"));
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
                "der",
                "-o",
                s(&ours),
                s(&input),
            ],
            None,
        );
        e.ok(&[]);
        let signed = dir.path().join(format!("ours{i}.signed"));
        let od = openssl(
            &[
                "cms",
                "-decrypt",
                "-binary",
                "-inform",
                "DER",
                "-in",
                s(&ours),
                "-recip",
                r.crt(),
                "-inkey",
                r.key(),
                "-out",
                s(&signed),
            ],
            None,
        );
        od.ok(&[&e]);
        let content = dir.path().join(format!("ours{i}.content"));
        let ov = openssl(
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                s(&signed),
                "-CAfile",
                pki.ca(),
                "-out",
                s(&content),
            ],
            None,
        );
        ov.ok(&[&e, &od]);
        common::assert_file_eq(&content, &data, "OpenSSL decrypt | verify", &[&e, &od, &ov]);

        let signed = dir.path().join(format!("theirs{i}.signed"));
        openssl(
            &[
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-md",
                "sha512",
                "-signer",
                a.crt(),
                "-inkey",
                a.key(),
                "-outform",
                "DER",
                "-in",
                s(&input),
                "-out",
                s(&signed),
            ],
            None,
        )
        .ok(&[]);
        let theirs = dir.path().join(format!("theirs{i}.der"));
        let oe = openssl(
            &[
                "cms",
                "-encrypt",
                "-binary",
                "-aes-256-gcm",
                "-outform",
                "DER",
                "-recip",
                r.crt(),
                "-in",
                s(&signed),
                "-out",
                s(&theirs),
            ],
            None,
        );
        oe.ok(&[]);
        let out = dir.path().join(format!("theirs{i}.out"));
        let d = pqsmime(
            &[
                "decrypt",
                "--cert",
                r.crt(),
                "--key",
                r.key(),
                "--verify",
                "--trust",
                pki.ca(),
                "--json",
                "-o",
                s(&out),
                s(&theirs),
            ],
            None,
        );
        d.ok(&[&oe]);
        common::assert_file_eq(&out, &data, "pqsmime decrypt --verify", &[&oe, &d]);
        let j: serde_json::Value = serde_json::from_slice(&d.stdout).unwrap();
        assert_eq!(j["signature"]["valid"], true, "{j}");
        assert_eq!(
            j["signature"]["signers"][0]["algorithm"], "ML-DSA-65",
            "{j}"
        );
    }
}
