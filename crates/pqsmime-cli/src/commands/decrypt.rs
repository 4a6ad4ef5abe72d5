//! `pqsmime decrypt`: finds the RecipientInfo for `--cert` and writes the content.
//!
//! Design:
//! * The input is read as a stream ([`input::open`]): the framing (S/MIME header section, PEM
//!   BEGIN line, or nothing for DER/BER) is recognised from the first bytes, and base64 bodies
//!   are decoded on the fly in front of the library's streaming decryptor
//!   ([`enveloped::decrypt_stream`]), so multi-gigabyte messages need constant memory.
//! * Plaintext is never released before the whole message has been checked (GCM tag, CBC
//!   padding): with `-o` it goes through a [`FileSink`] (temporary 0600 file next to OUT,
//!   renamed on success, deleted on failure); to standard output through a [`SpoolSink`]
//!   (anonymous temporary file copied out on success). With `--json` and no `-o` the content
//!   is checked and counted but not written: stdout carries the JSON object.
//! * Every failure that depends on keys or ciphertext is the library's one
//!   [`pqsmime::Error::Decrypt`], printed as `pqsmime: error: decryption failed` with exit 1 and
//!   no context that could tell failures apart (no padding or KEM oracle). Problems in the
//!   public encoding (malformed, truncated, unsupported algorithm) exit 2 with a sentence.
//!
//! Seam for the message layer: [`decrypt_entity`] decrypts one encrypted entity (or PEM/DER
//! CMS) from any reader into any [`DecryptSink`] and returns what it found, including the
//! header section of an S/MIME input, so a whole-message wrapper can re-attach outer fields.

mod input;

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pqsmime::cms::enveloped::{self, DecryptInfo, DecryptSink, DecryptionKey, FileSink, SpoolSink};
use pqsmime::cms::signed::{self, VerifyOptions, VerifyReport};
use pqsmime::smime::HeaderSection;
use pqsmime::x509::Certificate;
use serde_json::{json, Value};
use zeroize::Zeroizing;

pub use input::{Encrypted, Form};

use crate::cli::decrypt::DecryptArgs;
use crate::commands::encrypt::{pipe, ProgressReader, ReadError};
use crate::commands::verify;
use crate::commands::{load_cert_and_rest, load_certs, load_private_key};
use crate::error::{CliError, CliResult, Exit};
use crate::io::{Output, Source};

/// What [`decrypt_entity`] found.
#[derive(Debug)]
pub struct Decrypted {
    pub info: DecryptInfo,
    /// How the input was framed.
    pub form: Form,
    /// The header section of an S/MIME input (outer fields of a whole message).
    pub header: Option<HeaderSection>,
}

/// Decrypts one encrypted S/MIME entity or message, PEM or DER/BER ContentInfo from `input`
/// into `sink`, in constant memory. The sink is committed only when the content
/// authenticated; on any error it has been aborted. Errors are the library's: the generic
/// [`pqsmime::Error::Decrypt`] for everything secret-dependent, input errors otherwise.
pub fn decrypt_entity<R: Read, S: DecryptSink + ?Sized>(
    input: R,
    key: &DecryptionKey<'_>,
    sink: &mut S,
) -> pqsmime::Result<Decrypted> {
    let enc = match input::open(input) {
        Ok(e) => e,
        Err(e) => {
            sink.abort();
            return Err(e);
        }
    };
    let Encrypted {
        form,
        header,
        reader,
    } = enc;
    let info = enveloped::decrypt_stream(reader, key, sink).map_err(input::decode_error)?;
    Ok(Decrypted { info, form, header })
}

/// Counts the content and throws it away (for `--json` without `-o`): the message is still
/// decrypted and checked completely.
#[derive(Default)]
pub(crate) struct DiscardSink;

impl DecryptSink for DiscardSink {
    fn write_unverified(&mut self, _plaintext: &[u8]) -> pqsmime::Result<()> {
        Ok(())
    }
    fn commit(&mut self) -> pqsmime::Result<()> {
        Ok(())
    }
    fn abort(&mut self) {}
}

