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
use pqsmime::smime::HeaderSection;
use pqsmime::x509::Certificate;
use serde_json::{json, Value};

pub use input::{Encrypted, Form};

use crate::cli::decrypt::DecryptArgs;
use crate::commands::encrypt::{ProgressReader, ReadError};
use crate::commands::{load_cert_and_rest, load_private_key};
use crate::error::{CliError, CliResult};
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
struct DiscardSink;

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
enum Destination {
    /// A regular file (new or replaced): through a [`FileSink`].
    File(PathBuf),
    /// A device or FIFO named with `-o`: spooled, then written.
    Device(PathBuf),
    Stdout,
    Discard,
}

impl Destination {
    fn choose(output: Option<&Path>, json: bool) -> CliResult<Destination> {
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

    fn describe(&self) -> Option<String> {
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

    let source = Source::from_arg(a.input.input.as_deref());
    let dest = Destination::choose(a.output.output.as_deref(), a.json)?;
    let (reader, len) = source.open()?;
    let reader =
        ProgressReader::new(reader, len, "decrypting", !a.json).describing(source.describe());
    let result = match &dest {
        Destination::File(p) => {
            let mut sink = FileSink::new(p).map_err(|e| write_error(e, p))?;
            decrypt_entity(reader, &dk, &mut sink)
        }
        Destination::Device(p) => {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(p)
                .map_err(|e| CliError::io("write", p, e))?;
            let mut sink = SpoolSink::new(f)?;
            decrypt_entity(reader, &dk, &mut sink)
        }
        Destination::Stdout => {
            let stdout = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
            let mut sink = SpoolSink::new(stdout)?;
            decrypt_entity(reader, &dk, &mut sink)
        }
        Destination::Discard => decrypt_entity(reader, &dk, &mut DiscardSink),
    };

    match result {
        Ok(d) => {
            let _ = io::stderr().write_all(human_report(&d, &cert).as_bytes());
            if a.json {
                print_json(&json_report(&d, &cert, dest.describe()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let err = cli_error(e, &source, &dest);
            if a.json && !err.broken_pipe {
                print_json(&json!({
                    "decrypted": false,
                    "error": err.message,
                }))?;
            }
            Err(err)
        }
    }
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
        s.push_str(
            "pqsmime: note: EnvelopedData (AES-CBC) does not detect changes to the content; only a signature inside it does\n",
        );
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
