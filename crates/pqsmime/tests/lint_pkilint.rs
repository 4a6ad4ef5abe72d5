//! Cross-check with DigiCert pkilint (`pip install pkilint`, command `lint_cabf_smime_cert`).
//!
//! Builds compliant certificates for every non-Legacy profile and every allowed key type,
//! plus certificates that break one rule each, and checks that
//! * our linter passes the good ones and fails the broken ones (always, pkilint or not);
//! * pkilint reaches the same error / no-error verdict (when `lint_cabf_smime_cert` is on the
//!   PATH; otherwise it prints "pkilint not installed — skipped"), except for the documented
//!   disagreements in `KNOWN_DISAGREEMENTS`.

#[path = "lint_common.rs"]
mod common;

use std::process::Command;

use common::*;
use pqsmime::alg::{EcCurve, KeyKind, MlDsaLevel, MlKemLevel, SlhDsaSet};
use pqsmime::keys::PrivateKey;
use pqsmime::lint::{self, LintOptions, SmimeProfile};
use pqsmime::{asn1, oids};

struct Case {
    name: String,
    der: Vec<u8>,
    /// What our linter must say: true = at least one error.
    expect_error: bool,
}

/// Cases where pkilint 0.13.3 and we differ on purpose: (case, why).
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[
    (
        "good/mailbox-strict/ec-p521",
        "SBR §6.1.5 and §7.1.3 allow P-521 keys and ecdsa-with-SHA512 (smime-br.md §8.2/§8.3); pkilint 0.13.3's allow-lists omit both",
    ),
    (
        "bad/crldp-missing",
        "SBR §7.1.2.3(b) says cRLDistributionPoints SHALL be present (zlint: error); pkilint reports only a WARNING",
    ),
    (
        "good/mailbox-multipurpose/ec-ka-eo-do",
        "the SBR allow encipherOnly or decipherOnly with keyAgreement and RFC 5280 does not forbid both; we warn (smime-br.md §4), pkilint errors",
    ),
];

fn profile(n: &str) -> SmimeProfile {
    SmimeProfile::from_name(n).expect("profile")
}

fn key(kind: KeyKind) -> PrivateKey {
    PrivateKey::generate(kind).expect("key")
}

