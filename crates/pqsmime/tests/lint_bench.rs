//! Linter benchmark, driven by `bench/lint.sh` (ignored in normal test runs).
//!
//! With `PQSMIME_LINT_BENCH_DIR=DIR` (and optionally `PQSMIME_LINT_BENCH_N`, default 10000) it
//! writes N DER certificates to DIR (`00000.der`, …): the eight non-Legacy profiles across ML-DSA,
//! ML-KEM, RSA, EC and Ed25519 subject keys, every tenth one broken on purpose, all signed by an
//! ML-DSA-44 CA (`ca.der`). It then lints them all in memory and prints one JSON line:
//! `{"certificates", "seconds", "per_second", "with_errors", "with_issuer_seconds"}`
//! (`with_issuer_seconds`: the same run with the issuer given, i.e. with ML-DSA signature
//! verification).

#[path = "lint_common.rs"]
mod common;

use std::time::Instant;

use common::*;
use pqsmime::alg::{EcCurve, KeyKind, MlDsaLevel, MlKemLevel};
use pqsmime::keys::PrivateKey;
use pqsmime::lint::{self, Generation, LintOptions, SmimeProfile};
use pqsmime::oids;

#[test]
#[ignore = "benchmark: run through bench/lint.sh"]
fn lint_bench() {
    let Ok(dir) = std::env::var("PQSMIME_LINT_BENCH_DIR") else {
        println!("PQSMIME_LINT_BENCH_DIR is not set — nothing to do");
        return;
    };
    let n: usize = std::env::var("PQSMIME_LINT_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("bench directory");

    let ca = Ca::new();
    std::fs::write(dir.join("ca.der"), ca.cert.der()).expect("write CA");
    let keys: Vec<PrivateKey> = [
        KeyKind::MlDsa(MlDsaLevel::L44),
        KeyKind::MlDsa(MlDsaLevel::L65),
        KeyKind::MlDsa(MlDsaLevel::L87),
        KeyKind::MlKem(MlKemLevel::L512),
        KeyKind::MlKem(MlKemLevel::L768),
        KeyKind::MlKem(MlKemLevel::L1024),
        KeyKind::Rsa(2048),
        KeyKind::Ec(EcCurve::P256),
        KeyKind::Ec(EcCurve::P384),
        KeyKind::Ed25519,
    ]
    .into_iter()
    .map(|k| PrivateKey::generate(k).expect("key"))
    .collect();
    let profiles: Vec<SmimeProfile> = SmimeProfile::ALL
        .into_iter()
        .filter(|p| p.generation != Generation::Legacy)
        .collect();

    let mut certs = Vec::with_capacity(n);
    for i in 0..n {
        let key = keys[i % keys.len()].public_key();
        let profile = profiles[(i / keys.len()) % profiles.len()];
        let email = format!("user{i}@example.com");
        let mut p = Parts::new(&ca, profile, &key, &email, i as u64 + 1);
        if i % 10 == 9 {
            // broken on purpose: a prohibited EKU
            p.set(
                oids::EXT_EXTENDED_KEY_USAGE,
                false,
                &eku(&[oids::KP_EMAIL_PROTECTION, oids::KP_SERVER_AUTH]),
            );
        }
        let der = p.sign(&ca);
        std::fs::write(dir.join(format!("{i:05}.der")), &der).expect("write certificate");
        certs.push(der);
    }

    let run = |issuer: Option<&[u8]>| -> (f64, usize) {
        let opts = LintOptions {
            profile: None,
            issuer_der: issuer,
        };
        let start = Instant::now();
        let mut with_errors = 0;
        for der in &certs {
            let r = lint::lint(der, &opts).expect("lint");
            if !r.passed() {
                with_errors += 1;
            }
        }
        (start.elapsed().as_secs_f64(), with_errors)
    };
    let (secs, with_errors) = run(None);
    let (issuer_secs, issuer_errors) = run(Some(ca.cert.der()));
    assert_eq!(with_errors, n / 10, "every tenth certificate is broken");
    assert_eq!(issuer_errors, with_errors, "signatures verify");
    println!(
        "{{\"certificates\":{n},\"seconds\":{secs:.3},\"per_second\":{:.1},\"with_errors\":{with_errors},\"with_issuer_seconds\":{issuer_secs:.3}}}",
        n as f64 / secs
    );
}
