//! Runs every case of `tests/vectors/smime-lint/` (pkilint's S/MIME BR test corpus, see its
//! INDEX.md) through our linter with the type and generation taken from the directory, and
//! compares with pkilint's expected findings:
//!
//! 1. error / no error must agree;
//! 2. every expected `cabf.smime.*` ERROR or WARNING code must be matched by one of our
//!    findings whose rule lists that pkilint code (our codes differ; each rule names its pkilint
//!    equivalents);
//! 3. every other expected ERROR/FATAL row must be matched by some error of ours that names
//!    the same pkilint code, or is listed in `BY_MEANING` with the reason.
//!
//! Any disagreement is printed with its reason; an unexplained one fails the test.

use std::path::{Path, PathBuf};

use pqsmime::lint::{self, Finding, LintOptions, Severity, SmimeProfile};

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/smime-lint")
}

struct Case {
    name: String,
    profile: SmimeProfile,
    der: Vec<u8>,
    /// (severity, code) rows of the CSV.
    expected: Vec<(String, String)>,
}

fn read_cases() -> Vec<Case> {
    let mut files = Vec::new();
    collect(&vector_dir(), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read vector");
            let rel = path.strip_prefix(vector_dir()).expect("relative path");
            let parts: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            let profile = SmimeProfile::from_name(&format!("{}-{}", parts[0], parts[1]))
                .expect("type/generation directory");
            let certs = lint::read_certificates(text.as_bytes()).expect("PEM");
            let csv = text
                .split("-----END CERTIFICATE-----")
                .nth(1)
                .unwrap_or_default();
            let mut expected = Vec::new();
            for line in csv.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if line.starts_with("node_path,") {
                    continue;
                }
                // node_path,validator,severity,code,message (message may contain commas)
                let cols: Vec<&str> = line.splitn(5, ',').collect();
                assert!(cols.len() >= 4, "bad CSV row in {}: {line}", path.display());
                expected.push((cols[2].to_string(), cols[3].to_string()));
            }
            Case {
                name: rel.with_extension("").display().to_string(),
                profile,
                der: certs.into_iter().next().expect("one certificate"),
                expected,
            }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("vector directory") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "crttest") {
            out.push(p);
        }
    }
}

/// pkilint codes of our findings (through each rule's `pkilint` list).
fn mapped_codes(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    let rules = lint::rules();
    let mut out = Vec::new();
    for f in findings {
        if let Some(r) = rules.iter().find(|r| r.code == f.code) {
            for p in r.pkilint {
                out.push((*p, f.severity));
            }
        }
    }
    out
}

/// Expected pkilint findings matched by meaning rather than through a rule's pkilint list:
/// (case, pkilint code, our code, why).
const BY_MEANING: &[(&str, &str, &str, &str)] = &[];

/// Cases where we deliberately disagree with the vector: (case, what differs, why).
const DISAGREEMENTS: &[(&str, &str, &str)] = &[];

#[test]
fn smime_lint_vectors() {
    let cases = read_cases();
    assert_eq!(cases.len(), 15, "INDEX.md lists 15 cases");
    let mut unexplained = Vec::new();
    for c in &cases {
        let findings = lint::lint_findings(
            &c.der,
            &LintOptions {
                profile: Some(c.profile),
                issuer_der: None,
            },
        )
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let ours_error = !lint::passes(&findings);
        let theirs_error = c.expected.iter().any(|(s, _)| s == "ERROR" || s == "FATAL");
        let mapped = mapped_codes(&findings);
        println!(
            "{}: expected {}, ours {} [{}]",
            c.name,
            if theirs_error { "error" } else { "no error" },
            if ours_error { "error" } else { "no error" },
            findings
                .iter()
                .map(|f| format!("{} {}", f.severity, f.code))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut problems = Vec::new();
        if ours_error != theirs_error {
            problems.push(format!(
                "error/no-error differs (pkilint: {theirs_error}, ours: {ours_error})"
            ));
        }
        for (sev, code) in &c.expected {
            let relevant = if code.starts_with("cabf.smime.") {
                sev == "ERROR" || sev == "WARNING" || sev == "FATAL"
            } else {
                sev == "ERROR" || sev == "FATAL"
            };
            if !relevant {
                continue;
            }
            let want = if sev == "WARNING" {
                Severity::Warning
            } else {
                Severity::Error
            };
            let matched = mapped.iter().any(|(p, s)| p == code && *s == want)
                || BY_MEANING.iter().any(|(case, p, ours, _)| {
                    *case == c.name && p == code && findings.iter().any(|f| f.code == *ours)
                });
            if !matched {
                problems.push(format!("expected {sev} {code} is not matched"));
            }
        }
        // Our errors that pkilint does not expect.
        for f in findings.iter().filter(|f| f.severity == Severity::Error) {
            let rule = lint::rules().into_iter().find(|r| r.code == f.code);
            let known = rule.is_some_and(|r| {
                r.pkilint
                    .iter()
                    .any(|p| c.expected.iter().any(|(_, code)| code == p))
            }) || BY_MEANING
                .iter()
                .any(|(case, _, ours, _)| *case == c.name && *ours == f.code);
            if !known {
                problems.push(format!("extra error {}: {}", f.code, f.message));
            }
        }
        for p in problems {
            match DISAGREEMENTS
                .iter()
                .find(|(case, what, _)| *case == c.name && p.contains(what))
            {
                Some((_, _, why)) => println!("  disagreement (explained): {p} — {why}"),
                None => {
                    println!("  DISAGREEMENT: {p}");
                    unexplained.push(format!("{}: {p}", c.name));
                }
            }
        }
    }
    for (case, code, ours, why) in BY_MEANING {
        println!("by meaning: {case}: pkilint {code} ~ ours {ours}: {why}");
    }
    assert!(
        unexplained.is_empty(),
        "unexplained disagreements with the vectors:\n{}",
        unexplained.join("\n")
    );
}

/// Corrupting any byte of a vector certificate, or cutting it short, gives findings or one
/// clear error — never a panic.
#[test]
fn corrupted_vectors_never_panic() {
    let opts = LintOptions::default();
    let mut errors = 0usize;
    let mut reports = 0usize;
    for c in read_cases() {
        for i in (0..c.der.len()).step_by(5) {
            for mask in [0x01u8, 0x80, 0xFF] {
                let mut d = c.der.clone();
                d[i] ^= mask;
                match lint::lint(&d, &opts) {
                    Ok(_) => reports += 1,
                    Err(e) => {
                        assert!(!e.to_string().is_empty());
                        errors += 1;
                    }
                }
            }
        }
        for n in (0..c.der.len()).step_by(11) {
            assert!(
                lint::lint(&c.der[..n], &opts).is_err(),
                "{}: truncated to {n}",
                c.name
            );
        }
    }
    println!("{reports} corrupted certificates linted, {errors} refused as unreadable");
    assert!(reports > 0 && errors > 0);
}
