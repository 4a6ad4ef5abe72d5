//! `pqsmime demo`: the quantum-safe S/MIME transition in one command.

use std::path::PathBuf;

use clap::Args;

const EXAMPLES: &str = "\
WHAT IT DOES:
  In a new directory (printed at the start; kept so you can open the files):
   1. a root CA (ML-DSA-65) and a classical root CA (ECDSA P-384) for legacy certificates;
   2. Alice and Bob get split certificates: ML-DSA-65 for signing, ML-KEM-768 for
      encryption; Alice also gets an ECDSA P-256 signing certificate; Carol, on a legacy
      client, gets one RSA-2048 certificate;
   3. Alice writes to Bob and Carol: the message is signed with ML-DSA-65 and ECDSA,
      advertises her ML-KEM certificate (SMIMEEncryptionKeyPreference), and is encrypted
      (AES-256-GCM) to Bob (ML-KEM), Carol (RSA) and herself (ML-KEM);
   4. Bob, Carol and Alice each decrypt and verify it; Bob keeps Alice's encryption
      certificate from the signature and replies encrypted to it.
  Every step is printed with the files it wrote; the .eml files open in a mail client.

EXAMPLES:
  pqsmime demo
  pqsmime demo --dir ./demo";

#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct DemoArgs {
    /// Directory for the demo files (created; must not exist or be empty). Default: a new
    /// directory under the system's temporary directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}
