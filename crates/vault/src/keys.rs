//! Member keys: loading identities, parsing recipients, and making new member keys.
//!
//! Two kinds of identity open a case file: OpenSSH ed25519 keys (also the member's signing key)
//! and age X25519 identities. Either may be passphrase-protected; the passphrase is asked for
//! once, up front, naming the key, because age's own lazy prompt turns a missing passphrase
//! into a misleading "no matching keys".

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey};
use zeroize::Zeroizing;

use super::Error;

const OPENSSH_PRIVATE: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
const AGE_BINARY_MAGIC: &[u8] = b"age-encryption.org/";
const AGE_ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Where passphrases come from when a key needs one.
#[derive(Clone, PartialEq, Eq)]
pub enum PassphraseSource {
    /// Ask on the controlling terminal (`/dev/tty`), never echoing.
    Terminal,
    /// Read the first line of this file (for scripts and tests).
    File(PathBuf),
    /// Already typed (into the interface's lock screen); wiped on drop, never printed.
    Typed(Zeroizing<String>),
}

impl std::fmt::Debug for PassphraseSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PassphraseSource::Terminal => f.write_str("Terminal"),
            PassphraseSource::File(path) => f.debug_tuple("File").field(path).finish(),
            PassphraseSource::Typed(_) => f.write_str("Typed(<redacted>)"),
        }
    }
}

impl PassphraseSource {
    /// Ask for the passphrase of an existing key.
    pub fn existing(&self, key: &Path) -> Result<SecretString, Error> {
        match self {
            PassphraseSource::Terminal => {
                prompt(&format!("Passphrase for {}: ", key.display()), key)
            }
            PassphraseSource::File(file) => read_passphrase_file(file),
            PassphraseSource::Typed(text) => Ok(SecretString::from(text.as_str().to_owned())),
        }
    }

    /// Ask for a new passphrase (twice on a terminal) to protect `key`.
    pub fn new_passphrase(&self, key: &Path) -> Result<SecretString, Error> {
        let passphrase = match self {
            PassphraseSource::Terminal => {
                let first = prompt_new(&format!("New passphrase for {}: ", key.display()), key)?;
                let second = prompt_new("Repeat the passphrase: ", key)?;
                if first.expose_secret() != second.expose_secret() {
                    return Err(Error::PassphraseMismatch);
                }
                first
            }
            PassphraseSource::File(file) => read_passphrase_file(file)?,
            PassphraseSource::Typed(text) => SecretString::from(text.as_str().to_owned()),
        };
        if passphrase.expose_secret().is_empty() {
            return Err(Error::PassphraseEmpty);
        }
        Ok(passphrase)
    }
}

fn prompt(text: &str, key: &Path) -> Result<SecretString, Error> {
    match rpassword::prompt_password(text) {
        Ok(line) => Ok(SecretString::from(line)),
        Err(_) => Err(Error::PassphraseUnavailable {
            path: key.to_path_buf(),
        }),
    }
}

/// Ask for a passphrase that will protect a key not written yet.
fn prompt_new(text: &str, key: &Path) -> Result<SecretString, Error> {
    match rpassword::prompt_password(text) {
        Ok(line) => Ok(SecretString::from(line)),
        Err(_) => Err(Error::NewPassphraseUnavailable {
            path: key.to_path_buf(),
        }),
    }
}

fn read_passphrase_file(file: &Path) -> Result<SecretString, Error> {
    let text = Zeroizing::new(fs::read_to_string(file).map_err(|e| Error::reading(file, e))?);
    let line = text.lines().next().unwrap_or_default();
    Ok(SecretString::from(line.to_string()))
}

/// A member's private key, ready to decrypt case files.
pub struct Identity {
    label: PathBuf,
    recipient: String,
    secret: Secret,
}