fn cases(ca: &Ca) -> Vec<Case> {
    let mut out = Vec::new();
    let mut serial = 1u64;
    let mut add = |name: &str, expect_error: bool, f: &dyn Fn(u64) -> Vec<u8>| {
        serial += 1;
        out.push(Case {
            name: name.to_string(),
            der: f(serial),
            expect_error,
        });
    };
    let email = "alice@example.com";
    let mldsa65 = key(KeyKind::MlDsa(MlDsaLevel::L65)).public_key();
    for p in SmimeProfile::ALL
        .into_iter()
        .filter(|p| p.generation != lint::Generation::Legacy)
    {
        add(&format!("good/{}/ml-dsa-65", p.name()), false, &|s| {
            Parts::new(ca, p, &mldsa65, email, s).sign(ca)
        });
        let kem = key(KeyKind::MlKem(MlKemLevel::L768)).public_key();
        add(&format!("good/{}/ml-kem-768", p.name()), false, &|s| {
            Parts::new(ca, p, &kem, email, s).sign(ca)
        });
    }
    let ms = profile("mailbox-strict");
    for kind in [
        KeyKind::MlDsa(MlDsaLevel::L44),
        KeyKind::MlDsa(MlDsaLevel::L87),
        KeyKind::MlKem(MlKemLevel::L512),
        KeyKind::MlKem(MlKemLevel::L1024),
        KeyKind::Rsa(2048),
        KeyKind::Ec(EcCurve::P256),
        KeyKind::Ec(EcCurve::P384),
        KeyKind::Ec(EcCurve::P521),
        KeyKind::Ed25519,
    ] {
        let pk = key(kind).public_key();
        add(
            &format!("good/mailbox-strict/{}", kind.name()),
            false,
            &|s| Parts::new(ca, ms, &pk, email, s).sign(ca),
        );
    }
    let rsa = key(KeyKind::Rsa(2048)).public_key();
    let im = profile("individual-multipurpose");
    add("good/individual-multipurpose/rsa-dual-use", false, &|s| {
        let mut p = Parts::new(ca, im, &rsa, email, s);
        p.set(
            oids::EXT_KEY_USAGE,
            true,
            &ku(KU_DS | KU_KE | KU_DE | KU_NR),
        );
        p.sign(ca)
    });
    let ec = key(KeyKind::Ec(EcCurve::P256)).public_key();
    let mm = profile("mailbox-multipurpose");
    add("good/mailbox-multipurpose/ec-ka", false, &|s| {
        let mut p = Parts::new(ca, mm, &ec, email, s);
        p.set(oids::EXT_KEY_USAGE, true, &ku(KU_KA));
        p.sign(ca)
    });
    add("good/mailbox-multipurpose/ec-ka-eo-do", false, &|s| {
        let mut p = Parts::new(ca, mm, &ec, email, s);
        p.set(oids::EXT_KEY_USAGE, true, &ku(KU_KA | KU_EO | KU_DO));
        p.sign(ca)
    });

    // Broken on purpose, one rule each.
    let kem = key(KeyKind::MlKem(MlKemLevel::L768)).public_key();
    let mldsa44 = key(KeyKind::MlDsa(MlDsaLevel::L44)).public_key();
    add("bad/ml-kem-digital-signature", true, &|s| {
        let mut p = Parts::new(ca, ms, &kem, email, s);
        p.set(oids::EXT_KEY_USAGE, true, &ku(KU_DS));
        p.sign(ca)
    });
    add("bad/ml-kem-key-agreement-too", true, &|s| {
        let mut p = Parts::new(ca, ms, &kem, email, s);
        p.set(oids::EXT_KEY_USAGE, true, &ku(KU_KE | KU_KA));
        p.sign(ca)
    });
    add("bad/ml-dsa-key-encipherment", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.set(oids::EXT_KEY_USAGE, true, &ku(KU_DS | KU_KE));
        p.sign(ca)
    });
    let slh = key(KeyKind::SlhDsa(SlhDsaSet::Sha2_128f)).public_key();
    add("bad/slh-dsa-subscriber-key", true, &|s| {
        Parts::new(ca, ms, &slh, email, s).sign(ca)
    });
    add("bad/strict-client-auth", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.set(
            oids::EXT_EXTENDED_KEY_USAGE,
            false,
            &eku(&[oids::KP_EMAIL_PROTECTION, oids::KP_CLIENT_AUTH]),
        );
        p.sign(ca)
    });
    add("bad/multipurpose-server-auth", true, &|s| {
        let mut p = Parts::new(ca, mm, &mldsa44, email, s);
        p.set(
            oids::EXT_EXTENDED_KEY_USAGE,
            false,
            &eku(&[oids::KP_EMAIL_PROTECTION, oids::KP_SERVER_AUTH]),
        );
        p.sign(ca)
    });
    add("bad/san-missing", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.remove(oids::EXT_SUBJECT_ALT_NAME);
        p.sign(ca)
    });
    add("bad/validity-826-days", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.not_after = p.not_before + 826 * 86_400 - 1;
        p.sign(ca)
    });
    add("bad/legacy-after-sunset", true, &|s| {
        Parts::new(ca, profile("mailbox-legacy"), &mldsa44, email, s).sign(ca)
    });
    add("bad/mailbox-with-organization", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.subject = name(&[
            (oids::AT_COMMON_NAME, email),
            (oids::AT_ORGANIZATION, "Example Ltd"),
        ]);
        p.sign(ca)
    });
    add("bad/aki-issuer-and-serial", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        let ski = ca
            .cert
            .subject_key_identifier()
            .unwrap_or_default()
            .to_vec();
        let gn = asn1::tlv(0xA4, ca.cert.subject_der());
        p.set(
            oids::EXT_AUTHORITY_KEY_IDENTIFIER,
            false,
            &asn1::sequence(&[
                &asn1::tlv(0x80, &ski),
                &asn1::tlv(0xA1, &gn),
                &asn1::tlv(0x82, &[0x42]),
            ]),
        );
        p.sign(ca)
    });
    add("bad/crldp-https-only", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.set(
            oids::EXT_CRL_DISTRIBUTION_POINTS,
            false,
            &crldp("https://crl.example.com/ca.crl"),
        );
        p.sign(ca)
    });
    add("bad/crldp-missing", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.remove(oids::EXT_CRL_DISTRIBUTION_POINTS);
        p.sign(ca)
    });
    add("bad/key-usage-missing", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.remove(oids::EXT_KEY_USAGE);
        p.sign(ca)
    });
    add("bad/mixed-name-and-pseudonym", true, &|s| {
        let mut p = Parts::new(ca, profile("individual-strict"), &mldsa44, email, s);
        p.subject = name(&[(oids::AT_GIVEN_NAME, "Alice"), (oids::AT_PSEUDONYM, "Al")]);
        p.sign(ca)
    });
    add("bad/orgid-country-mismatch", true, &|s| {
        let mut p = Parts::new(ca, profile("organization-strict"), &mldsa44, email, s);
        p.subject = name(&[
            (oids::AT_ORGANIZATION, "Example Ltd"),
            (oids::AT_ORGANIZATION_IDENTIFIER, "NTRUS-1234"),
            (oids::AT_COUNTRY, "JP"),
        ]);
        p.sign(ca)
    });
    add("bad/rsa-strict-data-encipherment", true, &|s| {
        let mut p = Parts::new(ca, profile("individual-strict"), &rsa, email, s);
        p.set(oids::EXT_KEY_USAGE, true, &ku(KU_DS | KU_KE | KU_DE));
        p.sign(ca)
    });
    add("bad/common-name-not-mailbox", true, &|s| {
        let mut p = Parts::new(ca, ms, &mldsa44, email, s);
        p.subject = name(&[(oids::AT_COMMON_NAME, "Alice")]);
        p.sign(ca)
    });
    out
}

