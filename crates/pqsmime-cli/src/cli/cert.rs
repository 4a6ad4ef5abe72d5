//! `pqsmime cert ca`, `pqsmime cert issue` and `pqsmime cert issue-pair`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::OutputArg;

const CA_EXAMPLES: &str = "\
EXAMPLES:
  # A self-signed ML-DSA-87 root, valid for ten years
  pqsmime key gen --alg ml-dsa-87 -o root.key
  pqsmime cert ca --key root.key --subject 'CN=Example Root,O=Example Ltd,C=GB' --days 3650 -o root.crt

  # An S/MIME BR issuing CA under it (SBR 7.1.2.2): EKU emailProtection, the root's CRL
  pqsmime key gen --alg ml-dsa-65 -o ca.key
  pqsmime cert ca --key ca.key --subject 'CN=Example S/MIME CA,O=Example Ltd,C=GB' \\
      --ca-cert root.crt --ca-key root.key --crl-url http://crl.example.com/root.crl \\
      --ca-issuers-url http://ca.example.com/root.crt --days 1825 -o ca.crt";

const ISSUE_EXAMPLES: &str = "\
EXAMPLES:
  # An S/MIME BR mailbox-validated (Strict) signing certificate for an ML-DSA key
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --pub alice.pub \\
      --email alice@example.com --profile mailbox-strict \\
      --crl-url http://crl.example.com/ca.crl --ca-issuers-url http://ca.example.com/ca.crt \\
      -o alice.crt

  # An individual-validated encryption certificate for an ML-KEM key from an RFC 9883 request
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --csr alice-enc.csr \\
      --email alice@example.com --profile individual-strict --given-name Alice --surname Liddell \\
      --country GB --crl-url http://crl.example.com/ca.crl -o alice-enc.crt

  # A certificate of the test profile (no S/MIME BR rules; any algorithm, e.g. SLH-DSA)
  pqsmime cert issue --ca-cert ca.crt --ca-key ca.key --pub test.pub \\
      --email test@example.com --usage sign --profile test -o test.crt

PROFILES:
  mailbox-strict (default), mailbox-multipurpose, organization-strict, organization-multipurpose,
  sponsored-strict, sponsored-multipurpose, individual-strict, individual-multipurpose
                              the S/MIME Baseline Requirements profiles: --crl-url is required
                              (http), the subject comes from the attribute options, the key
                              types, key usage, validity (at most 825 days) and subject follow
                              the SBR, and the certificate is linted before and after signing;
                              any error finding refuses it
  test                        pqsmime's profile for test hierarchies: any key type, CN=<email>,
                              no certificate policy, no CRL or AIA locations
  mailbox-legacy, organization-legacy, sponsored-legacy, individual-legacy
                              refused (SBR 7.1.6.1: no Legacy certificates since 2025-07-15)";

const PAIR_EXAMPLES: &str = "\
EXAMPLES:
  # A split-use pair for one mailbox: ML-DSA signing and ML-KEM encryption certificates
  pqsmime key gen --alg ml-dsa-65 -o alice-sign.key
  pqsmime key gen --alg ml-kem-768 -o alice-enc.key
  pqsmime key pub alice-sign.key -o alice-sign.pub
  pqsmime key pub alice-enc.key -o alice-enc.pub
  pqsmime cert issue-pair --ca-cert ca.crt --ca-key ca.key \\
      --sign-pub alice-sign.pub --enc-pub alice-enc.pub --email alice@example.com \\
      --profile mailbox-strict --crl-url http://crl.example.com/ca.crl \\
      --sign-out alice-sign.crt --enc-out alice-enc.crt

  # The same from requests (the ML-KEM request vouched for by the signing certificate):
  #   pqsmime csr --key alice-sign.key --email alice@example.com -o sign.csr
  #   pqsmime cert issue ... --csr sign.csr -o alice-sign.crt
  #   pqsmime csr --key alice-enc.key --email alice@example.com \\
  #       --possession-cert alice-sign.crt --possession-key alice-sign.key -o enc.csr
  #   pqsmime cert issue ... --csr enc.csr -o alice-enc.crt";

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Make a self-signed root CA certificate, or an S/MIME BR subordinate CA certificate
    Ca(Box<CertCaArgs>),
    /// Issue an S/MIME certificate for a public key or a certificate request
    Issue(Box<CertIssueArgs>),
    /// Issue a signing and an ML-KEM encryption certificate for one mailbox (split use)
    IssuePair(Box<CertIssuePairArgs>),
}

