//! Real-mail corpora through the message layer, with the outcomes their INDEX.md files state:
//! * `tests/vectors/smime-thunderbird`: NSS-made messages from Thunderbird's test suite (every
//!   combination of clear/opaque signing, encryption and re-signing by a second sender) and
//!   OpenSSL-made EnvelopedData for RSA-OAEP and ECDH;
//! * `tests/vectors/smime-protected-headers`: the header-protection draft's S/MIME samples.
//!
//! Keys: the `.p12` files were converted once with OpenSSL 4 (`openssl pkcs12 -nodes`) to the
//! `*.key.pem` / `*.crt.pem` files next to them (see the INDEX.md files).
//!
//! Messages whose content cipher is 3DES-CBC (the three encrypted protected-headers samples
//! and `fran-oaep_ossl.env`) decrypt: pqsmime reads 3DES-CBC (never writes it), and the
//! decrypted layers equal the reference plaintexts the corpus ships (`*.inner`).

use std::path::PathBuf;

use pqsmime::cms::enveloped::DecryptionKey;
use pqsmime::cms::signed::VerifyOptions;
use pqsmime::keys::PrivateKey;
use pqsmime::smime::headers::{FieldStatus, Scheme};
use pqsmime::smime::open::header_protection_of;
use pqsmime::smime::{open, Blob, HeaderSection, LayerKind, OpenOptions, Opened};
use pqsmime::x509::Certificate;
use pqsmime::Error;

fn dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors")
        .join(sub)
}

fn read(sub: &str, name: &str) -> Vec<u8> {
    let p = dir(sub).join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

fn cert(sub: &str, name: &str) -> Certificate {
    Certificate::from_pem_or_der(&read(sub, name))
        .unwrap()
        .remove(0)
}

fn key(sub: &str, name: &str) -> PrivateKey {
    PrivateKey::from_pem_or_der(&read(sub, name)).unwrap()
}

fn open_file(
    sub: &str,
    name: &str,
    trust: &[Certificate],
    id: (&Certificate, &PrivateKey),
) -> pqsmime::Result<Opened> {
    let oo = OpenOptions {
        verify: VerifyOptions {
            trust: trust.to_vec(),
            no_chain: trust.is_empty(),
            ..VerifyOptions::default()
        },
        keys: vec![DecryptionKey::new(id.0, id.1).unwrap()],
        ..OpenOptions::default()
    };
    open(&Blob::from_vec(read(sub, name)), &oo)
}

fn content_text(o: &Opened) -> String {
    let mut v = Vec::new();
    std::io::Read::read_to_end(&mut o.content.reader(), &mut v).unwrap();
    String::from_utf8_lossy(&v).into_owned()
}

/// What a layer must be: its kind and, for signed layers, whether the signature is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum L {
    Env,
    ClearOk,
    ClearBad,
    OpaqueOk,
}

fn shape(o: &Opened) -> Vec<L> {
    o.layers
        .iter()
        .map(|l| match (l.kind, l.signature.as_ref().map(|r| r.valid)) {
            (LayerKind::Enveloped, _) => L::Env,
            (LayerKind::ClearSigned, Some(true)) => L::ClearOk,
            (LayerKind::ClearSigned, _) => L::ClearBad,
            (LayerKind::OpaqueSigned, Some(true)) => L::OpaqueOk,
            (k, v) => panic!("unexpected layer {k:?} valid={v:?}"),
        })
        .collect()
}

const TB: &str = "smime-thunderbird/smime";
const ALICE_TEXT: &str = "This is a test message from Alice to Bob.";
const FAKE_TEXT: &str = "This is a FAKE message NOT from Alice to Bob.";

