//! Whole messages in: walk the S/MIME layers of a message (RFC 8551 §3.7: any nesting of
//! signing and encryption, plus S/MIME 3.1 `message/rfc822` wrapping), verify each signature,
//! decrypt each encryption layer with the keys given, check that the signer is the sender
//! (RFC 8550 §3), and compare protected with outer header fields (RFC 9788).
//!
//! The walk is bounded ([`OpenOptions::max_layers`], default [`MAX_LAYERS`]) and streams:
//! a multipart/signed part is hashed from the spooled message while being copied (canonical)
//! into the next layer's spool; encrypted content is decrypted into a spool that is released
//! only after the tag or padding checks out; an opaque SignedData is verified as a stream.
//!
//! Sender check: for each signed layer the From (and Sender) addresses of the nearest
//! enclosing message header, and the protected From inside the signed content if there is one,
//! are compared with the e-mail addresses of the signature-valid signers' certificates
//! (subjectAltName rfc822Name / SmtpUTF8Mailbox, then subject emailAddress). Every address set
//! must be matched by at least one signer; a certificate without any address matches nothing.
//! Addresses compare ignoring ASCII case (see [`same_mailbox`]).

use std::io::{BufRead, BufReader, Read, Write};

use crate::cms::enveloped::{self, DecryptInfo, DecryptSink, DecryptionKey, Recipient};
use crate::cms::signed::{self, SignerReport, VerifyOptions, VerifyReport};
use crate::error::{Error, Result};
use crate::oids;
use crate::x509::Certificate;

use super::blob::{decode_base64_to_blob, Blob, BlobWriter, CanonicalReader};
use super::fields::{parse_address_list, same_mailbox, HeaderSection, MAX_HEADER_BYTES};
use super::headers::{self, Scheme};
use super::{delimiter_kind, ContentType, Entity};

/// Default bound on nested layers (signatures, encryptions, wrapped messages).
pub const MAX_LAYERS: usize = 8;
/// Largest signature part of a multipart/signed read into memory.
pub const MAX_SIGNATURE_PART: usize = 64 << 20;

/// How to open a message.
pub struct OpenOptions<'a> {
    pub verify: VerifyOptions,
    /// Keys for encryption layers, tried in order.
    pub keys: Vec<DecryptionKey<'a>>,
    pub max_layers: usize,
}

impl Default for OpenOptions<'_> {
    fn default() -> Self {
        OpenOptions {
            verify: VerifyOptions::default(),
            keys: Vec::new(),
            max_layers: MAX_LAYERS,
        }
    }
}

/// What one layer was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// multipart/signed.
    ClearSigned,
    /// application/pkcs7-mime; smime-type=signed-data.
    OpaqueSigned,
    /// application/pkcs7-mime; smime-type=enveloped-data.
    Enveloped,
    /// application/pkcs7-mime; smime-type=authEnveloped-data.
    AuthEnveloped,
    /// message/rfc822 around another S/MIME message.
    WrappedMessage,
    /// A SignedData without signers (smime-type=certs-only).
    CertsOnly,
}

impl LayerKind {
    pub fn describe(self) -> &'static str {
        match self {
            LayerKind::ClearSigned => "clear-signed (multipart/signed)",
            LayerKind::OpaqueSigned => "opaque-signed (application/pkcs7-mime signed-data)",
            LayerKind::Enveloped => "encrypted (application/pkcs7-mime enveloped-data)",
            LayerKind::AuthEnveloped => "encrypted (application/pkcs7-mime authEnveloped-data)",
            LayerKind::WrappedMessage => "wrapped message (message/rfc822)",
            LayerKind::CertsOnly => "certificates only (application/pkcs7-mime certs-only)",
        }
    }

    pub fn is_signed(self) -> bool {
        matches!(self, LayerKind::ClearSigned | LayerKind::OpaqueSigned)
    }

    pub fn is_encrypted(self) -> bool {
        matches!(self, LayerKind::Enveloped | LayerKind::AuthEnveloped)
    }
}

/// Whether the signer is the sender.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SenderCheck {
    /// Addresses compared, with where each came from ("From", "Sender", "protected From").
    pub addresses: Vec<(String, String)>,
    /// Per signer, in report order: its certificate names one of the addresses.
    pub signer_matches: Vec<bool>,
    pub ok: bool,
    /// Why not, in words.
    pub problem: Option<String>,
}

/// One layer of the message, outermost first.
#[derive(Clone, Debug)]
pub struct Layer {
    pub kind: LayerKind,
    /// The verification report of a signed layer (its `content` is dropped).
    pub signature: Option<VerifyReport>,
    pub sender: Option<SenderCheck>,
    /// The micalg parameter of a multipart/signed.
    pub micalg: Option<String>,
    /// How an encryption layer was opened.
    pub decryption: Option<DecryptInfo>,
}

