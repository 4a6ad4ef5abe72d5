//! `pqsmime verify`.
//!
//! Three paths:
//! * **Whole messages and MIME entities** (anything that is not DER/PEM): the library's
//!   layer walker ([`pqsmime::smime::open`]) opens every layer (multipart/signed,
//!   application/pkcs7-mime signed-data / enveloped-data / authEnveloped-data, message/rfc822
//!   wrappers), decrypting with `--decrypt-cert/--decrypt-key`, checks each signer against
//!   the From address and compares protected header fields with the outer ones. The report has
//!   one block per layer; OUT gets the message without its S/MIME layers. The input is
//!   spooled, never held whole in memory.
//! * **DER/PEM CMS**, or any input with `--content FILE`: `smime::detect` and one SignedData;
//!   `--content` supplies detached content. Detached content is streamed into the library's
//!   digest while a copy goes to an anonymous temporary file; that copy, and only that copy,
//!   is what gets written out, so the output is exactly the bytes that were verified.
//! * **Batch** (`--maildir DIR`, `--mbox FILE`): every message through the walker, one line
//!   each, a progress bar on a terminal.
//!
//! The report goes to stderr; the content goes to `-o OUT` or stdout only when the message is
//! valid, or, with `--json`, one JSON object goes to stdout and the content only to `-o`.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pqsmime::asn1::{self, Reader};
use pqsmime::cms::enveloped::DecryptionKey;
use pqsmime::cms::signed::{self, SignerReport, VerifyOptions, VerifyReport};
use pqsmime::keys::PrivateKey;
use pqsmime::smime::batch::{MailboxMessage, Maildir, Mbox};
use pqsmime::smime::headers::{FieldStatus, Scheme};
use pqsmime::smime::open::{reply_certificates, MAX_LAYERS};
use pqsmime::smime::{self, Blob, ContentType, Input, LayerKind, OpenOptions, Opened};
use pqsmime::x509::Certificate;
use pqsmime::{alg, oids};
use serde_json::{json, Value};

use crate::cli::verify::{PolicyArg, VerifyArgs};
use crate::commands::decrypt::Destination;
use crate::commands::encrypt::ProgressReader;
use crate::commands::{load_cert_and_rest, load_certs, load_private_key};
use crate::error::{io_reason, sanitize, CliError, CliResult, Context, Exit};
use crate::io::{stderr_is_terminal, Output, Secrecy, Source};

/// Where the signed content will come from once the message is found valid.
enum Content {
    None,
    Bytes(Vec<u8>),
    Spooled(File),
}

/// DER/PEM CMS held in memory at most this large.
const MAX_CMS_INPUT: usize = 1 << 30;

pub fn run(a: VerifyArgs) -> CliResult<ExitCode> {
    let mut opts = VerifyOptions {
        no_chain: a.no_chain,
        policy: a.policy.policy(),
        ..VerifyOptions::default()
    };
    for p in &a.trust {
        opts.trust.extend(load_certs(p, "trust anchor")?);
    }
    for p in &a.certs {
        opts.extra_certs.extend(load_certs(p, "certificate")?);
    }
    for p in &a.crl {
        let data = crate::io::read_file(p, "CRL")?;
        opts.crls.extend(
            pqsmime::x509::Crl::from_pem_or_der(&data)
                .ctx(|| format!("reading CRL {}", p.display()))?,
        );
    }
    let ids = load_decryption_ids(&a.decrypt_cert, &a.decrypt_key)?;
    let mut keys = Vec::with_capacity(ids.len());
    for (i, (cert, key)) in ids.iter().enumerate() {
        keys.push(DecryptionKey::new(cert, key).ctx(|| {
            format!(
                "--decrypt-cert {}",
                a.decrypt_cert
                    .get(i)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        })?);
    }
    let open_opts = OpenOptions {
        verify: opts,
        keys,
        max_layers: MAX_LAYERS,
    };

    if let Some(dir) = &a.maildir {
        let md = Maildir::open(dir).ctx(|| "--maildir")?;
        let total = md.len() as u64;
        return run_batch(md, Progress::Count(total), &a, &open_opts, |_| None);
    }
    if let Some(path) = &a.mbox {
        let size = std::fs::metadata(path).map(|m| m.len()).ok();
        let mbox = Mbox::open(path).ctx(|| "--mbox")?;
        return run_batch(
            mbox,
            Progress::Bytes(size),
            &a,
            &open_opts,
            |m: &Mbox<File>| Some(m.bytes_read()),
        );
    }

    let source = Source::from_arg(a.input.input.as_deref());
    if matches!(source, Source::Stdin) && a.content.is_none() {
        // Binary CMS on standard input streams straight through (a pipe from `decrypt`),
        // anything else is spooled for the detectors below.
        let mut stdin = io::stdin().lock();
        let head = read_head(&mut stdin, 64)
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}")))?;
        let rest = io::Cursor::new(head.clone()).chain(stdin);
        if head.first() == Some(&0x30) {
            return run_cms_stream(&a, &open_opts.verify, &source, rest, None, &head);
        }
        let blob = Blob::read_from(rest)
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}")))?;
        return run_spooled(&a, &open_opts, &source, blob);
    }
    let blob = read_input(&source)?;
    run_spooled(&a, &open_opts, &source, blob)
}

