//! Shared helpers for the interoperability tests: finding the OpenSSL 4 peer, running
//! `pqsmime` and `openssl`, per-algorithm PKI fixtures, and a small DER walker used to
//! tamper with exactly the byte a test means to tamper with.
//!
//! Every test binary includes this module with `#[macro_use] mod common;`; not every binary
//! uses every helper.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};

/// Every algorithm the interop matrix covers, as `pqsmime --alg` spells it.
pub const ALGS: [&str; 8] = [
    "ml-dsa-44",
    "ml-dsa-65",
    "ml-dsa-87",
    "slh-dsa-sha2-128f",
    "slh-dsa-shake-128f",
    "rsa-2048",
    "ec-p256",
    "ed25519",
];

/// The e-mail address every end-entity fixture certificate carries.
pub const EMAIL: &str = "alice@example.com";

/// How long one external command may run before the test fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(180);

/// Generates one `mod <name> { #[test] fn <case>() { super::<case>("<alg>") } ... }` per
/// algorithm, so every (algorithm, case) pair is its own named test.
///
/// ```ignore
/// alg_tests!([ml_dsa_44 = "ml-dsa-44", ec_p256 = "ec-p256"] => [der_encapsulated, der_detached]);
/// ```
#[allow(unused_macros)]
macro_rules! alg_tests {
    ([$($m:ident = $alg:literal),* $(,)?] => $cases:tt) => {
        $( alg_tests!(@one $m, $alg, $cases); )*
    };
    (@one $m:ident, $alg:literal, [$($case:ident),* $(,)?]) => {
        mod $m {
            $(
                #[test]
                fn $case() {
                    super::$case($alg)
                }
            )*
        }
    };
}

// ---------------------------------------------------------------------------------------
// Peer discovery
// ---------------------------------------------------------------------------------------

/// The OpenSSL 4 binary: `$PQSMIME_OPENSSL`, else `~/.cache/pqsmime/openssl-4.0.3/bin/openssl`.
/// Panics (the test fails, it is not skipped) when the peer is missing or is not OpenSSL 4.
pub fn openssl_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let candidate = match std::env::var_os("PQSMIME_OPENSSL") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => {
                let home = std::env::var_os("HOME").unwrap_or_default();
                PathBuf::from(home).join(".cache/pqsmime/openssl-4.0.3/bin/openssl")
            }
        };
        if !candidate.is_file() {
            panic!(
                "the OpenSSL 4 interop peer was not found at {} (set PQSMIME_OPENSSL or run \
                 `.ci/build-openssl4.sh`, which builds and caches it in ~/.cache/pqsmime)",
                candidate.display()
            );
        }
        let out = Command::new(&candidate)
            .arg("version")
            .env("OPENSSL_CONF", openssl_conf_for(&candidate))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", candidate.display()));
        let version = String::from_utf8_lossy(&out.stdout);
        if !version.starts_with("OpenSSL 4.") {
            panic!(
                "{} is not OpenSSL 4 (it says {:?}); run `.ci/build-openssl4.sh` and point \
                 PQSMIME_OPENSSL at the binary it prints",
                candidate.display(),
                version.trim()
            );
        }
        candidate
    })
}

fn openssl_conf_for(bin: &Path) -> PathBuf {
    // <prefix>/bin/openssl -> <prefix>/ssl/openssl.cnf
    let prefix = bin
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("/"));
    prefix.join("ssl/openssl.cnf")
}

// ---------------------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------------------