enum Secret {
    Ssh {
        age: age::ssh::Identity,
        signing: Box<PrivateKey>,
    },
    X25519(age::x25519::Identity),
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print key material.
        f.debug_struct("Identity")
            .field("label", &self.label)
            .field("recipient", &self.recipient)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Load the identity at `path`, asking `passphrase` if the key is protected.
    pub fn load(path: &Path, passphrase: &PassphraseSource) -> Result<Identity, Error> {
        let bytes = match fs::read(path) {
            Ok(bytes) => Zeroizing::new(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::IdentityNotFound {
                    path: path.to_path_buf(),
                    agent_running: std::env::var_os("SSH_AUTH_SOCK").is_some(),
                });
            }
            Err(e) => return Err(Error::reading(path, e)),
        };
        Identity::from_bytes(&bytes, path, passphrase)
    }

    /// Parse an identity from `bytes`; `label` names it in prompts and messages.
    pub fn from_bytes(
        bytes: &[u8],
        label: &Path,
        passphrase: &PassphraseSource,
    ) -> Result<Identity, Error> {
        if bytes.starts_with(AGE_BINARY_MAGIC) || bytes.starts_with(AGE_ARMOR_BEGIN) {
            return Identity::from_protected_age(bytes, label, passphrase);
        }
        let unrecognised = || Error::UnrecognisedIdentity {
            path: label.to_path_buf(),
        };
        let text = std::str::from_utf8(bytes).map_err(|_| unrecognised())?;
        let trimmed = text.trim_start();
        if trimmed.starts_with(OPENSSH_PRIVATE) {
            return Identity::from_openssh(trimmed, label, passphrase);
        }
        if trimmed.starts_with("-----BEGIN RSA PRIVATE KEY-----") {
            return Err(unsupported(label, "a PEM-encoded RSA key"));
        }
        if trimmed.starts_with("-----BEGIN") {
            return Err(unsupported(
                label,
                "a PEM key that is not in OpenSSH format",
            ));
        }
        let first = trimmed
            .lines()
            .find(|l| !l.starts_with('#'))
            .unwrap_or_default();
        let first = first.trim();
        if first.starts_with("ssh-") || first.starts_with("ecdsa-") || first.starts_with("sk-") {
            return Err(Error::PublicKeyGiven {
                path: label.to_path_buf(),
            });
        }
        if first.starts_with("age1") {
            return Err(Error::PublicKeyGiven {
                path: label.to_path_buf(),
            });
        }
        if first.starts_with("AGE-PLUGIN-") {
            return Err(unsupported(label, "an age plugin identity"));
        }
        Identity::from_age_identity_file(text, label)
    }

    /// The path (or label) the identity was loaded from.
    pub fn label(&self) -> &Path {
        &self.label
    }

    /// The public recipient that files are encrypted to for this identity.
    pub fn recipient(&self) -> &str {
        &self.recipient
    }

    /// The OpenSSH signing key, for identities that are ed25519 SSH keys.
    pub fn signing_key(&self) -> Option<&PrivateKey> {
        match &self.secret {
            Secret::Ssh { signing, .. } => Some(signing),
            Secret::X25519(_) => None,
        }
    }

    /// The key as an unprotected identity file (OpenSSH or age), for the key agent to hold in
    /// locked memory; wiped when dropped. It never goes to a file.
    pub fn unlocked_bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let text = match &self.secret {
            Secret::Ssh { signing, .. } => {
                signing
                    .to_openssh(LineEnding::LF)
                    .map_err(|_| Error::UnrecognisedIdentity {
                        path: self.label.clone(),
                    })?
            }
            Secret::X25519(identity) => {
                Zeroizing::new(identity.to_string().expose_secret().to_string())
            }
        };
        Ok(Zeroizing::new(text.as_bytes().to_vec()))
    }

    pub(crate) fn as_age(&self) -> &dyn age::Identity {
        match &self.secret {
            Secret::Ssh { age, .. } => age,
            Secret::X25519(identity) => identity,
        }
    }

    fn from_openssh(
        pem: &str,
        label: &Path,
        passphrase: &PassphraseSource,
    ) -> Result<Identity, Error> {
        let key = PrivateKey::from_openssh(pem).map_err(|_| Error::UnrecognisedIdentity {
            path: label.to_path_buf(),
        })?;
        check_ssh_algorithm(key.public_key(), label)?;
        let key = if key.is_encrypted() {
            let secret = passphrase.existing(label)?;
            key.decrypt(secret.expose_secret().as_bytes())
                .map_err(|_| Error::WrongPassphrase {
                    path: label.to_path_buf(),
                })?
        } else {
            key
        };
        // age parses the same key from its unencrypted OpenSSH encoding; the encoding is
        // zeroized when dropped.
        let plain = key
            .to_openssh(LineEnding::LF)
            .map_err(|_| Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            })?;
        let age_identity =
            age::ssh::Identity::from_buffer(plain.as_bytes(), None).map_err(|_| {
                Error::UnrecognisedIdentity {
                    path: label.to_path_buf(),
                }
            })?;
        if !matches!(age_identity, age::ssh::Identity::Unencrypted(_)) {
            return Err(Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            });
        }
        let recipient =
            ssh_recipient_line(key.public_key()).ok_or_else(|| Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            })?;
        Ok(Identity {
            label: label.to_path_buf(),
            recipient,
            secret: Secret::Ssh {
                age: age_identity,
                signing: Box::new(key),
            },
        })
    }

    fn from_age_identity_file(text: &str, label: &Path) -> Result<Identity, Error> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("AGE-SECRET-KEY-1"))
            .ok_or_else(|| Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            })?;
        let identity =
            age::x25519::Identity::from_str(line).map_err(|_| Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            })?;
        Ok(Identity {
            label: label.to_path_buf(),
            recipient: identity.to_public().to_string(),
            secret: Secret::X25519(identity),
        })
    }

    /// An age identity file encrypted with `age -p`.
    fn from_protected_age(
        bytes: &[u8],
        label: &Path,
        passphrase: &PassphraseSource,
    ) -> Result<Identity, Error> {
        let reader = age::armor::ArmoredReader::new(bytes);
        let decryptor =
            age::Decryptor::new_buffered(reader).map_err(|_| Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            })?;
        if !decryptor.is_scrypt() {
            return Err(unsupported(
                label,
                "an age file encrypted to recipients rather than a passphrase",
            ));
        }
        let secret = passphrase.existing(label)?;
        let scrypt = age::scrypt::Identity::new(secret);
        let mut reader = decryptor
            .decrypt(std::iter::once(&scrypt as &dyn age::Identity))
            .map_err(|_| Error::WrongPassphrase {
                path: label.to_path_buf(),
            })?;
        let inner = super::crypto::read_to_end_wiping(&mut reader, bytes.len()).map_err(|_| {
            Error::UnrecognisedIdentity {
                path: label.to_path_buf(),
            }
        })?;
        let text = std::str::from_utf8(&inner).map_err(|_| Error::UnrecognisedIdentity {
            path: label.to_path_buf(),
        })?;
        Identity::from_age_identity_file(text, label)
    }
}