/// The opened message.
#[derive(Debug)]
pub struct Opened {
    /// The header section of the message as received.
    pub outer: HeaderSection,
    pub layers: Vec<Layer>,
    /// The innermost content: the entity left when no layer could be opened further.
    pub content: Blob,
    /// The header section of `content`.
    pub content_headers: HeaderSection,
    /// The header section of the innermost message (the outer one, or a wrapped one).
    pub message_headers: HeaderSection,
    pub header_protection: Option<headers::Report>,
    /// Why the walk stopped before plain content (no key, decryption failed, unsupported).
    pub stopped: Option<String>,
    /// An encryption layer could not be decrypted with any key given.
    pub decrypt_failed: bool,
}

impl Opened {
    /// At least one layer was signed.
    pub fn is_signed(&self) -> bool {
        self.layers.iter().any(|l| l.kind.is_signed())
    }

    /// At least one layer was encrypted.
    pub fn is_encrypted(&self) -> bool {
        self.layers.iter().any(|l| l.kind.is_encrypted())
    }

    /// Every signed layer is valid under the verification policy (and there is one).
    pub fn signatures_valid(&self) -> bool {
        self.is_signed()
            && self
                .layers
                .iter()
                .filter_map(|l| l.signature.as_ref())
                .all(|r| r.valid)
    }

    /// Every signed layer's signer is the sender.
    pub fn senders_ok(&self) -> bool {
        self.layers
            .iter()
            .filter_map(|l| l.sender.as_ref())
            .all(|s| s.ok)
    }

    /// Problems in words: invalid signatures, sender mismatches, header disagreements, an
    /// unopened layer.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            if let Some(r) = &l.signature {
                if !r.valid {
                    let why = r
                        .signers
                        .iter()
                        .find_map(|s| s.error.clone())
                        .unwrap_or_else(|| "no valid signer".into());
                    out.push(format!(
                        "layer {} ({}): signature not valid: {why}",
                        i + 1,
                        l.kind.describe()
                    ));
                }
            }
            let signature_ok = l.signature.as_ref().is_some_and(|r| r.valid);
            if let (Some(s), true) = (&l.sender, signature_ok) {
                if let Some(p) = &s.problem {
                    out.push(format!("layer {}: {p}", i + 1));
                }
            }
        }
        if let Some(hp) = &self.header_protection {
            for f in hp.disagreements() {
                out.push(format!(
                    "header {}: outer value {:?} {} (protected value {:?})",
                    f.name,
                    f.outer.as_deref().unwrap_or(""),
                    f.status.describe(),
                    f.protected.as_deref().unwrap_or("")
                ));
            }
        }
        if let Some(s) = &self.stopped {
            out.push(s.clone());
        }
        out
    }

    /// Writes the message without its S/MIME layers: the message header fields (protected
    /// values replacing outer ones under header protection; `HP-Outer` dropped) followed by
    /// the innermost content entity.
    /// When the input was a bare MIME entity (no message header fields), the innermost
    /// content is written exactly as it was signed or decrypted.
    pub fn write_unwrapped<W: Write + ?Sized>(&self, out: &mut W) -> Result<()> {
        if !self.message_headers.has_message_fields() {
            super::blob::copy(&mut self.content.reader(), out)?;
            return Ok(());
        }
        let body_at = header_len(&self.content)?;
        let payload_fields: Vec<&super::fields::Field> = self
            .content_headers
            .fields
            .iter()
            .filter(|f| !f.is("hp-outer"))
            .collect();
        let protected = self
            .header_protection
            .as_ref()
            .is_some_and(|h| !matches!(h.scheme, Scheme::WrappedMessage));
        let mut head = Vec::new();
        for f in &self.message_headers.fields {
            if f.is_content_field() {
                continue;
            }
            if protected
                && payload_fields
                    .iter()
                    .any(|p| !p.is_content_field() && p.is(f.name()))
            {
                continue;
            }
            head.extend_from_slice(f.raw());
            head.extend_from_slice(b"\r\n");
        }
        if !payload_fields.iter().any(|f| f.is("mime-version")) {
            head.extend_from_slice(b"MIME-Version: 1.0\r\n");
        }
        for f in &payload_fields {
            head.extend_from_slice(f.raw());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        out.write_all(&head)?;
        let mut body = self.content.range(body_at, self.content.len());
        super::blob::copy(&mut body, out)?;
        Ok(())
    }
}

