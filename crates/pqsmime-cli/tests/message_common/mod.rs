//! Fixtures for the whole-message tests: a split-certificate PKI written to files once per
//! test binary (made with the library, so the tests do not depend on `pqsmime cert`), and a
//! realistic message. Uses `common` (the shared runners for `pqsmime` and `openssl`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pqsmime::alg::KeyKind;
use pqsmime::keys::PrivateKey;
use pqsmime::x509::{Certificate, CertificateBuilder, Usage};

use crate::common::s;

/// One identity's files.
#[derive(Clone, Debug)]
pub struct IdFiles {
    pub crt: PathBuf,
    pub key: PathBuf,
}

impl IdFiles {
    pub fn crt(&self) -> &str {
        s(&self.crt)
    }
    pub fn key(&self) -> &str {
        s(&self.key)
    }
}

/// The PKI: an ML-DSA-65 root; Alice (ML-DSA-65 signing, ML-KEM-768 encryption, ECDSA P-256
/// signing), Bob (ML-DSA-65, ML-KEM-768), Carol (RSA-2048, one certificate for signing and
/// one for encryption), Mallory (ML-DSA-65, a valid certificate for mallory@example.net).
#[derive(Clone, Debug)]
pub struct MessagePki {
    pub dir: PathBuf,
    pub root: IdFiles,
    pub alice_sign: IdFiles,
    pub alice_enc: IdFiles,
    pub alice_ec: IdFiles,
    pub bob_sign: IdFiles,
    pub bob_enc: IdFiles,
    pub carol_enc: IdFiles,
    pub carol_sign: IdFiles,
    pub mallory: IdFiles,
}

fn save(dir: &Path, name: &str, cert: &Certificate, key: &PrivateKey) -> IdFiles {
    let crt = dir.join(format!("{name}.crt"));
    let keyp = dir.join(format!("{name}.key"));
    std::fs::write(&crt, cert.to_pem()).unwrap();
    std::fs::write(&keyp, key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    IdFiles { crt, key: keyp }
}

fn issue(
    dir: &Path,
    root: (&Certificate, &PrivateKey),
    name: &str,
    email: &str,
    alg: &str,
    usage: Usage,
) -> IdFiles {
    let key = PrivateKey::generate(KeyKind::from_name(alg).unwrap()).unwrap();
    let cert = CertificateBuilder::end_entity(email, &key.public_key(), usage)
        .unwrap()
        .days(30)
        .sign(Some(root))
        .unwrap();
    save(dir, name, &cert, &key)
}

/// The shared PKI (built once per test binary, kept under the target directory).
pub fn mpki() -> &'static MessagePki {
    static P: OnceLock<MessagePki> = OnceLock::new();
    P.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("pqsmime-messages")
            .join(format!(
                "{}-{}",
                std::env::current_exe()
                    .ok()
                    .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .unwrap_or_default(),
                std::process::id()
            ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let key = PrivateKey::generate(KeyKind::from_name("ml-dsa-65").unwrap()).unwrap();
        let cert =
            CertificateBuilder::ca("CN=pqsmime message tests root,O=pqsmime tests,C=DE", &key)
                .unwrap()
                .days(30)
                .sign(None)
                .unwrap();
        let root = save(&dir, "root", &cert, &key);
        let r = (&cert, &key);
        MessagePki {
            alice_sign: issue(
                &dir,
                r,
                "alice-sign",
                "alice@example.com",
                "ml-dsa-65",
                Usage::Sign,
            ),
            alice_enc: issue(
                &dir,
                r,
                "alice-enc",
                "alice@example.com",
                "ml-kem-768",
                Usage::Encrypt,
            ),
            alice_ec: issue(
                &dir,
                r,
                "alice-ec",
                "alice@example.com",
                "ec-p256",
                Usage::Sign,
            ),
            bob_sign: issue(
                &dir,
                r,
                "bob-sign",
                "bob@example.com",
                "ml-dsa-65",
                Usage::Sign,
            ),
            bob_enc: issue(
                &dir,
                r,
                "bob-enc",
                "bob@example.com",
                "ml-kem-768",
                Usage::Encrypt,
            ),
            carol_enc: issue(
                &dir,
                r,
                "carol-enc",
                "carol@example.com",
                "rsa-2048",
                Usage::Encrypt,
            ),
            carol_sign: issue(
                &dir,
                r,
                "carol-sign",
                "carol@example.com",
                "rsa-2048",
                Usage::Sign,
            ),
            mallory: issue(
                &dir,
                r,
                "mallory",
                "mallory@example.net",
                "ml-dsa-65",
                Usage::Sign,
            ),
            root,
            dir,
        }
    })
}

/// A whole message: RFC 2047 and raw UTF-8 header fields, an 8-bit body with a `From ` line
/// and trailing white space (both need quoted-printable before clear-signing).
pub const MESSAGE: &str = "From: Alice <alice@example.com>\r\n\
To: Bob <bob@example.com>, carol@example.com\r\n\
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=\r\n\
X-Raw-Utf8: Grüße\r\n\
Date: Mon, 01 Jun 2026 10:00:00 +0200\r\n\
Message-ID: <m1@example.com>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
Hallo Bob,\r\n\
From now on this line would be mangled by an mbox.\r\n\
Grüße, trailing space \r\n";

/// The same message with LF line endings, as a Unix mail client stores it.
pub fn message_lf() -> String {
    MESSAGE.replace("\r\n", "\n")
}

/// The value of the first header field `name` in `msg` (unfolded).
pub fn header(msg: &[u8], name: &str) -> Option<String> {
    pqsmime::smime::HeaderSection::parse(msg)
        .ok()?
        .0
        .value(name)
}

/// Runs `pqsmime ARGS` under `/usr/bin/time -f %M` when that exists, returning the run and the
/// peak resident memory in KiB (`None` without GNU time).
pub fn pqsmime_measured(args: &[&str]) -> (crate::common::Out, Option<u64>) {
    let time = std::path::Path::new("/usr/bin/time");
    if !time.is_file() {
        return (crate::common::pqsmime(args, None), None);
    }
    let marker = "PQSMIME_PEAK_KIB=";
    let started = std::time::Instant::now();
    let out = std::process::Command::new(time)
        .arg("-f")
        .arg(format!("{marker}%M"))
        .arg(crate::common::pqsmime_bin())
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run pqsmime under /usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(marker))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let stderr: String = stderr
        .lines()
        .filter(|l| !l.starts_with(marker))
        .map(|l| format!("{l}\n"))
        .collect();
    let run = crate::common::Out {
        cmdline: format!("pqsmime {} ({:?})", args.join(" "), started.elapsed()),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr,
    };
    if run.stderr.contains("panicked") {
        crate::common::fail("pqsmime panicked", &[&run]);
    }
    (run, peak)
}
