//! Certificate policy processing in path validation (RFC 5280 §6.1 with the RFC 9618 policy
//! graph): the NIST PKITS S/MIME message "Invalid Mapping From anyPolicy Test7" (4.10.7) that
//! OpenSSL ships, and synthetic paths for each step that can fail, plus the work limit.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use const_oid::ObjectIdentifier;
use pqsmime::asn1::{self, Reader, Rules};
use pqsmime::keys::PrivateKey;
use pqsmime::oids;
use pqsmime::x509::{
    validate, validate_path, Certificate, CertificateBuilder, Extension, PathOptions,
    PolicyOptions, Purpose, Usage, ANY_POLICY,
};
use pqsmime::Error;
use x509_common::*;

const P1: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.1");
const P2: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.2");

fn policies_ext(ps: &[ObjectIdentifier]) -> Extension {
    let body: Vec<u8> = ps
        .iter()
        .flat_map(|p| asn1::sequence(&[&asn1::oid(p)]))
        .collect();
    Extension {
        oid: oids::EXT_CERTIFICATE_POLICIES,
        critical: false,
        value: asn1::tlv(0x30, &body),
    }
}

fn mappings_ext(m: &[(ObjectIdentifier, ObjectIdentifier)]) -> Extension {
    let body: Vec<u8> = m
        .iter()
        .flat_map(|(a, b)| asn1::sequence(&[&asn1::oid(a), &asn1::oid(b)]))
        .collect();
    Extension {
        oid: oids::EXT_POLICY_MAPPINGS,
        critical: true,
        value: asn1::tlv(0x30, &body),
    }
}

/// policyConstraints with requireExplicitPolicy and/or inhibitPolicyMapping.
fn constraints_ext(require: Option<u8>, inhibit: Option<u8>) -> Extension {
    let mut body = Vec::new();
    if let Some(r) = require {
        body.extend(asn1::tlv(0x80, &[r]));
    }
    if let Some(i) = inhibit {
        body.extend(asn1::tlv(0x81, &[i]));
    }
    Extension {
        oid: oids::EXT_POLICY_CONSTRAINTS,
        critical: true,
        value: asn1::tlv(0x30, &body),
    }
}

fn inhibit_any_ext(n: u8) -> Extension {
    Extension {
        oid: oids::EXT_INHIBIT_ANY_POLICY,
        critical: true,
        value: asn1::tlv(0x02, &[n]),
    }
}

struct Pki {
    root_key: PrivateKey,
    root: Certificate,
}

fn pki() -> Pki {
    let root_key = key("ed25519");
    let root = root("CN=Policy Root,O=Example,C=DE", &root_key);
    Pki { root_key, root }
}

/// A CA under `issuer` with extra extensions.
fn ca(
    dn: &str,
    k: &PrivateKey,
    issuer: (&Certificate, &PrivateKey),
    exts: Vec<Extension>,
) -> Certificate {
    CertificateBuilder::ca(dn, k)
        .unwrap()
        .profile(Tweak(move |e: &mut Vec<Extension>| {
            for x in &exts {
                set_ext(e, x.clone());
            }
        }))
        .sign(Some(issuer))
        .unwrap()
}

/// An end entity (signing) under `issuer` with extra extensions.
fn leaf(issuer: (&Certificate, &PrivateKey), exts: Vec<Extension>) -> Certificate {
    let k = key("ed25519");
    CertificateBuilder::end_entity("alice@example.com", &k.public_key(), Usage::Sign)
        .unwrap()
        .profile(Tweak(move |e: &mut Vec<Extension>| {
            for x in &exts {
                set_ext(e, x.clone());
            }
        }))
        .sign(Some(issuer))
        .unwrap()
}

fn run(
    ee: &Certificate,
    inter: &[Certificate],
    anchor: &Certificate,
    policy: &PolicyOptions,
) -> pqsmime::Result<Vec<ObjectIdentifier>> {
    let anchors = [anchor.clone()];
    let opts = PathOptions {
        policy,
        ..PathOptions::new(inter, &anchors, now(), Purpose::EmailSigning)
    };
    validate(ee, &opts).map(|v| v.policies)
}

fn now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

fn err(r: pqsmime::Result<Vec<ObjectIdentifier>>) -> String {
    let e = r.expect_err("path should fail");
    assert!(matches!(e, Error::Certificate(_)), "{e:?}");
    e.to_string()
}

/// The certificates of the SignedData in the `smime.p7s` part of a multipart/signed message.
fn p7s_certificates(eml: &[u8]) -> Vec<Certificate> {
    let text = String::from_utf8_lossy(eml);
    let start = text.find("filename=\"smime.p7s\"").expect("p7s part");
    let body = &text[start..];
    let body = &body[body.find("\n\n").or_else(|| body.find("\r\n\r\n")).unwrap()..];
    let b64: String = body
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).unwrap();
    // ContentInfo { contentType, [0] { SignedData { version, digestAlgorithms,
    //   encapContentInfo, [0] certificates ... } } }
    let ci = Reader::new(&der).read().unwrap();
    let mut r = ci.reader(Rules::Ber);
    r.read().unwrap(); // contentType
    let explicit = r.read().unwrap();
    let sd = explicit.reader(Rules::Ber).read().unwrap();
    let mut sr = sd.reader(Rules::Ber);
    sr.read().unwrap(); // version
    sr.read().unwrap(); // digestAlgorithms
    sr.read().unwrap(); // encapContentInfo
    let certs = sr.read().unwrap();
    assert_eq!(certs.tag, 0xA0);
    let mut cr = certs.reader(Rules::Der);
    let mut out = Vec::new();
    while !cr.is_empty() {
        out.push(Certificate::from_der(cr.read().unwrap().raw).unwrap());
    }
    out
}

