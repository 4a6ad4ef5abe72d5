//! Mailboxes, one message at a time: Maildir (and plain directories of `.eml` files) and
//! mbox. Nothing is read ahead: memory stays bounded by the largest single message (and
//! that is spooled to a temporary file past 4 MiB), so tens of thousands of messages are fine.
//!
//! * Maildir: the files of `cur/` and `new/` (`tmp/` holds deliveries in progress and is
//!   skipped), sorted by name; a directory without `cur/` or `new/` is read as a flat
//!   directory of message files (names starting with `.` skipped).
//! * mbox: messages separated by lines starting with `From ` that follow an empty line (or
//!   open the file). `>From `-quoted lines (mboxrd) lose one `>`; the empty line before a
//!   separator belongs to the separator. Line endings are kept as they are.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

use super::blob::{Blob, BlobWriter};

/// Longest piece of a line read at once from an mbox.
const LINE_CAP: u64 = 64 * 1024;
/// Most files listed from one Maildir.
pub const MAX_MAILDIR_FILES: usize = 10_000_000;

/// One message of a mailbox.
#[derive(Debug)]
pub struct MailboxMessage {
    /// Where it came from: the file path (Maildir) or "message N (line L)" (mbox).
    pub id: String,
    pub data: Blob,
}

/// The messages of a Maildir or of a directory of message files.
pub struct Maildir {
    files: std::vec::IntoIter<PathBuf>,
    root: PathBuf,
    total: usize,
}

impl Maildir {
    /// Lists the messages (file names only; nothing is read yet).
    pub fn open(dir: &Path) -> Result<Maildir> {
        let meta = std::fs::metadata(dir).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot read the Maildir {}: {e}", dir.display()),
            ))
        })?;
        if !meta.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a directory (a Maildir has cur/ and new/ subdirectories)",
                dir.display()
            )));
        }
        let subdirs: Vec<PathBuf> = ["cur", "new"]
            .iter()
            .map(|s| dir.join(s))
            .filter(|p| p.is_dir())
            .collect();
        let dirs = if subdirs.is_empty() {
            vec![dir.to_path_buf()]
        } else {
            subdirs
        };
        let mut files = Vec::new();
        for d in dirs {
            let entries = std::fs::read_dir(&d).map_err(|e| {
                Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot list {}: {e}", d.display()),
                ))
            })?;
            for e in entries {
                let e = e?;
                if e.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                if e.file_type()?.is_file() {
                    if files.len() >= MAX_MAILDIR_FILES {
                        return Err(Error::Limit(format!(
                            "more than {MAX_MAILDIR_FILES} files in {}",
                            dir.display()
                        )));
                    }
                    files.push(e.path());
                }
            }
        }
        files.sort();
        let total = files.len();
        Ok(Maildir {
            files: files.into_iter(),
            root: dir.to_path_buf(),
            total,
        })
    }

    /// How many messages were listed.
    pub fn len(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl Iterator for Maildir {
    type Item = Result<MailboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.files.next()?;
        let id = path
            .strip_prefix(&self.root)
            .unwrap_or(&path)
            .display()
            .to_string();
        Some(
            File::open(&path)
                .map_err(|e| {
                    Error::Io(std::io::Error::new(
                        e.kind(),
                        format!("cannot read {}: {e}", path.display()),
                    ))
                })
                .and_then(Blob::from_file)
                .map(|data| MailboxMessage { id, data }),
        )
    }
}

/// The messages of an mbox, read sequentially.
pub struct Mbox<R: Read> {
    r: BufReader<R>,
    line: Vec<u8>,
    /// Line number of the separator that starts the next message.
    next_start: Option<u64>,
    lineno: u64,
    offset: u64,
    index: usize,
    started: bool,
    done: bool,
}

impl Mbox<File> {
    /// Opens an mbox file.
    pub fn open(path: &Path) -> Result<Mbox<File>> {
        let f = File::open(path).map_err(|e| {
            Error::Io(std::io::Error::new(
                e.kind(),
                format!("cannot read the mbox {}: {e}", path.display()),
            ))
        })?;
        Ok(Mbox::new(f))
    }
}

impl<R: Read> Mbox<R> {
    pub fn new(r: R) -> Mbox<R> {
        Mbox {
            r: BufReader::with_capacity(64 * 1024, r),
            line: Vec::with_capacity(1024),
            next_start: None,
            lineno: 0,
            offset: 0,
            index: 0,
            started: false,
            done: false,
        }
    }

    /// Bytes consumed so far (for progress reports).
    pub fn bytes_read(&self) -> u64 {
        self.offset
    }

    /// Reads the next line piece; returns (bytes, starts a line, ends a line).
    fn read_piece(&mut self, at_line_start: bool) -> Result<Option<(bool, bool)>> {
        self.line.clear();
        let n = (&mut self.r)
            .take(LINE_CAP)
            .read_until(b'\n', &mut self.line)?;
        if n == 0 {
            return Ok(None);
        }
        self.offset += n as u64;
        let ends = self.line.ends_with(b"\n");
        if at_line_start {
            self.lineno += 1;
        }
        Ok(Some((at_line_start, ends)))
    }

