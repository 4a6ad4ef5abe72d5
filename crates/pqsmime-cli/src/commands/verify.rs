//! `pqsmime verify`.
//!
//! Input is detected by `smime::detect`: multipart/signed (the first part is the detached
//! content), application/pkcs7-mime, PEM or DER/BER; `--content FILE` supplies detached content
//! for DER/PEM. The report goes to stderr (one block per signer); the signed content goes to
//! `-o OUT` or stdout only when the message is valid, or, with `--json`, one JSON object goes to
//! stdout and the content only to `-o`.
//!
//! Detached content from `--content` is streamed into the library's digest while a copy goes
//! to an anonymous temporary file; that copy, and only that copy, is what gets written out, so
//! the output is exactly the bytes that were verified even if the file changes meanwhile.

use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::process::ExitCode;

use pqsmime::asn1::{self, Reader};
use pqsmime::cms::signed::{self, SignerReport, VerifyOptions, VerifyReport};
use pqsmime::smime::{self, Input};
use pqsmime::{alg, oids};
use serde_json::{json, Value};

use crate::cli::verify::{PolicyArg, VerifyArgs};
use crate::commands::load_certs;
use crate::error::{io_reason, sanitize, CliError, CliResult, Context, Exit};
use crate::io::{Output, Secrecy, Source};

/// Where the signed content will come from once the message is found valid.
enum Content {
    None,
    Bytes(Vec<u8>),
    Spooled(File),
}

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

    let source = Source::from_arg(a.input.input.as_deref());
    let data = source.read_all()?;
    let detected = smime::detect(&data).ctx(|| format!("reading {}", source.describe()))?;
    drop(data);
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
            check_signed_data(&signature, &source)?;
            let mut reader: &[u8] = &content;
            let report = signed::verify(&signature, Some(&mut reader), &opts)
                .ctx(|| format!("verifying {}", source.describe()))?;
            (report, Content::Bytes(content), "multipart/signed")
        }
        Input::Cms { der, smime_type } => {
            check_signed_data(&der, &source)?;
            let framing = if smime_type.is_some() {
                "application/pkcs7-mime"
            } else {
                "CMS"
            };
            match &a.content {
                None => {
                    let report = signed::verify(&der, None, &opts)
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
                    let report = signed::verify(&der, Some(&mut tee), &opts).ctx(|| {
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

    // When nothing could be checked (every failure is the input's fault: unsupported
    // algorithm, malformed signer), the error sentence alone is the report (exit 2).
    let input_failure = !report.valid && failure_exit(&report) == Exit::Input;
    if !input_failure {
        let _ = std::io::stderr().write_all(human_report(&report, a.policy, a.no_chain).as_bytes());
    }
    if a.json {
        let mut out = Output::stdout();
        let mut text = serde_json::to_string_pretty(&json_report(&report, a.policy, framing))
            .map_err(|e| CliError::input(format!("cannot encode JSON: {e}")))?;
        text.push('\n');
        out.put(text.as_bytes())?;
        out.commit()?;
    }

    if !report.valid {
        let sentence = failure_sentence(&report, a.policy);
        return Err(if input_failure {
            CliError::input(sentence)
        } else {
            CliError::rejected(sentence)
        });
    }
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
fn check_signed_data(cms: &[u8], source: &Source) -> CliResult<()> {
    let mut r = Reader::new_ber(cms);
    let Ok(ci) = r.read_expected(asn1::TAG_SEQUENCE, "ContentInfo") else {
        return Ok(()); // let the library report the malformation in detail
    };
    let mut ci = ci.reader(r.rules());
    let Ok(ct) = asn1::read_oid(&mut ci, "contentType") else {
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
    let good = report.signers.iter().filter(|r| signer_ok(r)).count();
    s.push_str(&format!(
        "Result: {} (policy {}: {good} of {n} signer(s) valid)\n",
        if report.valid { "VALID" } else { "NOT VALID" },
        policy.name()
    ));
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
