//! An in-process pipe between two threads, so that a push-style stage (a signer writing
//! SignedData, a decryptor emitting plaintext into a sink) can feed a pull-style one (the
//! streaming encryptor or verifier reading its input) in one pass and in bounded memory: at
//! most [`DEPTH`] chunks of [`CHUNK`] bytes are in flight. Chunks are wiped when consumed.
//!
//! The writer ends the stream explicitly: [`PipeWriter::finish`] (or
//! [`DecryptSink::commit`]) makes the reader see the end of its input; [`DecryptSink::abort`]
//! or dropping the writer unfinished makes the reader fail with [`PipeBroken`], so a reader
//! can never mistake an aborted stream (for instance plaintext whose tag did not verify) for
//! a complete one.

use std::fmt;
use std::io::{self, Read, Write};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use pqsmime::cms::enveloped::DecryptSink;
use zeroize::Zeroizing;

/// Bytes per chunk. Large chunks keep the two threads from waking each other often: with
/// 64 KiB chunks, futex wake-ups cost about 5 % of each thread's time on a 1 GiB message.
pub const CHUNK: usize = 512 * 1024;
/// Chunks in flight (4 MiB in all).
pub const DEPTH: usize = 8;

enum Msg {
    Data(Zeroizing<Vec<u8>>),
    Done,
    Failed,
}

/// The reading side saw the writer abort or vanish.
#[derive(Debug)]
pub struct PipeBroken;

impl fmt::Display for PipeBroken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the producing stage stopped before the end of the data")
    }
}

impl std::error::Error for PipeBroken {}

/// A bounded pipe.
pub fn pipe() -> (PipeWriter, PipeReader) {
    let (tx, rx) = sync_channel(DEPTH);
    (
        PipeWriter {
            tx: Some(tx),
            buf: Zeroizing::new(Vec::with_capacity(CHUNK)),
        },
        PipeReader {
            rx,
            cur: Zeroizing::new(Vec::new()),
            pos: 0,
            state: ReadState::Open,
        },
    )
}

pub struct PipeWriter {
    tx: Option<SyncSender<Msg>>,
    buf: Zeroizing<Vec<u8>>,
}

fn gone() -> io::Error {
    io::Error::new(
        io::ErrorKind::BrokenPipe,
        "the consuming stage stopped reading",
    )
}

impl PipeWriter {
    fn send(&mut self, m: Msg) -> io::Result<()> {
        match &self.tx {
            Some(tx) => tx.send(m).map_err(|_| gone()),
            None => Err(gone()),
        }
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.buf, Zeroizing::new(Vec::with_capacity(CHUNK)));
        self.send(Msg::Data(full))
    }

    /// Sends what is buffered and marks the end of the stream.
    pub fn finish(&mut self) -> io::Result<()> {
        self.send_buffer()?;
        self.send(Msg::Done)?;
        self.tx = None;
        Ok(())
    }

    /// Marks the stream as failed: the reader gets an error, never a clean end.
    pub fn fail(&mut self) {
        self.buf.iter_mut().for_each(|b| *b = 0);
        self.buf.clear();
        let _ = self.send(Msg::Failed);
        self.tx = None;
    }
}

impl Write for PipeWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.tx.is_none() {
            return Err(gone());
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.send_buffer()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl DecryptSink for PipeWriter {
    fn write_unverified(&mut self, plaintext: &[u8]) -> pqsmime::Result<()> {
        Ok(self.write_all(plaintext)?)
    }
    fn commit(&mut self) -> pqsmime::Result<()> {
        Ok(self.finish()?)
    }
    fn abort(&mut self) {
        self.fail();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ReadState {
    Open,
    Done,
    Broken,
}

pub struct PipeReader {
    rx: Receiver<Msg>,
    cur: Zeroizing<Vec<u8>>,
    pos: usize,
    state: ReadState,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.pos >= self.cur.len() {
            match self.state {
                ReadState::Done => return Ok(0),
                ReadState::Broken => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, PipeBroken))
                }
                ReadState::Open => {}
            }
            match self.rx.recv() {
                Ok(Msg::Data(d)) => {
                    self.cur = d;
                    self.pos = 0;
                }
                Ok(Msg::Done) => self.state = ReadState::Done,
                Ok(Msg::Failed) | Err(_) => self.state = ReadState::Broken,
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Whether an error (possibly wrapped by the library) is the pipe breaking.
pub fn is_broken_pipe(e: &pqsmime::Error) -> bool {
    match e {
        pqsmime::Error::Io(io) => {
            io.get_ref().is_some_and(|x| x.is::<PipeBroken>())
                || io.kind() == io::ErrorKind::BrokenPipe
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_arrives_in_order_and_ends_cleanly() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let (mut w, mut r) = pipe();
        let src = data.clone();
        let t = std::thread::spawn(move || {
            for c in src.chunks(7777) {
                w.write_all(c).unwrap();
            }
            w.finish().unwrap();
        });
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        t.join().unwrap();
        assert_eq!(got, data);
    }

    #[test]
    fn an_aborted_or_dropped_writer_is_an_error_not_an_end() {
        let (mut w, mut r) = pipe();
        let t = std::thread::spawn(move || {
            w.write_all(&[1u8; 100]).unwrap();
            DecryptSink::abort(&mut w);
        });
        let mut got = Vec::new();
        let e = r.read_to_end(&mut got).unwrap_err();
        assert!(e.get_ref().is_some_and(|x| x.is::<PipeBroken>()), "{e}");
        t.join().unwrap();

        let (mut w, mut r) = pipe();
        w.write_all(b"partial").unwrap();
        drop(w);
        assert!(r.read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn a_vanished_reader_stops_the_writer() {
        let (mut w, r) = pipe();
        drop(r);
        let e = w.write_all(&vec![0u8; CHUNK * 2]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::BrokenPipe);
    }
}
