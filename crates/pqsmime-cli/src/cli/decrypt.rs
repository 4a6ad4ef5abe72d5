//! `pqsmime decrypt`.

use std::path::PathBuf;

use clap::Args;

use super::verify::PolicyArg;
use super::{InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  pqsmime decrypt --cert bob-enc.crt --key bob-enc.key -o message.eml encrypted.eml

  # Decrypt, then verify a signed-then-encrypted CMS message in one pass
  pqsmime decrypt --cert bob-enc.crt --key bob-enc.key --verify --trust ca.crt \\
      -o big.tar big.tar.p7m

  # S/MIME mail that is signed and encrypted: use verify, which walks every layer
  pqsmime verify --trust ca.crt --decrypt-cert bob-enc.crt --decrypt-key bob-enc.key \\
      -o message.eml received.eml

INPUT:
  An S/MIME message or entity (application/pkcs7-mime, base64 or binary body), PEM
  (CMS or PKCS7) or DER/BER, holding EnvelopedData or AuthEnvelopedData; read as a
  stream, so inputs larger than memory work.

OUTPUT:
  Nothing is released before the whole message has been checked (GCM tag, CBC padding):
  with -o the content goes to a temporary file (mode 0600) next to OUT that is renamed
  onto OUT at the end; on standard output it is spooled to an anonymous temporary file
  first. With --json and no -o, only the JSON object is written.

DECRYPT-THEN-VERIFY (--verify):
  The decrypted content must be a CMS SignedData with the content inside (what
  `pqsmime encrypt --sign-cert ...` or `pqsmime sign --format der | pqsmime encrypt
  --format der` make). Decryption and verification run on two threads joined by a bounded
  in-memory pipe; the signed content is released only when the encryption authenticated
  AND the signatures are valid under --policy, and no verification error is reported
  before the decryption has been checked.

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

    /// The decrypted content is a CMS SignedData: verify it as it streams and write the
    /// signed content (decrypt-then-verify in one pass; needs --trust or --no-chain)
    #[arg(long)]
    pub verify: bool,

    /// With --verify: trust anchor for the signers' chains (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, requires = "verify")]
    pub trust: Vec<PathBuf>,

    /// With --verify: more certificates for finding signers and building chains (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, requires = "verify")]
    pub certs: Vec<PathBuf>,

    /// With --verify: check the signatures only, not the certificates
    #[arg(long, requires = "verify")]
    pub no_chain: bool,

    /// With --verify: which signers must be valid
    #[arg(long, value_enum, value_name = "POLICY", default_value = "any")]
    pub policy: PolicyArg,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}
