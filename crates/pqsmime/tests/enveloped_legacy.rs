//! Legacy encrypted mail that pqsmime reads but never writes: 3DES-CBC content and the
//! RFC 3217 Triple-DES key wrap. The vector is OpenSSL's `ciphertext_from_1_1_1.cms`
//! (made by OpenSSL 1.1.1: ECDH `dhSinglePass-stdDH-sha1kdf-scheme`, `id-alg-CMS3DESwrap`,
//! 3DES-CBC), provenance in `tests/vectors/openssl-cms-testdata/INDEX.md`; OpenSSL's own
//! test expects it to decrypt with `smec3.pem` to `smcont.txt`.

use std::path::PathBuf;

use base64ct::{Base64, Encoding};
use pqsmime::cms::enveloped::{decrypt, DecryptionKey, KeyWrapAlgorithm, RecipientIdentifier};
use pqsmime::keys::PrivateKey;
use pqsmime::x509::Certificate;
use pqsmime::Error;

fn read(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/openssl-cms-testdata")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// The base64 body of the PEM block with `label`.
fn pem_block(text: &[u8], label: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).expect("PEM block") + begin.len();
    let stop = start + text[start..].find(&end).expect("PEM end");
    let b64: String = text[start..stop].split_whitespace().collect();
    Base64::decode_vec(&b64).unwrap()
}

/// The DER inside the S/MIME file: the base64 body after the header section.
fn smime_body(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text).replace("\r\n", "\n");
    let body = &text[text.find("\n\n").expect("header/body separator") + 2..];
    let b64: String = body.split_whitespace().collect();
    Base64::decode_vec(&b64).unwrap()
}

#[test]
fn openssl_1_1_1_3des_ecdh_message_decrypts_to_the_published_text() {
    let msg = smime_body(&read("cms-data/ciphertext_from_1_1_1.cms"));
    let pem = read("smime-certs/smec3.pem");
    let cert = Certificate::from_pem_or_der(&pem).unwrap().remove(0);
    let key = PrivateKey::from_pem_or_der(&pem_block(&pem, "PRIVATE KEY")).unwrap();
    let dk = DecryptionKey::new(&cert, &key).unwrap();
    let (plain, info) = decrypt(&msg, &dk).unwrap();
    assert_eq!(&plain[..], &read("smcont.txt")[..]);
    assert_eq!(info.content_cipher, "3DES-CBC");
    assert!(!info.authenticated);

    // Tampering with the last ciphertext block breaks the padding: the generic error. (The
    // message ends with that block's 8-byte OCTET STRING, then five end-of-contents.)
    let mut bad = msg.clone();
    let n = bad.len();
    assert_eq!(&bad[n - 20..n - 18], &[0x04, 0x08]);
    bad[n - 15] ^= 0x01;
    assert!(matches!(decrypt(&bad, &dk), Err(Error::Decrypt)));
    // The other recipient's key (smec1) under smec3's name: the generic error.
    let other = read("smime-certs/smec1.pem");
    let other_key = PrivateKey::from_pem_or_der(&pem_block(&other, "PRIVATE KEY")).unwrap();
    let impostor = DecryptionKey::with_identifiers(
        &other_key,
        vec![RecipientIdentifier::issuer_and_serial(&cert)],
    );
    assert!(matches!(decrypt(&msg, &impostor), Err(Error::Decrypt)));
}

#[test]
fn the_3des_key_wrap_unwraps_but_never_wraps_and_fails_generically() {
    let w = KeyWrapAlgorithm::Des3;
    assert_eq!(w.kek_len(), 24);
    // RFC 3370 §4.3.1: parameters NULL, and we read back what we encode.
    let der = w.algorithm_identifier();
    assert_eq!(
        der,
        hex::decode("300f060b2a864886f70d01091003060500").unwrap()
    );
    assert_eq!(
        KeyWrapAlgorithm::from_algorithm_identifier(&der).unwrap(),
        w
    );
    let no_null = &hex::decode("300d060b2a864886f70d0109100306").unwrap();
    assert!(KeyWrapAlgorithm::from_algorithm_identifier(no_null).is_err());
    assert!(matches!(
        w.wrap(&[7; 24], &[1; 24]),
        Err(Error::UnsupportedAlgorithm(_))
    ));
    for wrapped in [vec![0u8; 40], vec![0u8; 32], vec![0u8; 48]] {
        assert!(matches!(w.unwrap(&[7; 24], &wrapped), Err(Error::Decrypt)));
    }
}
