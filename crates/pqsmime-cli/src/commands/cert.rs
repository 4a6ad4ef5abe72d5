//! `pqsmime cert ca`, `pqsmime cert issue` and `pqsmime cert issue-pair`.
//!
//! Profiles: `test` (the default) is the library's `TestProfile` for test hierarchies (any
//! key type, `CN=<email>`, no policy or CRL locations). The eight S/MIME BR profiles go through
//! `pqsmime::x509::issue_smime`: the subject comes from the identity options (never from a
//! request), `--crl-url` (http) is required, and the certificate is linted before and after
//! signing; an error finding refuses it (exit 1, the findings in the message), warnings and
//! notices are printed on stderr. Legacy profiles are refused (exit 2, SBR §7.1.6.1).
//!
//! `--csr`: the request's proof of possession is checked (self-signature, or for ML-KEM keys
//! the RFC 9883 statement: the vouching certificate must validate to the issuing CA or a
//! `--trust` anchor, hold the same mailbox, and have signed the request); only its key is used.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use pqsmime::alg::KeyKind;
use pqsmime::keys::{PrivateKey, PublicKey};
use pqsmime::lint::SmimeProfile;
use pqsmime::x509::{
    issue_smime, issue_subordinate_ca, CaUrls, Certificate, CertificateBuilder,
    CertificationRequest, Issued, SmimeRequest, SubjectIdentity, SubordinateCaRequest,
    Usage as LibUsage,
};

use crate::cli::cert::{
    CaUrlArgs, CertCaArgs, CertCommand, CertIssueArgs, CertIssuePairArgs, IdentityArgs,
    IssueCommon, IssueProfile, Usage,
};
use crate::commands::{load_cert_and_rest, load_certs, load_private_key, load_public_key};
use crate::error::{CliError, CliResult, Context};
use crate::io::{read_file, Output, Secrecy};

pub fn run(c: CertCommand) -> CliResult<ExitCode> {
    match c {
        CertCommand::Ca(a) => ca(*a),
        CertCommand::Issue(a) => issue(*a),
        CertCommand::IssuePair(a) => issue_pair(*a),
    }
}

fn urls(u: &CaUrlArgs) -> CaUrls {
    CaUrls {
        crl: u.crl_url.clone(),
        ca_issuers: u.ca_issuers_url.clone(),
        ocsp: u.ocsp_url.clone(),
    }
}

/// Prints the linter's warnings and notices and the issuer's notes on stderr.
fn report(issued: &Issued, what: &str) {
    let mut err = std::io::stderr().lock();
    for f in &issued.findings {
        let _ = writeln!(
            err,
            "pqsmime: {what}: lint {}  {}  {} ({})",
            f.severity,
            f.code,
            crate::error::sanitize(&f.message),
            f.citation
        );
    }
    for n in &issued.notes {
        let _ = writeln!(err, "pqsmime: {what}: note: {}", crate::error::sanitize(n));
    }
}

/// The new CA's key: a private key file, or (for a subordinate CA) a public key file.
fn load_ca_subject_key(path: &Path) -> CliResult<(Option<PrivateKey>, PublicKey)> {
    let data = zeroize::Zeroizing::new(read_file(path, "CA key")?);
    if let Ok(k) = PrivateKey::from_pem_or_der(&data) {
        let p = k.public_key();
        return Ok((Some(k), p));
    }
    let p = PublicKey::from_pem_or_der(&data).ctx(|| {
        format!(
            "reading the CA key {} (a private or public key)",
            path.display()
        )
    })?;
    Ok((None, p))
}

