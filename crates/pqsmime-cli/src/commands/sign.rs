//! `pqsmime sign`: one SignerInfo per `--cert/--key` pair.
//!
//! * `--format smime` (default): the input goes through the library's message layer
//!   ([`pqsmime::smime::message::protect`]): a whole RFC 5322 message keeps its header fields
//!   outside (and, unless `--no-header-protection`, copied inside with `hp="clear"`, RFC
//!   9788); the MIME entity is canonicalized (CRLF) and parts that would not survive relays
//!   are re-encoded to quoted-printable/base64 before signing (a note says which). Detached
//!   gives multipart/signed with a `micalg` listing every signer's digest (RFC 8551
//!   §3.5.3.2), `--opaque` gives application/pkcs7-mime; smime-type=signed-data. The input is
//!   streamed (spooled to a temporary file past 4 MiB).
//! * `--format der|pem`: the input is signed as is (binary); encapsulated by default. Inputs
//!   over [`STREAM_THRESHOLD`] are signed with `sign_stream` in constant memory (BER
//!   indefinite-length output), with a progress bar when stderr is a terminal.
//!
//! micalg and SHA-3/SHAKE: RFC 8551 registers micalg tokens only for SHA-2 (and legacy
//! digests). When a signer's digest has none, the default smime shape falls back to the
//! opaque form with a note on stderr; an explicit `--detached` is refused (exit 2).

use std::io::{Cursor, Read, Write};
use std::process::ExitCode;

use pqsmime::alg::DigestAlgorithm;
use pqsmime::cms::signed::{self, SignOptions, Signer};
use pqsmime::keys::PrivateKey;
use pqsmime::smime::message::micalg;
use pqsmime::smime::{self, Protected, Protection, SignedForm};

use crate::cli::sign::SignArgs;
use crate::cli::Format;
use crate::commands::{load_cert_and_rest, load_certs, load_private_key};
use crate::error::{CliError, CliResult, Context};
use crate::io::{stderr_is_terminal, Output, Secrecy, Source};
use crate::pem::{self, PemWriter};

/// Inputs larger than this are signed as a stream (`--format der|pem`).
pub const STREAM_THRESHOLD: u64 = 16 * 1024 * 1024;

/// The shape of the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// multipart/signed around the canonical content.
    MultipartSigned,
    /// application/pkcs7-mime; smime-type=signed-data.
    Pkcs7Mime,
    /// A CMS ContentInfo (PEM or DER), detached or not.
    Cms { detached: bool },
}

