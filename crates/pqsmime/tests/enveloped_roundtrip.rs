//! EnvelopedData / AuthEnvelopedData through the library API: every recipient kind and content
//! cipher, DER and streamed BER, chunk boundaries, mixed recipients, version numbers, and the
//! negative cases (tampering, wrong recipient, swapped KEM ciphertext, wrong kekLength, unknown
//! KDF, truncation).

use std::io::{Read, Write};
use std::sync::OnceLock;

use pqsmime::alg::{EcCurve, KeyKind, MlKemLevel};
use pqsmime::asn1::{self, Reader, Rules};
use pqsmime::cms::enveloped::{
    decrypt, decrypt_stream, encrypt, encrypt_stream, ContentCipher, DecryptionKey, Encryptor,
    FileSink, KemKdf, KeyWrapAlgorithm, MemorySink, Recipient, RecipientIdentifier, RecipientKind,
    CHUNK,
};
use pqsmime::keys::PrivateKey;
use pqsmime::Error;

struct Party {
    key: PrivateKey,
    rid: RecipientIdentifier,
}

impl Party {
    fn new(kind: KeyKind, n: u8) -> Party {
        Party {
            key: PrivateKey::generate(kind).unwrap(),
            rid: RecipientIdentifier::IssuerAndSerialNumber {
                issuer: asn1::sequence(&[]),
                serial: vec![n],
            },
        }
    }
    fn recipient(&self) -> Recipient {
        Recipient::new(self.rid.clone(), self.key.public_key()).unwrap()
    }
    fn dk(&self) -> DecryptionKey<'_> {
        DecryptionKey::with_identifiers(&self.key, vec![self.rid.clone()])
    }
}

const KINDS: [KeyKind; 7] = [
    KeyKind::MlKem(MlKemLevel::L512),
    KeyKind::MlKem(MlKemLevel::L768),
    KeyKind::MlKem(MlKemLevel::L1024),
    KeyKind::Rsa(2048),
    KeyKind::Ec(EcCurve::P256),
    KeyKind::Ec(EcCurve::P384),
    KeyKind::X25519,
];

fn parties() -> &'static Vec<Party> {
    static P: OnceLock<Vec<Party>> = OnceLock::new();
    P.get_or_init(|| {
        KINDS
            .iter()
            .enumerate()
            .map(|(i, k)| Party::new(*k, i as u8 + 1))
            .collect()
    })
}

fn party(kind: KeyKind) -> &'static Party {
    let i = KINDS.iter().position(|k| *k == kind).unwrap();
    &parties()[i]
}

/// A reader that hands out a few bytes at a time, to exercise the streaming parser.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.step = self.step % 7 + 1;
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn stream_encrypt(content: &[u8], recipients: &[Recipient], cipher: ContentCipher) -> Vec<u8> {
    let mut out = Vec::new();
    let n = encrypt_stream(content, &mut out, recipients, cipher).unwrap();
    assert_eq!(n, content.len() as u64);
    out
}

fn stream_decrypt(msg: &[u8], dk: &DecryptionKey<'_>) -> pqsmime::Result<Vec<u8>> {
    let mut sink = MemorySink::new();
    decrypt_stream(Trickle { data: msg, step: 0 }, dk, &mut sink)?;
    Ok(sink.into_inner().unwrap().to_vec())
}

/// (outer content type OID, inner version) of a ContentInfo.
fn outer_and_version(msg: &[u8]) -> (String, u64) {
    let mut r = Reader::new_ber(msg);
    let ci = r.read().unwrap();
    let mut c = ci.reader(Rules::Ber);
    let oid = asn1::read_oid(&mut c, "ct").unwrap();
    let ex = c.read().unwrap();
    let body = ex.reader(Rules::Ber).read().unwrap();
    let mut b = body.reader(Rules::Ber);
    let v = asn1::read_small_uint(&mut b, "v").unwrap();
    (oid.to_string(), v)
}

#[test]
fn every_recipient_kind_and_cipher_round_trips_in_der_and_stream() {
    let content = b"Content-Type: text/plain\r\n\r\nquantum-safe hello\r\n".repeat(3);
    for kind in KINDS {
        let p = party(kind);
        for cipher in ContentCipher::ALL {
            let der = encrypt(&content, &[p.recipient()], cipher).unwrap();
            // DER: definite lengths all the way.
            Reader::new(&der).read().unwrap();
            let (c, info) = decrypt(&der, &p.dk()).unwrap();
            assert_eq!(&c[..], &content[..], "{kind:?} {cipher:?}");
            assert_eq!(info.authenticated, cipher.is_authenticated());
            let expected_kind = match kind {
                KeyKind::MlKem(_) => RecipientKind::Kem,
                KeyKind::Rsa(_) => RecipientKind::KeyTransport,
                _ => RecipientKind::KeyAgreement,
            };
            assert_eq!(info.recipient, expected_kind);
            let ber = stream_encrypt(&content, &[p.recipient()], cipher);
            assert_eq!(stream_decrypt(&ber, &p.dk()).unwrap(), content);
            assert_eq!(stream_decrypt(&der, &p.dk()).unwrap(), content);
        }
    }
}