fn unsupported(label: &Path, what: &str) -> Error {
    Error::UnsupportedKey {
        path: label.to_path_buf(),
        what: what.to_string(),
    }
}

/// Accept ed25519 only, and say precisely what anything else is.
fn check_ssh_algorithm(public: &PublicKey, label: &Path) -> Result<(), Error> {
    match public.algorithm() {
        Algorithm::Ed25519 => Ok(()),
        Algorithm::Rsa { .. } => {
            let bits = public
                .key_data()
                .rsa()
                .map(|rsa| rsa.n.as_positive_bytes().map_or(0, |n| n.len() * 8))
                .unwrap_or(0);
            if bits < 2048 {
                Err(unsupported(
                    label,
                    &format!("an RSA key of {bits} bits (too weak; under 2048)"),
                ))
            } else {
                Err(unsupported(
                    label,
                    &format!("an RSA key ({bits} bits); member keys are ed25519"),
                ))
            }
        }
        Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 => Err(unsupported(
            label,
            "a hardware security key (FIDO), whose secret never leaves the device",
        )),
        other => Err(unsupported(
            label,
            &format!("an {} key; member keys are ed25519", other),
        )),
    }
}

/// `ssh-ed25519 AAAA...` without a comment: the form stored in the roster.
fn ssh_recipient_line(public: &PublicKey) -> Option<String> {
    let mut public = public.clone();
    public.set_comment("");
    public.to_openssh().ok().map(|line| line.trim().to_string())
}

/// A parsed recipient: an ed25519 SSH public key or an age X25519 recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    text: String,
}

impl Recipient {
    /// Parse `text` (an `ssh-ed25519 AAAA... [comment]` line or `age1...`), normalising it.
    pub fn parse(text: &str) -> Result<Recipient, Error> {
        let text = text.trim();
        let invalid = |reason: &str| Error::InvalidRecipient {
            recipient: text.chars().take(80).collect(),
            reason: reason.to_string(),
        };
        if text.starts_with("age1") {
            age::x25519::Recipient::from_str(text)
                .map_err(|_| invalid("not a valid age X25519 recipient"))?;
            return Ok(Recipient {
                text: text.to_string(),
            });
        }
        let public = PublicKey::from_openssh(text)
            .map_err(|_| invalid("not an SSH public key or an age recipient"))?;
        if public.algorithm() != Algorithm::Ed25519 {
            return Err(invalid(&format!(
                "{} keys are not supported; member keys are ed25519",
                public.algorithm()
            )));
        }
        let line = ssh_recipient_line(&public).ok_or_else(|| invalid("cannot be re-encoded"))?;
        Ok(Recipient { text: line })
    }

    /// The normalised text stored in the roster.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `ssh-ed25519` or `age-x25519`.
    pub fn kind(&self) -> &'static str {
        kind_of(&self.text)
    }
}

/// `ssh-ed25519` or `age-x25519`, from a stored recipient string.
pub fn kind_of(recipient: &str) -> &'static str {
    if recipient.starts_with("age1") {
        "age-x25519"
    } else {
        "ssh-ed25519"
    }
}

