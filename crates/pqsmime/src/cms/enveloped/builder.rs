//! Writing EnvelopedData / AuthEnvelopedData: in memory as DER ([`encrypt`]) or streamed as
//! BER with an indefinite-length, chunked encryptedContent ([`Encryptor`], [`encrypt_stream`]).

use std::io::{self, Read, Write};

use zeroize::{Zeroize, Zeroizing};

use super::content::{random, ContentCipher, ContentEncryptor, ContentParams};
use super::recipients::{Recipient, RiVersion};
use crate::asn1;
use crate::error::{Error, Result};
use crate::oids;

/// Plaintext bytes per encryptedContent segment when streaming.
pub const CHUNK: usize = 64 * 1024;

/// Everything that precedes the encrypted content.
struct Prepared {
    authenticated: bool,
    version: u64,
    recipient_infos: Vec<u8>,
    params: ContentParams,
    cek: Zeroizing<Vec<u8>>,
}

fn prepare(recipients: &[Recipient], cipher: ContentCipher) -> Result<Prepared> {
    if recipients.is_empty() {
        return Err(Error::Usage(
            "an encrypted message needs at least one recipient".into(),
        ));
    }
    let mut cek = Zeroizing::new(vec![0u8; cipher.key_len()]);
    random(&mut cek)?;
    let params = ContentParams::generate(cipher)?;
    let mut ris = Vec::with_capacity(recipients.len());
    let mut versions = Vec::with_capacity(recipients.len());
    for r in recipients {
        let out = r.build(&cek)?;
        versions.push(out.version);
        ris.push(out.der);
    }
    let authenticated = cipher.is_authenticated();
    Ok(Prepared {
        authenticated,
        version: if authenticated {
            // RFC 5083 §2.1: AuthEnvelopedData version is always 0.
            0
        } else {
            enveloped_data_version(&versions)
        },
        recipient_infos: asn1::set_of(ris),
        params,
        cek,
    })
}

/// RFC 5652 §6.1 (errata-corrected) for EnvelopedData without originatorInfo and
/// unprotectedAttrs: 3 if any pwri or ori, else 0 if every RecipientInfo is version 0, else 2.
pub(crate) fn enveloped_data_version(versions: &[RiVersion]) -> u64 {
    if versions.contains(&RiVersion::Ori) {
        3
    } else if versions.iter().all(|v| *v == RiVersion::V0) {
        0
    } else {
        2
    }
}

impl Prepared {
    fn outer_oid(&self) -> const_oid::ObjectIdentifier {
        if self.authenticated {
            oids::ID_CT_AUTH_ENVELOPED_DATA
        } else {
            oids::ID_ENVELOPED_DATA
        }
    }
}

/// Encrypts `content` (an id-data payload, e.g. a MIME entity) for `recipients` and returns the
/// DER ContentInfo: AuthEnvelopedData for GCM, EnvelopedData for CBC.
pub fn encrypt(content: &[u8], recipients: &[Recipient], cipher: ContentCipher) -> Result<Vec<u8>> {
    let p = prepare(recipients, cipher)?;
    let enc = p.params.encryptor(&p.cek)?;
    let mut ct = content.to_vec();
    let tag = enc.finish(&mut ct)?;

    let mut eci = asn1::oid(&oids::ID_DATA);
    eci.extend(p.params.algorithm_identifier());
    eci.extend(asn1::tlv(0x80, &ct));
    let mut body = asn1::integer_u64(p.version);
    body.extend_from_slice(&p.recipient_infos);
    body.extend(asn1::tlv(asn1::TAG_SEQUENCE, &eci));
    if let Some(tag) = tag {
        body.extend(asn1::octet_string(&tag));
    }
    let inner = asn1::tlv(asn1::TAG_SEQUENCE, &body);
    let mut ci = asn1::oid(&p.outer_oid());
    ci.extend(asn1::tlv(0xA0, &inner));
    Ok(asn1::tlv(asn1::TAG_SEQUENCE, &ci))
}

/// A streaming encryptor: an `io::Write` that takes the plaintext and writes a BER
/// ContentInfo to the wrapped writer in constant memory. Call [`Encryptor::finish`] at the end;
/// dropping it without `finish` leaves an incomplete message.
pub struct Encryptor<W: Write> {
    out: W,
    enc: Option<ContentEncryptor>,
    buf: Zeroizing<Vec<u8>>,
    authenticated: bool,
    total: u64,
}

