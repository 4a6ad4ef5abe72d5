//! Reading inputs (`IN` path, `-` or absent for stdin) and writing outputs (`-o OUT` or
//! stdout).
//!
//! Outputs to a regular file are written to a temporary file in the same directory and renamed
//! into place on [`Output::commit`], so a failed command never leaves half a message or half a
//! key behind. The temporary file is created with its final mode: 0600 for private keys, 0644
//! (less the umask) for everything else — set at `open(2)` time, never by a later `chmod`.
//! Non-regular destinations (`/dev/stdout`, FIFOs) are opened and written directly.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{io_reason, CliError, CliResult};

/// Mode bits for outputs that hold a private key.
pub const PRIVATE_MODE: u32 = 0o600;
/// Mode bits for every other output (before the umask).
pub const PUBLIC_MODE: u32 = 0o644;

/// Where input comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    /// `None` and `-` mean stdin.
    pub fn from_arg(arg: Option<&Path>) -> Source {
        match arg {
            None => Source::Stdin,
            Some(p) if p.as_os_str() == "-" => Source::Stdin,
            Some(p) => Source::File(p.to_path_buf()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Source::Stdin => "standard input".to_string(),
            Source::File(p) => p.display().to_string(),
        }
    }

    /// Reads everything.
    pub fn read_all(&self) -> CliResult<Vec<u8>> {
        match self {
            Source::Stdin => {
                let mut buf = Vec::new();
                io::stdin().lock().read_to_end(&mut buf).map_err(|e| {
                    CliError::input(format!("cannot read standard input: {}", io_reason(&e)))
                })?;
                Ok(buf)
            }
            Source::File(p) => read_path(p, "read"),
        }
    }

    /// Opens for streaming; also returns the size when it is known (regular files).
    pub fn open(&self) -> CliResult<(Box<dyn Read>, Option<u64>)> {
        match self {
            Source::Stdin => Ok((Box::new(io::stdin()), None)),
            Source::File(p) => {
                let f = File::open(p).map_err(|e| CliError::io("read", p, e))?;
                let meta = f.metadata().map_err(|e| CliError::io("read", p, e))?;
                if meta.is_dir() {
                    return Err(CliError::input(format!(
                        "cannot read {}: it is a directory",
                        p.display()
                    )));
                }
                let len = meta.is_file().then_some(meta.len());
                Ok((Box::new(f), len))
            }
        }
    }
}

/// Reads a whole file named on the command line; `what` says what it should hold
/// ("certificate", "private key") for the error message.
pub fn read_file(path: &Path, what: &str) -> CliResult<Vec<u8>> {
    if path.as_os_str() == "-" {
        return Source::Stdin.read_all();
    }
    read_path(path, &format!("read {what}"))
}

fn read_path(path: &Path, action: &str) -> CliResult<Vec<u8>> {
    if path.is_dir() {
        return Err(CliError::input(format!(
            "cannot {action} {}: it is a directory",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| CliError::io(action, path, e))
}

/// Whether the output holds secret key material (decides the file mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrecy {
    Public,
    Private,
}

impl Secrecy {
    pub fn mode(self) -> u32 {
        match self {
            Secrecy::Public => PUBLIC_MODE,
            Secrecy::Private => PRIVATE_MODE,
        }
    }
}

enum Sink {
    Stdout(BufWriter<io::Stdout>),
    Temp {
        file: BufWriter<tempfile::NamedTempFile>,
        dest: PathBuf,
        overwrite: bool,
    },
    Direct(BufWriter<File>, PathBuf),
}

/// An output being written; nothing appears at a file destination until [`Output::commit`].
pub struct Output {
    sink: Sink,
}

impl Output {
    /// Opens `path` (`None` or `-` = stdout). With `overwrite == false` an existing file is an
    /// error (checked now, and again atomically at commit).
    pub fn create(path: Option<&Path>, secrecy: Secrecy, overwrite: bool) -> CliResult<Output> {
        let path = match path {
            None => return Ok(Output::stdout()),
            Some(p) if p.as_os_str() == "-" => return Ok(Output::stdout()),
            Some(p) => p,
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                return Err(CliError::input(format!(
                    "cannot write {}: it is a directory",
                    path.display()
                )))
            }
            Ok(meta) if !meta.is_file() => {
                // A device or FIFO such as /dev/stdout: write straight to it.
                let f = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| CliError::io("write", path, e))?;
                return Ok(Output {
                    sink: Sink::Direct(BufWriter::new(f), path.to_path_buf()),
                });
            }
            Ok(_) if !overwrite => {
                return Err(CliError::input(format!(
                    "{} already exists (use --force to replace it)",
                    path.display()
                )))
            }
            _ => {}
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = temp_in(&dir, secrecy).map_err(|e| CliError::io("write", path, e))?;
        Ok(Output {
            sink: Sink::Temp {
                file: BufWriter::new(tmp),
                dest: path.to_path_buf(),
                overwrite,
            },
        })
    }

    pub fn stdout() -> Output {
        Output {
            sink: Sink::Stdout(BufWriter::new(io::stdout())),
        }
    }

    pub fn is_stdout(&self) -> bool {
        matches!(self.sink, Sink::Stdout(_))
    }

    /// "standard output" or the file name, for messages.
    pub fn describe(&self) -> String {
        match &self.sink {
            Sink::Stdout(_) => "standard output".to_string(),
            Sink::Temp { dest, .. } => dest.display().to_string(),
            Sink::Direct(_, p) => p.display().to_string(),
        }
    }

    /// Turns an I/O error on this output into a CLI error.
    pub fn error(&self, e: io::Error) -> CliError {
        if e.kind() == io::ErrorKind::BrokenPipe && self.is_stdout() {
            let mut err = CliError::input("standard output was closed");
            err.broken_pipe = true;
            return err;
        }
        CliError::input(format!(
            "cannot write {}: {}",
            self.describe(),
            io_reason(&e)
        ))
    }

    /// Writes all of `data`, mapping errors.
    pub fn put(&mut self, data: &[u8]) -> CliResult<()> {
        self.write_all(data).map_err(|e| self.error(e))
    }

    /// Flushes and, for files, moves the finished output into place.
    pub fn commit(mut self) -> CliResult<()> {
        self.flush().map_err(|e| self.error(e))?;
        match self.sink {
            Sink::Stdout(_) | Sink::Direct(..) => Ok(()),
            Sink::Temp {
                file,
                dest,
                overwrite,
            } => {
                let tmp = file
                    .into_inner()
                    .map_err(|e| CliError::io("write", &dest, e.into_error()))?;
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| CliError::io("write", &dest, e))?;
                let result = if overwrite {
                    tmp.persist(&dest).map(|_| ())
                } else {
                    tmp.persist_noclobber(&dest).map(|_| ())
                };
                result.map_err(|e| {
                    if e.error.kind() == io::ErrorKind::AlreadyExists {
                        CliError::input(format!(
                            "{} already exists (use --force to replace it)",
                            dest.display()
                        ))
                    } else {
                        CliError::io("write", &dest, e.error)
                    }
                })
            }
        }
    }
}