#[test]
fn versions_follow_rfc5652_and_rfc5083() {
    let kem = party(KeyKind::MlKem(MlKemLevel::L768));
    let rsa = party(KeyKind::Rsa(2048));
    let ec = party(KeyKind::Ec(EcCurve::P256));
    let ed = "1.2.840.113549.1.7.3";
    let aed = "1.2.840.113549.1.9.16.1.23";
    let cases: [(&[&Party], ContentCipher, &str, u64); 6] = [
        (&[kem], ContentCipher::Aes256Cbc, ed, 3),
        (&[rsa], ContentCipher::Aes256Cbc, ed, 0),
        (&[ec], ContentCipher::Aes128Cbc, ed, 2),
        (&[rsa, ec], ContentCipher::Aes256Cbc, ed, 2),
        (&[rsa, ec, kem], ContentCipher::Aes256Cbc, ed, 3),
        (&[rsa, ec, kem], ContentCipher::Aes256Gcm, aed, 0),
    ];
    for (ps, cipher, oid, version) in cases {
        let rs: Vec<Recipient> = ps.iter().map(|p| p.recipient()).collect();
        let der = encrypt(b"x", &rs, cipher).unwrap();
        assert_eq!(outer_and_version(&der), (oid.to_string(), version));
        let ber = stream_encrypt(b"x", &rs, cipher);
        assert_eq!(outer_and_version(&ber), (oid.to_string(), version));
    }
    // A ktri named by subjectKeyIdentifier is version 2, so EnvelopedData becomes 2.
    let r = rsa
        .recipient()
        .with_identifier(RecipientIdentifier::SubjectKeyIdentifier(vec![1; 20]));
    let der = encrypt(b"x", &[r], ContentCipher::Aes128Cbc).unwrap();
    assert_eq!(outer_and_version(&der).1, 2);
    let dk = DecryptionKey::with_identifiers(
        &rsa.key,
        vec![RecipientIdentifier::SubjectKeyIdentifier(vec![1; 20])],
    );
    assert_eq!(&decrypt(&der, &dk).unwrap().0[..], b"x");
}

#[test]
fn three_recipient_message_opens_for_each() {
    let ps = [
        party(KeyKind::MlKem(MlKemLevel::L768)),
        party(KeyKind::Rsa(2048)),
        party(KeyKind::Ec(EcCurve::P256)),
    ];
    let rs: Vec<Recipient> = ps.iter().map(|p| p.recipient()).collect();
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc] {
        let msg = stream_encrypt(b"for all three", &rs, cipher);
        for p in ps {
            let (c, info) = decrypt(&msg, &p.dk()).unwrap();
            assert_eq!(&c[..], b"for all three");
            assert_eq!(
                (
                    info.recipients.kem,
                    info.recipients.key_transport,
                    info.recipients.key_agreement
                ),
                (1, 1, 1)
            );
        }
        // Someone not on the list gets the generic error.
        let outsider = party(KeyKind::MlKem(MlKemLevel::L512));
        assert!(matches!(decrypt(&msg, &outsider.dk()), Err(Error::Decrypt)));
    }
}

#[test]
fn chunk_boundaries_in_both_directions() {
    let p = party(KeyKind::MlKem(MlKemLevel::L768));
    for len in [0, 1, 15, 16, 17, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5] {
        let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes128Cbc] {
            let ber = stream_encrypt(&content, &[p.recipient()], cipher);
            assert_eq!(decrypt(&ber, &p.dk()).unwrap().0.to_vec(), content, "{len}");
            assert_eq!(stream_decrypt(&ber, &p.dk()).unwrap(), content, "{len}");
            let der = encrypt(&content, &[p.recipient()], cipher).unwrap();
            assert_eq!(stream_decrypt(&der, &p.dk()).unwrap(), content, "{len}");
        }
    }
}

#[test]
fn encryptor_is_a_writer() {
    let p = party(KeyKind::X25519);
    let mut enc = Encryptor::new(Vec::new(), &[p.recipient()], ContentCipher::Aes128Gcm).unwrap();
    for i in 0..1000u32 {
        write!(enc, "line {i}\r\n").unwrap();
    }
    let (msg, n) = enc.finish().unwrap();
    let expected: String = (0..1000u32).map(|i| format!("line {i}\r\n")).collect();
    assert_eq!(n, expected.len() as u64);
    assert_eq!(
        decrypt(&msg, &p.dk()).unwrap().0.to_vec(),
        expected.as_bytes()
    );
}