/// What one command did.
#[derive(Clone, Debug)]
pub struct Out {
    pub cmdline: String,
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Out {
    /// A readable account of the run, for failure messages.
    pub fn describe(&self) -> String {
        let stdout = if self.stdout.len() > 2000 {
            format!(
                "{}... ({} bytes)",
                String::from_utf8_lossy(&self.stdout[..2000]),
                self.stdout.len()
            )
        } else {
            String::from_utf8_lossy(&self.stdout).into_owned()
        };
        format!(
            "$ {}\nexit code: {}\n--- stderr ---\n{}\n--- stdout ---\n{}\n",
            self.cmdline, self.code, self.stderr, stdout
        )
    }

    /// Panics unless the exit code is `code`; `context` lists related runs to print too.
    pub fn expect_code(&self, code: i32, context: &[&Out]) -> &Self {
        if self.code != code {
            fail(
                &format!("expected exit code {code}, got {}", self.code),
                &[context, &[self]].concat(),
            );
        }
        self
    }

    pub fn ok(&self, context: &[&Out]) -> &Self {
        self.expect_code(0, context)
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Fails the test with `msg` and the full account of every run in `runs`.
pub fn fail(msg: &str, runs: &[&Out]) -> ! {
    let mut text = format!("{msg}\n");
    for r in runs {
        text.push('\n');
        text.push_str(&r.describe());
    }
    panic!("{text}");
}

fn run(mut cmd: Command, cmdline: String, stdin: Option<&[u8]>) -> Out {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    // While developers rebuild in the same target directory, the binary can vanish for a
    // moment (cargo replaces it); retry briefly before calling that a failure.
    let mut attempts = 0;
    let mut child = loop {
        match cmd.spawn() {
            Ok(c) => break c,
            Err(e)
                if attempts < 100
                    && (e.kind() == std::io::ErrorKind::NotFound
                        || e.raw_os_error() == Some(26)) =>
            {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("cannot start `{cmdline}`: {e}"),
        }
    };
    let writer = match (stdin, child.stdin.take()) {
        (Some(data), Some(mut pipe)) => {
            let data = data.to_vec();
            Some(std::thread::spawn(move || {
                // The child may exit before reading everything; that is its business.
                let _ = pipe.write_all(&data);
            }))
        }
        _ => None,
    };
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("`{cmdline}` did not finish within {COMMAND_TIMEOUT:?}; killed it");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for `{cmdline}` failed: {e}"),
        }
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    // A signal (no exit code) is reported as -1; every test then fails on it.
    let code = status.code().unwrap_or(-1);
    Out {
        cmdline,
        code,
        stdout,
        stderr,
    }
}

fn cmdline_of<S: AsRef<OsStr>>(program: &str, args: &[S]) -> String {
    let mut s = program.to_string();
    for a in args {
        s.push(' ');
        let a = a.as_ref().to_string_lossy();
        if a.is_empty() || a.contains(' ') {
            s.push_str(&format!("'{a}'"));
        } else {
            s.push_str(&a);
        }
    }
    s
}

/// Path of the `pqsmime` binary under test.
pub fn pqsmime_bin() -> &'static str {
    env!("CARGO_BIN_EXE_pqsmime")
}

/// Runs `pqsmime ARGS` with optional stdin. Fails the test on any sign of a panic, whatever
/// the exit code, since no input may make pqsmime panic.
pub fn pqsmime<S: AsRef<OsStr>>(args: &[S], stdin: Option<&[u8]>) -> Out {
    let mut cmd = Command::new(pqsmime_bin());
    cmd.args(args).env("RUST_BACKTRACE", "0");
    let out = run(cmd, cmdline_of("pqsmime", args), stdin);
    if out.stderr.contains("panicked") || out.code == 101 || out.code < 0 {
        fail("pqsmime panicked or was killed by a signal", &[&out]);
    }
    out
}

/// Runs `openssl ARGS` (the OpenSSL 4 peer) with optional stdin.
pub fn openssl<S: AsRef<OsStr>>(args: &[S], stdin: Option<&[u8]>) -> Out {
    let bin = openssl_bin();
    let mut cmd = Command::new(bin);
    cmd.args(args).env("OPENSSL_CONF", openssl_conf_for(bin));
    run(cmd, cmdline_of("openssl", args), stdin)
}

/// `Path` → `&str` for argument lists (all our temporary paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

// ---------------------------------------------------------------------------------------
// Files and data
// ---------------------------------------------------------------------------------------

/// A fresh temporary directory, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("pqsmime-it-")
        .tempdir()
        .expect("create a temporary directory")
}

pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

pub fn write(p: &Path, data: &[u8]) {
    std::fs::write(p, data).unwrap_or_else(|e| panic!("cannot write {}: {e}", p.display()))
}

/// Deterministic pseudo-random bytes (xorshift64*), including CR, LF and NUL, for binary
/// content that must survive byte-exact.
pub fn pseudo_random(seed: &str, len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in seed.bytes() {
        x = (x ^ u64::from(b)).wrapping_mul(0x1000_0000_01B3);
    }
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A small MIME entity in canonical form (CRLF), suitable as S/MIME content.
pub fn mime_text(tag: &str) -> Vec<u8> {
    format!(
        "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello from the pqsmime interop \
         tests ({tag}).\r\nA second line, with trailing text.\r\n"
    )
    .into_bytes()
}

/// Decodes the first PEM block with `label` in `text`.
pub fn pem_decode(text: &[u8], label: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text
        .find(&begin)
        .unwrap_or_else(|| panic!("no PEM block {label:?} in:\n{text}"))
        + begin.len();
    let stop = text[start..]
        .find(&end)
        .unwrap_or_else(|| panic!("unterminated PEM block {label:?} in:\n{text}"))
        + start;
    let b64: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Base64::decode_vec(&b64).unwrap_or_else(|e| panic!("bad base64 in PEM {label:?}: {e}"))
}

/// Encodes `der` as PEM with `label` (64-column lines, LF).
pub fn pem_encode(der: &[u8], label: &str) -> Vec<u8> {
    let b64 = Base64::encode_string(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out.into_bytes()
}

/// Position of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of a MIME header parameter (e.g. `micalg`) anywhere in the top-level headers.
pub fn mime_param(entity: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(entity);
    let headers_end = text.find("\r\n\r\n").or_else(|| text.find("\n\n"))?;
    // Unfold header continuation lines.
    let headers = text[..headers_end]
        .replace("\r\n ", " ")
        .replace("\r\n\t", " ")
        .replace("\n ", " ")
        .replace("\n\t", " ");
    let lower = headers.to_ascii_lowercase();
    let key = format!("{}=", name.to_ascii_lowercase());
    let mut from = 0;
    while let Some(i) = lower[from..].find(&key) {
        let at = from + i;
        let prev = lower[..at].chars().last();
        if matches!(prev, Some(';') | Some(' ') | Some('\t')) {
            let rest = &headers[at + key.len()..];
            let value = if let Some(r) = rest.strip_prefix('"') {
                r.split('"').next().unwrap_or("").to_string()
            } else {
                rest.split(|c: char| c == ';' || c.is_whitespace())
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            return Some(value);
        }
        from = at + key.len();
    }
    None
}

/// The top-level `Content-Type` value (without parameters), lower case.
pub fn mime_content_type(entity: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(entity);
    let headers_end = text.find("\r\n\r\n").or_else(|| text.find("\n\n"))?;
    for line in text[..headers_end].lines() {
        if let Some((k, v)) = line.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-type") {
                return Some(v.split(';').next()?.trim().to_ascii_lowercase());
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// A small BER/DER walker (definite and indefinite lengths, low tag numbers)
// ---------------------------------------------------------------------------------------

/// One TLV: `tag` is the identifier octet; `content` is the value range (for indefinite
/// lengths, up to the end-of-contents octets); `end` is one past the whole element.
#[derive(Clone, Copy, Debug)]
pub struct Tlv {
    pub tag: u8,
    pub start: usize,
    pub content: (usize, usize),
    pub end: usize,
}

impl Tlv {
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
    pub fn value<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        &buf[self.content.0..self.content.1]
    }
}

/// Parses the TLV at `pos`.
pub fn tlv_at(buf: &[u8], pos: usize) -> Result<Tlv, String> {
    let tag = *buf.get(pos).ok_or("truncated before tag")?;
    if tag & 0x1f == 0x1f {
        return Err(format!(
            "high tag number at {pos} not supported by the test walker"
        ));
    }
    let l0 = *buf.get(pos + 1).ok_or("truncated before length")?;
    let mut p = pos + 2;
    if l0 == 0x80 {
        // Indefinite: walk children to the end-of-contents octets.
        let content_start = p;
        loop {
            if buf.get(p..p + 2) == Some(&[0, 0]) {
                return Ok(Tlv {
                    tag,
                    start: pos,
                    content: (content_start, p),
                    end: p + 2,
                });
            }
            let child = tlv_at(buf, p)?;
            p = child.end;
        }
    }
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n > 4 {
            return Err(format!("length of length {n} at {pos}"));
        }
        let mut len = 0usize;
        for _ in 0..n {
            len = (len << 8) | usize::from(*buf.get(p).ok_or("truncated in length")?);
            p += 1;
        }
        len
    };
    let end = p.checked_add(len).ok_or("length overflow")?;
    if end > buf.len() {
        return Err(format!("element at {pos} runs past the end"));
    }
    Ok(Tlv {
        tag,
        start: pos,
        content: (p, end),
        end,
    })
}

/// The children of a constructed element.
pub fn children(buf: &[u8], t: &Tlv) -> Result<Vec<Tlv>, String> {
    let mut out = Vec::new();
    let mut p = t.content.0;
    while p < t.content.1 {
        let c = tlv_at(buf, p)?;
        p = c.end;
        out.push(c);
    }
    Ok(out)
}

/// The parts of one SignerInfo a test may want to tamper with.
#[derive(Clone, Copy, Debug)]
pub struct SignerInfoParts {
    pub digest_oid: Tlv,
    pub signature_alg_oid: Tlv,
    pub signature: Tlv,
    pub has_signed_attrs: bool,
}

/// Locates the SignerInfos of a SignedData ContentInfo (DER or BER).
pub fn signer_infos(cms: &[u8]) -> Result<Vec<SignerInfoParts>, String> {
    let ci = tlv_at(cms, 0)?;
    let ci_kids = children(cms, &ci)?;
    let explicit = ci_kids.get(1).ok_or("ContentInfo has no [0] content")?;
    let sd = *children(cms, explicit)?
        .first()
        .ok_or("empty [0] in ContentInfo")?;
    let sd_kids = children(cms, &sd)?;
    let sis = sd_kids.last().ok_or("empty SignedData")?;
    if sis.tag != 0x31 {
        return Err(format!(
            "last SignedData field has tag {:#x}, not SET",
            sis.tag
        ));
    }
    let mut out = Vec::new();
    for si in children(cms, sis)? {
        let kids = children(cms, &si)?;
        let sig_idx = kids
            .iter()
            .position(|k| k.tag == 0x04)
            .ok_or("SignerInfo has no signature OCTET STRING")?;
        let sig_alg = kids
            .get(sig_idx.checked_sub(1).ok_or("no signatureAlgorithm")?)
            .ok_or("no signatureAlgorithm")?;
        let sig_alg_oid = *children(cms, sig_alg)?
            .first()
            .ok_or("empty signatureAlgorithm")?;
        let digest_alg = kids.get(2).ok_or("SignerInfo has no digestAlgorithm")?;
        let digest_oid = *children(cms, digest_alg)?
            .first()
            .ok_or("empty digestAlgorithm")?;
        out.push(SignerInfoParts {
            digest_oid,
            signature_alg_oid: sig_alg_oid,
            signature: kids[sig_idx],
            has_signed_attrs: kids.iter().any(|k| k.tag == 0xA0),
        });
    }
    Ok(out)
}

/// Dotted form of a DER OBJECT IDENTIFIER value.
pub fn oid_string(value: &[u8]) -> String {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc = 0u64;
    for &b in value {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = if acc < 80 { acc / 40 } else { 2 };
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

/// The RFC 8551 micalg token for a digest OID, or `None` when RFC 8551 defines none.
pub fn micalg_token(digest_oid: &str) -> Option<&'static str> {
    match digest_oid {
        "1.3.14.3.2.26" => Some("sha-1"),
        "2.16.840.1.101.3.4.2.4" => Some("sha-224"),
        "2.16.840.1.101.3.4.2.1" => Some("sha-256"),
        "2.16.840.1.101.3.4.2.2" => Some("sha-384"),
        "2.16.840.1.101.3.4.2.3" => Some("sha-512"),
        _ => None,
    }
}

/// Flips one bit in the SignerInfo signature of `cms` (signer `index`): the middle byte, or
/// for ECDSA (whose signature is itself DER) the last byte so the encoding stays intact.
pub fn flip_signature(cms: &[u8], index: usize) -> Vec<u8> {
    let parts = signer_infos(cms).unwrap_or_else(|e| panic!("cannot walk the CMS: {e}"));
    let si = parts
        .get(index)
        .unwrap_or_else(|| panic!("no SignerInfo #{index}"));
    let (a, b) = si.signature.content;
    assert!(b > a, "empty signature");
    let sig_alg = oid_string(si.signature_alg_oid.value(cms));
    let at = if sig_alg.starts_with("1.2.840.10045.4.") {
        b - 1
    } else {
        a + (b - a) / 2
    };
    let mut out = cms.to_vec();
    out[at] ^= 0x01;
    out
}

/// Flips one bit in the first occurrence of `content` (at least 16 bytes long) in `msg`.
pub fn flip_content(msg: &[u8], content: &[u8]) -> Vec<u8> {
    let probe = &content[..content.len().min(32)];
    let at = find(msg, probe).unwrap_or_else(|| panic!("content not found in the message"));
    let mut out = msg.to_vec();
    out[at + probe.len() / 2] ^= 0x01;
    out
}

// ---------------------------------------------------------------------------------------
// Per-algorithm PKI fixtures
// ---------------------------------------------------------------------------------------

/// A CA and one end-entity signing certificate, all made by `pqsmime`.
#[derive(Clone, Debug)]
pub struct Pki {
    pub alg: String,
    pub dir: PathBuf,
    pub ca_key: PathBuf,
    pub ca_crt: PathBuf,
    pub ee_key: PathBuf,
    pub ee_pub: PathBuf,
    pub ee_crt: PathBuf,
}

fn fixture_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pqsmime-interop");
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
    })
}

/// Generates a key with `pqsmime key gen`; returns its path.
pub fn gen_key(dir: &Path, alg: &str, name: &str) -> Result<PathBuf, String> {
    let key = dir.join(name);
    let out = pqsmime(&["key", "gen", "--alg", alg, "-o", s(&key)], None);
    if out.code != 0 {
        return Err(out.describe());
    }
    Ok(key)
}

fn make_pki(alg: &str, dir: &Path, tag: &str) -> Result<Pki, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let ca_key = gen_key(dir, alg, "ca.key")?;
    let ca_crt = dir.join("ca.crt");
    let subject = format!("CN=pqsmime interop {tag} root {alg},O=pqsmime tests,C=DE");
    let out = pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&ca_key),
            "--subject",
            &subject,
            "--days",
            "30",
            "-o",
            s(&ca_crt),
        ],
        None,
    );
    if out.code != 0 {
        return Err(out.describe());
    }
    let ee_key = gen_key(dir, alg, "ee.key")?;
    let ee_pub = dir.join("ee.pub");
    let out = pqsmime(&["key", "pub", s(&ee_key), "-o", s(&ee_pub)], None);
    if out.code != 0 {
        return Err(out.describe());
    }
    let ee_crt = dir.join("ee.crt");
    let out = pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(&ca_crt),
            "--ca-key",
            s(&ca_key),
            "--pub",
            s(&ee_pub),
            "--email",
            EMAIL,
            "--usage",
            "sign",
            "--profile",
            "test",
            "--days",
            "30",
            "-o",
            s(&ee_crt),
        ],
        None,
    );
    if out.code != 0 {
        return Err(out.describe());
    }
    Ok(Pki {
        alg: alg.to_string(),
        dir: dir.to_path_buf(),
        ca_key,
        ca_crt,
        ee_key,
        ee_pub,
        ee_crt,
    })
}