pub fn run(a: SignArgs) -> CliResult<ExitCode> {
    check_pairs(a.cert.len(), a.key.len())?;

    let mut certs = Vec::with_capacity(a.cert.len());
    let mut keys = Vec::with_capacity(a.key.len());
    let mut extra_certs = Vec::new();
    for (cert_path, key_path) in a.cert.iter().zip(&a.key) {
        let (cert, rest) = load_cert_and_rest(cert_path, "signer certificate")?;
        let key = load_private_key(key_path, "private key")?;
        if !key.kind().can_sign() {
            return Err(CliError::input(format!(
                "{} holds an {} key, which cannot sign (it is an encryption key)",
                key_path.display(),
                key.kind().description()
            )));
        }
        let cert_key = cert
            .public_key()
            .ctx(|| format!("reading the public key of {}", cert_path.display()))?;
        if cert_key != key.public_key() {
            return Err(CliError::input(format!(
                "the private key {} does not belong to the certificate {}",
                key_path.display(),
                cert_path.display()
            )));
        }
        certs.push(cert);
        keys.push(key);
        extra_certs.extend(rest);
    }
    for p in &a.chain {
        extra_certs.extend(load_certs(p, "chain certificate")?);
    }
    let encryption_cert = match &a.encryption_cert {
        Some(p) => Some(load_cert_and_rest(p, "encryption certificate")?.0),
        None => None,
    };

    let override_digest = a.digest.map(|d| d.algorithm());
    let digests = signer_digests(&keys, override_digest)?;
    let shape = choose_shape(a.format, a.detached, a.opaque, &digests)?;

    let signers: Vec<Signer<'_>> = certs
        .iter()
        .zip(&keys)
        .map(|(cert, key)| Signer {
            cert,
            key,
            digest: override_digest,
            signature_algorithm: None,
        })
        .collect();
    let opts = SignOptions {
        detached: matches!(
            shape,
            Shape::MultipartSigned | Shape::Cms { detached: true }
        ),
        extra_certs,
        encryption_cert,
        signing_time: None,
        content_type: None,
    };

    let source = Source::from_arg(a.input.input.as_deref());
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    match shape {
        Shape::MultipartSigned | Shape::Pkcs7Mime => {
            let form = if shape == Shape::MultipartSigned {
                SignedForm::Clear
            } else {
                SignedForm::Opaque
            };
            let mut prot = Protection::sign(&signers, form);
            prot.sign_options = opts;
            prot.header_protection = !a.no_header_protection;
            let (reader, _) = source.open()?;
            let summary = smime::protect(reader, &mut out, &prot)
                .map_err(|e| write_or_library_error(e, &out))
                .map_err(|e| e.context(format!("signing {}", source.describe())))?;
            print_notes(&summary, shape == Shape::MultipartSigned);
        }
        Shape::Cms { .. } => sign_cms(&source, &mut out, a.format, &signers, &opts)?,
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

/// A library error from writing the output reads better as the output's own error.
pub fn write_or_library_error(e: pqsmime::Error, out: &Output) -> CliError {
    match e {
        pqsmime::Error::Io(io) => out.error(io),
        other => CliError::from(other),
    }
}

/// Notes on stderr about what happened to the content on its way into the signature.
pub fn print_notes(summary: &Protected, clear: bool) {
    let mut err = std::io::stderr();
    if !summary.mime_entity {
        let _ = writeln!(
            err,
            "pqsmime: note: the input does not start with MIME headers; it is signed as is (a mail client expects a MIME entity such as 'Content-Type: text/plain' followed by an empty line)"
        );
    }
    for change in &summary.reencoded {
        let _ = writeln!(
            err,
            "pqsmime: note: {change} before signing, so that mail relays cannot break the signature (RFC 8551 §3.1)"
        );
    }
    if let (true, true, Some(why)) = (clear, summary.reencoded.is_empty(), &summary.unsafe_reason) {
        let _ = writeln!(
            err,
            "pqsmime: note: the content has {why}; mail transports may alter it and break a multipart/signed signature (transfer-encode it first, or use --opaque)"
        );
    }
}

/// Each `--cert` needs the `--key` in the same position.
pub fn check_pairs(certs: usize, keys: usize) -> CliResult<()> {
    if certs != keys {
        return Err(CliError::input(format!(
            "--cert was given {certs} time(s) and --key {keys} time(s); each --cert needs the --key in the same position"
        )));
    }
    if certs == 0 {
        return Err(CliError::input("at least one --cert/--key pair is needed"));
    }
    Ok(())
}

/// The CMS digest each signer will use: the override, or the algorithm's default (the same
/// rule the library applies).
fn signer_digests(
    keys: &[PrivateKey],
    override_digest: Option<DigestAlgorithm>,
) -> CliResult<Vec<DigestAlgorithm>> {
    keys.iter()
        .map(|k| {
            let alg = k.kind().default_signature_algorithm().ok_or_else(|| {
                let d = k.kind().description();
                CliError::input(format!("{} {d} key cannot sign", crate::error::article(&d)))
            })?;
            let d = override_digest.unwrap_or(alg.default_cms_digest());
            if !alg.accepts_cms_digest(d) {
                return Err(CliError::input(format!(
                    "--digest {} is not suitable for {} (RFC 9882 §3.3 / RFC 9814 §4)",
                    d.name(),
                    alg.name()
                )));
            }
            Ok(d)
        })
        .collect()
}

fn choose_shape(
    format: Format,
    detached: bool,
    opaque: bool,
    digests: &[DigestAlgorithm],
) -> CliResult<Shape> {
    Ok(match format {
        Format::Der | Format::Pem => Shape::Cms { detached },
        Format::Smime if opaque => Shape::Pkcs7Mime,
        Format::Smime => match micalg(digests) {
            Ok(_) => Shape::MultipartSigned,
            Err(d) if detached => return Err(no_micalg(d, true)),
            Err(d) => {
                let _ = writeln!(std::io::stderr(), "pqsmime: note: {}", no_micalg(d, false));
                Shape::Pkcs7Mime
            }
        },
    })
}

fn no_micalg(d: DigestAlgorithm, refused: bool) -> CliError {
    let what = format!(
        "{} has no micalg token for multipart/signed (RFC 8551 §3.5.3.2)",
        d.name()
    );
    if refused {
        CliError::input(format!(
            "{what}; use --opaque, or --digest sha256/sha384/sha512 where the algorithm allows it"
        ))
    } else {
        CliError::input(format!(
            "{what}, so the message is signed in the opaque form (application/pkcs7-mime)"
        ))
    }
}

/// `--format der|pem`: in memory for small inputs (DER), streamed for large ones.
fn sign_cms(
    source: &Source,
    out: &mut Output,
    format: Format,
    signers: &[Signer<'_>],
    opts: &SignOptions,
) -> CliResult<()> {
    let (mut reader, known_len) = source.open()?;
    let mut head = Vec::new();
    (&mut reader)
        .take(STREAM_THRESHOLD + 1)
        .read_to_end(&mut head)
        .map_err(|e| {
            CliError::input(format!(
                "cannot read {}: {}",
                source.describe(),
                crate::error::io_reason(&e)
            ))
        })?;

    if head.len() as u64 <= STREAM_THRESHOLD {
        let der = signed::sign(&head, signers, opts)?;
        if format == Format::Pem {
            out.put(pem::encode("CMS", &der).as_bytes())?;
        } else {
            out.put(&der)?;
        }
        return Ok(());
    }

    let progress = progress_bar(known_len);
    let chained = Cursor::new(head).chain(reader);
    let input: Box<dyn Read> = match &progress {
        Some(pb) => Box::new(pb.wrap_read(chained)),
        None => Box::new(chained),
    };
    let result = if format == Format::Pem {
        let mut w = PemWriter::new(&mut *out, "CMS")
            .map_err(|e| CliError::input(format!("cannot write: {e}")))?;
        signed::sign_stream(input, &mut w, signers, opts)
            .map_err(CliError::from)
            .and_then(|_| {
                w.finish()
                    .map(|_| ())
                    .map_err(|e| CliError::input(format!("cannot write: {e}")))
            })
    } else {
        signed::sign_stream(input, &mut *out, signers, opts)
            .map(|_| ())
            .map_err(CliError::from)
    };
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    result
}

fn progress_bar(len: Option<u64>) -> Option<indicatif::ProgressBar> {
    if !stderr_is_terminal() {
        return None;
    }
    let pb = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let template = if len.is_some() {
        "signing {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})"
    } else {
        "signing {spinner} {bytes} ({bytes_per_sec})"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        pb.set_style(style);
    }
    pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    Some(pb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DigestAlgorithm::*;

    #[test]
    fn micalg_lists_each_digest_once_in_signer_order() {
        assert_eq!(micalg(&[Sha512]).unwrap(), "sha-512");
        assert_eq!(micalg(&[Sha512, Sha256]).unwrap(), "sha-512,sha-256");
        assert_eq!(
            micalg(&[Sha256, Sha512, Sha256, Sha384]).unwrap(),
            "sha-256,sha-512,sha-384"
        );
    }

    #[test]
    fn micalg_refuses_digests_without_a_token() {
        assert_eq!(micalg(&[Sha512, Shake256]), Err(Shake256));
        assert_eq!(micalg(&[Sha3_256]), Err(Sha3_256));
    }

    #[test]
    fn mismatched_cert_and_key_counts_are_usage_errors() {
        let e = check_pairs(2, 1).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(
            e.message
                .contains("--cert was given 2 time(s) and --key 1 time(s)"),
            "{}",
            e.message
        );
        assert!(check_pairs(1, 1).is_ok());
        assert!(check_pairs(0, 0).is_err());
    }

    #[test]
    fn mismatched_counts_through_the_binary_entry_point_exit_2() {
        let code = crate::app::main_with_args([
            "pqsmime", "sign", "--cert", "a.crt", "--cert", "b.crt", "--key", "a.key",
        ]);
        assert_eq!(code, ExitCode::from(2));
    }

    #[test]
    fn shape_follows_format_flags_and_micalg() {
        assert_eq!(
            choose_shape(Format::Smime, false, false, &[Sha512]).unwrap(),
            Shape::MultipartSigned
        );
        assert_eq!(
            choose_shape(Format::Smime, false, true, &[Sha512]).unwrap(),
            Shape::Pkcs7Mime
        );
        assert_eq!(
            choose_shape(Format::Der, false, false, &[Sha512]).unwrap(),
            Shape::Cms { detached: false }
        );
        assert_eq!(
            choose_shape(Format::Pem, true, false, &[Sha512]).unwrap(),
            Shape::Cms { detached: true }
        );
        // SHAKE (SLH-DSA-SHAKE): default falls back to opaque, explicit --detached is refused.
        assert_eq!(
            choose_shape(Format::Smime, false, false, &[Shake128]).unwrap(),
            Shape::Pkcs7Mime
        );
        let e = choose_shape(Format::Smime, true, false, &[Sha512, Shake256]).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(
            e.message.contains("SHAKE256 has no micalg token"),
            "{}",
            e.message
        );
        // Detached DER with SHAKE needs no micalg.
        assert!(choose_shape(Format::Der, true, false, &[Shake256]).is_ok());
    }

    #[test]
    fn digests_are_read_back_from_a_signed_data() {
        use pqsmime::{asn1, oids};
        // ContentInfo { signedData, [0] { SignedData { 1, { sha512, sha256 }, ... } } }
        let algs = asn1::set_of(vec![
            Sha512.algorithm_identifier(),
            Sha256.algorithm_identifier(),
        ]);
        let encap = asn1::sequence(&[&asn1::oid(&oids::ID_DATA)]);
        let sd = asn1::sequence(&[&asn1::integer_u64(1), &algs, &encap, &asn1::set_of(vec![])]);
        let ci = asn1::sequence(&[&asn1::oid(&oids::ID_SIGNED_DATA), &asn1::tlv(0xA0, &sd)]);
        let mut got = smime::signed_data_digests(&ci).unwrap();
        got.sort_by_key(|d| d.name());
        assert_eq!(got, [Sha256, Sha512]);
        let not_sd = asn1::sequence(&[&asn1::oid(&oids::ID_DATA), &asn1::tlv(0xA0, &sd)]);
        assert!(smime::signed_data_digests(&not_sd).is_err());
    }
}