/// The encryption certificates a valid signed layer offers for replies (RFC 8551 §2.5.3.1):
/// the SMIMEEncryptionKeyPreference target; otherwise a certificate in the message with the
/// signer's subject that can receive encrypted mail; otherwise the signer certificate itself
/// when it can (a dual-use RSA certificate).
pub fn reply_certificates(report: &VerifyReport) -> Vec<Certificate> {
    let mut out: Vec<Certificate> = Vec::new();
    for s in report
        .signers
        .iter()
        .filter(|s| s.signature_valid && s.chain_valid != Some(false))
    {
        let Some(signer) = &s.certificate else {
            continue;
        };
        let found = s.encryption_certificate.clone().or_else(|| {
            report
                .certificates
                .iter()
                .find(|c| {
                    c.der() != signer.der()
                        && c.subject_der() == signer.subject_der()
                        && !c.is_ca()
                        && Recipient::for_certificate(c).is_ok()
                })
                .cloned()
                .or_else(|| {
                    Recipient::for_certificate(signer)
                        .ok()
                        .map(|_| signer.clone())
                })
        });
        if let Some(c) = found {
            if !out.iter().any(|x| x.der() == c.der()) {
                out.push(c);
            }
        }
    }
    out
}

enum Cur<'a> {
    Borrowed(&'a Blob),
    Owned(Blob),
}

impl Cur<'_> {
    fn blob(&self) -> &Blob {
        match self {
            Cur::Borrowed(b) => b,
            Cur::Owned(b) => b,
        }
    }
}

/// The length of the header section (including the empty line) of the entity in `blob`.
fn header_len(blob: &Blob) -> Result<u64> {
    let head = blob.prefix(MAX_HEADER_BYTES + 4)?;
    let (_, at) = HeaderSection::parse(&head)?;
    Ok(at as u64)
}

fn parse_head(blob: &Blob) -> Result<(HeaderSection, u64)> {
    let head = blob.prefix(MAX_HEADER_BYTES + 4)?;
    let (h, at) = HeaderSection::parse(&head)?;
    Ok((h, at as u64))
}

