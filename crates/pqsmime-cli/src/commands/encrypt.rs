//! `pqsmime encrypt`: one RecipientInfo per `--to` certificate (KEMRecipientInfo for ML-KEM,
//! RSA-OAEP KeyTransRecipientInfo, ECDH KeyAgreeRecipientInfo), AuthEnvelopedData for GCM and
//! EnvelopedData for CBC.
//!
//! Design:
//! * `--format der|pem`: the input bytes as they are. Inputs up to [`DER_LIMIT`] are
//!   encrypted in memory and written as DER; larger ones are streamed ([`Encryptor`]) as BER
//!   with indefinite lengths and 64 KiB segments, in constant memory (PEM through a streaming
//!   PEM writer).
//! * `--format smime`: the input is made canonical (bare LF → CRLF) on the fly and written as
//!   an `application/pkcs7-mime` entity with a streamed 76-column base64 body. A complete
//!   RFC 5322 message (header fields other than `Content-*`) goes to the library's message
//!   layer ([`smime::protect`]), which keeps From, To, Date, ... outside for delivery and
//!   applies RFC 9788 header protection unless `--no-header-protection`.
//! * `--sign-cert/--sign-key` (CMS formats): sign-then-encrypt in one pass
//!   ([`sign_then_encrypt`]): the signer and the encryptor run on two threads joined by a
//!   bounded in-memory pipe ([`pipe`]).
//! * A progress bar appears for long work when stderr is a terminal ([`ProgressReader`]).
//!
//! Seams for the message layer: [`load_recipients`] (certificates → [`Recipient`]s with the
//! KEM options), [`encrypt_entity`] (any reader → any writer, one of the three formats;
//! the S/MIME form is the entity without `MIME-Version`, so a caller can write its own outer
//! header section first) and [`sign_then_encrypt`].
//!
//! [`Encryptor`]: pqsmime::cms::enveloped::Encryptor

