//! Two signers in one message — ML-DSA-65 for new clients, ECDSA P-256 for old ones — and
//! the `--policy` rules of `pqsmime verify` (cli.md): `any`, `all`, `require-pq`.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const PQ: &str = "ml-dsa-65";
const CLASSICAL: &str = "ec-p256";
const ML_DSA_65_OID: &str = "2.16.840.1.101.3.4.3.18";

struct Hybrid {
    pq: Pki,
    ec: Pki,
    /// Both CA certificates in one file, for `openssl -CAfile`.
    cafile: PathBuf,
    dir: tempfile::TempDir,
}

fn hybrid() -> Hybrid {
    let pq = pki(PQ);
    let ec = pki(CLASSICAL);
    let dir = tempdir();
    let cafile = dir.path().join("cas.pem");
    write(&cafile, &[read(&pq.ca_crt), read(&ec.ca_crt)].concat());
    Hybrid {
        pq,
        ec,
        cafile,
        dir,
    }
}

impl Hybrid {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Signs with both signers (ML-DSA first).
    fn sign(&self, extra: &[&str], content: &[u8], name: &str) -> (PathBuf, Out) {
        let cfile = self.path().join(format!("{name}.content"));
        write(&cfile, content);
        let msg = self.path().join(name);
        let mut args = vec![
            "sign",
            "--cert",
            s(&self.pq.ee_crt),
            "--key",
            s(&self.pq.ee_key),
            "--cert",
            s(&self.ec.ee_crt),
            "--key",
            s(&self.ec.ee_key),
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["-o", s(&msg), s(&cfile)]);
        let run = pqsmime(&args, None);
        run.ok(&[]);
        (msg, run)
    }

    fn verify(&self, msg: &Path, policy: &str) -> Out {
        pqsmime(
            &[
                "verify",
                "--trust",
                s(&self.pq.ca_crt),
                "--trust",
                s(&self.ec.ca_crt),
                "--policy",
                policy,
                s(msg),
            ],
            None,
        )
    }
}

/// Index of the ML-DSA SignerInfo and of the other one.
fn signer_indexes(der: &[u8]) -> (usize, usize) {
    let parts = signer_infos(der).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parts.len(), 2, "two SignerInfos expected");
    let pq = parts
        .iter()
        .position(|p| oid_string(p.signature_alg_oid.value(der)) == ML_DSA_65_OID)
        .expect("an ML-DSA-65 SignerInfo");
    (pq, 1 - pq)
}

#[test]
fn hybrid_der_openssl_verifies() {
    let h = hybrid();
    let content = pseudo_random("hybrid der", 4096);
    let (msg, signed) = h.sign(&["--format", "der"], &content, "msg.der");
    let der = read(&msg);
    let parts = signer_infos(&der).unwrap_or_else(|e| panic!("{e}"));
    let algs: Vec<String> = parts
        .iter()
        .map(|p| oid_string(p.signature_alg_oid.value(&der)))
        .collect();
    assert_eq!(parts.len(), 2, "two SignerInfos expected, got {algs:?}");
    assert!(
        algs.iter().any(|a| a == ML_DSA_65_OID),
        "no ML-DSA-65 signer: {algs:?}"
    );
    assert!(
        algs.iter().any(|a| a.starts_with("1.2.840.10045.4.3.")),
        "no ECDSA signer: {algs:?}"
    );
    let got = h.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-binary",
            "-CAfile",
            s(&h.cafile),
            "-in",
            s(&msg),
            "-out",
            s(&got),
        ],
        None,
    );
    v.ok(&[&signed, &openssl_print_der(&msg)]);
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&v]);
}

