//! Issuing: CA × end-entity round trips over the key kinds, every field checked by parsing
//! the result back, and the refusals.

mod x509_common;

use std::time::{Duration, SystemTime};

use pqsmime::alg::KeyKind;
use pqsmime::asn1::{self, Reader};
use pqsmime::keys::PrivateKey;
use pqsmime::oids;
use pqsmime::x509::{
    format_rfc3339, parse_dn, validate_path, Certificate, CertificateBuilder, Extension,
    IssueRequest, KeyUsage, Profile, Purpose, Usage, BACKDATE,
};
use pqsmime::Error;
use x509_common::*;

/// What an end-entity certificate should say.
struct Expected {
    usage: Usage,
    ku: KeyUsage,
    days: u64,
    issued: SystemTime,
}

/// Checks everything the test profile promises for an end-entity certificate.
fn check_end_entity(
    c: &Certificate,
    ca: &Certificate,
    ca_key: &PrivateKey,
    subject_key: &PrivateKey,
    x: Expected,
) {
    let Expected {
        usage,
        ku: expected_ku,
        days,
        issued,
    } = x;
    let what = format!("{} by {}", subject_key.kind(), ca_key.kind());
    assert_eq!(c.version(), 3, "{what}");
    // serial: 16 octets, positive, first octet non-zero
    let serial = c.serial_bytes();
    assert_eq!(serial.len(), 16, "{what}");
    assert!(serial[0] != 0 && serial[0] & 0x80 == 0, "{what}");
    // signature with the CA key's default algorithm, exact AlgorithmIdentifier
    let alg = ca_key.kind().default_signature_algorithm().unwrap();
    assert_eq!(c.signature_algorithm().unwrap(), alg, "{what}");
    assert_eq!(
        c.signature_algorithm_der(),
        alg.algorithm_identifier(),
        "{what}"
    );
    assert!(contains(c.tbs_der(), &alg.algorithm_identifier()));
    c.verify_signature(&ca_key.public_key()).unwrap();
    // names
    assert_eq!(c.issuer_der(), ca.subject_der(), "{what}");
    assert_eq!(c.issuer_string(), ca.subject_string());
    assert_eq!(c.subject_string(), "CN=alice@example.com", "{what}");
    assert_eq!(c.email_addresses(), ["alice@example.com"], "{what}");
    // key
    assert_eq!(c.spki_der(), subject_key.public_key().spki_der(), "{what}");
    assert_eq!(c.public_key().unwrap(), subject_key.public_key());
    // validity: one hour back, exactly `days` days (notAfter inclusive)
    let nb = c.not_before();
    let na = c.not_after();
    let expected_nb = issued - BACKDATE;
    let skew = nb
        .duration_since(expected_nb)
        .unwrap_or_else(|e| e.duration());
    assert!(
        skew < Duration::from_secs(5),
        "{what}: notBefore {}",
        format_rfc3339(nb)
    );
    assert_eq!(
        na.duration_since(nb).unwrap(),
        Duration::from_secs(days * 86_400 - 1),
        "{what}"
    );
    // extensions, in order, with criticality
    let exts = c.extensions();
    let oids_crit: Vec<_> = exts.iter().map(|e| (e.oid, e.critical)).collect();
    assert_eq!(
        oids_crit,
        [
            (oids::EXT_BASIC_CONSTRAINTS, true),
            (oids::EXT_KEY_USAGE, true),
            (oids::EXT_EXTENDED_KEY_USAGE, false),
            (oids::EXT_SUBJECT_ALT_NAME, false),
            (oids::EXT_SUBJECT_KEY_IDENTIFIER, false),
            (oids::EXT_AUTHORITY_KEY_IDENTIFIER, false),
        ],
        "{what}"
    );
    assert_eq!(
        exts[0].value,
        [0x30, 0x00],
        "cA FALSE is the empty SEQUENCE"
    );
    assert!(!c.is_ca());
    assert_eq!(c.key_usage(), Some(expected_ku), "{what}");
    assert_eq!(c.extended_key_usage().unwrap(), [oids::KP_EMAIL_PROTECTION]);
    // SAN: exactly one rfc822Name
    assert_eq!(
        exts[3].value,
        asn1::tlv(0x30, &asn1::tlv(0x81, b"alice@example.com"))
    );
    // SKI method 1, AKI = keyIdentifier only = the CA's SKI
    assert_eq!(
        c.subject_key_identifier().unwrap(),
        subject_key.public_key().key_identifier()
    );
    assert_eq!(
        exts[5].value,
        asn1::tlv(0x30, &asn1::tlv(0x80, ca.subject_key_identifier().unwrap()))
    );
    assert_eq!(c.authority_key_identifier(), ca.subject_key_identifier());
    // and it validates for its purpose
    let purpose = match usage {
        Usage::Sign | Usage::Both => Purpose::EmailSigning,
        Usage::Encrypt => Purpose::EmailEncryption,
    };
    let path = validate_path(c, &[], std::slice::from_ref(ca), SystemTime::now(), purpose)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(path, [c.clone(), ca.clone()]);
}

