//! Name constraints in path validation (RFC 5280 §4.2.1.10, §6.1.3 (b)(c), §6.1.4 (g)):
//! email addresses (rfc822Name, SmtpUTF8Mailbox, emailAddress in the subject), directory
//! names, intersection over several CAs, constraints on the trust anchor, and forms that
//! cannot be compared.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use pqsmime::asn1;
use pqsmime::keys::PrivateKey;
use pqsmime::oids;
use pqsmime::x509::{validate_path, Certificate, CertificateBuilder, Extension, Purpose, Usage};
use x509_common::*;

/// GeneralSubtrees of rfc822Name bases.
fn rfc822(bases: &[&str]) -> Vec<u8> {
    bases
        .iter()
        .flat_map(|b| asn1::sequence(&[&asn1::tlv(0x81, b.as_bytes())]))
        .collect()
}

/// GeneralSubtrees of directoryName bases (RFC 4514 strings).
fn dirs(bases: &[&str]) -> Vec<u8> {
    bases
        .iter()
        .flat_map(|b| {
            let name = pqsmime::x509::parse_dn(b).unwrap();
            asn1::sequence(&[&asn1::tlv(0xA4, &name)])
        })
        .collect()
}

fn nc(permitted: Option<Vec<u8>>, excluded: Option<Vec<u8>>) -> Extension {
    let mut body = Vec::new();
    if let Some(p) = permitted {
        body.extend(asn1::tlv(0xA0, &p));
    }
    if let Some(x) = excluded {
        body.extend(asn1::tlv(0xA1, &x));
    }
    Extension {
        oid: oids::EXT_NAME_CONSTRAINTS,
        critical: true,
        value: asn1::tlv(0x30, &body),
    }
}

fn ca_with(
    dn: &str,
    k: &PrivateKey,
    issuer: Option<(&Certificate, &PrivateKey)>,
    ext: Option<Extension>,
) -> Certificate {
    CertificateBuilder::ca(dn, k)
        .unwrap()
        .profile(Tweak(move |e: &mut Vec<Extension>| {
            if let Some(x) = &ext {
                set_ext(e, x.clone());
            }
        }))
        .sign(issuer)
        .unwrap()
}

fn leaf(email: &str, subject: Option<&str>, issuer: (&Certificate, &PrivateKey)) -> Certificate {
    let k = key("ed25519");
    let mut b = CertificateBuilder::end_entity(email, &k.public_key(), Usage::Sign).unwrap();
    if let Some(s) = subject {
        b = b.subject(s).unwrap();
    }
    b.sign(Some(issuer)).unwrap()
}

struct Pki {
    root_key: PrivateKey,
    root: Certificate,
    sub_key: PrivateKey,
}

fn pki() -> Pki {
    let root_key = key("ed25519");
    let root = root("CN=NC Root,O=Example,C=DE", &root_key);
    Pki {
        root_key,
        root,
        sub_key: key("ed25519"),
    }
}

fn sub(p: &Pki, ext: Extension) -> Certificate {
    ca_with(
        "CN=NC Sub,O=Example,C=DE",
        &p.sub_key,
        Some((&p.root, &p.root_key)),
        Some(ext),
    )
}

