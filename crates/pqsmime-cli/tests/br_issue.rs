//! S/MIME BR issuance through the binary: an ML-DSA root and subordinate issuing CA (`cert ca
//! --ca-cert`), split-use pairs (`cert issue-pair`) for all eight Strict and Multipurpose
//! profiles, certificates that `pqsmime lint` passes and — when `lint_cabf_smime_cert` is
//! installed (`pip install pkilint==0.13.3`) — pkilint too, that OpenSSL 4 reads and verifies
//! for S/MIME signing/encryption, and the refusals with their exit codes.

#[macro_use]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

struct Ca {
    dir: tempfile::TempDir,
    root: PathBuf,
    crt: PathBuf,
    key: PathBuf,
}

const CRL: &str = "http://crl.example.com/issuing.crl";
const AIA: &str = "http://ca.example.com/issuing.crt";

fn key(dir: &Path, alg: &str, name: &str) -> PathBuf {
    gen_key(dir, alg, name).unwrap_or_else(|e| panic!("{e}"))
}

fn pubkey(dir: &Path, key: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    pqsmime(&["key", "pub", s(key), "-o", s(&p)], None).ok(&[]);
    p
}

/// ML-DSA-87 root → ML-DSA-65 issuing CA, both through the CLI.
fn ca() -> Ca {
    let dir = tempdir();
    let d = dir.path();
    let root_key = key(d, "ml-dsa-87", "root.key");
    let root = d.join("root.crt");
    pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&root_key),
            "--subject",
            "CN=Example Root,O=Example Ltd,C=GB",
            "-o",
            s(&root),
        ],
        None,
    )
    .ok(&[]);
    let ca_key = key(d, "ml-dsa-65", "ca.key");
    let ca_pub = pubkey(d, &ca_key, "ca.pub");
    let crt = d.join("ca.crt");
    let out = pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&ca_pub),
            "--subject",
            "CN=Example S/MIME CA,O=Example Ltd,C=GB",
            "--ca-cert",
            s(&root),
            "--ca-key",
            s(&root_key),
            "--crl-url",
            "http://crl.example.com/root.crl",
            "--ca-issuers-url",
            "http://ca.example.com/root.crt",
            "--days",
            "1825",
            "-o",
            s(&crt),
        ],
        None,
    );
    out.ok(&[]);
    // The subordinate CA lints as one (no error) in our linter.
    pqsmime(&["lint", s(&crt)], None).ok(&[&out]);
    Ca {
        dir,
        root,
        crt,
        key: ca_key,
    }
}

/// The identity options for a profile's type.
fn identity(profile: &str) -> Vec<&'static str> {
    let org = [
        "--org",
        "Example Ltd",
        "--org-id",
        "NTRGB-12345678",
        "--country",
        "GB",
    ];
    let person = ["--given-name", "Alice", "--surname", "Liddell"];
    match profile.split('-').next().unwrap_or("") {
        "organization" => org.to_vec(),
        "sponsored" => [&org[..], &person[..]].concat(),
        "individual" => [&person[..], &["--country", "GB"][..]].concat(),
        _ => vec![],
    }
}