fn check_ca(c: &Certificate, key: &PrivateKey, dn: &str) {
    assert_eq!(c.version(), 3);
    assert_eq!(c.subject_string(), dn);
    assert_eq!(c.subject_der(), c.issuer_der());
    assert_eq!(c.subject_der(), parse_dn(dn).unwrap());
    c.verify_signature(&key.public_key()).unwrap();
    assert_eq!(c.basic_constraints().unwrap().path_len, None);
    assert!(c.is_ca());
    let bc = c.extension(&oids::EXT_BASIC_CONSTRAINTS).unwrap();
    assert!(bc.critical);
    assert_eq!(bc.value, [0x30, 0x03, 0x01, 0x01, 0xFF]);
    assert!(c.extension(&oids::EXT_KEY_USAGE).unwrap().critical);
    assert_eq!(
        c.key_usage(),
        Some(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN)
    );
    assert!(c.extended_key_usage().is_none());
    assert_eq!(
        c.subject_key_identifier().unwrap(),
        key.public_key().key_identifier()
    );
    assert_eq!(c.authority_key_identifier(), c.subject_key_identifier());
    assert_eq!(
        c.not_after().duration_since(c.not_before()).unwrap(),
        Duration::from_secs(3650 * 86_400 - 1)
    );
    assert!(c.email_addresses().is_empty());
}

#[test]
fn ml_dsa_65_ca_issues_every_end_entity_kind() {
    let ca_key = key("ml-dsa-65");
    let dn = "CN=Test Root,O=Example,C=DE";
    let ca = CertificateBuilder::ca(dn, &ca_key)
        .unwrap()
        .sign(None)
        .unwrap();
    check_ca(&ca, &ca_key, dn);
    // C is a PrintableString, the others UTF8String; the DER order is C, O, CN
    let subject = ca.subject_der();
    let c_pos = subject
        .windows(5)
        .position(|w| w == [0x55, 0x04, 0x06, 0x13, 0x02])
        .unwrap();
    let cn_pos = subject
        .windows(5)
        .position(|w| w == [0x55, 0x04, 0x03, 0x0C, 0x09])
        .unwrap();
    assert!(c_pos < cn_pos);

    let cases: [(&str, Usage, KeyUsage); 9] = [
        ("ml-dsa-65", Usage::Sign, KeyUsage::DIGITAL_SIGNATURE),
        ("ml-kem-768", Usage::Encrypt, KeyUsage::KEY_ENCIPHERMENT),
        ("rsa-2048", Usage::Sign, KeyUsage::DIGITAL_SIGNATURE),
        ("rsa-2048", Usage::Encrypt, KeyUsage::KEY_ENCIPHERMENT),
        ("ec-p256", Usage::Sign, KeyUsage::DIGITAL_SIGNATURE),
        ("ec-p256", Usage::Encrypt, KeyUsage::KEY_AGREEMENT),
        ("ed25519", Usage::Sign, KeyUsage::DIGITAL_SIGNATURE),
        ("x25519", Usage::Encrypt, KeyUsage::KEY_AGREEMENT),
        (
            "slh-dsa-sha2-128f",
            Usage::Sign,
            KeyUsage::DIGITAL_SIGNATURE,
        ),
    ];
    for (kind, usage, ku) in cases {
        let k = key(kind);
        let issued = SystemTime::now();
        let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), usage)
            .unwrap()
            .days(30)
            .sign(Some((&ca, &ca_key)))
            .unwrap();
        check_end_entity(
            &c,
            &ca,
            &ca_key,
            &k,
            Expected {
                usage,
                ku,
                days: 30,
                issued,
            },
        );
        // PEM round trip keeps every byte
        let back = Certificate::from_pem_or_der(c.to_pem().as_bytes()).unwrap();
        assert_eq!(back[0].der(), c.der());
    }
}

