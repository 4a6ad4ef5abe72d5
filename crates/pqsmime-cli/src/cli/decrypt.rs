//! `pqsmime decrypt`.

use std::path::PathBuf;

use clap::Args;

use super::{InputArg, OutputArg};

const EXAMPLES: &str = "\
EXAMPLES:
  pqsmime decrypt --cert bob-enc.crt --key bob-enc.key -o message.eml encrypted.eml";

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
