//! Fixtures for the `pqsmime encrypt` / `pqsmime decrypt` tests: one ML-DSA-65 test CA that
//! issues encryption certificates for every recipient algorithm (made with `pqsmime key gen`,
//! `cert ca`, `cert issue --usage encrypt`), a second certificate per algorithm for
//! wrong-recipient tests, and an ML-DSA-65 signing certificate for sign-then-encrypt pipes.
//!
//! Test binaries include it after `common`: `#[macro_use] mod common; mod encrypt_common;`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::{gen_key, pqsmime, s};

/// Recipient algorithms of the interop matrix, as `pqsmime --alg` spells them.
pub const RECIPIENT_ALGS: [&str; 6] = [
    "ml-kem-512",
    "ml-kem-768",
    "ml-kem-1024",
    "rsa-2048",
    "ec-p256",
    "x25519",
];

/// A certificate and its private key.
#[derive(Clone, Debug)]
pub struct Id {
    pub crt: PathBuf,
    pub key: PathBuf,
}

impl Id {
    pub fn crt(&self) -> &str {
        s(&self.crt)
    }
    pub fn key(&self) -> &str {
        s(&self.key)
    }
}

pub struct EncPki {
    pub dir: PathBuf,
    pub ca_crt: PathBuf,
    /// One encryption certificate per algorithm in [`RECIPIENT_ALGS`].
    pub recipients: HashMap<String, Id>,
    /// A second encryption certificate per algorithm (a different key).
    pub others: HashMap<String, Id>,
    /// An ML-DSA-65 signing certificate from the same CA.
    pub signer: Id,
}

impl EncPki {
    pub fn recipient(&self, alg: &str) -> &Id {
        self.recipients
            .get(alg)
            .unwrap_or_else(|| panic!("no {alg} recipient fixture"))
    }
    pub fn other(&self, alg: &str) -> &Id {
        self.others
            .get(alg)
            .unwrap_or_else(|| panic!("no second {alg} recipient fixture"))
    }
    pub fn ca(&self) -> &str {
        s(&self.ca_crt)
    }
}

fn root_dir() -> PathBuf {
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pqsmime-encrypt");
    let _ = std::fs::create_dir_all(&base);
    // Remove what earlier runs left behind (their process is gone).
    if let Ok(entries) = std::fs::read_dir(&base) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.rsplit('-').next().and_then(|p| p.parse::<u32>().ok());
            if let Some(pid) = pid {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "tests".into());
    let dir = base.join(format!("{exe}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the fixture directory");
    dir
}

fn issue(dir: &Path, ca_crt: &Path, ca_key: &Path, alg: &str, name: &str, usage: &str) -> Id {
    let key = gen_key(dir, alg, &format!("{name}.key")).unwrap_or_else(|e| panic!("{e}"));
    let public = dir.join(format!("{name}.pub"));
    pqsmime(&["key", "pub", s(&key), "-o", s(&public)], None).ok(&[]);
    let crt = dir.join(format!("{name}.crt"));
    pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(ca_crt),
            "--ca-key",
            s(ca_key),
            "--pub",
            s(&public),
            "--email",
            &format!("{name}@example.com"),
            "--usage",
            usage,
            "--profile",
            "test",
            "--days",
            "30",
            "-o",
            s(&crt),
        ],
        None,
    )
    .ok(&[]);
    Id { crt, key }
}

/// The fixture, built once per test binary.
pub fn enc_pki() -> &'static EncPki {
    static PKI: OnceLock<EncPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = root_dir();
        let ca_key = gen_key(&dir, "ml-dsa-65", "ca.key").unwrap_or_else(|e| panic!("{e}"));
        let ca_crt = dir.join("ca.crt");
        pqsmime(
            &[
                "cert",
                "ca",
                "--key",
                s(&ca_key),
                "--subject",
                "CN=pqsmime encryption tests root,O=pqsmime tests,C=DE",
                "--days",
                "30",
                "-o",
                s(&ca_crt),
            ],
            None,
        )
        .ok(&[]);
        let mut recipients = HashMap::new();
        let mut others = HashMap::new();
        for alg in RECIPIENT_ALGS {
            let name = alg.replace('-', "");
            recipients.insert(
                alg.to_string(),
                issue(
                    &dir,
                    &ca_crt,
                    &ca_key,
                    alg,
                    &format!("bob-{name}"),
                    "encrypt",
                ),
            );
            others.insert(
                alg.to_string(),
                issue(
                    &dir,
                    &ca_crt,
                    &ca_key,
                    alg,
                    &format!("eve-{name}"),
                    "encrypt",
                ),
            );
        }
        let signer = issue(&dir, &ca_crt, &ca_key, "ml-dsa-65", "alice", "sign");
        EncPki {
            dir,
            ca_crt,
            recipients,
            others,
            signer,
        }
    })
}

/// Bytes of the OID 1.2.840.113549.1.9.16.1.23 (id-ct-authEnvelopedData) with its tag.
pub const OID_AUTH_ENVELOPED: [u8; 13] = [
    0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x10, 0x01, 0x17,
];
/// Bytes of the OID 1.2.840.113549.1.7.3 (id-envelopedData) with its tag.
pub const OID_ENVELOPED: [u8; 11] = [
    0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03,
];