/// Opens `message` (a complete RFC 5322 message or MIME entity).
pub fn open(message: &Blob, opts: &OpenOptions<'_>) -> Result<Opened> {
    let (outer, _) = parse_head(message).map_err(|e| match e {
        Error::Malformed(m) => Error::Malformed(format!("the message header: {m}")),
        other => other,
    })?;
    let mut layers: Vec<Layer> = Vec::new();
    let mut cur = Cur::Borrowed(message);
    let mut message_headers = outer.clone();
    // The sender addresses every signed layer must match: the message's From/Sender, plus the
    // From of any S/MIME entity met on the way down that carries one of its own (as when a
    // signed message with its header is encrypted whole).
    let mut sender_sets: Vec<Vec<(String, String)>> = Vec::new();
    push_sender_set(&mut sender_sets, &outer, "");
    let mut stopped = None;
    let mut decrypt_failed = false;
    let mut encrypted_seen = false;
    let mut hops = 0usize;

    loop {
        let (hdr, body_at) = match parse_head(cur.blob()) {
            Ok(h) => h,
            // Signed or encrypted content need not be MIME (a CMS signature over plain bytes):
            // it is the innermost content then.
            Err(_) if !layers.is_empty() => break,
            Err(e) => return Err(e),
        };
        let ct = hdr
            .value("content-type")
            .map(|v| ContentType::parse(&v))
            .unwrap_or_else(|| ContentType::parse("text/plain"));
        let kind = classify(&hdr, &ct);
        let Some(kind) = kind else { break };
        // Only a wrapped S/MIME message is a layer; a wrapped plain message is the content
        // (S/MIME 3.1 header protection is looked at below).
        if matches!(kind, Step::Wrapped) && !wraps_smime(cur.blob(), body_at)? {
            break;
        }
        if hops >= opts.max_layers {
            return Err(Error::Limit(format!(
                "the message nests more than {} S/MIME layers (signatures, encryptions and wrapped messages); refusing to go deeper",
                opts.max_layers
            )));
        }
        hops += 1;
        match kind {
            Step::ClearSigned => {
                let boundary = ct.param("boundary").ok_or_else(|| {
                    Error::malformed("multipart/signed without a boundary parameter")
                })?;
                let (content_range, sig_range) =
                    signed_parts(cur.blob(), body_at, boundary.as_bytes())?;
                let sig_part = cur.blob().slice_to_vec(
                    sig_range.0,
                    sig_range.1,
                    MAX_SIGNATURE_PART,
                    "the signature part",
                )?;
                let sig_entity = Entity::parse(&sig_part)?;
                let sig_ct = sig_entity
                    .content_type()
                    .map(|c| c.mime_type)
                    .unwrap_or_default();
                if sig_ct != "application/pkcs7-signature"
                    && sig_ct != "application/x-pkcs7-signature"
                {
                    return Err(Error::malformed(format!(
                        "the second part of multipart/signed is '{sig_ct}', not application/pkcs7-signature"
                    )));
                }
                let signature = sig_entity.decoded_body()?;
                if signed_data_has_content(&signature)? {
                    return Err(Error::BadSignature(
                        "the multipart/signed signature part carries content of its own \
                         (eContent): the part shown is not necessarily what was signed \
                         (RFC 8551 §3.5.3 requires a detached signature)"
                            .into(),
                    ));
                }
                let mut next = BlobWriter::new();
                let mut report = {
                    let mut tee = TeeToWriter {
                        inner: CanonicalReader::new(
                            cur.blob().range(content_range.0, content_range.1),
                        ),
                        copy: &mut next,
                    };
                    signed::verify(&signature, Some(&mut tee), &opts.verify)?
                };
                report.content = None;
                let next = next.finish()?;
                let sender = sender_check(&report, &sender_sets, &next)?;
                note_inner_sender(&mut sender_sets, &next, "inside the signature")?;
                layers.push(Layer {
                    kind: LayerKind::ClearSigned,
                    signature: Some(report),
                    sender: Some(sender),
                    micalg: ct.param("micalg"),
                    decryption: None,
                });
                cur = Cur::Owned(next);
            }
            Step::Cms => {
                let der = decode_body(cur.blob(), &hdr, body_at)?;
                let content_type = cms_content_type(&der)?;
                if content_type == oids::ID_SIGNED_DATA {
                    let mut sink = KeepSink::default();
                    let mut report =
                        signed::verify_stream(der.reader(), None, &opts.verify, &mut sink)?;
                    drop(der);
                    report.content = None;
                    let content = sink.take()?;
                    if report.signers.is_empty() {
                        layers.push(Layer {
                            kind: LayerKind::CertsOnly,
                            signature: None,
                            sender: None,
                            micalg: None,
                            decryption: None,
                        });
                        stopped =
                            Some("a certs-only message carries certificates, no content".into());
                        cur = Cur::Owned(Blob::from_vec(Vec::new()));
                        break;
                    }
                    let next = content;
                    let sender = sender_check(&report, &sender_sets, &next)?;
                    note_inner_sender(&mut sender_sets, &next, "inside the signature")?;
                    layers.push(Layer {
                        kind: LayerKind::OpaqueSigned,
                        signature: Some(report),
                        sender: Some(sender),
                        micalg: None,
                        decryption: None,
                    });
                    cur = Cur::Owned(next);
                } else if content_type == oids::ID_ENVELOPED_DATA
                    || content_type == oids::ID_CT_AUTH_ENVELOPED_DATA
                {
                    encrypted_seen = true;
                    let kind = if content_type == oids::ID_ENVELOPED_DATA {
                        LayerKind::Enveloped
                    } else {
                        LayerKind::AuthEnveloped
                    };
                    if opts.keys.is_empty() {
                        layers.push(Layer {
                            kind,
                            signature: None,
                            sender: None,
                            micalg: None,
                            decryption: None,
                        });
                        stopped =
                            Some("the message is encrypted and no decryption key was given".into());
                        break;
                    }
                    let mut opened = None;
                    let mut last_err = None;
                    for key in &opts.keys {
                        let mut sink = BlobSink::default();
                        match enveloped::decrypt_stream(der.reader(), key, &mut sink) {
                            Ok(info) => {
                                opened = Some((info, sink.done.take()));
                                break;
                            }
                            Err(Error::Decrypt) => last_err = Some(Error::Decrypt),
                            Err(e) => {
                                last_err = Some(e);
                                break;
                            }
                        }
                    }
                    match opened {
                        Some((info, Some(content))) => {
                            layers.push(Layer {
                                kind,
                                signature: None,
                                sender: None,
                                micalg: None,
                                decryption: Some(info),
                            });
                            note_inner_sender(&mut sender_sets, &content, "inside the encryption")?;
                            cur = Cur::Owned(content);
                        }
                        _ => match last_err {
                            Some(Error::Decrypt) | None => {
                                layers.push(Layer {
                                    kind,
                                    signature: None,
                                    sender: None,
                                    micalg: None,
                                    decryption: None,
                                });
                                decrypt_failed = true;
                                stopped = Some("decryption failed".into());
                                break;
                            }
                            Some(e) => return Err(e),
                        },
                    }
                } else if content_type == oids::ID_CT_COMPRESSED_DATA {
                    return Err(Error::UnsupportedAlgorithm(
                        "the message is compressed-data (RFC 3274), which pqsmime does not read"
                            .into(),
                    ));
                } else {
                    return Err(Error::malformed(format!(
                        "the application/pkcs7-mime body holds {}, not SignedData, EnvelopedData or AuthEnvelopedData",
                        crate::alg::describe_oid(&content_type)
                    )));
                }
            }
            Step::Wrapped => {
                let next = cur.blob().sub_blob(body_at, cur.blob().len())?;
                let (inner, _) = parse_head(&next)?;
                // A wrapped message speaks for itself: its own From governs what is inside.
                sender_sets.clear();
                push_sender_set(&mut sender_sets, &inner, "");
                message_headers = inner;
                layers.push(Layer {
                    kind: LayerKind::WrappedMessage,
                    signature: None,
                    sender: None,
                    micalg: None,
                    decryption: None,
                });
                cur = Cur::Owned(next);
            }
        }
    }

    let content = match cur {
        Cur::Owned(b) => b,
        Cur::Borrowed(b) => b.sub_blob(0, b.len())?,
    };
    let (content_headers, _) = parse_head(&content).unwrap_or_default();
    let header_protection = if layers.is_empty() || stopped.is_some() {
        None
    } else {
        detect_header_protection(&message_headers, &content, &content_headers, encrypted_seen)?
    };
    Ok(Opened {
        outer,
        layers,
        content,
        content_headers,
        message_headers,
        header_protection,
        stopped,
        decrypt_failed,
    })
}

