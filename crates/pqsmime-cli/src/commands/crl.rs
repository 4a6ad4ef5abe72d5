//! `pqsmime crl`: a CRL signed by the CA (`pqsmime::x509::CrlBuilder`): v2, thisUpdate now,
//! nextUpdate after `--days`, authorityKeyIdentifier and cRLNumber, one entry per `--revoke`
//! with the reasonCode of `--reason` (never `unspecified`). `--previous` carries the entries of
//! the CA's last CRL forward (after checking that the CA signed it) and counts its number up.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::SystemTime;

use pqsmime::x509::{parse_serial_hex, Crl, CrlBuilder, RevocationReason};

use crate::cli::crl::CrlArgs;
use crate::commands::{load_cert_and_rest, load_certs, load_private_key};
use crate::error::{CliError, CliResult, Context};
use crate::io::{read_file, Output, Secrecy};

/// Big-endian magnitude plus one.
fn increment(n: &[u8]) -> Vec<u8> {
    let mut v = n.to_vec();
    for b in v.iter_mut().rev() {
        if *b == 0xFF {
            *b = 0;
        } else {
            *b += 1;
            return v;
        }
    }
    v.insert(0, 1);
    v
}

/// Magnitude bytes without leading zeros (for comparing numbers).
fn trim(n: &[u8]) -> &[u8] {
    let skip = n.iter().take_while(|b| **b == 0).count();
    &n[skip..]
}

fn greater(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (trim(a), trim(b));
    a.len() > b.len() || (a.len() == b.len() && a > b)
}

pub fn run(a: CrlArgs) -> CliResult<ExitCode> {
    let (ca, _) = load_cert_and_rest(&a.ca_cert, "CA certificate")?;
    let key = load_private_key(&a.ca_key, "CA private key")?;
    let reason = match &a.reason {
        Some(r) => Some(RevocationReason::from_name(r).ctx(|| "--reason")?),
        None => None,
    };
    let now = SystemTime::now();
    let mut builder = CrlBuilder::new(&ca, &key)
        .ctx(|| "making the CRL")?
        .this_update(now)
        .days(a.days);
    let mut listed: Vec<Vec<u8>> = Vec::new();
    let mut previous_number: Option<Vec<u8>> = None;
    if let Some(p) = &a.previous {
        let data = read_file(p, "previous CRL")?;
        let crls = Crl::from_pem_or_der(&data).ctx(|| format!("reading {}", p.display()))?;
        let [prev] = crls.as_slice() else {
            return Err(CliError::input(format!(
                "{} holds {} CRLs; --previous takes one",
                p.display(),
                crls.len()
            )));
        };
        if !prev.is_from(&ca) {
            return Err(CliError::input(format!(
                "the previous CRL {} was issued by '{}', not by '{}'",
                p.display(),
                prev.issuer_string(),
                ca.subject_string()
            )));
        }
        prev.verify_signature(&key.public_key())
            .ctx(|| format!("checking the previous CRL {}", p.display()))?;
        for e in prev.entries() {
            let magnitude = trim(&e.serial).to_vec();
            builder = builder
                .revoke(&magnitude, e.revocation_date, e.reason)
                .ctx(|| format!("carrying serial {} forward", e.serial_hex()))?;
            listed.push(e.serial.clone());
        }
        previous_number = prev.crl_number().map(<[u8]>::to_vec);
    }
    for item in &a.revoke {
        let path = Path::new(item);
        if path.exists() {
            for cert in load_certs(path, "certificate to revoke")? {
                if listed.iter().any(|s| s.as_slice() == cert.serial_bytes()) {
                    note(&format!(
                        "'{}' (serial {}) is already listed; its entry is kept",
                        cert.subject_string(),
                        cert.serial_hex()
                    ));
                    continue;
                }
                listed.push(cert.serial_bytes().to_vec());
                builder = builder
                    .revoke_certificate(&cert, now, reason)
                    .ctx(|| format!("revoking {}", path.display()))?;
            }
        } else {
            let serial = parse_serial_hex(item).map_err(|_| {
                CliError::input(format!(
                    "--revoke {item}: no such file, and not a serial number in hex (e.g. 0x1A2B)"
                ))
            })?;
            let contents = pqsmime::asn1::integer_unsigned(&serial);
            let contents = contents.get(2..).unwrap_or_default().to_vec();
            if listed.contains(&contents) {
                note(&format!(
                    "serial {item} is already listed; its entry is kept"
                ));
                continue;
            }
            listed.push(contents);
            builder = builder
                .revoke(&serial, now, reason)
                .ctx(|| format!("revoking serial {item}"))?;
        }
    }
    let number = match (a.number, &previous_number) {
        (Some(n), Some(prev)) => {
            let n = n.to_be_bytes().to_vec();
            if !greater(&n, prev) {
                return Err(CliError::input(format!(
                    "--number {} is not greater than the previous CRL's number (RFC 5280 §5.2.3: CRL numbers increase)",
                    a.number.unwrap_or_default()
                )));
            }
            Some(n)
        }
        (Some(n), None) => Some(n.to_be_bytes().to_vec()),
        (None, Some(prev)) => Some(increment(trim(prev))),
        (None, None) => None,
    };
    if let Some(n) = number {
        builder = builder.number(&n).ctx(|| "--number")?;
    }
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let crl = builder.sign().ctx(|| "signing the CRL")?;
    if a.der {
        out.put(crl.der())?;
    } else {
        out.put(crl.to_pem().as_bytes())?;
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

fn note(msg: &str) {
    let _ = writeln!(
        std::io::stderr().lock(),
        "pqsmime: crl: note: {}",
        crate::error::sanitize(msg)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_count_up() {
        assert_eq!(increment(&[0x01]), [0x02]);
        assert_eq!(increment(&[0x00, 0xFF]), [0x01, 0x00]);
        assert_eq!(increment(&[0xFF, 0xFF]), [0x01, 0x00, 0x00]);
        assert!(greater(&[0x01, 0x00], &[0xFF]));
        assert!(!greater(&[0x00, 0x05], &[0x05]));
        assert!(greater(&[0x06], &[0x00, 0x05]));
    }
}
