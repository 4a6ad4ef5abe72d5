//! The CLI's error: one sentence and the exit code it maps to.
//!
//! Exit codes (cli.md): 0 success; 1 the message or certificate is bad (signature invalid,
//! chain not trusted, decryption failed); 2 usage or input error. Library errors are mapped with
//! [`pqsmime::Error::kind`]; everything the CLI itself detects says which it is.

use std::fmt;
use std::path::Path;

use pqsmime::ErrorKind;

/// Why the command stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Exit code 1: the object was read but is not good.
    Rejected,
    /// Exit code 2: usage or input error.
    Input,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Rejected => 1,
            Exit::Input => 2,
        }
    }
}

/// An error to print as `pqsmime: error: <message>`.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub message: String,
    /// Writing to stdout failed because the reader went away: exit quietly.
    pub broken_pipe: bool,
}

pub type CliResult<T> = Result<T, CliError>;

impl CliError {
    /// A usage or input error (exit 2).
    pub fn input(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Input,
            message: message.into(),
            broken_pipe: false,
        }
    }

    /// The message or certificate is bad (exit 1).
    pub fn rejected(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Rejected,
            message: message.into(),
            broken_pipe: false,
        }
    }

    /// Prefixes the message with where it happened ("reading alice.crt: ...").
    pub fn context(mut self, what: impl fmt::Display) -> CliError {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// An I/O error on `path` (exit 2).
    pub fn io(action: &str, path: &Path, e: std::io::Error) -> CliError {
        CliError::input(format!(
            "cannot {action} {}: {}",
            path.display(),
            io_reason(&e)
        ))
    }

    /// The one line printed on stderr: newlines folded, control characters escaped (an error
    /// can quote hostile input, which must not drive the terminal).
    pub fn line(&self) -> String {
        let msg: String = self
            .message
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        format!("pqsmime: error: {}", sanitize(&msg))
    }
}

/// "a" or "an" for `word` as it is read aloud: "an ML-KEM-768 key", "an RSA-2048 key",
/// "an individual-strict certificate", "a mailbox-strict certificate", "a P-256 key".
pub fn article(word: &str) -> &'static str {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    let second = chars.next().unwrap_or(' ');
    let vowel_letter = "aeiouAEIOU".contains(first);
    // An initialism (two capitals, or a capital and a digit or hyphen) whose first letter's
    // name starts with a vowel sound: F, H, L, M, N, R, S, X ("an SLH-DSA", "an X25519").
    let spelled = first.is_ascii_uppercase()
        && (second.is_ascii_uppercase() || second.is_ascii_digit() || second == '-')
        && "AEFHILMNORSX".contains(first);
    if spelled || (vowel_letter && !word.starts_with("uni")) {
        "an"
    } else {
        "a"
    }
}

/// Escapes control and bidirectional-override characters so text from the input cannot
/// move the cursor, recolour the terminal or reorder what the user reads.
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Words for an I/O error without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file or directory".to_string(),
        K::PermissionDenied => "permission denied".to_string(),
        K::AlreadyExists => "the file already exists".to_string(),
        K::IsADirectory => "it is a directory".to_string(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<pqsmime::Error> for CliError {
    fn from(e: pqsmime::Error) -> Self {
        let exit = match e.kind() {
            ErrorKind::Rejected => Exit::Rejected,
            ErrorKind::Input => Exit::Input,
        };
        CliError {
            exit,
            message: e.to_string(),
            broken_pipe: false,
        }
    }
}

/// Adds context to library results: `.ctx(|| format!("reading {path}"))`.
pub trait Context<T> {
    fn ctx<D: fmt::Display>(self, what: impl FnOnce() -> D) -> CliResult<T>;
}

impl<T, E: Into<CliError>> Context<T> for Result<T, E> {
    fn ctx<D: fmt::Display>(self, what: impl FnOnce() -> D) -> CliResult<T> {
        self.map_err(|e| e.into().context(what()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_follow_pronunciation() {
        for (w, a) in [
            ("ML-KEM-768 (FIPS 203)", "an"),
            ("RSA-2048", "an"),
            ("SLH-DSA-SHA2-128s", "an"),
            ("X25519", "an"),
            ("EC P-256", "an"),
            ("Ed25519", "an"),
            ("individual-strict", "an"),
            ("organization-strict", "an"),
            ("mailbox-strict", "a"),
            ("sponsored-strict", "a"),
            ("test", "a"),
            ("P-256", "a"),
        ] {
            assert_eq!(article(w), a, "{w}");
        }
    }

    #[test]
    fn library_error_kinds_map_to_exit_codes() {
        let bad = CliError::from(pqsmime::Error::BadSignature("x".into()));
        assert_eq!(bad.exit.code(), 1);
        let malformed = CliError::from(pqsmime::Error::Malformed("x".into()));
        assert_eq!(malformed.exit.code(), 2);
        assert_eq!(CliError::from(pqsmime::Error::Decrypt).exit, Exit::Rejected);
    }

    #[test]
    fn error_line_is_one_line_with_prefix() {
        let e = CliError::input("first\nsecond").context("reading a.crt");
        assert_eq!(e.line(), "pqsmime: error: reading a.crt: first second");
        let hostile = CliError::input("bad header '\u{1b}[2J\u{202e}'");
        assert_eq!(
            hostile.line(),
            "pqsmime: error: bad header '\\u{1b}[2J\\u{202e}'"
        );
    }
}
