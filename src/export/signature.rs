//! OpenSSH signatures (SSHSIG, namespace `casebook`) over exported records: made with a
//! member's ed25519 key, checked here or with `ssh-keygen -Y verify`.

use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The SSHSIG namespace of every casebook signature.
pub const NAMESPACE: &str = "casebook";

/// Why a signature could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(String);

/// Sign `message` with `key`; returns the armored signature (`-----BEGIN SSH SIGNATURE-----`).
pub fn sign(key: &PrivateKey, message: &[u8]) -> Result<String, SignError> {
    let signature = key
        .sign(NAMESPACE, HashAlg::Sha512, message)
        .map_err(|e| SignError(e.to_string()))?;
    signature
        .to_pem(LineEnding::LF)
        .map_err(|e| SignError(e.to_string()))
}

/// What checking one signature found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The signature is valid for this key (`ssh-ed25519 AAAA...`, no comment).
    Valid {
        /// The signer's public key line.
        key: String,
        /// Its `SHA256:` fingerprint.
        fingerprint: String,
    },
    /// Not a valid casebook signature over these bytes.
    Invalid {
        /// Why.
        reason: String,
    },
}

/// Check the armored signature `pem` over `message`.
pub fn check(message: &[u8], pem: &str) -> Checked {
    let invalid = |reason: &str| Checked::Invalid {
        reason: reason.to_string(),
    };
    let Ok(signature) = SshSig::from_pem(pem) else {
        return invalid("not an SSH signature");
    };
    if signature.namespace() != NAMESPACE {
        return Checked::Invalid {
            reason: format!(
                "signed for namespace {:?}, not {NAMESPACE:?}",
                signature.namespace()
            ),
        };
    }
    let public = PublicKey::from(signature.public_key().clone());
    if public.verify(NAMESPACE, message, &signature).is_err() {
        return invalid("the signature does not match these bytes (changed after signing?)");
    }
    let fingerprint = public.fingerprint(HashAlg::Sha256).to_string();
    match public.to_openssh() {
        Ok(key) => Checked::Valid {
            key: key.trim().to_string(),
            fingerprint,
        },
        Err(_) => invalid("unreadable signer key"),
    }
}

/// Parse an OpenSSH allowed_signers file: (principal, key line) pairs for the `casebook`
/// namespace (entries restricted to other namespaces are skipped).
pub fn allowed_signers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let principal = words.next()?.to_string();
            let mut rest: Vec<&str> = words.collect();
            if rest
                .first()
                .is_some_and(|w| !w.starts_with("ssh-") && !w.starts_with("sk-"))
            {
                let options = rest.remove(0);
                if options.contains("namespaces=") && !options.contains(NAMESPACE) {
                    return None;
                }
            }
            let key = format!("{} {}", rest.first()?, rest.get(1)?);
            Some((principal, key))
        })
        .collect()
}
