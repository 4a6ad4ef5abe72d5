//! `pqsmime cert ca` and `pqsmime cert issue`, on the library's `CertificateBuilder`.
//!
//! `--profile` is accepted with every BR profile name, but only the default
//! (`mailbox-strict`) is issued yet, with the library's built-in profile; other names fail
//! with exit 2 ("not supported yet"), Legacy profiles are refused outright. `--csr` likewise
//! waits for CSR support.

use std::process::ExitCode;

use pqsmime::alg::KeyKind;
use pqsmime::x509::{CertificateBuilder, Usage as LibUsage};

use crate::cli::cert::{CertCaArgs, CertCommand, CertIssueArgs, Usage};
use crate::cli::Profile;
use crate::commands::{load_cert_and_rest, load_private_key, load_public_key};
use crate::error::{CliError, CliResult, Context};
use crate::io::{Output, Secrecy};

pub fn run(c: CertCommand) -> CliResult<ExitCode> {
    match c {
        CertCommand::Ca(a) => ca(a),
        CertCommand::Issue(a) => issue(a),
    }
}

fn ca(a: CertCaArgs) -> CliResult<ExitCode> {
    let key = load_private_key(&a.key, "CA private key")?;
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let cert = CertificateBuilder::ca(&a.subject, &key)
        .ctx(|| "making the CA certificate")?
        .days(a.days)
        .sign(None)
        .ctx(|| "signing the CA certificate")?;
    out.put(cert.to_pem().as_bytes())?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

fn issue(a: CertIssueArgs) -> CliResult<ExitCode> {
    check_profile(a.profile)?;
    if a.csr.is_some() {
        return Err(CliError::not_supported(
            "--csr (issue from a --pub public key for now)",
        ));
    }
    let pub_path = a
        .public_key
        .as_deref()
        .ok_or_else(|| CliError::input("give the subject's public key with --pub"))?;
    let (ca_cert, _) = load_cert_and_rest(&a.ca_cert, "CA certificate")?;
    let ca_key = load_private_key(&a.ca_key, "CA private key")?;
    let public = load_public_key(pub_path, "public key")?;
    let usage = lib_usage(a.usage, public.kind());

    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let mut builder = CertificateBuilder::end_entity(&a.email, &public, usage)
        .ctx(|| format!("issuing a certificate for {}", a.email))?
        .days(a.days)
        .non_repudiation(a.non_repudiation);
    if let Some(dn) = &a.subject {
        builder = builder.subject(dn).ctx(|| "--subject")?;
    }
    let cert = builder
        .sign(Some((&ca_cert, &ca_key)))
        .ctx(|| format!("issuing a certificate for {}", a.email))?;
    out.put(cert.to_pem().as_bytes())?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

/// Legacy profiles are refused; the other non-default ones come later.
pub fn check_profile(p: Profile) -> CliResult<()> {
    if p.is_legacy() {
        return Err(CliError::input(format!(
            "the Legacy profile {} is not issued (the S/MIME BR sunset it); use a strict or multipurpose profile",
            p.name()
        )));
    }
    if p != Profile::MailboxStrict {
        return Err(CliError::not_supported(&format!(
            "--profile {} (only mailbox-strict is issued for now)",
            p.name()
        )));
    }
    Ok(())
}

/// `--usage`, or what the key can do: encryption-only keys (ML-KEM, X25519) get an
/// encryption certificate, everything else a signing certificate.
pub fn lib_usage(u: Option<Usage>, kind: KeyKind) -> LibUsage {
    match u {
        Some(Usage::Sign) => LibUsage::Sign,
        Some(Usage::Encrypt) => LibUsage::Encrypt,
        None if !kind.can_sign() => LibUsage::Encrypt,
        None => LibUsage::Sign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pqsmime::alg::{EcCurve, MlDsaLevel, MlKemLevel};

    #[test]
    fn usage_defaults_from_the_key() {
        assert_eq!(
            lib_usage(None, KeyKind::MlKem(MlKemLevel::L768)),
            LibUsage::Encrypt
        );
        assert_eq!(lib_usage(None, KeyKind::X25519), LibUsage::Encrypt);
        assert_eq!(
            lib_usage(None, KeyKind::MlDsa(MlDsaLevel::L65)),
            LibUsage::Sign
        );
        assert_eq!(lib_usage(None, KeyKind::Ec(EcCurve::P256)), LibUsage::Sign);
        assert_eq!(
            lib_usage(Some(Usage::Encrypt), KeyKind::Ec(EcCurve::P256)),
            LibUsage::Encrypt
        );
    }

    #[test]
    fn profiles_other_than_the_default_are_not_supported_yet() {
        assert!(check_profile(Profile::MailboxStrict).is_ok());
        let e = check_profile(Profile::OrganizationMultipurpose).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(e
            .message
            .starts_with("not supported yet: --profile organization-multipurpose"));
        let e = check_profile(Profile::MailboxLegacy).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(e.message.contains("Legacy"), "{}", e.message);
    }

    #[test]
    fn csr_is_accepted_but_not_supported_yet() {
        let code = crate::app::main_with_args([
            "pqsmime",
            "cert",
            "issue",
            "--ca-cert",
            "c",
            "--ca-key",
            "k",
            "--csr",
            "r",
            "--email",
            "a@example.com",
        ]);
        assert_eq!(code, ExitCode::from(2));
    }
}
