//! Whole messages out: an RFC 5322 message (or a bare MIME entity) in, a signed and/or
//! encrypted message ready for an MTA out (RFC 8551 §3).
//!
//! What [`protect`] does with a message:
//! 1. The header section is split: MIME content fields (`Content-*`) describe the body and go
//!    into the protected entity; every other field (From, To, Subject, Date, Message-ID, ...)
//!    stays in the outer header, byte for byte (RFC 2047 encoded words and raw UTF-8 under
//!    SMTPUTF8 are not touched). `MIME-Version: 1.0` is written once, outside.
//! 2. With header protection (RFC 9788, on by default for whole messages) the message fields
//!    are also copied into the protected entity, whose Content-Type gets `hp="clear"` or
//!    `hp="cipher"`; when encrypting, the outer Subject becomes `[...]` (see
//!    [`headers`](super::headers)).
//! 3. The entity is made canonical (CRLF) and, when it is signed, 7-bit safe
//!    ([`encode`](super::encode)): leaves with 8-bit text, long lines, trailing white space or
//!    `From ` lines are re-encoded as quoted-printable or base64 *before* signing.
//! 4. Then, innermost first: sign (multipart/signed or application/pkcs7-mime signed-data),
//!    then encrypt (authEnveloped-data for AES-GCM, enveloped-data for AES-CBC). Signing and
//!    encrypting together is sign-then-encrypt (RFC 8551 §3.7): the signed entity, not the
//!    message, is encrypted, so the signature stays verifiable after decryption.
//!
//! Large bodies are streamed: the body is spooled (memory up to 4 MiB, then an anonymous
//! temporary file), scanned for 7-bit safety on the way in, and, when nothing needs
//! re-encoding, signed and encrypted straight from the spool to the output. Re-encoding works
//! in memory and is refused above [`MAX_REENCODE`].

use std::io::{BufRead, BufReader, Cursor, Read, Write};

use crate::alg::DigestAlgorithm;
use crate::cms::enveloped::{self, ContentCipher, Recipient};
use crate::cms::signed::{self, SignOptions, Signer};
use crate::error::{Error, Result};

use super::blob::{Base64LineWriter, BlobWriter, CanonicalReader};
use super::encode::{self, SafetyScan, ScanResult, BOUNDARY_PREFIX};
use super::fields::{Field, HeaderSection, MAX_HEADER_BYTES};
use super::headers;

/// Largest entity re-encoded to 7 bits (in memory) before signing.
pub const MAX_REENCODE: usize = 64 << 20;

/// The two signed shapes of RFC 8551.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedForm {
    /// multipart/signed with a detached signature (§3.5.3), readable without S/MIME.
    Clear,
    /// application/pkcs7-mime; smime-type=signed-data (§3.5.2), content inside the CMS.
    Opaque,
}

/// What to do to an outgoing message.
pub struct Protection<'a> {
    /// Signers (one SignerInfo each); empty for encryption only.
    pub signers: &'a [Signer<'a>],
    /// Chain, encryption certificate, signing time. `detached` is set from `signed_form`.
    pub sign_options: SignOptions,
    pub signed_form: SignedForm,
    /// Recipients; empty for signing only.
    pub recipients: &'a [Recipient],
    pub cipher: ContentCipher,
    /// RFC 9788 header protection for whole messages.
    pub header_protection: bool,
}

impl<'a> Protection<'a> {
    /// Sign only.
    pub fn sign(signers: &'a [Signer<'a>], form: SignedForm) -> Protection<'a> {
        Protection {
            signers,
            sign_options: SignOptions::default(),
            signed_form: form,
            recipients: &[],
            cipher: ContentCipher::default(),
            header_protection: true,
        }
    }

    /// Encrypt only.
    pub fn encrypt(recipients: &'a [Recipient], cipher: ContentCipher) -> Protection<'a> {
        Protection {
            signers: &[],
            sign_options: SignOptions::default(),
            signed_form: SignedForm::Clear,
            recipients,
            cipher,
            header_protection: true,
        }
    }

    /// Adds encryption to a signing protection (sign-then-encrypt).
    pub fn and_encrypt(mut self, recipients: &'a [Recipient], cipher: ContentCipher) -> Self {
        self.recipients = recipients;
        self.cipher = cipher;
        self
    }
}

