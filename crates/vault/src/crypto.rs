//! age encryption and decryption of case-file bytes, streamed so that no extra plaintext copy is
//! made, and the mapping of age's failures to messages a member can act on.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::stream::StreamReader;
use zeroize::Zeroizing;

use super::Error;
use super::keys::Identity;

/// What a case file's ciphertext starts with.
pub(crate) const AGE_MAGIC: &[u8] = b"age-encryption.org/";
pub(crate) const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
pub(crate) const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Classify the first bytes of a file before trying to decrypt it.
fn check_magic(prefix: &[u8], path: &Path) -> Result<bool, Error> {
    if prefix.starts_with(AGE_MAGIC) {
        Ok(false)
    } else if prefix.starts_with(ARMOR_BEGIN) {
        Ok(true)
    } else if prefix.starts_with(SQLITE_MAGIC) {
        Err(Error::PlaintextDatabase {
            path: path.to_path_buf(),
        })
    } else {
        Err(Error::NotAgeFile {
            path: path.to_path_buf(),
        })
    }
}

/// A stanza line from an age header: its type and arguments (no secrets: these are public).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Stanza {
    pub kind: String,
    pub args: Vec<String>,
}

/// The recipient stanzas of a binary age header, read from the start of the file; `None` when
/// the header does not end within `prefix`.
pub(crate) fn header_stanzas(prefix: &[u8]) -> Option<Vec<Stanza>> {
    let mut stanzas = Vec::new();
    for line in prefix.split(|&b| b == b'\n') {
        if line.starts_with(b"--- ") {
            return Some(stanzas);
        }
        if let Some(rest) = line.strip_prefix(b"-> ") {
            let text = String::from_utf8_lossy(rest);
            let mut words = text.split(' ').map(str::to_string);
            let kind = words.next().unwrap_or_default();
            // age adds a random "grease" stanza to keep implementations honest; it is nobody's.
            if !kind.ends_with("-grease") {
                stanzas.push(Stanza {
                    kind,
                    args: words.collect(),
                });
            }
        }
    }
    None
}

/// Stanzas of an armored file: de-armor just enough of it to read the header.
fn armored_header_stanzas(prefix: &[u8]) -> Option<Vec<Stanza>> {
    let mut reader = ArmoredReader::new(prefix);
    let mut binary = Vec::new();
    let mut buf = [0u8; 4096];
    while binary.len() < 64 * 1024 {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => binary.extend_from_slice(&buf[..n]),
        }
    }
    header_stanzas(&binary)
}

/// Classify the start of a case file: armored or not, and its recipient stanzas.
pub(crate) fn inspect(prefix: &[u8], path: &Path) -> Result<(bool, Vec<Stanza>), Error> {
    let armor = check_magic(prefix, path)?;
    let stanzas = if armor {
        armored_header_stanzas(prefix)
    } else {
        header_stanzas(prefix)
    };
    Ok((armor, stanzas.unwrap_or_default()))
}

/// The first 64 KiB of `src`, where the header lives.
pub(crate) fn prefix<C: Ciphertext + ?Sized>(src: &C) -> io::Result<Vec<u8>> {
    let mut prefix = vec![0u8; 64 * 1024];
    let mut filled = 0;
    while filled < prefix.len() {
        match src.read_at(&mut prefix[filled..], filled as u64)? {
            0 => break,
            n => filled += n,
        }
    }
    prefix.truncate(filled);
    Ok(prefix)
}

/// Encrypt `plaintext` to `recipients`, writing the age file to `out`.
pub(crate) fn encrypt<W: Write>(
    plaintext: &[u8],
    recipients: &[Box<dyn age::Recipient + Send>],
    armor: bool,
    out: W,
    path: &Path,
) -> Result<W, Error> {
    encrypt_with(plaintext, recipients, armor, out, path, None)
}

