//! What a member can do about an error, in the command line's words: these hints name the
//! flags and subcommands to use, so they belong to this front end and not to the layers below.

use crate::core::process::RuleError;
use crate::ops::vault;

/// The hint for a case-file or key error.
pub(super) fn vault(error: &vault::Error) -> Option<String> {
    let hint = match error {
        vault::Error::NotFound { .. } => {
            "check the path, or create a case file with `casebook init`"
        }
        vault::Error::Rule { source, .. } => return rule(source),
        vault::Error::UnsavedCase { .. } => "save first (Ctrl-S in the interface)",
        vault::Error::RosterRule { .. } => {
            "see the roster and what waits for approval with `casebook member list`"
        }
        vault::Error::PermissionDenied { .. } => {
            "check the owner and mode of the file and of its folder (casebook writes its lock, \
             temporary file and backup beside it); case files should be mode 0600 and owned by \
             you; a change can go to a new file in a folder you can write with --save-as NEW_FILE"
        }
        vault::Error::ReadOnlyFilesystem { .. } => {
            "nothing was written (a read-only mount, a backup disk, a share without write \
             access); read-only commands still work, and a change can go to a new file in a \
             writable folder with --save-as NEW_FILE"
        }
        vault::Error::PlaintextDatabase { .. } => {
            "casebook only opens age-encrypted case files; if this database came out of one, \
                 delete it securely: it holds case data in the clear"
        }
        vault::Error::NotAgeFile { .. } => "give the path of a .cases.age file made by casebook",
        vault::Error::NotARecipient { .. } => {
            "open it with the key you were added with (-i KEY), or ask a committee member \
                 to add your key with `casebook member add`"
        }
        vault::Error::Truncated { path } => {
            return Some(format!(
                "the copy is incomplete (interrupted sync or copy?); merge a complete copy from \
                 another member, or run `casebook recover {}`: it lists the backup and the \
                 other copies beside it and puts the newest back",
                crate::ops::export::shell_quote(&path.display().to_string())
            ));
        }
        vault::Error::Tampered { path, .. } => {
            return Some(format!(
                "do not trust this copy; get a fresh copy from another member, or run \
                 `casebook recover {}` to put the newest intact copy beside it back",
                crate::ops::export::shell_quote(&path.display().to_string())
            ));
        }
        vault::Error::NotCasebook { .. } => "this age file was not made by casebook",
        vault::Error::SchemaTooNew { .. } => {
            "upgrade casebook; this version will not write the file, to avoid losing data"
        }
        vault::Error::Corrupt { path, .. } => {
            return Some(format!(
                "get another member's copy, or run `casebook recover {}` to put the newest \
                 intact copy beside it back",
                crate::ops::export::shell_quote(&path.display().to_string())
            ));
        }
        vault::Error::Locked { .. } => {
            "close the other casebook first, or wait for it with --wait SECONDS (a script's \
             command waits its turn that way); if it crashed, the lock is released \
             automatically and you can simply try again"
        }
        vault::Error::UnsafeLock { path, .. } => {
            return Some(format!(
                "someone or something put it there; look at it, remove it (rm {}) and try again",
                path.display()
            ));
        }
        vault::Error::NotRegularFile { .. } => {
            "give the path of the case file itself (a regular file made by casebook)"
        }
        vault::Error::ChangedOnDisk { .. } => {
            "another copy was synced over it; save your changes elsewhere with --save-as, \
                 then compare the two files"
        }
        vault::Error::Exists { .. } => "choose another file name, or remove the old file yourself",
        vault::Error::DiskFull { .. } => "free some space and save again; nothing was lost",
        vault::Error::ReadOnly { .. } => "save a copy under a new name with --save-as",
        vault::Error::ScreenLocked { .. } => "unlock it with your key first",
        vault::Error::SealedSinceSave { .. } => {
            "save what you recorded (Ctrl-S), then record a correction; or quit without saving, \
             which drops every unsaved change, the sealing included"
        }
        vault::Error::NotUnsaved { .. } => {
            "a saved change stays in the history: record a correction instead"
        }
        vault::Error::WouldLockOut { .. } => {
            "open the file with your own roster key (-i KEY) so the saved file stays readable \
                 to you"
        }
        vault::Error::VerifyFailed { .. } => {
            "try again; if it persists, save elsewhere with --save-as"
        }
        vault::Error::IdentityNotFound {
            agent_running: true,
            ..
        } => {
            "keys held only in ssh-agent cannot decrypt: age needs the private key file; \
                 pass it with -i KEY or make a member key with `casebook keygen`"
        }
        vault::Error::IdentityNotFound { .. } => {
            "pass your key with -i KEY (or set CASEBOOK_IDENTITY), or make one with \
                 `casebook keygen -o KEY`"
        }
        vault::Error::PublicKeyGiven { .. } => "give the private key file (the one without .pub)",
        vault::Error::Agent { .. } => {
            "`casebook agent --stop` ends a running agent; commands work without one, asking \
             for the passphrase"
        }
        vault::Error::UnsupportedKey { .. } | vault::Error::UnrecognisedIdentity { .. } => {
            "use an OpenSSH ed25519 key or an age X25519 identity; `casebook keygen` makes one"
        }
        vault::Error::WrongPassphrase { .. } => "try again; the key on disk is unchanged",
        vault::Error::PassphraseUnavailable { .. } => {
            "run casebook in a terminal; or type the passphrase once in one with `casebook \
             agent`, which then hands the key to commands and the git merge driver; or give it \
             with --passphrase-file FILE"
        }
        vault::Error::NewPassphraseUnavailable { .. } => {
            "run it in a terminal, or give the new passphrase with --passphrase-file FILE \
             (or --new-passphrase-file FILE when rotating)"
        }
        vault::Error::PassphraseMismatch | vault::Error::PassphraseEmpty => "run the command again",
        vault::Error::UnknownCase { .. } => "list the cases with `casebook case list FILE`",
        vault::Error::InvalidRecipient { .. } => {
            "give an `ssh-ed25519 AAAA...` public key line or an age `age1...` recipient"
        }
        vault::Error::ForeignSchema { .. }
        | vault::Error::HistoryBroken { .. }
        | vault::Error::Unauthorized { .. }
        | vault::Error::DerivedMismatch { .. } => {
            "do not trust this copy; get the file from another member (or a backup) and tell \
             the committee: someone changed it outside casebook"
        }
        vault::Error::OtherCommittee { .. } => {
            "this is not your committee's file: someone replaced it; get it again from a member \
             you trust"
        }
        vault::Error::NotSameCommittee { .. } => {
            "check that you named the right file: only copies of the same case file merge"
        }
        vault::Error::UnexpectedCommittee { .. } => {
            "check the fingerprint with the chair over another channel before you open it"
        }
        vault::Error::PredatesExpunge { .. } => {
            "merge it into the current file (`casebook merge CURRENT THIS-COPY`): what it holds \
             of an expunged case is discarded on the way in; then delete this copy"
        }
        vault::Error::Rollback { path, tried, .. } => {
            let file = crate::ops::export::shell_quote(&path.display().to_string());
            // The copies tried are not named: none of them is newer than what was verified.
            let tried = match tried.len() {
                0 => String::new(),
                1 => "the copy beside it (backup or sync conflict copy) was merged and does \
                      not hold it either; "
                    .to_string(),
                n => format!(
                    "the {n} copies beside it (backup, sync conflict copies) were merged and do \
                     not hold it either; "
                ),
            };
            return Some(format!(
                "{tried}merge a copy that holds it (another member's): `casebook merge {file} \
                 COPY`; if no copy holds it any more, `casebook recover {file}` shows what is \
                 missing and can accept this copy; read-only commands (info, case show) still \
                 show it"
            ));
        }
        vault::Error::CannotSignHistory { .. } => {
            "make a member key with `casebook keygen -o KEY`, ask a chair to add it, and use it \
             with -i KEY"
        }
        vault::Error::UnsignedHistory { .. } => {
            "a chair who has checked this copy adopts it with `casebook adopt FILE` (review it \
             with `casebook info` and `casebook case list` first)"
        }
        vault::Error::Pins { .. } => {
            "make the directory yours (mode 0700), or set XDG_STATE_HOME to one that is"
        }
        vault::Error::Read { .. }
        | vault::Error::Write { .. }
        | vault::Error::Database { .. }
        | vault::Error::Encrypt { .. } => return None,
    };
    Some(hint.to_string())
}

