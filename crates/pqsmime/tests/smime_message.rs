//! Whole messages through the S/MIME message layer: signing (both forms), encryption,
//! sign-then-encrypt, nested layers, header protection, sender checks and the negative cases
//! of issue 4 (re-encoded signed part, swapped From, signature over a different body, broken
//! boundary, deep nesting).

mod smime_common;

use pqsmime::cms::enveloped::ContentCipher;
use pqsmime::cms::signed::SignOptions;
use pqsmime::smime::encode;
use pqsmime::smime::headers::{FieldStatus, Scheme};
use pqsmime::smime::message::{protect_to_vec, Protection, SignedForm};
use pqsmime::smime::open::reply_certificates;
use pqsmime::smime::{HeaderSection, LayerKind};
use pqsmime::Error;
use smime_common::*;

fn header_of(msg: &[u8]) -> HeaderSection {
    HeaderSection::parse(msg).unwrap().0
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn clear_signed_message_keeps_outer_headers_and_is_7bit_safe() {
    let p = pki();
    let signers = [signer(&p.alice_sign), signer(&p.alice_ec)];
    let (out, summary) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&signers, SignedForm::Clear),
    )
    .unwrap();
    assert!(summary.whole_message);
    assert_eq!(summary.header_protection, Some("clear"));
    assert_eq!(summary.micalg.as_deref(), Some("sha-512,sha-256"));
    assert_eq!(summary.reencoded.len(), 1, "{:?}", summary.reencoded);
    let h = header_of(&out);
    // Outer fields byte for byte, including raw UTF-8 and the encoded word.
    for line in [
        "From: Alice <alice@example.com>",
        "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=",
        "X-Raw-Utf8: Grüße",
        "Message-ID: <m1@example.com>",
    ] {
        assert!(
            h.fields.iter().any(|f| f.raw() == line.as_bytes()),
            "missing {line:?} in {}",
            text(&h.to_bytes())
        );
    }
    assert!(h
        .value("content-type")
        .unwrap()
        .starts_with("multipart/signed"));
    assert_eq!(h.all("mime-version").count(), 1);
    // Everything after the outer header is 7-bit safe.
    // Everything after the outer header is 7-bit safe, except the protected copy of the raw
    // UTF-8 (RFC 6532) field, which stays as it was: such a message needs an SMTPUTF8 path
    // anyway.
    let body_at = HeaderSection::parse(&out).unwrap().1;
    let signed_part = text(&out[body_at..]);
    assert_eq!(signed_part.matches("X-Raw-Utf8: Grüße\r\n").count(), 1);
    let scan = encode::scan(signed_part.replace("X-Raw-Utf8: Grüße\r\n", "").as_bytes());
    assert!(scan.is_safe(), "{}", scan.describe());

    let o = open_with(&out, &[]).unwrap();
    assert_eq!(o.layers.len(), 1);
    assert_eq!(o.layers[0].kind, LayerKind::ClearSigned);
    assert!(o.signatures_valid(), "{:?}", o.problems());
    assert!(o.senders_ok(), "{:?}", o.problems());
    let sig = o.layers[0].signature.as_ref().unwrap();
    assert_eq!(sig.signers.len(), 2);
    assert_eq!(o.layers[0].micalg.as_deref(), Some("sha-512,sha-256"));
    let hp = o.header_protection.as_ref().expect("header protection");
    assert_eq!(hp.scheme, Scheme::Rfc9788 { hp: "clear".into() });
    assert_eq!(hp.disagreements().count(), 0, "{hp:#?}");
    let u = unwrapped(&o);
    assert!(u.contains("=46rom now on"), "{u}");
    assert!(u.contains("Gr=C3=BC=C3=9Fe, trailing space=20"), "{u}");
    assert!(!u.contains("HP-Outer"), "{u}");
    assert!(o.problems().is_empty(), "{:?}", o.problems());
}

#[test]
fn opaque_signed_message_round_trips() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    let (out, summary) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&signers, SignedForm::Opaque),
    )
    .unwrap();
    assert_eq!(summary.smime_type, Some("signed-data"));
    let h = header_of(&out);
    assert!(h
        .value("content-type")
        .unwrap()
        .contains("smime-type=signed-data"));
    let o = open_with(&out, &[]).unwrap();
    assert_eq!(o.layers[0].kind, LayerKind::OpaqueSigned);
    assert!(o.signatures_valid() && o.senders_ok(), "{:?}", o.problems());
}

