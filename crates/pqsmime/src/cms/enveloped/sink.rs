//! Where decrypted content goes: [`DecryptSink`] receives plaintext that is *not yet
//! authenticated* and is told at the end whether to publish it ([`DecryptSink::commit`]) or
//! throw it away ([`DecryptSink::abort`]).
//!
//! AuthEnvelopedData carries its tag after the ciphertext, so a streaming decryptor produces
//! plaintext before it knows whether the message is genuine. The sinks here keep that
//! plaintext where nobody reads it until `commit`:
//! * [`MemorySink`]: in memory (zeroized on drop);
//! * [`FileSink`]: a temporary file in the destination's directory, renamed onto the
//!   destination on `commit` (atomic on POSIX), deleted on `abort` or drop;
//! * [`SpoolSink`]: an anonymous temporary file, copied to any `io::Write` (stdout, a pipe)
//!   on `commit`.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A destination for decrypted content that holds it back until it is authenticated.
pub trait DecryptSink {
    /// Accepts plaintext that must not be released yet.
    fn write_unverified(&mut self, plaintext: &[u8]) -> Result<()>;
    /// The content authenticated (GCM tag verified, CBC padding valid): publish it.
    fn commit(&mut self) -> Result<()>;
    /// Decryption failed: discard everything written so far.
    fn abort(&mut self);
}

/// Collects the plaintext in memory; [`MemorySink::into_inner`] returns it only after commit.
#[derive(Default)]
pub struct MemorySink {
    buf: Zeroizing<Vec<u8>>,
    committed: bool,
}

impl MemorySink {
    pub fn new() -> MemorySink {
        MemorySink::default()
    }

    /// The committed content, or `None` if decryption did not finish successfully.
    pub fn into_inner(self) -> Option<Zeroizing<Vec<u8>>> {
        if self.committed {
            Some(self.buf)
        } else {
            None
        }
    }
}

impl DecryptSink for MemorySink {
    fn write_unverified(&mut self, plaintext: &[u8]) -> Result<()> {
        self.buf.extend_from_slice(plaintext);
        Ok(())
    }
    fn commit(&mut self) -> Result<()> {
        self.committed = true;
        Ok(())
    }
    fn abort(&mut self) {
        // Zeroizing clears on drop; clear now too so nothing lingers in a reused sink.
        self.buf.iter_mut().for_each(|b| *b = 0);
        self.buf.clear();
        self.committed = false;
    }
}

/// Writes to a temporary file (mode 0600) next to `path` and renames it onto `path` on commit.
pub struct FileSink {
    temp: Option<tempfile::NamedTempFile>,
    writer: Option<io::BufWriter<File>>,
    path: PathBuf,
}

impl FileSink {
    /// Prepares to write `path`. Nothing appears at `path` unless the content authenticates.
    pub fn new(path: impl AsRef<Path>) -> Result<FileSink> {
        let path = path.as_ref().to_path_buf();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".pqsmime-decrypt-")
            .tempfile_in(&dir)
            .map_err(|e| {
                Error::Io(io::Error::new(
                    e.kind(),
                    format!("cannot create a temporary file in {}: {e}", dir.display()),
                ))
            })?;
        let file = temp.as_file().try_clone()?;
        Ok(FileSink {
            temp: Some(temp),
            writer: Some(io::BufWriter::with_capacity(1 << 16, file)),
            path,
        })
    }
}

impl DecryptSink for FileSink {
    fn write_unverified(&mut self, plaintext: &[u8]) -> Result<()> {
        match &mut self.writer {
            Some(w) => Ok(w.write_all(plaintext)?),
            None => Err(Error::Usage("decryption output was already closed".into())),
        }
    }

    fn commit(&mut self) -> Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush()?;
            w.get_ref().sync_all()?;
        }
        let temp = self
            .temp
            .take()
            .ok_or_else(|| Error::Usage("decryption output was already closed".into()))?;
        temp.persist(&self.path).map_err(|e| {
            Error::Io(io::Error::new(
                e.error.kind(),
                format!("cannot write {}: {}", self.path.display(), e.error),
            ))
        })?;
        Ok(())
    }

    fn abort(&mut self) {
        self.writer = None;
        // Dropping the NamedTempFile deletes it.
        self.temp = None;
    }
}

/// Spools to an anonymous temporary file, then copies to `out` on commit (for stdout and
/// pipes, which cannot be renamed into place).
pub struct SpoolSink<W: Write> {
    spool: Option<io::BufWriter<File>>,
    out: W,
}

impl<W: Write> SpoolSink<W> {
    pub fn new(out: W) -> Result<SpoolSink<W>> {
        let file = tempfile::tempfile()?;
        Ok(SpoolSink {
            spool: Some(io::BufWriter::with_capacity(1 << 16, file)),
            out,
        })
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> DecryptSink for SpoolSink<W> {
    fn write_unverified(&mut self, plaintext: &[u8]) -> Result<()> {
        match &mut self.spool {
            Some(w) => Ok(w.write_all(plaintext)?),
            None => Err(Error::Usage("decryption output was already closed".into())),
        }
    }

    fn commit(&mut self) -> Result<()> {
        let w = self
            .spool
            .take()
            .ok_or_else(|| Error::Usage("decryption output was already closed".into()))?;
        let mut file = w.into_inner().map_err(|e| Error::Io(e.into_error()))?;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, &mut self.out)?;
        self.out.flush()?;
        Ok(())
    }

    fn abort(&mut self) {
        self.spool = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sink_publishes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        let mut s = FileSink::new(&path).unwrap();
        s.write_unverified(b"secret").unwrap();
        assert!(!path.exists());
        s.abort();
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut s = FileSink::new(&path).unwrap();
        s.write_unverified(b"hello ").unwrap();
        s.write_unverified(b"world").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello world");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn spool_and_memory_sinks() {
        let mut s = SpoolSink::new(Vec::new()).unwrap();
        s.write_unverified(b"abc").unwrap();
        assert!(s.out.is_empty());
        s.commit().unwrap();
        assert_eq!(s.into_inner(), b"abc");
        let mut s = SpoolSink::new(Vec::new()).unwrap();
        s.write_unverified(b"abc").unwrap();
        s.abort();
        assert!(s.into_inner().is_empty());

        let mut m = MemorySink::new();
        m.write_unverified(b"x").unwrap();
        m.abort();
        assert!(m.into_inner().is_none());
    }
}