/// Where the content goes.
pub(crate) enum Destination {
    /// A regular file (new or replaced): through a [`FileSink`].
    File(PathBuf),
    /// A device or FIFO named with `-o`: spooled, then written.
    Device(PathBuf),
    Stdout,
    Discard,
}

impl Destination {
    pub(crate) fn choose(output: Option<&Path>, json: bool) -> CliResult<Destination> {
        let path = match output {
            Some(p) if p.as_os_str() != "-" => p,
            _ if json => return Ok(Destination::Discard),
            _ => return Ok(Destination::Stdout),
        };
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Err(CliError::input(format!(
                "cannot write {}: it is a directory",
                path.display()
            ))),
            Ok(m) if !m.is_file() => Ok(Destination::Device(path.to_path_buf())),
            _ => Ok(Destination::File(path.to_path_buf())),
        }
    }

    /// A sink that publishes the content here only when it is committed.
    pub(crate) fn sink(&self) -> CliResult<Box<dyn DecryptSink + Send>> {
        Ok(match self {
            Destination::File(p) => Box::new(FileSink::new(p).map_err(|e| write_error(e, p))?),
            Destination::Device(p) => {
                let f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(p)
                    .map_err(|e| CliError::io("write", p, e))?;
                Box::new(SpoolSink::new(f)?)
            }
            Destination::Stdout => Box::new(SpoolSink::new(io::BufWriter::with_capacity(
                1 << 20,
                io::stdout(),
            ))?),
            Destination::Discard => Box::new(DiscardSink),
        })
    }

    pub(crate) fn describe(&self) -> Option<String> {
        match self {
            Destination::File(p) | Destination::Device(p) => Some(p.display().to_string()),
            Destination::Stdout => Some("standard output".into()),
            Destination::Discard => None,
        }
    }
}