fn temp_in(dir: &Path, secrecy: Secrecy) -> io::Result<tempfile::NamedTempFile> {
    let mut b = tempfile::Builder::new();
    b.prefix(".pqsmime-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(secrecy.mode()));
    }
    #[cfg(not(unix))]
    let _ = secrecy;
    b.tempfile_in(dir)
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(w) => w.write(buf),
            Sink::Temp { file, .. } => file.write(buf),
            Sink::Direct(w, _) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(w) => w.flush(),
            Sink::Temp { file, .. } => file.flush(),
            Sink::Direct(w, _) => w.flush(),
        }
    }
}

/// Whether stderr is a terminal (progress bars only then).
pub fn stderr_is_terminal() -> bool {
    use std::io::IsTerminal;
    io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode_of(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn private_output_is_created_0600_and_public_without_group_write() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("a.key");
        let mut out = Output::create(Some(&key), Secrecy::Private, false).unwrap();
        out.put(b"secret").unwrap();
        // Nothing at the destination before commit.
        assert!(!key.exists());
        out.commit().unwrap();
        assert_eq!(mode_of(&key), 0o600);
        assert_eq!(std::fs::read(&key).unwrap(), b"secret");

        let crt = dir.path().join("a.crt");
        let mut out = Output::create(Some(&crt), Secrecy::Public, true).unwrap();
        out.put(b"public").unwrap();
        out.commit().unwrap();
        let m = mode_of(&crt);
        assert_eq!(m & 0o600, 0o600);
        assert_eq!(m & 0o133, 0, "mode {m:o} is more than 0644");
    }

    #[cfg(unix)]
    #[test]
    fn forced_private_output_replaces_a_world_readable_file_with_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("old.key");
        std::fs::write(&key, b"old").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut out = Output::create(Some(&key), Secrecy::Private, true).unwrap();
        out.put(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(mode_of(&key), 0o600);
        assert_eq!(std::fs::read(&key).unwrap(), b"new");
    }

    #[test]
    fn existing_file_is_not_overwritten_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k");
        std::fs::write(&key, b"keep").unwrap();
        let err = Output::create(Some(&key), Secrecy::Private, false)
            .err()
            .unwrap();
        assert!(err.message.contains("already exists"), "{}", err.message);
        assert_eq!(err.exit.code(), 2);
        assert_eq!(std::fs::read(&key).unwrap(), b"keep");
    }

    #[test]
    fn uncommitted_output_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        {
            let mut out = Output::create(Some(&p), Secrecy::Public, true).unwrap();
            out.put(b"partial").unwrap();
        }
        assert!(!p.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn dash_and_absent_mean_stdin() {
        assert_eq!(Source::from_arg(None), Source::Stdin);
        assert_eq!(Source::from_arg(Some(Path::new("-"))), Source::Stdin);
        assert_eq!(
            Source::from_arg(Some(Path::new("x.eml"))),
            Source::File(PathBuf::from("x.eml"))
        );
    }

    #[test]
    fn missing_file_is_an_input_error_naming_the_file() {
        let err = read_file(Path::new("/nonexistent/alice.crt"), "certificate").unwrap_err();
        assert_eq!(err.exit.code(), 2);
        assert!(err.message.contains("alice.crt"), "{}", err.message);
        assert!(err.message.contains("no such file"), "{}", err.message);
    }
}