/// Where relying parties find the issuing CA's CRL and certificate (S/MIME BR: http URLs).
#[derive(Debug, Clone, Args)]
pub struct CaUrlArgs {
    /// http URL of the issuing CA's CRL (cRLDistributionPoints); required by the S/MIME BR
    /// profiles; repeatable
    #[arg(long, value_name = "URL")]
    pub crl_url: Vec<String>,

    /// http URL of the issuing CA's certificate (authorityInfoAccess caIssuers); repeatable
    #[arg(long, value_name = "URL")]
    pub ca_issuers_url: Vec<String>,

    /// http URL of an OCSP responder (authorityInfoAccess); repeatable
    #[arg(long, value_name = "URL")]
    pub ocsp_url: Vec<String>,
}

#[derive(Debug, Args)]
#[command(after_help = CA_EXAMPLES)]
pub struct CertCaArgs {
    /// The new CA's private key (for a subordinate CA its public key is enough)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    /// Subject distinguished name, e.g. 'CN=Test Root,O=Example,C=DE'
    #[arg(long, value_name = "DN")]
    pub subject: String,

    /// Validity in days from now
    #[arg(long, value_name = "N", default_value_t = 3650,
          value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    /// Issue a subordinate CA certificate signed by this CA (S/MIME BR 7.1.2.2) instead of
    /// a self-signed root
    #[arg(long, value_name = "CRT", requires_all = ["ca_key", "crl_url"])]
    pub ca_cert: Option<PathBuf>,

    /// The issuing CA's private key (with --ca-cert)
    #[arg(long, value_name = "KEY", requires = "ca_cert")]
    pub ca_key: Option<PathBuf>,

    #[command(flatten)]
    pub urls: CaUrlArgs,

    /// Subordinate CA: pathLenConstraint (default 0, an issuing CA)
    #[arg(long, value_name = "N", requires = "ca_cert")]
    pub path_len: Option<u32>,

    /// Subordinate CA: restrict it to mailboxes at this domain (rfc822Name name constraint,
    /// 'example.com' or '.example.com'); repeatable
    #[arg(long, value_name = "DOMAIN", requires = "ca_cert")]
    pub permit_email_domain: Vec<String>,

    /// Subordinate CA: the S/MIME BR profiles it may issue (certificatePolicies); default
    /// all eight Strict and Multipurpose profiles; repeatable
    #[arg(
        long = "allow-profile",
        value_enum,
        value_name = "PROFILE",
        requires = "ca_cert"
    )]
    pub allow_profiles: Vec<IssueProfile>,

    #[command(flatten)]
    pub output: OutputArg,
}

/// What the issued certificate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Usage {
    /// Signing: keyUsage digitalSignature (and nonRepudiation)
    Sign,
    /// Encryption: keyUsage keyEncipherment (KEM, RSA) or keyAgreement (ECDH)
    Encrypt,
    /// Both with one RSA or EC key (dual use; a split pair is preferable)
    Both,
}

/// `cert issue --profile`: the S/MIME BR profiles and pqsmime's test profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IssueProfile {
    Test,
    MailboxStrict,
    MailboxMultipurpose,
    OrganizationStrict,
    OrganizationMultipurpose,
    SponsoredStrict,
    SponsoredMultipurpose,
    IndividualStrict,
    IndividualMultipurpose,
    MailboxLegacy,
    OrganizationLegacy,
    SponsoredLegacy,
    IndividualLegacy,
}