pub fn run(a: DecryptArgs) -> CliResult<ExitCode> {
    let (cert, _) = load_cert_and_rest(&a.cert, "recipient certificate")?;
    let key = load_private_key(&a.key, "private key")?;
    if !key.kind().can_encrypt() {
        return Err(CliError::input(format!(
            "{} holds an {} key, which cannot decrypt (give the key of an ML-KEM, RSA, EC or X25519 encryption certificate)",
            a.key.display(),
            key.kind().description()
        )));
    }
    let dk = DecryptionKey::new(&cert, &key).map_err(|_| {
        CliError::input(format!(
            "the private key {} does not belong to the certificate {}",
            a.key.display(),
            a.cert.display()
        ))
    })?;

    let verify_opts = if a.verify {
        Some(verify_options(&a)?)
    } else {
        None
    };

    let source = Source::from_arg(a.input.input.as_deref());
    let dest = Destination::choose(a.output.output.as_deref(), a.json)?;
    let (reader, len) = source.open()?;
    let reader =
        ProgressReader::new(reader, len, "decrypting", !a.json).describing(source.describe());
    let mut sink = dest.sink()?;

    let Some(vopts) = verify_opts else {
        let result = decrypt_entity(reader, &dk, &mut *sink);
        return match result {
            Ok(d) => {
                let _ = io::stderr().write_all(human_report(&d, &cert).as_bytes());
                if a.json {
                    print_json(&json_report(&d, &cert, dest.describe()))?;
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(failed(cli_error(e, &source, &dest), a.json)),
        };
    };

    match decrypt_then_verify(reader, &dk, &vopts, &mut *sink) {
        Ok((d, report)) => {
            let mut text = human_report(&d, &cert);
            text.push_str(&verify::human_report(&report, a.policy, a.no_chain));
            let _ = io::stderr().write_all(text.as_bytes());
            if a.json {
                let mut j = json_report(&d, &cert, dest.describe());
                j["signature"] = verify::json_report(&report, a.policy, "CMS");
                if !report.valid {
                    j["error"] = json!(verify::failure_sentence(&report, a.policy));
                }
                print_json(&j)?;
            }
            if report.valid {
                Ok(ExitCode::SUCCESS)
            } else {
                let sentence = verify::failure_sentence(&report, a.policy);
                Err(match verify::failure_exit(&report) {
                    Exit::Input => CliError::input(sentence),
                    Exit::Rejected => CliError::rejected(sentence),
                })
            }
        }
        Err(e) => Err(failed(cli_error(e, &source, &dest), a.json)),
    }
}

/// Prints the failure object with `--json`, and returns the error.
fn failed(err: CliError, json: bool) -> CliError {
    if json && !err.broken_pipe {
        if let Err(e) = print_json(&json!({
            "decrypted": false,
            "error": err.message,
        })) {
            return e;
        }
    }
    err
}

/// `--trust`, `--certs`, `--no-chain`, `--policy` for `--verify`.
fn verify_options(a: &DecryptArgs) -> CliResult<VerifyOptions> {
    if a.trust.is_empty() && !a.no_chain {
        return Err(CliError::input(
            "--verify needs --trust CRT (the signers' trust anchor) or --no-chain",
        ));
    }
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
    Ok(opts)
}

/// Passes the signed content on (to the writer stage) but holds back the commit: the caller
/// publishes only when the decryption authenticated too.
struct HoldSink {
    inner: pipe::PipeWriter,
    verified: bool,
}

impl DecryptSink for HoldSink {
    fn write_unverified(&mut self, data: &[u8]) -> pqsmime::Result<()> {
        Ok(self.inner.write_all(data)?)
    }
    fn commit(&mut self) -> pqsmime::Result<()> {
        self.verified = true;
        Ok(())
    }
    fn abort(&mut self) {
        self.verified = false;
    }
}

/// Fails with a sentence when the decrypted content does not start like a DER/BER
/// SignedData (a SEQUENCE), before the verifier reads it.
struct SignedDataCheck<R: Read> {
    inner: R,
    checked: bool,
}

impl<R: Read> Read for SignedDataCheck<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.checked && n > 0 {
            self.checked = true;
            if buf[0] != 0x30 {
                let start: String = String::from_utf8_lossy(&buf[..n.min(24)])
                    .chars()
                    .map(|c| if c.is_control() { '.' } else { c })
                    .collect();
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    input::FramingError(format!(
                        "--verify: the decrypted content is not a CMS SignedData (it starts with '{start}'); for S/MIME mail use `pqsmime verify --decrypt-cert`"
                    )),
                ));
            }
        }
        Ok(n)
    }
}

/// Reads `r` to its end; returns how many bytes were left.
fn drain<R: Read>(r: &mut R) -> io::Result<u64> {
    io::copy(r, &mut io::sink())
}