    fn next_message(&mut self) -> Result<Option<MailboxMessage>> {
        if self.done {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            match self.read_piece(true)? {
                None => {
                    self.done = true;
                    return Ok(None);
                }
                Some(_) if self.line.starts_with(b"From ") => {
                    self.next_start = Some(self.lineno);
                    // A separator longer than one piece: skip the rest of it.
                    while !self.line.ends_with(b"\n") {
                        if self.read_piece(false)?.is_none() {
                            break;
                        }
                    }
                }
                Some(_) => {
                    self.done = true;
                    return Err(Error::malformed(
                        "not an mbox file: it does not start with a 'From ' line",
                    ));
                }
            }
        }
        let Some(start_line) = self.next_start.take() else {
            self.done = true;
            return Ok(None);
        };
        self.index += 1;
        let mut w = BlobWriter::new();
        let mut held_blank: Option<Vec<u8>> = None;
        let mut at_line_start = true;
        loop {
            let Some((line_start, ends)) = self.read_piece(at_line_start)? else {
                self.done = true;
                break;
            };
            at_line_start = ends;
            if line_start && held_blank.is_some() && self.line.starts_with(b"From ") {
                // Separator: the held empty line belongs to it.
                self.next_start = Some(self.lineno);
                while !self.line.ends_with(b"\n") {
                    if self.read_piece(false)?.is_none() {
                        break;
                    }
                }
                break;
            }
            if let Some(b) = held_blank.take() {
                w.write_all(&b)?;
            }
            if line_start && ends && (self.line == b"\n" || self.line == b"\r\n") {
                held_blank = Some(self.line.clone());
                continue;
            }
            if line_start {
                let quotes = self.line.iter().take_while(|b| **b == b'>').count();
                if quotes > 0 && self.line[quotes..].starts_with(b"From ") {
                    w.write_all(&self.line[1..])?;
                    continue;
                }
            }
            w.write_all(&self.line)?;
        }
        // An empty line held at the end of the file is the mbox's final separator line.
        Ok(Some(MailboxMessage {
            id: format!("message {} (line {start_line})", self.index),
            data: w.finish()?,
        }))
    }
}

impl<R: Read> Iterator for Mbox<R> {
    type Item = Result<MailboxMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_message().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &[u8]) -> Vec<(String, Vec<u8>)> {
        Mbox::new(text)
            .map(|m| {
                let m = m.unwrap();
                let mut v = Vec::new();
                m.data.reader().read_to_end(&mut v).unwrap();
                (m.id, v)
            })
            .collect()
    }

    #[test]
    fn mbox_splits_and_unquotes() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2026\nSubject: one\n\nbody\n>From the start\nFrom inside (no empty line before)\n\nFrom c@d Tue Jan  2 00:00:00 2026\r\nSubject: two\r\n\r\n>>From x\r\n";
        let got = messages(mbox);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0, "message 1 (line 1)");
        assert_eq!(
            got[0].1,
            b"Subject: one\n\nbody\nFrom the start\nFrom inside (no empty line before)\n"
        );
        assert_eq!(got[1].0, "message 2 (line 8)");
        assert_eq!(got[1].1, b"Subject: two\r\n\r\n>From x\r\n");
        assert!(messages(b"").is_empty());
        let err = Mbox::new(&b"Subject: not an mbox\n"[..])
            .next()
            .unwrap()
            .unwrap_err();
        assert!(err.to_string().contains("not an mbox"), "{err}");
    }

    #[test]
    fn long_lines_are_read_in_pieces() {
        let mut mbox = b"From x\nSubject: long\n\n".to_vec();
        mbox.extend(vec![b'a'; 200_000]);
        mbox.extend_from_slice(b"\nFrom not a separator\n\nFrom y\nSubject: 2\n\nb\n");
        let got = messages(&mbox);
        assert_eq!(got.len(), 2);
        let mut want = b"Subject: long\n\n".to_vec();
        want.extend(vec![b'a'; 200_000]);
        want.extend_from_slice(b"\nFrom not a separator\n");
        assert_eq!(got[0].1, want);
        assert_eq!(got[1].1, b"Subject: 2\n\nb\n");
    }

    #[test]
    fn maildir_lists_cur_and_new_sorted() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("new/2"), b"Subject: b\n\nb").unwrap();
        std::fs::write(dir.path().join("cur/1:2,S"), b"Subject: a\n\na").unwrap();
        std::fs::write(dir.path().join("tmp/3"), b"partial").unwrap();
        std::fs::write(dir.path().join("cur/.hidden"), b"x").unwrap();
        let md = Maildir::open(dir.path()).unwrap();
        assert_eq!(md.len(), 2);
        let ids: Vec<String> = md.map(|m| m.unwrap().id).collect();
        assert_eq!(ids, ["cur/1:2,S", "new/2"]);
        // A flat directory works too; a file is refused.
        let flat = tempfile::tempdir().unwrap();
        std::fs::write(flat.path().join("a.eml"), b"Subject: a\n\na").unwrap();
        assert_eq!(Maildir::open(flat.path()).unwrap().len(), 1);
        assert!(Maildir::open(&flat.path().join("a.eml")).is_err());
    }
}
