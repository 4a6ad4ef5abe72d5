//! Parsing, dispatch and the one place that turns errors into exit codes and stderr lines.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands;
use crate::error::{CliError, CliResult};

/// Runs a parsed command line. `Ok` carries the exit code of a command that ran to its end
/// (0, or 1 for a verification that came out invalid after the report was printed).
pub fn run(cli: Cli) -> CliResult<ExitCode> {
    match cli.command {
        Command::Key(c) => commands::key::run(c),
        Command::Cert(c) => commands::cert::run(c),
        Command::Csr(a) => commands::csr::run(a),
        Command::Crl(a) => commands::crl::run(a),
        Command::Sign(a) => commands::sign::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Encrypt(a) => commands::encrypt::run(a),
        Command::Decrypt(a) => commands::decrypt::run(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Lint(a) => commands::lint::run(a),
        Command::Protect(a) => commands::protect::run(a),
        Command::Demo(a) => commands::demo::run(a),
    }
}

/// Parses `args` (program name first), runs the command, prints any error as one line and
/// returns the exit code.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e, &subcommand_path(&args)),
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Prints the error line (unless stdout simply went away) and returns its exit code.
pub fn report(e: &CliError) -> ExitCode {
    if !e.broken_pipe {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", e.line());
    }
    ExitCode::from(e.exit.code())
}

/// Help and version go to stdout with exit 0; usage errors become one `pqsmime: error:` line
/// with exit 2 (clap's own code for usage errors).
fn clap_exit(e: clap::Error, command: &str) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        }
        _ => {
            let line = clap_error_line(&e.render().to_string(), command);
            let _ = writeln!(std::io::stderr().lock(), "pqsmime: error: {line}");
            ExitCode::from(2)
        }
    }
}

/// "pqsmime key gen" for `pqsmime key gen --alg foo`: the program and the subcommands named
/// before the first option or argument that is not one.
fn subcommand_path(args: &[OsString]) -> String {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut path = vec!["pqsmime".to_string()];
    for a in args.iter().skip(1) {
        let Some(name) = a.to_str() else { break };
        let Some(sub) = cmd.find_subcommand(name).cloned() else {
            break;
        };
        path.push(sub.get_name().to_string());
        cmd = sub;
    }
    path.join(" ")
}

/// Folds clap's multi-line error into one sentence: the error, any tip, and where to look
/// (clap's own usage line names the command; `fallback` when it has none).
pub fn clap_error_line(rendered: &str, fallback: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut first = lines
        .next()
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ")
        .to_string();
    // "the following required arguments were not provided:" is followed by the list.
    if first.ends_with(':') {
        let items: Vec<&str> = lines
            .take_while(|l| !l.starts_with("Usage: ") && !l.starts_with("tip: "))
            .collect();
        if !items.is_empty() {
            first.push(' ');
            first.push_str(&items.join(", "));
        }
    }
    let mut tips = Vec::new();
    let mut command = None;
    for l in rendered.lines().map(str::trim) {
        if let Some(t) = l.strip_prefix("tip: ") {
            tips.push(t.to_string());
        } else if let Some(u) = l.strip_prefix("Usage: ") {
            let words: Vec<&str> = u
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            if !words.is_empty() {
                command = Some(words.join(" "));
            }
        }
    }
    let mut out = first;
    for t in tips {
        out.push_str("; ");
        out.push_str(&t);
    }
    let command = command.unwrap_or_else(|| fallback.to_string());
    out.push_str(&format!(" (see '{command} --help')"));
    out
}

