//! `pqsmime crl`: issue a certificate revocation list.

use std::path::PathBuf;

use clap::Args;

use super::OutputArg;

const EXAMPLES: &str = "\
EXAMPLES:
  # An empty CRL of the issuing CA, valid for 7 days
  pqsmime crl --ca-cert ca.crt --ca-key ca.key -o ca.crl

  # Revoke a certificate (by file) and a serial number, with a reason
  pqsmime crl --ca-cert ca.crt --ca-key ca.key --revoke bob.crt --revoke 0x1A2B3C \\
      --reason key-compromise -o ca.crl

  # The next CRL: keep what the previous one lists and count its number up
  pqsmime crl --ca-cert ca.crt --ca-key ca.key --previous ca.crl --revoke eve.crt -o ca-new.crl

  # Check a message against it, and let OpenSSL check the CRL
  pqsmime verify --trust root.crt --crl ca.crl signed.eml
  openssl crl -in ca.crl -CAfile ca.crt -noout

REASONS:
  key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation,
  certificate-hold (not for CA or Strict certificates), privilege-withdrawn, aa-compromise;
  without --reason no reasonCode is written ('unspecified' is never written, S/MIME BR 7.2.2)";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct CrlArgs {
    /// The issuing CA's certificate
    #[arg(long, value_name = "CRT")]
    pub ca_cert: PathBuf,

    /// The issuing CA's private key
    #[arg(long, value_name = "KEY")]
    pub ca_key: PathBuf,

    /// A certificate file (PEM or DER) or a serial number in hex (0x1A2B, 1A:2B) to list as
    /// revoked; repeatable
    #[arg(long, value_name = "CRT|SERIAL")]
    pub revoke: Vec<String>,

    /// Revocation reason for the certificates given with --revoke
    #[arg(long, value_name = "REASON")]
    pub reason: Option<String>,

    /// A previous CRL of this CA: its entries are kept and the CRL number counts up from it
    #[arg(long, value_name = "CRL")]
    pub previous: Option<PathBuf>,

    /// Days until nextUpdate
    #[arg(long, value_name = "N", default_value_t = 7,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,

    /// The cRLNumber (decimal); default: one more than --previous, or the current time in
    /// seconds since 1970
    #[arg(long, value_name = "N")]
    pub number: Option<u64>,

    /// Write DER instead of PEM
    #[arg(long)]
    pub der: bool,

    #[command(flatten)]
    pub output: OutputArg,
}