/// What [`protect`] did.
#[derive(Clone, Debug, Default)]
pub struct Protected {
    /// The input was a MIME entity (header section first); `false` means it was signed or
    /// encrypted as it was, as plain bytes.
    pub mime_entity: bool,
    /// The input had message header fields (From, To, ...), which were kept outside.
    pub whole_message: bool,
    /// Parts re-encoded to 7 bits before signing, in words.
    pub reencoded: Vec<String>,
    /// Why the entity was not 7-bit safe (empty when it was).
    pub unsafe_reason: Option<String>,
    /// `clear` or `cipher` when header protection was applied.
    pub header_protection: Option<&'static str>,
    /// Outer header fields the confidentiality policy changed, in words.
    pub obscured: Vec<String>,
    /// The micalg parameter of a multipart/signed.
    pub micalg: Option<String>,
    /// The smime-type of the outermost application/pkcs7-mime, if any.
    pub smime_type: Option<&'static str>,
    /// Bytes of the protected entity (after canonicalisation and re-encoding).
    pub entity_bytes: u64,
}

/// The smime-type for a content cipher (RFC 8551 §3.2.2; exact case).
pub fn smime_type_for(cipher: ContentCipher) -> &'static str {
    if cipher.is_authenticated() {
        "authEnveloped-data"
    } else {
        "enveloped-data"
    }
}

