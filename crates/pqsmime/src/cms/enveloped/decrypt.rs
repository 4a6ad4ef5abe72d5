//! Reading EnvelopedData / AuthEnvelopedData from a stream: the structure is walked header by
//! header ([`super::stream::BerReader`]); only the small parts (recipientInfos, algorithm
//! identifiers, attributes, the tag) are held in memory, the encrypted content is decrypted in
//! 64 KiB chunks and handed to a [`DecryptSink`], which publishes it only after the tag (GCM)
//! or the padding (CBC) checked out.

use std::io::Read;

use const_oid::ObjectIdentifier;
use zeroize::Zeroizing;

use super::builder::CHUNK;
use super::content::{ContentDecryptor, ContentParams};
use super::recipients::{find_recipient, DecryptionKey, RecipientKind, RecipientSummary};
use super::sink::{DecryptSink, MemorySink};
use super::stream::{BerReader, Frame};
use crate::alg::describe_oid;
use crate::asn1::{self, Reader, Rules};
use crate::error::{Error, Result};
use crate::oids;

/// Upper bound on recipientInfos (about 25,000 ML-KEM-768 recipients).
const MAX_RECIPIENT_INFOS: usize = 32 << 20;
/// Upper bound on originatorInfo, attributes and other small elements kept in memory.
const MAX_SMALL: usize = 1 << 20;

/// What a successful decryption found out about the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptInfo {
    /// The type of the decrypted content (normally id-data).
    pub content_type: ObjectIdentifier,
    /// True for AuthEnvelopedData (integrity-protected), false for EnvelopedData.
    pub authenticated: bool,
    /// The content-encryption algorithm, e.g. `AES-256-GCM`.
    pub content_cipher: String,
    /// The kind of RecipientInfo that opened it.
    pub recipient: RecipientKind,
    /// All RecipientInfos in the message, by kind.
    pub recipients: RecipientSummary,
    /// Length of the decrypted content.
    pub content_len: u64,
}

/// Decrypts a whole message held in memory (DER or BER ContentInfo).
pub fn decrypt(
    message: &[u8],
    key: &DecryptionKey<'_>,
) -> Result<(Zeroizing<Vec<u8>>, DecryptInfo)> {
    let mut sink = MemorySink::new();
    let info = decrypt_stream(message, key, &mut sink)?;
    let content = sink.into_inner().ok_or(Error::Decrypt)?;
    Ok((content, info))
}

/// Decrypts a ContentInfo read from `input` into `sink` in constant memory. On success the
/// sink has been committed; on any failure it has been aborted (nothing published).
///
/// Errors: [`Error::Decrypt`] for everything that depends on secrets or on the message not
/// being addressed to `key` (no matching recipient, wrong key, KEM or unwrap failure, bad tag,
/// bad padding), always the same value; input errors ([`Error::Malformed`],
/// [`Error::UnsupportedAlgorithm`], [`Error::Limit`]) for problems in the public encoding.
pub fn decrypt_stream<R: Read, S: DecryptSink + ?Sized>(
    input: R,
    key: &DecryptionKey<'_>,
    sink: &mut S,
) -> Result<DecryptInfo> {
    match run(input, key, sink) {
        Ok(info) => {
            if let Err(e) = sink.commit() {
                sink.abort();
                return Err(e);
            }
            Ok(info)
        }
        Err(e) => {
            sink.abort();
            Err(e)
        }
    }
}

fn read_oid<R: Read>(r: &mut BerReader<R>, what: &str) -> Result<ObjectIdentifier> {
    let el = r.element(256, what)?;
    let mut rd = Reader::new(&el);
    asn1::read_oid(&mut rd, what)
}

