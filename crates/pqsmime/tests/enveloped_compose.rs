//! Sign-then-encrypt in one streaming pass (SignedData written straight into an
//! [`Encryptor`]), then decrypt-then-verify; and recipients from certificates issued by our
//! own builder (keyUsage checks).

use std::time::SystemTime;

use pqsmime::alg::KeyKind;
use pqsmime::cms::enveloped::{decrypt, ContentCipher, DecryptionKey, Encryptor, Recipient};
use pqsmime::cms::signed::{sign_stream, verify, SignOptions, Signer, VerifyOptions};
use pqsmime::keys::PrivateKey;
use pqsmime::x509::{Certificate, CertificateBuilder, Usage};
use pqsmime::Error;

fn key(name: &str) -> PrivateKey {
    PrivateKey::generate(KeyKind::from_name(name).unwrap()).unwrap()
}

fn ee(
    email: &str,
    k: &PrivateKey,
    usage: Usage,
    ca: &Certificate,
    ca_key: &PrivateKey,
) -> Certificate {
    CertificateBuilder::end_entity(email, &k.public_key(), usage)
        .unwrap()
        .sign(Some((ca, ca_key)))
        .unwrap()
}

#[test]
fn sign_then_encrypt_in_one_pass_then_decrypt_then_verify() {
    let ca_key = key("ml-dsa-87");
    let ca = CertificateBuilder::ca("CN=Compose Test CA", &ca_key)
        .unwrap()
        .sign(None)
        .unwrap();
    let sign_key = key("ml-dsa-65");
    let sign_cert = ee("alice@example.org", &sign_key, Usage::Sign, &ca, &ca_key);
    let kem_key = key("ml-kem-768");
    let kem_cert = ee("alice@example.org", &kem_key, Usage::Encrypt, &ca, &ca_key);
    let ec_key = key("ec-p256");
    let ec_cert = ee("bob@example.org", &ec_key, Usage::Encrypt, &ca, &ca_key);

    let recipients = [
        Recipient::for_certificate(&kem_cert).unwrap(),
        Recipient::for_certificate(&ec_cert).unwrap(),
    ];
    // 200 KiB of content: several encryptedContent and eContent segments.
    let content: Vec<u8> = (0..200 * 1024u32).map(|i| (i % 253) as u8).collect();
    let signers = [Signer {
        cert: &sign_cert,
        key: &sign_key,
        digest: None,
        signature_algorithm: None,
    }];
    let opts = SignOptions {
        detached: false,
        encryption_cert: Some(kem_cert.clone()),
        ..SignOptions::default()
    };
    let mut enc = Encryptor::new(Vec::new(), &recipients, ContentCipher::Aes256Gcm).unwrap();
    let signed_len = sign_stream(&content[..], &mut enc, &signers, &opts).unwrap();
    assert_eq!(signed_len, content.len() as u64);
    let (message, inner_len) = enc.finish().unwrap();
    assert!(inner_len > content.len() as u64);

    for (cert, k) in [(&kem_cert, &kem_key), (&ec_cert, &ec_key)] {
        let dk = DecryptionKey::new(cert, k).unwrap();
        let (signed, info) = decrypt(&message, &dk).unwrap();
        assert_eq!(info.content_len, inner_len);
        let report = verify(
            &signed,
            None,
            &VerifyOptions {
                trust: vec![ca.clone()],
                at: Some(SystemTime::now()),
                ..VerifyOptions::default()
            },
        )
        .unwrap();
        assert!(report.valid, "{report:?}");
        assert_eq!(report.content.as_deref(), Some(&content[..]));
    }
}

#[test]
fn certificates_must_allow_encryption() {
    let ca_key = key("ec-p256");
    let ca = CertificateBuilder::ca("CN=Usage CA", &ca_key)
        .unwrap()
        .sign(None)
        .unwrap();
    // A signing certificate (ML-DSA, digitalSignature) cannot be a recipient.
    let sign_key = key("ml-dsa-44");
    let sign_cert = ee("carol@example.org", &sign_key, Usage::Sign, &ca, &ca_key);
    assert!(Recipient::for_certificate(&sign_cert).is_err());
    // An EC signing certificate (digitalSignature only) lacks keyAgreement.
    let ec_key = key("ec-p256");
    let ec_sign = ee("carol@example.org", &ec_key, Usage::Sign, &ca, &ca_key);
    let err = Recipient::for_certificate(&ec_sign).unwrap_err();
    assert!(matches!(err, Error::Certificate(_)), "{err}");
    assert!(err.to_string().contains("keyAgreement"), "{err}");
    // The same key with an encryption certificate is fine.
    let ec_enc = ee("carol@example.org", &ec_key, Usage::Encrypt, &ca, &ca_key);
    let r = Recipient::for_certificate(&ec_enc).unwrap();
    let msg = pqsmime::cms::enveloped::encrypt(b"ok", &[r], ContentCipher::Aes128Gcm).unwrap();
    let dk = DecryptionKey::new(&ec_enc, &ec_key).unwrap();
    assert_eq!(&decrypt(&msg, &dk).unwrap().0[..], b"ok");
    // Decrypting with the signing certificate's identity finds no recipient: generic error.
    let dk = DecryptionKey::new(&ec_sign, &ec_key).unwrap();
    assert!(matches!(decrypt(&msg, &dk), Err(Error::Decrypt)));
}