/// The digest each signer will use (the rule of [`signed::sign`]).
pub fn signer_digests(signers: &[Signer<'_>]) -> Result<Vec<DigestAlgorithm>> {
    signers
        .iter()
        .map(|s| {
            let alg = match s.signature_algorithm {
                Some(a) => a,
                None => s.key.kind().default_signature_algorithm().ok_or_else(|| {
                    Error::Usage(format!(
                        "a {} key cannot sign (it is an encryption key)",
                        s.key.kind().description()
                    ))
                })?,
            };
            Ok(s.digest.unwrap_or(alg.default_cms_digest()))
        })
        .collect()
}

/// The micalg parameter for these digests (RFC 8551 §3.5.3.2): each token once, in signer
/// order. `Err` names a digest without a token (SHA-3, SHAKE).
pub fn micalg(digests: &[DigestAlgorithm]) -> std::result::Result<String, DigestAlgorithm> {
    let mut tokens: Vec<&str> = Vec::new();
    for d in digests {
        let t = d.micalg().ok_or(*d)?;
        if !tokens.contains(&t) {
            tokens.push(t);
        }
    }
    Ok(tokens.join(","))
}

/// Protects the message read from `input` and writes the complete result to `output`.
pub fn protect<R: Read, W: Write>(
    input: R,
    mut output: W,
    p: &Protection<'_>,
) -> Result<Protected> {
    let signing = !p.signers.is_empty();
    let encrypting = !p.recipients.is_empty();
    if !signing && !encrypting {
        return Err(Error::Usage(
            "nothing to do: give signers, recipients or both".into(),
        ));
    }
    let micalg_value = if signing && p.signed_form == SignedForm::Clear {
        let digests = signer_digests(p.signers)?;
        Some(micalg(&digests).map_err(|d| {
            Error::Usage(format!(
                "{} has no micalg token for multipart/signed (RFC 8551 §3.5.3.2); use the opaque form",
                d.name()
            ))
        })?)
    } else {
        None
    };

    let mut input = BufReader::with_capacity(64 * 1024, input);
    let (head, is_mime) = read_head(&mut input)?;
    let mut summary = Protected {
        mime_entity: is_mime,
        micalg: micalg_value.clone(),
        ..Protected::default()
    };

    // The body, spooled raw, with a canonical-form safety scan on the way.
    let mut spool = BlobWriter::new();
    let mut body_scan = SafetyScan::new();
    let mut canon = Canonicaliser::default();
    if !is_mime {
        canon.feed(&head, &mut body_scan);
        spool.write_all(&head)?;
    }
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        canon.feed(&buf[..n], &mut body_scan);
        spool.write_all(&buf[..n])?;
    }
    let body = spool.finish()?;
    let body_scan = body_scan.finish();

    // Header sections.
    let (outer, inner_header) = if is_mime {
        let (section, _) = HeaderSection::parse(&head)?;
        summary.whole_message = section.has_message_fields();
        let mut content = HeaderSection::default();
        let mut message = HeaderSection::default();
        for f in section.fields {
            if f.is("mime-version") {
                continue;
            } else if f.is_content_field() {
                content.fields.push(f);
            } else {
                message.fields.push(f);
            }
        }
        if p.header_protection && summary.whole_message {
            let hp = headers::protect_headers(&message, encrypting);
            let ct = match content.get("content-type") {
                Some(f) => f.clone(),
                None => Field::new(
                    "Content-Type",
                    if body_scan.problems.contains(&encode::Unsafe::EightBit) {
                        "text/plain; charset=utf-8"
                    } else {
                        "text/plain; charset=us-ascii"
                    },
                ),
            };
            let mut inner = HeaderSection::default();
            inner.fields.push(headers::with_hp(&ct, hp.hp));
            inner
                .fields
                .extend(content.fields.into_iter().filter(|f| !f.is("content-type")));
            inner.fields.extend(hp.inner);
            summary.header_protection = Some(hp.hp);
            summary.obscured = hp.obscured;
            (Some(hp.outer), inner.to_bytes())
        } else {
            let outer = summary.whole_message.then_some(message);
            (outer, content.to_bytes())
        }
    } else {
        (None, Vec::new())
    };

    // The entity to protect: either re-encoded in memory, or streamed from the spool.
    let mut head_scan = SafetyScan::new();
    head_scan.feed(&inner_header);
    let head_safe = head_scan.finish().is_safe();
    let needs_reencode = is_mime && signing && !(body_scan.is_safe() && head_safe);
    let reencoded: Option<(Vec<u8>, ScanResult)> = if needs_reencode {
        summary.unsafe_reason = Some(body_scan.describe());
        if body.len() > MAX_REENCODE as u64 {
            if p.signed_form == SignedForm::Clear && !encrypting {
                return Err(Error::Limit(format!(
                    "the message has {} and is larger than {} MiB, too large to re-encode to 7 bits in memory; transfer-encode it before signing, or sign it in the opaque form",
                    body_scan.describe(),
                    MAX_REENCODE >> 20
                )));
            }
            None
        } else {
            let mut entity = inner_header.clone();
            entity.extend_from_slice(b"\r\n");
            entity.extend_from_slice(&body.to_vec(MAX_REENCODE, "the message body")?);
            let (canonical, log) = encode::to_7bit(&entity)?;
            summary.reencoded = log.changes;
            let scan = encode::scan(&canonical);
            Some((canonical, scan))
        }
    } else {
        None
    };
    let entity_scan = reencoded
        .as_ref()
        .map(|(_, s)| s.clone())
        .unwrap_or(body_scan);
    let entity_reader = || -> Box<dyn Read + '_> {
        match &reencoded {
            Some((bytes, _)) => Box::new(Cursor::new(bytes.as_slice())),
            None if is_mime => {
                let mut h = inner_header.clone();
                h.extend_from_slice(b"\r\n");
                Box::new(Cursor::new(h).chain(CanonicalReader::new(body.reader())))
            }
            None => Box::new(CanonicalReader::new(body.reader())),
        }
    };

    // The outer header section of the result.
    let mut prologue = match &outer {
        Some(o) => o.to_bytes(),
        None => Vec::new(),
    };
    prologue.extend_from_slice(b"MIME-Version: 1.0\r\n");

    let mut counted = CountingReader::new(entity_reader());
    if !encrypting {
        output.write_all(&prologue)?;
        write_signed(
            &mut counted,
            &mut output,
            p,
            micalg_value.as_deref(),
            &entity_scan,
            &mut summary,
        )?;
    } else if signing {
        // Sign into a spool, then encrypt the signed entity.
        let mut signed_entity = BlobWriter::new();
        write_signed(
            &mut counted,
            &mut signed_entity,
            p,
            micalg_value.as_deref(),
            &entity_scan,
            &mut summary,
        )?;
        let signed_entity = signed_entity.finish()?;
        output.write_all(&prologue)?;
        write_encrypted(&mut signed_entity.reader(), &mut output, p, &mut summary)?;
    } else {
        output.write_all(&prologue)?;
        write_encrypted(&mut counted, &mut output, p, &mut summary)?;
    }
    summary.entity_bytes = counted.count;
    output.flush()?;
    Ok(summary)
}