#[test]
fn pkits_invalid_mapping_from_any_policy_test7_fails() {
    let eml = read("openssl-cms-testdata/smime-eml/SignedInvalidMappingFromanyPolicyTest7.eml");
    let anchor = cert("openssl-cms-testdata/certs/pkitsta.pem");
    let certs = p7s_certificates(&eml);
    assert_eq!(certs.len(), 2, "{certs:?}");
    let ee = certs
        .iter()
        .find(|c| !c.is_ca())
        .expect("end entity")
        .clone();
    // The PKITS certificates are valid 2010-2030: validate at 2020-01-01.
    let at = at(1_577_836_800);
    let err = validate_path(&ee, &certs, &[anchor.clone()], at, Purpose::EmailSigning)
        .expect_err("PKITS 4.10.7 must fail");
    let msg = err.to_string();
    assert!(
        msg.contains("RFC 5280 §6.1.4 (a)")
            && msg.contains("Mapping From anyPolicy CA")
            && msg.contains("maps anyPolicy"),
        "{msg}"
    );
    // Every user policy setting fails alike: the mapping itself is invalid.
    for initial in [
        vec![],
        vec![ObjectIdentifier::new_unwrap("2.16.840.1.101.3.2.1.48.1")],
    ] {
        let policy = PolicyOptions {
            initial_policy_set: initial,
            require_explicit_policy: true,
            ..PolicyOptions::default()
        };
        let anchors = [anchor.clone()];
        let opts = PathOptions {
            policy: &policy,
            ..PathOptions::new(&certs, &anchors, at, Purpose::EmailSigning)
        };
        assert!(validate(&ee, &opts).is_err());
    }
}

#[test]
fn common_policy_is_reported_and_user_set_is_enforced() {
    let p = pki();
    let sub_key = key("ed25519");
    let sub = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&p.root, &p.root_key),
        vec![policies_ext(&[P1, P2])],
    );
    let ee = leaf((&sub, &sub_key), vec![policies_ext(&[P1])]);
    let inter = [sub.clone()];
    assert_eq!(
        run(&ee, &inter, &p.root, &PolicyOptions::default()).unwrap(),
        [P1]
    );
    let only_p2 = PolicyOptions {
        initial_policy_set: vec![P2],
        require_explicit_policy: true,
        ..PolicyOptions::default()
    };
    let msg = err(run(&ee, &inter, &p.root, &only_p2));
    assert!(
        msg.contains("§6.1.5 (g)") && msg.contains(&P2.to_string()),
        "{msg}"
    );
    // Without requiring an explicit policy the same path is valid (for no policy of the set).
    let lenient = PolicyOptions {
        require_explicit_policy: false,
        ..only_p2.clone()
    };
    assert!(run(&ee, &inter, &p.root, &lenient).unwrap().is_empty());
}

#[test]
fn require_explicit_policy_from_a_ca() {
    let p = pki();
    let sub_key = key("ed25519");
    let sub = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&p.root, &p.root_key),
        vec![policies_ext(&[P1]), constraints_ext(Some(0), None)],
    );
    // The end entity asserts no policy at all.
    let bare = leaf((&sub, &sub_key), vec![]);
    let msg = err(run(
        &bare,
        &[sub.clone()],
        &p.root,
        &PolicyOptions::default(),
    ));
    assert!(
        msg.contains("§6.1.3 (f)")
            && msg.contains("policyConstraints of 'CN=Sub,O=Example,C=DE'")
            && msg.contains("has no certificatePolicies"),
        "{msg}"
    );
    // A different policy than the CA's also fails.
    let other = leaf((&sub, &sub_key), vec![policies_ext(&[P2])]);
    assert!(run(&other, &[sub.clone()], &p.root, &PolicyOptions::default()).is_err());
    let good = leaf((&sub, &sub_key), vec![policies_ext(&[P1])]);
    assert_eq!(
        run(&good, &[sub], &p.root, &PolicyOptions::default()).unwrap(),
        [P1]
    );
}