enum Step {
    ClearSigned,
    Cms,
    Wrapped,
}

fn wraps_smime(blob: &Blob, body_at: u64) -> Result<bool> {
    let head = blob.slice_to_vec(
        body_at,
        body_at + MAX_HEADER_BYTES as u64 + 4,
        MAX_HEADER_BYTES + 4,
        "the wrapped message header",
    )?;
    let (inner, _) = HeaderSection::parse(&head)?;
    let ct = inner
        .value("content-type")
        .map(|v| ContentType::parse(&v))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    Ok(classify(&inner, &ct).is_some())
}

/// Which S/MIME layer an entity is, if any.
fn classify(hdr: &HeaderSection, ct: &ContentType) -> Option<Step> {
    match ct.mime_type.as_str() {
        "multipart/signed" => {
            let protocol = ct
                .param("protocol")
                .unwrap_or_default()
                .to_ascii_lowercase();
            (protocol == "application/pkcs7-signature"
                || protocol == "application/x-pkcs7-signature")
                .then_some(Step::ClearSigned)
        }
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => Some(Step::Cms),
        // Some clients label the S/MIME body application/octet-stream with a .p7m name.
        "application/octet-stream" => {
            let name = ct
                .param("name")
                .or_else(|| {
                    hdr.value("content-disposition")
                        .and_then(|d| ContentType::parse(&format!("x/x; {d}")).param("filename"))
                })
                .unwrap_or_default()
                .to_ascii_lowercase();
            name.ends_with(".p7m").then_some(Step::Cms)
        }
        "message/rfc822" => Some(Step::Wrapped),
        _ => None,
    }
}

/// The two parts of a multipart/signed: (content start, end) and (signature start, end),
/// found by streaming over the spooled entity.
fn signed_parts(blob: &Blob, body_at: u64, boundary: &[u8]) -> Result<((u64, u64), (u64, u64))> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(Error::malformed(
            "multipart boundary must be 1 to 70 characters",
        ));
    }
    let mut delim = b"--".to_vec();
    delim.extend_from_slice(boundary);
    let lines = delimiter_lines(blob, body_at, &delim, 3)?;
    if lines.is_empty() {
        return Err(Error::malformed(
            "the multipart boundary never occurs in the body (broken or altered boundary?)",
        ));
    }
    let Some(close) = lines.iter().position(|l| l.closing) else {
        if lines.len() >= 3 {
            return Err(Error::malformed(
                "multipart/signed must have exactly two parts, found more than two",
            ));
        }
        return Err(Error::malformed(
            "the multipart body has no closing boundary (truncated message?)",
        ));
    };
    if close != 2 {
        return Err(Error::malformed(format!(
            "multipart/signed must have exactly two parts, found {close}"
        )));
    }
    let part = |a: &DelimLine, b: &DelimLine| -> Result<(u64, u64)> {
        let start = a.end.min(b.start);
        let mut end = b.start;
        let tail = blob.slice_to_vec(end.saturating_sub(2).max(start), end, 2, "boundary")?;
        if tail.ends_with(b"\n") {
            end -= 1;
            if tail.ends_with(b"\r\n") && end > start {
                end -= 1;
            }
        }
        Ok((start, end))
    };
    Ok((part(&lines[0], &lines[1])?, part(&lines[1], &lines[2])?))
}

struct DelimLine {
    start: u64,
    /// After the line break.
    end: u64,
    closing: bool,
}

/// Delimiter lines from `start`, stopping at the close delimiter or after `max` lines.
fn delimiter_lines(blob: &Blob, start: u64, delim: &[u8], max: usize) -> Result<Vec<DelimLine>> {
    let keep = delim.len() + 3;
    let mut r = BufReader::with_capacity(64 * 1024, blob.range(start, blob.len()));
    let mut out = Vec::new();
    let mut head: Vec<u8> = Vec::with_capacity(keep);
    let mut pos = start;
    let mut line_start = start;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            if pos > line_start {
                if let Some(closing) = delimiter_kind(&head, delim) {
                    out.push(DelimLine {
                        start: line_start,
                        end: pos,
                        closing,
                    });
                }
            }
            break;
        }
        let (take, line_done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if head.len() < keep {
            let n = take.min(keep - head.len());
            head.extend_from_slice(&buf[..n]);
        }
        r.consume(take);
        pos += take as u64;
        if line_done {
            if let Some(closing) = delimiter_kind(&head, delim) {
                out.push(DelimLine {
                    start: line_start,
                    end: pos,
                    closing,
                });
                if closing || out.len() >= max {
                    break;
                }
            }
            head.clear();
            line_start = pos;
        }
    }
    Ok(out)
}