fn pkilint_present() -> bool {
    Command::new("lint_cabf_smime_cert")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// pkilint's findings at ERROR or above, if any.
fn pkilint_errors(cert: &Path) -> Option<String> {
    let out = Command::new("lint_cabf_smime_cert")
        .args(["lint", "-d", "-s", "ERROR"])
        .arg(cert)
        .output()
        .expect("run pkilint");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (text.contains("(ERROR)") || text.contains("(FATAL)")).then_some(text)
}

#[test]
fn split_pairs_for_every_profile_lint_clean_and_verify_in_openssl() {
    let ca = ca();
    let d = ca.dir.path();
    let pkilint = pkilint_present();
    if !pkilint {
        println!(
            "pkilint not installed — its half of the check skipped (pip install pkilint==0.13.3)"
        );
    }
    let chain = d.join("chain.pem");
    write(&chain, &read(&ca.crt));
    let mut failures = Vec::new();
    for profile in [
        "mailbox-strict",
        "mailbox-multipurpose",
        "organization-strict",
        "organization-multipurpose",
        "sponsored-strict",
        "sponsored-multipurpose",
        "individual-strict",
        "individual-multipurpose",
    ] {
        let sk = key(d, "ml-dsa-65", &format!("{profile}-sign.key"));
        let ek = key(d, "ml-kem-768", &format!("{profile}-enc.key"));
        let sp = pubkey(d, &sk, &format!("{profile}-sign.pub"));
        let ep = pubkey(d, &ek, &format!("{profile}-enc.pub"));
        let sc = d.join(format!("{profile}-sign.crt"));
        let ec = d.join(format!("{profile}-enc.crt"));
        let mut args = vec![
            "cert",
            "issue-pair",
            "--ca-cert",
            s(&ca.crt),
            "--ca-key",
            s(&ca.key),
            "--sign-pub",
            s(&sp),
            "--enc-pub",
            s(&ep),
            "--email",
            EMAIL,
            "--profile",
            profile,
            "--crl-url",
            CRL,
            "--ca-issuers-url",
            AIA,
            "--non-repudiation",
            "--sign-out",
            s(&sc),
            "--enc-out",
            s(&ec),
        ];
        args.extend(identity(profile));
        let out = pqsmime(&args, None);
        if out.code != 0 {
            failures.push(out.describe());
            continue;
        }
        // Our linter: no error, and the profile is recognised from the policy OID.
        let lint = pqsmime(&["lint", "--json", s(&sc), s(&ec)], None);
        if lint.code != 0
            || !lint
                .stdout_str()
                .contains(&format!("\"profile\":\"{profile}\""))
        {
            failures.push(format!("{profile}: pqsmime lint:\n{}", lint.describe()));
        }
        if pkilint {
            for c in [&sc, &ec] {
                if let Some(e) = pkilint_errors(c) {
                    failures.push(format!("{profile}: pkilint on {}:\n{e}", c.display()));
                }
            }
        }
        // OpenSSL reads both and verifies them for their S/MIME purposes.
        for (c, purpose) in [(&sc, "smimesign"), (&ec, "smimeencrypt")] {
            let v = openssl(
                &[
                    "verify",
                    "-CAfile",
                    s(&ca.root),
                    "-untrusted",
                    s(&chain),
                    "-purpose",
                    purpose,
                    s(c),
                ],
                None,
            );
            if v.code != 0 {
                failures.push(format!("{profile}: {}", v.describe()));
            }
        }
        let text = openssl(&["x509", "-in", s(&ec), "-noout", "-text"], None);
        let t = text.stdout_str();
        if !(t.contains("ML-KEM-768")
            && t.contains("Key Encipherment")
            && t.contains("2.23.140.1.5."))
        {
            failures.push(format!("{profile}: {}", text.describe()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn issue_for_each_key_type_with_br_profiles() {
    let ca = ca();
    let d = ca.dir.path();
    for (alg, usage, profile) in [
        ("ml-dsa-44", "sign", "mailbox-strict"),
        ("ml-dsa-87", "sign", "mailbox-multipurpose"),
        ("ml-kem-512", "encrypt", "mailbox-strict"),
        ("ml-kem-1024", "encrypt", "individual-multipurpose"),
        ("rsa-2048", "both", "individual-multipurpose"),
        ("ec-p256", "sign", "organization-strict"),
        ("ec-p384", "encrypt", "sponsored-multipurpose"),
        ("ed25519", "sign", "sponsored-strict"),
    ] {
        let k = key(d, alg, &format!("{alg}.key"));
        let p = pubkey(d, &k, &format!("{alg}.pub"));
        let c = d.join(format!("{alg}.crt"));
        let mut args = vec![
            "cert",
            "issue",
            "--ca-cert",
            s(&ca.crt),
            "--ca-key",
            s(&ca.key),
            "--pub",
            s(&p),
            "--email",
            EMAIL,
            "--usage",
            usage,
            "--profile",
            profile,
            "--crl-url",
            CRL,
            "--ca-issuers-url",
            AIA,
            "-o",
            s(&c),
        ];
        args.extend(identity(profile));
        let out = pqsmime(&args, None);
        out.ok(&[]);
        assert!(
            out.stderr.is_empty(),
            "{alg}: unexpected findings:\n{}",
            out.describe()
        );
        pqsmime(&["lint", s(&c)], None).ok(&[&out]);
        if pkilint_present() {
            if let Some(e) = pkilint_errors(&c) {
                panic!("{alg} ({profile}): pkilint:\n{e}");
            }
        }
    }
}

#[test]
fn refusals_name_the_rule_and_use_the_right_exit_code() {
    let ca = ca();
    let d = ca.dir.path();
    let dsa = pubkey(d, &key(d, "ml-dsa-44", "a.key"), "a.pub");
    let slh = pubkey(d, &key(d, "slh-dsa-sha2-128f", "s.key"), "s.pub");
    let x = pubkey(d, &key(d, "x25519", "x.key"), "x.pub");
    let base = |p: &Path| -> Vec<String> {
        [
            "cert",
            "issue",
            "--ca-cert",
            s(&ca.crt),
            "--ca-key",
            s(&ca.key),
            "--pub",
            s(p),
            "--email",
            EMAIL,
        ]
        .iter()
        .map(|x| x.to_string())
        .collect()
    };
    let run = |p: &Path, extra: &[&str]| {
        let mut a = base(p);
        a.extend(extra.iter().map(|x| x.to_string()));
        a.extend(["-o".to_string(), s(&d.join("out.crt")).to_string()]);
        pqsmime(&a, None)
    };
    let cases: [(&Path, Vec<&str>, i32, &str); 11] = [
        (
            &dsa,
            vec!["--profile", "mailbox-legacy", "--crl-url", CRL],
            2,
            "§7.1.6.1",
        ),
        (
            &slh,
            vec!["--profile", "mailbox-strict", "--crl-url", CRL],
            2,
            "§6.1.5",
        ),
        (
            &x,
            vec!["--profile", "mailbox-strict", "--crl-url", CRL],
            2,
            "X25519",
        ),
        (
            &dsa,
            vec!["--profile", "mailbox-strict"],
            2,
            "cRLDistributionPoints",
        ),
        (
            &dsa,
            vec![
                "--profile",
                "mailbox-strict",
                "--crl-url",
                "https://crl.example.com/x",
            ],
            2,
            "http://",
        ),
        (
            &dsa,
            vec![
                "--profile",
                "mailbox-strict",
                "--crl-url",
                CRL,
                "--days",
                "826",
            ],
            2,
            "§6.3.2",
        ),
        (
            &dsa,
            vec![
                "--profile",
                "mailbox-strict",
                "--crl-url",
                CRL,
                "--client-auth",
            ],
            2,
            "§7.1.2.3 (f)",
        ),
        (
            &dsa,
            vec![
                "--profile",
                "mailbox-strict",
                "--crl-url",
                CRL,
                "--org",
                "Example Ltd",
            ],
            2,
            "§7.1.4.2.3",
        ),
        (
            &dsa,
            vec![
                "--profile",
                "mailbox-strict",
                "--crl-url",
                CRL,
                "--subject",
                "CN=x",
            ],
            2,
            "--subject is for the test profile",
        ),
        (
            &dsa,
            vec!["--profile", "test", "--crl-url", CRL],
            2,
            "S/MIME BR profiles",
        ),
        // The default profile is mailbox-strict (cli.md), so a bare request needs the CRL URL.
        (&dsa, vec![], 2, "cRLDistributionPoints"),
    ];
    for (p, extra, code, needle) in cases {
        let out = run(p, &extra);
        out.expect_code(code, &[]);
        assert!(out.stderr.contains(needle), "{extra:?}: {}", out.describe());
        assert_one_error_line(&out, &[]);
        assert!(
            !d.join("out.crt").exists(),
            "{extra:?}: a certificate was written"
        );
    }
    // The test profile still issues what the BR forbid, for test hierarchies.
    run(&slh, &["--profile", "test"]).ok(&[]);
}

#[test]
fn root_issuer_gets_a_note_and_the_default_is_mailbox_strict() {
    let ca = ca();
    let d = ca.dir.path();
    let root_key = d.join("root.key");
    let p = pubkey(d, &key(d, "ml-dsa-44", "n.key"), "n.pub");
    let c = d.join("n.crt");
    let out = pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(&ca.root),
            "--ca-key",
            s(&root_key),
            "--pub",
            s(&p),
            "--email",
            EMAIL,
            "--profile",
            "mailbox-strict",
            "--crl-url",
            CRL,
            "-o",
            s(&c),
        ],
        None,
    );
    out.ok(&[]);
    assert!(
        out.stderr.contains("§6.1.7") && out.stderr.contains("note"),
        "{}",
        out.describe()
    );
    // Without AIA the linter's warning is printed but does not stop issuance.
    assert!(
        out.stderr.contains("smime.aia_missing"),
        "{}",
        out.describe()
    );
    let t = d.join("t.crt");
    pqsmime(
        &[
            "cert",
            "issue",
            "--ca-cert",
            s(&ca.crt),
            "--ca-key",
            s(&ca.key),
            "--pub",
            s(&p),
            "--email",
            EMAIL,
            "--crl-url",
            CRL,
            "-o",
            s(&t),
        ],
        None,
    )
    .ok(&[]);
    // Without --profile: mailbox-strict (2.23.140.1.5.1.3), as cli.md says.
    let text = openssl(&["x509", "-in", s(&t), "-noout", "-text"], None);
    assert!(
        text.stdout_str().contains("2.23.140.1.5.1.3"),
        "{}",
        text.describe()
    );
    let lint = pqsmime(&["lint", "--json", s(&t)], None);
    lint.ok(&[]);
    assert!(
        lint.stdout_str().contains("mailbox-strict"),
        "{}",
        lint.describe()
    );
}
