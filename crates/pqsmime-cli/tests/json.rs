//! `--json` output: one JSON object on stdout with the shape cli.md fixes.

mod common;

use serde_json::Value;

use common::*;

fn parse_json(out: &Out) -> Value {
    let text = out.stdout_str();
    match serde_json::from_str::<Value>(text.trim()) {
        Ok(v @ Value::Object(_)) => v,
        Ok(other) => fail(&format!("--json printed a non-object: {other}"), &[out]),
        Err(e) => fail(&format!("--json stdout is not one JSON value: {e}"), &[out]),
    }
}

fn field<'a>(v: &'a Value, key: &str, out: &Out) -> &'a Value {
    v.get(key)
        .unwrap_or_else(|| fail(&format!("JSON lacks {key:?}: {v}"), &[out]))
}

/// Checks one entry of `signers` has every field with the right JSON type.
fn check_signer_shape(sig: &Value, out: &Out) {
    for key in ["subject", "email", "algorithm", "error"] {
        let f = field(sig, key, out);
        if !(f.is_string() || f.is_null()) {
            fail(
                &format!("signer.{key} must be a string or null: {sig}"),
                &[out],
            );
        }
    }
    for key in ["quantum_safe", "signature_valid"] {
        if !field(sig, key, out).is_boolean() {
            fail(&format!("signer.{key} must be a boolean: {sig}"), &[out]);
        }
    }
    let chain = field(sig, "chain_valid", out);
    if !(chain.is_boolean() || chain.is_null()) {
        fail(
            &format!("signer.chain_valid must be a boolean or null: {sig}"),
            &[out],
        );
    }
}

fn signers<'a>(v: &'a Value, out: &Out) -> &'a Vec<Value> {
    field(v, "signers", out)
        .as_array()
        .unwrap_or_else(|| fail("signers must be an array", &[out]))
}

fn sign_hybrid(dir: &std::path::Path, content: &[u8]) -> (std::path::PathBuf, Pki, Pki) {
    let pq = pki("ml-dsa-65");
    let ec = pki("ec-p256");
    let cfile = dir.join("content");
    write(&cfile, content);
    let msg = dir.join("msg.der");
    pqsmime(
        &[
            "sign",
            "--cert",
            s(&pq.ee_crt),
            "--key",
            s(&pq.ee_key),
            "--cert",
            s(&ec.ee_crt),
            "--key",
            s(&ec.ee_key),
            "--format",
            "der",
            "-o",
            s(&msg),
            s(&cfile),
        ],
        None,
    )
    .ok(&[]);
    (msg, pq, ec)
}

#[test]
fn verify_json_hybrid() {
    let dir = tempdir();
    let (msg, pq, ec) = sign_hybrid(dir.path(), b"json hybrid");
    let got = dir.path().join("got");
    let out = pqsmime(
        &[
            "verify",
            "--json",
            "--trust",
            s(&pq.ca_crt),
            "--trust",
            s(&ec.ca_crt),
            "-o",
            s(&got),
            s(&msg),
        ],
        None,
    );
    out.ok(&[]);
    let v = parse_json(&out);
    assert_eq!(field(&v, "valid", &out), &Value::Bool(true), "{v}");
    if !field(&v, "content_type", &out).is_string() {
        fail("content_type must be a string", &[&out]);
    }
    let list = signers(&v, &out);
    assert_eq!(list.len(), 2, "two signers expected: {v}");
    for sig in list {
        check_signer_shape(sig, &out);
        assert_eq!(sig["signature_valid"], Value::Bool(true), "{sig}");
        assert_eq!(sig["chain_valid"], Value::Bool(true), "{sig}");
        assert_eq!(sig["email"], Value::String(EMAIL.into()), "{sig}");
        assert!(sig["error"].is_null(), "a valid signer has no error: {sig}");
    }
    let pq_signers: Vec<&Value> = list
        .iter()
        .filter(|s| s["quantum_safe"] == Value::Bool(true))
        .collect();
    assert_eq!(pq_signers.len(), 1, "exactly one quantum-safe signer: {v}");
    let alg = pq_signers[0]["algorithm"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        alg.contains("ml-dsa-65"),
        "PQ signer algorithm should name ML-DSA-65: {alg}"
    );
    // The JSON goes to stdout, the content to -o.
    assert_file_eq(&got, b"json hybrid", "verify -o content", &[&out]);
}

