//! The RFC 9936 Appendix A example (AuthEnvelopedData, ML-KEM-512 KEMRecipientInfo,
//! HKDF-SHA256, aes128-wrap, AES-128-GCM): every published intermediate value and the
//! plaintext. Provenance: `tests/vectors/lamps-cms-kyber/INDEX.md`.

use std::path::PathBuf;

use base64ct::{Base64, Encoding};
use pqsmime::cms::enveloped::{
    decrypt, decrypt_stream, testing, DecryptionKey, MemorySink, RecipientIdentifier, RecipientKind,
};
use pqsmime::keys::PrivateKey;
use pqsmime::x509::Certificate;
use pqsmime::Error;

fn read(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/lamps-cms-kyber/example")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn hex_file(rel: &str) -> Vec<u8> {
    let text: String = String::from_utf8(read(rel))
        .unwrap()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .collect();
    hex::decode(text).unwrap()
}

fn message() -> Vec<u8> {
    let text = String::from_utf8(read("ML-KEM-512.cms")).unwrap();
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    Base64::decode_vec(&b64).unwrap()
}

fn cert() -> Certificate {
    Certificate::from_pem_or_der(&read("ML-KEM-512.pem"))
        .unwrap()
        .remove(0)
}

#[test]
fn rfc9936_intermediate_values_match_the_published_ones() {
    let msg = message();
    let ss = hex_file("shared_secret.txt");
    let (info, kek, cek) = testing::kemri_intermediates(&msg, &ss).unwrap();
    assert_eq!(info, hex_file("ori_info.txt"));
    assert_eq!(*kek, hex_file("kek.txt"));
    assert_eq!(*cek, hex_file("cek.txt"));
    // The KEM ciphertext in the message decapsulates to the published shared secret.
    let sk = PrivateKey::from_pem_or_der(&read("ML-KEM-512-seed.priv")).unwrap();
    let kemct = hex_file("ciphertext.txt");
    assert_eq!(*sk.kem_decapsulate(&kemct).unwrap(), ss);
    // And the message carries exactly the published ciphertext and wrapped CEK.
    let contains = |needle: &[u8]| msg.windows(needle.len()).any(|w| w == needle);
    assert!(contains(&kemct));
    assert!(contains(&hex_file("encrypted_cek.txt")));
}

#[test]
fn rfc9936_message_decrypts_with_each_private_key_form() {
    let msg = message();
    let cert = cert();
    // The example names the recipient by subjectKeyIdentifier.
    assert_eq!(
        cert.subject_key_identifier().unwrap(),
        &hex::decode(String::from_utf8(read("ML-KEM-512.keyid")).unwrap().trim()).unwrap()[..]
    );
    for form in ["seed", "expanded", "both"] {
        let sk = PrivateKey::from_pem_or_der(&read(&format!("ML-KEM-512-{form}.priv"))).unwrap();
        let dk = DecryptionKey::new(&cert, &sk).unwrap();
        let (content, info) = decrypt(&msg, &dk).unwrap();
        assert_eq!(&content[..], &read("plaintext.txt")[..], "{form}");
        assert_eq!(&content[..], b"Hello, world!");
        assert!(info.authenticated);
        assert_eq!(info.recipient, RecipientKind::Kem);
        assert_eq!(info.content_cipher, "AES-128-GCM");
        assert_eq!(info.recipients.kem, 1);
    }
}

