//! S/MIME BR issuance (`x509::issue_smime`, `issue_split_pair`, `issue_subordinate_ca`):
//! * every non-Legacy profile with ML-DSA and ML-KEM keys, and every allowed key type and use
//!   (RSA, EC P-256/384/521, Ed25519, ML-DSA-44/65/87, ML-KEM-512/768/1024, dual use), lint
//!   clean in our linter and — when `lint_cabf_smime_cert` is on the PATH
//!   (`pip install pkilint==0.13.3`) — in DigiCert pkilint;
//! * the same certificates with one rule broken on purpose fail in both linters;
//! * exact encodings (signature and SPKI AlgorithmIdentifiers, keyUsage bits, policy OID,
//!   validity length, serial), and path validation through the subordinate CA;
//! * what the SBR forbid is refused with the rule cited.
// `&[cert.clone()]` reads better than `std::slice::from_ref(&cert)` in these tables of cases.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod x509_common;

use std::process::Command;
use std::time::SystemTime;

use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::lint::{self, LintOptions, SmimeProfile};
use pqsmime::oids;
use pqsmime::x509::{
    issue_smime, issue_split_pair, issue_subordinate_ca, validate_path, CaUrls, Certificate,
    CertificateBuilder, Extension, IssueRequest, KeyUsage, Profile, Purpose, SmimeRequest,
    SubjectIdentity, SubordinateCaRequest, Usage,
};
use x509_common::*;

struct Hierarchy {
    root: Certificate,
    ca_key: PrivateKey,
    ca: Certificate,
}

/// Root (ML-DSA-87) → issuing CA (`ca_alg`) made with the subordinate CA profile.
fn hierarchy(ca_alg: &str) -> Hierarchy {
    let root_key = key("ml-dsa-87");
    let root = CertificateBuilder::ca("CN=Example S/MIME Root,O=Example Ltd,C=GB", &root_key)
        .unwrap()
        .days(7300)
        .sign(None)
        .unwrap();
    let ca_key = key(ca_alg);
    let sub = issue_subordinate_ca(
        &SubordinateCaRequest {
            subject: format!("CN=Example S/MIME Issuing CA {ca_alg},O=Example Ltd,C=GB"),
            key: &ca_key.public_key(),
            urls: CaUrls {
                crl: vec!["http://crl.example.com/root.crl".into()],
                ca_issuers: vec!["http://ca.example.com/root.crt".into()],
                ocsp: vec![],
            },
            profiles: vec![],
            path_len: None,
            permitted_email_domains: vec![],
            days: 1825,
            issued_at: None,
        },
        &root,
        &root_key,
    )
    .unwrap_or_else(|e| panic!("subordinate CA ({ca_alg}): {e}"));
    assert!(
        issue_notes_ok(&sub.findings),
        "subordinate CA findings: {:?}",
        sub.findings
    );
    Hierarchy {
        root,
        ca_key,
        ca: sub.certificate,
    }
}

fn issue_notes_ok(f: &[lint::Finding]) -> bool {
    lint::passes(f)
}

fn urls() -> CaUrls {
    CaUrls {
        crl: vec!["http://crl.example.com/issuing.crl".into()],
        ca_issuers: vec!["http://ca.example.com/issuing.crt".into()],
        ocsp: vec![],
    }
}

fn profile(n: &str) -> SmimeProfile {
    SmimeProfile::from_name(n).unwrap()
}

/// A validated identity that fits the profile's type.
fn identity(p: SmimeProfile) -> SubjectIdentity {
    use pqsmime::lint::CertificateType::*;
    let org = |i: SubjectIdentity| SubjectIdentity {
        organization: Some("Example Ltd".into()),
        organization_identifier: Some("NTRGB-12345678".into()),
        country: Some("GB".into()),
        ..i
    };
    let person = SubjectIdentity {
        given_name: Some("Alice".into()),
        surname: Some("Example".into()),
        ..SubjectIdentity::default()
    };
    match p.cert_type {
        Mailbox => SubjectIdentity::default(),
        Organization => org(SubjectIdentity::default()),
        Sponsored => org(person),
        Individual => SubjectIdentity {
            country: Some("GB".into()),
            ..person
        },
    }
}

struct Case {
    name: String,
    cert: Certificate,
    expect_error: bool,
}

