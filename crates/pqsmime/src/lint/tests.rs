//! Unit tests of the rule families with crafted certificates: each test starts from a
//! compliant certificate and breaks it in one place.

use super::cert::{ext_oid, ku};
use super::testutil::*;
use super::*;
use crate::alg::{oid, EcCurve, KeyKind, MlDsaLevel, MlKemLevel, SlhDsaSet};
use crate::asn1;
use crate::oids;

const MLDSA44: KeyKind = KeyKind::MlDsa(MlDsaLevel::L44);

fn mailbox_strict() -> SmimeProfile {
    profile("mailbox-strict")
}

fn has(f: &[Finding], code: &str) -> bool {
    f.iter().any(|x| x.code == code)
}

fn assert_only_error(f: &[Finding], code: &str) {
    let e = errors(f);
    assert!(e.contains(&code), "expected {code}, got {f:#?}");
    assert!(
        e.iter().all(|c| *c == code),
        "unexpected extra errors: {f:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Clean certificates of every profile and key type

#[test]
fn compliant_certificates_of_every_profile_and_key_type_pass() {
    let kinds = [
        MLDSA44,
        KeyKind::MlDsa(MlDsaLevel::L65),
        KeyKind::MlKem(MlKemLevel::L768),
        KeyKind::Ec(EcCurve::P256),
        KeyKind::Ed25519,
        KeyKind::Rsa(2048),
    ];
    for p in SmimeProfile::ALL {
        if p.generation == Generation::Legacy {
            continue; // issued after the Legacy sunset: tested separately
        }
        for k in kinds {
            let c = TestCert::subscriber(p, k);
            let f = run(&c.der(), p);
            assert!(passes(&f), "{p} {k:?}: {f:#?}");
            assert!(
                !f.iter().any(|x| x.severity == Severity::Warning),
                "{p} {k:?}: {f:#?}"
            );
        }
    }
}

#[test]
fn profile_is_detected_from_the_policy_oid() {
    let p = profile("sponsored-multipurpose");
    let c = TestCert::subscriber(p, MLDSA44);
    let r = lint(&c.der(), &LintOptions::default()).unwrap();
    assert_eq!(r.target, Target::Subscriber(Some(p)));
    assert!(r.passed(), "{:#?}", r.findings);

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        false,
        &policies_value(&["1.3.6.1.4.1.99999.1".parse().unwrap()]),
    );
    let r = lint(&c.der(), &LintOptions::default()).unwrap();
    assert_eq!(r.target, Target::Subscriber(None));
    assert!(has(&r.findings, "lint.profile_unknown"));
    assert!(has(&r.findings, "smime.reserved_policy_oid_missing"));
    assert!(!r.passed());
}

// ---------------------------------------------------------------------------------------
// Policies, validity, Legacy sunset

#[test]
fn policy_rules() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.remove_ext(&oids::EXT_CERTIFICATE_POLICIES);
    assert_only_error(&run(&c.der(), p), "smime.certificate_policies_missing");

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        false,
        &policies_value(&[p.policy_oid(), profile("individual-strict").policy_oid()]),
    );
    assert_only_error(&run(&c.der(), p), "smime.multiple_reserved_policy_oids");

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        false,
        &policies_value(&[p.policy_oid(), ext_oid::ANY_POLICY]),
    );
    assert_only_error(&run(&c.der(), p), "smime.any_policy_in_subscriber");

    // Lint a mailbox-strict certificate as mailbox-multipurpose: the OID does not match.
    let c = TestCert::subscriber(p, MLDSA44);
    let f = run(&c.der(), profile("mailbox-multipurpose"));
    assert_only_error(&f, "smime.reserved_policy_oid_missing");

    // critical certificatePolicies: a warning
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        true,
        &policies_value(&[p.policy_oid()]),
    );
    let f = run(&c.der(), p);
    assert!(passes(&f));
    assert!(has(&f, "smime.certificate_policies_critical"));
}

fn policy_with_qualifiers(p: SmimeProfile, qualifiers: &[Vec<u8>]) -> Vec<u8> {
    asn1::sequence(&[&asn1::sequence(&[
        &asn1::oid(&p.policy_oid()),
        &asn1::tlv(asn1::TAG_SEQUENCE, &qualifiers.concat()),
    ])])
}

#[test]
fn policy_qualifiers() {
    let p = mailbox_strict();
    let cps = |uri: &str| {
        asn1::sequence(&[
            &asn1::oid(&ext_oid::QT_CPS),
            &asn1::tlv(asn1::TAG_IA5_STRING, uri.as_bytes()),
        ])
    };
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        false,
        &policy_with_qualifiers(p, &[cps("https://example.com/cps")]),
    );
    let f = run(&c.der(), p);
    assert!(passes(&f), "{f:#?}");
    assert!(has(&f, "pkix.policy_has_qualifier"));

    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        false,
        &policy_with_qualifiers(p, &[cps("ftp://example.com/cps")]),
    );
    assert_only_error(&run(&c.der(), p), "smime.cps_uri_not_http");

    let notice = asn1::sequence(&[
        &asn1::oid(&ext_oid::QT_UNOTICE),
        &asn1::sequence(&[
            &asn1::sequence(&[
                &asn1::tlv(asn1::TAG_UTF8_STRING, b"Org"),
                &asn1::sequence(&[&asn1::integer_u64(1)]),
            ]),
            &asn1::tlv(asn1::TAG_IA5_STRING, b"hello"),
        ]),
    ]);
    c.set_ext(
        &oids::EXT_CERTIFICATE_POLICIES,
        false,
        &policy_with_qualifiers(p, &[notice]),
    );
    let e = errors(&run(&c.der(), p));
    assert!(e.contains(&"smime.user_notice_has_notice_ref"), "{e:?}");
    assert!(e.contains(&"pkix.explicit_text_invalid"), "{e:?}");
}

#[test]
fn validity_limits_count_days_inclusively() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    // 2025-09-01 00:00:00 + 825 days = 2027-12-05 00:00:00
    c.not_after = time(2027, 12, 4, 23, 59, 59);
    let f = run(&c.der(), p);
    assert!(passes(&f), "{f:#?}");
    assert!(has(&f, "smime.validity_at_maximum"));
    c.not_after = time(2027, 12, 5, 0, 0, 0);
    assert_only_error(&run(&c.der(), p), "smime.validity_too_long");
    c.not_after = time(2027, 12, 4, 23, 59, 58);
    let f = run(&c.der(), p);
    assert!(
        passes(&f) && !has(&f, "smime.validity_at_maximum"),
        "{f:#?}"
    );

    // Legacy allows 1185 days (tested on a certificate issued before the sunset).
    let l = profile("mailbox-legacy");
    let mut c = TestCert::subscriber(l, MLDSA44);
    classical(&mut c);
    c.not_before = time(2025, 7, 1, 0, 0, 0);
    c.not_after = time(2027, 12, 5, 0, 0, 0);
    assert!(!has(&run(&c.der(), l), "smime.validity_too_long"));

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.not_after = time(2025, 8, 1, 0, 0, 0);
    assert!(errors(&run(&c.der(), p)).contains(&"pkix.validity_negative"));
}