fn ca(a: CertCaArgs) -> CliResult<ExitCode> {
    let Some(issuer_path) = &a.ca_cert else {
        let key = load_private_key(&a.key, "CA private key")?;
        let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
        let cert = CertificateBuilder::ca(&a.subject, &key)
            .ctx(|| "making the CA certificate")?
            .days(a.days)
            .sign(None)
            .ctx(|| "signing the CA certificate")?;
        out.put(cert.to_pem().as_bytes())?;
        out.commit()?;
        return Ok(ExitCode::SUCCESS);
    };
    let ca_key_path = a
        .ca_key
        .as_deref()
        .ok_or_else(|| CliError::input("--ca-cert needs --ca-key"))?;
    let (issuer, _) = load_cert_and_rest(issuer_path, "issuing CA certificate")?;
    let issuer_key = load_private_key(ca_key_path, "issuing CA private key")?;
    let (_, subject_key) = load_ca_subject_key(&a.key)?;
    let profiles: Vec<SmimeProfile> = a
        .allow_profiles
        .iter()
        .map(|p| br_profile(*p))
        .collect::<CliResult<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    if a.allow_profiles.contains(&IssueProfile::Test) {
        return Err(CliError::input(
            "--allow-profile takes S/MIME BR profile names, not 'test'",
        ));
    }
    let req = SubordinateCaRequest {
        subject: a.subject.clone(),
        key: &subject_key,
        urls: urls(&a.urls),
        profiles,
        path_len: a.path_len,
        permitted_email_domains: a.permit_email_domain.clone(),
        days: a.days,
        issued_at: None,
    };
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let issued = issue_subordinate_ca(&req, &issuer, &issuer_key)
        .ctx(|| format!("issuing the subordinate CA certificate '{}'", a.subject))?;
    report(&issued, "cert ca");
    out.put(issued.certificate.to_pem().as_bytes())?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

/// The S/MIME BR profile for a `--profile` value: `None` for `test`; Legacy refused.
fn br_profile(p: IssueProfile) -> CliResult<Option<SmimeProfile>> {
    let Some(br) = p.br() else {
        return Ok(None);
    };
    if br.is_legacy() {
        return Err(CliError::input(format!(
            "the Legacy profile {} is not issued: the S/MIME BR §7.1.6.1 (ballot SMC08) ended Legacy-generation issuance on 2025-07-15; use a strict or multipurpose profile",
            p.name()
        )));
    }
    Ok(Some(SmimeProfile::from_name(br.name())?))
}

fn identity(i: &IdentityArgs) -> SubjectIdentity {
    SubjectIdentity {
        common_name: i.cn.clone(),
        given_name: i.given_name.clone(),
        surname: i.surname.clone(),
        pseudonym: i.pseudonym.clone(),
        title: i.title.clone(),
        organization: i.org.clone(),
        organizational_unit: i.org_unit.clone(),
        organization_identifier: i.org_id.clone(),
        country: i.country.clone(),
        state: i.state.clone(),
        locality: i.locality.clone(),
        street: i.street.clone(),
        postal_code: i.postal_code.clone(),
        serial_number: i.subject_serial.clone(),
        email_in_subject: i.email_in_subject,
    }
}

/// The options that only the S/MIME BR profiles use, by name, when given.
fn br_only_options(c: &IssueCommon) -> Vec<&'static str> {
    let i = &c.identity;
    let u = &c.urls;
    [
        (!u.crl_url.is_empty(), "--crl-url"),
        (!u.ca_issuers_url.is_empty(), "--ca-issuers-url"),
        (!u.ocsp_url.is_empty(), "--ocsp-url"),
        (c.cps_url.is_some(), "--cps-url"),
        (c.client_auth, "--client-auth"),
        (i.cn.is_some(), "--cn"),
        (i.given_name.is_some(), "--given-name"),
        (i.surname.is_some(), "--surname"),
        (i.pseudonym.is_some(), "--pseudonym"),
        (i.title.is_some(), "--title"),
        (i.org.is_some(), "--org"),
        (i.org_unit.is_some(), "--org-unit"),
        (i.org_id.is_some(), "--org-id"),
        (i.country.is_some(), "--country"),
        (i.state.is_some(), "--state"),
        (i.locality.is_some(), "--locality"),
        (i.street.is_some(), "--street"),
        (i.postal_code.is_some(), "--postal-code"),
        (i.subject_serial.is_some(), "--subject-serial"),
        (i.email_in_subject, "--email-in-subject"),
    ]
    .into_iter()
    .filter(|(given, _)| *given)
    .map(|(_, n)| n)
    .collect()
}