impl<W: Write> Encryptor<W> {
    /// Writes the message header (recipients, algorithm) to `out` and returns the encryptor.
    pub fn new(
        mut out: W,
        recipients: &[Recipient],
        cipher: ContentCipher,
    ) -> Result<Encryptor<W>> {
        let p = prepare(recipients, cipher)?;
        let enc = p.params.encryptor(&p.cek)?;
        let mut head = Vec::with_capacity(p.recipient_infos.len() + 128);
        head.extend_from_slice(&[asn1::TAG_SEQUENCE, 0x80]);
        head.extend(asn1::oid(&p.outer_oid()));
        head.extend_from_slice(&[0xA0, 0x80, asn1::TAG_SEQUENCE, 0x80]);
        head.extend(asn1::integer_u64(p.version));
        head.extend_from_slice(&p.recipient_infos);
        head.extend_from_slice(&[asn1::TAG_SEQUENCE, 0x80]);
        head.extend(asn1::oid(&oids::ID_DATA));
        head.extend(p.params.algorithm_identifier());
        head.extend_from_slice(&[0xA0, 0x80]);
        out.write_all(&head)?;
        Ok(Encryptor {
            out,
            enc: Some(enc),
            buf: Zeroizing::new(Vec::with_capacity(CHUNK + 16)),
            authenticated: p.authenticated,
            total: 0,
        })
    }

    fn flush_chunk(&mut self) -> Result<()> {
        let enc = self
            .enc
            .as_mut()
            .ok_or_else(|| Error::Usage("the encryptor is already finished".into()))?;
        enc.update(&mut self.buf)?;
        self.out
            .write_all(&asn1::header(asn1::TAG_OCTET_STRING, self.buf.len()))?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Encrypts what is buffered, writes the closing elements (and the GCM tag) and returns
    /// the writer and the number of plaintext bytes.
    pub fn finish(mut self) -> Result<(W, u64)> {
        let enc = self
            .enc
            .take()
            .ok_or_else(|| Error::Usage("the encryptor is already finished".into()))?;
        let tag = enc.finish(&mut self.buf)?;
        // An empty content still gets one (empty) segment, so encryptedContent is present.
        if !self.buf.is_empty() || self.total == 0 {
            self.out
                .write_all(&asn1::header(asn1::TAG_OCTET_STRING, self.buf.len()))?;
            self.out.write_all(&self.buf)?;
        }
        self.buf.zeroize();
        let mut tail = vec![0, 0, 0, 0]; // end of [0] encryptedContent, EncryptedContentInfo
        if let Some(tag) = tag {
            if self.authenticated {
                tail.extend(asn1::octet_string(&tag));
            }
        }
        tail.extend_from_slice(&[0, 0, 0, 0, 0, 0]); // (Auth)EnvelopedData, [0], ContentInfo
        self.out.write_all(&tail)?;
        self.out.flush()?;
        Ok((self.out, self.total))
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = data.len().min(room);
        self.buf.extend_from_slice(&data[..n]);
        self.total += n as u64;
        if self.buf.len() == CHUNK {
            self.flush_chunk()
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Encrypts everything `input` yields into `output` as a BER ContentInfo (indefinite lengths,
/// 64 KiB encryptedContent segments), in constant memory. Returns the plaintext length.
pub fn encrypt_stream<R: Read, W: Write>(
    mut input: R,
    output: W,
    recipients: &[Recipient],
    cipher: ContentCipher,
) -> Result<u64> {
    let mut enc = Encryptor::new(output, recipients, cipher)?;
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            let w = enc.write(rest).map_err(Error::Io)?;
            rest = &rest[w..];
        }
    }
    let (_, total) = enc.finish()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enveloped_data_version_rule() {
        assert_eq!(enveloped_data_version(&[RiVersion::V0]), 0);
        assert_eq!(
            enveloped_data_version(&[RiVersion::V0, RiVersion::Other]),
            2
        );
        assert_eq!(
            enveloped_data_version(&[RiVersion::Other, RiVersion::Ori]),
            3
        );
        assert_eq!(enveloped_data_version(&[RiVersion::V0, RiVersion::Ori]), 3);
    }

    #[test]
    fn no_recipients_is_a_usage_error() {
        assert!(matches!(
            encrypt(b"x", &[], ContentCipher::Aes256Gcm),
            Err(Error::Usage(_))
        ));
    }
}