impl IssueProfile {
    /// The profile name, e.g. `mailbox-strict`.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// The S/MIME BR profile (as `lint --profile` names it); `None` for `test`.
    pub fn br(self) -> Option<super::Profile> {
        use super::Profile as P;
        Some(match self {
            IssueProfile::Test => return None,
            IssueProfile::MailboxStrict => P::MailboxStrict,
            IssueProfile::MailboxMultipurpose => P::MailboxMultipurpose,
            IssueProfile::OrganizationStrict => P::OrganizationStrict,
            IssueProfile::OrganizationMultipurpose => P::OrganizationMultipurpose,
            IssueProfile::SponsoredStrict => P::SponsoredStrict,
            IssueProfile::SponsoredMultipurpose => P::SponsoredMultipurpose,
            IssueProfile::IndividualStrict => P::IndividualStrict,
            IssueProfile::IndividualMultipurpose => P::IndividualMultipurpose,
            IssueProfile::MailboxLegacy => P::MailboxLegacy,
            IssueProfile::OrganizationLegacy => P::OrganizationLegacy,
            IssueProfile::SponsoredLegacy => P::SponsoredLegacy,
            IssueProfile::IndividualLegacy => P::IndividualLegacy,
        })
    }
}

/// The validated subject identity (S/MIME BR profiles).
#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// commonName (default: the mailbox, the organization, or the personal name or
    /// pseudonym, as the profile's type suggests)
    #[arg(long, value_name = "TEXT")]
    pub cn: Option<String>,

    /// givenName (sponsored and individual profiles)
    #[arg(long, value_name = "TEXT")]
    pub given_name: Option<String>,

    /// surname (sponsored and individual profiles)
    #[arg(long, value_name = "TEXT")]
    pub surname: Option<String>,

    /// pseudonym instead of given name and surname (sponsored and individual profiles)
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["given_name", "surname"])]
    pub pseudonym: Option<String>,

    /// title (sponsored and individual profiles)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// organizationName (organization and sponsored profiles)
    #[arg(long, value_name = "TEXT")]
    pub org: Option<String>,

    /// organizationalUnitName (organization and sponsored profiles)
    #[arg(long, value_name = "TEXT")]
    pub org_unit: Option<String>,

    /// organizationIdentifier, e.g. NTRDE-HRB12345 (organization and sponsored profiles)
    #[arg(long, value_name = "ID")]
    pub org_id: Option<String>,

    /// countryName (ISO 3166-1 alpha-2)
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,

    /// stateOrProvinceName
    #[arg(long, value_name = "TEXT")]
    pub state: Option<String>,

    /// localityName
    #[arg(long, value_name = "TEXT")]
    pub locality: Option<String>,

    /// streetAddress (Multipurpose profiles only)
    #[arg(long, value_name = "TEXT")]
    pub street: Option<String>,

    /// postalCode (Multipurpose profiles only)
    #[arg(long, value_name = "TEXT")]
    pub postal_code: Option<String>,

    /// Subject serialNumber (a subscriber identifier)
    #[arg(long, value_name = "TEXT")]
    pub subject_serial: Option<String>,

    /// Also put the mailbox in an emailAddress attribute of the subject
    #[arg(long)]
    pub email_in_subject: bool,
}

/// Options shared by `cert issue` and `cert issue-pair`.
#[derive(Debug, Clone, Args)]
pub struct IssueCommon {
    /// The issuing CA's certificate (further certificates in the file are chain certificates
    /// for checking RFC 9883 vouching certificates)
    #[arg(long, value_name = "CRT")]
    pub ca_cert: PathBuf,

    /// The issuing CA's private key
    #[arg(long, value_name = "KEY")]
    pub ca_key: PathBuf,

