//! PEM input and JSON output for the linter.

use crate::error::{Error, Result};

use super::Report;

/// Upper bound on certificates read from one input (hostile input protection).
const MAX_CERTIFICATES: usize = 10_000;

/// `CERTIFICATE` blocks of a PEM text decoded to DER, or DER input as it is.
pub(crate) fn read_certificates(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    if data.first() == Some(&0x30) {
        return Ok(vec![data.to_vec()]);
    }
    let text = std::str::from_utf8(data).map_err(|_| {
        Error::Malformed(
            "the input is neither DER (it does not start with a SEQUENCE) nor PEM text".into(),
        )
    })?;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find("-----BEGIN ") {
        let after = &rest[pos + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err(Error::Malformed(
                "a PEM BEGIN line is not terminated by '-----'".into(),
            ));
        };
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_start.find(&end_marker) else {
            return Err(Error::Malformed(format!(
                "PEM block '{label}' has no matching END line"
            )));
        };
        let body = &body_start[..end];
        rest = &body_start[end + end_marker.len()..];
        if label != "CERTIFICATE" && label != "X509 CERTIFICATE" {
            continue;
        }
        if out.len() >= MAX_CERTIFICATES {
            return Err(Error::Limit(format!(
                "more than {MAX_CERTIFICATES} certificates in one input"
            )));
        }
        let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(&b64).map_err(|e| {
            Error::Malformed(format!(
                "PEM certificate {} is not valid Base64: {e}",
                out.len() + 1
            ))
        })?;
        out.push(der);
    }
    if out.is_empty() {
        return Err(Error::Malformed(
            "no certificate found: expected PEM '-----BEGIN CERTIFICATE-----' blocks or one DER certificate"
                .into(),
        ));
    }
    Ok(out)
}

/// A JSON string literal.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn format_json(certificate: &str, report: &Report) -> String {
    let profile = match report.target.profile_name() {
        Some(p) => json_string(&p),
        None => "null".to_string(),
    };
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            format!(
                "{{\"severity\":{},\"code\":{},\"message\":{},\"citation\":{}}}",
                json_string(f.severity.as_str()),
                json_string(f.code),
                json_string(&f.message),
                json_string(f.citation)
            )
        })
        .collect();
    format!(
        "{{\"certificate\":{},\"profile\":{},\"findings\":[{}]}}",
        json_string(certificate),
        profile,
        findings.join(",")
    )
}