#[test]
fn rsa_and_other_cas_issue_ml_dsa_end_entities() {
    for ca_kind in [
        "rsa-2048",
        "ec-p384",
        "ed25519",
        "slh-dsa-sha2-128f",
        "ml-dsa-44",
    ] {
        let ca_key = key(ca_kind);
        let dn = "CN=Classic Root,O=Example";
        let ca = root(dn, &ca_key);
        check_ca(&ca, &ca_key, dn);
        let k = key("ml-dsa-44");
        let issued = SystemTime::now();
        let c = CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
            .unwrap()
            .non_repudiation(true)
            .sign(Some((&ca, &ca_key)))
            .unwrap();
        check_end_entity(
            &c,
            &ca,
            &ca_key,
            &k,
            Expected {
                usage: Usage::Sign,
                ku: KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION,
                days: 365,
                issued,
            },
        );
    }
}

#[test]
fn wrong_usages_are_refused_with_clear_errors() {
    let cases = [
        ("ml-kem-768", Usage::Sign, "signing"),
        ("x25519", Usage::Sign, "signing"),
        ("ml-dsa-65", Usage::Encrypt, "signature-only"),
        ("slh-dsa-sha2-128f", Usage::Encrypt, "signature-only"),
        ("ed25519", Usage::Encrypt, "signature-only"),
    ];
    for (kind, usage, needle) in cases {
        let k = key(kind);
        let err = CertificateBuilder::end_entity("a@example.com", &k.public_key(), usage)
            .err()
            .unwrap_or_else(|| panic!("{kind} {usage:?} accepted"));
        assert!(matches!(err, Error::Usage(_)), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(kind) && msg.contains(needle), "{msg}");
    }
    let kem = key("ml-kem-768");
    let err = CertificateBuilder::ca("CN=KEM CA", &kem).err().unwrap();
    assert!(err.to_string().contains("cannot sign"), "{err}");
}

#[test]
fn issuer_must_be_a_matching_ca() {
    let ca_key = key("ed25519");
    let ca = root("CN=Root", &ca_key);
    let alice_key = key("ed25519");
    let alice = ee("alice@example.com", &alice_key, Usage::Sign, &ca, &ca_key);
    let bob = key("ed25519");
    let builder = || {
        CertificateBuilder::end_entity("bob@example.com", &bob.public_key(), Usage::Sign).unwrap()
    };
    // an end entity cannot issue
    let err = builder().sign(Some((&alice, &alice_key))).unwrap_err();
    assert!(err.to_string().contains("not a CA certificate"), "{err}");
    // the key must be the CA's
    let err = builder().sign(Some((&ca, &alice_key))).unwrap_err();
    assert!(
        err.to_string()
            .contains("does not belong to the CA certificate 'CN=Root'"),
        "{err}"
    );
    // an end entity needs an issuer
    let err = builder().sign(None).unwrap_err();
    assert!(err.to_string().contains("needs an issuer"), "{err}");
}