type Slot = Arc<OnceLock<Result<Pki, String>>>;

fn pki_named(alg: &str, tag: &str) -> Pki {
    static SLOTS: OnceLock<Mutex<HashMap<String, Slot>>> = OnceLock::new();
    let key = format!("{tag}/{alg}");
    let slot = {
        let mut map = SLOTS
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.entry(key.clone()).or_default().clone()
    };
    let result = slot.get_or_init(|| make_pki(alg, &fixture_root().join(&key), tag));
    match result {
        Ok(p) => p.clone(),
        Err(e) => panic!("could not build the {alg} test PKI with pqsmime:\n{e}"),
    }
}

/// The shared CA + end-entity fixture for `alg` (built once per test binary).
pub fn pki(alg: &str) -> Pki {
    pki_named(alg, "main")
}

/// A second, unrelated CA + end entity for `alg` (for wrong-trust-anchor tests).
pub fn other_pki(alg: &str) -> Pki {
    pki_named(alg, "other")
}

// ---------------------------------------------------------------------------------------
// Common checks
// ---------------------------------------------------------------------------------------

/// Asserts the output file of a run equals `expected`, byte for byte.
pub fn assert_file_eq(path: &Path, expected: &[u8], what: &str, runs: &[&Out]) {
    let got = match std::fs::read(path) {
        Ok(g) => g,
        Err(e) => fail(
            &format!("{what}: output file {} missing: {e}", path.display()),
            runs,
        ),
    };
    if got != expected {
        fail(
            &format!(
                "{what}: output differs from the signed content ({} bytes vs {} expected; \
                 first difference at byte {:?})\n got: {:?}\nwant: {:?}",
                got.len(),
                expected.len(),
                got.iter().zip(expected).position(|(a, b)| a != b),
                String::from_utf8_lossy(&got[..got.len().min(200)]),
                String::from_utf8_lossy(&expected[..expected.len().min(200)]),
            ),
            runs,
        );
    }
}