#[test]
fn legacy_profiles_are_dated() {
    let l = profile("individual-legacy");
    let mut c = TestCert::subscriber(l, KeyKind::Rsa(2048));
    classical(&mut c);
    c.not_before = time(2025, 7, 15, 0, 0, 0);
    c.not_after = time(2026, 7, 14, 23, 59, 59);
    assert_only_error(&run(&c.der(), l), "smime.legacy_after_sunset");
    c.not_before = time(2025, 7, 14, 23, 59, 59);
    let f = run(&c.der(), l);
    assert!(passes(&f), "{f:#?}");
}

#[test]
fn certificates_before_the_sbr_get_a_notice_and_are_still_checked() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, KeyKind::Rsa(2048));
    classical(&mut c);
    c.not_before = time(2023, 5, 1, 0, 0, 0);
    c.not_after = time(2024, 5, 1, 0, 0, 0);
    c.set_ext(&oids::EXT_KEY_USAGE, true, &ku_value(ku::DS | ku::DE));
    let f = run(&c.der(), p);
    assert!(has(&f, "lint.predates_sbr"));
    assert!(
        errors(&f).contains(&"smime.key_usage_prohibited_bit"),
        "{f:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Key usage (incl. PQC)

fn with_ku(p: SmimeProfile, k: KeyKind, bits: u16) -> Vec<Finding> {
    let mut c = TestCert::subscriber(p, k);
    c.set_ext(&oids::EXT_KEY_USAGE, true, &ku_value(bits));
    run(&c.der(), p)
}

#[test]
fn ml_dsa_key_usage_is_signing_only() {
    let p = mailbox_strict();
    assert!(passes(&with_ku(p, MLDSA44, ku::DS | ku::NR)));
    let f = with_ku(p, MLDSA44, ku::DS | ku::KE);
    assert!(errors(&f).contains(&"smime.key_usage_prohibited_bit"));
    assert!(errors(&f).contains(&"pkix.key_usage_prohibited_for_ml_dsa"));
    let f = with_ku(p, MLDSA44, ku::KE);
    assert!(errors(&f).contains(&"smime.key_usage_unknown_type"));
    let f = with_ku(p, MLDSA44, ku::NR);
    assert!(errors(&f).contains(&"smime.key_usage_unknown_type"));
}

#[test]
fn ml_kem_key_usage_is_key_encipherment_only() {
    let p = profile("organization-strict");
    let k = KeyKind::MlKem(MlKemLevel::L768);
    assert!(passes(&with_ku(p, k, ku::KE)));
    let f = with_ku(p, k, ku::DS);
    let e = errors(&f);
    assert!(
        e.contains(&"pkix.key_usage_prohibited_for_ml_kem"),
        "{f:#?}"
    );
    assert!(e.contains(&"smime.key_usage_unknown_type"), "{f:#?}");
    let f = with_ku(p, k, ku::KE | ku::DE);
    let e = errors(&f);
    assert!(
        e.contains(&"pkix.key_usage_prohibited_for_ml_kem"),
        "{f:#?}"
    );
    assert!(e.contains(&"smime.key_usage_prohibited_bit"), "{f:#?}");
    let f = with_ku(p, k, ku::KE | ku::KA);
    assert!(errors(&f).contains(&"smime.key_usage_prohibited_bit"));
}

#[test]
fn rsa_key_usage_depends_on_generation() {
    let s = profile("individual-strict");
    let m = profile("individual-multipurpose");
    let rsa = KeyKind::Rsa(2048);
    assert!(passes(&with_ku(s, rsa, ku::DS | ku::KE | ku::NR)));
    assert_only_error(
        &with_ku(s, rsa, ku::DS | ku::KE | ku::DE),
        "smime.key_usage_prohibited_bit",
    );
    assert!(passes(&with_ku(m, rsa, ku::DS | ku::KE | ku::DE)));
    assert!(passes(&with_ku(m, rsa, ku::KE | ku::DE)));
    let f = with_ku(m, rsa, ku::KA);
    assert!(errors(&f).contains(&"pkix.key_usage_prohibited_for_rsa"));
    assert!(errors(&f).contains(&"smime.key_usage_unknown_type"));
}

#[test]
fn ec_and_eddsa_key_usage() {
    let p = profile("mailbox-multipurpose");
    let ec = KeyKind::Ec(EcCurve::P256);
    assert!(passes(&with_ku(p, ec, ku::KA | ku::EO)));
    assert!(passes(&with_ku(p, ec, ku::DS | ku::KA | ku::NR)));
    let f = with_ku(p, ec, ku::KA | ku::EO | ku::DO);
    assert!(passes(&f));
    assert!(has(&f, "smime.key_usage_encipher_and_decipher_only"));
    let f = with_ku(p, ec, ku::DS | ku::KE);
    assert!(errors(&f).contains(&"pkix.key_usage_prohibited_for_ec"));
    assert!(errors(&f).contains(&"smime.key_usage_prohibited_bit"));
    // encipherOnly without keyAgreement
    assert!(errors(&with_ku(p, ec, ku::DS | ku::EO)).contains(&"smime.key_usage_prohibited_bit"));

    let f = with_ku(p, KeyKind::Ed25519, ku::KE);
    assert!(errors(&f).contains(&"pkix.key_usage_prohibited_for_eddsa"));
    assert!(errors(&f).contains(&"smime.key_usage_unknown_type"));
}

#[test]
fn key_usage_presence_and_criticality() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.remove_ext(&oids::EXT_KEY_USAGE);
    assert_only_error(&run(&c.der(), p), "smime.key_usage_missing");
    c.set_ext(&oids::EXT_KEY_USAGE, false, &ku_value(ku::DS));
    let f = run(&c.der(), p);
    assert!(passes(&f) && has(&f, "smime.key_usage_not_critical"));
    let f = with_ku(p, MLDSA44, 0);
    assert!(errors(&f).contains(&"pkix.key_usage_empty"));
    let f = with_ku(p, MLDSA44, ku::DS | ku::KCS);
    assert!(errors(&f).contains(&"pkix.end_entity_key_cert_sign"));
}

// ---------------------------------------------------------------------------------------
// Algorithms

#[test]
fn slh_dsa_subscriber_keys_are_refused() {
    let p = mailbox_strict();
    let k = KeyKind::SlhDsa(SlhDsaSet::Sha2_128f);
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.spki = key(k).public_key().spki_der().to_vec();
    let f = run(&c.der(), p);
    assert!(errors(&f).contains(&"smime.spki_slh_dsa"), "{f:#?}");
    assert!(!errors(&f).contains(&"smime.spki_algorithm_not_allowed"));

    // SLH-DSA signature on the certificate
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.sig_alg = asn1::algorithm_identifier(&oid::SLH_DSA_SHA2_128F, None);
    let f = run(&c.der(), p);
    let m = f
        .iter()
        .find(|x| x.code == "smime.signature_algorithm_not_allowed")
        .expect("finding");
    assert!(m.message.contains("SLH-DSA"), "{}", m.message);
}