#[test]
fn encrypted_message_obscures_subject_and_decrypts_for_each_recipient() {
    let p = pki();
    let recipients = [
        recipient(&p.bob_enc),
        recipient(&p.carol),
        recipient(&p.alice_enc),
    ];
    for cipher in [ContentCipher::Aes256Gcm, ContentCipher::Aes128Cbc] {
        let (out, summary) = protect_to_vec(
            MESSAGE.as_bytes(),
            &Protection::encrypt(&recipients, cipher),
        )
        .unwrap();
        let want_type = if cipher.is_authenticated() {
            "authEnveloped-data"
        } else {
            "enveloped-data"
        };
        assert_eq!(summary.smime_type, Some(want_type));
        assert!(
            summary.reencoded.is_empty(),
            "encryption alone does not re-encode"
        );
        let h = header_of(&out);
        assert_eq!(h.value("subject").as_deref(), Some("[...]"));
        assert_eq!(
            h.value("from").as_deref(),
            Some("Alice <alice@example.com>")
        );
        assert!(!text(&out).contains("Hallo Bob"));
        for who in [&p.bob_enc, &p.carol, &p.alice_enc] {
            let o = open_with(&out, &[who]).unwrap();
            assert_eq!(o.layers.len(), 1);
            let want = if cipher.is_authenticated() {
                LayerKind::AuthEnveloped
            } else {
                LayerKind::Enveloped
            };
            assert_eq!(o.layers[0].kind, want);
            assert!(!o.is_signed());
            let hp = o.header_protection.as_ref().unwrap();
            assert_eq!(
                hp.scheme,
                Scheme::Rfc9788 {
                    hp: "cipher".into()
                }
            );
            let subject = hp.fields.iter().find(|f| f.name == "subject").unwrap();
            assert_eq!(subject.status, FieldStatus::Obscured);
            assert_eq!(hp.disagreements().count(), 0, "{hp:#?}");
            let u = unwrapped(&o);
            assert!(
                u.contains("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?="),
                "{u}"
            );
            assert!(!u.contains("[...]"), "{u}");
            assert!(u.contains("Hallo Bob,\r\nFrom now on"), "{u}");
        }
        // Not a recipient.
        let o = open_with(&out, &[&outsider()]).unwrap();
        assert!(o.decrypt_failed);
        assert_eq!(o.stopped.as_deref(), Some("decryption failed"));
    }
}

/// An ML-KEM identity that is not among the recipients.
fn outsider() -> Id {
    use pqsmime::alg::KeyKind;
    use pqsmime::keys::PrivateKey;
    use pqsmime::x509::{CertificateBuilder, Usage};
    let p = pki();
    let key = PrivateKey::generate(KeyKind::from_name("ml-kem-768").unwrap()).unwrap();
    let cert = CertificateBuilder::end_entity("eve@example.com", &key.public_key(), Usage::Encrypt)
        .unwrap()
        .days(30)
        .sign(Some((&p.root.cert, &p.root.key)))
        .unwrap();
    Id { cert, key }
}

#[test]
fn sign_then_encrypt_carries_the_encryption_certificate_for_replies() {
    let p = pki();
    let signers = [signer(&p.alice_sign), signer(&p.alice_ec)];
    let recipients = [
        recipient(&p.bob_enc),
        recipient(&p.carol),
        recipient(&p.alice_enc),
    ];
    let mut prot = Protection::sign(&signers, SignedForm::Clear)
        .and_encrypt(&recipients, ContentCipher::Aes256Gcm);
    prot.sign_options = SignOptions {
        encryption_cert: Some(p.alice_enc.cert.clone()),
        ..SignOptions::default()
    };
    let (out, summary) = protect_to_vec(MESSAGE.as_bytes(), &prot).unwrap();
    assert_eq!(summary.header_protection, Some("cipher"));
    assert_eq!(summary.smime_type, Some("authEnveloped-data"));
    for who in [&p.bob_enc, &p.carol] {
        let o = open_with(&out, &[who]).unwrap();
        let kinds: Vec<LayerKind> = o.layers.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [LayerKind::AuthEnveloped, LayerKind::ClearSigned]);
        assert!(o.signatures_valid() && o.senders_ok(), "{:?}", o.problems());
        let sender = o.layers[1].sender.as_ref().unwrap();
        assert_eq!(sender.signer_matches, [true, true]);
        assert!(sender
            .addresses
            .iter()
            .any(|(a, src)| a == "alice@example.com" && src == "protected From"));
        let report = o.layers[1].signature.as_ref().unwrap();
        let reply = reply_certificates(report);
        assert_eq!(reply.len(), 1);
        assert_eq!(reply[0].der(), p.alice_enc.cert.der());
        let hp = o.header_protection.as_ref().unwrap();
        assert_eq!(
            hp.scheme,
            Scheme::Rfc9788 {
                hp: "cipher".into()
            }
        );
        assert!(o.problems().is_empty(), "{:?}", o.problems());
    }
}