/// The body of an application/pkcs7-mime entity, transfer-decoded into a new blob.
fn decode_body(blob: &Blob, hdr: &HeaderSection, body_at: u64) -> Result<Blob> {
    let cte = hdr
        .value("content-transfer-encoding")
        .unwrap_or_else(|| "7bit".into())
        .to_ascii_lowercase();
    match cte.as_str() {
        "base64" => decode_base64_to_blob(blob.range(body_at, blob.len())),
        "binary" | "8bit" | "7bit" => blob.sub_blob(body_at, blob.len()),
        other => Err(Error::malformed(format!(
            "unsupported Content-Transfer-Encoding '{other}' for an S/MIME body"
        ))),
    }
}

/// The contentType of a (BER) ContentInfo at the start of `der`.
fn cms_content_type(der: &Blob) -> Result<const_oid::ObjectIdentifier> {
    let head = der.prefix(64)?;
    let bad = || Error::malformed("the S/MIME body is not a CMS ContentInfo");
    if head.first() != Some(&0x30) {
        return Err(bad());
    }
    // Skip the SEQUENCE header (definite or indefinite length).
    let len_byte = *head.get(1).ok_or_else(bad)?;
    let skip = if len_byte <= 0x80 {
        2
    } else {
        2 + (len_byte & 0x7F) as usize
    };
    let rest = head.get(skip..).ok_or_else(bad)?;
    let mut r = crate::asn1::Reader::new_ber(rest);
    let oid = r.read_expected(crate::asn1::TAG_OID, "ContentInfo contentType")?;
    crate::asn1::parse_oid(oid.value)
}

#[derive(Default)]
struct BlobSink {
    w: Option<BlobWriter>,
    done: Option<Blob>,
}

impl DecryptSink for BlobSink {
    fn write_unverified(&mut self, plaintext: &[u8]) -> Result<()> {
        self.w
            .get_or_insert_with(BlobWriter::new)
            .write_all(plaintext)?;
        Ok(())
    }
    fn commit(&mut self) -> Result<()> {
        let w = self.w.take().unwrap_or_default();
        self.done = Some(w.finish()?);
        Ok(())
    }
    fn abort(&mut self) {
        self.w = None;
        self.done = None;
    }
}

/// Collects verified or unverified content alike: the walk goes on into the content of a
/// layer whose signature failed, to report what is inside, but such a message is never
/// valid and its content is never released by the callers.
#[derive(Default)]
struct KeepSink {
    w: Option<BlobWriter>,
}

impl KeepSink {
    fn take(&mut self) -> Result<Blob> {
        self.w.take().unwrap_or_default().finish()
    }
}

impl DecryptSink for KeepSink {
    fn write_unverified(&mut self, data: &[u8]) -> Result<()> {
        self.w.get_or_insert_with(BlobWriter::new).write_all(data)?;
        Ok(())
    }
    fn commit(&mut self) -> Result<()> {
        Ok(())
    }
    fn abort(&mut self) {}
}

struct TeeToWriter<'a, R: Read, W: Write> {
    inner: R,
    copy: &'a mut W,
}

impl<R: Read, W: Write> Read for TeeToWriter<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

fn signer_names_address(s: &SignerReport, addresses: &[(String, String)]) -> bool {
    let Some(cert) = &s.certificate else {
        return false;
    };
    let emails = cert.email_addresses();
    addresses
        .iter()
        .any(|(a, _)| emails.iter().any(|e| same_mailbox(e, a)))
}

/// Adds the From and Sender addresses of `h` as one set (`where_` qualifies the source).
fn push_sender_set(sets: &mut Vec<Vec<(String, String)>>, h: &HeaderSection, where_: &str) {
    let qualify = |src: &str| {
        if where_.is_empty() {
            src.to_string()
        } else {
            format!("{src} {where_}")
        }
    };
    let mut set = Vec::new();
    for a in h.from_addresses() {
        set.push((a, qualify("From")));
    }
    for f in h.all("sender") {
        for a in parse_address_list(&f.value()) {
            set.push((a, qualify("Sender")));
        }
    }
    if !set.is_empty() {
        sets.push(set);
    }
}