/// Up to `n` bytes from the start of `r` (fewer only at the end of the input).
fn read_head(r: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(n);
    r.by_ref().take(n as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// A single input held as a [`Blob`]: binary CMS streams from it, DER/PEM CMS (or any input
/// with `--content`) goes to [`run_cms`], everything else is a message for the layer walker.
fn run_spooled(
    a: &VerifyArgs,
    open_opts: &OpenOptions<'_>,
    source: &Source,
    blob: Blob,
) -> CliResult<ExitCode> {
    let head = blob
        .prefix(64)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", source.describe())))?;
    if a.content.is_none() && head.first() == Some(&0x30) {
        return run_cms_stream(
            a,
            &open_opts.verify,
            source,
            blob.reader(),
            Some(blob.len()),
            &head,
        );
    }
    if a.content.is_some() || is_cms_input(&head) {
        let data = blob
            .to_vec(MAX_CMS_INPUT, "the CMS input")
            .ctx(|| format!("reading {}", source.describe()))?;
        drop(blob);
        return run_cms(a, &open_opts.verify, source, &data);
    }
    run_message(a, open_opts, &blob, source)
}

/// `--decrypt-cert`/`--decrypt-key` pairs.
fn load_decryption_ids(
    certs: &[PathBuf],
    keys: &[PathBuf],
) -> CliResult<Vec<(Certificate, PrivateKey)>> {
    if certs.len() != keys.len() {
        return Err(CliError::input(format!(
            "--decrypt-cert was given {} time(s) and --decrypt-key {} time(s); each --decrypt-cert needs the --decrypt-key in the same position",
            certs.len(),
            keys.len()
        )));
    }
    let mut out = Vec::with_capacity(certs.len());
    for (c, k) in certs.iter().zip(keys) {
        let (cert, _) = load_cert_and_rest(c, "decryption certificate")?;
        let key = load_private_key(k, "decryption key")?;
        out.push((cert, key));
    }
    Ok(out)
}

/// The input as a blob: a file is read in place, standard input is spooled.
fn read_input(source: &Source) -> CliResult<Blob> {
    match source {
        Source::Stdin => Blob::read_from(io::stdin().lock())
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}"))),
        Source::File(p) => {
            let meta = std::fs::metadata(p).map_err(|e| CliError::io("read", p, e))?;
            if meta.is_dir() {
                return Err(CliError::input(format!(
                    "cannot read {}: it is a directory",
                    p.display()
                )));
            }
            let f = File::open(p).map_err(|e| CliError::io("read", p, e))?;
            if meta.is_file() {
                Blob::from_file(f)
                    .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))
            } else {
                Blob::read_from(f)
                    .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))
            }
        }
    }
}

/// DER, PEM, or nothing at all (those go to `smime::detect`, which names the problem).
fn is_cms_input(head: &[u8]) -> bool {
    let t = head.trim_ascii_start();
    t.is_empty() || t[0] == 0x30 || t.starts_with(b"-----BEGIN ")
}