/// Decrypts a signed-then-encrypted CMS message and verifies the SignedData inside as it
/// streams (decryption here, verification on a second thread, joined by a bounded pipe).
///
/// The signed content goes to `sink`, committed only when the decryption authenticated (GCM
/// tag, CBC padding) and the report is valid. The verifier always reads to the end, so a
/// decryption failure is always what gets reported when there is one, as the one generic
/// [`pqsmime::Error::Decrypt`]: nothing about unauthenticated plaintext is revealed. An
/// invalid signature is `Ok` with `report.valid == false` (the sink was aborted).
pub fn decrypt_then_verify<R: Read, S: DecryptSink + Send + ?Sized>(
    input: R,
    key: &DecryptionKey<'_>,
    opts: &VerifyOptions,
    sink: &mut S,
) -> pqsmime::Result<(Decrypted, VerifyReport)> {
    let (mut tx, mut rx) = pipe::pipe();
    let (wtx, mut wrx) = pipe::pipe();
    std::thread::scope(|scope| {
        // Third stage: writing the signed content to the sink (a file is slow to grow), so
        // that hashing does not wait for it.
        let writer = scope.spawn(move || {
            let mut buf = Zeroizing::new(vec![0u8; pipe::CHUNK]);
            let result = loop {
                match wrx.read(&mut buf) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        if let Err(e) = sink.write_unverified(&buf[..n]) {
                            let _ = drain(&mut wrx);
                            break Err(e);
                        }
                    }
                    Err(e) => break Err(pqsmime::Error::Io(e)),
                }
            };
            (result, sink)
        });
        let verifier = scope.spawn(move || {
            let mut hold = HoldSink {
                inner: wtx,
                verified: false,
            };
            let report = signed::verify_stream(
                SignedDataCheck {
                    inner: &mut rx,
                    checked: false,
                },
                None,
                opts,
                &mut hold,
            )
            .map_err(input::decode_error);
            // Read to the end whatever happened, so that the decryption always reaches its
            // own check and its verdict comes first.
            let rest = drain(&mut rx);
            let HoldSink {
                inner: mut wtx,
                verified,
            } = hold;
            let _ = wtx.finish();
            (report, rest, verified)
        });
        let decrypted = decrypt_entity(input, key, &mut tx);
        drop(tx);
        let stopped =
            || pqsmime::Error::Crypto("a decryption or verification thread stopped".into());
        let (report, rest, verified) = verifier.join().map_err(|_| stopped())?;
        let (written, sink) = writer.join().map_err(|_| stopped())?;
        let d = match decrypted {
            Ok(d) => d,
            Err(e) => {
                sink.abort();
                return Err(e);
            }
        };
        let result = match (report, rest, written) {
            (Err(e), _, _) => Err(e),
            (Ok(_), Err(e), _) => Err(pqsmime::Error::Io(e)),
            (Ok(_), Ok(n), _) if n > 0 => Err(pqsmime::Error::Malformed(format!(
                "the decrypted content has {n} bytes after the SignedData"
            ))),
            (Ok(_), Ok(_), Err(e)) => Err(e),
            (Ok(r), Ok(_), Ok(())) => Ok(r),
        };
        match result {
            Ok(r) if r.valid && verified => {
                sink.commit()?;
                Ok((d, r))
            }
            Ok(r) => {
                sink.abort();
                Ok((d, r))
            }
            Err(e) => {
                sink.abort();
                Err(e)
            }
        }
    })
}

/// The CLI error for a failed decryption: the one generic sentence for
/// [`pqsmime::Error::Decrypt`] (no context, so failures cannot be told apart), otherwise the
/// library's sentence with where it happened.
fn cli_error(e: pqsmime::Error, source: &Source, dest: &Destination) -> CliError {
    match e {
        pqsmime::Error::Decrypt => CliError::rejected("decryption failed"),
        pqsmime::Error::Io(io) if io.get_ref().is_some_and(|x| x.is::<ReadError>()) => {
            CliError::input(io.to_string())
        }
        pqsmime::Error::Io(io)
            if io.kind() == io::ErrorKind::BrokenPipe && matches!(dest, Destination::Stdout) =>
        {
            let mut err = CliError::input("standard output was closed");
            err.broken_pipe = true;
            err
        }
        other => CliError::from(other).context(format!("decrypting {}", source.describe())),
    }
}

fn write_error(e: pqsmime::Error, path: &Path) -> CliError {
    match e {
        pqsmime::Error::Io(io) => CliError::io("write", path, io),
        other => CliError::from(other),
    }
}

fn print_json(v: &Value) -> CliResult<()> {
    let mut out = Output::stdout();
    let mut text = serde_json::to_string_pretty(v)
        .map_err(|e| CliError::input(format!("cannot encode JSON: {e}")))?;
    text.push('\n');
    out.put(text.as_bytes())?;
    out.commit()
}

fn content_type_name(d: &DecryptInfo) -> String {
    pqsmime::alg::oid_name(&d.content_type)
        .map(str::to_string)
        .unwrap_or_else(|| d.content_type.to_string())
}

