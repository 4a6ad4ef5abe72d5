//! EnvelopedData / AuthEnvelopedData interop with OpenSSL 4: our library on one side, the
//! `openssl cms` binary on the other, both directions, for ML-KEM-512/768/1024, RSA-2048 and
//! ECDH P-256 recipients × AES-256-GCM and AES-256-CBC, OpenSSL's `-recip_kdf`, `-recip_ukm`,
//! `-aes-128-cbc` (aes128-wrap) and RSA-OAEP options, a three-recipient message, and OpenSSL
//! refusing what we tampered with (and we refusing what we tampered of theirs).
//!
//! Keys and certificates are made by OpenSSL (`genpkey`, `x509 -req -force_pubkey`), so these
//! tests do not depend on our own certificate builder. The OpenSSL 4 binary is taken from
//! `PQSMIME_OPENSSL` or `~/.cache/pqsmime/openssl-4.0.3/bin/openssl`; build it with
//! `.ci/build-openssl4.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use pqsmime::cms::enveloped::{
    decrypt, encrypt, encrypt_stream, ContentCipher, DecryptionKey, Recipient, RecipientKind,
};
use pqsmime::keys::PrivateKey;
use pqsmime::x509::Certificate;
use pqsmime::Error;

fn openssl() -> PathBuf {
    if let Some(p) = std::env::var_os("PQSMIME_OPENSSL") {
        let p = PathBuf::from(p);
        assert!(p.exists(), "PQSMIME_OPENSSL={} does not exist", p.display());
        return p;
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let p = home.join(".cache/pqsmime/openssl-4.0.3/bin/openssl");
    assert!(
        p.exists(),
        "OpenSSL 4 not found: set PQSMIME_OPENSSL or run .ci/build-openssl4.sh (expected {})",
        p.display()
    );
    p
}

fn ossl(args: &[&str]) -> (bool, String) {
    let bin = openssl();
    let mut cmd = Command::new(&bin);
    cmd.args(args);
    if let Some(conf) = bin
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("ssl/openssl.cnf"))
    {
        if conf.exists() {
            cmd.env("OPENSSL_CONF", conf);
        }
    }
    let out = cmd.output().expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn ossl_ok(args: &[&str]) -> String {
    let (ok, text) = ossl(args);
    assert!(ok, "openssl {} failed:\n{text}", args.join(" "));
    text
}

fn dir() -> &'static Path {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("enveloped_interop");
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

fn path(name: &str) -> String {
    dir().join(name).to_string_lossy().into_owned()
}

struct Party {
    cert_path: String,
    key_path: String,
    cert: Certificate,
    key: PrivateKey,
}

impl Party {
    fn recipient(&self) -> Recipient {
        Recipient::for_certificate(&self.cert).unwrap()
    }
    fn dk(&self) -> DecryptionKey<'_> {
        DecryptionKey::new(&self.cert, &self.key).unwrap()
    }
}

const NAMES: [&str; 5] = ["mlkem512", "mlkem768", "mlkem1024", "rsa2048", "p256"];

fn parties() -> &'static Vec<Party> {
    static P: OnceLock<Vec<Party>> = OnceLock::new();
    P.get_or_init(|| {
        let (ca_key, ca) = (path("ca.key"), path("ca.pem"));
        ossl_ok(&[
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &ca_key,
            "-out",
            &ca,
            "-subj",
            "/CN=Interop Test CA",
            "-days",
            "30",
        ]);
        NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let key_path = path(&format!("{name}.key"));
                let genpkey: Vec<&str> = match *name {
                    "mlkem512" => vec!["-algorithm", "ML-KEM-512"],
                    "mlkem768" => vec!["-algorithm", "ML-KEM-768"],
                    "mlkem1024" => vec!["-algorithm", "ML-KEM-1024"],
                    "rsa2048" => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
                    _ => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                };
                let mut args = vec!["genpkey"];
                args.extend(genpkey);
                args.extend(["-out", &key_path]);
                ossl_ok(&args);
                let pub_path = path(&format!("{name}.pub"));
                ossl_ok(&["pkey", "-in", &key_path, "-pubout", "-out", &pub_path]);
                let csr = path(&format!("{name}.csr"));
                let subj = format!("/CN={name} recipient");
                ossl_ok(&["req", "-new", "-key", &ca_key, "-subj", &subj, "-out", &csr]);
                let cert_path = path(&format!("{name}.pem"));
                let serial = format!("{}", 0x1000 + i);
                ossl_ok(&[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    &ca,
                    "-CAkey",
                    &ca_key,
                    "-force_pubkey",
                    &pub_path,
                    "-set_serial",
                    &serial,
                    "-days",
                    "30",
                    "-out",
                    &cert_path,
                ]);
                let cert = Certificate::from_pem_or_der(&std::fs::read(&cert_path).unwrap())
                    .unwrap()
                    .remove(0);
                let key = PrivateKey::from_pem_or_der(&std::fs::read(&key_path).unwrap())
                    .unwrap_or_else(|e| {
                        panic!("{name}: our key reader refuses OpenSSL's key: {e}")
                    });
                Party {
                    cert_path,
                    key_path,
                    cert,
                    key,
                }
            })
            .collect()
    })
}