pub(crate) fn to_age_recipient(text: &str) -> Result<Box<dyn age::Recipient + Send>, Error> {
    let invalid = || Error::InvalidRecipient {
        recipient: text.chars().take(80).collect(),
        reason: "stored recipient cannot be used".into(),
    };
    if text.starts_with("age1") {
        let r = age::x25519::Recipient::from_str(text).map_err(|_| invalid())?;
        Ok(Box::new(r))
    } else {
        let r = age::ssh::Recipient::from_str(text).map_err(|_| invalid())?;
        Ok(Box::new(r))
    }
}

/// A key fingerprint to show people: `SHA256:...` as `ssh-keygen -l` prints it for SSH keys;
/// the recipient itself (as `age-keygen -y` prints it) for age keys.
pub fn fingerprint(recipient: &str) -> String {
    if recipient.starts_with("age1") {
        return recipient.to_string();
    }
    match PublicKey::from_openssh(recipient) {
        Ok(public) => public.fingerprint(HashAlg::Sha256).to_string(),
        Err(_) => "(unreadable key)".to_string(),
    }
}

/// The tag age writes in an `ssh-ed25519` stanza for this recipient, so a file's header can be
/// matched against the roster without any secret.
pub(crate) fn ssh_stanza_tag(recipient: &str) -> Option<String> {
    use base64::Engine;
    // The second field of the public key line is the key's SSH wire encoding.
    let encoded = recipient.split_whitespace().nth(1)?;
    let wire = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let digest = Sha256::digest(&wire);
    Some(base64::engine::general_purpose::STANDARD_NO_PAD.encode(&digest[..4]))
}

/// Write a new member key: an OpenSSH ed25519 private key at `path` (mode 0600, optionally
/// encrypted with `passphrase`) and its public key at `path.pub`. Returns the public key line.
pub fn keygen(
    path: &Path,
    comment: &str,
    passphrase: Option<&SecretString>,
) -> Result<String, Error> {
    let pub_path = public_key_path(path);
    for existing in [path, pub_path.as_path()] {
        if existing.exists() {
            return Err(Error::Exists {
                path: existing.to_path_buf(),
            });
        }
    }
    create_private_parents(path)?;
    let mut rng = rand::rngs::OsRng;
    let mut key = PrivateKey::random(&mut rng, Algorithm::Ed25519).map_err(|e| Error::Encrypt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    key.set_comment(comment);
    let public_line = key.public_key().to_openssh().map_err(|e| Error::Encrypt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    let key = match passphrase {
        Some(secret) => key
            .encrypt(&mut rng, secret.expose_secret().as_bytes())
            .map_err(|e| Error::Encrypt {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?,
        None => key,
    };
    let pem = key.to_openssh(LineEnding::LF).map_err(|e| Error::Encrypt {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    write_new(path, pem.as_bytes(), 0o600)?;
    if let Err(e) = write_new(&pub_path, format!("{public_line}\n").as_bytes(), 0o644) {
        let _ = fs::remove_file(path);
        return Err(e);
    }
    Ok(public_line)
}

/// Create the missing folders above a new private key (as `~/.ssh` on a fresh machine), mode
/// 0700 like ssh-keygen's; folders that exist are left as they are.
fn create_private_parents(path: &Path) -> Result<(), Error> {
    let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    if parent.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(parent)
        .map_err(|e| Error::writing(parent, e))
}

/// `KEY.pub` beside `KEY`.
pub fn public_key_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Write `bytes` to a new file at `path` with `mode`, never overwriting, and fsync it.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), Error> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| Error::writing(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::writing(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSH_PUB: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMvEgyq7gSBMa4eGqNKNd0yj3DKPXGfJh6tBSqfpJyq7 someone@host";

    #[test]
    fn recipients_are_normalised_without_comment() {
        let r = Recipient::parse(SSH_PUB).unwrap();
        assert_eq!(r.kind(), "ssh-ed25519");
        assert!(!r.as_str().contains("someone"));
        assert!(fingerprint(r.as_str()).starts_with("SHA256:"));
        assert_eq!(ssh_stanza_tag(r.as_str()).unwrap().len(), 6);
    }

    #[test]
    fn unusable_recipients_are_refused_with_a_reason() {
        let err = Recipient::parse("age1notavalidrecipient").unwrap_err();
        assert!(
            err.to_string().contains("not a valid age X25519 recipient"),
            "{err}"
        );
        let err = Recipient::parse("hello").unwrap_err();
        assert!(err.to_string().contains("not an SSH public key"), "{err}");
    }

    #[test]
    fn a_public_key_is_not_an_identity() {
        let err = Identity::from_bytes(
            SSH_PUB.as_bytes(),
            Path::new("k.pub"),
            &PassphraseSource::Terminal,
        )
        .unwrap_err();
        assert!(matches!(err, Error::PublicKeyGiven { .. }), "{err:?}");
    }
}