fn run<R: Read, S: DecryptSink + ?Sized>(
    input: R,
    key: &DecryptionKey<'_>,
    sink: &mut S,
) -> Result<DecryptInfo> {
    let mut r = BerReader::new(input);
    let root = BerReader::<R>::root();
    let h = r.expect(asn1::TAG_SEQUENCE, "ContentInfo")?;
    let mut ci = r.open(&h, &root, "ContentInfo")?;
    let outer = read_oid(&mut r, "ContentInfo contentType")?;
    let authenticated = if outer == oids::ID_CT_AUTH_ENVELOPED_DATA {
        true
    } else if outer == oids::ID_ENVELOPED_DATA {
        false
    } else {
        return Err(Error::Malformed(format!(
            "the message is {}, not EnvelopedData or AuthEnvelopedData",
            describe_oid(&outer)
        )));
    };
    let name = if authenticated {
        "AuthEnvelopedData"
    } else {
        "EnvelopedData"
    };
    let h = r.expect(0xA0, "ContentInfo content")?;
    let mut explicit = r.open(&h, &ci, "ContentInfo content")?;
    let h = r.expect(asn1::TAG_SEQUENCE, name)?;
    let mut body = r.open(&h, &explicit, name)?;

    let version_el = r.element(16, "version")?;
    let version = asn1::read_small_uint(&mut Reader::new_ber(&version_el), "version")?;
    if authenticated && version != 0 {
        return Err(Error::Malformed(format!(
            "AuthEnvelopedData version is {version}; RFC 5083 requires 0"
        )));
    }
    if !authenticated && ![0, 2, 3, 4].contains(&version) {
        return Err(Error::Malformed(format!(
            "EnvelopedData version is {version}; RFC 5652 allows 0, 2, 3 or 4"
        )));
    }
    if r.next_tag(&mut body, name)? == Some(0xA0) {
        // originatorInfo: certificates and CRLs we do not need.
        r.skip_element("originatorInfo")?;
    }
    let ris_el = r.element(MAX_RECIPIENT_INFOS, "recipientInfos")?;
    let (ris, _) = asn1::parse_tlv(&ris_el, Rules::Ber, 0)?;
    if ris.tag != asn1::TAG_SET {
        return Err(Error::Malformed(format!(
            "{name} recipientInfos: expected a SET, found tag 0x{:02X}",
            ris.tag
        )));
    }
    let (found, summary) = find_recipient(ris.value, key)?;

    let h = r.expect(asn1::TAG_SEQUENCE, "EncryptedContentInfo")?;
    let mut eci = r.open(&h, &body, "EncryptedContentInfo")?;
    let content_type = read_oid(&mut r, "EncryptedContentInfo contentType")?;
    let alg_el = r.element(4096, "contentEncryptionAlgorithm")?;
    let (alg, _) = asn1::parse_tlv(&alg_el, Rules::Ber, 0)?;
    let params = ContentParams::parse(alg.raw, authenticated)?;

    let matched = found.ok_or(Error::Decrypt)?;
    let cek = matched.recover_cek(key.key, &params)?;
    let mut dec = params.decryptor(&cek)?;
    drop(cek);

    let mut chunk = Zeroizing::new(Vec::with_capacity(CHUNK));
    let mut content_len = 0u64;
    let mut emit = |d: &[u8]| -> Result<()> {
        content_len += d.len() as u64;
        sink.write_unverified(d)
    };
    match r.next_tag(&mut eci, "EncryptedContentInfo")? {
        None => {
            return Err(Error::UnsupportedAlgorithm(
                "the encrypted content is detached (encryptedContent absent); pqsmime needs \
                 it inside the message"
                    .into(),
            ))
        }
        Some(0x80) => {
            let h = r.header("encryptedContent")?;
            let len = h.len.ok_or_else(|| {
                Error::malformed("encryptedContent: primitive element with indefinite length")
            })?;
            read_segment(&mut r, len, &mut chunk, &mut dec, &mut emit)?;
        }
        Some(0xA0) => {
            let h = r.header("encryptedContent")?;
            let frame = r.open(&h, &eci, "encryptedContent")?;
            read_segments(&mut r, frame, &mut chunk, &mut dec, &mut emit)?;
        }
        Some(t) => {
            return Err(Error::Malformed(format!(
                "EncryptedContentInfo: expected [0] encryptedContent, found tag 0x{t:02X}"
            )))
        }
    }
    r.close(&mut eci, "EncryptedContentInfo")?;

    let mut aad = Vec::new();
    let mut mac = None;
    if authenticated {
        if r.next_tag(&mut body, name)? == Some(0xA1) {
            let attrs = r.element(MAX_SMALL, "authAttrs")?;
            // RFC 5083 §2.1: authAttrs MUST be DER; the AAD is their DER with a SET OF tag.
            let mut check = Reader::new(&attrs);
            check.read().map_err(|e| match e {
                Error::Malformed(m) => Error::Malformed(format!("authAttrs are not DER: {m}")),
                other => other,
            })?;
            check.finish("authAttrs")?;
            aad = asn1::retag(&attrs, asn1::TAG_SET);
        }
        let mac_el = r.element(64, "mac")?;
        let mut mr = Reader::new_ber(&mac_el);
        let m = mr.read_expected(asn1::TAG_OCTET_STRING, "AuthEnvelopedData mac")?;
        mac = Some(m.value.to_vec());
        if r.next_tag(&mut body, name)? == Some(0xA2) {
            r.skip_element("unauthAttrs")?;
        }
    } else if r.next_tag(&mut body, name)? == Some(0xA1) {
        r.skip_element("unprotectedAttrs")?;
    }
    r.close(&mut body, name)?;
    r.close(&mut explicit, "ContentInfo content")?;
    r.close(&mut ci, "ContentInfo")?;
    r.expect_eof()?;

    dec.finish(&mut chunk, &aad, mac.as_deref(), &mut emit)?;
    Ok(DecryptInfo {
        content_type,
        authenticated,
        content_cipher: params.name(),
        recipient: matched.kind(),
        recipients: summary,
        content_len,
    })
}