fn recipients_in_words(d: &DecryptInfo) -> String {
    let r = &d.recipients;
    let total = r.kem + r.key_transport + r.key_agreement + r.other;
    let mut kinds = Vec::new();
    for (n, what) in [
        (r.kem, "KEM"),
        (r.key_transport, "key transport"),
        (r.key_agreement, "key agreement"),
        (r.other, "other"),
    ] {
        if n > 0 {
            kinds.push(format!("{n} {what}"));
        }
    }
    format!(
        "{total} recipient{} ({})",
        if total == 1 { "" } else { "s" },
        kinds.join(", ")
    )
}

/// The report on stderr.
pub fn human_report(d: &Decrypted, cert: &Certificate) -> String {
    let i = &d.info;
    let structure = if i.authenticated {
        "AuthEnvelopedData"
    } else {
        "EnvelopedData"
    };
    let mut s = format!(
        "pqsmime: decrypted {} bytes of {} from {structure} with {} ({}), using the {} for {}; the message has {}\n",
        i.content_len,
        content_type_name(i),
        i.content_cipher,
        if i.authenticated {
            "integrity checked"
        } else {
            "no integrity protection"
        },
        i.recipient.name(),
        crate::error::sanitize(&cert.subject_string()),
        recipients_in_words(i),
    );
    if !i.authenticated {
        s.push_str(&format!(
            "pqsmime: note: EnvelopedData ({}) does not detect changes to the content; only a signature inside it does\n",
            i.content_cipher
        ));
    }
    s
}

/// The `--json` object.
pub fn json_report(d: &Decrypted, cert: &Certificate, output: Option<String>) -> Value {
    let i = &d.info;
    let smime_type = match &d.form {
        Form::Smime { smime_type, .. } => smime_type.clone(),
        _ => None,
    };
    json!({
        "decrypted": true,
        "input_format": d.form.name(),
        "whole_message": d.header.as_ref().is_some_and(|h| h.has_message_fields()),
        "smime_type": smime_type,
        "content_type": content_type_name(i),
        "content_type_oid": i.content_type.to_string(),
        "authenticated": i.authenticated,
        "content_cipher": i.content_cipher,
        "recipient": i.recipient.name(),
        "certificate": {
            "subject": cert.subject_string(),
            "serial": cert.serial_hex(),
        },
        "recipients": {
            "kem": i.recipients.kem,
            "key_transport": i.recipients.key_transport,
            "key_agreement": i.recipients.key_agreement,
            "other": i.recipients.other,
        },
        "content_length": i.content_len,
        "output": output,
        "error": Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decryption_failure_is_one_generic_line_with_exit_1() {
        let e = cli_error(
            pqsmime::Error::Decrypt,
            &Source::File("secret-name.eml".into()),
            &Destination::Stdout,
        );
        assert_eq!(e.exit.code(), 1);
        assert_eq!(e.line(), "pqsmime: error: decryption failed");
        let e = cli_error(
            pqsmime::Error::Malformed("message ends early (truncated)".into()),
            &Source::File("m.p7m".into()),
            &Destination::Stdout,
        );
        assert_eq!(e.exit.code(), 2);
        assert!(e.message.starts_with("decrypting m.p7m: "), "{}", e.message);
    }

    #[test]
    fn json_without_output_discards_and_dash_means_stdout() {
        assert!(matches!(
            Destination::choose(None, true).unwrap(),
            Destination::Discard
        ));
        assert!(matches!(
            Destination::choose(Some(Path::new("-")), false).unwrap(),
            Destination::Stdout
        ));
        assert!(matches!(
            Destination::choose(Some(Path::new("/dev/null")), false).unwrap(),
            Destination::Device(_)
        ));
        let dir = tempfile::tempdir().unwrap();
        assert!(Destination::choose(Some(dir.path()), false).is_err());
        assert!(matches!(
            Destination::choose(Some(&dir.path().join("new.eml")), false).unwrap(),
            Destination::File(_)
        ));
    }
}