#[test]
fn kem_options_are_honoured_and_read_back() {
    let p = party(KeyKind::MlKem(MlKemLevel::L1024));
    for (kdf, wrap) in [
        (KemKdf::HkdfSha384, KeyWrapAlgorithm::Aes128),
        (KemKdf::HkdfSha512, KeyWrapAlgorithm::Aes256),
    ] {
        let r = p
            .recipient()
            .with_kem_kdf(kdf)
            .with_key_wrap(wrap)
            .with_ukm(b"some ukm".to_vec());
        let msg = encrypt(b"opts", &[r], ContentCipher::Aes256Gcm).unwrap();
        let kdf_oid = asn1::algorithm_identifier(&kdf.oid(), None);
        let wrap_oid = wrap.algorithm_identifier();
        assert!(msg.windows(kdf_oid.len()).any(|w| w == kdf_oid));
        assert!(msg.windows(wrap_oid.len()).any(|w| w == wrap_oid));
        assert!(msg.windows(8).any(|w| w == b"some ukm"));
        assert_eq!(&decrypt(&msg, &p.dk()).unwrap().0[..], b"opts");
    }
}

/// Rewrites a DER tree: `f` sees every element's full encoding and may replace it; enclosing
/// lengths are recomputed.
fn rewrite(der: &[u8], f: &dyn Fn(&[u8]) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut r = Reader::new(der);
    while !r.is_empty() {
        let t = r.read().unwrap();
        if let Some(rep) = f(t.raw) {
            out.extend(rep);
        } else if t.is_constructed() {
            out.extend(asn1::tlv(t.tag, &rewrite(t.value, f)));
        } else {
            out.extend_from_slice(t.raw);
        }
    }
    out
}

fn kem_oid_der(s: &str) -> Vec<u8> {
    asn1::oid(&const_oid::ObjectIdentifier::new_unwrap(s))
}

#[test]
fn negative_cases() {
    let p = party(KeyKind::MlKem(MlKemLevel::L768));
    let content = b"negative".to_vec();
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes256Cbc] {
        let der = encrypt(&content, &[p.recipient()], cipher).unwrap();

        // Tampered ciphertext: the content follows the [0] 0x80 tag.
        let mut bad = der.clone();
        let ct_pos = if cipher.is_authenticated() {
            bad.len() - 18 - 2
        } else {
            bad.len() - 2
        };
        bad[ct_pos] ^= 1;
        assert!(
            matches!(decrypt(&bad, &p.dk()), Err(Error::Decrypt)),
            "{cipher:?}"
        );

        // Swapped KEM ciphertext: kemct from another message to the same recipient.
        let other = encrypt(&content, &[p.recipient()], cipher).unwrap();
        let kemct_of = |m: &[u8]| -> Vec<u8> {
            let hdr = [0x04, 0x82, 0x04, 0x40]; // OCTET STRING of 1088 bytes
            let at = m.windows(4).position(|w| w == hdr).unwrap();
            m[at..at + 4 + 1088].to_vec()
        };
        let (mine, theirs) = (kemct_of(&der), kemct_of(&other));
        let swapped = rewrite(&der, &|raw| {
            (raw == mine.as_slice()).then(|| theirs.clone())
        });
        assert_ne!(swapped, der);
        assert!(matches!(decrypt(&swapped, &p.dk()), Err(Error::Decrypt)));

        // Wrong kekLength (16 with aes256-wrap): a clear input error.
        let kek32 = asn1::integer_u64(32);
        let wrong_len = rewrite(&der, &|raw| {
            (raw == kek32.as_slice()).then(|| asn1::integer_u64(16))
        });
        let err = decrypt(&wrong_len, &p.dk()).unwrap_err();
        assert!(matches!(err, Error::Malformed(_)), "{err}");
        assert!(err.to_string().contains("kekLength"), "{err}");

        // Unknown KDF: Bouncy Castle's KDF3 is named in the error.
        let hkdf = asn1::algorithm_identifier(&KemKdf::HkdfSha256.oid(), None);
        let kdf3 = {
            let mut b = kem_oid_der("1.3.133.16.840.9.44.1.2");
            b.extend(asn1::algorithm_identifier(
                &const_oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
                None,
            ));
            asn1::tlv(0x30, &b)
        };
        let bc = rewrite(&der, &|raw| (raw == hkdf.as_slice()).then(|| kdf3.clone()));
        let err = decrypt(&bc, &p.dk()).unwrap_err();
        assert!(matches!(err, Error::UnsupportedAlgorithm(_)), "{err}");
        assert!(err.to_string().contains("KDF3"), "{err}");
        assert_eq!(err.kind(), pqsmime::ErrorKind::Input);

        // Truncation anywhere: an error, never a panic.
        for cut in (1..der.len()).step_by(97) {
            assert!(decrypt(&der[..cut], &p.dk()).is_err());
            assert!(stream_decrypt(&der[..cut], &p.dk()).is_err());
        }
    }
    // AuthEnvelopedData: tampered mac.
    let der = encrypt(&content, &[p.recipient()], ContentCipher::Aes128Gcm).unwrap();
    let mut bad = der.clone();
    let n = bad.len();
    bad[n - 1] ^= 0x80;
    assert!(matches!(decrypt(&bad, &p.dk()), Err(Error::Decrypt)));
    assert_eq!(Error::Decrypt.kind(), pqsmime::ErrorKind::Rejected);
    // Not an encrypted message at all.
    let data_ci = asn1::sequence(&[
        &kem_oid_der("1.2.840.113549.1.7.1"),
        &asn1::tlv(0xA0, &asn1::octet_string(b"x")),
    ]);
    assert!(matches!(
        decrypt(&data_ci, &p.dk()),
        Err(Error::Malformed(_))
    ));
}