    /// Certificate profile (see PROFILES below)
    #[arg(
        long,
        value_enum,
        value_name = "PROFILE",
        default_value = "mailbox-strict",
        hide_possible_values = true
    )]
    pub profile: IssueProfile,

    /// Validity in days from now (S/MIME BR profiles: at most 825)
    #[arg(long, value_name = "N", default_value_t = 365,
          value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    /// Signing certificates: also assert nonRepudiation (contentCommitment)
    #[arg(long)]
    pub non_repudiation: bool,

    /// Multipurpose profiles: also assert the clientAuth key purpose
    #[arg(long)]
    pub client_auth: bool,

    /// http or https URL of the CA's certification practice statement (id-qt-cps)
    #[arg(long, value_name = "URL")]
    pub cps_url: Option<String>,

    #[command(flatten)]
    pub urls: CaUrlArgs,

    #[command(flatten)]
    pub identity: IdentityArgs,

    /// Trust anchors for checking the certificate that vouches for an RFC 9883 request
    /// (besides the issuing CA); repeatable
    #[arg(long, value_name = "CRT")]
    pub trust: Vec<PathBuf>,

    /// Further certificates for finding and chaining that vouching certificate; repeatable
    #[arg(long, value_name = "CRT")]
    pub certs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = ISSUE_EXAMPLES)]
pub struct CertIssueArgs {
    #[command(flatten)]
    pub common: IssueCommon,

    /// The subject's public key (SubjectPublicKeyInfo PEM or DER)
    #[arg(
        long = "pub",
        value_name = "PUB",
        required_unless_present = "csr",
        conflicts_with = "csr"
    )]
    pub public_key: Option<PathBuf>,

    /// A certificate signing request instead of --pub: its proof of possession (or RFC 9883
    /// statement and vouching certificate) is checked; only its key is used
    #[arg(long, value_name = "CSR")]
    pub csr: Option<PathBuf>,

    /// The subject's email address (validated by the caller; subjectAltName)
    #[arg(long, value_name = "ADDR")]
    pub email: String,

    /// What the certificate is for; by default derived from the key (ML-KEM, X25519:
    /// encrypt; signature keys: sign)
    #[arg(long, value_enum, value_name = "USAGE")]
    pub usage: Option<Usage>,

    /// Test profile only: subject distinguished name instead of 'CN=<email>' (the S/MIME BR
    /// profiles take the subject from --cn, --org, --given-name, ...)
    #[arg(long, value_name = "DN")]
    pub subject: Option<String>,

    #[command(flatten)]
    pub output: OutputArg,
}

#[derive(Debug, Args)]
#[command(after_help = PAIR_EXAMPLES)]
pub struct CertIssuePairArgs {
    #[command(flatten)]
    pub common: IssueCommon,

    /// The signing key (ML-DSA or another signature key), SubjectPublicKeyInfo
    #[arg(
        long,
        value_name = "PUB",
        required_unless_present = "sign_csr",
        conflicts_with = "sign_csr"
    )]
    pub sign_pub: Option<PathBuf>,

    /// A self-signed request for the signing key instead of --sign-pub
    #[arg(long, value_name = "CSR")]
    pub sign_csr: Option<PathBuf>,

    /// The ML-KEM encryption key, SubjectPublicKeyInfo
    #[arg(
        long,
        value_name = "PUB",
        required_unless_present = "enc_csr",
        conflicts_with = "enc_csr"
    )]
    pub enc_pub: Option<PathBuf>,

    /// An RFC 9883 request for the ML-KEM key instead of --enc-pub
    #[arg(long, value_name = "CSR")]
    pub enc_csr: Option<PathBuf>,

    /// The mailbox of both certificates
    #[arg(long, value_name = "ADDR")]
    pub email: String,

    /// Where to write the signing certificate
    #[arg(long, value_name = "CRT")]
    pub sign_out: PathBuf,

    /// Where to write the encryption certificate
    #[arg(long, value_name = "CRT")]
    pub enc_out: PathBuf,
}