/// [`encrypt`] a whole case file, reported as the stage "encrypting" (see
/// [`super::progress`]): a save of a large file takes seconds.
pub(crate) fn encrypt_file<W: Write>(
    plaintext: &[u8],
    recipients: &[Box<dyn age::Recipient + Send>],
    armor: bool,
    out: W,
    path: &Path,
) -> Result<W, Error> {
    let progress = super::progress::stage(
        "encrypting",
        (plaintext.len() as u64).div_ceil(PROGRESS_STEP),
    );
    encrypt_with(plaintext, recipients, armor, out, path, Some(&progress))
}

fn encrypt_with<W: Write>(
    plaintext: &[u8],
    recipients: &[Box<dyn age::Recipient + Send>],
    armor: bool,
    out: W,
    path: &Path,
    progress: Option<&super::progress::Stage>,
) -> Result<W, Error> {
    let encryptor = age::Encryptor::with_recipients(
        recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient),
    )
    .map_err(|e| Error::Encrypt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let write = |out: W| -> io::Result<W> {
        let format = if armor {
            Format::AsciiArmor
        } else {
            Format::Binary
        };
        let armored = ArmoredWriter::wrap_output(out, format)?;
        let mut writer = encryptor.wrap_output(armored)?;
        for part in plaintext.chunks(PROGRESS_STEP as usize) {
            writer.write_all(part)?;
            if let Some(progress) = progress {
                progress.step();
            }
        }
        writer.finish()?.finish()
    };
    write(out).map_err(|e| Error::writing(path, e))
}

/// Ciphertext that can be read at any offset, from several threads at once: an open file or
/// bytes in memory (the built-in demo).
pub(crate) trait Ciphertext: Sync {
    /// Read into `buf` from `offset`, like `pread`.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    /// Total length in bytes.
    fn size(&self) -> io::Result<u64>;
}

impl Ciphertext for File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        FileExt::read_at(self, buf, offset)
    }
    fn size(&self) -> io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

impl Ciphertext for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let n = buf.len().min(self.len() - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
    fn size(&self) -> io::Result<u64> {
        Ok(self.len() as u64)
    }
}

/// A reader with its own position over shared [`Ciphertext`].
struct At<'a, C: ?Sized> {
    src: &'a C,
    pos: u64,
}

impl<C: Ciphertext + ?Sized> Read for At<'_, C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.src.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<C: Ciphertext + ?Sized> Seek for At<'_, C> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.src.size()?.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(self.pos)
    }
}

/// Below this size one thread decrypts; above it, two halves are decrypted in parallel.
const PARALLEL_FROM: u64 = 4 << 20;
/// age's plaintext chunk size: parallel halves split on a chunk boundary.
const CHUNK_PLAINTEXT: u64 = 64 * 1024;

/// Start decrypting binary age ciphertext from `src` with `identity`.
fn open_stream<'a, C: Ciphertext + ?Sized>(
    src: &'a C,
    identity: &Identity,
    path: &Path,
) -> Result<StreamReader<At<'a, C>>, Error> {
    let decryptor = age::Decryptor::new(At { src, pos: 0 }).map_err(|e| header_error(e, path))?;
    start(decryptor, identity, path)
}

fn start<R: Read>(
    decryptor: age::Decryptor<R>,
    identity: &Identity,
    path: &Path,
) -> Result<StreamReader<R>, Error> {
    if decryptor.is_scrypt() {
        return Err(Error::NotCasebook {
            path: path.to_path_buf(),
            detail: "it is encrypted with a passphrase, not to member keys".into(),
        });
    }
    decryptor
        .decrypt(std::iter::once(identity.as_age()))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::NotARecipient {
                path: path.to_path_buf(),
                identity: identity.label().to_path_buf(),
            },
            other => header_error(other, path),
        })
}

/// Decrypt a small binary age message held in memory (a sealed draft) with `identity`.
pub(crate) fn decrypt_small(
    bytes: &[u8],
    identity: &Identity,
    path: &Path,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let decryptor = age::Decryptor::new(bytes).map_err(|e| header_error(e, path))?;
    let mut reader = start(decryptor, identity, path)?;
    // The plaintext is never longer than the ciphertext.
    read_to_end_wiping(&mut reader, bytes.len()).map_err(|e| payload_error(e, true, path))
}

