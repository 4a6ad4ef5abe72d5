//! `pqsmime lint`: checks certificates against the S/MIME Baseline Requirements.
//!
//! Text output: one line per finding, `SEVERITY  CODE  message`, preceded by a header line
//! naming the certificate and profile when several certificates are linted. With `--json`,
//! one object per run on standard output: for a single certificate exactly the contract's
//! `{"certificate", "profile", "findings": [...]}`; for several, `{"certificates": [...]}`
//! holding one such object each. `profile` is the profile name (`mailbox-strict`, ...,
//! `root-ca`, `subordinate-ca`) or `unknown` when the certificate names no S/MIME policy.
//! Exit 1 when any certificate has an error finding, 2 when a file cannot be read.

use std::io::Write;
use std::process::ExitCode;

use pqsmime::lint::{self, LintOptions, Report, SmimeProfile};
use serde_json::{json, Value};

use crate::cli::lint::LintArgs;
use crate::error::{CliError, CliResult, Context};
use crate::io::read_file;

pub fn run(args: LintArgs) -> CliResult<ExitCode> {
    let profile = match args.profile {
        Some(p) => Some(SmimeProfile::from_name(p.name()).ctx(|| "--profile")?),
        None => None,
    };
    let mut results: Vec<(String, Report)> = Vec::new();
    for path in &args.certs {
        let data = read_file(path, "certificate")?;
        let ders = lint::read_certificates(&data)
            .ctx(|| format!("reading certificate {}", path.display()))?;
        if ders.is_empty() {
            return Err(CliError::input(format!(
                "{} holds no certificate",
                path.display()
            )));
        }
        let several = ders.len() > 1;
        for (i, der) in ders.iter().enumerate() {
            let report = lint::lint(
                der,
                &LintOptions {
                    profile,
                    issuer_der: None,
                },
            )
            .ctx(|| format!("linting {}", path.display()))?;
            let name = if several {
                format!("{}#{}", path.display(), i + 1)
            } else {
                path.display().to_string()
            };
            results.push((name, report));
        }
    }

    let failed = results.iter().any(|(_, r)| !r.passed());
    let text = render_text(&results);
    if args.json {
        let objects: Vec<Value> = results.iter().map(|(n, r)| to_json(n, r)).collect();
        let value = if objects.len() == 1 {
            objects.into_iter().next().unwrap_or(Value::Null)
        } else {
            json!({ "certificates": objects })
        };
        let mut out = std::io::stdout().lock();
        writeln!(out, "{value}").map_err(stdout_error)?;
        eprint!("{text}");
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).map_err(stdout_error)?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn stdout_error(e: std::io::Error) -> CliError {
    let mut err = CliError::input(format!("cannot write to standard output: {e}"));
    err.broken_pipe = e.kind() == std::io::ErrorKind::BrokenPipe;
    err
}

fn profile_name(report: &Report) -> String {
    report
        .target
        .profile_name()
        .unwrap_or_else(|| "unknown".to_string())
}

fn to_json(certificate: &str, report: &Report) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "severity": f.severity.as_str(),
                "code": f.code,
                "message": f.message,
                "citation": f.citation,
            })
        })
        .collect();
    json!({
        "certificate": certificate,
        "profile": profile_name(report),
        "findings": findings,
    })
}

fn render_text(results: &[(String, Report)]) -> String {
    let mut out = String::new();
    for (name, report) in results {
        if results.len() > 1 {
            out.push_str(&format!(
                "# {} (profile {})\n",
                crate::error::sanitize(name),
                profile_name(report)
            ));
        }
        // Messages can quote certificate contents: escape control characters line by line.
        for line in lint::format_text(&report.findings).lines() {
            out.push_str(&crate::error::sanitize(line));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_profile_is_always_a_string() {
        let report = Report {
            target: lint::Target::Subscriber(None),
            findings: Vec::new(),
        };
        let v = to_json("a.crt", &report);
        assert_eq!(v["profile"], "unknown");
        assert!(v["findings"].as_array().is_some_and(|a| a.is_empty()));
    }
}