#[test]
fn pq_algorithm_identifiers_must_have_absent_parameters() {
    let p = mailbox_strict();
    let pk = ml_dsa_44().public_key();
    let spki_with_null = asn1::sequence(&[
        &asn1::algorithm_identifier(&oid::ML_DSA_44, Some(&[0x05, 0x00])),
        &asn1::bit_string(pk.raw()),
    ]);
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.spki = spki_with_null;
    assert_only_error(&run(&c.der(), p), "smime.spki_pq_parameters");

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.sig_alg = asn1::algorithm_identifier(&oid::ML_DSA_44, Some(&[0x05, 0x00]));
    let f = run(&c.der(), p);
    assert_only_error(&f, "smime.signature_algorithm_not_allowed");
    assert!(
        f[0].message.contains("parameters absent"),
        "{}",
        f[0].message
    );

    // RSA without NULL parameters
    let rsa = key(KeyKind::Rsa(2048)).public_key();
    let mut c = TestCert::subscriber(p, KeyKind::Rsa(2048));
    c.spki = asn1::sequence(&[
        &asn1::algorithm_identifier(&oid::RSA_ENCRYPTION, None),
        &asn1::bit_string(rsa.raw()),
    ]);
    let f = run(&c.der(), p);
    assert_only_error(&f, "smime.spki_algorithm_not_allowed");
    assert!(f.iter().any(|x| x.message.contains("NULL")), "{f:#?}");
}

#[test]
fn unknown_and_forbidden_algorithms_are_findings_not_crashes() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    // An unknown key algorithm (DSA) with arbitrary key bits.
    c.spki = asn1::sequence(&[
        &asn1::algorithm_identifier(&"1.2.840.10040.4.1".parse().unwrap(), None),
        &asn1::bit_string(&[1, 2, 3, 4]),
    ]);
    let f = run(&c.der(), p);
    assert!(
        errors(&f).contains(&"smime.spki_algorithm_not_allowed"),
        "{f:#?}"
    );

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.spki = key(KeyKind::X25519).public_key().spki_der().to_vec();
    let f = run(&c.der(), p);
    assert!(f
        .iter()
        .any(|x| x.code == "smime.spki_algorithm_not_allowed" && x.message.contains("X25519")));

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.sig_alg = asn1::algorithm_identifier(&oid::SHA1_WITH_RSA, Some(&[0x05, 0x00]));
    let f = run(&c.der(), p);
    assert!(f
        .iter()
        .any(|x| x.code == "smime.signature_algorithm_not_allowed" && x.message.contains("SHA-1")));

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.sig_alg = asn1::algorithm_identifier(&oid::HASH_ML_DSA_44_SHA512, None);
    assert!(errors(&run(&c.der(), p)).contains(&"smime.signature_algorithm_not_allowed"));
}

#[test]
fn wrong_length_ml_dsa_and_ml_kem_keys() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.spki = asn1::sequence(&[
        &asn1::algorithm_identifier(&oid::ML_DSA_44, None),
        &asn1::bit_string(&[7u8; 1000]),
    ]);
    assert_only_error(&run(&c.der(), p), "pkix.public_key_invalid");

    let k = KeyKind::MlKem(MlKemLevel::L768);
    let mut c = TestCert::subscriber(p, k);
    c.spki = asn1::sequence(&[
        &asn1::algorithm_identifier(&oid::ML_KEM_768, None),
        &asn1::bit_string(&[0xFF; 1184]),
    ]);
    assert_only_error(&run(&c.der(), p), "pkix.public_key_invalid");
}

#[test]
fn ml_dsa_before_smc013_is_an_error() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.not_before = time(2025, 8, 21, 0, 0, 0);
    let f = run(&c.der(), p);
    assert_only_error(&f, "smime.pq_algorithm_before_smc013");
    assert_eq!(
        f.iter()
            .filter(|x| x.code == "smime.pq_algorithm_before_smc013")
            .count(),
        2
    );
}

#[test]
fn rsa_key_rules() {
    let p = mailbox_strict();
    let rsa_spki = |n: &[u8], e: u64| {
        let key = asn1::sequence(&[&asn1::integer_unsigned(n), &asn1::integer_u64(e)]);
        asn1::sequence(&[
            &asn1::algorithm_identifier(&oid::RSA_ENCRYPTION, Some(&[0x05, 0x00])),
            &asn1::bit_string(&key),
        ])
    };
    // 1024-bit modulus divisible by 3, even exponent.
    let mut n = vec![0xFFu8; 128];
    n[127] = 0xFF; // 2^1024 - 1 is divisible by 3
    let mut c = TestCert::subscriber(p, KeyKind::Rsa(2048));
    c.spki = rsa_spki(&n, 4);
    let f = run(&c.der(), p);
    assert!(errors(&f).contains(&"smime.rsa_modulus_size"), "{f:#?}");
    assert!(errors(&f).contains(&"smime.rsa_exponent_invalid"), "{f:#?}");
    assert!(has(&f, "smime.rsa_modulus_small_factor"));
    assert!(has(&f, "smime.rsa_exponent_not_recommended"));
}

// ---------------------------------------------------------------------------------------
// EKU, basic constraints

#[test]
fn eku_rules() {
    let s = mailbox_strict();
    let m = profile("mailbox-multipurpose");
    let mut c = TestCert::subscriber(s, MLDSA44);
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &eku_value(&[oids::KP_EMAIL_PROTECTION, oids::KP_CLIENT_AUTH]),
    );
    assert_only_error(&run(&c.der(), s), "smime.eku_prohibited");
    let mut c = TestCert::subscriber(m, MLDSA44);
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &eku_value(&[oids::KP_EMAIL_PROTECTION, oids::KP_CLIENT_AUTH]),
    );
    assert!(passes(&run(&c.der(), m)));
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &eku_value(&[oids::KP_EMAIL_PROTECTION, oids::KP_SERVER_AUTH]),
    );
    assert_only_error(&run(&c.der(), m), "smime.eku_prohibited");
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &eku_value(&[oids::KP_CLIENT_AUTH]),
    );
    assert_only_error(&run(&c.der(), m), "smime.eku_email_protection_missing");
    c.remove_ext(&oids::EXT_EXTENDED_KEY_USAGE);
    assert_only_error(&run(&c.der(), m), "smime.eku_missing");

    // SMC018: from 2027-07-01 a Multipurpose certificate may not carry other purposes.
    let mut c = TestCert::subscriber(m, MLDSA44);
    let ms_doc_signing: const_oid::ObjectIdentifier = "1.3.6.1.4.1.311.10.3.12".parse().unwrap();
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &eku_value(&[oids::KP_EMAIL_PROTECTION, ms_doc_signing]),
    );
    assert!(passes(&run(&c.der(), m)));
    c.not_before = time(2027, 7, 1, 0, 0, 0);
    c.not_after = time(2028, 6, 30, 0, 0, 0);
    assert_only_error(&run(&c.der(), m), "smime.eku_restricted_smc018");
}

#[test]
fn basic_constraints_in_subscribers() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(&oids::EXT_BASIC_CONSTRAINTS, true, &asn1::sequence(&[]));
    assert!(passes(&run(&c.der(), p)));
    c.set_ext(
        &oids::EXT_BASIC_CONSTRAINTS,
        true,
        &asn1::sequence(&[&[0x01, 0x01, 0xFF]]),
    );
    let f = run(&c.der(), p);
    assert!(errors(&f).contains(&"smime.subscriber_is_ca"));
    c.set_ext(
        &oids::EXT_BASIC_CONSTRAINTS,
        true,
        &asn1::sequence(&[&asn1::integer_u64(0)]),
    );
    assert_only_error(&run(&c.der(), p), "pkix.path_len_without_ca");
    // cA FALSE encoded explicitly: readable, but not DER
    c.set_ext(
        &oids::EXT_BASIC_CONSTRAINTS,
        true,
        &asn1::sequence(&[&[0x01, 0x01, 0x00]]),
    );
    assert_only_error(&run(&c.der(), p), "asn1.extension_not_der");
}