/// `read_to_end` into a buffer that never leaves an unwiped copy behind: it starts at
/// `expected` bytes (the known or largest possible size) and, should it still have to grow,
/// every outgrown buffer is wiped before it is freed (a growing `Vec` would hand its old block
/// back to the allocator as it was).
pub(crate) fn read_to_end_wiping<R: Read>(
    reader: &mut R,
    expected: usize,
) -> io::Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; expected.max(1)]);
    let mut filled = 0;
    loop {
        if filled == out.len() {
            let mut bigger = Zeroizing::new(vec![0u8; out.len() * 2]);
            bigger[..filled].copy_from_slice(&out[..filled]);
            // The old buffer is wiped (its whole capacity) as it drops here.
            out = bigger;
        }
        match reader.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // Shrinking in place keeps the allocation; the tail is zeros or wiped on drop.
    out.truncate(filled);
    Ok(out)
}

/// The decrypted contents of a binary age file, ready to be read. Opening it authenticates
/// the header and the final chunk, so the plaintext length is known before anything is read.
pub(crate) struct Payload<'a, C: ?Sized> {
    src: &'a C,
    first: StreamReader<At<'a, C>>,
    len: u64,
}

impl<'a, C: Ciphertext + ?Sized> Payload<'a, C> {
    /// Check the header with `identity` and authenticate the end of the payload.
    pub(crate) fn open(src: &'a C, identity: &Identity, path: &Path) -> Result<Self, Error> {
        let mut first = open_stream(src, identity, path)?;
        let len = first
            .seek(SeekFrom::End(0))
            .and_then(|len| first.seek(SeekFrom::Start(0)).map(|_| len))
            .map_err(|e| payload_error(e, true, path))?;
        Ok(Payload { src, first, len })
    }

    /// The plaintext length.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Decrypt everything, into `target` (exactly [`Payload::len`] bytes) or, with `None`,
    /// only to check every chunk. Large payloads are decrypted as two halves in parallel.
    pub(crate) fn read_into(
        mut self,
        target: Option<&mut [u8]>,
        identity: &Identity,
        path: &Path,
    ) -> Result<(), Error> {
        let len = self.len;
        let split = if len >= PARALLEL_FROM {
            len / 2 / CHUNK_PLAINTEXT * CHUNK_PLAINTEXT
        } else {
            len
        };
        let (head, tail) = match target {
            Some(buffer) => {
                let (head, tail) = buffer.split_at_mut(split as usize);
                (Some(head), Some(tail))
            }
            None => (None, None),
        };
        let src = self.src;
        let progress = super::progress::stage("decrypting", len.div_ceil(PROGRESS_STEP));
        let progress = &progress;
        std::thread::scope(|scope| {
            let second = (split < len).then(|| {
                scope.spawn(move || -> Result<(), Error> {
                    let mut reader = open_stream(src, identity, path)?;
                    reader
                        .seek(SeekFrom::Start(split))
                        .map_err(|e| payload_error(e, false, path))?;
                    drain(&mut reader, tail, len - split, path, progress)
                })
            });
            let first = drain(&mut self.first, head, split, path, progress);
            let second = match second {
                Some(handle) => handle.join().unwrap_or_else(|_| {
                    Err(Error::Read {
                        path: path.to_path_buf(),
                        source: io::Error::other("decryption thread failed"),
                    })
                }),
                None => Ok(()),
            };
            first.and(second)
        })
    }
}

/// How many plaintext bytes make one step of the progress of decryption.
const PROGRESS_STEP: u64 = 1 << 20;