/// When `content` is itself an S/MIME layer carrying its own From, that From must be matched
/// by the signers further in too.
fn note_inner_sender(
    sets: &mut Vec<Vec<(String, String)>>,
    content: &Blob,
    where_: &str,
) -> Result<()> {
    let Ok((h, _)) = parse_head(content) else {
        return Ok(());
    };
    let ct = h
        .value("content-type")
        .map(|v| ContentType::parse(&v))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    if classify(&h, &ct).is_some() {
        push_sender_set(sets, &h, where_);
    }
    Ok(())
}

/// Compares the signers with the sender (see the module documentation).
fn sender_check(
    report: &VerifyReport,
    enclosing: &[Vec<(String, String)>],
    signed_content: &Blob,
) -> Result<SenderCheck> {
    let mut sets: Vec<Vec<(String, String)>> = enclosing.to_vec();
    if let Ok((inner, _)) = parse_head(signed_content) {
        // The protected From of a payload (not of a further S/MIME layer, which is checked
        // when that layer is reached).
        let ct = inner
            .value("content-type")
            .map(|v| ContentType::parse(&v))
            .unwrap_or_else(|| ContentType::parse("text/plain"));
        if classify(&inner, &ct).is_none() {
            let inner_set: Vec<(String, String)> = inner
                .from_addresses()
                .into_iter()
                .map(|a| (a, "protected From".to_string()))
                .collect();
            if !inner_set.is_empty() {
                sets.push(inner_set);
            }
        }
    }
    let valid: Vec<&SignerReport> = report
        .signers
        .iter()
        .filter(|s| s.signature_valid)
        .collect();
    let all: Vec<(String, String)> = sets.iter().flatten().cloned().collect();
    let signer_matches = report
        .signers
        .iter()
        .map(|s| signer_names_address(s, &all))
        .collect();
    let mut check = SenderCheck {
        addresses: all,
        signer_matches,
        ok: true,
        problem: None,
    };
    if sets.is_empty() {
        return Ok(check);
    }
    for set in &sets {
        if valid.iter().any(|s| signer_names_address(s, set)) {
            continue;
        }
        let who: Vec<String> = set.iter().map(|(a, src)| format!("{src} {a}")).collect();
        let cert_emails: Vec<String> = valid
            .iter()
            .filter_map(|s| s.certificate.as_ref())
            .flat_map(|c| c.email_addresses())
            .collect();
        check.ok = false;
        check.problem = Some(if valid.is_empty() {
            format!(
                "sender not confirmed: no valid signer to compare with {}",
                who.join(", ")
            )
        } else if cert_emails.is_empty() {
            format!(
                "sender mismatch: {} but the signer certificate names no e-mail address",
                who.join(", ")
            )
        } else {
            format!(
                "sender mismatch: {} is not an address of the signer (certificate names {})",
                who.join(", "),
                cert_emails.join(", ")
            )
        });
        break;
    }
    Ok(check)
}

/// Whether a SignedData ContentInfo carries eContent. Unreadable input is left to the
/// verifier, which names the problem.
fn signed_data_has_content(cms: &[u8]) -> Result<bool> {
    use crate::asn1::{Reader, TAG_SEQUENCE};
    let inner = || -> Result<bool> {
        let mut r = Reader::new_ber(cms);
        let ci = r.read_expected(TAG_SEQUENCE, "ContentInfo")?;
        let mut ci = ci.reader(r.rules());
        crate::asn1::read_oid(&mut ci, "contentType")?;
        let explicit = ci.read_expected(0xA0, "content")?;
        let mut ex = explicit.reader(r.rules());
        let sd = ex.read_expected(TAG_SEQUENCE, "SignedData")?;
        let mut sd = sd.reader(r.rules());
        sd.read()?; // version
        sd.read()?; // digestAlgorithms
        let encap = sd.read_expected(TAG_SEQUENCE, "EncapsulatedContentInfo")?;
        let mut e = encap.reader(r.rules());
        e.read()?; // eContentType
        Ok(e.read_optional(0xA0)?.is_some())
    };
    Ok(inner().unwrap_or(false))
}

/// Header protection of a payload, as [`open`] reports it: `message` is the header section
/// of the enclosing message, `content` the Cryptographic Payload (header and body), and
/// `encrypted` whether it travelled encrypted.
pub fn header_protection_of(
    message: &HeaderSection,
    content: &Blob,
    encrypted: bool,
) -> Result<Option<headers::Report>> {
    let (payload, _) = parse_head(content)?;
    detect_header_protection(message, content, &payload, encrypted)
}