/// The outer content type of a DER/BER ContentInfo: "authEnvelopedData", "envelopedData" or
/// "other". The OID follows the outer SEQUENCE header (definite or indefinite length).
pub fn outer_type(cms: &[u8]) -> &'static str {
    let header = match cms.get(1) {
        Some(0x80) => 2,
        Some(b) if *b < 0x80 => 2,
        Some(b) => 2 + usize::from(b & 0x7F),
        None => return "other",
    };
    let rest = cms.get(header..).unwrap_or_default();
    if rest.starts_with(&OID_AUTH_ENVELOPED) {
        "authEnvelopedData"
    } else if rest.starts_with(&OID_ENVELOPED) {
        "envelopedData"
    } else {
        "other"
    }
}

/// The base64 body of an S/MIME entity, decoded.
pub fn smime_body(entity: &[u8]) -> Vec<u8> {
    // OpenSSL writes LF line endings, pqsmime CRLF.
    let at = [&b"\r\n\r\n"[..], b"\n\n"]
        .iter()
        .filter_map(|sep| crate::common::find(entity, sep).map(|i| i + sep.len()))
        .min()
        .unwrap_or_else(|| panic!("no empty line in the S/MIME entity"));
    let text: String = String::from_utf8_lossy(&entity[at..])
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(&text).unwrap_or_else(|e| panic!("the S/MIME body is not base64: {e}"))
}

/// An S/MIME application/pkcs7-mime entity around `cms`, 76-column base64.
pub fn smime_entity(cms: &[u8], smime_type: &str) -> Vec<u8> {
    use base64ct::{Base64, Encoding};
    let mut out = format!(
        "MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    .into_bytes();
    for chunk in cms.chunks(57) {
        out.extend_from_slice(Base64::encode_string(chunk).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Asserts a failed decryption was reported the one generic way: exit 1 and exactly
/// `pqsmime: error: decryption failed` on stderr, nothing on stdout.
pub fn assert_generic_failure(out: &crate::common::Out, context: &[&crate::common::Out]) {
    out.expect_code(1, context);
    if out.stderr != "pqsmime: error: decryption failed\n" || !out.stdout.is_empty() {
        crate::common::fail(
            "expected only `pqsmime: error: decryption failed` on stderr and nothing on stdout",
            &[context, &[out]].concat(),
        );
    }
}

/// DER length octets.
fn der_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// Rebuilds a definite-length DER message, replacing every element whose encoding `f` maps
/// to something (the replacement is used as is), and re-encoding the lengths of the
/// constructed elements around it. Primitive elements are never looked into.
pub fn rewrite(der: &[u8], f: &dyn Fn(&[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    fn walk(buf: &[u8], t: &crate::common::Tlv, f: &dyn Fn(&[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
        let raw = &buf[t.start..t.end];
        if let Some(r) = f(raw) {
            return r;
        }
        if !t.constructed() {
            return raw.to_vec();
        }
        let mut body = Vec::new();
        for c in crate::common::children(buf, t).expect("walkable DER") {
            body.extend(walk(buf, &c, f));
        }
        let mut out = vec![t.tag];
        out.extend(der_len(body.len()));
        out.extend(body);
        out
    }
    let top = crate::common::tlv_at(der, 0).expect("a DER message");
    walk(der, &top, f)
}

/// The raw encodings of every element with `tag` whose content length is `len`, in order.
pub fn elements_with(der: &[u8], tag: u8, len: usize) -> Vec<Vec<u8>> {
    fn walk(buf: &[u8], t: &crate::common::Tlv, tag: u8, len: usize, out: &mut Vec<Vec<u8>>) {
        if t.tag == tag && t.content.1 - t.content.0 == len {
            out.push(buf[t.start..t.end].to_vec());
        }
        if t.constructed() {
            for c in crate::common::children(buf, t).expect("walkable DER") {
                walk(buf, &c, tag, len, out);
            }
        }
    }
    let mut out = Vec::new();
    let top = crate::common::tlv_at(der, 0).expect("a DER message");
    walk(der, &top, tag, len, &mut out);
    out
}

/// Address space `pqsmime_bounded` allows the process (`ulimit -v`), in KiB.
pub const ADDRESS_SPACE_KIB: u64 = 256 * 1024;

/// Runs `pqsmime ARGS` with its address space limited to [`ADDRESS_SPACE_KIB`] (bash's
/// `ulimit -v`, so a process that tried to hold a large message would fail) and, when GNU time
/// is installed, measures its peak RSS in KiB.
pub fn pqsmime_bounded(args: &[&str]) -> (crate::common::Out, Option<u64>) {
    let time = Path::new("/usr/bin/time");
    let marker = "PQSMIME_PEAK_KIB=";
    let mut script = format!("ulimit -v {ADDRESS_SPACE_KIB}; exec ");
    if time.is_file() {
        script.push_str(&format!("/usr/bin/time -f {marker}%M "));
    }
    script.push_str("\"$@\"");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("bash")
        .arg(crate::common::pqsmime_bin())
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run pqsmime under bash");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(marker))
        .and_then(|v| v.trim().parse::<u64>().ok());
    let run = crate::common::Out {
        cmdline: format!("pqsmime {} (ulimit -v {ADDRESS_SPACE_KIB})", args.join(" ")),
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: stderr
            .lines()
            .filter(|l| !l.starts_with(marker))
            .map(|l| format!("{l}\n"))
            .collect(),
    };
    if run.stderr.contains("panicked") {
        crate::common::fail("pqsmime panicked", &[&run]);
    }
    (run, peak)
}