use std::fmt;
use std::io::{self, BufRead, BufReader, Cursor, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use pqsmime::alg::KeyKind;
use pqsmime::cms::enveloped::{self, ContentCipher, KemKdf, KeyWrapAlgorithm, Recipient};
use pqsmime::cms::signed::{self, SignOptions, Signer};
use pqsmime::keys::PrivateKey;
use pqsmime::smime::blob::{Base64LineWriter, CanonicalReader};
use pqsmime::smime::message::pkcs7_mime_header;
use pqsmime::smime::{self, HeaderSection, Protection};
use pqsmime::x509::{Certificate, KeyUsage};
use zeroize::Zeroizing;

pub mod pipe;

pub use crate::cli::encrypt::EncryptArgs;
use crate::cli::Format;
use crate::commands::sign::write_or_library_error;
use crate::commands::{load_cert_and_rest, load_private_key};
use crate::error::{io_reason, CliError, CliResult, Context};
use crate::io::{stderr_is_terminal, Output, Secrecy, Source};
use crate::pem::PemWriter;

/// Inputs up to this size are encrypted in memory and written as DER.
pub const DER_LIMIT: usize = 1 << 20;
/// Largest header section looked at to decide whether the input is a whole message.
const MAX_HEAD: usize = 256 * 1024;
/// Longest `--ukm`.
const MAX_UKM: usize = 1024;

pub fn run(a: EncryptArgs) -> CliResult<ExitCode> {
    let ukm = a.ukm.as_deref().map(parse_ukm).transpose()?;
    let kem_kdf = a.kem_kdf.map(|k| k.kdf());
    let key_wrap = a.key_wrap.map(|w| w.wrap());
    let recipients = load_recipients(&a.to, kem_kdf, key_wrap, ukm.as_ref().map(|u| u.as_slice()))?;
    notes_on_options(&recipients, kem_kdf, key_wrap, ukm.is_some());
    let cipher = a.cipher.content_cipher();

    let source = Source::from_arg(a.input.input.as_deref());
    let (reader, len) = source.open()?;
    let reader = ProgressReader::new(reader, len, "encrypting", true).describing(source.describe());
    let signing = load_signers(&a)?;
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let result = match (a.format, &signing) {
        (Format::Smime, None) => encrypt_smime(
            reader,
            &mut out,
            &recipients,
            cipher,
            !a.no_header_protection,
        ),
        (f, None) => encrypt_entity(reader, &mut out, &recipients, cipher, f).map(|_| None),
        (f, Some((certs, keys))) => {
            let signers: Vec<Signer<'_>> = certs
                .iter()
                .zip(keys)
                .map(|(cert, key)| Signer {
                    cert,
                    key,
                    digest: None,
                    signature_algorithm: None,
                })
                .collect();
            let opts = SignOptions {
                detached: false,
                extra_certs: certs.iter().skip(signers.len()).cloned().collect(),
                ..SignOptions::default()
            };
            sign_then_encrypt(reader, &mut out, &signers, &opts, &recipients, cipher, f)
                .map(|_| None)
        }
    };
    let summary = result
        .map_err(|e| error_for(e, &out))
        .map_err(|e| e.context(format!("encrypting {}", source.describe())))?;
    if let Some(s) = summary {
        print_message_notes(&s);
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

/// `--sign-cert/--sign-key`: the signers' certificates (followed by the chain certificates
/// found after them in the same files) and keys, or `None` without signing.
#[allow(clippy::type_complexity)]
fn load_signers(a: &EncryptArgs) -> CliResult<Option<(Vec<Certificate>, Vec<PrivateKey>)>> {
    if a.sign_cert.is_empty() && a.sign_key.is_empty() {
        return Ok(None);
    }
    if a.format == Format::Smime {
        return Err(CliError::input(
            "--sign-cert makes CMS (--format der or pem); to sign and encrypt S/MIME mail use `pqsmime protect`",
        ));
    }
    if a.sign_cert.len() != a.sign_key.len() {
        return Err(CliError::input(format!(
            "--sign-cert was given {} time(s) and --sign-key {} time(s); each --sign-cert needs the --sign-key in the same position",
            a.sign_cert.len(),
            a.sign_key.len()
        )));
    }
    let mut certs = Vec::new();
    let mut chain = Vec::new();
    let mut keys = Vec::new();
    for (cert_path, key_path) in a.sign_cert.iter().zip(&a.sign_key) {
        let (cert, rest) = load_cert_and_rest(cert_path, "signer certificate")?;
        let key = load_private_key(key_path, "signer private key")?;
        if !key.kind().can_sign() {
            return Err(CliError::input(format!(
                "{} holds an {} key, which cannot sign",
                key_path.display(),
                key.kind().description()
            )));
        }
        if let Some(ku) = cert.key_usage() {
            if !ku.contains(KeyUsage::DIGITAL_SIGNATURE) && !ku.contains(KeyUsage::NON_REPUDIATION)
            {
                return Err(CliError::input(format!(
                    "{} cannot sign: its keyUsage has neither digitalSignature nor nonRepudiation (is it an encryption certificate?)",
                    cert_path.display()
                )));
            }
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
        chain.extend(rest);
    }
    certs.extend(chain);
    Ok(Some((certs, keys)))
}

/// Signs `input` (SignedData, content encapsulated) and encrypts the SignedData in one pass:
/// signing on this thread, encryption on a second one, joined by a bounded in-memory pipe.
/// The result is what `pqsmime sign --format der | pqsmime encrypt --format der|pem` makes.
/// Returns the number of content bytes signed.
pub fn sign_then_encrypt<R: Read, W: Write + Send>(
    input: R,
    output: W,
    signers: &[Signer<'_>],
    opts: &SignOptions,
    recipients: &[Recipient],
    cipher: ContentCipher,
    format: Format,
) -> pqsmime::Result<u64> {
    let (mut tx, rx) = pipe::pipe();
    std::thread::scope(|scope| {
        let encryptor = scope.spawn(move || encrypt_entity(rx, output, recipients, cipher, format));
        let signed = signed::sign_stream(input, &mut tx, signers, opts);
        match &signed {
            // A failure here means the encryptor stopped; its own error says why.
            Ok(_) => drop(tx.finish()),
            Err(_) => tx.fail(),
        }
        let encrypted = encryptor.join().map_err(|_| {
            pqsmime::Error::Crypto("the encryption thread stopped unexpectedly".into())
        })?;
        match (signed, encrypted) {
            // The signer only stopped because the encryptor did: report the encryptor.
            (Err(s), Err(e)) if pipe::is_broken_pipe(&s) => Err(e),
            (Err(s), _) => Err(s),
            (Ok(_), Err(e)) => Err(e),
            (Ok(n), Ok(_)) => Ok(n),
        }
    })
}

/// Read errors of the input (tagged by [`ProgressReader`]) name the input; other I/O errors
/// are the output's.
fn error_for(e: pqsmime::Error, out: &Output) -> CliError {
    if let pqsmime::Error::Io(io) = &e {
        if let Some(r) = io.get_ref().and_then(|x| x.downcast_ref::<ReadError>()) {
            return CliError::input(r.0.clone());
        }
    }
    write_or_library_error(e, out)
}

/// One [`Recipient`] per certificate file (the first certificate of each), with the KEM
/// options applied to ML-KEM recipients and the UKM to ML-KEM and ECDH recipients. A
/// certificate that cannot receive encrypted mail (a signature key, a keyUsage without
/// keyEncipherment or keyAgreement) is an input error naming the file.
pub fn load_recipients(
    paths: &[PathBuf],
    kem_kdf: Option<KemKdf>,
    key_wrap: Option<KeyWrapAlgorithm>,
    ukm: Option<&[u8]>,
) -> CliResult<Vec<Recipient>> {
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let (cert, _) = load_cert_and_rest(p, "recipient certificate")?;
        let mut r = Recipient::for_certificate(&cert).map_err(|e| {
            let sentence = match e {
                pqsmime::Error::Certificate(m) | pqsmime::Error::Usage(m) => m,
                other => other.to_string(),
            };
            CliError::input(format!(
                "{} cannot be used to encrypt: {sentence}",
                p.display()
            ))
        })?;
        if let Some(k) = kem_kdf {
            r = r.with_kem_kdf(k);
        }
        if let Some(w) = key_wrap {
            r = r.with_key_wrap(w);
        }
        if let Some(u) = ukm {
            if !matches!(r.key().kind(), KeyKind::Rsa(_)) {
                r = r.with_ukm(u.to_vec());
            }
        }
        out.push(r);
    }
    Ok(out)
}

fn notes_on_options(
    recipients: &[Recipient],
    kem_kdf: Option<KemKdf>,
    key_wrap: Option<KeyWrapAlgorithm>,
    ukm: bool,
) {
    let has_kem = recipients
        .iter()
        .any(|r| matches!(r.key().kind(), KeyKind::MlKem(_)));
    let has_rsa = recipients
        .iter()
        .any(|r| matches!(r.key().kind(), KeyKind::Rsa(_)));
    let mut err = io::stderr();
    if !has_kem && (kem_kdf.is_some() || key_wrap.is_some()) {
        let _ = writeln!(
            err,
            "pqsmime: note: --kem-kdf and --key-wrap apply to ML-KEM recipients, and there is none"
        );
    }
    if ukm && has_rsa {
        let _ = writeln!(
            err,
            "pqsmime: note: --ukm is not used for RSA recipients (key transport has no UKM)"
        );
    }
}

/// `--ukm`: hex, 1 to 1024 bytes.
fn parse_ukm(hex: &str) -> CliResult<Zeroizing<Vec<u8>>> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let bad = || {
        CliError::input(format!(
            "--ukm must be 1 to {MAX_UKM} bytes written in hex (two digits per byte)"
        ))
    };
    if digits.is_empty() || digits.len() % 2 != 0 || digits.len() > 2 * MAX_UKM {
        return Err(bad());
    }
    let nibble = |c: u8| -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    };
    let mut out = Zeroizing::new(Vec::with_capacity(digits.len() / 2));
    for pair in digits.chunks(2) {
        match (
            pair.first().and_then(|c| nibble(*c)),
            pair.get(1).and_then(|c| nibble(*c)),
        ) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// `--format smime`: a whole message goes through the message layer, anything else is
/// encrypted as one entity (with `MIME-Version` in front).
fn encrypt_smime<R: Read, W: Write>(
    input: R,
    mut out: W,
    recipients: &[Recipient],
    cipher: ContentCipher,
    header_protection: bool,
) -> pqsmime::Result<Option<smime::Protected>> {
    let mut r = BufReader::with_capacity(64 * 1024, input);
    let (head, header_like) = read_head(&mut r)?;
    let whole_message = header_like
        && HeaderSection::parse(&head)
            .map(|(h, _)| h.has_message_fields())
            .unwrap_or(false);
    let input = Cursor::new(head).chain(r);
    if whole_message {
        let mut p = Protection::encrypt(recipients, cipher);
        p.header_protection = header_protection;
        return smime::protect(input, out, &p).map(Some);
    }
    out.write_all(b"MIME-Version: 1.0\r\n")?;
    encrypt_entity(input, out, recipients, cipher, Format::Smime)?;
    Ok(None)
}

/// Encrypts everything `input` yields for `recipients` and writes it to `output` as
/// * [`Format::Der`]: a CMS ContentInfo (DER up to [`DER_LIMIT`] of input, BER beyond);
/// * [`Format::Pem`]: the same in PEM `CMS`;
/// * [`Format::Smime`]: an `application/pkcs7-mime` entity (Content-Type,
///   Content-Transfer-Encoding, Content-Disposition, empty line, base64 in 76-column CRLF
///   lines) of the input made canonical (CRLF). No `MIME-Version`: the caller writes the
///   outer header section.
///
/// Memory stays constant however large the input. Returns the number of plaintext bytes
/// encrypted.
pub fn encrypt_entity<R: Read, W: Write>(
    input: R,
    mut output: W,
    recipients: &[Recipient],
    cipher: ContentCipher,
    format: Format,
) -> pqsmime::Result<u64> {
    let input: Box<dyn Read + '_> = if format == Format::Smime {
        Box::new(CanonicalReader::new(input))
    } else {
        Box::new(input)
    };
    let n = match format {
        Format::Der => write_cms(input, &mut output, recipients, cipher)?,
        Format::Pem => {
            let mut pem = PemWriter::new(&mut output, "CMS")?;
            let n = write_cms(input, &mut pem, recipients, cipher)?;
            pem.finish()?;
            n
        }
        Format::Smime => {
            output.write_all(&pkcs7_mime_header(smime::message::smime_type_for(cipher)))?;
            let mut b64 = Base64LineWriter::new(&mut output);
            let n = write_cms(input, &mut b64, recipients, cipher)?;
            b64.finish()?;
            n
        }
    };
    output.flush()?;
    Ok(n)
}

/// DER in memory for small inputs, a BER stream for large ones.
fn write_cms<R: Read, W: Write>(
    mut input: R,
    out: &mut W,
    recipients: &[Recipient],
    cipher: ContentCipher,
) -> pqsmime::Result<u64> {
    let mut head = Zeroizing::new(Vec::new());
    (&mut input)
        .take(DER_LIMIT as u64 + 1)
        .read_to_end(&mut head)?;
    if head.len() <= DER_LIMIT {
        let der = enveloped::encrypt(&head, recipients, cipher)?;
        out.write_all(&der)?;
        return Ok(head.len() as u64);
    }
    enveloped::encrypt_stream(Cursor::new(&head[..]).chain(input), out, recipients, cipher)
}

/// Reads the header section (through its empty line), or just the first line when the input
/// does not start like one. The flag says whether it looked like a header section.
fn read_head<R: BufRead>(r: &mut R) -> pqsmime::Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    loop {
        let start = head.len();
        let room = (MAX_HEAD + 2).saturating_sub(start) as u64;
        let n = r.by_ref().take(room).read_until(b'\n', &mut head)?;
        let line = &head[start..];
        if n == 0 {
            return Ok((head, start > 0));
        }
        if line == b"\n" || line == b"\r\n" {
            return Ok((head, start > 0));
        }
        if start == 0 && !(line.starts_with(b"From ") || looks_like_field(line)) {
            return Ok((head, false));
        }
        if head.len() > MAX_HEAD {
            return Ok((head, false));
        }
    }
}

/// `Name:` with a printable ASCII name.
fn looks_like_field(line: &[u8]) -> bool {
    match line.iter().position(|b| *b == b':') {
        None | Some(0) => false,
        Some(c) => line[..c].iter().all(|b| (0x21..=0x7E).contains(b)),
    }
}

fn print_message_notes(s: &smime::Protected) {
    let mut err = io::stderr();
    if let Some(hp) = s.header_protection {
        let _ = writeln!(
            err,
            "pqsmime: note: a whole message: its header fields stay outside for delivery and travel inside too (RFC 9788, hp=\"{hp}\")"
        );
    }
    for o in &s.obscured {
        let _ = writeln!(err, "pqsmime: note: {o}");
    }
}

/// A read error of the input, with the sentence to print.
#[derive(Debug)]
pub struct ReadError(pub String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

/// Bytes read before a progress bar appears for an input of unknown length.
const PROGRESS_AFTER: u64 = 16 << 20;

/// Wraps the input: shows a progress bar for long work (inputs of 16 MiB and more) when
/// stderr is a terminal, and tags read errors with the input's name ([`ReadError`]).
pub struct ProgressReader<R: Read> {
    inner: R,
    len: Option<u64>,
    verb: &'static str,
    enabled: bool,
    read: u64,
    bar: Option<indicatif::ProgressBar>,
    name: String,
}

impl<R: Read> ProgressReader<R> {
    /// `enabled` false (e.g. with `--json`) never shows a bar.
    pub fn new(inner: R, len: Option<u64>, verb: &'static str, enabled: bool) -> Self {
        ProgressReader {
            inner,
            len,
            verb,
            enabled: enabled && stderr_is_terminal(),
            read: 0,
            bar: None,
            name: "the input".into(),
        }
    }

    /// Names the input in read errors.
    pub fn describing(mut self, name: String) -> Self {
        self.name = name;
        self
    }

    fn start_bar(&mut self) {
        let (pb, template) = match self.len {
            Some(n) => (
                indicatif::ProgressBar::new(n),
                format!(
                    "{} {{bar:40}} {{bytes}}/{{total_bytes}} ({{bytes_per_sec}}, {{eta}})",
                    self.verb
                ),
            ),
            None => (
                indicatif::ProgressBar::new_spinner(),
                format!("{} {{spinner}} {{bytes}} ({{bytes_per_sec}})", self.verb),
            ),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
            pb.set_style(style);
        }
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        pb.set_position(self.read);
        self.bar = Some(pb);
    }
}

impl<R: Read> Read for ProgressReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                return e;
            }
            io::Error::new(
                e.kind(),
                ReadError(format!("cannot read {}: {}", self.name, io_reason(&e))),
            )
        })?;
        self.read += n as u64;
        if self.enabled && self.bar.is_none() {
            let long = match self.len {
                Some(len) => len >= PROGRESS_AFTER,
                None => self.read >= PROGRESS_AFTER,
            };
            if long {
                self.start_bar();
            }
        }
        if let Some(pb) = &self.bar {
            if n == 0 {
                pb.finish_and_clear();
            } else {
                pb.set_position(self.read);
            }
        }
        Ok(n)
    }
}