#[test]
fn file_sink_never_publishes_a_forgery() {
    let p = party(KeyKind::Ec(EcCurve::P384));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain.txt");
    let msg = stream_encrypt(
        &vec![7u8; 3 * CHUNK],
        &[p.recipient()],
        ContentCipher::Aes256Gcm,
    );
    let mut bad = msg.clone();
    // Flip a byte deep inside the second segment.
    bad[CHUNK + 5000] ^= 1;
    let mut sink = FileSink::new(&out).unwrap();
    assert!(matches!(
        decrypt_stream(&bad[..], &p.dk(), &mut sink),
        Err(Error::Decrypt)
    ));
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let mut sink = FileSink::new(&out).unwrap();
    let info = decrypt_stream(&msg[..], &p.dk(), &mut sink).unwrap();
    assert_eq!(info.content_len, 3 * CHUNK as u64);
    assert_eq!(std::fs::read(&out).unwrap(), vec![7u8; 3 * CHUNK]);
}

/// A tiny deterministic PRNG (xorshift64*) for the mutation test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutated_messages_never_panic_and_never_pass_authentication() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let content = b"mutate me, but you will not get me out".to_vec();
    for kind in KINDS {
        let p = party(kind);
        for (cipher, streamed) in [
            (ContentCipher::Aes256Gcm, false),
            (ContentCipher::Aes128Gcm, true),
            (ContentCipher::Aes256Cbc, true),
        ] {
            let msg = if streamed {
                stream_encrypt(&content, &[p.recipient()], cipher)
            } else {
                encrypt(&content, &[p.recipient()], cipher).unwrap()
            };
            for _ in 0..150 {
                let mut m = msg.clone();
                match rng.below(4) {
                    0 => {
                        let i = rng.below(m.len());
                        m[i] ^= 1 << rng.below(8);
                    }
                    1 => {
                        let i = rng.below(m.len());
                        m[i] = rng.next() as u8;
                    }
                    2 => {
                        let i = rng.below(m.len());
                        m.remove(i);
                    }
                    _ => {
                        let i = rng.below(m.len());
                        m.insert(i, rng.next() as u8);
                    }
                }
                let a = decrypt(&m, &p.dk());
                let b = stream_decrypt(&m, &p.dk());
                assert_eq!(a.is_ok(), b.is_ok());
                if let Ok((plain, info)) = a {
                    // Only a change that leaves the authenticated parts intact may pass, and
                    // then the content is exactly the original.
                    if info.authenticated {
                        assert_eq!(&plain[..], &content[..], "{kind:?} {cipher:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn an_unsupported_kdf_for_someone_else_does_not_block_us() {
    let a = party(KeyKind::MlKem(MlKemLevel::L512));
    let b = party(KeyKind::MlKem(MlKemLevel::L768));
    let rs = [
        a.recipient().with_kem_kdf(KemKdf::HkdfSha384),
        b.recipient(),
    ];
    let der = encrypt(b"mixed", &rs, ContentCipher::Aes256Gcm).unwrap();
    let hkdf384 = asn1::algorithm_identifier(&KemKdf::HkdfSha384.oid(), None);
    let kdf3 = {
        let mut body = kem_oid_der("1.3.133.16.840.9.44.1.2");
        body.extend(asn1::algorithm_identifier(
            &const_oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1"),
            None,
        ));
        asn1::tlv(0x30, &body)
    };
    let bc = rewrite(&der, &|raw| {
        (raw == hkdf384.as_slice()).then(|| kdf3.clone())
    });
    assert_ne!(bc, der);
    assert_eq!(&decrypt(&bc, &b.dk()).unwrap().0[..], b"mixed");
    let err = decrypt(&bc, &a.dk()).unwrap_err();
    assert!(err.to_string().contains("KDF3"), "{err}");
}