/// INDEX.md, smime/ table, OpenSSL column (outer → inner), plus what our sender check says:
/// `inner_sender_mismatch` marks the messages Dave re-signed, whose inner (Alice) layer sits
/// under Dave's From header.
const THUNDERBIRD: &[(&str, &[L], &str, bool)] = &[
    (
        "alice.dsig.SHA256.multipart.bad.eml",
        &[L::ClearBad],
        FAKE_TEXT,
        false,
    ),
    (
        "alice.dsig.SHA256.multipart.eml",
        &[L::ClearOk],
        ALICE_TEXT,
        false,
    ),
    (
        "alice.dsig.SHA256.multipart.env.eml",
        &[L::Env, L::ClearOk],
        ALICE_TEXT,
        false,
    ),
    (
        "alice.env.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml",
        &[L::OpaqueOk, L::ClearBad, L::Env],
        ALICE_TEXT,
        false,
    ),
    (
        "alice.env.dsig.SHA256.multipart.eml",
        &[L::ClearBad, L::Env],
        ALICE_TEXT,
        false,
    ),
    ("alice.env.eml", &[L::Env], ALICE_TEXT, false),
    (
        "alice.env.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
        &[L::OpaqueOk, L::OpaqueOk, L::Env],
        ALICE_TEXT,
        true,
    ),
    (
        "alice.env.sig.SHA256.opaque.eml",
        &[L::OpaqueOk, L::Env],
        ALICE_TEXT,
        false,
    ),
    (
        "alice.future.dsig.SHA256.multipart.eml",
        &[L::ClearOk],
        ALICE_TEXT,
        false,
    ),
    (
        "alice.html.sig.SHA256.opaque.eml",
        &[L::OpaqueOk],
        "<html><body>This is a test message from Alice to Bob.</body>",
        false,
    ),
    (
        "alice.html.sig.SHA256.opaque.env.eml",
        &[L::Env, L::OpaqueOk],
        "<html><body>This is a test message from Alice to Bob.</body>",
        false,
    ),
    (
        "alice.plain.dsig.SHA256.multipart.dave.dsig.SHA256.multipart.eml",
        &[L::ClearOk, L::ClearOk],
        ALICE_TEXT,
        true,
    ),
    (
        "alice.plain.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml",
        &[L::OpaqueOk, L::ClearOk],
        ALICE_TEXT,
        true,
    ),
    (
        "alice.plain.sig.SHA256.opaque.dave.dsig.SHA256.multipart.eml",
        &[L::ClearOk, L::OpaqueOk],
        ALICE_TEXT,
        true,
    ),
    (
        "alice.plain.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
        &[L::OpaqueOk, L::OpaqueOk],
        ALICE_TEXT,
        true,
    ),
    (
        "alice.sig.SHA256.opaque.eml",
        &[L::OpaqueOk],
        ALICE_TEXT,
        false,
    ),
    (
        "alice.sig.SHA256.opaque.env.eml",
        &[L::Env, L::OpaqueOk],
        ALICE_TEXT,
        false,
    ),
];

