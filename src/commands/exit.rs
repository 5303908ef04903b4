//! The command line's exit codes: one class per kind of failure a script can act on, so that
//! "try again" and "do not trust this file" are told apart. [`class`] is the one place that
//! decides which class an error falls in; the README and the manual page show [`ExitClass::ALL`].

use super::Error;
use crate::ops;
use crate::ops::vault;

/// What a command's exit code says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitClass {
    /// It did what was asked.
    Success,
    /// Any other failure (the message says what).
    Failure,
    /// The command line itself is wrong (clap's own code for usage errors).
    Usage,
    /// `verify`: every signature is valid, but a signer is not (or no longer) on the roster.
    SignerNotOnRoster,
    /// `verify`: a signature is invalid or missing.
    SignatureInvalid,
    /// A file (the case file, a key, a copy, a report) is missing or cannot be read.
    Unreadable,
    /// Another casebook is writing the file, or it changed while the command ran: try again,
    /// or wait for the lock with `--wait SECONDS`.
    Busy,
    /// The case file is an older copy: it lacks history this laptop verified at its path.
    OlderCopy,
    /// The file failed verification (damaged, tampered with, forged, another committee): do
    /// not trust it.
    Untrusted,
    /// The committee's rules refused the change.
    RuleRefused,
}

impl ExitClass {
    /// Every class, in the order of their codes.
    pub const ALL: [ExitClass; 10] = [
        ExitClass::Success,
        ExitClass::Failure,
        ExitClass::Usage,
        ExitClass::SignerNotOnRoster,
        ExitClass::SignatureInvalid,
        ExitClass::Unreadable,
        ExitClass::Busy,
        ExitClass::OlderCopy,
        ExitClass::Untrusted,
        ExitClass::RuleRefused,
    ];

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitClass::Success => 0,
            ExitClass::Failure => 1,
            ExitClass::Usage => 2,
            ExitClass::SignerNotOnRoster => 3,
            ExitClass::SignatureInvalid => 4,
            ExitClass::Unreadable => 5,
            ExitClass::Busy => 6,
            ExitClass::OlderCopy => 7,
            ExitClass::Untrusted => 8,
            ExitClass::RuleRefused => 9,
        }
    }

    /// What the code means, as the README's table and the manual page say it.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitClass::Success => "done (verify: every signature valid, every signer known)",
            ExitClass::Failure => "any other error; the message says what and what to do",
            ExitClass::Usage => "the command line is wrong (unknown option, missing argument)",
            ExitClass::SignerNotOnRoster => {
                "verify: the signatures are valid, but a signer is not (or no longer) a member"
            }
            ExitClass::SignatureInvalid => "verify: a signature is invalid or missing",
            ExitClass::Unreadable => {
                "a file is missing or cannot be read: the case file, a key, a copy or a report \
                 (not found, no permission, not a casebook file, not encrypted to your key)"
            }
            ExitClass::Busy => {
                "another casebook is writing the file, or it changed while the command ran: \
                 nothing was written; try again, or wait with --wait SECONDS"
            }
            ExitClass::OlderCopy => {
                "the case file is an older copy (it lacks history this laptop verified there): \
                 nothing was written; merge a newer copy, or see casebook recover"
            }
            ExitClass::Untrusted => {
                "the file failed verification (damaged, tampered with, forged, another \
                 committee): do not trust it"
            }
            ExitClass::RuleRefused => {
                "the committee's rules refused the change: nothing was recorded"
            }
        }
    }
}

/// The class of a failed command. Every error's class is decided here.
pub fn class(error: &Error) -> ExitClass {
    match error {
        Error::Ops(e) => ops_class(e),
        Error::Verification(_, code) => ExitClass::ALL
            .into_iter()
            .find(|c| c.code() == *code)
            .unwrap_or(ExitClass::Failure),
        Error::Usage { .. } => ExitClass::Usage,
        Error::NotAccepted { .. } => ExitClass::OlderCopy,
        Error::NoIdentity | Error::ConfiguredIdentityMissing { .. } | Error::WrongKey { .. } => {
            ExitClass::Unreadable
        }
        Error::Config(_) | Error::Output(_) => ExitClass::Failure,
    }
}

fn ops_class(error: &ops::Error) -> ExitClass {
    match error {
        ops::Error::Vault(e) => vault_class(e),
        // Today's refusals by the process rules; a refusal found by the replay belongs here too.
        ops::Error::Rule(_) => ExitClass::RuleRefused,
        ops::Error::Import { .. } => ExitClass::Unreadable,
        _ => ExitClass::Failure,
    }
}

fn vault_class(error: &vault::Error) -> ExitClass {
    use vault::Error as V;
    match error {
        V::NotFound { .. }
        | V::PermissionDenied { .. }
        | V::Read { .. }
        | V::NotRegularFile { .. }
        | V::NotAgeFile { .. }
        | V::PlaintextDatabase { .. }
        | V::NotCasebook { .. }
        | V::NotARecipient { .. }
        | V::SchemaTooNew { .. }
        | V::IdentityNotFound { .. }
        | V::PublicKeyGiven { .. }
        | V::UnsupportedKey { .. }
        | V::UnrecognisedIdentity { .. } => ExitClass::Unreadable,
        V::Locked { .. } | V::ChangedOnDisk { .. } => ExitClass::Busy,
        V::Rollback { .. } | V::PredatesExpunge { .. } => ExitClass::OlderCopy,
        // The rules' refusal, met when the change is recorded.
        V::Rule { .. } | V::RosterRule { .. } => ExitClass::RuleRefused,
        V::Truncated { .. }
        | V::Tampered { .. }
        | V::Corrupt { .. }
        | V::ForeignSchema { .. }
        | V::HistoryBroken { .. }
        | V::Unauthorized { .. }
        | V::DerivedMismatch { .. }
        | V::OtherCommittee { .. }
        | V::NotSameCommittee { .. }
        | V::UnexpectedCommittee { .. } => ExitClass::Untrusted,
        _ => ExitClass::Failure,
    }
}

/// The exit status table as manual page (roff) text.
pub fn man_section() -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for class in ExitClass::ALL {
        roff.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            class.code(),
            class.meaning()
        ));
    }
    roff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_its_own_code_and_clap_and_verify_keep_theirs() {
        let codes: std::collections::BTreeSet<u8> =
            ExitClass::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), ExitClass::ALL.len());
        assert_eq!(ExitClass::Usage.code(), 2);
        assert_eq!(ExitClass::SignerNotOnRoster.code(), 3);
        assert_eq!(ExitClass::SignatureInvalid.code(), 4);
        assert_eq!(
            class(&Error::Verification(String::new(), 4)),
            ExitClass::SignatureInvalid
        );
    }
}