#[test]
fn triple_wrapped_message_reports_every_layer() {
    let p = pki();
    let alice = [signer(&p.alice_sign)];
    let recipients = [recipient(&p.bob_enc)];
    let (inner, _) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&alice, SignedForm::Clear)
            .and_encrypt(&recipients, ContentCipher::Aes256Gcm),
    )
    .unwrap();
    let mut outer_prot = Protection::sign(&alice, SignedForm::Opaque);
    outer_prot.header_protection = false;
    let (triple, _) = protect_to_vec(&inner, &outer_prot).unwrap();
    let o = open_with(&triple, &[&p.bob_enc]).unwrap();
    let kinds: Vec<LayerKind> = o.layers.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        [
            LayerKind::OpaqueSigned,
            LayerKind::AuthEnveloped,
            LayerKind::ClearSigned
        ]
    );
    assert!(o.signatures_valid() && o.senders_ok(), "{:?}", o.problems());
    // Without Bob's key the walk stops at the encryption layer and says so.
    let o = open_with(&triple, &[]).unwrap();
    assert_eq!(o.layers.len(), 2);
    assert!(o.stopped.as_deref().unwrap().contains("no decryption key"));
}

#[test]
fn swapped_outer_from_is_a_sender_mismatch() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    for hp in [false, true] {
        let mut prot = Protection::sign(&signers, SignedForm::Clear);
        prot.header_protection = hp;
        let (out, _) = protect_to_vec(MESSAGE.as_bytes(), &prot).unwrap();
        let forged = text(&out).replacen(
            "From: Alice <alice@example.com>",
            "From: Alice <alice@examp1e.com>",
            1,
        );
        let o = open_with(forged.as_bytes(), &[]).unwrap();
        assert!(o.signatures_valid(), "the signature itself is intact");
        assert!(!o.senders_ok());
        let problems = o.problems().join("\n");
        assert!(
            problems.contains("sender mismatch: From alice@examp1e.com"),
            "{problems}"
        );
        assert!(problems.contains("alice@example.com"), "{problems}");
        if hp {
            let hpr = o.header_protection.as_ref().unwrap();
            let from = hpr.fields.iter().find(|f| f.name == "from").unwrap();
            assert_eq!(from.status, FieldStatus::Differs);
        }
    }
    // A signer whose certificate names someone else.
    let dave = [signer(&p.dave)];
    let (out, _) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&dave, SignedForm::Clear),
    )
    .unwrap();
    let o = open_with(&out, &[]).unwrap();
    assert!(o.signatures_valid() && !o.senders_ok());
    let s = o.layers[0].sender.as_ref().unwrap();
    assert_eq!(s.signer_matches, [false]);
    assert!(s.problem.as_deref().unwrap().contains("dave@example.com"));
}

#[test]
fn reencoded_signed_part_fails_verification() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    let mut prot = Protection::sign(&signers, SignedForm::Clear);
    prot.header_protection = false;
    let (out, _) = protect_to_vec(MESSAGE.as_bytes(), &prot).unwrap();
    let s = text(&out);
    // A relay "helpfully" decodes quoted-printable to 8bit.
    assert!(s.contains("Content-Transfer-Encoding: quoted-printable"));
    let relayed = s
        .replacen(
            "Content-Transfer-Encoding: quoted-printable",
            "Content-Transfer-Encoding: 8bit",
            1,
        )
        .replacen("=46rom now on", "From now on", 1);
    let o = open_with(relayed.as_bytes(), &[]).unwrap();
    assert!(!o.signatures_valid());
    let problems = o.problems().join("\n");
    assert!(problems.contains("message digest"), "{problems}");
}

#[test]
fn detached_signature_over_a_different_body_fails() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    let mut prot = Protection::sign(&signers, SignedForm::Clear);
    prot.header_protection = false;
    let (a, _) = protect_to_vec(MESSAGE.as_bytes(), &prot).unwrap();
    let other = MESSAGE.replace("Hallo Bob", "Hello Eve");
    let (b, _) = protect_to_vec(other.as_bytes(), &prot).unwrap();
    // Take B's signature part and put it under A's body.
    let (a, b) = (text(&a), text(&b));
    let sig_of = |m: &str| {
        let i = m.find("Content-Type: application/pkcs7-signature").unwrap();
        let j = m[i..].find("\r\n\r\n").unwrap() + i + 4;
        let k = m[j..].find("\r\n--").unwrap() + j;
        m[j..k].to_string()
    };
    let spliced = a.replacen(&sig_of(&a), &sig_of(&b), 1);
    assert_ne!(spliced, a);
    let o = open_with(spliced.as_bytes(), &[]).unwrap();
    assert!(!o.signatures_valid());
    assert!(
        o.problems().join(" ").contains("does not match the signed"),
        "{:?}",
        o.problems()
    );
}