/// Streams `len` bytes of ciphertext into `chunk`, decrypting every full chunk.
fn read_segment<R: Read>(
    r: &mut BerReader<R>,
    mut len: u64,
    chunk: &mut Vec<u8>,
    dec: &mut ContentDecryptor,
    emit: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    while len > 0 {
        let room = CHUNK - chunk.len();
        let n = (len.min(room as u64)) as usize;
        let start = chunk.len();
        chunk.resize(start + n, 0);
        r.read_exact(&mut chunk[start..], "encryptedContent")?;
        len -= n as u64;
        if chunk.len() == CHUNK {
            dec.update(chunk, emit)?;
            chunk.clear();
        }
    }
    Ok(())
}

/// Walks the segments of a constructed encryptedContent (OCTET STRINGs, possibly nested in
/// constructed OCTET STRINGs, each level definite or indefinite).
fn read_segments<R: Read>(
    r: &mut BerReader<R>,
    frame: Frame,
    chunk: &mut Vec<u8>,
    dec: &mut ContentDecryptor,
    emit: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let mut stack = vec![frame];
    loop {
        let depth = stack.len();
        let Some(top) = stack.last_mut() else { break };
        match r.next_tag(top, "encryptedContent")? {
            None => {
                stack.pop();
            }
            Some(asn1::TAG_OCTET_STRING) => {
                let h = r.header("encryptedContent segment")?;
                let len = h.len.ok_or_else(|| {
                    Error::malformed("encryptedContent segment: indefinite length on a primitive")
                })?;
                // The segment must fit its enclosing element.
                r.open(&h, top, "encryptedContent segment")?;
                read_segment(r, len, chunk, dec, emit)?;
            }
            Some(0x24) => {
                if depth >= asn1::MAX_DEPTH {
                    return Err(Error::Limit(
                        "encryptedContent segments nested too deeply".into(),
                    ));
                }
                let h = r.header("encryptedContent segment")?;
                let f = r.open(&h, top, "encryptedContent segment")?;
                stack.push(f);
            }
            Some(t) => {
                return Err(Error::Malformed(format!(
                    "encryptedContent segment has tag 0x{t:02X} (expected OCTET STRING)"
                )))
            }
        }
    }
    Ok(())
}