/// The issuing CA, its key, and the certificates that may chain an RFC 9883 vouching
/// certificate (the rest of the CA file and `--certs`), and the anchors for it.
struct Issuer {
    cert: Certificate,
    key: PrivateKey,
    pool: Vec<Certificate>,
    anchors: Vec<Certificate>,
}

fn load_issuer(c: &IssueCommon) -> CliResult<Issuer> {
    let (cert, rest) = load_cert_and_rest(&c.ca_cert, "CA certificate")?;
    let key = load_private_key(&c.ca_key, "CA private key")?;
    let mut pool = rest;
    for p in &c.certs {
        pool.extend(load_certs(p, "certificates (--certs)")?);
    }
    let mut anchors = vec![cert.clone()];
    for p in &c.trust {
        anchors.extend(load_certs(p, "trust anchor")?);
    }
    Ok(Issuer {
        cert,
        key,
        pool,
        anchors,
    })
}

/// The key to certify: from `--pub`, or from a request whose proof is checked for `email`.
fn subject_key(
    public: Option<&Path>,
    csr: Option<&Path>,
    email: &str,
    issuer: &Issuer,
    what: &str,
) -> CliResult<PublicKey> {
    match (public, csr) {
        (Some(p), _) => load_public_key(p, what),
        (None, Some(r)) => {
            let data = read_file(r, "certificate request")?;
            let req = CertificationRequest::from_pem_or_der(&data)
                .ctx(|| format!("reading the certificate request {}", r.display()))?;
            let verified = req
                .verify_for_issuance(email, &issuer.pool, &issuer.anchors, SystemTime::now())
                .ctx(|| format!("checking the certificate request {}", r.display()))?;
            Ok(verified.public_key)
        }
        (None, None) => Err(CliError::input(format!(
            "give the {what} (a public key or a certificate request)"
        ))),
    }
}

/// `--usage`, or what the key can do: encryption-only keys (ML-KEM, X25519) get an
/// encryption certificate, everything else a signing certificate.
pub fn lib_usage(u: Option<Usage>, kind: KeyKind) -> LibUsage {
    match u {
        Some(Usage::Sign) => LibUsage::Sign,
        Some(Usage::Encrypt) => LibUsage::Encrypt,
        Some(Usage::Both) => LibUsage::Both,
        None if !kind.can_sign() => LibUsage::Encrypt,
        None => LibUsage::Sign,
    }
}

/// Issues one certificate with the profile of `c`.
fn issue_one(
    c: &IssueCommon,
    issuer: &Issuer,
    key: &PublicKey,
    usage: LibUsage,
    email: &str,
    subject: Option<&str>,
    what: &str,
) -> CliResult<Certificate> {
    let Some(profile) = br_profile(c.profile)? else {
        let given = br_only_options(c);
        if !given.is_empty() {
            return Err(CliError::input(format!(
                "{} {} only for the S/MIME BR profiles, not for the test profile; give --profile (e.g. --profile mailbox-strict)",
                given.join(", "),
                if given.len() == 1 { "is" } else { "are" }
            )));
        }
        let mut builder = CertificateBuilder::end_entity(email, key, usage)
            .ctx(|| format!("issuing a certificate for {email}"))?
            .days(c.days)
            .non_repudiation(c.non_repudiation);
        if let Some(dn) = subject {
            builder = builder.subject(dn).ctx(|| "--subject")?;
        }
        let cert = builder
            .sign(Some((&issuer.cert, &issuer.key)))
            .ctx(|| format!("issuing a certificate for {email}"))?;
        pqsmime::x509::check_issuer_name_constraints(&issuer.cert, &cert)
            .ctx(|| format!("issuing a certificate for {email}"))?;
        return Ok(cert);
    };
    if subject.is_some() {
        return Err(CliError::input(
            "--subject is for the test profile; the S/MIME BR profiles build the subject from the validated attributes (--cn, --org, --org-id, --given-name, --surname, --pseudonym, --country, ...)",
        ));
    }
    let req = SmimeRequest {
        profile,
        key,
        usage,
        emails: vec![email.to_string()],
        identity: identity(&c.identity),
        non_repudiation: c.non_repudiation,
        client_auth: c.client_auth,
        urls: urls(&c.urls),
        cps_url: c.cps_url.clone(),
        days: c.days,
        issued_at: None,
    };
    let issued = issue_smime(&req, &issuer.cert, &issuer.key).ctx(|| {
        let p = profile.to_string();
        format!(
            "issuing {} {p} certificate for {email}",
            crate::error::article(&p)
        )
    })?;
    report(&issued, what);
    Ok(issued.certificate)
}

