//! `pqsmime csr`: PKCS #10 requests. A signature key signs its own request (proof of
//! possession); a key that cannot sign (ML-KEM) gets an RFC 9883 statement of possession,
//! signed with `--possession-key`, naming and including `--possession-cert`.

use std::process::ExitCode;

use pqsmime::x509::CsrBuilder;

use crate::cli::csr::CsrArgs;
use crate::commands::{load_cert_and_rest, load_private_key};
use crate::error::{CliError, CliResult, Context};
use crate::io::{Output, Secrecy};

pub fn run(a: CsrArgs) -> CliResult<ExitCode> {
    let key = load_private_key(&a.key, "private key")?;
    let mut builder = CsrBuilder::new(&a.email).ctx(|| "--email")?;
    if let Some(dn) = &a.subject {
        builder = builder.subject(dn).ctx(|| "--subject")?;
    }
    let csr = match (&a.possession_cert, &a.possession_key) {
        (None, None) => {
            if !key.kind().can_sign() {
                let d = key.kind().description();
                return Err(CliError::input(format!(
                    "{} {d} key cannot sign its own request: give the signing certificate and key that vouch for it with --possession-cert and --possession-key (RFC 9883)",
                    crate::error::article(&d)
                )));
            }
            builder
                .self_signed(&key)
                .ctx(|| format!("making the request for {}", a.email))?
        }
        (Some(cert_path), Some(cert_key_path)) => {
            let (cert, _) = load_cert_and_rest(cert_path, "possession certificate")?;
            let cert_key = load_private_key(cert_key_path, "possession private key")?;
            builder
                .with_possession(&key.public_key(), &cert, &cert_key)
                .ctx(|| format!("making the RFC 9883 request for {}", a.email))?
        }
        _ => {
            return Err(CliError::input(
                "--possession-cert and --possession-key go together",
            ))
        }
    };
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    if a.der {
        out.put(csr.der())?;
    } else {
        out.put(csr.to_pem().as_bytes())?;
    }
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}