/// Writes a signed entity (Content-Type and body; no MIME-Version) for `entity`.
fn write_signed<R: Read, W: Write>(
    entity: &mut R,
    out: &mut W,
    p: &Protection<'_>,
    micalg_value: Option<&str>,
    scan: &ScanResult,
    summary: &mut Protected,
) -> Result<()> {
    let mut opts = p.sign_options.clone();
    match p.signed_form {
        SignedForm::Clear => {
            let micalg_value = micalg_value
                .ok_or_else(|| Error::Usage("multipart/signed needs a micalg".into()))?;
            let boundary = fresh_boundary(scan)?;
            out.write_all(
                format!(
                    "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n micalg={micalg_value}; boundary=\"{boundary}\"\r\n\r\nThis is an S/MIME signed message\r\n\r\n--{boundary}\r\n"
                )
                .as_bytes(),
            )?;
            opts.detached = true;
            let mut sig = Vec::new();
            {
                let mut tee = TeeReader {
                    inner: entity,
                    copy: &mut *out,
                };
                signed::sign_stream(&mut tee, &mut sig, p.signers, &opts)?;
            }
            check_micalg(&sig, micalg_value)?;
            out.write_all(format!("\r\n--{boundary}\r\n").as_bytes())?;
            out.write_all(
                b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n\
                  Content-Transfer-Encoding: base64\r\n\
                  Content-Disposition: attachment; filename=smime.p7s\r\n\r\n",
            )?;
            out.write_all(&encode::base64_lines(&sig))?;
            out.write_all(format!("\r\n--{boundary}--\r\n").as_bytes())?;
            summary.smime_type = None;
        }
        SignedForm::Opaque => {
            out.write_all(&pkcs7_mime_header("signed-data"))?;
            opts.detached = false;
            let mut b64 = Base64LineWriter::new(&mut *out);
            signed::sign_stream(entity, &mut b64, p.signers, &opts)?;
            b64.finish()?;
            summary.smime_type = Some("signed-data");
        }
    }
    Ok(())
}

fn write_encrypted<R: Read, W: Write>(
    entity: &mut R,
    out: &mut W,
    p: &Protection<'_>,
    summary: &mut Protected,
) -> Result<()> {
    let smime_type = smime_type_for(p.cipher);
    out.write_all(&pkcs7_mime_header(smime_type))?;
    let mut b64 = Base64LineWriter::new(&mut *out);
    enveloped::encrypt_stream(entity, &mut b64, p.recipients, p.cipher)?;
    b64.finish()?;
    summary.smime_type = Some(smime_type);
    Ok(())
}

/// The header of an application/pkcs7-mime entity (RFC 8551 §3.2), followed by the empty
/// line; no MIME-Version.
pub fn pkcs7_mime_header(smime_type: &str) -> Vec<u8> {
    format!(
        "Content-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=smime.p7m\r\n\r\n"
    )
    .into_bytes()
}