fn issue(a: CertIssueArgs) -> CliResult<ExitCode> {
    br_profile(a.common.profile)?;
    let issuer = load_issuer(&a.common)?;
    let key = subject_key(
        a.public_key.as_deref(),
        a.csr.as_deref(),
        &a.email,
        &issuer,
        "public key",
    )?;
    let usage = lib_usage(a.usage, key.kind());
    let mut out = Output::create(a.output.output.as_deref(), Secrecy::Public, true)?;
    let cert = issue_one(
        &a.common,
        &issuer,
        &key,
        usage,
        &a.email,
        a.subject.as_deref(),
        "cert issue",
    )?;
    out.put(cert.to_pem().as_bytes())?;
    out.commit()?;
    Ok(ExitCode::SUCCESS)
}

fn issue_pair(a: CertIssuePairArgs) -> CliResult<ExitCode> {
    br_profile(a.common.profile)?;
    let issuer = load_issuer(&a.common)?;
    let sign_key = subject_key(
        a.sign_pub.as_deref(),
        a.sign_csr.as_deref(),
        &a.email,
        &issuer,
        "signing key",
    )?;
    let enc_key = subject_key(
        a.enc_pub.as_deref(),
        a.enc_csr.as_deref(),
        &a.email,
        &issuer,
        "encryption key",
    )?;
    if !matches!(enc_key.kind(), KeyKind::MlKem(_)) {
        return Err(CliError::input(format!(
            "the encryption key of a split-use pair must be ML-KEM, not {}",
            enc_key.kind().name()
        )));
    }
    if !sign_key.kind().can_sign() {
        return Err(CliError::input(format!(
            "the signing key must be a signature key, not {}",
            sign_key.kind().name()
        )));
    }
    if same_path(&a.sign_out, &a.enc_out) {
        return Err(CliError::input(
            "--sign-out and --enc-out must name different files",
        ));
    }
    let mut sign_out = Output::create(Some(&a.sign_out), Secrecy::Public, true)?;
    let mut enc_out = Output::create(Some(&a.enc_out), Secrecy::Public, true)?;
    let s = issue_one(
        &a.common,
        &issuer,
        &sign_key,
        LibUsage::Sign,
        &a.email,
        None,
        "signing certificate",
    )?;
    let common = IssueCommon {
        non_repudiation: false,
        ..a.common.clone()
    };
    let e = issue_one(
        &common,
        &issuer,
        &enc_key,
        LibUsage::Encrypt,
        &a.email,
        None,
        "encryption certificate",
    )?;
    sign_out.put(s.to_pem().as_bytes())?;
    enc_out.put(e.to_pem().as_bytes())?;
    sign_out.commit()?;
    enc_out.commit()?;
    Ok(ExitCode::SUCCESS)
}

fn same_path(a: &PathBuf, b: &PathBuf) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
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
            lib_usage(Some(Usage::Both), KeyKind::Ec(EcCurve::P256)),
            LibUsage::Both
        );
    }

    #[test]
    fn profile_names_and_legacy_refusal() {
        assert_eq!(br_profile(IssueProfile::Test).unwrap(), None);
        assert_eq!(
            br_profile(IssueProfile::OrganizationMultipurpose)
                .unwrap()
                .unwrap()
                .name(),
            "organization-multipurpose"
        );
        let e = br_profile(IssueProfile::MailboxLegacy).unwrap_err();
        assert_eq!(e.exit.code(), 2);
        assert!(e.message.contains("§7.1.6.1"), "{}", e.message);
    }
}