#[test]
fn rfc9936_message_rejects_tampering_and_strangers() {
    let msg = message();
    let cert = cert();
    let sk = PrivateKey::from_pem_or_der(&read("ML-KEM-512-seed.priv")).unwrap();
    let dk = DecryptionKey::new(&cert, &sk).unwrap();

    // Last byte of the message is the last byte of the 16-byte mac.
    let mut bad_tag = msg.clone();
    *bad_tag.last_mut().unwrap() ^= 1;
    assert!(matches!(decrypt(&bad_tag, &dk), Err(Error::Decrypt)));

    // Flip a ciphertext byte (13-byte content just before `04 10 <mac>`).
    let mut bad_ct = msg.clone();
    let pos = msg.len() - 18 - 1;
    bad_ct[pos] ^= 0x40;
    let mut sink = MemorySink::new();
    assert!(matches!(
        decrypt_stream(&bad_ct[..], &dk, &mut sink),
        Err(Error::Decrypt)
    ));
    assert!(sink.into_inner().is_none());

    // Flip a byte of the KEM ciphertext: implicit rejection, then unwrap fails.
    let kemct = hex_file("ciphertext.txt");
    let at = msg.windows(kemct.len()).position(|w| w == kemct).unwrap();
    let mut bad_kem = msg.clone();
    bad_kem[at + 100] ^= 1;
    assert!(matches!(decrypt(&bad_kem, &dk), Err(Error::Decrypt)));

    // A key that does not belong to the certificate is a usage error up front.
    let other =
        PrivateKey::generate(pqsmime::alg::KeyKind::MlKem(pqsmime::alg::MlKemLevel::L512)).unwrap();
    assert!(matches!(
        DecryptionKey::new(&cert, &other),
        Err(Error::Usage(_))
    ));
    // The right kind of key under the wrong name: the generic error.
    let stranger = DecryptionKey::with_identifiers(
        &sk,
        vec![RecipientIdentifier::SubjectKeyIdentifier(vec![0; 20])],
    );
    assert!(matches!(decrypt(&msg, &stranger), Err(Error::Decrypt)));
    // The right name with another key of the same level: the same generic error.
    let impostor = DecryptionKey::with_identifiers(
        &other,
        vec![RecipientIdentifier::subject_key_identifier(&cert).unwrap()],
    );
    assert!(matches!(decrypt(&msg, &impostor), Err(Error::Decrypt)));

    // Every truncation is an error, never a panic, never plaintext.
    for cut in [1, 2, 17, 18, 30, msg.len() / 2, msg.len() - 1] {
        let mut sink = MemorySink::new();
        let r = decrypt_stream(&msg[..msg.len() - cut], &dk, &mut sink);
        assert!(r.is_err(), "cut {cut}");
        assert!(sink.into_inner().is_none());
    }
    // Trailing garbage is refused.
    let mut extra = msg.clone();
    extra.push(0);
    assert!(matches!(decrypt(&extra, &dk), Err(Error::Malformed(_))));
}

/// Rebuilds the RFC 9936 message with authAttrs (a content-type attribute), re-encrypting the
/// published plaintext under the published CEK and nonce with the attributes as AAD: the
/// decryptor must fold the AAD (which follows the ciphertext) into the tag.
#[test]
fn auth_attrs_are_authenticated() {
    use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
    use pqsmime::asn1::{self, Reader, Rules};

    let msg = message();
    let mut r = Reader::new(&msg);
    let ci = r.read().unwrap();
    let mut c = ci.reader(Rules::Der);
    let outer_oid = c.read().unwrap();
    let explicit = c.read().unwrap();
    let aed = explicit.reader(Rules::Der).read().unwrap();
    let mut a = aed.reader(Rules::Der);
    let version = a.read().unwrap();
    let ris = a.read().unwrap();
    let eci = a.read().unwrap();
    let mut e = eci.reader(Rules::Der);
    let ct_type = e.read().unwrap();
    let alg = e.read().unwrap();

    let build = |attrs_for_aad: &[u8], attrs_in_message: &[u8]| -> Vec<u8> {
        let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, &hex_file("cek.txt")).unwrap());
        let nonce =
            Nonce::try_assume_unique_for_key(&hex::decode("5CA57468B81BF03B8DA7186C").unwrap())
                .unwrap();
        let mut buf = b"Hello, world!".to_vec();
        let aad = asn1::retag(attrs_for_aad, asn1::TAG_SET);
        let tag = key
            .seal_in_place_separate_tag(nonce, Aad::from(&aad[..]), &mut buf)
            .unwrap();
        let new_eci = asn1::sequence(&[ct_type.raw, alg.raw, &asn1::tlv(0x80, &buf)]);
        let body = asn1::sequence(&[
            version.raw,
            ris.raw,
            &new_eci,
            attrs_in_message,
            &asn1::octet_string(tag.as_ref()),
        ]);
        asn1::sequence(&[outer_oid.raw, &asn1::tlv(0xA0, &body)])
    };
    let content_type_attr = |oid: &str| {
        asn1::sequence(&[
            &asn1::oid(&const_oid::ObjectIdentifier::new_unwrap(
                "1.2.840.113549.1.9.3",
            )),
            &asn1::set_of(vec![asn1::oid(&const_oid::ObjectIdentifier::new_unwrap(
                oid,
            ))]),
        ])
    };
    let attrs = asn1::tlv(0xA1, &content_type_attr("1.2.840.113549.1.7.1"));
    let other = asn1::tlv(0xA1, &content_type_attr("1.2.840.113549.1.7.2"));

    let cert = cert();
    let sk = PrivateKey::from_pem_or_der(&read("ML-KEM-512-seed.priv")).unwrap();
    let dk = DecryptionKey::new(&cert, &sk).unwrap();
    let good = build(&attrs, &attrs);
    assert_eq!(&decrypt(&good, &dk).unwrap().0[..], b"Hello, world!");
    // Attributes changed after sealing: the tag no longer matches.
    let swapped = build(&attrs, &other);
    assert!(matches!(decrypt(&swapped, &dk), Err(Error::Decrypt)));
    // Attributes dropped after sealing: likewise.
    let dropped = build(&attrs, &[]);
    assert!(matches!(decrypt(&dropped, &dk), Err(Error::Decrypt)));
}