// ---------------------------------------------------------------------------------------
// Other extensions

#[test]
fn crl_distribution_points_and_aia() {
    let s = mailbox_strict();
    let l = profile("mailbox-legacy");
    let mut c = TestCert::subscriber(s, MLDSA44);
    c.remove_ext(&oids::EXT_CRL_DISTRIBUTION_POINTS);
    assert_only_error(&run(&c.der(), s), "smime.crldp_missing");
    c.set_ext(
        &oids::EXT_CRL_DISTRIBUTION_POINTS,
        true,
        &crldp_value("http://crl.example.com/x.crl"),
    );
    assert_only_error(&run(&c.der(), s), "smime.crldp_critical");
    c.set_ext(
        &oids::EXT_CRL_DISTRIBUTION_POINTS,
        false,
        &crldp_value("ldap://crl.example.com/x"),
    );
    let e = errors(&run(&c.der(), s));
    assert!(
        e.contains(&"smime.crldp_no_http") && e.contains(&"smime.crldp_uri_scheme"),
        "{e:?}"
    );
    // Legacy accepts ldap but still needs one http URI
    let mut c = TestCert::subscriber(l, MLDSA44);
    classical(&mut c);
    c.not_before = time(2025, 1, 1, 0, 0, 0);
    c.set_ext(
        &oids::EXT_CRL_DISTRIBUTION_POINTS,
        false,
        &crldp_value("ldap://crl.example.com/x"),
    );
    let e = errors(&run(&c.der(), l));
    assert!(
        e.contains(&"smime.crldp_no_http") && !e.contains(&"smime.crldp_uri_scheme"),
        "{e:?}"
    );

    let mut c = TestCert::subscriber(s, MLDSA44);
    c.remove_ext(&oids::EXT_AUTHORITY_INFO_ACCESS);
    let f = run(&c.der(), s);
    assert!(passes(&f) && has(&f, "smime.aia_missing"));
    c.set_ext(
        &oids::EXT_AUTHORITY_INFO_ACCESS,
        false,
        &aia_value(&ext_oid::AD_OCSP, "http://ocsp.example.com"),
    );
    let f = run(&c.der(), s);
    assert!(passes(&f) && has(&f, "smime.aia_ca_issuers_missing"));
    c.set_ext(
        &oids::EXT_AUTHORITY_INFO_ACCESS,
        true,
        &aia_value(&ext_oid::AD_CA_ISSUERS, "https://ca.example.com/ca.crt"),
    );
    let e = errors(&run(&c.der(), s));
    for code in [
        "pkix.authority_info_access_critical",
        "smime.aia_no_http",
        "smime.aia_uri_scheme",
    ] {
        assert!(e.contains(&code), "{code}: {e:?}");
    }
}

#[test]
fn key_identifiers() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.remove_ext(&oids::EXT_AUTHORITY_KEY_IDENTIFIER);
    assert_only_error(&run(&c.der(), p), "smime.aki_missing");
    let issuer_and_serial = asn1::sequence(&[
        &asn1::tlv(0x80, &ISSUER_KEY_ID),
        &asn1::tlv(
            0xA1,
            &asn1::tlv(0xA4, &name(&[(oids::AT_COMMON_NAME, "CA")])),
        ),
        &asn1::tlv(0x82, &[0x01]),
    ]);
    c.set_ext(
        &oids::EXT_AUTHORITY_KEY_IDENTIFIER,
        false,
        &issuer_and_serial,
    );
    assert_only_error(&run(&c.der(), p), "smime.aki_issuer_and_serial");
    c.set_ext(
        &oids::EXT_AUTHORITY_KEY_IDENTIFIER,
        true,
        &asn1::sequence(&[&asn1::tlv(0x82, &[0x01])]),
    );
    let e = errors(&run(&c.der(), p));
    for code in [
        "smime.aki_key_id_missing",
        "pkix.authority_key_identifier_critical",
        "pkix.authority_key_identifier_issuer_serial_pairing",
    ] {
        assert!(e.contains(&code), "{code}: {e:?}");
    }

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.remove_ext(&oids::EXT_SUBJECT_KEY_IDENTIFIER);
    let f = run(&c.der(), p);
    assert!(passes(&f) && has(&f, "smime.ski_missing"));
    c.set_ext(
        &oids::EXT_SUBJECT_KEY_IDENTIFIER,
        false,
        &asn1::octet_string(&[9; 20]),
    );
    let f = run(&c.der(), p);
    assert!(passes(&f) && has(&f, "pkix.subject_key_identifier_method_unknown"));
}

#[test]
fn adobe_lei_qc_and_directory_attributes() {
    let s = profile("organization-strict");
    let m = profile("organization-multipurpose");
    let ts = asn1::sequence(&[
        &asn1::integer_u64(1),
        &asn1::tlv(0x86, b"http://tsa.example.com"),
    ]);
    let ts_dns = asn1::sequence(&[&asn1::integer_u64(1), &asn1::tlv(0x82, b"tsa.example.com")]);
    let ari = asn1::sequence(&[&asn1::integer_u64(1)]);
    let mut c = TestCert::subscriber(s, MLDSA44);
    c.set_ext(&ext_oid::ADOBE_TIMESTAMP, false, &ts);
    c.set_ext(&ext_oid::ADOBE_ARCHIVE_REV_INFO, false, &ari);
    let e = errors(&run(&c.der(), s));
    assert_eq!(
        e,
        [
            "smime.adobe_archive_rev_info_prohibited",
            "smime.adobe_timestamp_prohibited"
        ]
    );
    let mut c = TestCert::subscriber(m, MLDSA44);
    c.set_ext(&ext_oid::ADOBE_TIMESTAMP, true, &ts_dns);
    c.set_ext(&ext_oid::ADOBE_ARCHIVE_REV_INFO, true, &ari);
    let e = errors(&run(&c.der(), m));
    for code in [
        "smime.adobe_timestamp_critical",
        "smime.adobe_archive_rev_info_critical",
        "smime.adobe_timestamp_location_not_uri",
    ] {
        assert!(e.contains(&code), "{code}: {e:?}");
    }

    let lei = asn1::tlv(asn1::TAG_PRINTABLE_STRING, b"506700GE1G29325QX363");
    let bad_lei = asn1::tlv(asn1::TAG_PRINTABLE_STRING, b"506700GE1G29325QX364");
    let mut c = TestCert::subscriber(m, MLDSA44);
    c.set_ext(&ext_oid::LEI, false, &lei);
    assert!(passes(&run(&c.der(), m)));
    c.set_ext(&ext_oid::LEI, true, &bad_lei);
    let e = errors(&run(&c.der(), m));
    assert!(
        e.contains(&"smime.lei_critical") && e.contains(&"smime.lei_invalid"),
        "{e:?}"
    );
    let ms = mailbox_strict();
    let mut c = TestCert::subscriber(ms, MLDSA44);
    c.set_ext(&ext_oid::LEI, false, &lei);
    c.set_ext(
        &ext_oid::LEI_ROLE,
        false,
        &asn1::tlv(asn1::TAG_UTF8_STRING, b"CEO"),
    );
    let e = errors(&run(&c.der(), ms));
    assert!(e.contains(&"smime.lei_prohibited") && e.contains(&"smime.lei_role_prohibited"));

    let qc = asn1::sequence(&[&asn1::sequence(&[&asn1::oid(
        &"0.4.0.1862.1.1".parse().unwrap(),
    )])]);
    let mut c = TestCert::subscriber(m, MLDSA44);
    c.set_ext(&ext_oid::QC_STATEMENTS, true, &qc);
    assert_only_error(&run(&c.der(), m), "smime.qc_statements_critical");

    let sda = asn1::sequence(&[&asn1::sequence(&[
        &asn1::oid(&"1.3.6.1.5.5.7.9.1".parse().unwrap()),
        &asn1::tlv(
            asn1::TAG_SET,
            &asn1::tlv(asn1::TAG_GENERALIZED_TIME, b"19800101120000Z"),
        ),
    ])]);
    let mut c = TestCert::subscriber(m, MLDSA44);
    c.set_ext(&ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES, false, &sda);
    assert_only_error(
        &run(&c.der(), m),
        "smime.subject_directory_attributes_prohibited",
    );
    let ol = profile("organization-legacy");
    let mut c = TestCert::subscriber(ol, MLDSA44);
    classical(&mut c);
    c.not_before = time(2025, 1, 1, 0, 0, 0);
    c.set_ext(&ext_oid::SUBJECT_DIRECTORY_ATTRIBUTES, false, &sda);
    assert!(!has(
        &run(&c.der(), ol),
        "smime.subject_directory_attributes_prohibited"
    ));
}

