//! `pqsmime cert ca` through the binary: self-signed roots, and S/MIME BR subordinate CAs
//! (`--ca-cert`) with path length, allowed profiles and mail-domain name constraints that
//! path validation then enforces (`pqsmime verify` of a message from outside the domain).

#[macro_use]
mod common;

use std::path::PathBuf;

use common::*;

const CRL: &str = "http://crl.example.com/root.crl";

fn root(d: &std::path::Path) -> (PathBuf, PathBuf) {
    let key = gen_key(d, "ml-dsa-87", "root.key").unwrap();
    let crt = d.join("root.crt");
    pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&key),
            "--subject",
            "CN=Root,O=Example Ltd,C=GB",
            "-o",
            s(&crt),
        ],
        None,
    )
    .ok(&[]);
    (crt, key)
}

#[test]
fn constrained_subordinate_ca_limits_what_verifies() {
    let dir = tempdir();
    let d = dir.path();
    let (root_crt, root_key) = root(d);
    let ca_key = gen_key(d, "ml-dsa-65", "ca.key").unwrap();
    let ca_crt = d.join("ca.crt");
    let out = pqsmime(
        &[
            "cert",
            "ca",
            "--key",
            s(&ca_key),
            "--subject",
            "CN=Mail CA,O=Example Ltd,C=GB",
            "--ca-cert",
            s(&root_crt),
            "--ca-key",
            s(&root_key),
            "--crl-url",
            CRL,
            "--path-len",
            "0",
            "--permit-email-domain",
            "example.com",
            "--allow-profile",
            "mailbox-strict",
            "--allow-profile",
            "individual-strict",
            "-o",
            s(&ca_crt),
        ],
        None,
    );
    out.ok(&[]);
    let t = openssl(&["x509", "-in", s(&ca_crt), "-noout", "-text"], None).stdout_str();
    assert!(
        t.contains("pathlen:0")
            && t.contains("E-mail Protection")
            && t.contains("2.23.140.1.5.1.3")
            && t.contains("2.23.140.1.5.4.3")
            && !t.contains("2.23.140.1.5.2.3")
            && t.contains("Permitted")
            && t.contains("email:example.com"),
        "{t}"
    );
    // Outside the permitted domain, the CA refuses to issue (exit 2, the rule named); a
    // certificate made anyway is rejected by path validation (library tests in
    // crates/pqsmime/tests/profile_issue.rs and path_constraints.rs).
    {
        let k = gen_key(d, "ml-dsa-44", "mallory.key").unwrap();
        let p = d.join("mallory.pub");
        pqsmime(&["key", "pub", s(&k), "-o", s(&p)], None).ok(&[]);
        let c = d.join("mallory.crt");
        for profile in ["mailbox-strict", "test"] {
            let mut args = vec![
                "cert",
                "issue",
                "--ca-cert",
                s(&ca_crt),
                "--ca-key",
                s(&ca_key),
                "--pub",
                s(&p),
                "--email",
                "mallory@example.org",
                "--profile",
                profile,
                "-o",
                s(&c),
            ];
            if profile != "test" {
                args.extend(["--crl-url", "http://crl.example.com/ca.crl"]);
            }
            let out = pqsmime(&args, None);
            out.expect_code(2, &[]);
            assert!(
                out.stderr.contains("may not issue") && out.stderr.contains("name constraints"),
                "{profile}: {}",
                out.describe()
            );
            assert!(!c.exists(), "{profile}: a certificate was written");
        }
    }
    // Inside the permitted domain: issued, signs, verifies.
    {
        let email = "alice@example.com";
        let k = gen_key(d, "ml-dsa-44", &format!("{email}.key")).unwrap();
        let p = d.join(format!("{email}.pub"));
        pqsmime(&["key", "pub", s(&k), "-o", s(&p)], None).ok(&[]);
        let c = d.join(format!("{email}.crt"));
        pqsmime(
            &[
                "cert",
                "issue",
                "--ca-cert",
                s(&ca_crt),
                "--ca-key",
                s(&ca_key),
                "--pub",
                s(&p),
                "--email",
                email,
                "--profile",
                "mailbox-strict",
                "--crl-url",
                "http://crl.example.com/ca.crl",
                "-o",
                s(&c),
            ],
            None,
        )
        .ok(&[]);
        let content = d.join("content.eml");
        write(&content, &mime_text(email));
        let msg = d.join(format!("{email}.eml"));
        pqsmime(
            &[
                "sign",
                "--cert",
                s(&c),
                "--key",
                s(&k),
                "--chain",
                s(&ca_crt),
                "-o",
                s(&msg),
                s(&content),
            ],
            None,
        )
        .ok(&[]);
        let v = pqsmime(
            &[
                "verify",
                "--trust",
                s(&root_crt),
                "-o",
                "/dev/null",
                s(&msg),
            ],
            None,
        );
        v.ok(&[]);
    }
}

#[test]
fn subordinate_ca_refusals() {
    let dir = tempdir();
    let d = dir.path();
    let (root_crt, root_key) = root(d);
    let ca_key = gen_key(d, "ml-dsa-65", "ca.key").unwrap();
    let base = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "cert",
            "ca",
            "--key",
            s(&ca_key),
            "--ca-cert",
            s(&root_crt),
            "--ca-key",
            s(&root_key),
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        a.extend(extra.iter().map(|x| x.to_string()));
        a.extend(["-o".into(), s(&d.join("x.crt")).to_string()]);
        pqsmime(&a, None)
    };
    // --crl-url is required with --ca-cert (clap usage error).
    base(&["--subject", "CN=CA,O=Example Ltd,C=GB"]).expect_code(2, &[]);
    for (extra, needle) in [
        (
            vec!["--subject", "CN=CA,C=GB", "--crl-url", CRL],
            "§7.1.4.3.1",
        ),
        (
            vec![
                "--subject",
                "CN=CA,O=Example Ltd,C=GB",
                "--crl-url",
                "ldap://x/y",
            ],
            "http://",
        ),
        (
            vec![
                "--subject",
                "CN=CA,O=Example Ltd,C=GB",
                "--crl-url",
                CRL,
                "--permit-email-domain",
                "ceo@example.com",
            ],
            "§7.1.5",
        ),
        (
            vec![
                "--subject",
                "CN=CA,O=Example Ltd,C=GB",
                "--crl-url",
                CRL,
                "--allow-profile",
                "mailbox-legacy",
            ],
            "Legacy",
        ),
    ] {
        let out = base(&extra);
        out.expect_code(2, &[]);
        assert!(out.stderr.contains(needle), "{extra:?}: {}", out.describe());
        assert_one_error_line(&out, &[]);
    }
    assert!(!d.join("x.crt").exists());
}