/// Asserts a failed pqsmime run reported an input error the contract's way: exit 2 and
/// exactly one non-empty stderr line starting `pqsmime: error:`.
pub fn assert_input_error(out: &Out, context: &[&Out]) {
    out.expect_code(2, context);
    assert_one_error_line(out, context);
}

/// Asserts stderr is exactly one line starting `pqsmime: error:`.
pub fn assert_one_error_line(out: &Out, context: &[&Out]) {
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    if lines.len() != 1 || !lines[0].starts_with("pqsmime: error:") {
        fail(
            &format!(
                "expected exactly one stderr line starting `pqsmime: error:`, got {} line(s)",
                lines.len()
            ),
            &[context, &[out]].concat(),
        );
    }
}

/// Like [`assert_input_error`], for a message that was read far enough for `verify` to print
/// its per-signer report on stderr (cli.md: the human-readable report goes to stderr): the
/// report may precede the error, but there is exactly one `pqsmime: error:` line and it is
/// the last line.
pub fn assert_input_error_after_report(out: &Out, context: &[&Out]) {
    out.expect_code(2, context);
    assert_final_error_line(out, context);
}

/// Asserts stderr has exactly one line starting `pqsmime: error:`, and that it is the last.
pub fn assert_final_error_line(out: &Out, context: &[&Out]) {
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let errors = lines
        .iter()
        .filter(|l| l.starts_with("pqsmime: error:"))
        .count();
    let last_ok = lines
        .last()
        .is_some_and(|l| l.starts_with("pqsmime: error:"));
    if errors != 1 || !last_ok {
        fail(
            &format!(
                "expected exactly one stderr line starting `pqsmime: error:`, as the last line \
                 (got {errors} such line(s))"
            ),
            &[context, &[out]].concat(),
        );
    }
}

/// `openssl cms -cmsout -print` of a DER message, for failure diagnostics.
pub fn openssl_print_der(path: &Path) -> Out {
    openssl(
        &["cms", "-cmsout", "-print", "-inform", "DER", "-in", s(path)],
        None,
    )
}
