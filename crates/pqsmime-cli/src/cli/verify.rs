//! `pqsmime verify`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use pqsmime::cms::signed::SignerPolicy;

use super::{InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  # Verify a signed mail against a trust anchor and save the signed content
  pqsmime verify --trust ca.crt -o content.eml signed.eml

  # Require at least one quantum-safe signer, machine-readable result
  pqsmime verify --trust ca.crt --policy require-pq --json signed.eml

  # A detached DER signature over a file
  pqsmime verify --trust ca.crt --content data.bin data.p7s

  # Check the signatures only, not the certificates
  pqsmime verify --no-chain signed.eml

  # A signed and encrypted message: decrypt with Bob's key, verify every layer, keep
  # Alice's encryption certificate (from SMIMEEncryptionKeyPreference) for the reply
  pqsmime verify --trust ca.crt --decrypt-cert bob-enc.crt --decrypt-key bob-enc.key \\
      --save-certs contacts/ -o message.eml received.eml

  # Every message of a Maildir (or --mbox FILE), one line each
  pqsmime verify --trust ca.crt --maildir ~/Maildir

WHOLE MESSAGES:
  A complete RFC 5322 message is opened layer by layer (multipart/signed,
  application/pkcs7-mime signed-data, enveloped-data, authEnveloped-data, message/rfc822
  wrappers; at most 8 layers) and every layer is reported. Encryption layers need
  --decrypt-cert/--decrypt-key. For each signed layer the From (and Sender) address, and the
  protected From inside the signed part, must be an address of a valid signer's
  certificate; a mismatch fails verification unless --allow-sender-mismatch is given.
  Protected header fields (RFC 9788 hp=, or the older protected-headers=\"v1\") are
  compared with the outer ones and disagreements reported. OUT receives the message without
  its S/MIME layers: its header fields (protected values replacing outer ones) and the
  innermost content, ready for a mail client.

BATCH (--maildir, --mbox):
  One line per message on standard output: STATUS, the message (file or position) and a
  summary. STATUS is valid, invalid, unsigned (no S/MIME signature), encrypted (no key
  given), undecryptable or error. A progress bar runs on a terminal. Exit status 1 when any
  message is invalid, undecryptable or unreadable, else 0. With --json each line is one JSON
  object.

OUTPUT:
  The signed content goes to OUT (standard output without -o) only when the message is
  valid. The report goes to standard error; with --json one JSON object goes to
  standard output instead of the content:
  {\"valid\", \"signers\": [{\"subject\", \"email\", \"algorithm\", \"quantum_safe\",
   \"signature_valid\", \"chain_valid\", \"error\", ...}], \"content_type\", ...}";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct VerifyArgs {
    /// Trust anchor certificate(s) (repeatable; a file may hold several)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append)]
    pub trust: Vec<PathBuf>,

    /// More certificates for finding signers and building chains (repeatable)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append)]
    pub certs: Vec<PathBuf>,

    /// CRL(s) for revocation checking (repeatable; PEM or DER): each signer's certificate
    /// must then be covered by a current CRL of its issuer, and none may be revoked
    #[arg(long, value_name = "FILE", action = clap::ArgAction::Append)]
    pub crl: Vec<PathBuf>,

    /// The signed content, for a detached DER or PEM signature
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,

    /// Check signatures only; do not validate certificate chains
    #[arg(long)]
    pub no_chain: bool,

    /// Which signers must be valid
    #[arg(long, value_enum, value_name = "POLICY", default_value = "any")]
    pub policy: PolicyArg,

    /// Print one JSON object on standard output (the report goes to standard error)
    #[arg(long)]
    pub json: bool,

    /// Certificate for decrypting encrypted layers (repeatable; pairs with the
    /// --decrypt-key in the same position)
    #[arg(long, value_name = "CRT", action = clap::ArgAction::Append, requires = "decrypt_key")]
    pub decrypt_cert: Vec<PathBuf>,

    /// Private key for decrypting encrypted layers (one per --decrypt-cert)
    #[arg(long, value_name = "KEY", action = clap::ArgAction::Append, requires = "decrypt_cert")]
    pub decrypt_key: Vec<PathBuf>,

    /// Save the sender's encryption certificate (SMIMEEncryptionKeyPreference, RFC 8551
    /// §2.5.3.1) of each valid signature as DIR/<address>.pem, for encrypted replies
    #[arg(long, value_name = "DIR")]
    pub save_certs: Option<PathBuf>,

    /// Report a From address that the signer certificate does not name, but do not fail
    #[arg(long)]
    pub allow_sender_mismatch: bool,

    /// Verify every message of a Maildir (cur/ and new/) or a directory of message files
    #[arg(long, value_name = "DIR", conflicts_with_all = ["mbox", "content", "input", "output"])]
    pub maildir: Option<PathBuf>,

    /// Verify every message of an mbox file
    #[arg(long, value_name = "FILE", conflicts_with_all = ["content", "input", "output"])]
    pub mbox: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArg,

    #[command(flatten)]
    pub input: InputArg,
}

/// `--policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    /// At least one valid signer
    Any,
    /// Every signer valid
    All,
    /// At least one valid signer with a quantum-safe algorithm
    RequirePq,
}

impl PolicyArg {
    pub fn policy(self) -> SignerPolicy {
        match self {
            PolicyArg::Any => SignerPolicy::Any,
            PolicyArg::All => SignerPolicy::All,
            PolicyArg::RequirePq => SignerPolicy::RequirePq,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PolicyArg::Any => "any",
            PolicyArg::All => "all",
            PolicyArg::RequirePq => "require-pq",
        }
    }
}