fn party(name: &str) -> &'static Party {
    &parties()[NAMES.iter().position(|n| *n == name).unwrap()]
}

fn content(tag: &str) -> Vec<u8> {
    format!("Content-Type: text/plain\r\n\r\ninterop {tag}\r\n")
        .repeat(50)
        .into_bytes()
}

/// OpenSSL decrypts `msg` (DER or BER) for `p`; returns the plaintext or the error text.
fn openssl_decrypt(msg: &[u8], p: &Party, tag: &str) -> Result<Vec<u8>, String> {
    let inp = path(&format!("{tag}.cms"));
    let out = path(&format!("{tag}.out"));
    std::fs::write(&inp, msg).unwrap();
    let _ = std::fs::remove_file(&out);
    let (ok, text) = ossl(&[
        "cms",
        "-decrypt",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &inp,
        "-recip",
        &p.cert_path,
        "-inkey",
        &p.key_path,
        "-out",
        &out,
    ]);
    if ok {
        Ok(std::fs::read(&out).unwrap())
    } else {
        Err(text)
    }
}

/// OpenSSL encrypts `plain` to `recipients` with extra options; returns the DER/BER message.
fn openssl_encrypt(
    plain: &[u8],
    cipher: &str,
    recips: &[&[&str]],
    extra: &[&str],
    tag: &str,
) -> Vec<u8> {
    let inp = path(&format!("{tag}.txt"));
    let out = path(&format!("{tag}.ossl.cms"));
    std::fs::write(&inp, plain).unwrap();
    let mut args = vec![
        "cms", "-encrypt", "-binary", "-outform", "DER", "-in", &inp, "-out", &out, cipher,
    ];
    args.extend_from_slice(extra);
    for r in recips {
        args.extend_from_slice(r);
    }
    ossl_ok(&args);
    std::fs::read(&out).unwrap()
}

