//! `pqsmime protect`: sign-then-encrypt a whole message (RFC 8551 §3.7) with the library's
//! message layer; see `cli/protect.rs` for the shape of the result.
//!
//! Design: the signers are loaded as for `pqsmime sign`; the recipients are every `--to`
//! plus, unless `--no-encrypt-to-self`, the `--encryption-cert`, which is also advertised in
//! the signature (SMIMEEncryptionKeyPreference) and included, so that the recipients learn
//! where to send encrypted replies.

use std::io::Write;
use std::process::ExitCode;

use pqsmime::cms::enveloped::Recipient;
use pqsmime::cms::signed::{SignOptions, Signer};
use pqsmime::smime::{self, Protection, SignedForm};

use crate::cli::protect::ProtectArgs;
use crate::commands::sign::{check_pairs, print_notes, write_or_library_error};
use crate::commands::{load_cert_and_rest, load_certs, load_private_key};
use crate::error::{CliError, CliResult, Context};
use crate::io::{Output, Secrecy, Source};

pub fn run(a: ProtectArgs) -> CliResult<ExitCode> {
    check_pairs(a.cert.len(), a.key.len())?;
    let mut certs = Vec::with_capacity(a.cert.len());
    let mut keys = Vec::with_capacity(a.key.len());
    let mut extra_certs = Vec::new();
    for (cert_path, key_path) in a.cert.iter().zip(&a.key) {
        let (cert, rest) = load_cert_and_rest(cert_path, "signer certificate")?;
        let key = load_private_key(key_path, "private key")?;
        if !key.kind().can_sign() {
            return Err(CliError::input(format!(
                "{} holds an {} key, which cannot sign (give it with --to or --encryption-cert)",
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

    let mut recipients = Vec::with_capacity(a.to.len() + 1);
    for p in &a.to {
        let (cert, _) = load_cert_and_rest(p, "recipient certificate")?;
        recipients.push(
            Recipient::for_certificate(&cert)
                .ctx(|| format!("using {} as a recipient", p.display()))?,
        );
    }
    if let (Some(cert), false) = (&encryption_cert, a.no_encrypt_to_self) {
        let path = a
            .encryption_cert
            .as_deref()
            .unwrap_or(std::path::Path::new(""));
        recipients.push(
            Recipient::for_certificate(cert)
                .ctx(|| format!("using {} as a recipient", path.display()))?,
        );
    }

    let digest = a.digest.map(|d| d.algorithm());
    let signers: Vec<Signer<'_>> = certs
        .iter()
        .zip(&keys)
        .map(|(cert, key)| Signer {
            cert,
            key,
            digest,
            signature_algorithm: None,
        })
        .collect();
    let form = if a.opaque {
        SignedForm::Opaque
    } else {
        let digests = smime::message::signer_digests(&signers)?;
        match smime::message::micalg(&digests) {
            Ok(_) => SignedForm::Clear,
            Err(d) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "pqsmime: note: {} has no micalg token for multipart/signed (RFC 8551 §3.5.3.2), so the signed part inside the encryption is opaque (application/pkcs7-mime)",
                    d.name()
                );
                SignedForm::Opaque
            }
        }
    };
    let mut prot =
        Protection::sign(&signers, form).and_encrypt(&recipients, a.cipher.content_cipher());
    prot.sign_options = SignOptions {
        extra_certs,
        encryption_cert,
        ..SignOptions::default()
    };
    prot.header_protection = !a.no_header_protection;

    let source = Source::from_arg(a.input.input.as_deref());
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let (reader, _) = source.open()?;
    let summary = smime::protect(reader, &mut out, &prot)
        .map_err(|e| write_or_library_error(e, &out))
        .map_err(|e| e.context(format!("protecting {}", source.describe())))?;
    print_notes(&summary, form == SignedForm::Clear);
    if !summary.whole_message {
        let _ = writeln!(
            std::io::stderr(),
            "pqsmime: note: the input has no message header fields (From, To, Subject, ...); the result is an S/MIME entity, not a complete message"
        );
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}