/// Clear-signed with two signers: OpenSSL verifies and `micalg` lists both digests.
#[test]
fn hybrid_smime_multipart_openssl_verifies() {
    let h = hybrid();
    let content = mime_text("hybrid multipart");
    let (msg, signed) = h.sign(&[], &content, "msg.eml");
    let got = h.path().join("got");
    let v = openssl(
        &[
            "cms",
            "-verify",
            "-CAfile",
            s(&h.cafile),
            "-in",
            s(&msg),
            "-out",
            s(&got),
        ],
        None,
    );
    v.ok(&[&signed]);
    assert_file_eq(&got, &content, "openssl cms -verify output", &[&v]);

    let sig_der = h.path().join("sig.der");
    openssl(
        &[
            "cms",
            "-cmsout",
            "-in",
            s(&msg),
            "-outform",
            "DER",
            "-out",
            s(&sig_der),
        ],
        None,
    )
    .ok(&[&signed]);
    let der = read(&sig_der);
    let mut want: Vec<String> = signer_infos(&der)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(|p| {
            let oid = oid_string(p.digest_oid.value(&der));
            micalg_token(&oid).unwrap_or("unknown").to_string()
        })
        .collect();
    want.sort();
    want.dedup();
    let micalg = mime_param(&read(&msg), "micalg").unwrap_or_default();
    let mut have: Vec<String> = micalg
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    have.sort();
    have.dedup();
    if have != want {
        fail(
            &format!("micalg={micalg:?} but the SignerInfo digests give {want:?}"),
            &[&signed],
        );
    }
}

#[test]
fn hybrid_passes_every_policy() {
    let h = hybrid();
    let content = pseudo_random("hybrid policies", 1000);
    let (msg, signed) = h.sign(&["--format", "der"], &content, "msg.der");
    for policy in ["any", "all", "require-pq"] {
        h.verify(&msg, policy).ok(&[&signed]);
    }
}

#[test]
fn classical_only_fails_require_pq() {
    let h = hybrid();
    let content = pseudo_random("classical only", 1000);
    let cfile = h.path().join("content");
    write(&cfile, &content);
    let msg = h.path().join("msg.der");
    let signed = pqsmime(
        &[
            "sign",
            "--cert",
            s(&h.ec.ee_crt),
            "--key",
            s(&h.ec.ee_key),
            "--format",
            "der",
            "-o",
            s(&msg),
            s(&cfile),
        ],
        None,
    );
    signed.ok(&[]);
    h.verify(&msg, "any").ok(&[&signed]);
    h.verify(&msg, "all").ok(&[&signed]);
    h.verify(&msg, "require-pq").expect_code(1, &[&signed]);
}

#[test]
fn broken_pq_signer() {
    let h = hybrid();
    let content = pseudo_random("broken pq signer", 1000);
    let (msg, signed) = h.sign(&["--format", "der"], &content, "msg.der");
    let der = read(&msg);
    let (pq_idx, _) = signer_indexes(&der);
    let bad = h.path().join("bad.der");
    write(&bad, &flip_signature(&der, pq_idx));
    h.verify(&bad, "any").ok(&[&signed]);
    h.verify(&bad, "all").expect_code(1, &[&signed]);
    h.verify(&bad, "require-pq").expect_code(1, &[&signed]);
    let o = openssl(
        &[
            "cms",
            "-verify",
            "-inform",
            "DER",
            "-binary",
            "-CAfile",
            s(&h.cafile),
            "-in",
            s(&bad),
            "-out",
            "/dev/null",
        ],
        None,
    );
    if o.code == 0 {
        fail(
            "OpenSSL accepted a message with a broken ML-DSA signer",
            &[&o],
        );
    }
}

#[test]
fn broken_classical_signer() {
    let h = hybrid();
    let content = pseudo_random("broken classical signer", 1000);
    let (msg, signed) = h.sign(&["--format", "der"], &content, "msg.der");
    let der = read(&msg);
    let (_, ec_idx) = signer_indexes(&der);
    let bad = h.path().join("bad.der");
    write(&bad, &flip_signature(&der, ec_idx));
    h.verify(&bad, "any").ok(&[&signed]);
    h.verify(&bad, "require-pq").ok(&[&signed]);
    h.verify(&bad, "all").expect_code(1, &[&signed]);
}