/// pkilint's verdict: Some(true) when it reports an ERROR or FATAL finding.
fn pkilint_has_error(path: &std::path::Path) -> Result<bool, String> {
    let out = Command::new("lint_cabf_smime_cert")
        .args(["lint", "-d", "-s", "ERROR"])
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run pkilint: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Could not determine") || stderr.contains("Failed to load") {
        return Err(format!(
            "pkilint refused the certificate: {}",
            stderr.trim()
        ));
    }
    Ok(stdout.contains("(ERROR)") || stdout.contains("(FATAL)"))
}

fn pkilint_present() -> bool {
    Command::new("lint_cabf_smime_cert")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn pkilint_cross_check() {
    let ca = Ca::new();
    let cases = cases(&ca);
    let mut problems = Vec::new();
    // Our own verdicts (issuer given: the ML-DSA signature is verified too).
    for c in &cases {
        let r = lint::lint(
            &c.der,
            &LintOptions {
                profile: None,
                issuer_der: Some(ca.cert.der()),
            },
        )
        .expect("lint");
        let ours = !r.passed();
        if ours != c.expect_error {
            problems.push(format!(
                "{}: our linter says {} but the case is built to {}:\n{}",
                c.name,
                if ours { "error" } else { "no error" },
                if c.expect_error { "fail" } else { "pass" },
                lint::format_text(&r.findings)
            ));
        }
    }

    if !pkilint_present() {
        println!("pkilint not installed — skipped (pip install pkilint==0.13.3)");
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let mut agree = 0;
    let jobs: Vec<(usize, std::path::PathBuf)> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let path = dir.path().join(format!("{i:03}.pem"));
            std::fs::write(&path, pem(&c.der)).expect("write");
            (i, path)
        })
        .collect();
    // Two workers (the machine has two cores; pkilint starts slowly).
    let verdicts: Vec<(usize, Result<bool, String>)> = std::thread::scope(|s| {
        let halves: Vec<Vec<(usize, std::path::PathBuf)>> = vec![
            jobs.iter().filter(|(i, _)| i % 2 == 0).cloned().collect(),
            jobs.iter().filter(|(i, _)| i % 2 == 1).cloned().collect(),
        ];
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
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    for (i, v) in verdicts {
        let c = &cases[i];
        let theirs = match v {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{}: {e}", c.name));
                continue;
            }
        };
        let known = KNOWN_DISAGREEMENTS.iter().find(|(n, _)| *n == c.name);
        match (theirs == c.expect_error, known) {
            (true, None) => {
                agree += 1;
                println!(
                    "agree  {} ({})",
                    c.name,
                    if theirs { "error" } else { "no error" }
                );
            }
            (false, Some((_, why))) => println!(
                "known disagreement  {}: pkilint {}, ours {} — {why}",
                c.name,
                if theirs { "error" } else { "no error" },
                if c.expect_error { "error" } else { "no error" }
            ),
            (true, Some(_)) => problems.push(format!(
                "{}: listed as a known disagreement but pkilint now agrees; update the list",
                c.name
            )),
            (false, None) => problems.push(format!(
                "{}: pkilint says {}, we say {}",
                c.name,
                if theirs { "error" } else { "no error" },
                if c.expect_error { "error" } else { "no error" }
            )),
        }
    }
    println!(
        "{agree} of {} certificates: same verdict as pkilint",
        cases.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