#[test]
fn malformed_extensions_become_findings_naming_them() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    // keyUsage that is an INTEGER instead of a BIT STRING
    c.set_ext(&oids::EXT_KEY_USAGE, true, &asn1::integer_u64(5));
    let f = run(&c.der(), p);
    let m = f
        .iter()
        .find(|x| x.code == "pkix.extension_malformed")
        .expect("malformed finding");
    assert!(m.message.contains("keyUsage"), "{}", m.message);
    // a SAN with a non-minimal length
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        false,
        &[
            0x30, 0x81, 0x13, 0x81, 0x11, b'a', b'l', b'i', b'c', b'e', b'@', b'e', b'x', b'a',
            b'm', b'p', b'l', b'e', b'.', b'c', b'o', b'm',
        ],
    );
    let f = run(&c.der(), p);
    assert!(
        f.iter()
            .any(|x| x.code == "pkix.extension_malformed" && x.message.contains("subjectAltName")),
        "{f:#?}"
    );
    // extKeyUsage with garbage
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &[0x30, 0x05, 0x06, 0x09, 0x01],
    );
    let f = run(&c.der(), p);
    assert!(
        f.iter()
            .any(|x| x.code == "pkix.extension_malformed" && x.message.contains("extKeyUsage")),
        "{f:#?}"
    );
    // duplicate extension
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.extensions
        .push(ext(&oids::EXT_KEY_USAGE, true, &ku_value(ku::DS)));
    assert_only_error(&run(&c.der(), p), "pkix.duplicate_extension");
}

// ---------------------------------------------------------------------------------------
// SAN and mailboxes

#[test]
fn subject_alternative_names() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.remove_ext(&oids::EXT_SUBJECT_ALT_NAME);
    let e = errors(&run(&c.der(), p));
    assert!(e.contains(&"smime.san_missing"), "{e:?}");
    // CN alice@example.com is no longer backed by the SAN
    assert!(e.contains(&"smime.mailbox_in_subject_not_in_san"), "{e:?}");

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        false,
        &san_value(&[rfc822(EMAIL), asn1::tlv(0x82, b"example.com")]),
    );
    assert_only_error(&run(&c.der(), p), "smime.san_general_name_type");

    let upn = asn1::tlv(
        0xA0,
        &[
            asn1::oid(&ext_oid::MS_UPN),
            asn1::tlv(0xA0, &asn1::tlv(asn1::TAG_UTF8_STRING, b"alice@corp")),
        ]
        .concat(),
    );
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        false,
        &san_value(&[rfc822(EMAIL), upn.clone()]),
    );
    assert_only_error(&run(&c.der(), p), "smime.san_other_name_type");
    let m = profile("mailbox-multipurpose");
    let mut c = TestCert::subscriber(m, MLDSA44);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        false,
        &san_value(&[rfc822(EMAIL), upn]),
    );
    assert!(passes(&run(&c.der(), m)));

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[rfc822(EMAIL)]),
    );
    let f = run(&c.der(), p);
    assert!(passes(&f) && has(&f, "smime.san_critical"));

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.subject = name(&[]);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        false,
        &san_value(&[rfc822(EMAIL)]),
    );
    assert_only_error(&run(&c.der(), p), "pkix.san_not_critical_empty_subject");
}

#[test]
fn mailbox_syntax_and_smtp_utf8() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.subject = name(&[]);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[rfc822("Alice <alice@example.com>")]),
    );
    assert_only_error(&run(&c.der(), p), "smime.mailbox_invalid");

    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[smtp_utf8("élise@example.com")]),
    );
    let f = run(&c.der(), p);
    assert!(passes(&f), "{f:#?}");
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[smtp_utf8("elise@example.com")]),
    );
    assert_only_error(&run(&c.der(), p), "pkix.smtputf8_mailbox_ascii_only");
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[smtp_utf8("élise@Example.com")]),
    );
    assert_only_error(&run(&c.der(), p), "pkix.smtputf8_mailbox_invalid");
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[smtp_utf8("élise@exämple.com")]),
    );
    assert_only_error(&run(&c.der(), p), "pkix.smtputf8_mailbox_invalid");
}

#[test]
fn subject_mailboxes_must_be_in_san() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.subject = name(&[
        (oids::AT_COMMON_NAME, EMAIL),
        (oids::AT_EMAIL_ADDRESS, "bob@example.com"),
    ]);
    let f = run(&c.der(), p);
    assert_only_error(&f, "smime.mailbox_in_subject_not_in_san");
    assert!(f.iter().any(|x| x.message.contains("bob@example.com")));
    c.subject = name(&[(oids::AT_EMAIL_ADDRESS, "Alice <alice@example.com>")]);
    let e = errors(&run(&c.der(), p));
    assert!(e.contains(&"smime.subject_email_invalid"), "{e:?}");
    // domain case does not matter
    c.subject = name(&[(oids::AT_EMAIL_ADDRESS, "alice@EXAMPLE.com")]);
    assert!(passes(&run(&c.der(), p)));
}

// ---------------------------------------------------------------------------------------
// Subject names