fn request<'a>(p: SmimeProfile, k: &'a PublicKey, usage: Usage) -> SmimeRequest<'a> {
    SmimeRequest {
        identity: identity(p),
        ..SmimeRequest::new(p, k, usage, "alice@example.com", urls())
    }
}

const SIG_ALG_DER: &[(&str, &str)] = &[
    ("ml-dsa-44", "300b0609608648016503040311"),
    ("ml-dsa-65", "300b0609608648016503040312"),
    ("ml-dsa-87", "300b0609608648016503040313"),
    ("ec-p256", "300a06082a8648ce3d040302"),
    ("ec-p384", "300a06082a8648ce3d040303"),
    ("rsa-4096", "300d06092a864886f70d01010d0500"),
    ("ed25519", "300506032b6570"),
];

const SPKI_ALG_DER: &[(&str, &str)] = &[
    ("ml-dsa-44", "300b0609608648016503040311"),
    ("ml-dsa-65", "300b0609608648016503040312"),
    ("ml-dsa-87", "300b0609608648016503040313"),
    ("ml-kem-512", "300b0609608648016503040401"),
    ("ml-kem-768", "300b0609608648016503040402"),
    ("ml-kem-1024", "300b0609608648016503040403"),
    ("rsa-2048", "300d06092a864886f70d0101010500"),
    ("rsa-3072", "300d06092a864886f70d0101010500"),
    ("ec-p256", "301306072a8648ce3d020106082a8648ce3d030107"),
    ("ec-p384", "301006072a8648ce3d020106052b81040022"),
    ("ec-p521", "301006072a8648ce3d020106052b81040023"),
    ("ed25519", "300506032b6570"),
];

fn spki_alg(cert: &Certificate) -> String {
    let r = pqsmime::asn1::Reader::new(cert.spki_der()).read().unwrap();
    let alg = r.reader(pqsmime::asn1::Rules::Der).read().unwrap();
    hex::encode(alg.raw)
}

/// Checks the fixed parts of a subscriber certificate issued by `h`.
fn check_encoding(name: &str, kind: &str, c: &Certificate, h: &Hierarchy, p: SmimeProfile) {
    let (_, want_sig) = SIG_ALG_DER
        .iter()
        .find(|(k, _)| *k == h.ca_key.kind().name())
        .expect("CA algorithm in table");
    assert_eq!(
        hex::encode(c.signature_algorithm_der()),
        *want_sig,
        "{name}"
    );
    let (_, want_spki) = SPKI_ALG_DER.iter().find(|(k, _)| *k == kind).unwrap();
    assert_eq!(spki_alg(c), *want_spki, "{name}");
    let secs = c
        .not_after()
        .duration_since(c.not_before())
        .unwrap()
        .as_secs();
    assert_eq!(secs, 365 * 86_400 - 1, "{name}: validity");
    assert_eq!(c.serial_bytes().len(), 16, "{name}: serial");
    assert!(
        c.serial_bytes()[0] & 0x80 == 0 && c.serial_bytes()[0] != 0,
        "{name}"
    );
    let policies = c.extension(&oids::EXT_CERTIFICATE_POLICIES).unwrap();
    assert!(
        contains(&policies.value, p.policy_oid().as_bytes()),
        "{name}"
    );
    assert_eq!(
        c.extended_key_usage().unwrap().first(),
        Some(&oids::KP_EMAIL_PROTECTION)
    );
    assert!(c.extension(&oids::EXT_CRL_DISTRIBUTION_POINTS).is_some());
    assert!(c.extension(&oids::EXT_AUTHORITY_INFO_ACCESS).is_some());
    assert!(!c.is_ca() && c.basic_constraints().is_none(), "{name}");
    assert_eq!(
        c.authority_key_identifier(),
        h.ca.subject_key_identifier(),
        "{name}"
    );
    assert_eq!(c.email_addresses()[0], "alice@example.com");
}