/// The hint for a refusal by the committee's rules.
pub(super) fn rule(error: &RuleError) -> Option<String> {
    let hint = match error {
        RuleError::IllegalTransition { .. } => "choose one of the allowed statuses",
        RuleError::WrongReaders { .. } => {
            "casebook writes the readers a sealing gives; this one was made by other means"
        }
        RuleError::DecideInstead { .. } => {
            "use `casebook decide FILE CODE --outcome O --rationale R`"
        }
        RuleError::HardConflict { .. } => "another member must handle this",
        RuleError::ConflictedVote { .. } => "conflicted members may discuss but not vote",
        RuleError::NotActive { .. } => "check the roster with `casebook info`",
        RuleError::NotChair { .. } => "ask a chair",
        RuleError::NotDeliberating { .. } => "move the case to deliberating first",
        RuleError::UnknownOutcome { .. } => {
            "change the ladder with `casebook settings`, or use other"
        }
        RuleError::OtherProposal { .. } => "add --propose to put a new outcome to the vote",
        RuleError::QuorumNotMet { .. } => {
            "wait for more votes, or (chair only) --override --reason R, which is recorded"
        }
        RuleError::OverrideWithoutReason { .. } => "add --reason R",
        RuleError::SelfReview { .. } => "ask another member to review it",
        RuleError::NoEmergency { .. } => "see the case with `casebook case show FILE CODE`",
        RuleError::Assignment { .. } => "see the case with `casebook case show FILE CODE`",
        RuleError::Finished { .. } => "reopen it with `casebook status FILE CODE reopened`",
        RuleError::AlreadyDecided { .. } => "reopen the case to revisit the decision",
        RuleError::LastChair { .. } => {
            "make another member chair with `casebook member role FILE NAME chair` first"
        }
        RuleError::SameRole { .. } => "nothing to change",
        RuleError::NotRemoved { .. } => "see the roster with `casebook member list`",
        RuleError::NoConflict { .. } => "see the case with `casebook case show FILE CODE`",
        RuleError::LastMember { .. } => "add the new members first",
        RuleError::SelfRemoval { .. } => {
            "let another member remove you, or pass --allow-self-removal if you mean it"
        }
        RuleError::DuplicateKey { .. } => "each member needs a key of their own",
        RuleError::DuplicateName { .. } => "use a distinct name (for example with an initial)",
        RuleError::InvalidEmail { .. } => {
            "give the member's plain address, such as sam@example.org"
        }
        RuleError::DuplicateEmail { .. } => "each member needs an address of their own",
        RuleError::AlreadyRemoved { .. } => "see the roster with `casebook member list`",
        RuleError::InternalRecordText { .. } => "write text for --for reported, reporter or public",
        RuleError::EmptyRecordTitle { .. } => {
            "give --title, for example \"Decision record for CODE\""
        }
        RuleError::SealedFrom { .. } => {
            "a member who can read the case must do this (`casebook case show FILE CODE` says who)"
        }
        RuleError::NotSealed { .. } => "seal it with `casebook case seal FILE CODE --from NAME`",
        RuleError::AlreadyReader { .. } | RuleError::AlreadyExcluded { .. } => {
            "see who can read it with `casebook case show FILE CODE`"
        }
        RuleError::NoReaderLeft { .. } => "keep at least one member who can read the case",
        RuleError::OnlyReader { .. } => "another member who can read the case must agree and do it",
        RuleError::PartyExcludes { .. } | RuleError::IsParty { .. } => {
            "another member who can read the case must do this"
        }
        RuleError::NoSuchCase { .. } | RuleError::OpenedTwice { .. } => {
            "see the cases with `casebook case list FILE`"
        }
        RuleError::ForOthers { .. } => "each member declares or withdraws their own conflict",
        RuleError::NoProposal { .. } => "vote with --outcome O to propose it",
        RuleError::StaleStatus { .. } => "see the case with `casebook case show FILE CODE`",
        RuleError::NotACaseChange { .. } => "record committee changes with `casebook member`",
        RuleError::AlreadyRequested { .. } => {
            "another member who can read the case gives access with `casebook case give FILE CODE NAME`"
        }
        RuleError::NotCustodian { .. } => "only the custodian named on the party opens it",
        RuleError::NothingPending { .. } => {
            "see what waits on the case with `casebook case show FILE CODE`"
        }
        RuleError::SelfApproval { .. } => "ask another member who can read the case to approve it",
        RuleError::UncheckedReason { .. } => {
            "record the party (`casebook party add`) or the conflict first; a request made after \
             the case was opened waits for a second reader's approval"
        }
        RuleError::UnreadableReason { .. } => {
            "casebook seals the reason to the case's new key; this change was made by other means"
        }
        RuleError::SecondReaderNeeded { .. } => {
            "your request is recorded; another member who can read the case gives access with `casebook case give FILE CODE NAME`"
        }
        RuleError::UnknownMember { .. } => "see the roster with `casebook member list`",
        RuleError::ReportedNotSealed { .. } => {
            "record the party with `casebook party add`, which keeps them out in the same change"
        }
        RuleError::NoDecision { .. } => {
            "record the decision first with `casebook decide FILE CODE --outcome O --rationale R`"
        }
        RuleError::NotAStep { .. } => "choose one of the ladder's steps with --step",
        RuleError::SanctionIncomplete { .. } => {
            "give --subject HANDLE and at least one --space (chat, repositories, events, \
             mailing-lists, or a name the committee uses)"
        }
        RuleError::EndsBeforeStart { .. } => "give an --ends date on or after --starts",
        RuleError::PermanentEnds { .. } => "leave out --ends (use --until-reviewed)",
        RuleError::StartsBeforeReport { .. } => "give a --starts date on or after the report's",
        RuleError::NoSanction { .. } | RuleError::SanctionOver { .. } => {
            "see the case's sanctions with `casebook sanction list FILE CODE`"
        }
        RuleError::NotToTell { .. } => {
            "see who is still to be told with `casebook sanction list FILE CODE`"
        }
        RuleError::AllTold { .. } => {
            "nothing to record; `casebook sanction list FILE CODE` shows who was told"
        }
        RuleError::NotLater { .. } => {
            "give a later --ends, or --until-reviewed; to end it early, `casebook sanction lift`"
        }
        RuleError::Expunged { .. } => "an expunged case keeps only its retained record",
        RuleError::NotExpungeable { .. } => {
            "`casebook case show FILE CODE` shows its status, sanctions, appeal and holds"
        }
        RuleError::ExpungeApproval { .. } => {
            "a second member who may act on the case approves with `casebook expunge FILE CODE \
             --approve`; a committee that decides against an expunge postpones it with \
             `--hold-until DAY --why W`"
        }
        RuleError::AppealWindowClosed { .. } => {
            "the window is a committee rule (`casebook settings FILE --appeal-days N`)"
        }
        RuleError::HarsherThanDecided { .. } => {
            "a harsher sanction needs a new decision (reopen the case, vote and decide)"
        }
        RuleError::NotASanctionOutcome { .. } => {
            "a sanction follows a decision of a ladder step (warning, temporary-ban, ...)"
        }
        RuleError::AppealEndsWithDecision { .. } => {
            "record the appeal's decision with `casebook decide` (upheld, changed or lifted)"
        }
        RuleError::NoAppealDecision { .. } => {
            "use --template update while the appeal is heard, or decision for the first decision"
        }
        RuleError::NotAGround { .. } => {
            "choose one of the committee's grounds (`casebook settings FILE` lists them)"
        }
        RuleError::AlreadyAppealed { .. } => "see the appeal with `casebook case show FILE CODE`",
        RuleError::TemplateShows { .. } => {
            "write the template with the placeholders that audience may see (`casebook template list FILE` shows them)"
        }
        RuleError::EmptyTemplate => {
            "write the template's text (`--text -` reads it from standard input)"
        }
        RuleError::AppealPanel { .. } => {
            "the members who did not take part vote on and record the appeal's decision; only \
             when fewer than two of them are left may a chair record it with --override --reason R"
        }
    };
    Some(hint.to_string())
}
