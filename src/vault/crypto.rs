//! age encryption and decryption of case-file bytes, streamed so that no extra plaintext copy is
//! made, and the mapping of age's failures to messages a member can act on.

use std::io::{self, Read, Write};
use std::path::Path;

use age::armor::{ArmoredReader, ArmoredWriter, Format};

use super::Error;
use super::keys::Identity;

/// What a case file's ciphertext starts with.
pub(crate) const AGE_MAGIC: &[u8] = b"age-encryption.org/";
pub(crate) const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
pub(crate) const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// age's payload chunk: 64 KiB of plaintext plus a 16-byte tag.
const CHUNK: u64 = 64 * 1024 + 16;

/// Classify the first bytes of a file before trying to decrypt it.
pub(crate) fn check_magic(prefix: &[u8], path: &Path) -> Result<bool, Error> {
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

/// The recipient stanzas of a binary age header, read from the start of the file, and the
/// header's length in bytes. `None` when the header does not end within `prefix`.
pub(crate) fn header_stanzas(prefix: &[u8]) -> Option<(Vec<Stanza>, usize)> {
    let mut stanzas = Vec::new();
    let mut offset = 0;
    for line in prefix.split(|&b| b == b'\n') {
        offset += line.len() + 1;
        if line.starts_with(b"--- ") {
            return Some((stanzas, offset));
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
pub(crate) fn armored_header_stanzas(prefix: &[u8]) -> Option<Vec<Stanza>> {
    let mut reader = ArmoredReader::new(prefix);
    let mut binary = Vec::new();
    let mut buf = [0u8; 4096];
    while binary.len() < 64 * 1024 {
        match reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => binary.extend_from_slice(&buf[..n]),
        }
    }
    header_stanzas(&binary).map(|(stanzas, _)| stanzas)
}

/// Encrypt `plaintext` to `recipients`, writing the age file to `out`.
pub(crate) fn encrypt<W: Write>(
    plaintext: &[u8],
    recipients: &[Box<dyn age::Recipient + Send>],
    armor: bool,
    out: W,
    path: &Path,
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
        writer.write_all(plaintext)?;
        writer.finish()?.finish()
    };
    write(out).map_err(|e| Error::writing(path, e))
}

/// Start decrypting `input` (binary or armored) with `identity`.
pub(crate) fn decrypt<'a, R: Read + 'a>(
    input: R,
    identity: &Identity,
    path: &Path,
) -> Result<impl Read + 'a, Error> {
    let decryptor = age::Decryptor::new_buffered(ArmoredReader::new(input))
        .map_err(|e| header_error(e, path))?;
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

/// Turn an error from the payload stream into truncated / tampered. `plaintext_pos` is how far
/// decryption got; `payload_len`, when known (binary files), is the ciphertext after the
/// header, so a failure in the final chunk (a cut-off copy) can be told from one in the middle.
pub(crate) fn payload_error(
    err: io::Error,
    plaintext_pos: u64,
    payload_len: Option<u64>,
    path: &Path,
) -> Error {
    let path = path.to_path_buf();
    match err.kind() {
        io::ErrorKind::UnexpectedEof => Error::Truncated { path },
        io::ErrorKind::InvalidData => {
            let failed_chunk = plaintext_pos / (64 * 1024);
            let last_chunk = payload_len.map(|len| len.saturating_sub(1) / CHUNK);
            if last_chunk.is_some_and(|last| failed_chunk >= last) {
                Error::Truncated { path }
            } else {
                Error::Tampered {
                    path,
                    detail: "its encrypted data fails authentication",
                }
            }
        }
        _ => Error::Read { path, source: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_stanzas_are_listed_with_their_arguments() {
        let header = b"age-encryption.org/v1\n-> X25519 abc\nBODY\n-> ssh-ed25519 TaG123 def\nBODY\n--- mac\nPAYLOAD";
        let (stanzas, len) = header_stanzas(header).unwrap();
        assert_eq!(stanzas.len(), 2);
        assert_eq!(stanzas[1].kind, "ssh-ed25519");
        assert_eq!(stanzas[1].args[0], "TaG123");
        assert_eq!(&header[len..], b"PAYLOAD");
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