#[test]
fn subject_serial_and_time_encodings() {
    let ca_key = key("ec-p256");
    let ca = root("CN=Root", &ca_key);
    let k = key("ec-p256");
    // subject with escapes and the supported attributes; a serial of our choice
    let dn = r"CN=Doe\, Jane,GN=Jane,SN=Doe,title=Dr.,pseudonym=jd,serialNumber=42,organizationIdentifier=NTRDE-HRB1,OU=R\+D,O=Example \\ Co,L=Berlin,ST=Berlin,C=DE,emailAddress=jane@example.com";
    // 2049-12-31T00:00:00Z + 2 days crosses into 2050
    let nb = at(2_524_521_600);
    let c = CertificateBuilder::end_entity("jane@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .subject(dn)
        .unwrap()
        .serial(&[0x00, 0x01, 0x02])
        .unwrap()
        .not_before(nb)
        .days(2)
        .sign(Some((&ca, &ca_key)))
        .unwrap();
    assert_eq!(c.subject_string(), dn);
    assert_eq!(c.serial_bytes(), [0x01, 0x02]);
    assert_eq!(format_rfc3339(c.not_before()), "2049-12-31T00:00:00Z");
    assert_eq!(format_rfc3339(c.not_after()), "2050-01-01T23:59:59Z");
    // UTCTime for 2049, GeneralizedTime for 2050 (RFC 5280 §4.1.2.5)
    assert!(contains(
        c.tbs_der(),
        b"\x17\x0d491231000000Z\x18\x0f20500101235959Z"
    ));
    // SAN and subject emailAddress are not listed twice
    assert_eq!(c.email_addresses(), ["jane@example.com"]);
    // a serial with the sign bit set gets a leading zero octet
    let c = CertificateBuilder::end_entity("jane@example.com", &k.public_key(), Usage::Encrypt)
        .unwrap()
        .serial(&[0x80; 20])
        .err()
        .unwrap();
    assert!(c.to_string().contains("top bit"), "{c}");
    let c = CertificateBuilder::end_entity("jane@example.com", &k.public_key(), Usage::Encrypt)
        .unwrap()
        .serial(&[0x80, 0x01])
        .unwrap()
        .sign(Some((&ca, &ca_key)))
        .unwrap();
    assert_eq!(c.serial_bytes(), [0x00, 0x80, 0x01]);
    assert_eq!(c.serial_hex(), "8001");
}

#[test]
fn non_ascii_local_part_goes_into_smtputf8mailbox() {
    let ca_key = key("ml-dsa-44");
    let ca = root("CN=Root", &ca_key);
    let k = key("ml-dsa-44");
    let c = CertificateBuilder::end_entity("jörg@Example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .sign(Some((&ca, &ca_key)))
        .unwrap();
    assert_eq!(c.email_addresses(), ["jörg@example.com"]);
    assert_eq!(c.subject_string(), "CN=jörg@example.com");
    let san = c.extension(&oids::EXT_SUBJECT_ALT_NAME).unwrap();
    let mut r = Reader::new(&san.value);
    let seq = r.read().unwrap();
    let mut names = Reader::new(seq.value);
    let other = names.read().unwrap();
    assert_eq!(other.tag, 0xA0);
    let mut on = Reader::new(other.value);
    assert_eq!(
        asn1::read_oid(&mut on, "type-id").unwrap(),
        oids::ON_SMTP_UTF8_MAILBOX
    );
    // a domain in U-labels is refused
    let err = CertificateBuilder::end_entity("a@bücher.example", &k.public_key(), Usage::Sign)
        .err()
        .unwrap();
    assert!(err.to_string().contains("A-label"), "{err}");
}

#[test]
fn intermediate_ca_with_path_len() {
    let root_key = key("ml-dsa-87");
    let root_cert = root("CN=Root,O=Example", &root_key);
    let sub_key = key("ml-dsa-65");
    let sub = CertificateBuilder::ca("CN=Sub,O=Example", &sub_key)
        .unwrap()
        .path_len(Some(0))
        .days(1000)
        .sign(Some((&root_cert, &root_key)))
        .unwrap();
    assert_eq!(sub.basic_constraints().unwrap().path_len, Some(0));
    assert_eq!(sub.issuer_der(), root_cert.subject_der());
    assert_eq!(
        sub.authority_key_identifier(),
        root_cert.subject_key_identifier()
    );
    assert_eq!(
        sub.extension(&oids::EXT_BASIC_CONSTRAINTS).unwrap().value,
        [0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00]
    );
    let k = key("ml-kem-1024");
    let c = ee("alice@example.com", &k, Usage::Encrypt, &sub, &sub_key);
    let path = validate_path(
        &c,
        std::slice::from_ref(&sub),
        std::slice::from_ref(&root_cert),
        SystemTime::now(),
        Purpose::EmailEncryption,
    )
    .unwrap();
    assert_eq!(path, [c, sub, root_cert]);
}

/// A profile of one's own: here, one that adds a certificatePolicies extension and caps the
/// validity, the way the S/MIME BR profiles will.
struct PolicyProfile;

impl Profile for PolicyProfile {
    fn name(&self) -> &str {
        "policy"
    }
    fn check(&self, r: &IssueRequest<'_>) -> pqsmime::Result<()> {
        if r.days.unwrap_or(0) > 825 {
            return Err(Error::Usage("at most 825 days".into()));
        }
        Ok(())
    }
    fn validity(&self, r: &IssueRequest<'_>) -> pqsmime::Result<(SystemTime, SystemTime)> {
        let days = u64::from(r.days.unwrap_or(90));
        Ok((r.now, r.now + Duration::from_secs(days * 86_400 - 1)))
    }
    fn extensions(&self, r: &IssueRequest<'_>) -> pqsmime::Result<Vec<Extension>> {
        let mut e = pqsmime::x509::TestProfile.extensions(r)?;
        // certificatePolicies { policyIdentifier 2.23.140.1.5.1.3 (mailbox-validated strict) }
        let oid = const_oid::ObjectIdentifier::new_unwrap("2.23.140.1.5.1.3");
        let info = asn1::sequence(&[&asn1::oid(&oid)]);
        e.push(Extension {
            oid: oids::EXT_CERTIFICATE_POLICIES,
            critical: false,
            value: asn1::sequence(&[&info]),
        });
        Ok(e)
    }
}

#[test]
fn profiles_decide_extensions_and_validity() {
    let ca_key = key("ed25519");
    let ca = root("CN=Root", &ca_key);
    let k = key("ed25519");
    let now = SystemTime::now();
    let c = CertificateBuilder::end_entity("a@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(PolicyProfile)
        .issued_at(now)
        .sign(Some((&ca, &ca_key)))
        .unwrap();
    assert_eq!(c.extensions().len(), 7);
    assert!(c.extension(&oids::EXT_CERTIFICATE_POLICIES).is_some());
    assert_eq!(
        c.not_after().duration_since(c.not_before()).unwrap(),
        Duration::from_secs(90 * 86_400 - 1)
    );
    let err = CertificateBuilder::end_entity("a@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(PolicyProfile)
        .days(826)
        .sign(Some((&ca, &ca_key)))
        .unwrap_err();
    assert!(err.to_string().contains("825"), "{err}");
}

#[test]
fn self_signed_ca_from_each_signature_kind() {
    for kind in KeyKind::GENERATABLE {
        let kind = KeyKind::from_name(kind).unwrap();
        if !kind.can_sign() || matches!(kind, KeyKind::Rsa(b) if b > 2048) {
            continue;
        }
        if let KeyKind::SlhDsa(s) = kind {
            // the small SLH-DSA sets take seconds per signature in debug builds
            if !matches!(
                s,
                pqsmime::alg::SlhDsaSet::Sha2_128f | pqsmime::alg::SlhDsaSet::Shake128f
            ) {
                continue;
            }
        }
        let k = PrivateKey::generate(kind).unwrap();
        let dn = format!("CN={} Root", kind.name());
        let c = root(&dn, &k);
        check_ca(&c, &k, &dn);
        assert_eq!(
            c.signature_algorithm().unwrap(),
            kind.default_signature_algorithm().unwrap()
        );
        // trusted directly, it is still not an email signing certificate (keyUsage)
        let err = validate_path(
            &c,
            &[],
            std::slice::from_ref(&c),
            SystemTime::now(),
            Purpose::EmailSigning,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("lacks digitalSignature or nonRepudiation"),
            "{err}"
        );
    }
}