fn good_cases(h: &Hierarchy) -> Vec<Case> {
    let mut out = Vec::new();
    let mut add =
        |name: String, p: SmimeProfile, kind: &str, req: &SmimeRequest<'_>, ku: KeyUsage| {
            let issued =
                issue_smime(req, &h.ca, &h.ca_key).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                lint::passes(&issued.findings),
                "{name}: {:?}",
                issued.findings
            );
            assert!(issued.notes.is_empty(), "{name}: {:?}", issued.notes);
            let c = issued.certificate;
            check_encoding(&name, kind, &c, h, p);
            assert_eq!(c.key_usage(), Some(ku), "{name}");
            out.push(Case {
                name,
                cert: c,
                expect_error: false,
            });
        };
    let dsa = key("ml-dsa-65").public_key();
    let kem = key("ml-kem-768").public_key();
    for p in SmimeProfile::ALL
        .into_iter()
        .filter(|p| p.generation != lint::Generation::Legacy)
    {
        add(
            format!("{p}/ml-dsa-65"),
            p,
            "ml-dsa-65",
            &request(p, &dsa, Usage::Sign),
            KeyUsage::DIGITAL_SIGNATURE,
        );
        add(
            format!("{p}/ml-kem-768"),
            p,
            "ml-kem-768",
            &request(p, &kem, Usage::Encrypt),
            KeyUsage::KEY_ENCIPHERMENT,
        );
    }
    let ms = profile("mailbox-strict");
    let ds = KeyUsage::DIGITAL_SIGNATURE;
    for (kind, usage, ku) in [
        ("ml-dsa-44", Usage::Sign, ds),
        ("ml-dsa-87", Usage::Sign, ds),
        ("ml-kem-512", Usage::Encrypt, KeyUsage::KEY_ENCIPHERMENT),
        ("ml-kem-1024", Usage::Encrypt, KeyUsage::KEY_ENCIPHERMENT),
        ("rsa-2048", Usage::Sign, ds),
        ("rsa-2048", Usage::Encrypt, KeyUsage::KEY_ENCIPHERMENT),
        ("ec-p256", Usage::Sign, ds),
        ("ec-p384", Usage::Encrypt, KeyUsage::KEY_AGREEMENT),
        ("ec-p521", Usage::Sign, ds),
        ("ed25519", Usage::Sign, ds),
    ] {
        let pk = key(kind).public_key();
        add(
            format!("{ms}/{kind}/{}", usage.name()),
            ms,
            kind,
            &request(ms, &pk, usage),
            ku,
        );
    }
    // Dual use with nonRepudiation (RSA), and an EC key with clientAuth (Multipurpose).
    let rsa = key("rsa-2048").public_key();
    let im = profile("individual-multipurpose");
    add(
        "individual-multipurpose/rsa-2048/both+nr".into(),
        im,
        "rsa-2048",
        &SmimeRequest {
            non_repudiation: true,
            ..request(im, &rsa, Usage::Both)
        },
        KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION | KeyUsage::KEY_ENCIPHERMENT,
    );
    let ec = key("ec-p256").public_key();
    let mm = profile("mailbox-multipurpose");
    add(
        "mailbox-multipurpose/ec-p256/both+clientAuth".into(),
        mm,
        "ec-p256",
        &SmimeRequest {
            client_auth: true,
            ..request(mm, &ec, Usage::Both)
        },
        KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_AGREEMENT,
    );
    // Rich subjects: pseudonym, title, emailAddress attribute, address attributes, OU, CPS.
    let ss = profile("sponsored-strict");
    add(
        "sponsored-strict/pseudonym+title+email".into(),
        ss,
        "ml-dsa-65",
        &SmimeRequest {
            identity: SubjectIdentity {
                given_name: None,
                surname: None,
                pseudonym: Some("Agent 7".into()),
                title: Some("Auditor".into()),
                email_in_subject: true,
                ..identity(ss)
            },
            ..request(ss, &dsa, Usage::Sign)
        },
        ds,
    );
    let om = profile("organization-multipurpose");
    add(
        "organization-multipurpose/address+ou+cps+ocsp".into(),
        om,
        "ml-dsa-65",
        &SmimeRequest {
            identity: SubjectIdentity {
                organizational_unit: Some("Example Trading Ltd".into()),
                street: Some("1 Example Street".into()),
                locality: Some("London".into()),
                postal_code: Some("EC1A 1AA".into()),
                ..identity(om)
            },
            cps_url: Some("https://example.com/cps".into()),
            urls: CaUrls {
                ocsp: vec!["http://ocsp.example.com".into()],
                ..urls()
            },
            ..request(om, &dsa, Usage::Sign)
        },
        ds,
    );
    out
}

/// A profile that reproduces an issued certificate's validity and extensions, with one
/// change, to break a rule on purpose.
struct Break<'c, F: Fn(&mut Vec<Extension>)> {
    good: &'c Certificate,
    edit: F,
    days: Option<u64>,
}