/// One SignedData from DER, PEM or a MIME entity (with `--content`).
fn run_cms(
    a: &VerifyArgs,
    opts: &VerifyOptions,
    source: &Source,
    data: &[u8],
) -> CliResult<ExitCode> {
    let detected = smime::detect(data).ctx(|| format!("reading {}", source.describe()))?;
    let want_content = !(a.json && a.output.output.is_none());

    let (report, content, framing) = match detected {
        Input::MultipartSigned {
            content, signature, ..
        } => {
            if a.content.is_some() {
                return Err(CliError::input(
                    "--content is for detached DER or PEM signatures; this multipart/signed message carries its content",
                ));
            }
            check_signed_data(&signature, source)?;
            let mut reader: &[u8] = &content;
            let report = signed::verify(&signature, Some(&mut reader), opts)
                .ctx(|| format!("verifying {}", source.describe()))?;
            (report, Content::Bytes(content), "multipart/signed")
        }
        Input::Cms { der, smime_type } => {
            check_signed_data(&der, source)?;
            let framing = if smime_type.is_some() {
                "application/pkcs7-mime"
            } else {
                "CMS"
            };
            match &a.content {
                None => {
                    let report = signed::verify(&der, None, opts)
                        .ctx(|| format!("verifying {}", source.describe()))?;
                    let content = match &report.content {
                        Some(c) => Content::Bytes(c.clone()),
                        None => Content::None,
                    };
                    (report, content, framing)
                }
                Some(path) => {
                    let file =
                        File::open(path).map_err(|e| CliError::io("read content", path, e))?;
                    let mut spool = if want_content {
                        Some(tempfile::tempfile().map_err(|e| {
                            CliError::input(format!(
                                "cannot create a temporary file: {}",
                                io_reason(&e)
                            ))
                        })?)
                    } else {
                        None
                    };
                    let mut tee = Tee {
                        inner: file,
                        copy: spool.as_mut(),
                    };
                    let report = signed::verify(&der, Some(&mut tee), opts).ctx(|| {
                        format!(
                            "verifying {} with content {}",
                            source.describe(),
                            path.display()
                        )
                    })?;
                    let content = match spool {
                        Some(f) => Content::Spooled(f),
                        None => Content::None,
                    };
                    (report, content, framing)
                }
            }
        }
    };

    report_cms(a, &report, framing)?;
    if want_content {
        let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
        match content {
            Content::None => {}
            Content::Bytes(b) => out.put(&b)?,
            Content::Spooled(mut f) => {
                f.rewind()
                    .and_then(|_| io::copy(&mut f, &mut out).map(|_| ()))
                    .map_err(|e| out.error(e))?;
            }
        }
        out.commit()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the report of one SignedData (stderr, and `--json` on stdout); an invalid report
/// becomes the error (exit 1, or 2 when nothing could be checked).
fn report_cms(a: &VerifyArgs, report: &VerifyReport, framing: &str) -> CliResult<ExitCode> {
    // When nothing could be checked (every failure is the input's fault: unsupported
    // algorithm, malformed signer), the error sentence alone is the report (exit 2).
    let input_failure = !report.valid && failure_exit(report) == Exit::Input;
    if !input_failure {
        let _ = std::io::stderr().write_all(human_report(report, a.policy, a.no_chain).as_bytes());
    }
    if a.json {
        let mut out = Output::stdout();
        let mut text = serde_json::to_string_pretty(&json_report(report, a.policy, framing))
            .map_err(|e| CliError::input(format!("cannot encode JSON: {e}")))?;
        text.push('\n');
        out.put(text.as_bytes())?;
        out.commit()?;
    }

    if !report.valid {
        let sentence = failure_sentence(report, a.policy);
        return Err(if input_failure {
            CliError::input(sentence)
        } else {
            CliError::rejected(sentence)
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// Binary (BER/DER) CMS without `--content`: streamed through [`signed::verify_stream`], so
/// memory does not grow with the content. The content is hashed as it is read and goes to a
/// sink that publishes it (to OUT or stdout) only if the message turns out valid.
fn run_cms_stream(
    a: &VerifyArgs,
    opts: &VerifyOptions,
    source: &Source,
    input: impl Read,
    len: Option<u64>,
    head: &[u8],
) -> CliResult<ExitCode> {
    check_signed_data(head, source)?;
    let dest = Destination::choose(a.output.output.as_deref(), a.json)?;
    let mut sink = dest.sink()?;
    let reader =
        ProgressReader::new(input, len, "verifying", !a.json).describing(source.describe());
    let report = signed::verify_stream(reader, None, opts, &mut *sink)
        .ctx(|| format!("verifying {}", source.describe()))?;
    report_cms(a, &report, "CMS")
}

/// Copies everything read through it into `copy`.
struct Tee<'a, R: Read> {
    inner: R,
    copy: Option<&'a mut File>,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(c) = self.copy.as_mut() {
            c.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

/// A clear message when the input is CMS but not SignedData (e.g. an encrypted message).
/// Needs only the start of the ContentInfo (its header and the contentType OID fit in the
/// first 64 bytes), so it serves streamed input too. Anything it cannot read is left to the
/// library, which reports the malformation in detail.
fn check_signed_data(cms: &[u8], source: &Source) -> CliResult<()> {
    // SEQUENCE tag, then a definite (short or long form) or indefinite length.
    let (Some(&asn1::TAG_SEQUENCE), Some(&first_len)) = (cms.first(), cms.get(1)) else {
        return Ok(());
    };
    let skip = match first_len {
        0..=0x80 => 2,
        0x81..=0x84 => 2 + usize::from(first_len & 0x7f),
        _ => return Ok(()),
    };
    let Some(rest) = cms.get(skip..) else {
        return Ok(());
    };
    let Ok(ct) = asn1::read_oid(&mut Reader::new_ber(rest), "contentType") else {
        return Ok(());
    };
    if ct == oids::ID_SIGNED_DATA {
        return Ok(());
    }
    let hint = if ct == oids::ID_ENVELOPED_DATA || ct == oids::ID_CT_AUTH_ENVELOPED_DATA {
        " (an encrypted message: use pqsmime decrypt)"
    } else {
        ""
    };
    Err(CliError::input(format!(
        "{} is a CMS {}, not SignedData{hint}",
        source.describe(),
        alg::describe_oid(&ct)
    )))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// One block per signer, then the result line.
pub fn human_report(report: &VerifyReport, policy: PolicyArg, no_chain: bool) -> String {
    let mut s = String::new();
    human_report_into(&mut s, report, policy, no_chain);
    s
}

fn human_report_into(s: &mut String, report: &VerifyReport, policy: PolicyArg, no_chain: bool) {
    signer_blocks(s, report, no_chain);
    let n = report.signers.len();
    let good = report.signers.iter().filter(|r| signer_ok(r)).count();
    s.push_str(&format!(
        "Result: {} (policy {}: {good} of {n} signer(s) valid)\n",
        if report.valid { "VALID" } else { "NOT VALID" },
        policy.name()
    ));
}

/// The content type and one block per signer (no result line).
fn signer_blocks(s: &mut String, report: &VerifyReport, no_chain: bool) {
    let n = report.signers.len();
    s.push_str(&format!(
        "Content type: {}\n",
        sanitize(&report.content_type)
    ));
    if n == 0 {
        s.push_str("The message has no signers.\n");
    }
    for (i, r) in report.signers.iter().enumerate() {
        let who = match (&r.subject, &r.email) {
            (Some(sub), Some(mail)) => format!("{sub} <{mail}>"),
            (Some(sub), None) => sub.clone(),
            (None, Some(mail)) => format!("<{mail}>"),
            (None, None) => "(signer certificate not found)".to_string(),
        };
        s.push_str(&format!("Signer {} of {n}: {}\n", i + 1, sanitize(&who)));
        s.push_str(&format!("  algorithm:     {}\n", sanitize(&r.algorithm)));
        s.push_str(&format!("  quantum-safe:  {}\n", yes_no(r.quantum_safe)));
        s.push_str(&format!("  digest:        {}\n", sanitize(&r.digest)));
        for c in &r.checks {
            s.push_str(&format!("  ok:            {}\n", sanitize(c)));
        }
        s.push_str(&format!(
            "  signature:     {}\n",
            if r.signature_valid {
                "valid"
            } else {
                "INVALID"
            }
        ));
        let chain = match r.chain_valid {
            Some(true) => "trusted".to_string(),
            Some(false) => "NOT TRUSTED".to_string(),
            None if no_chain => "not checked (--no-chain)".to_string(),
            None => "not checked".to_string(),
        };
        s.push_str(&format!("  chain:         {chain}\n"));
        if let Some(c) = &r.encryption_certificate {
            s.push_str(&format!(
                "  encryption certificate: {}\n",
                sanitize(&c.subject_string())
            ));
        }
        if let Some(e) = &r.error {
            s.push_str(&format!("  problem:       {}\n", sanitize(e)));
        }
    }
}

fn signer_ok(r: &SignerReport) -> bool {
    r.signature_valid && r.chain_valid != Some(false)
}

/// cli.md's JSON shape, plus `policy`, `framing`, `digest`, `checks` and
/// `encryption_certificate`.
pub fn json_report(report: &VerifyReport, policy: PolicyArg, framing: &str) -> Value {
    let signers: Vec<Value> = report
        .signers
        .iter()
        .map(|r| {
            json!({
                "subject": r.subject,
                "email": r.email,
                "algorithm": r.algorithm,
                "quantum_safe": r.quantum_safe,
                "signature_valid": r.signature_valid,
                "chain_valid": r.chain_valid,
                "error": r.error,
                "digest": r.digest,
                "checks": r.checks,
                "encryption_certificate": r.encryption_certificate.as_ref().map(|c| c.subject_string()),
            })
        })
        .collect();
    json!({
        "valid": report.valid,
        "signers": signers,
        "content_type": report.content_type,
        "policy": policy.name(),
        "framing": framing,
    })
}

/// How a signer's failure counts for the exit code, from the library's error text (the
/// report carries the `Display` of a `pqsmime::Error`, whose prefix names its kind):
/// malformed input, limits, unsupported algorithms and unusable keys are input errors (2);
/// everything else (bad signature, untrusted chain) rejects the message (1).
pub fn signer_failure_exit(error: &str) -> Exit {
    const INPUT_PREFIXES: [&str; 4] = [
        "malformed input: ",
        "input exceeds a limit: ",
        "unsupported algorithm: ",
        "invalid key: ",
    ];
    if INPUT_PREFIXES.iter().any(|p| error.starts_with(p)) {
        Exit::Input
    } else {
        Exit::Rejected
    }
}

/// The exit code of an invalid message: 1 when any failing signer was rejected on its merits,
/// 2 when every failure was the input's fault (nothing could be checked).
pub fn failure_exit(report: &VerifyReport) -> Exit {
    let failures: Vec<Exit> = report
        .signers
        .iter()
        .filter(|r| !signer_ok(r))
        .map(|r| {
            r.error
                .as_deref()
                .map(signer_failure_exit)
                .unwrap_or(Exit::Rejected)
        })
        .collect();
    if !failures.is_empty() && failures.iter().all(|e| *e == Exit::Input) {
        Exit::Input
    } else {
        Exit::Rejected
    }
}

/// The one sentence for stderr when the message is not valid.
pub fn failure_sentence(report: &VerifyReport, policy: PolicyArg) -> String {
    let first_problem = report
        .signers
        .iter()
        .enumerate()
        .find(|(_, r)| !signer_ok(r))
        .map(|(i, r)| {
            format!(
                "signer {}: {}",
                i + 1,
                r.error.clone().unwrap_or_else(|| "not valid".to_string())
            )
        });
    if report.signers.is_empty() {
        return "verification failed: the message has no signers".to_string();
    }
    match policy {
        PolicyArg::RequirePq if report.signers.iter().any(signer_ok) => {
            "verification failed: no valid signer uses a quantum-safe algorithm (policy require-pq)"
                .to_string()
        }
        PolicyArg::All => format!(
            "verification failed under policy all: {}",
            first_problem.unwrap_or_else(|| "not every signer is valid".into())
        ),
        _ => format!(
            "verification failed: no signer is valid ({})",
            first_problem.unwrap_or_else(|| "no details".into())
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Whole messages
// ---------------------------------------------------------------------------------------

/// The verdict on an opened message.
#[derive(Debug, PartialEq, Eq)]
pub struct Verdict {
    pub valid: bool,
    /// When not valid: the exit class and the one sentence for stderr.
    pub exit: Exit,
    pub sentence: String,
}

/// Decides whether an opened message is valid: every signed layer valid under the policy,
/// every signer the sender (unless allowed), nothing left undecrypted.
pub fn verdict(o: &Opened, policy: PolicyArg, allow_sender_mismatch: bool) -> Verdict {
    let bad = |exit: Exit, sentence: String| Verdict {
        valid: false,
        exit,
        sentence,
    };
    if o.decrypt_failed {
        return bad(Exit::Rejected, "decryption failed".into());
    }
    if !o.is_signed() {
        if o.stopped.is_some() && o.is_encrypted() {
            return bad(
                Exit::Input,
                "the message is encrypted: give --decrypt-cert and --decrypt-key to verify what is inside"
                    .into(),
            );
        }
        if o.layers.iter().any(|l| l.kind == LayerKind::CertsOnly) {
            return bad(
                Exit::Input,
                "the message is certs-only: it carries certificates and no signature".into(),
            );
        }
        return bad(
            Exit::Rejected,
            "verification failed: the message is encrypted but not signed".into(),
        );
    }
    let many = o.layers.len() > 1;
    // Invalid signed layers: exit 1 if any failed on its merits, 2 if every failure was the
    // input's fault.
    let invalid: Vec<(usize, &VerifyReport)> = o
        .layers
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.signature.as_ref().map(|r| (i, r)))
        .filter(|(_, r)| !r.valid)
        .collect();
    if let Some((i, r)) = invalid.first() {
        let exit = if invalid.iter().all(|(_, r)| failure_exit(r) == Exit::Input) {
            Exit::Input
        } else {
            Exit::Rejected
        };
        let mut sentence = failure_sentence(r, policy);
        if many {
            sentence = format!("layer {}: {sentence}", i + 1);
        }
        return bad(exit, sentence);
    }
    if !allow_sender_mismatch {
        for (i, l) in o.layers.iter().enumerate() {
            if let Some(p) = l.sender.as_ref().and_then(|s| s.problem.as_ref()) {
                let at = if many {
                    format!("layer {}: ", i + 1)
                } else {
                    String::new()
                };
                return bad(
                    Exit::Rejected,
                    format!(
                        "verification failed: {at}{p} (use --allow-sender-mismatch to accept it)"
                    ),
                );
            }
        }
    }
    Verdict {
        valid: true,
        exit: Exit::Rejected,
        sentence: String::new(),
    }
}

fn run_message(
    a: &VerifyArgs,
    oo: &OpenOptions<'_>,
    blob: &Blob,
    source: &Source,
) -> CliResult<ExitCode> {
    let opened = smime::open(blob, oo).ctx(|| format!("reading {}", source.describe()))?;
    if opened.layers.is_empty() {
        let ct = opened
            .content_headers
            .value("content-type")
            .map(|v| ContentType::parse(&v).mime_type)
            .unwrap_or_else(|| "text/plain (no Content-Type)".into());
        return Err(CliError::input(format!(
            "reading {}: the MIME entity is '{}', not an S/MIME message",
            source.describe(),
            sanitize(&ct)
        )));
    }
    let v = verdict(&opened, a.policy, a.allow_sender_mismatch);
    let input_failure = !v.valid && v.exit == Exit::Input;
    if !input_failure {
        let _ = std::io::stderr().write_all(
            message_report(&opened, a.policy, a.no_chain, a.allow_sender_mismatch, &v).as_bytes(),
        );
    }
    if a.json {
        let mut out = Output::stdout();
        let mut text = serde_json::to_string_pretty(&message_json(
            &opened,
            a.policy,
            a.allow_sender_mismatch,
            &v,
        ))
        .map_err(|e| CliError::input(format!("cannot encode JSON: {e}")))?;
        text.push('\n');
        out.put(text.as_bytes())?;
        out.commit()?;
    }
    if let Some(dir) = &a.save_certs {
        for line in save_reply_certs(&opened, dir, a.allow_sender_mismatch)? {
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    }
    if !v.valid {
        return Err(match v.exit {
            Exit::Input => CliError::input(v.sentence),
            Exit::Rejected => CliError::rejected(v.sentence),
        });
    }
    if !(a.json && a.output.output.is_none()) {
        let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
        opened
            .write_unwrapped(&mut out)
            .map_err(|e| crate::commands::sign::write_or_library_error(e, &out))?;
        out.commit()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the reply (encryption) certificates of valid signed layers to `dir`.
fn save_reply_certs(o: &Opened, dir: &Path, allow_mismatch: bool) -> CliResult<Vec<String>> {
    let mut lines = Vec::new();
    for l in &o.layers {
        let (Some(r), Some(s)) = (&l.signature, &l.sender) else {
            continue;
        };
        if !r.valid || !(s.ok || allow_mismatch) {
            continue;
        }
        for cert in reply_certificates(r) {
            std::fs::create_dir_all(dir).map_err(|e| CliError::io("create", dir, e))?;
            let who = cert
                .email_addresses()
                .into_iter()
                .next()
                .unwrap_or_else(|| cert.subject_string());
            let path = dir.join(format!("{}.pem", file_name_for(&who)));
            let pem = cert.to_pem();
            let unchanged = std::fs::read(&path).is_ok_and(|old| old == pem.as_bytes());
            if !unchanged {
                let mut out = Output::create(Some(&path), Secrecy::Public, true)?;
                out.put(pem.as_bytes())?;
                out.commit()?;
            }
            lines.push(format!(
                "Saved the encryption certificate of {} ({}) to {}{}",
                sanitize(&who),
                sanitize(&cert.subject_string()),
                path.display(),
                if unchanged { " (unchanged)" } else { "" }
            ));
        }
    }
    Ok(lines)
}

/// A file name for an address: letters, digits and `@._+-` kept, anything else `_`.
pub fn file_name_for(who: &str) -> String {
    let name: String = who
        .chars()
        .take(128)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "@._+-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match name.trim_start_matches('.') {
        "" => "certificate".to_string(),
        n => n.to_string(),
    }
}

fn describe_decryption(info: &pqsmime::cms::enveloped::DecryptInfo) -> String {
    let r = &info.recipients;
    let mut kinds = Vec::new();
    for (n, what) in [
        (r.kem, "KEM (ML-KEM)"),
        (r.key_transport, "key transport (RSA)"),
        (r.key_agreement, "key agreement (ECDH)"),
        (r.other, "other"),
    ] {
        if n > 0 {
            kinds.push(format!("{n} {what}"));
        }
    }
    format!(
        "decrypted with a {} ({}); recipients: {}",
        info.recipient.name(),
        info.content_cipher,
        kinds.join(", ")
    )
}

/// The human-readable report of a message: the outer header, one block per layer, header
/// protection, the result.
pub fn message_report(
    o: &Opened,
    policy: PolicyArg,
    no_chain: bool,
    allow_mismatch: bool,
    v: &Verdict,
) -> String {
    let mut s = String::new();
    let outer: Vec<String> = ["from", "to", "cc", "subject", "date"]
        .iter()
        .filter_map(|n| {
            o.outer
                .get(n)
                .map(|f| format!("{}: {}", f.name(), sanitize(&f.value())))
        })
        .collect();
    if !outer.is_empty() {
        s.push_str("Message:\n");
        for l in outer {
            s.push_str(&format!("  {l}\n"));
        }
    }
    let n = o.layers.len();
    for (i, l) in o.layers.iter().enumerate() {
        s.push_str(&format!("Layer {} of {n}: {}\n", i + 1, l.kind.describe()));
        if let Some(m) = &l.micalg {
            s.push_str(&format!("  micalg:        {}\n", sanitize(m)));
        }
        if let Some(info) = &l.decryption {
            s.push_str(&format!("  {}\n", describe_decryption(info)));
        }
        if l.kind.is_encrypted() && l.decryption.is_none() {
            s.push_str(&format!(
                "  not decrypted: {}\n",
                o.stopped.as_deref().unwrap_or("no key")
            ));
        }
        if let Some(r) = &l.signature {
            let mut block = String::new();
            signer_blocks(&mut block, r, no_chain);
            for line in block.lines() {
                s.push_str("  ");
                s.push_str(line);
                s.push('\n');
            }
        }
        if let Some(sc) = &l.sender {
            let line = match (&sc.problem, sc.addresses.is_empty()) {
                (Some(p), _) if allow_mismatch => {
                    format!("{} (allowed by --allow-sender-mismatch)", sanitize(p))
                }
                (Some(p), _) => sanitize(p).to_uppercase_first(),
                (None, true) => "no From address to compare with".to_string(),
                (None, false) => {
                    let who: Vec<String> = sc
                        .addresses
                        .iter()
                        .map(|(a, src)| format!("{src} {}", sanitize(a)))
                        .collect();
                    let signers: Vec<String> = sc
                        .signer_matches
                        .iter()
                        .enumerate()
                        .filter(|(_, m)| **m)
                        .map(|(i, _)| format!("signer {}", i + 1))
                        .collect();
                    format!("{} named by {}", who.join(", "), signers.join(" and "))
                }
            };
            s.push_str(&format!("  sender:        {line}\n"));
        }
    }
    if let Some(hp) = &o.header_protection {
        s.push_str(&format!("Header protection: {}\n", hp.scheme.describe()));
        for f in &hp.fields {
            let detail = match f.status {
                FieldStatus::Same => String::new(),
                FieldStatus::ProtectedOnly => format!(
                    " (protected {:?})",
                    sanitize(f.protected.as_deref().unwrap_or(""))
                ),
                FieldStatus::Unprotected => {
                    format!(" ({:?})", sanitize(f.outer.as_deref().unwrap_or("")))
                }
                FieldStatus::Obscured | FieldStatus::Differs => format!(
                    " (outer {:?}, protected {:?})",
                    sanitize(f.outer.as_deref().unwrap_or("")),
                    sanitize(f.protected.as_deref().unwrap_or(""))
                ),
            };
            s.push_str(&format!(
                "  {:<14} {}{detail}\n",
                format!("{}:", f.name),
                f.status.describe()
            ));
        }
        if hp.legacy_display {
            s.push_str(
                "  legacy display element present (for clients without header protection)\n",
            );
        }
        for note in &hp.notes {
            s.push_str(&format!("  note: {}\n", sanitize(note)));
        }
    }
    if let (Some(stop), false) = (&o.stopped, o.decrypt_failed) {
        if o.is_signed() {
            s.push_str(&format!(
                "Note: inner layers not opened: {}\n",
                sanitize(stop)
            ));
        }
    }
    let signed_layers = o.layers.iter().filter(|l| l.signature.is_some()).count();
    s.push_str(&format!(
        "Result: {} (policy {}; {n} layer(s), {signed_layers} signed{})\n",
        if v.valid { "VALID" } else { "NOT VALID" },
        policy.name(),
        if o.senders_ok() {
            "; sender confirmed".to_string()
        } else if allow_mismatch {
            "; sender NOT confirmed (allowed)".to_string()
        } else {
            "; sender NOT confirmed".to_string()
        }
    ));
    s
}

trait UpperFirst {
    fn to_uppercase_first(&self) -> String;
}

impl UpperFirst for String {
    fn to_uppercase_first(&self) -> String {
        let mut c = self.chars();
        match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => String::new(),
        }
    }
}

fn layer_kind_name(k: LayerKind) -> &'static str {
    match k {
        LayerKind::ClearSigned => "clear-signed",
        LayerKind::OpaqueSigned => "opaque-signed",
        LayerKind::Enveloped => "enveloped",
        LayerKind::AuthEnveloped => "auth-enveloped",
        LayerKind::WrappedMessage => "wrapped-message",
        LayerKind::CertsOnly => "certs-only",
    }
}

fn signer_json(r: &SignerReport, layer: usize, sender_match: Option<bool>) -> Value {
    json!({
        "subject": r.subject,
        "email": r.email,
        "algorithm": r.algorithm,
        "quantum_safe": r.quantum_safe,
        "signature_valid": r.signature_valid,
        "chain_valid": r.chain_valid,
        "error": r.error,
        "digest": r.digest,
        "checks": r.checks,
        "encryption_certificate": r.encryption_certificate.as_ref().map(|c| c.subject_string()),
        "layer": layer,
        "sender_match": sender_match,
    })
}

/// cli.md's JSON shape for a whole message: `valid`, `signers` (of every signed layer, each
/// with its `layer` number), `content_type` (of the innermost signed layer), plus `layers`,
/// `sender_ok`, `header_protection` and `problems`.
pub fn message_json(o: &Opened, policy: PolicyArg, allow_mismatch: bool, v: &Verdict) -> Value {
    let mut signers = Vec::new();
    let mut layers = Vec::new();
    let mut content_type = Value::Null;
    for (i, l) in o.layers.iter().enumerate() {
        let mut layer_signers = Vec::new();
        if let Some(r) = &l.signature {
            content_type = json!(r.content_type);
            for (j, s) in r.signers.iter().enumerate() {
                let m = l
                    .sender
                    .as_ref()
                    .and_then(|sc| sc.signer_matches.get(j).copied());
                let sj = signer_json(s, i + 1, m);
                signers.push(sj.clone());
                layer_signers.push(sj);
            }
        }
        layers.push(json!({
            "layer": i + 1,
            "kind": layer_kind_name(l.kind),
            "description": l.kind.describe(),
            "valid": l.signature.as_ref().map(|r| r.valid),
            "micalg": l.micalg,
            "signers": layer_signers,
            "sender": l.sender.as_ref().map(|sc| json!({
                "ok": sc.ok,
                "addresses": sc.addresses.iter().map(|(a, src)| json!({"address": a, "source": src})).collect::<Vec<_>>(),
                "problem": sc.problem,
            })),
            "decryption": l.decryption.as_ref().map(|d| json!({
                "recipient_info": d.recipient.name(),
                "content_cipher": d.content_cipher,
                "authenticated": d.authenticated,
                "recipients": {
                    "kem": d.recipients.kem,
                    "key_transport": d.recipients.key_transport,
                    "key_agreement": d.recipients.key_agreement,
                    "other": d.recipients.other,
                },
            })),
        }));
    }
    let hp = o.header_protection.as_ref().map(|h| {
        json!({
            "scheme": match &h.scheme {
                Scheme::Rfc9788 { hp } => format!("rfc9788-{hp}"),
                Scheme::DraftV1 => "protected-headers-v1".to_string(),
                Scheme::WrappedMessage => "wrapped-message".to_string(),
            },
            "fields": h.fields.iter().map(|f| json!({
                "name": f.name,
                "status": match f.status {
                    FieldStatus::Same => "same",
                    FieldStatus::Obscured => "obscured",
                    FieldStatus::ProtectedOnly => "protected-only",
                    FieldStatus::Unprotected => "unprotected",
                    FieldStatus::Differs => "differs",
                },
                "outer": f.outer,
                "protected": f.protected,
            })).collect::<Vec<_>>(),
            "legacy_display": h.legacy_display,
            "notes": h.notes,
        })
    });
    let framing = o.layers.first().map(|l| match l.kind {
        LayerKind::ClearSigned => "multipart/signed",
        LayerKind::WrappedMessage => "message/rfc822",
        _ => "application/pkcs7-mime",
    });
    json!({
        "valid": v.valid,
        "signers": signers,
        "content_type": content_type,
        "policy": policy.name(),
        "framing": framing,
        "layers": layers,
        "sender_ok": o.senders_ok(),
        "sender_mismatch_allowed": allow_mismatch,
        "header_protection": hp,
        "stopped": o.stopped,
        "problems": o.problems(),
        "error": if v.valid { Value::Null } else { json!(v.sentence) },
    })
}

// ---------------------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------------------

/// How progress is measured.
enum Progress {
    Count(u64),
    Bytes(Option<u64>),
}

/// The status of one message in a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchStatus {
    Valid,
    Invalid,
    Unsigned,
    Encrypted,
    Undecryptable,
    Error,
}

impl BatchStatus {
    pub fn name(self) -> &'static str {
        match self {
            BatchStatus::Valid => "valid",
            BatchStatus::Invalid => "invalid",
            BatchStatus::Unsigned => "unsigned",
            BatchStatus::Encrypted => "encrypted",
            BatchStatus::Undecryptable => "undecryptable",
            BatchStatus::Error => "error",
        }
    }

    /// Whether it makes the batch exit 1.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            BatchStatus::Invalid | BatchStatus::Undecryptable | BatchStatus::Error
        )
    }
}

/// Classifies one opened message (or the error reading it) and summarises it in one line.
pub fn batch_line(
    result: &pqsmime::Result<Opened>,
    policy: PolicyArg,
    allow_mismatch: bool,
) -> (BatchStatus, String) {
    let o = match result {
        Ok(o) => o,
        Err(e) => return (BatchStatus::Error, sanitize(&e.to_string())),
    };
    let from = o
        .outer
        .value("from")
        .map(|f| format!("From {}", sanitize(&f)))
        .unwrap_or_else(|| "no From".into());
    if o.layers.is_empty() {
        return (
            BatchStatus::Unsigned,
            format!("{from}; not an S/MIME message"),
        );
    }
    if o.decrypt_failed {
        return (
            BatchStatus::Undecryptable,
            format!("{from}; decryption failed"),
        );
    }
    if !o.is_signed() {
        let status = if o.stopped.is_some() {
            BatchStatus::Encrypted
        } else {
            BatchStatus::Unsigned
        };
        let what = if o.stopped.is_some() {
            "encrypted; no key given to open it"
        } else {
            "encrypted, not signed"
        };
        return (status, format!("{from}; {what}"));
    }
    let v = verdict(o, policy, allow_mismatch);
    let signers: Vec<String> = o
        .layers
        .iter()
        .filter_map(|l| l.signature.as_ref())
        .flat_map(|r| r.signers.iter())
        .filter(|s| s.signature_valid)
        .map(|s| {
            format!(
                "{} ({})",
                s.email.as_deref().or(s.subject.as_deref()).unwrap_or("?"),
                s.algorithm
            )
        })
        .collect();
    let kinds: Vec<&str> = o.layers.iter().map(|l| layer_kind_name(l.kind)).collect();
    if v.valid {
        (
            BatchStatus::Valid,
            sanitize(&format!(
                "{from}; {}; signed by {}",
                kinds.join(" > "),
                signers.join(", ")
            )),
        )
    } else {
        (
            BatchStatus::Invalid,
            sanitize(&format!("{from}; {}; {}", kinds.join(" > "), v.sentence)),
        )
    }
}

fn run_batch<I, F>(
    mut messages: I,
    progress: Progress,
    a: &VerifyArgs,
    oo: &OpenOptions<'_>,
    position: F,
) -> CliResult<ExitCode>
where
    I: Iterator<Item = pqsmime::Result<MailboxMessage>>,
    F: Fn(&I) -> Option<u64>,
{
    let bar = if stderr_is_terminal() {
        let (pb, template) = match progress {
            Progress::Count(n) => (
                indicatif::ProgressBar::new(n),
                "verifying {bar:40} {pos}/{len} messages ({per_sec}, {eta})",
            ),
            Progress::Bytes(Some(n)) => (
                indicatif::ProgressBar::new(n),
                "verifying {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            ),
            Progress::Bytes(None) => (
                indicatif::ProgressBar::new_spinner(),
                "verifying {spinner} {bytes}",
            ),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            pb.set_style(style);
        }
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        Some(pb)
    } else {
        None
    };
    let mut out = Output::stdout();
    let mut counts = [0u64; 6];
    let mut total = 0u64;
    loop {
        let Some(item) = messages.next() else { break };
        total += 1;
        let (id, status, summary, opened) = match item {
            Err(e) => {
                // A mailbox that cannot be read further ends the batch.
                let line = format!("error     (mailbox): {}", sanitize(&e.to_string()));
                if let Some(pb) = &bar {
                    pb.finish_and_clear();
                }
                let _ = writeln!(std::io::stderr(), "pqsmime: {line}");
                return Err(CliError::input(format!(
                    "reading the mailbox after {} message(s): {e}",
                    total - 1
                )));
            }
            Ok(m) => {
                let r = smime::open(&m.data, oo);
                let (status, summary) = batch_line(&r, a.policy, a.allow_sender_mismatch);
                (m.id, status, summary, r.ok())
            }
        };
        counts[status as usize] += 1;
        if let (Some(dir), Some(o)) = (&a.save_certs, &opened) {
            if status == BatchStatus::Valid {
                save_reply_certs(o, dir, a.allow_sender_mismatch)?;
            }
        }
        let line = if a.json {
            let mut v = json!({
                "id": id,
                "status": status.name(),
                "summary": summary,
            });
            if let Some(o) = &opened {
                let verd = verdict(o, a.policy, a.allow_sender_mismatch);
                v["from"] = json!(o.outer.value("from"));
                v["subject"] = json!(o.outer.value("subject"));
                v["problems"] = json!(o.problems());
                v["valid"] = json!(verd.valid);
            }
            v.to_string()
        } else {
            format!("{:<13} {}  {summary}", status.name(), sanitize(&id))
        };
        let write = |out: &mut Output, line: &str| -> CliResult<()> {
            match &bar {
                Some(pb) => {
                    let mut r = Ok(());
                    pb.suspend(|| {
                        r = out.put(line.as_bytes()).and_then(|_| out.put(b"\n"));
                        let _ = out.flush();
                    });
                    r
                }
                None => out.put(line.as_bytes()).and_then(|_| out.put(b"\n")),
            }
        };
        write(&mut out, &line)?;
        if let Some(pb) = &bar {
            match position(&messages) {
                Some(p) => pb.set_position(p),
                None => pb.inc(1),
            }
        }
    }
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    out.commit()?;
    let failures: u64 = [
        BatchStatus::Valid,
        BatchStatus::Invalid,
        BatchStatus::Unsigned,
        BatchStatus::Encrypted,
        BatchStatus::Undecryptable,
        BatchStatus::Error,
    ]
    .iter()
    .filter(|s| s.is_failure())
    .map(|s| counts[*s as usize])
    .sum();
    let _ = writeln!(
        std::io::stderr(),
        "Checked {total} message(s): {} valid, {} invalid, {} unsigned, {} encrypted (no key), {} undecryptable, {} unreadable",
        counts[BatchStatus::Valid as usize],
        counts[BatchStatus::Invalid as usize],
        counts[BatchStatus::Unsigned as usize],
        counts[BatchStatus::Encrypted as usize],
        counts[BatchStatus::Undecryptable as usize],
        counts[BatchStatus::Error as usize],
    );
    Ok(if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(
        alg: &str,
        pq: bool,
        sig: bool,
        chain: Option<bool>,
        err: Option<&str>,
    ) -> SignerReport {
        SignerReport {
            subject: Some("CN=Alice".into()),
            email: Some("alice@example.com".into()),
            algorithm: alg.into(),
            digest: "SHA-512".into(),
            quantum_safe: pq,
            signature_valid: sig,
            chain_valid: chain,
            checks: vec!["message-digest matches the content".into()],
            error: err.map(Into::into),
            certificate: None,
            encryption_certificate: None,
        }
    }

    fn report(valid: bool, signers: Vec<SignerReport>) -> VerifyReport {
        VerifyReport {
            valid,
            signers,
            content_type: "id-data (1.2.840.113549.1.7.1)".into(),
            content: None,
            certificates: Vec::new(),
        }
    }

    #[test]
    fn json_has_the_contract_fields() {
        let r = report(
            true,
            vec![
                signer("ML-DSA-65", true, true, Some(true), None),
                signer(
                    "ECDSA with SHA-256",
                    false,
                    false,
                    None,
                    Some("signature invalid: x"),
                ),
            ],
        );
        let j = json_report(&r, PolicyArg::Any, "multipart/signed");
        assert_eq!(j["valid"], true);
        assert_eq!(j["content_type"], "id-data (1.2.840.113549.1.7.1)");
        let s0 = &j["signers"][0];
        for field in [
            "subject",
            "email",
            "algorithm",
            "quantum_safe",
            "signature_valid",
            "chain_valid",
            "error",
        ] {
            assert!(s0.get(field).is_some(), "missing {field}");
        }
        assert_eq!(s0["quantum_safe"], true);
        assert_eq!(s0["error"], Value::Null);
        assert_eq!(j["signers"][1]["chain_valid"], Value::Null);
        assert_eq!(j["signers"][1]["signature_valid"], false);
    }

    #[test]
    fn human_report_has_one_block_per_signer_and_a_result() {
        let r = report(
            false,
            vec![
                signer(
                    "ML-DSA-65",
                    true,
                    true,
                    Some(false),
                    Some("chain not trusted: expired"),
                ),
                signer("Ed25519", false, false, None, Some("signature invalid")),
            ],
        );
        let text = human_report(&r, PolicyArg::All, false);
        assert!(
            text.contains("Signer 1 of 2: CN=Alice <alice@example.com>"),
            "{text}"
        );
        assert!(text.contains("Signer 2 of 2"), "{text}");
        assert!(text.contains("quantum-safe:  yes"), "{text}");
        assert!(text.contains("chain:         NOT TRUSTED"), "{text}");
        assert!(
            text.contains("problem:       chain not trusted: expired"),
            "{text}"
        );
        assert!(
            text.contains("Result: NOT VALID (policy all: 0 of 2 signer(s) valid)"),
            "{text}"
        );
    }

    #[test]
    fn hostile_subjects_cannot_forge_report_lines() {
        let mut s = signer("ML-DSA-65", true, false, None, Some("bad\u{1b}[2J"));
        s.subject = Some("CN=x\nResult: VALID".into());
        let text = human_report(&report(false, vec![s]), PolicyArg::Any, true);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert_eq!(
            text.lines().filter(|l| l.starts_with("Result:")).count(),
            1,
            "{text}"
        );
    }

    #[test]
    fn failure_sentences_name_the_reason() {
        let classical_only = report(
            false,
            vec![signer("Ed25519", false, true, Some(true), None)],
        );
        assert!(failure_sentence(&classical_only, PolicyArg::RequirePq).contains("quantum-safe"));
        let bad = report(
            false,
            vec![signer(
                "ML-DSA-65",
                true,
                false,
                None,
                Some("signature invalid: bad"),
            )],
        );
        let s = failure_sentence(&bad, PolicyArg::Any);
        assert!(s.contains("signer 1: signature invalid: bad"), "{s}");
        assert!(failure_sentence(&report(false, vec![]), PolicyArg::Any).contains("no signers"));
    }

    #[test]
    fn unsupported_algorithms_exit_2_but_bad_signatures_exit_1() {
        let unsupported = signer(
            "unknown",
            false,
            false,
            None,
            Some("unsupported algorithm: digest algorithm 2.16.840.1.101.3.4.2.127"),
        );
        let bad = signer(
            "ML-DSA-65",
            true,
            false,
            None,
            Some("signature invalid: does not verify"),
        );
        let untrusted = signer(
            "ML-DSA-65",
            true,
            true,
            Some(false),
            Some("chain not trusted: expired"),
        );
        assert_eq!(
            failure_exit(&report(false, vec![unsupported.clone()])),
            Exit::Input
        );
        assert_eq!(
            failure_exit(&report(false, vec![unsupported.clone(), bad])),
            Exit::Rejected
        );
        assert_eq!(
            failure_exit(&report(false, vec![untrusted])),
            Exit::Rejected
        );
        // A valid classical signer and an unreadable PQ one under require-pq: nothing PQ
        // could be checked.
        let classical = signer("Ed25519", false, true, Some(true), None);
        assert_eq!(
            failure_exit(&report(false, vec![classical.clone(), unsupported])),
            Exit::Input
        );
        assert_eq!(
            failure_exit(&report(false, vec![classical])),
            Exit::Rejected
        );
        assert_eq!(failure_exit(&report(false, vec![])), Exit::Rejected);
    }

    #[test]
    fn enveloped_data_is_named_with_a_hint() {
        let ci = asn1::sequence(&[
            &asn1::oid(&oids::ID_CT_AUTH_ENVELOPED_DATA),
            &asn1::tlv(0xA0, &[0x30, 0x00]),
        ]);
        let e = check_signed_data(&ci, &Source::Stdin).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(e.message.contains("pqsmime decrypt"), "{}", e.message);
    }

    #[test]
    fn tee_copies_what_is_read() {
        let mut spool = tempfile::tempfile().unwrap();
        {
            let mut t = Tee {
                inner: &b"hello world"[..],
                copy: Some(&mut spool),
            };
            let mut sink = Vec::new();
            t.read_to_end(&mut sink).unwrap();
            assert_eq!(sink, b"hello world");
        }
        spool.rewind().unwrap();
        let mut back = String::new();
        spool.read_to_string(&mut back).unwrap();
        assert_eq!(back, "hello world");
    }
}
