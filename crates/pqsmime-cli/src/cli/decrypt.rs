//! `pqsmime decrypt`.

use std::path::PathBuf;

use clap::Args;

use super::{InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  pqsmime decrypt --cert bob-enc.crt --key bob-enc.key -o message.eml encrypted.eml

  # Decrypt, then verify, as a stream
  pqsmime decrypt --cert bob-enc.crt --key bob-enc.key big.tar.p7m \\
      | pqsmime verify --trust ca.crt -o big.tar

INPUT:
  An S/MIME message or entity (application/pkcs7-mime, base64 or binary body), PEM
  (CMS or PKCS7) or DER/BER, holding EnvelopedData or AuthEnvelopedData; read as a
  stream, so inputs larger than memory work.

OUTPUT:
  Nothing is released before the whole message has been checked (GCM tag, CBC padding):
  with -o the content goes to a temporary file (mode 0600) next to OUT that is renamed
  onto OUT at the end; on standard output it is spooled to an anonymous temporary file
  first. With --json and no -o, only the JSON object is written.

EXIT STATUS:
  1 and the one message 'decryption failed' for every failure that depends on keys or
  ciphertext (no RecipientInfo for this certificate, wrong key, KEM or unwrap failure,
  bad padding, bad tag), so that nothing can serve as a padding or KEM oracle;
  2 for input errors (malformed or truncated encoding, unsupported algorithm).";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct DecryptArgs {
    /// The recipient's certificate
    #[arg(long, value_name = "CRT")]
    pub cert: PathBuf,

    /// The recipient's private key
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,

    /// Print one JSON object on standard output (the report goes to standard error)
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}