impl<F: Fn(&mut Vec<Extension>)> Profile for Break<'_, F> {
    fn name(&self) -> &str {
        "broken"
    }
    fn validity(&self, _: &IssueRequest<'_>) -> pqsmime::Result<(SystemTime, SystemTime)> {
        let nb = self.good.not_before();
        let na = match self.days {
            Some(d) => nb + std::time::Duration::from_secs(d * 86_400 - 1),
            None => self.good.not_after(),
        };
        Ok((nb, na))
    }
    fn extensions(&self, _: &IssueRequest<'_>) -> pqsmime::Result<Vec<Extension>> {
        let mut e = self.good.extensions().to_vec();
        (self.edit)(&mut e);
        Ok(e)
    }
}

fn rebuild(
    h: &Hierarchy,
    good: &Certificate,
    subject: Option<&[u8]>,
    days: Option<u64>,
    edit: impl Fn(&mut Vec<Extension>),
) -> Certificate {
    let pk = good.public_key().unwrap();
    let usage = if pk.kind().can_sign() {
        Usage::Sign
    } else {
        Usage::Encrypt
    };
    CertificateBuilder::end_entity("alice@example.com", &pk, usage)
        .unwrap()
        .subject_der(subject.unwrap_or(good.subject_der()))
        .unwrap()
        .profile(Break { good, edit, days })
        .sign(Some((&h.ca, &h.ca_key)))
        .unwrap()
}

fn broken_cases(h: &Hierarchy, good: &[Case]) -> Vec<Case> {
    let find = |n: &str| &good.iter().find(|c| c.name == n).unwrap().cert;
    let dsa = find("mailbox-strict/ml-dsa-65");
    let kem = find("mailbox-strict/ml-kem-768");
    let mut out = Vec::new();
    let mut add = |name: &str, c: Certificate| {
        out.push(Case {
            name: format!("broken/{name}"),
            cert: c,
            expect_error: true,
        })
    };
    add(
        "strict-server-auth",
        rebuild(h, dsa, None, None, |e| {
            set_ext(
                e,
                Extension::extended_key_usage(&[oids::KP_EMAIL_PROTECTION, oids::KP_SERVER_AUTH]),
            )
        }),
    );
    add(
        "ml-kem-digital-signature",
        rebuild(h, kem, None, None, |e| {
            set_ext(
                e,
                Extension::key_usage(KeyUsage::KEY_ENCIPHERMENT | KeyUsage::DIGITAL_SIGNATURE),
            )
        }),
    );
    add(
        "ml-dsa-key-encipherment",
        rebuild(h, dsa, None, None, |e| {
            set_ext(
                e,
                Extension::key_usage(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_ENCIPHERMENT),
            )
        }),
    );
    add(
        "validity-826-days",
        rebuild(h, dsa, None, Some(826), |_| {}),
    );
    add(
        "san-missing",
        rebuild(h, dsa, None, None, |e| {
            e.retain(|x| x.oid != oids::EXT_SUBJECT_ALT_NAME)
        }),
    );
    add(
        "crldp-https",
        rebuild(h, dsa, None, None, |e| {
            let https =
                pqsmime::asn1::sequence(&[&pqsmime::asn1::sequence(&[&pqsmime::asn1::tlv(
                    0xA0,
                    &pqsmime::asn1::tlv(
                        0xA0,
                        &pqsmime::asn1::tlv(0x86, b"https://crl.example.com/x.crl"),
                    ),
                )])]);
            set_ext(
                e,
                Extension {
                    oid: oids::EXT_CRL_DISTRIBUTION_POINTS,
                    critical: false,
                    value: https,
                },
            )
        }),
    );
    let org_subject = pqsmime::x509::parse_dn("CN=alice@example.com,O=Example Ltd").unwrap();
    add(
        "mailbox-with-organization",
        rebuild(h, dsa, Some(&org_subject), None, |_| {}),
    );
    out
}

/// Where pkilint 0.13.3 and the SBR (and our linter) differ on purpose: (case, why).
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[(
    "mailbox-strict/ec-p521/sign",
    "SBR §6.1.5 and §7.1.3.1 allow P-521 keys (smime-br.md §8.2); pkilint 0.13.3's SPKI allow-list omits secp521r1",
)];