#[test]
fn verify_json_broken_signer() {
    let dir = tempdir();
    let (msg, pq, ec) = sign_hybrid(dir.path(), b"json broken signer");
    let der = read(&msg);
    let parts = signer_infos(&der).unwrap_or_else(|e| panic!("{e}"));
    let pq_idx = parts
        .iter()
        .position(|p| oid_string(p.signature_alg_oid.value(&der)) == "2.16.840.1.101.3.4.3.18")
        .expect("ML-DSA-65 signer");
    let bad = dir.path().join("bad.der");
    write(&bad, &flip_signature(&der, pq_idx));
    let out = pqsmime(
        &[
            "verify",
            "--json",
            "--policy",
            "all",
            "--trust",
            s(&pq.ca_crt),
            "--trust",
            s(&ec.ca_crt),
            s(&bad),
        ],
        None,
    );
    out.expect_code(1, &[]);
    let v = parse_json(&out);
    assert_eq!(field(&v, "valid", &out), &Value::Bool(false), "{v}");
    let list = signers(&v, &out);
    assert_eq!(list.len(), 2, "{v}");
    let mut broken = 0;
    for sig in list {
        check_signer_shape(sig, &out);
        if sig["signature_valid"] == Value::Bool(false) {
            broken += 1;
            assert_eq!(
                sig["quantum_safe"],
                Value::Bool(true),
                "the broken one is ML-DSA: {sig}"
            );
            assert!(
                sig["error"].as_str().is_some_and(|e| !e.is_empty()),
                "a broken signer names its error: {sig}"
            );
        }
    }
    assert_eq!(broken, 1, "exactly one broken signer: {v}");
}

#[test]
fn verify_json_no_chain() {
    let p = pki("ml-dsa-44");
    let dir = tempdir();
    let cfile = dir.path().join("content");
    write(&cfile, b"no chain json");
    let msg = dir.path().join("msg.der");
    pqsmime(
        &[
            "sign",
            "--cert",
            s(&p.ee_crt),
            "--key",
            s(&p.ee_key),
            "--format",
            "der",
            "-o",
            s(&msg),
            s(&cfile),
        ],
        None,
    )
    .ok(&[]);
    let out = pqsmime(
        &[
            "verify",
            "--json",
            "--no-chain",
            "-o",
            s(&dir.path().join("got")),
            s(&msg),
        ],
        None,
    );
    out.ok(&[]);
    let v = parse_json(&out);
    assert_eq!(v["valid"], Value::Bool(true), "{v}");
    let list = signers(&v, &out);
    assert_eq!(list.len(), 1);
    check_signer_shape(&list[0], &out);
    // Path validation skipped: chain_valid is null (the library reports None).
    assert!(
        list[0]["chain_valid"].is_null(),
        "chain_valid with --no-chain: {}",
        list[0]
    );
}

#[test]
fn inspect_json_parses() {
    let p = pki("ml-dsa-65");
    let dir = tempdir();
    let cfile = dir.path().join("content");
    write(&cfile, b"inspect me");
    let msg = dir.path().join("msg.der");
    pqsmime(
        &[
            "sign",
            "--cert",
            s(&p.ee_crt),
            "--key",
            s(&p.ee_key),
            "--format",
            "der",
            "-o",
            s(&msg),
            s(&cfile),
        ],
        None,
    )
    .ok(&[]);
    for input in [&msg, &p.ee_crt, &p.ca_crt, &p.ee_pub] {
        let out = pqsmime(&["inspect", "--json", s(input)], None);
        out.ok(&[]);
        let v = parse_json(&out);
        if !v.to_string().to_ascii_lowercase().contains("ml-dsa-65") {
            fail(
                "inspect --json should name the algorithm ML-DSA-65",
                &[&out],
            );
        }
    }
}

#[test]
fn lint_json_shape() {
    let p = pki("ml-dsa-65");
    let out = pqsmime(&["lint", "--json", s(&p.ee_crt)], None);
    if out.code != 0 && out.code != 1 {
        fail("lint exits 0 (no errors) or 1 (errors found)", &[&out]);
    }
    let v = parse_json(&out);
    if !field(&v, "certificate", &out).is_string() || !field(&v, "profile", &out).is_string() {
        fail("certificate and profile must be strings", &[&out]);
    }
    let findings = field(&v, "findings", &out)
        .as_array()
        .unwrap_or_else(|| fail("findings must be an array", &[&out]));
    let mut errors = 0;
    for f in findings {
        for key in ["severity", "code", "message", "citation"] {
            if !field(f, key, &out).is_string() {
                fail(&format!("finding.{key} must be a string: {f}"), &[&out]);
            }
        }
        let sev = f["severity"].as_str().unwrap_or_default();
        assert!(
            matches!(sev, "error" | "warning" | "notice"),
            "severity {sev:?}"
        );
        errors += usize::from(sev == "error");
    }
    assert_eq!(
        out.code,
        i32::from(errors > 0),
        "exit code must say whether errors were found"
    );
}