fn check(ee: &Certificate, inter: &[Certificate], root: &Certificate) -> Result<(), String> {
    validate_path(
        ee,
        inter,
        &[root.clone()],
        std::time::SystemTime::now(),
        Purpose::EmailSigning,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[test]
fn permitted_mail_domains() {
    let p = pki();
    let s = sub(
        &p,
        nc(Some(rfc822(&["example.com", ".corp.example"])), None),
    );
    let inter = [s.clone()];
    for (email, ok) in [
        ("alice@example.com", true),
        ("alice@EXAMPLE.com", true),
        ("bob@mail.corp.example", true),
        ("bob@corp.example", false),
        ("eve@mail.example.com", false),
        ("eve@example.org", false),
    ] {
        let ee = leaf(email, None, (&s, &p.sub_key));
        let r = check(&ee, &inter, &p.root);
        assert_eq!(r.is_ok(), ok, "{email}: {r:?}");
        if let Err(msg) = r {
            assert!(
                msg.contains("name constraints violated (RFC 5280 §6.1.3 (b)(c))")
                    && msg.contains(
                        "is not within the permitted subtrees of CA 'CN=NC Sub,O=Example,C=DE'"
                    ),
                "{msg}"
            );
        }
    }
}

#[test]
fn excluded_mailboxes_and_hosts() {
    let p = pki();
    let s = sub(
        &p,
        nc(
            None,
            Some(rfc822(&["ceo@example.com", "partner.example.com"])),
        ),
    );
    let inter = [s.clone()];
    assert!(check(
        &leaf("alice@example.com", None, (&s, &p.sub_key)),
        &inter,
        &p.root
    )
    .is_ok());
    let msg = check(
        &leaf("ceo@example.com", None, (&s, &p.sub_key)),
        &inter,
        &p.root,
    )
    .unwrap_err();
    assert!(
        msg.contains("is within the excluded subtree 'ceo@example.com'"),
        "{msg}"
    );
    assert!(check(
        &leaf("x@partner.example.com", None, (&s, &p.sub_key)),
        &inter,
        &p.root
    )
    .is_err());
}

#[test]
fn smtp_utf8_mailboxes_and_subject_email_attributes_are_constrained() {
    let p = pki();
    let s = sub(&p, nc(Some(rfc822(&["example.com"])), None));
    let inter = [s.clone()];
    // SmtpUTF8Mailbox (non-ASCII local part): domain constraints apply (RFC 9598 §6).
    assert!(check(
        &leaf("jörg@example.com", None, (&s, &p.sub_key)),
        &inter,
        &p.root
    )
    .is_ok());
    let s2 = sub(&p, nc(Some(rfc822(&["example.org"])), None));
    let msg = check(
        &leaf("jörg@example.com", None, (&s2, &p.sub_key)),
        &[s2.clone()],
        &p.root,
    )
    .unwrap_err();
    assert!(msg.contains("mailbox 'jörg@example.com'"), "{msg}");
    // An emailAddress attribute in the subject outside the constraint fails even when the
    // subjectAltName is fine.
    let ee = leaf(
        "alice@example.com",
        Some("CN=Alice,emailAddress=alice@example.net"),
        (&s, &p.sub_key),
    );
    let msg = check(&ee, &inter, &p.root).unwrap_err();
    assert!(msg.contains("mailbox 'alice@example.net'"), "{msg}");
}

#[test]
fn directory_name_constraints() {
    let p = pki();
    let s = sub(&p, nc(Some(dirs(&["O=Example,C=DE"])), None));
    let inter = [s.clone()];
    let inside = leaf(
        "alice@example.com",
        Some("CN=Alice,O=Example,C=DE"),
        (&s, &p.sub_key),
    );
    assert!(check(&inside, &inter, &p.root).is_ok());
    // case and spacing do not matter (RFC 5280 §7.1)
    let folded = leaf(
        "alice@example.com",
        Some("CN=Alice,O=  EXAMPLE ,C=DE"),
        (&s, &p.sub_key),
    );
    assert!(check(&folded, &inter, &p.root).is_ok());
    let outside = leaf(
        "alice@example.com",
        Some("CN=Alice,O=Other,C=DE"),
        (&s, &p.sub_key),
    );
    let msg = check(&outside, &inter, &p.root).unwrap_err();
    assert!(
        msg.contains("directoryName 'CN=Alice,O=Other,C=DE'")
            && msg.contains("not within the permitted subtrees"),
        "{msg}"
    );
    // excluded directory subtree
    let s2 = sub(&p, nc(None, Some(dirs(&["OU=Blocked,O=Example,C=DE"]))));
    let blocked = leaf(
        "alice@example.com",
        Some("CN=Alice,OU=Blocked,O=Example,C=DE"),
        (&s2, &p.sub_key),
    );
    assert!(check(&blocked, &[s2], &p.root).is_err());
}

#[test]
fn constraints_of_several_cas_intersect_and_the_anchor_counts() {
    // Root permits example.com and example.org; Sub permits example.org: only example.org
    // mailboxes pass.
    let root_key = key("ed25519");
    let root = ca_with(
        "CN=Constrained Root",
        &root_key,
        None,
        Some(nc(Some(rfc822(&["example.com", "example.org"])), None)),
    );
    let sub_key = key("ed25519");
    let s = ca_with(
        "CN=Sub",
        &sub_key,
        Some((&root, &root_key)),
        Some(nc(Some(rfc822(&["example.org"])), None)),
    );
    let inter = [s.clone()];
    assert!(check(&leaf("a@example.org", None, (&s, &sub_key)), &inter, &root).is_ok());
    let msg = check(&leaf("a@example.com", None, (&s, &sub_key)), &inter, &root).unwrap_err();
    assert!(msg.contains("of CA 'CN=Sub'"), "{msg}");
    // The anchor's own constraints apply to an unconstrained intermediate's subjects.
    let plain = ca_with("CN=Plain Sub", &sub_key, Some((&root, &root_key)), None);
    let msg = check(
        &leaf("a@example.net", None, (&plain, &sub_key)),
        &[plain.clone()],
        &root,
    )
    .unwrap_err();
    assert!(msg.contains("of CA 'CN=Constrained Root'"), "{msg}");
}

#[test]
fn forms_that_cannot_be_compared_fail_only_when_present() {
    let p = pki();
    // An x400Address constraint: irrelevant for certificates without such names.
    let x400 = asn1::sequence(&[&asn1::tlv(0xA3, &asn1::sequence(&[]))]);
    let s = sub(&p, nc(Some(x400), None));
    assert!(check(
        &leaf("alice@example.com", None, (&s, &p.sub_key)),
        &[s.clone()],
        &p.root
    )
    .is_ok());
    // A subtree with a maximum is outside the RFC 5280 profile: the CA is refused.
    let with_max = asn1::sequence(&[&asn1::tlv(0x81, b"example.com"), &[0x81, 0x01, 0x02]]);
    let s2 = sub(&p, nc(Some(with_max), None));
    let msg = check(
        &leaf("alice@example.com", None, (&s2, &p.sub_key)),
        &[s2.clone()],
        &p.root,
    )
    .unwrap_err();
    assert!(msg.contains("nameConstraints of 'CN=NC Sub"), "{msg}");
}