#[test]
fn broken_boundary_is_a_clear_error() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    let (out, _) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&signers, SignedForm::Clear),
    )
    .unwrap();
    let s = text(&out);
    let b = pqsmime::smime::ContentType::parse(&header_of(&out).value("content-type").unwrap())
        .param("boundary")
        .unwrap();
    // The boundary parameter no longer matches the delimiter lines.
    let broken = s.replacen(
        &format!("boundary=\"{b}\""),
        "boundary=\"not-the-boundary\"",
        1,
    );
    let e = open_with(broken.as_bytes(), &[]).unwrap_err();
    assert!(matches!(e, Error::Malformed(_)), "{e}");
    assert!(e.to_string().contains("boundary never occurs"), "{e}");
    // The close delimiter cut off.
    let cut = &s[..s.rfind(&format!("--{b}--")).unwrap()];
    let e = open_with(cut.as_bytes(), &[]).unwrap_err();
    assert!(e.to_string().contains("no closing boundary"), "{e}");
}

#[test]
fn deeply_nested_message_is_refused_with_a_clear_error() {
    let p = pki();
    let dave = [signer(&p.dave)];
    let mut msg = MESSAGE
        .replace("alice@example.com", "dave@example.com")
        .into_bytes();
    let mut prot = Protection::sign(&dave, SignedForm::Clear);
    prot.header_protection = false;
    for depth in 1..=9 {
        msg = protect_to_vec(&msg, &prot).unwrap().0;
        if depth == 8 {
            let o = open_with(&msg, &[]).unwrap();
            assert_eq!(o.layers.len(), 8);
            assert!(o.signatures_valid(), "{:?}", o.problems());
        }
    }
    let e = open_with(&msg, &[]).unwrap_err();
    assert!(matches!(e, Error::Limit(_)), "{e}");
    assert!(e.to_string().contains("more than 8 S/MIME layers"), "{e}");
}

#[test]
fn bare_entity_and_plain_text_inputs() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    let entity = b"Content-Type: text/plain\r\n\r\nhello\r\n";
    let (out, s) = protect_to_vec(entity, &Protection::sign(&signers, SignedForm::Clear)).unwrap();
    assert!(s.mime_entity && !s.whole_message);
    assert!(out.starts_with(b"MIME-Version: 1.0\r\nContent-Type: multipart/signed"));
    let o = open_with(&out, &[]).unwrap();
    assert!(o.signatures_valid());
    // No From: the sender check has nothing to compare and passes.
    assert!(o.senders_ok());
    assert!(o.layers[0].sender.as_ref().unwrap().addresses.is_empty());
    let (out, s) = protect_to_vec(
        b"just words\nno headers\n",
        &Protection::sign(&signers, SignedForm::Clear),
    )
    .unwrap();
    assert!(!s.mime_entity);
    let o = open_with(&out, &[]).unwrap();
    assert!(o.signatures_valid());
    let mut content = Vec::new();
    std::io::Read::read_to_end(&mut o.content.reader(), &mut content).unwrap();
    assert_eq!(content, b"just words\r\nno headers\r\n");
}

/// Hostile input never panics: truncations and byte flips all over signed, encrypted and
/// nested messages give a report or an error.
#[test]
fn mutated_messages_never_panic() {
    let p = pki();
    let signers = [signer(&p.alice_sign)];
    let recipients = [recipient(&p.bob_enc)];
    let (signed, _) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&signers, SignedForm::Clear),
    )
    .unwrap();
    let (opaque, _) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&signers, SignedForm::Opaque),
    )
    .unwrap();
    let (both, _) = protect_to_vec(
        MESSAGE.as_bytes(),
        &Protection::sign(&signers, SignedForm::Clear)
            .and_encrypt(&recipients, ContentCipher::Aes256Gcm),
    )
    .unwrap();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for msg in [&signed, &opaque, &both] {
        for _ in 0..150 {
            let mut m = msg.clone();
            match next() % 3 {
                0 => m.truncate((next() as usize) % m.len()),
                1 => {
                    let i = (next() as usize) % m.len();
                    m[i] = (next() & 0xFF) as u8;
                }
                _ => {
                    let i = (next() as usize) % m.len();
                    let b = [b'\n', b'-', b'=', b':', 0x30, 0x80][(next() % 6) as usize];
                    m.insert(i, b);
                }
            }
            // Either outcome is fine; a panic fails the test.
            let _ = open_with(&m, &[&p.bob_enc]);
        }
    }
}