#[test]
fn subject_attribute_matrix() {
    let ms = mailbox_strict();
    let mut c = TestCert::subscriber(ms, MLDSA44);
    c.subject = name(&[
        (oids::AT_COMMON_NAME, EMAIL),
        (oids::AT_ORGANIZATION, "Example"),
    ]);
    assert_only_error(&run(&c.der(), ms), "smime.subject_attribute_prohibited");

    let os = profile("organization-strict");
    let mut c = TestCert::subscriber(os, MLDSA44);
    c.subject = name(&[
        (oids::AT_ORGANIZATION, "Example Ltd"),
        (oids::AT_COUNTRY, "GB"),
    ]);
    assert_only_error(&run(&c.der(), os), "smime.subject_attribute_missing");
    let mut c = TestCert::subscriber(os, MLDSA44);
    c.subject = name(&[
        (oids::AT_ORGANIZATION, "Example Ltd"),
        (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
        (oids::AT_STREET, "1 Main St"),
        (oids::AT_LOCALITY, "London"),
        (oids::AT_COUNTRY, "GB"),
    ]);
    assert_only_error(&run(&c.der(), os), "smime.subject_attribute_prohibited");
    let om = profile("organization-multipurpose");
    let mut c2 = TestCert::subscriber(om, MLDSA44);
    c2.subject = c.subject.clone();
    assert!(passes(&run(&c2.der(), om)));
    c2.subject = name(&[
        (oids::AT_ORGANIZATION, "Example Ltd"),
        (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
        (oids::AT_STREET, "1 Main St"),
        (oids::AT_COUNTRY, "GB"),
    ]);
    assert_only_error(&run(&c2.der(), om), "smime.subject_attribute_dependency");

    // Individual: needs a name or pseudonym, not both
    let is = profile("individual-strict");
    let mut c = TestCert::subscriber(is, MLDSA44);
    c.subject = name(&[(oids::AT_COUNTRY, "GB")]);
    assert_only_error(&run(&c.der(), is), "smime.subject_attribute_missing");
    c.subject = name(&[(oids::AT_GIVEN_NAME, "Alice"), (oids::AT_PSEUDONYM, "Al")]);
    assert_only_error(&run(&c.der(), is), "smime.subject_name_and_pseudonym");
    // Legacy accepts a commonName alone
    let il = profile("individual-legacy");
    let mut c = TestCert::subscriber(il, MLDSA44);
    classical(&mut c);
    c.not_before = time(2025, 1, 1, 0, 0, 0);
    c.subject = name(&[(oids::AT_COMMON_NAME, "Alice Example")]);
    assert!(passes(&run(&c.der(), il)));
}

#[test]
fn common_name_sources() {
    let ms = mailbox_strict();
    let mut c = TestCert::subscriber(ms, MLDSA44);
    c.subject = name(&[(oids::AT_COMMON_NAME, "Alice")]);
    assert_only_error(&run(&c.der(), ms), "smime.subject_common_name_source");
    let os = profile("organization-strict");
    let mut c = TestCert::subscriber(os, MLDSA44);
    c.subject = name(&[
        (oids::AT_COMMON_NAME, "Other Org"),
        (oids::AT_ORGANIZATION, "Example Ltd"),
        (oids::AT_ORGANIZATION_IDENTIFIER, "NTRGB-12345678"),
    ]);
    assert_only_error(&run(&c.der(), os), "smime.subject_common_name_source");
    let is = profile("individual-strict");
    let mut c = TestCert::subscriber(is, MLDSA44);
    c.subject = name(&[(oids::AT_COMMON_NAME, "Al"), (oids::AT_PSEUDONYM, "Al")]);
    assert!(passes(&run(&c.der(), is)));
    c.subject = name(&[(oids::AT_COMMON_NAME, "Bob"), (oids::AT_PSEUDONYM, "Al")]);
    assert_only_error(&run(&c.der(), is), "smime.subject_common_name_source");
}

#[test]
fn subject_values() {
    let is = profile("individual-multipurpose");
    let mut c = TestCert::subscriber(is, MLDSA44);
    c.subject = name(&[(oids::AT_GIVEN_NAME, "Alice"), (oids::AT_COUNTRY, "UK")]);
    assert_only_error(&run(&c.der(), is), "smime.subject_country_invalid");
    c.subject = name(&[
        (oids::AT_GIVEN_NAME, "Alice"),
        (oids::AT_LOCALITY, "-"),
        (oids::AT_COUNTRY, "GB"),
    ]);
    assert_only_error(&run(&c.der(), is), "smime.subject_insignificant_value");
    c.subject = name(&[(oids::AT_SURNAME, "Smith &amp; Sons")]);
    assert_only_error(&run(&c.der(), is), "smime.subject_html_entity");
    c.subject = name(&[
        (oids::AT_SURNAME, &"x".repeat(20)),
        (oids::AT_COMMON_NAME, &"y".repeat(65)),
    ]);
    let e = errors(&run(&c.der(), is));
    assert!(e.contains(&"pkix.attribute_value_invalid"), "{e:?}");
    // countryName as UTF8String
    c.subject = [asn1::tlv(
        asn1::TAG_SEQUENCE,
        &[
            atv_rdn(&oids::AT_SURNAME, asn1::TAG_UTF8_STRING, b"Smith"),
            atv_rdn(&oids::AT_COUNTRY, asn1::TAG_UTF8_STRING, b"GB"),
        ]
        .concat(),
    )]
    .concat();
    assert_only_error(&run(&c.der(), is), "pkix.attribute_value_invalid");
    // multi-valued RDN: notice only; duplicate type in one RDN: error
    let rdn = |a: &[u8], b: &[u8]| {
        let mut v = [a.to_vec(), b.to_vec()];
        v.sort();
        asn1::tlv(asn1::TAG_SET, &v.concat())
    };
    let gn = asn1::sequence(&[
        &asn1::oid(&oids::AT_GIVEN_NAME),
        &asn1::tlv(asn1::TAG_UTF8_STRING, b"Alice"),
    ]);
    let sn = asn1::sequence(&[
        &asn1::oid(&oids::AT_SURNAME),
        &asn1::tlv(asn1::TAG_UTF8_STRING, b"Smith"),
    ]);
    let sn2 = asn1::sequence(&[
        &asn1::oid(&oids::AT_SURNAME),
        &asn1::tlv(asn1::TAG_UTF8_STRING, b"Jones"),
    ]);
    c.subject = asn1::tlv(asn1::TAG_SEQUENCE, &rdn(&gn, &sn));
    let f = run(&c.der(), is);
    assert!(
        passes(&f) && has(&f, "smime.subject_multi_valued_rdn"),
        "{f:#?}"
    );
    c.subject = asn1::tlv(asn1::TAG_SEQUENCE, &rdn(&sn, &sn2));
    assert!(errors(&run(&c.der(), is)).contains(&"pkix.rdn_duplicate_attribute"));
}

#[test]
fn organization_identifiers() {
    let om = profile("organization-multipurpose");
    let with_orgid = |v: &str, country: Option<&str>| {
        let mut c = TestCert::subscriber(om, MLDSA44);
        let mut attrs = vec![
            (oids::AT_ORGANIZATION, "Example Ltd"),
            (oids::AT_ORGANIZATION_IDENTIFIER, v),
        ];
        if let Some(cn) = country {
            attrs.push((oids::AT_COUNTRY, cn));
        }
        c.subject = name(&attrs);
        run(&c.der(), om)
    };
    for ok in [
        "NTRGB-123",
        "VATEL-123456789",
        "PSDBE-NBB-1234.567.890",
        "GOVUS+CA",
        "INTXG",
        "LEIXG-506700GE1G29325QX363",
        "NTRUS+CA-1234",
    ] {
        let f = with_orgid(ok, None);
        assert!(passes(&f), "{ok}: {f:#?}");
    }
    let cases = [
        ("NTR-GB-123", "smime.organization_identifier_format"),
        ("ABCGB-123", "smime.organization_identifier_scheme"),
        ("NTRZZ-123", "smime.organization_identifier_country"),
        (
            "LEIUS-506700GE1G29325QX363",
            "smime.organization_identifier_country",
        ),
        (
            "VATDE+BY-123",
            "smime.organization_identifier_state_province",
        ),
        ("NTRGB", "smime.organization_identifier_reference"),
        ("GOVUS-123", "smime.organization_identifier_reference"),
        ("LEIXG-506700GE1G29325QX364", "smime.lei_invalid"),
    ];
    for (v, code) in cases {
        assert_only_error(&with_orgid(v, None), code);
    }
    assert_only_error(
        &with_orgid("NTRUS-123", Some("JP")),
        "smime.organization_identifier_country_mismatch",
    );
    assert!(passes(&with_orgid("VATEL-123456789", Some("GR"))));
    assert!(passes(&with_orgid(
        "LEIXG-506700GE1G29325QX363",
        Some("GR")
    )));
    let f = with_orgid("NTRDE-HRB12345", Some("DE"));
    assert!(passes(&f) && has(&f, "smime.german_ntr_not_euid"));
    let f = with_orgid("NTRDE-DER3306.HRB12345", Some("DE"));
    assert!(
        passes(&f) && !has(&f, "smime.german_ntr_not_euid"),
        "{f:#?}"
    );
    // encoding
    let mut c = TestCert::subscriber(om, MLDSA44);
    c.subject = asn1::tlv(
        asn1::TAG_SEQUENCE,
        &[
            atv_rdn(
                &oids::AT_ORGANIZATION,
                asn1::TAG_UTF8_STRING,
                b"Example Ltd",
            ),
            atv_rdn(
                &oids::AT_ORGANIZATION_IDENTIFIER,
                0x1E,
                &[
                    0, b'N', 0, b'T', 0, b'R', 0, b'G', 0, b'B', 0, b'-', 0, b'1',
                ],
            ),
        ]
        .concat(),
    );
    assert_only_error(&run(&c.der(), om), "smime.organization_identifier_encoding");
}

#[test]
fn san_directory_names_follow_the_subject_rules() {
    let im = profile("individual-multipurpose");
    let mut c = TestCert::subscriber(im, MLDSA44);
    let dir = asn1::tlv(
        0xA4,
        &name(&[(oids::AT_PSEUDONYM, "Al"), (oids::AT_GIVEN_NAME, "Alice")]),
    );
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        false,
        &san_value(&[rfc822(EMAIL), dir]),
    );
    let f = run(&c.der(), im);
    assert_only_error(&f, "smime.subject_name_and_pseudonym");
    assert!(
        f.iter().any(|x| x.message.contains("directoryName 1")),
        "{f:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Whole-certificate structure

#[test]
fn structure_rules() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.version = None;
    let e = errors(&run(&c.der(), p));
    assert!(e.contains(&"pkix.version_not_v3"), "{e:?}");

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.serial = asn1::tlv(asn1::TAG_INTEGER, &[0xFF, 0x01]);
    assert!(errors(&run(&c.der(), p)).contains(&"pkix.serial_not_positive"));
    c.serial = asn1::integer_unsigned(&[0x7F; 21]);
    assert!(errors(&run(&c.der(), p)).contains(&"pkix.serial_too_long"));
    c.serial = asn1::integer_u64(1234);
    let f = run(&c.der(), p);
    assert!(passes(&f) && has(&f, "smime.serial_low_entropy"));

    let mut c = TestCert::subscriber(p, MLDSA44);
    c.not_before = asn1::tlv(asn1::TAG_GENERALIZED_TIME, b"20250901000000Z");
    assert_only_error(&run(&c.der(), p), "pkix.time_invalid");
    c.not_before = asn1::tlv(asn1::TAG_UTC_TIME, b"2509010000Z");
    assert_only_error(&run(&c.der(), p), "pkix.time_invalid");

    // signatureAlgorithm differs from tbsCertificate.signature
    let c = TestCert::subscriber(p, MLDSA44);
    let der = asn1::sequence(&[
        &c.tbs(),
        &asn1::algorithm_identifier(&oid::ML_DSA_65, None),
        &asn1::bit_string(&[0; 16]),
    ]);
    assert_only_error(&run(&der, p), "pkix.signature_algorithm_mismatch");

    // no extensions at all
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.extensions.clear();
    assert!(errors(&run(&c.der(), p)).contains(&"pkix.extensions_missing"));

    // non-DER outer length: readable, reported
    let c = TestCert::subscriber(p, MLDSA44);
    let der = c.der();
    let mut ber = vec![0x30, 0x84];
    let len = (der.len() - 4) as u32; // der uses 0x82 xx xx
    ber.extend_from_slice(&len.to_be_bytes());
    ber.extend_from_slice(&der[4..]);
    assert_only_error(&run(&ber, p), "asn1.not_der");
}

#[test]
fn unreadable_outer_structure_is_one_clear_error() {
    let opts = LintOptions::default();
    for bad in [&b""[..], b"\x30\x03\x02\x01", b"\x04\x00", b"\x30\x00"] {
        let e = lint(bad, &opts).unwrap_err();
        assert!(
            e.to_string().contains("not a readable X.509 certificate"),
            "{e}"
        );
    }
    let c = TestCert::subscriber(mailbox_strict(), MLDSA44);
    let mut der = c.der();
    der.push(0);
    assert!(lint(&der, &opts)
        .unwrap_err()
        .to_string()
        .contains("follow"));
    // truncated at every position: never a panic
    let der = c.der();
    for n in 0..der.len() {
        let _ = lint(&der[..n], &opts);
    }
    // every single-byte corruption in the TBS: never a panic
    for i in (0..der.len().min(600)).step_by(3) {
        let mut d = der.clone();
        d[i] ^= 0x5A;
        let _ = lint(&d, &opts);
    }
}

// ---------------------------------------------------------------------------------------
// Issuer: signatures, chaining

#[test]
fn ml_dsa_signatures_are_verified_when_the_issuer_is_given() {
    let p = mailbox_strict();
    let ca_key = ml_dsa_44();
    let ca = test_ca(ca_key);
    let c = TestCert::subscriber(p, KeyKind::MlKem(MlKemLevel::L768));
    let good = c.signed(ca_key);
    let opts = LintOptions {
        profile: Some(p),
        issuer_der: Some(&ca),
    };
    let r = lint(&good, &opts).unwrap();
    assert!(r.passed(), "{:#?}", r.findings);
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 10] ^= 1;
    let r = lint(&bad, &opts).unwrap();
    assert_eq!(errors(&r.findings), ["lint.signature_invalid"]);

    // ML-DSA-65 issuer key but ML-DSA-44 signature algorithm
    let ca65 = test_ca(key(KeyKind::MlDsa(MlDsaLevel::L65)));
    let r = lint(
        &good,
        &LintOptions {
            profile: Some(p),
            issuer_der: Some(&ca65),
        },
    )
    .unwrap();
    let e = errors(&r.findings);
    assert!(e.contains(&"lint.signature_invalid"), "{e:?}");
    assert!(
        e.contains(&"smime.signature_algorithm_issuer_key_mismatch"),
        "{e:?}"
    );
}

#[test]
fn issuer_chaining_rules() {
    let p = mailbox_strict();
    let ca_key = ml_dsa_44();
    let ca = test_ca(ca_key);
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.issuer = name(&[(oids::AT_COMMON_NAME, "Someone Else")]);
    c.set_ext(
        &oids::EXT_AUTHORITY_KEY_IDENTIFIER,
        false,
        &key_id_value(asn1::TAG_SEQUENCE, &[0x22; 20]),
    );
    let der = c.signed(ca_key);
    let r = lint(
        &der,
        &LintOptions {
            profile: Some(p),
            issuer_der: Some(&ca),
        },
    )
    .unwrap();
    let e = errors(&r.findings);
    assert!(e.contains(&"pkix.issuer_name_mismatch"), "{e:?}");
    assert!(
        e.contains(&"pkix.authority_key_identifier_mismatch"),
        "{e:?}"
    );

    // issuer is not a CA
    let leaf = TestCert::subscriber(p, MLDSA44).signed(ca_key);
    let r = lint(
        &der,
        &LintOptions {
            profile: Some(p),
            issuer_der: Some(&leaf),
        },
    )
    .unwrap();
    assert!(errors(&r.findings).contains(&"pkix.issuer_not_ca"));
}

#[test]
fn ca_certificates_are_linted_as_ca() {
    let ca = test_ca(ml_dsa_44());
    let r = lint(&ca, &LintOptions::default()).unwrap();
    assert_eq!(r.target, Target::RootCa);
    assert!(r.passed(), "{:#?}", r.findings);
    // the self-signature is checked
    let mut bad = ca.clone();
    let n = bad.len();
    bad[n - 5] ^= 1;
    let r = lint(&bad, &LintOptions::default()).unwrap();
    assert_eq!(errors(&r.findings), ["lint.signature_invalid"]);

    // A subordinate CA without EKU, with an RSA-2048 key after the SMC017 date.
    let mut sub = TestCert::subscriber(mailbox_strict(), KeyKind::Rsa(2048));
    sub.set_ext(
        &oids::EXT_BASIC_CONSTRAINTS,
        false,
        &asn1::sequence(&[&[0x01, 0x01, 0xFF]]),
    );
    sub.set_ext(
        &oids::EXT_KEY_USAGE,
        true,
        &ku_value(ku::KCS | ku::CRLS | ku::KE),
    );
    sub.remove_ext(&oids::EXT_EXTENDED_KEY_USAGE);
    sub.not_before = time(2026, 10, 1, 0, 0, 0);
    sub.not_after = time(2030, 10, 1, 0, 0, 0);
    let r = lint(&sub.der(), &LintOptions::default()).unwrap();
    assert_eq!(r.target, Target::SubordinateCa);
    let e = errors(&r.findings);
    for code in [
        "smime.ca_basic_constraints_not_critical",
        "smime.ca_key_usage_bits",
        "smime.subca_eku_missing",
        "smime.ca_rsa_key_too_small",
        "smime.ca_subject_attribute_missing",
    ] {
        assert!(e.contains(&code), "{code}: {:#?}", r.findings);
    }
}

// ---------------------------------------------------------------------------------------
// Output

#[test]
fn findings_are_sorted_deterministic_and_formatted() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.remove_ext(&oids::EXT_AUTHORITY_INFO_ACCESS);
    c.remove_ext(&oids::EXT_KEY_USAGE);
    c.remove_ext(&oids::EXT_SUBJECT_KEY_IDENTIFIER);
    c.set_ext(
        &oids::EXT_EXTENDED_KEY_USAGE,
        false,
        &eku_value(&[oids::KP_SERVER_AUTH]),
    );
    let a = run(&c.der(), p);
    let b = run(&c.der(), p);
    assert_eq!(a, b);
    let mut sorted = a.clone();
    sorted.sort_by(|x, y| (x.severity, x.code, &x.message).cmp(&(y.severity, y.code, &y.message)));
    assert_eq!(a, sorted);
    assert_eq!(a.first().map(|f| f.severity), Some(Severity::Error));
    let text = format_text(&a);
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("error  smime."), "{first}");
    assert_eq!(text.lines().count(), a.len());
    for line in text.lines() {
        let parts: Vec<&str> = line.splitn(3, "  ").collect();
        assert_eq!(parts.len(), 3, "{line}");
        assert!(["error", "warning", "notice"].contains(&parts[0]));
    }

    let r = lint(&c.der(), &LintOptions::default()).unwrap();
    let json = format_json("dir/\"x\".pem", &r);
    assert!(json.starts_with("{\"certificate\":\"dir/\\\"x\\\".pem\",\"profile\":\"mailbox-strict\",\"findings\":[{\"severity\":\"error\",\"code\":"), "{json}");
    assert!(json.contains("\"citation\":\"SBR §7.1.2.3(e)\""), "{json}");
    let unknown = Report {
        target: Target::Subscriber(None),
        findings: Vec::new(),
    };
    assert_eq!(
        format_json("a", &unknown),
        "{\"certificate\":\"a\",\"profile\":null,\"findings\":[]}"
    );
}