#[test]
fn policy_mapping_and_its_inhibition() {
    let p = pki();
    let sub_key = key("ed25519");
    // Sub (P1, maps P1 -> P2) -> EE (P2): valid for P1 in the issuer's domain.
    let sub = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&p.root, &p.root_key),
        vec![policies_ext(&[P1]), mappings_ext(&[(P1, P2)])],
    );
    let ee = leaf((&sub, &sub_key), vec![policies_ext(&[P2])]);
    let want_p1 = PolicyOptions {
        initial_policy_set: vec![P1],
        require_explicit_policy: true,
        ..PolicyOptions::default()
    };
    assert_eq!(run(&ee, &[sub.clone()], &p.root, &want_p1).unwrap(), [P1]);
    // With mapping inhibited by the caller, the mapped policy is gone.
    let inhibited = PolicyOptions {
        inhibit_policy_mapping: true,
        ..want_p1.clone()
    };
    let msg = err(run(&ee, &[sub], &p.root, &inhibited));
    assert!(msg.contains("explicit policy is required"), "{msg}");
    // ... and likewise when a CA above inhibits it (inhibitPolicyMapping 0 on the CA that
    // issued the mapping CA).
    let top_key = key("ed25519");
    let top = ca(
        "CN=Top,O=Example,C=DE",
        &top_key,
        (&p.root, &p.root_key),
        vec![policies_ext(&[ANY_POLICY]), constraints_ext(None, Some(0))],
    );
    let sub2 = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&top, &top_key),
        vec![policies_ext(&[P1]), mappings_ext(&[(P1, P2)])],
    );
    let ee2 = leaf((&sub2, &sub_key), vec![policies_ext(&[P2])]);
    let msg = err(run(&ee2, &[top.clone(), sub2.clone()], &p.root, &want_p1));
    assert!(msg.contains("explicit policy is required"), "{msg}");
    // A mapping to anyPolicy is refused structurally.
    let bad = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&p.root, &p.root_key),
        vec![policies_ext(&[P1]), mappings_ext(&[(P1, ANY_POLICY)])],
    );
    let ee3 = leaf((&bad, &sub_key), vec![policies_ext(&[P1])]);
    let msg = err(run(&ee3, &[bad], &p.root, &PolicyOptions::default()));
    assert!(
        msg.contains("§6.1.4 (a)") && msg.contains("to anyPolicy"),
        "{msg}"
    );
}

#[test]
fn inhibit_any_policy_stops_any_policy_below() {
    let p = pki();
    let sub_key = key("ed25519");
    // Sub asserts anyPolicy, requires an explicit policy and inhibits anyPolicy below it;
    // the end entity asserting only anyPolicy is then not valid for any policy.
    let sub = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&p.root, &p.root_key),
        vec![
            policies_ext(&[ANY_POLICY]),
            constraints_ext(Some(0), None),
            inhibit_any_ext(0),
        ],
    );
    let any_ee = leaf((&sub, &sub_key), vec![policies_ext(&[ANY_POLICY])]);
    let msg = err(run(
        &any_ee,
        &[sub.clone()],
        &p.root,
        &PolicyOptions::default(),
    ));
    assert!(msg.contains("explicit policy is required"), "{msg}");
    // A concrete policy under the anyPolicy CA is fine.
    let p1_ee = leaf((&sub, &sub_key), vec![policies_ext(&[P1])]);
    assert_eq!(
        run(&p1_ee, &[sub], &p.root, &PolicyOptions::default()).unwrap(),
        [P1]
    );
    // Without inhibition anyPolicy flows through to the end entity.
    let sub_any = ca(
        "CN=Sub,O=Example,C=DE",
        &sub_key,
        (&p.root, &p.root_key),
        vec![policies_ext(&[ANY_POLICY]), constraints_ext(Some(0), None)],
    );
    let any_ee = leaf((&sub_any, &sub_key), vec![policies_ext(&[ANY_POLICY])]);
    assert_eq!(
        run(&any_ee, &[sub_any], &p.root, &PolicyOptions::default()).unwrap(),
        [ANY_POLICY]
    );
}

#[test]
fn policy_graph_budget_is_a_named_limit() {
    // Every certificate of a long path asserts 1000 policies: more than the node budget.
    let p = pki();
    let many: Vec<ObjectIdentifier> = (1..=1000u32)
        .map(|i| ObjectIdentifier::new(&format!("1.3.6.1.4.1.55555.7.{i}")).unwrap())
        .collect();
    let mut issuer = (p.root.clone(), p.root_key.clone_for_test());
    let mut inter = Vec::new();
    for i in 0..5 {
        let k = key("ed25519");
        let c = ca(
            &format!("CN=Sub {i},O=Example,C=DE"),
            &k,
            (&issuer.0, &issuer.1),
            vec![policies_ext(&many)],
        );
        inter.push(c.clone());
        issuer = (c, k);
    }
    let ee = leaf((&issuer.0, &issuer.1), vec![policies_ext(&many)]);
    let e = run(&ee, &inter, &p.root, &PolicyOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Limit(_)), "{e:?}");
    assert!(e.to_string().contains("policy nodes"), "{e}");
}

/// `PrivateKey` is not `Clone`; a test-only copy through PKCS #8.
trait CloneForTest {
    fn clone_for_test(&self) -> PrivateKey;
}

impl CloneForTest for PrivateKey {
    fn clone_for_test(&self) -> PrivateKey {
        PrivateKey::from_pkcs8_der(&self.to_pkcs8_der().unwrap()).unwrap()
    }
}