impl<R: Read> Drop for ProgressReader<R> {
    fn drop(&mut self) {
        if let Some(pb) = self.bar.take() {
            pb.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::encrypt::Cipher;

    #[test]
    fn ukm_is_hex_within_bounds() {
        assert_eq!(
            &parse_ukm("00ff10Aa").unwrap()[..],
            &[0x00, 0xff, 0x10, 0xaa]
        );
        for bad in ["", "0", "0g", "zz", &"00".repeat(MAX_UKM + 1)] {
            let e = parse_ukm(bad).unwrap_err();
            assert_eq!(e.exit.code(), 2, "{bad}");
            assert!(e.message.contains("--ukm"), "{}", e.message);
        }
    }

    #[test]
    fn smime_types_follow_the_cipher() {
        let t = |c: Cipher| smime::message::smime_type_for(c.content_cipher());
        assert_eq!(t(Cipher::Aes256Gcm), "authEnveloped-data");
        assert_eq!(t(Cipher::Aes128Gcm), "authEnveloped-data");
        assert_eq!(t(Cipher::Aes256Cbc), "enveloped-data");
        assert_eq!(t(Cipher::Aes128Cbc), "enveloped-data");
    }

    #[test]
    fn head_detection_tells_messages_from_content() {
        let (h, like) = read_head(&mut &b"From: a@x\r\nTo: b@x\r\n\r\nbody"[..]).unwrap();
        assert!(like);
        assert_eq!(h, b"From: a@x\r\nTo: b@x\r\n\r\n");
        let (h, like) = read_head(&mut &b"just text\nmore"[..]).unwrap();
        assert!(!like);
        assert_eq!(h, b"just text\n");
        let (_, like) = read_head(&mut &b""[..]).unwrap();
        assert!(!like);
        let (h, like) = read_head(&mut &b"Content-Type: text/plain\n"[..]).unwrap();
        assert!(like);
        assert_eq!(h, b"Content-Type: text/plain\n");
    }

    #[test]
    fn progress_reader_tags_read_errors_with_the_input_name() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::PermissionDenied, "nope"))
            }
        }
        let mut r = ProgressReader::new(Failing, None, "x", false).describing("in.eml".into());
        let e = r.read(&mut [0u8; 4]).unwrap_err();
        let tagged = e
            .get_ref()
            .and_then(|x| x.downcast_ref::<ReadError>())
            .unwrap();
        assert_eq!(tagged.0, "cannot read in.eml: permission denied");
    }
}