#[test]
fn thunderbird_messages_give_the_index_outcomes() {
    let trust = vec![cert(TB, "TestCA.pem")];
    let bob = (cert(TB, "Bob.crt.pem"), key(TB, "Bob.key.pem"));
    for (name, want, text, inner_mismatch) in THUNDERBIRD {
        let o =
            open_file(TB, name, &trust, (&bob.0, &bob.1)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(shape(&o), *want, "{name}: {:?}", o.problems());
        let content = content_text(&o);
        assert!(content.contains(text), "{name}: content {content:?}");
        let problems = o.problems().join("\n");
        for (i, l) in want.iter().enumerate() {
            if *l == L::ClearBad {
                // The reason, in words.
                assert!(
                    problems.contains(&format!("layer {}", i + 1))
                        && problems.contains("does not match the signed SHA-256 message digest"),
                    "{name}: {problems}"
                );
            }
        }
        if want.iter().all(|l| *l != L::ClearBad) {
            assert!(o.signatures_valid() || !o.is_signed(), "{name}");
            assert_eq!(!o.senders_ok(), *inner_mismatch, "{name}: {problems}");
            if *inner_mismatch {
                assert!(
                    problems.contains(
                        "layer 2: sender mismatch: From Dave@example.com is not an address of the signer (certificate names Alice@example.com)"
                    ),
                    "{name}: {problems}"
                );
            } else {
                assert!(problems.is_empty(), "{name}: {problems}");
            }
        }
        // Dave's outer signature confirms Dave as the sender.
        if *inner_mismatch {
            assert!(o.layers[0].sender.as_ref().unwrap().ok, "{name}");
        }
    }
}

/// The "future" message: only the unsigned Date header moved; the CMS signature is valid.
#[test]
fn thunderbird_future_date_still_verifies() {
    let trust = vec![cert(TB, "TestCA.pem")];
    let bob = (cert(TB, "Bob.crt.pem"), key(TB, "Bob.key.pem"));
    let o = open_file(
        TB,
        "alice.future.dsig.SHA256.multipart.eml",
        &trust,
        (&bob.0, &bob.1),
    )
    .unwrap();
    assert!(o.signatures_valid() && o.senders_ok());
}

#[test]
fn thunderbird_signature_with_its_own_econtent_is_refused_with_a_reason() {
    let trust = vec![cert(TB, "TestCA.pem")];
    let bob = (cert(TB, "Bob.crt.pem"), key(TB, "Bob.key.pem"));
    let e = open_file(
        TB,
        "alice.dsig.SHA256.multipart.mismatch-econtent.eml",
        &trust,
        (&bob.0, &bob.1),
    )
    .unwrap_err();
    assert!(matches!(e, Error::BadSignature(_)), "{e}");
    assert!(
        e.to_string()
            .contains("carries content of its own (eContent)"),
        "{e}"
    );
}

#[test]
fn thunderbird_bad_signature_is_not_trusted_without_the_ca() {
    // The same good message against no trust anchors: signature valid, chain not trusted.
    let other = PrivateKey::generate(pqsmime::alg::KeyKind::from_name("ec-p256").unwrap()).unwrap();
    let other_ca = pqsmime::x509::CertificateBuilder::ca("CN=unrelated", &other)
        .unwrap()
        .sign(None)
        .unwrap();
    let bob = (cert(TB, "Bob.crt.pem"), key(TB, "Bob.key.pem"));
    let o = open_file(
        TB,
        "alice.dsig.SHA256.multipart.eml",
        &[other_ca],
        (&bob.0, &bob.1),
    )
    .unwrap();
    assert!(!o.signatures_valid());
    assert!(
        o.problems().join(" ").contains("chain not trusted"),
        "{:?}",
        o.problems()
    );
}

const INTEROP: &str = "smime-thunderbird/smime-interop";

#[test]
fn openssl_enveloped_data_for_fran_decrypts() {
    let fran = (cert(INTEROP, "Fran.crt.pem"), key(INTEROP, "Fran.key.pem"));
    let fran_ec = (
        cert(INTEROP, "Fran-ec.crt.pem"),
        key(INTEROP, "Fran-ec.key.pem"),
    );
    for (name, id) in [
        ("fran-oaep-label_ossl.env", &fran),
        ("fran-oaep-sha256hash_ossl.env", &fran),
        ("fran-oaep-sha256hash-sha256mgf_ossl.env", &fran),
        ("fran-ec_ossl-aes128-sha256.env", &fran_ec),
        ("fran-ec_ossl-aes256-sha512.env", &fran_ec),
    ] {
        let o =
            open_file(INTEROP, name, &[], (&id.0, &id.1)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(shape(&o), [L::Env], "{name}");
        assert!(
            content_text(&o).contains("This is a test message to Fran."),
            "{name}"
        );
        // And not for the other key.
        let other = if std::ptr::eq(id, &fran) {
            &fran_ec
        } else {
            &fran
        };
        let o = open_file(INTEROP, name, &[], (&other.0, &other.1)).unwrap();
        assert!(o.decrypt_failed, "{name}");
    }
    // 3DES-CBC content (RSA-OAEP key transport): decrypts for Fran, not for the EC key.
    let o = open_file(INTEROP, "fran-oaep_ossl.env", &[], (&fran.0, &fran.1))
        .unwrap_or_else(|e| panic!("fran-oaep_ossl.env: {e}"));
    assert_eq!(shape(&o), [L::Env]);
    assert!(!o.decrypt_failed);
    assert!(content_text(&o).contains("This is a test message to Fran."));
    let o = open_file(INTEROP, "fran-oaep_ossl.env", &[], (&fran_ec.0, &fran_ec.1)).unwrap();
    assert!(o.decrypt_failed);
}

const PH: &str = "smime-protected-headers";

fn crlf(s: &[u8]) -> String {
    String::from_utf8_lossy(s).replace("\r\n", "\n")
}

#[test]
fn protected_headers_signed_samples_verify_and_report_protected_fields() {
    let trust = vec![cert(PH, "sample-ca.pem")];
    let bob = (cert(PH, "bob.crt.pem"), key(PH, "bob.key.pem"));
    for (name, kind) in [
        ("smime-multipart-signed.eml", L::ClearOk),
        ("smime-onepart-signed.eml", L::OpaqueOk),
    ] {
        let o = open_file(PH, name, &trust, (&bob.0, &bob.1)).unwrap();
        assert_eq!(shape(&o), [kind], "{name}: {:?}", o.problems());
        assert!(
            o.signatures_valid() && o.senders_ok(),
            "{name}: {:?}",
            o.problems()
        );
        assert!(content_text(&o).contains("Bob, we need to cancel this contract."));
        let hp = o.header_protection.as_ref().expect("protected headers");
        assert_eq!(hp.scheme, Scheme::DraftV1);
        assert!(hp
            .protected
            .iter()
            .any(|(n, v)| n == "Subject" && v == "The FooCorp contract"));
        assert!(
            hp.fields.iter().all(|f| f.status == FieldStatus::Same),
            "{hp:#?}"
        );
    }
    // The opaque one's content is the reference plaintext (modulo CRLF).
    let o = open_file(PH, "smime-onepart-signed.eml", &trust, (&bob.0, &bob.1)).unwrap();
    assert_eq!(
        crlf(content_text(&o).as_bytes()),
        crlf(&read(PH, "smime-onepart-signed.inner"))
    );
}

#[test]
fn protected_headers_3des_samples_decrypt_and_their_inner_layers_check_out() {
    let trust = vec![cert(PH, "sample-ca.pem")];
    let bob = (cert(PH, "bob.crt.pem"), key(PH, "bob.key.pem"));
    // The whole messages: 3DES-CBC EnvelopedData decrypts with Bob's key; the signed ones
    // verify inside, and the yielded content is the reference .inner.inner (modulo CRLF).
    for (name, inner) in [
        ("smime-enc+legacy-disp.eml", "smime-enc+legacy-disp.inner"),
        ("smime-sign+enc.eml", "smime-sign+enc.inner.inner"),
        (
            "smime-sign+enc+legacy-disp.eml",
            "smime-sign+enc+legacy-disp.inner.inner",
        ),
    ] {
        let o =
            open_file(PH, name, &trust, (&bob.0, &bob.1)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!o.decrypt_failed, "{name}");
        assert_eq!(shape(&o)[0], L::Env, "{name}");
        if name.contains("sign") {
            assert_eq!(shape(&o), [L::Env, L::OpaqueOk], "{name}");
            assert!(
                o.signatures_valid() && o.senders_ok(),
                "{name}: {:?}",
                o.problems()
            );
        }
        assert_eq!(
            crlf(content_text(&o).as_bytes()),
            crlf(&read(PH, inner)),
            "{name}"
        );
    }
    // sign+enc: the decrypted layer (reference plaintext) verifies and yields .inner.inner.
    for (stem, legacy) in [
        ("smime-sign+enc", false),
        ("smime-sign+enc+legacy-disp", true),
    ] {
        let o = open_file(PH, &format!("{stem}.inner"), &trust, (&bob.0, &bob.1)).unwrap();
        assert_eq!(shape(&o), [L::OpaqueOk], "{stem}");
        assert!(
            o.signatures_valid() && o.senders_ok(),
            "{stem}: {:?}",
            o.problems()
        );
        assert_eq!(
            crlf(content_text(&o).as_bytes()),
            crlf(&read(PH, &format!("{stem}.inner.inner"))),
            "{stem}"
        );
        let hp = o.header_protection.as_ref().unwrap();
        assert!(hp
            .protected
            .iter()
            .any(|(n, v)| n == "Subject" && v == "BarCorp contract signed, let's go!"));
        assert_eq!(hp.legacy_display, legacy, "{stem}");
        // Against the outer header of the real message: Subject "..." is the obscured one.
        let outer = HeaderSection::parse(&read(PH, &format!("{stem}.eml")))
            .unwrap()
            .0;
        let r = header_protection_of(&outer, &o.content, true)
            .unwrap()
            .unwrap();
        let subject = r.fields.iter().find(|f| f.name == "subject").unwrap();
        assert_eq!(subject.status, FieldStatus::Obscured, "{stem}");
        assert_eq!(r.disagreements().count(), 0, "{stem}: {r:#?}");
    }
    // enc+legacy-disp: the decrypted payload has a legacy display part.
    let outer = HeaderSection::parse(&read(PH, "smime-enc+legacy-disp.eml"))
        .unwrap()
        .0;
    let payload = Blob::from_vec(read(PH, "smime-enc+legacy-disp.inner"));
    let r = header_protection_of(&outer, &payload, true)
        .unwrap()
        .unwrap();
    assert_eq!(r.scheme, Scheme::DraftV1);
    assert!(r.legacy_display);
    assert_eq!(
        r.fields
            .iter()
            .find(|f| f.name == "subject")
            .unwrap()
            .status,
        FieldStatus::Obscured
    );
}