/// Read exactly `count` bytes from `reader` into `target` (or nowhere); when that is the end of
/// the payload, check that nothing follows.
fn drain<R: Read>(
    reader: &mut R,
    target: Option<&mut [u8]>,
    count: u64,
    path: &Path,
    progress: &super::progress::Stage,
) -> Result<(), Error> {
    let fail = |e: io::Error| payload_error(e, false, path);
    match target {
        Some(buffer) => {
            for part in buffer.chunks_mut(PROGRESS_STEP as usize) {
                reader.read_exact(part).map_err(fail)?;
                progress.step();
            }
        }
        None => {
            // Plaintext passes through it: wiped when dropped.
            let mut scratch = Zeroizing::new(vec![0u8; CHUNK_PLAINTEXT as usize]);
            let mut left = count;
            while left > 0 {
                let want = left.min(scratch.len() as u64) as usize;
                reader.read_exact(&mut scratch[..want]).map_err(fail)?;
                left -= want as u64;
            }
        }
    }
    Ok(())
}

/// Decrypt an armored age file, sequentially (armor is optional and rare for case files).
pub(crate) fn decrypt_armored<C: Ciphertext + ?Sized>(
    src: &C,
    identity: &Identity,
    path: &Path,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let armored = ArmoredReader::new(At { src, pos: 0 });
    let decryptor = age::Decryptor::new_buffered(armored).map_err(|e| header_error(e, path))?;
    let mut reader = start(decryptor, identity, path)?;
    // Base64 carries three bytes in four characters, so the ciphertext's size bounds the
    // plaintext's: one buffer, no regrowth.
    let bound = src.size().map_or(0, |size| size as usize / 4 * 3 + 3);
    read_to_end_wiping(&mut reader, bound).map_err(|e| payload_error(e, false, path))
}

fn header_error(err: age::DecryptError, path: &Path) -> Error {
    let path = path.to_path_buf();
    match err {
        age::DecryptError::InvalidMac => Error::Tampered {
            path,
            detail: "its header fails authentication",
        },
        age::DecryptError::DecryptionFailed => Error::Tampered {
            path,
            detail: "the key stanza for your identity fails to decrypt",
        },
        age::DecryptError::InvalidHeader => Error::Tampered {
            path,
            detail: "its header is malformed",
        },
        age::DecryptError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            Error::Truncated { path }
        }
        age::DecryptError::UnknownFormat => Error::NotCasebook {
            path,
            detail: "it uses an age format version this casebook does not know".into(),
        },
        age::DecryptError::Io(e) => Error::Read { path, source: e },
        other => Error::NotCasebook {
            path,
            detail: other.to_string(),
        },
    }
}

/// Turn an error from the payload stream into truncated / tampered. A failure of the final
/// chunk (`at_end`) is what a cut-off copy looks like; one in the middle is tampering.
fn payload_error(err: io::Error, at_end: bool, path: &Path) -> Error {
    let path = path.to_path_buf();
    match err.kind() {
        io::ErrorKind::UnexpectedEof => Error::Truncated { path },
        io::ErrorKind::InvalidData if at_end => Error::Truncated { path },
        io::ErrorKind::InvalidData => Error::Tampered {
            path,
            detail: "its encrypted data fails authentication",
        },
        _ => Error::Read { path, source: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_stanzas_are_listed_with_their_arguments() {
        let header = b"age-encryption.org/v1\n-> X25519 abc\nBODY\n-> ssh-ed25519 TaG123 def\nBODY\n--- mac\nPAYLOAD";
        let stanzas = header_stanzas(header).unwrap();
        assert_eq!(stanzas.len(), 2);
        assert_eq!(stanzas[1].kind, "ssh-ed25519");
        assert_eq!(stanzas[1].args[0], "TaG123");
    }

    #[test]
    fn plaintext_sqlite_is_named_as_such() {
        let err = check_magic(b"SQLite format 3\0rest", Path::new("x")).unwrap_err();
        assert!(matches!(err, Error::PlaintextDatabase { .. }));
        assert!(matches!(
            check_magic(b"hello", Path::new("x")),
            Err(Error::NotAgeFile { .. })
        ));
    }
}