fn cms_print(msg: &[u8], tag: &str) -> String {
    let inp = path(&format!("{tag}.print.cms"));
    std::fs::write(&inp, msg).unwrap();
    ossl_ok(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", &inp])
}

#[test]
fn ours_decrypt_in_openssl() {
    for name in NAMES {
        let p = party(name);
        for (cipher, stream) in [
            (ContentCipher::Aes256Gcm, false),
            (ContentCipher::Aes256Gcm, true),
            (ContentCipher::Aes256Cbc, false),
            (ContentCipher::Aes256Cbc, true),
            (ContentCipher::Aes128Gcm, true),
        ] {
            let tag = format!("ours-{name}-{}-{stream}", cipher.name());
            let plain = content(&tag);
            let msg = if stream {
                let mut out = Vec::new();
                encrypt_stream(&plain[..], &mut out, &[p.recipient()], cipher).unwrap();
                out
            } else {
                encrypt(&plain, &[p.recipient()], cipher).unwrap()
            };
            let got = openssl_decrypt(&msg, p, &tag).unwrap_or_else(|e| panic!("{tag}: {e}"));
            assert_eq!(got, plain, "{tag}");
        }
    }
}

#[test]
fn openssl_messages_decrypt_in_ours() {
    for name in NAMES {
        let p = party(name);
        for (cipher, extra) in [
            ("-aes-256-gcm", &[][..]),
            ("-aes-256-gcm", &["-stream"][..]),
            ("-aes-256-cbc", &[][..]),
            ("-aes-128-cbc", &["-stream"][..]),
        ] {
            let tag = format!("theirs-{name}{cipher}{}", extra.join(""));
            let plain = content(&tag);
            let msg = openssl_encrypt(&plain, cipher, &[&["-recip", &p.cert_path]], extra, &tag);
            let (got, info) = decrypt(&msg, &p.dk()).unwrap_or_else(|e| panic!("{tag}: {e}"));
            assert_eq!(&got[..], &plain[..], "{tag}");
            assert_eq!(info.authenticated, cipher.ends_with("gcm"));
            let kind = match name {
                "rsa2048" => RecipientKind::KeyTransport,
                "p256" => RecipientKind::KeyAgreement,
                _ => RecipientKind::Kem,
            };
            assert_eq!(info.recipient, kind, "{tag}");
        }
    }
}

#[test]
fn openssl_kem_options_kdf_ukm_and_aes128_aes192_wraps() {
    let p = party("mlkem768");
    // -recip_kdf HKDF-SHA512
    let plain = content("kdf");
    let msg = openssl_encrypt(
        &plain,
        "-aes-256-gcm",
        &[&["-recip", &p.cert_path, "-recip_kdf", "HKDF-SHA512"]],
        &[],
        "kdf512",
    );
    assert!(
        cms_print(&msg, "kdf512").contains("hkdf-with-sha512") || {
            // Older OpenSSL prints the OID instead of the short name.
            cms_print(&msg, "kdf512").contains("1.2.840.113549.1.9.16.3.30")
        }
    );
    assert_eq!(&decrypt(&msg, &p.dk()).unwrap().0[..], &plain[..]);
    // -recip_ukm
    let msg = openssl_encrypt(
        &plain,
        "-aes-256-gcm",
        &[&["-recip", &p.cert_path, "-recip_ukm", "00112233445566778899"]],
        &[],
        "ukm",
    );
    assert!(msg
        .windows(10)
        .any(|w| w == hex::decode("00112233445566778899").unwrap()));
    assert_eq!(&decrypt(&msg, &p.dk()).unwrap().0[..], &plain[..]);
    // -aes-128-cbc with ML-KEM-1024: OpenSSL picks aes128-wrap (kekLength 16).
    let p1024 = party("mlkem1024");
    let msg = openssl_encrypt(
        &plain,
        "-aes-128-cbc",
        &[&["-recip", &p1024.cert_path]],
        &[],
        "aes128wrap",
    );
    let aes128_wrap = hex::decode("300B0609608648016503040105").unwrap();
    assert!(msg.windows(aes128_wrap.len()).any(|w| w == aes128_wrap));
    assert_eq!(&decrypt(&msg, &p1024.dk()).unwrap().0[..], &plain[..]);
    // AES-192 content: OpenSSL picks aes192-wrap for the KEM and the ECDH recipient.
    let ec = party("p256");
    for cipher in ["-aes-192-cbc", "-aes-192-gcm"] {
        let tag = format!("aes192wrap{cipher}");
        let msg = openssl_encrypt(
            &plain,
            cipher,
            &[&["-recip", &p.cert_path], &["-recip", &ec.cert_path]],
            &[],
            &tag,
        );
        let aes192_wrap = hex::decode("300B0609608648016503040119").unwrap();
        assert!(
            msg.windows(aes192_wrap.len()).any(|w| w == aes192_wrap),
            "{tag}"
        );
        for q in [p, ec] {
            let (got, info) = decrypt(&msg, &q.dk()).unwrap_or_else(|e| panic!("{tag}: {e}"));
            assert_eq!(&got[..], &plain[..]);
            assert!(
                info.content_cipher.starts_with("AES-192"),
                "{}",
                info.content_cipher
            );
        }
    }
    // Our side with HKDF-SHA512 and a UKM, read by OpenSSL.
    let r = p
        .recipient()
        .with_kem_kdf(pqsmime::cms::enveloped::KemKdf::HkdfSha512)
        .with_ukm(b"our ukm".to_vec());
    let msg = encrypt(&plain, &[r], ContentCipher::Aes256Gcm).unwrap();
    assert_eq!(openssl_decrypt(&msg, p, "ours-kdf-ukm").unwrap(), plain);
    // And an EC recipient with UKM.
    let msg = encrypt(
        &plain,
        &[ec.recipient().with_ukm(b"ec ukm".to_vec())],
        ContentCipher::Aes128Cbc,
    )
    .unwrap();
    assert_eq!(openssl_decrypt(&msg, ec, "ours-ec-ukm").unwrap(), plain);
}

#[test]
fn openssl_rsa_oaep_decrypts_in_ours() {
    let p = party("rsa2048");
    let plain = content("oaep");
    for md in ["sha1", "sha256"] {
        let md_opt = format!("rsa_oaep_md:{md}");
        let mgf_opt = format!("rsa_mgf1_md:{md}");
        let msg = openssl_encrypt(
            &plain,
            "-aes-256-gcm",
            &[&[
                "-recip",
                &p.cert_path,
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                &md_opt,
                "-keyopt",
                &mgf_opt,
            ]],
            &[],
            &format!("oaep-{md}"),
        );
        assert!(cms_print(&msg, &format!("oaep-{md}")).contains("rsaesOaep"));
        assert_eq!(&decrypt(&msg, &p.dk()).unwrap().0[..], &plain[..], "{md}");
    }
}

#[test]
fn three_recipient_messages_open_for_each_on_both_sides() {
    let ps = [party("mlkem768"), party("rsa2048"), party("p256")];
    let plain = content("three");
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc] {
        // Ours → OpenSSL, for each recipient.
        let rs: Vec<Recipient> = ps.iter().map(|p| p.recipient()).collect();
        let mut msg = Vec::new();
        encrypt_stream(&plain[..], &mut msg, &rs, cipher).unwrap();
        for p in ps {
            let tag = format!("three-ours-{}", cipher.name());
            assert_eq!(openssl_decrypt(&msg, p, &tag).unwrap(), plain, "{tag}");
        }
        // OpenSSL → ours, for each recipient.
        let flag = format!("-{}", cipher.name());
        let recips: Vec<[&str; 2]> = ps
            .iter()
            .map(|p| ["-recip", p.cert_path.as_str()])
            .collect();
        let recip_refs: Vec<&[&str]> = recips.iter().map(|r| &r[..]).collect();
        let msg = openssl_encrypt(
            &plain,
            &flag,
            &recip_refs,
            &[],
            &format!("three-theirs{flag}"),
        );
        for p in ps {
            let (got, info) = decrypt(&msg, &p.dk()).unwrap();
            assert_eq!(&got[..], &plain[..]);
            assert_eq!(
                (
                    info.recipients.kem,
                    info.recipients.key_transport,
                    info.recipients.key_agreement
                ),
                (1, 1, 1)
            );
        }
    }
}