/// RFC 9788 / draft v1 / S/MIME 3.1 header protection of the innermost content.
fn detect_header_protection(
    message: &HeaderSection,
    content: &Blob,
    payload: &HeaderSection,
    encrypted: bool,
) -> Result<Option<headers::Report>> {
    let legacy = legacy_display(content, payload)?;
    if let Some(scheme) = headers::scheme_of(payload) {
        return Ok(Some(headers::analyze(
            message, payload, scheme, encrypted, legacy,
        )));
    }
    // S/MIME 3.1: the payload is message/rfc822 holding the whole (plain) message.
    let ct = payload
        .value("content-type")
        .map(|v| ContentType::parse(&v))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    if ct.mime_type == "message/rfc822" {
        let body_at = header_len(content)?;
        let inner = content.sub_blob(body_at, content.len())?;
        let (wrapped, _) = parse_head(&inner)?;
        if wrapped.has_message_fields() {
            return Ok(Some(headers::analyze(
                message,
                &wrapped,
                Scheme::WrappedMessage,
                encrypted,
                false,
            )));
        }
    }
    Ok(None)
}

/// A Legacy Display Element: `hp-legacy-display="1"` on a text part, or a draft-style
/// `text/rfc822-headers` part, among the first parts of a multipart payload.
fn legacy_display(content: &Blob, payload: &HeaderSection) -> Result<bool> {
    let ct = payload
        .value("content-type")
        .map(|v| ContentType::parse(&v))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    if ct.param("hp-legacy-display").is_some() {
        return Ok(true);
    }
    if !ct.mime_type.starts_with("multipart/") {
        return Ok(false);
    }
    let Some(boundary) = ct.param("boundary") else {
        return Ok(false);
    };
    let head = content.prefix(1 << 20)?;
    let (_, at) = HeaderSection::parse(&head)?;
    let body = head.get(at..).unwrap_or(&[]);
    let mut delim = b"--".to_vec();
    delim.extend_from_slice(boundary.as_bytes());
    // Look at the first part only (the legacy display element comes first).
    let Some(first) = body
        .split(|b| *b == b'\n')
        .position(|l| delimiter_kind(l, &delim).is_some())
    else {
        return Ok(false);
    };
    let after: Vec<&[u8]> = body.split(|b| *b == b'\n').skip(first + 1).collect();
    let joined = after.join(&b'\n');
    let Ok((part, _)) = HeaderSection::parse(&joined) else {
        return Ok(false);
    };
    let pct = part
        .value("content-type")
        .map(|v| ContentType::parse(&v))
        .unwrap_or_else(|| ContentType::parse("text/plain"));
    Ok(pct.param("hp-legacy-display").is_some()
        || pct.mime_type == "text/rfc822-headers"
        || (pct.mime_type.starts_with("text/") && pct.param("protected-headers").is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_lines_stream_across_buffers() {
        let mut body = b"preamble\r\n--b\r\n".to_vec();
        body.extend(vec![b'x'; 200_000]);
        body.extend_from_slice(b"\r\n--bb not a delimiter\r\n--b\r\nsig\r\n--b--\r\nepilogue");
        let blob = Blob::from_vec(body.clone());
        let ((cs, ce), (ss, se)) = signed_parts(&blob, 0, b"b").unwrap();
        assert_eq!(ce - cs, 200_000 + 2 + 20);
        assert_eq!(&body[ss as usize..se as usize], b"sig");
        let missing_close = Blob::from_vec(b"--b\r\na\r\n--b\r\nsig\r\n".to_vec());
        let e = signed_parts(&missing_close, 0, b"b").unwrap_err();
        assert!(e.to_string().contains("closing boundary"), "{e}");
        let wrong = Blob::from_vec(b"--c\r\na\r\n--c--\r\n".to_vec());
        let e = signed_parts(&wrong, 0, b"b").unwrap_err();
        assert!(e.to_string().contains("never occurs"), "{e}");
        let three = Blob::from_vec(b"--b\r\na\r\n--b\r\nb\r\n--b\r\nc\r\n--b--\r\n".to_vec());
        let e = signed_parts(&three, 0, b"b").unwrap_err();
        assert!(e.to_string().contains("exactly two parts"), "{e}");
    }

    #[test]
    fn plain_message_has_no_layers() {
        let msg = Blob::from_vec(b"From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n".to_vec());
        let o = open(&msg, &OpenOptions::default()).unwrap();
        assert!(o.layers.is_empty());
        assert!(!o.is_signed());
        assert!(!o.signatures_valid());
        let mut out = Vec::new();
        o.write_unwrapped(&mut out).unwrap();
        assert!(out.ends_with(b"\r\n\r\nhello\r\n"));
    }

    #[test]
    fn wrapped_messages_nest_only_so_deep() {
        let mut msg = b"From: a@example.com\r\nContent-Type: text/plain\r\n\r\nhi\r\n".to_vec();
        for _ in 0..12 {
            let mut outer = b"Content-Type: message/rfc822\r\n\r\n".to_vec();
            outer.extend_from_slice(&msg);
            msg = outer;
        }
        let e = open(&Blob::from_vec(msg), &OpenOptions::default()).unwrap_err();
        assert!(matches!(e, Error::Limit(_)), "{e}");
        assert!(e.to_string().contains("more than 8"), "{e}");
    }
}