fn pkilint_present() -> bool {
    Command::new("lint_cabf_smime_cert")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// pkilint's verdict for one PEM file: Ok(true) when it reports an ERROR or FATAL finding.
fn pkilint_has_error(path: &std::path::Path) -> Result<(bool, String), String> {
    let out = Command::new("lint_cabf_smime_cert")
        .args(["lint", "-d", "-s", "ERROR"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run pkilint: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Could not determine") || stderr.contains("Failed to load") {
        return Err(format!(
            "pkilint refused the certificate: {}",
            stderr.trim()
        ));
    }
    Ok((
        stdout.contains("(ERROR)") || stdout.contains("(FATAL)"),
        stdout,
    ))
}

#[test]
fn every_profile_and_key_type_lints_clean_and_broken_ones_fail() {
    let h = hierarchy("ml-dsa-65");
    let good = good_cases(&h);
    let broken = broken_cases(&h, &good);
    let mut problems = Vec::new();
    for c in good.iter().chain(&broken) {
        let r = lint::lint(
            c.cert.der(),
            &LintOptions {
                profile: None,
                issuer_der: Some(h.ca.der()),
            },
        )
        .unwrap();
        if r.passed() == c.expect_error {
            problems.push(format!(
                "{}: our linter says {}:\n{}",
                c.name,
                if r.passed() { "no error" } else { "error" },
                lint::format_text(&r.findings)
            ));
        }
        // The good ones also validate through the issuing CA to the root.
        if !c.expect_error {
            let purpose = if c
                .cert
                .key_usage()
                .is_some_and(|k| k.contains(KeyUsage::DIGITAL_SIGNATURE))
            {
                Purpose::EmailSigning
            } else {
                Purpose::EmailEncryption
            };
            validate_path(
                &c.cert,
                &[h.ca.clone()],
                &[h.root.clone()],
                SystemTime::now(),
                purpose,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        }
    }
    if !pkilint_present() {
        println!("pkilint not installed — skipped (pip install pkilint==0.13.3)");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let all: Vec<&Case> = good.iter().chain(&broken).collect();
    let jobs: Vec<(usize, std::path::PathBuf)> = all
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let p = dir.path().join(format!("{i:03}.pem"));
            std::fs::write(&p, c.cert.to_pem()).unwrap();
            (i, p)
        })
        .collect();
    type Verdict = Result<(bool, String), String>;
    let verdicts: Vec<(usize, Verdict)> = std::thread::scope(|s| {
        let halves: Vec<Vec<(usize, std::path::PathBuf)>> = (0..2)
            .map(|k| jobs.iter().filter(|(i, _)| i % 2 == k).cloned().collect())
            .collect();
        let handles: Vec<_> = halves
            .into_iter()
            .map(|part| {
                s.spawn(move || {
                    part.into_iter()
                        .map(|(i, p)| (i, pkilint_has_error(&p)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (i, v) in verdicts {
        let c = all[i];
        let known = KNOWN_DISAGREEMENTS.iter().find(|(n, _)| *n == c.name);
        match (v, known) {
            (Ok((has_error, _)), Some((_, why))) if has_error != c.expect_error => {
                println!("known disagreement  {}: {why}", c.name);
                continue;
            }
            (Ok(_), Some(_)) => {
                problems.push(format!(
                    "{}: listed as a known disagreement but pkilint now agrees; update the list",
                    c.name
                ));
                continue;
            }
            (v, _) => match v {
                Err(e) => problems.push(format!("{}: {e}", c.name)),
                Ok((has_error, out)) if has_error != c.expect_error => problems.push(format!(
                    "{}: pkilint says {}, expected {}:\n{out}",
                    c.name,
                    if has_error { "error" } else { "no error" },
                    if c.expect_error { "error" } else { "no error" }
                )),
                Ok(_) => println!(
                    "pkilint agrees  {} ({})",
                    c.name,
                    if c.expect_error { "error" } else { "clean" }
                ),
            },
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn issuing_cas_of_other_key_types() {
    // RSA-4096 (SMC017v2: CA keys of at least 4096 bits), EC P-384 and Ed25519 issuing CAs give their exact signature encodings.
    for alg in ["rsa-4096", "ec-p384", "ed25519", "ml-dsa-44"] {
        let h = hierarchy(alg);
        let p = profile("individual-strict");
        let k = key("ml-dsa-44").public_key();
        let issued = issue_smime(&request(p, &k, Usage::Sign), &h.ca, &h.ca_key)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        check_encoding(alg, "ml-dsa-44", &issued.certificate, &h, p);
    }
}

#[test]
fn split_use_pair_for_one_mailbox() {
    let h = hierarchy("ml-dsa-65");
    let sign = key("ml-dsa-65").public_key();
    let kem = key("ml-kem-768").public_key();
    let p = profile("individual-strict");
    let template = SmimeRequest {
        non_repudiation: true,
        ..request(p, &sign, Usage::Sign)
    };
    let (s, e) = issue_split_pair(&template, &sign, &kem, &h.ca, &h.ca_key).unwrap();
    let (s, e) = (s.certificate, e.certificate);
    assert_eq!(s.subject_der(), e.subject_der());
    assert_eq!(s.email_addresses(), e.email_addresses());
    assert_eq!(
        s.key_usage(),
        Some(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::NON_REPUDIATION)
    );
    assert_eq!(e.key_usage(), Some(KeyUsage::KEY_ENCIPHERMENT));
    let anchors = [h.root.clone()];
    let inter = [h.ca.clone()];
    let now = SystemTime::now();
    validate_path(&s, &inter, &anchors, now, Purpose::EmailSigning).unwrap();
    validate_path(&e, &inter, &anchors, now, Purpose::EmailEncryption).unwrap();
    assert!(validate_path(&e, &inter, &anchors, now, Purpose::EmailSigning).is_err());
    // The pair must really be split: two signature keys are refused.
    assert!(issue_split_pair(&template, &sign, &sign, &h.ca, &h.ca_key).is_err());
}

#[test]
fn what_the_br_forbid_is_refused_with_the_rule() {
    let h = hierarchy("ml-dsa-65");
    let dsa = key("ml-dsa-65").public_key();
    let kem = key("ml-kem-768").public_key();
    let ms = profile("mailbox-strict");
    let refused = |req: SmimeRequest<'_>| -> String {
        issue_smime(&req, &h.ca, &h.ca_key)
            .expect_err("must be refused")
            .to_string()
    };
    let e = refused(request(profile("mailbox-legacy"), &dsa, Usage::Sign));
    assert!(e.contains("§7.1.6.1") && e.contains("Legacy"), "{e}");
    let slh = key("slh-dsa-sha2-128f").public_key();
    let e = refused(request(ms, &slh, Usage::Sign));
    assert!(
        e.contains("slh-dsa-sha2-128f") && e.contains("§6.1.5"),
        "{e}"
    );
    let x = key("x25519").public_key();
    let e = refused(request(ms, &x, Usage::Encrypt));
    assert!(e.contains("X25519") && e.contains("§6.1.5"), "{e}");
    let e = refused(request(ms, &kem, Usage::Sign));
    assert!(
        e.contains("keyEncipherment") && e.contains("RFC 9935"),
        "{e}"
    );
    let e = refused(request(ms, &dsa, Usage::Encrypt));
    assert!(e.contains("signing-only"), "{e}");
    let e = refused(SmimeRequest {
        days: 826,
        ..request(ms, &dsa, Usage::Sign)
    });
    assert!(e.contains("§6.3.2") && e.contains("825"), "{e}");
    let e = refused(SmimeRequest {
        urls: CaUrls {
            crl: vec!["https://crl.example.com/x.crl".into()],
            ..urls()
        },
        ..request(ms, &dsa, Usage::Sign)
    });
    assert!(e.contains("not an http:// URL"), "{e}");
    let e = refused(SmimeRequest {
        urls: CaUrls::default(),
        ..request(ms, &dsa, Usage::Sign)
    });
    assert!(e.contains("cRLDistributionPoints"), "{e}");
    let e = refused(SmimeRequest {
        client_auth: true,
        ..request(ms, &dsa, Usage::Sign)
    });
    assert!(e.contains("§7.1.2.3 (f)"), "{e}");
    let e = refused(SmimeRequest {
        identity: identity(profile("organization-strict")),
        ..request(ms, &dsa, Usage::Sign)
    });
    assert!(e.contains("§7.1.4.2.3"), "{e}");
    let small = key("rsa-2048").public_key();
    assert!(issue_smime(&request(ms, &small, Usage::Sign), &h.ca, &h.ca_key).is_ok());
    // An SLH-DSA issuing CA cannot sign S/MIME BR certificates.
    let slh_ca_key = key("slh-dsa-sha2-128f");
    let slh_ca = CertificateBuilder::ca("CN=SLH CA,O=Example Ltd,C=GB", &slh_ca_key)
        .unwrap()
        .sign(None)
        .unwrap();
    let e = issue_smime(&request(ms, &dsa, Usage::Sign), &slh_ca, &slh_ca_key)
        .unwrap_err()
        .to_string();
    assert!(e.contains("§7.1.3.2"), "{e}");
}

#[test]
fn smtputf8_mailbox_and_root_issuer_note() {
    let h = hierarchy("ml-dsa-65");
    let dsa = key("ml-dsa-44").public_key();
    let ms = profile("mailbox-strict");
    let issued = issue_smime(
        &SmimeRequest::new(ms, &dsa, Usage::Sign, "jörg@Example.COM", urls()),
        &h.ca,
        &h.ca_key,
    )
    .unwrap();
    let c = issued.certificate;
    assert_eq!(c.email_addresses(), ["jörg@example.com"]);
    let san = c.extension(&oids::EXT_SUBJECT_ALT_NAME).unwrap();
    assert!(contains(&san.value, oids::ON_SMTP_UTF8_MAILBOX.as_bytes()));
    // Issuing straight from a root works but carries the SBR §6.1.7 note.
    let root_key = key("ml-dsa-44");
    let root = CertificateBuilder::ca("CN=Root,O=Example Ltd,C=GB", &root_key)
        .unwrap()
        .sign(None)
        .unwrap();
    let issued = issue_smime(
        &SmimeRequest::new(ms, &dsa, Usage::Sign, "a@example.com", urls()),
        &root,
        &root_key,
    )
    .unwrap();
    assert!(
        issued.notes.iter().any(|n| n.contains("§6.1.7")),
        "{:?}",
        issued.notes
    );
}

#[test]
fn technically_constrained_subordinate_ca() {
    let root_key = key("ml-dsa-65");
    let root = CertificateBuilder::ca("CN=Root,O=Example Ltd,C=GB", &root_key)
        .unwrap()
        .sign(None)
        .unwrap();
    let ca_key = key("ml-dsa-65");
    let req = SubordinateCaRequest {
        subject: "CN=Example Mail CA,O=Example Ltd,C=GB".into(),
        key: &ca_key.public_key(),
        urls: urls(),
        profiles: vec![profile("mailbox-strict")],
        path_len: Some(0),
        permitted_email_domains: vec!["example.com".into()],
        days: 1825,
        issued_at: None,
    };
    let ca = issue_subordinate_ca(&req, &root, &root_key)
        .unwrap()
        .certificate;
    assert_eq!(ca.basic_constraints().unwrap().path_len, Some(0));
    assert_eq!(
        ca.extended_key_usage().unwrap(),
        [oids::KP_EMAIL_PROTECTION]
    );
    let k = key("ml-dsa-44").public_key();
    let ms = profile("mailbox-strict");
    let ok = issue_smime(
        &SmimeRequest::new(ms, &k, Usage::Sign, "a@example.com", urls()),
        &ca,
        &ca_key,
    )
    .unwrap()
    .certificate;
    let now = SystemTime::now();
    validate_path(
        &ok,
        &[ca.clone()],
        &[root.clone()],
        now,
        Purpose::EmailSigning,
    )
    .unwrap();
    // Outside the permitted subtree: the CA refuses to issue it ...
    let refused = issue_smime(
        &SmimeRequest::new(ms, &k, Usage::Sign, "a@example.org", urls()),
        &ca,
        &ca_key,
    )
    .unwrap_err()
    .to_string();
    assert!(
        refused.contains("may not issue") && refused.contains("example.org"),
        "{refused}"
    );
    // ... and a certificate made anyway (the plain builder does not look) fails validation.
    let outside = pqsmime::x509::CertificateBuilder::end_entity("a@example.org", &k, Usage::Sign)
        .unwrap()
        .sign(Some((&ca, &ca_key)))
        .unwrap();
    let e = validate_path(
        &outside,
        &[ca.clone()],
        &[root.clone()],
        now,
        Purpose::EmailSigning,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("name constraints violated"), "{e}");
    // Mailbox subtrees and subjects without O are refused.
    let e = issue_subordinate_ca(
        &SubordinateCaRequest {
            permitted_email_domains: vec!["ceo@example.com".into()],
            ..req.clone()
        },
        &root,
        &root_key,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("§7.1.5"), "{e}");
    let e = issue_subordinate_ca(
        &SubordinateCaRequest {
            subject: "CN=No Org CA,C=GB".into(),
            ..req
        },
        &root,
        &root_key,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("§7.1.4.3.1"), "{e}");
}