/// Last resort: a panic prints one line and exits 2, never a backtrace.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr().lock(),
            "pqsmime: error: internal error ({msg}{at}); please report this bug"
        );
        std::process::exit(2);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("pqsmime").chain(args.iter().copied()))
    }

    #[test]
    fn invalid_values_point_to_the_subcommand_help() {
        let args: Vec<OsString> = ["pqsmime", "key", "gen", "--alg", "foo"]
            .iter()
            .map(OsString::from)
            .collect();
        assert_eq!(subcommand_path(&args), "pqsmime key gen");
        let e = Cli::try_parse_from(&args).unwrap_err();
        let line = clap_error_line(&e.render().to_string(), &subcommand_path(&args));
        assert!(line.contains("unknown algorithm 'foo'"), "{line}");
        assert!(line.ends_with("(see 'pqsmime key gen --help')"), "{line}");
        let top: Vec<OsString> = ["pqsmime", "--bogus"].iter().map(OsString::from).collect();
        assert_eq!(subcommand_path(&top), "pqsmime");
    }

    #[test]
    fn missing_required_arguments_are_named() {
        let e = parse(&["sign", "msg.eml"]).unwrap_err();
        let line = clap_error_line(&e.render().to_string(), "pqsmime");
        assert!(
            line.contains("--cert <CRT>") && line.contains("--key <KEY>"),
            "{line}"
        );
        assert!(line.ends_with("(see 'pqsmime sign --help')"), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }

    #[test]
    fn clap_usage_errors_exit_2() {
        let e = parse(&["sign", "--bogus"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            main_with_args(["pqsmime", "sign", "--bogus"]),
            ExitCode::from(2)
        );
        assert_eq!(
            main_with_args(["pqsmime", "key", "gen", "--alg", "ml-dsa-66"]),
            ExitCode::from(2)
        );
    }

    #[test]
    fn clap_error_becomes_one_line_naming_the_command() {
        let e = parse(&[
            "sign",
            "--cert",
            "a.crt",
            "--key",
            "a.key",
            "--detached",
            "--opaque",
        ])
        .unwrap_err();
        let line = clap_error_line(&e.render().to_string(), "pqsmime");
        assert!(!line.contains('\n'));
        assert!(line.contains("--opaque"), "{line}");
        assert!(line.ends_with("(see 'pqsmime sign --help')"), "{line}");
    }

    #[test]
    fn unknown_algorithm_lists_the_known_ones() {
        let e = parse(&["key", "gen", "--alg", "ml-dsa-66"]).unwrap_err();
        let line = clap_error_line(&e.render().to_string(), "pqsmime");
        assert!(line.contains("ml-dsa-65"), "{line}");
        assert!(line.contains("slh-dsa-shake-256f"), "{line}");
    }

    #[test]
    fn every_contract_command_parses() {
        let ok = [
            vec!["key", "gen", "--alg", "ml-dsa-65", "-o", "k"],
            vec!["key", "pub", "k", "-o", "p"],
            vec![
                "cert",
                "ca",
                "--key",
                "k",
                "--subject",
                "CN=Root",
                "--days",
                "10",
                "-o",
                "c",
            ],
            vec![
                "cert",
                "issue",
                "--ca-cert",
                "c",
                "--ca-key",
                "k",
                "--pub",
                "p",
                "--email",
                "a@example.com",
                "--usage",
                "encrypt",
                "--profile",
                "mailbox-strict",
                "--days",
                "30",
                "-o",
                "e",
            ],
            vec!["csr", "--key", "k", "--email", "a@example.com", "-o", "r"],
            vec![
                "sign",
                "--cert",
                "a",
                "--key",
                "b",
                "--cert",
                "c",
                "--key",
                "d",
                "--chain",
                "e",
                "--opaque",
                "--encryption-cert",
                "f",
                "--format",
                "der",
                "-o",
                "g",
                "h",
            ],
            vec![
                "verify",
                "--trust",
                "t",
                "--certs",
                "c",
                "--content",
                "x",
                "--no-chain",
                "--policy",
                "require-pq",
                "--json",
                "-o",
                "o",
                "-",
            ],
            vec![
                "encrypt",
                "--to",
                "a",
                "--to",
                "b",
                "--cipher",
                "aes-128-cbc",
                "--format",
                "pem",
            ],
            vec![
                "decrypt", "--cert", "a", "--key", "b", "--json", "-o", "o", "in",
            ],
            vec!["inspect", "--json", "in"],
            vec!["inspect"],
            vec!["lint", "--profile", "mailbox-legacy", "--json", "a", "b"],
        ];
        for args in ok {
            if let Err(e) = parse(&args) {
                panic!("{args:?}: {e}");
            }
        }
    }

    #[test]
    fn sign_collects_repeated_pairs_in_order() {
        let cli = parse(&[
            "sign", "--cert", "a", "--key", "b", "--cert", "c", "--key", "d",
        ])
        .unwrap();
        let Command::Sign(s) = cli.command else {
            panic!("not sign")
        };
        assert_eq!(s.cert, [std::path::PathBuf::from("a"), "c".into()]);
        assert_eq!(s.key, [std::path::PathBuf::from("b"), "d".into()]);
        assert_eq!(s.format, crate::cli::Format::Smime);
        assert!(!s.detached && !s.opaque);
    }

    #[test]
    fn help_and_version_are_not_errors() {
        assert_eq!(parse(&["--version"]).unwrap_err().exit_code(), 0);
        assert_eq!(parse(&["help"]).unwrap_err().exit_code(), 0);
        let help = parse(&["--help"]).unwrap_err().render().to_string();
        for cmd in [
            "key", "cert", "sign", "verify", "encrypt", "decrypt", "inspect", "csr", "lint",
        ] {
            assert!(
                help.contains(&format!("  {cmd} ")),
                "{cmd} missing from help:\n{help}"
            );
        }
    }

    #[test]
    fn cert_issue_needs_pub_or_csr_but_not_both() {
        let base = [
            "cert",
            "issue",
            "--ca-cert",
            "c",
            "--ca-key",
            "k",
            "--email",
            "a@b.c",
        ];
        assert!(parse(&base).is_err());
        let mut both = base.to_vec();
        both.extend(["--pub", "p", "--csr", "r"]);
        assert!(parse(&both).is_err());
        let mut csr = base.to_vec();
        csr.extend(["--csr", "r"]);
        assert!(parse(&csr).is_ok());
    }

    #[test]
    fn clap_definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