#[test]
fn tampering_and_strangers_are_refused_on_both_sides() {
    let p = party("mlkem512");
    let stranger = party("mlkem768");
    let plain = content("neg");
    // Our GCM message with a flipped tag: OpenSSL refuses it.
    let mut msg = encrypt(&plain, &[p.recipient()], ContentCipher::Aes256Gcm).unwrap();
    let n = msg.len();
    msg[n - 1] ^= 1;
    assert!(openssl_decrypt(&msg, p, "neg-tag").is_err());
    // OpenSSL's GCM message with a flipped tag: ours refuses it with the generic error.
    let mut theirs = openssl_encrypt(
        &plain,
        "-aes-256-gcm",
        &[&["-recip", &p.cert_path]],
        &[],
        "neg-theirs",
    );
    let n = theirs.len();
    theirs[n - 1] ^= 1;
    assert!(matches!(decrypt(&theirs, &p.dk()), Err(Error::Decrypt)));
    // Truncated: an error, never plaintext.
    let theirs = openssl_encrypt(
        &plain,
        "-aes-256-cbc",
        &[&["-recip", &p.cert_path]],
        &[],
        "neg-trunc",
    );
    for cut in [1, 16, 40, theirs.len() / 2] {
        assert!(decrypt(&theirs[..theirs.len() - cut], &p.dk()).is_err());
    }
    // Not addressed to the stranger: generic error on our side, failure on theirs.
    assert!(matches!(
        decrypt(&theirs, &stranger.dk()),
        Err(Error::Decrypt)
    ));
    let ours = encrypt(&plain, &[p.recipient()], ContentCipher::Aes256Cbc).unwrap();
    assert!(openssl_decrypt(&ours, stranger, "neg-stranger").is_err());
}