#[test]
fn profiles_round_trip() {
    for p in SmimeProfile::ALL {
        assert_eq!(SmimeProfile::from_name(&p.name()).unwrap(), p);
        assert_eq!(SmimeProfile::from_policy_oid(&p.policy_oid()), Some(p));
    }
    assert_eq!(
        profile("SPONSORED-LEGACY").policy_oid().to_string(),
        "2.23.140.1.5.3.1"
    );
    assert!(SmimeProfile::from_name("mailbox").is_err());
}

#[test]
fn pem_input() {
    let c = TestCert::subscriber(mailbox_strict(), MLDSA44).der();
    let pem = crate::x509::Certificate::from_der(&c).map(|x| x.to_pem());
    // the strict parser may refuse a dummy signature's certificate; build the PEM by hand then
    let b64 = <base64ct::Base64 as base64ct::Encoding>::encode_string(&c);
    let text = format!(
        "junk\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n"
    );
    let certs = read_certificates(text.as_bytes()).unwrap();
    assert_eq!(certs, vec![c.clone(), c.clone()]);
    if let Ok(p) = pem {
        assert_eq!(read_certificates(p.as_bytes()).unwrap(), vec![c.clone()]);
    }
    assert_eq!(read_certificates(&c).unwrap(), vec![c]);
    assert!(read_certificates(b"hello").is_err());
    assert!(
        read_certificates(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----").is_err()
    );
}

#[test]
fn internal_names_are_errors() {
    let p = mailbox_strict();
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.set_ext(
        &oids::EXT_CRL_DISTRIBUTION_POINTS,
        false,
        &crldp_value("http://crl.corp/ca.crl"),
    );
    assert_only_error(&run(&c.der(), p), "smime.internal_name");
    let mut c = TestCert::subscriber(p, MLDSA44);
    c.subject = name(&[]);
    c.set_ext(
        &oids::EXT_SUBJECT_ALT_NAME,
        true,
        &san_value(&[rfc822("alice@mail.internal")]),
    );
    assert_only_error(&run(&c.der(), p), "smime.internal_name");
}

#[test]
fn rules_table_lists_every_rule() {
    let t = rules_table();
    assert_eq!(t.lines().count(), rules().len() + 2);
    assert!(
        t.contains("| `smime.legacy_after_sunset` | error | subscriber | from 2025-07-15 |"),
        "{t}"
    );
    assert!(t.contains("| `smime.pq_algorithm_before_smc013` | error | any | before 2025-08-22 |"));
}