/// A random boundary (`----=_pqsmime_` and 24 hex digits). `=_` cannot occur in
/// quoted-printable or base64 text, and the scan remembers every line of the content that
/// starts like one of ours.
pub(crate) fn fresh_boundary(scan: &ScanResult) -> Result<String> {
    for _ in 0..16 {
        let mut rnd = [0u8; 12];
        aws_lc_rs::rand::fill(&mut rnd)
            .map_err(|_| Error::Crypto("the random number generator failed".into()))?;
        let b = format!(
            "{BOUNDARY_PREFIX}{}",
            rnd.iter().map(|x| format!("{x:02x}")).collect::<String>()
        );
        if !scan.may_contain_boundary(&b) {
            return Ok(b);
        }
    }
    Err(Error::Crypto(
        "could not choose a multipart boundary that the content does not contain".into(),
    ))
}

/// The micalg written before the content must name the digests the signature used.
fn check_micalg(cms: &[u8], written: &str) -> Result<()> {
    let used = super::signed_data_digests(cms)?;
    let expected = micalg(&used).map_err(|d| {
        Error::Crypto(format!(
            "the signature used {}, which has no micalg token",
            d.name()
        ))
    })?;
    let mut a: Vec<&str> = expected.split(',').collect();
    let mut b: Vec<&str> = written.split(',').collect();
    a.sort_unstable();
    b.sort_unstable();
    if a != b {
        return Err(Error::Crypto(format!(
            "internal error: micalg {written} was written but the signature used {expected}"
        )));
    }
    Ok(())
}

/// Reads the header section (up to and including the empty line). Returns the bytes and
/// whether the input looks like a MIME entity at all; when it does not, the bytes are the
/// first line of plain content.
fn read_head<R: BufRead>(r: &mut R) -> Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    let n = r
        .by_ref()
        .take(MAX_HEADER_BYTES as u64)
        .read_until(b'\n', &mut head)?;
    if n == 0 {
        return Ok((head, false));
    }
    if is_blank(&head) {
        return Ok((head, true));
    }
    if !looks_like_field(&head) {
        return Ok((head, false));
    }
    loop {
        let start = head.len();
        let room = (MAX_HEADER_BYTES + 2).saturating_sub(start) as u64;
        let n = r.by_ref().take(room).read_until(b'\n', &mut head)?;
        if n == 0 {
            return Ok((head, true));
        }
        if is_blank(&head[start..]) {
            return Ok((head, true));
        }
        if head.len() > MAX_HEADER_BYTES {
            return Err(Error::Limit(format!(
                "the header section is larger than {} KiB",
                MAX_HEADER_BYTES >> 10
            )));
        }
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// `Name:` at the start of a line (printable ASCII name), or an mbox `From ` line.
fn looks_like_field(line: &[u8]) -> bool {
    if line.starts_with(b"From ") {
        return true;
    }
    match line.iter().position(|b| *b == b':') {
        None | Some(0) => false,
        Some(c) => line[..c].iter().all(|b| (0x21..=0x7E).contains(b)),
    }
}

/// Feeds a scanner with the canonical form of raw chunks.
#[derive(Default)]
struct Canonicaliser {
    prev: u8,
    buf: Vec<u8>,
}

impl Canonicaliser {
    fn feed(&mut self, raw: &[u8], scan: &mut SafetyScan) {
        self.buf.clear();
        for &b in raw {
            if b == b'\n' && self.prev != b'\r' {
                self.buf.push(b'\r');
            }
            self.buf.push(b);
            self.prev = b;
        }
        scan.feed(&self.buf);
    }
}

/// Copies everything read through it to `copy`.
struct TeeReader<'a, R: Read + ?Sized, W: Write + ?Sized> {
    inner: &'a mut R,
    copy: &'a mut W,
}

impl<R: Read + ?Sized, W: Write + ?Sized> Read for TeeReader<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

struct CountingReader<R: Read> {
    inner: R,
    count: u64,
}

impl<R: Read> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader { inner, count: 0 }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Convenience: protects `message` in memory.
pub fn protect_to_vec(message: &[u8], p: &Protection<'_>) -> Result<(Vec<u8>, Protected)> {
    let mut out = Vec::with_capacity(message.len() * 2 + 16 * 1024);
    let s = protect(message, &mut out, p)?;
    Ok((out, s))
}
