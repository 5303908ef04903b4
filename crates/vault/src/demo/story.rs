//! The demo committee's story: the fictional cases the demo's `Script` plays through the
//! process rules, kept apart from the script's mechanics because it is mostly text.

use std::collections::BTreeSet;

use chrono::{Duration, TimeZone, Utc};
use sha2::{Digest, Sha256};

use super::{MEI, PRIYA, ROBIN, SAM, Script, TOMAS};
use crate::Error;
use casebook_core::case::{Channel, ScopeJudgement, Severity, Status};
use casebook_core::decision::Ballot;
use casebook_core::event::{AttachmentRef, Audience, ConflictKind, Details, EventKind, NoteKind};
use casebook_core::party::{Disclosure, PartyRole};
use casebook_core::process;

/// Notes the demo committee writes, some long and in several paragraphs.
const NOTES: [&str; 3] = [
    "Acknowledged the report within a day and thanked the reporter. Asked whether they are \
     comfortable with us contacting the other party, and noted that they can withdraw at any \
     time.",
    "Reviewed the linked threads. The behaviour described matches what is visible publicly; \
     two further comments were deleted by the author before we looked. We have asked the \
     moderators for the moderation log.\n\nInterviewed the reported person with two members \
     present. They did not dispute the messages but said they were 'just joking' and did not \
     know the reporter was new to the project.\n\nNext step: share a summary with the \
     committee before the weekly call.",
    "Discussed at the weekly call. Consensus that the clause on personal attacks applies; \
     opinions differ on whether a warning or a stronger step is proportionate given the \
     history.\n\nPoints raised: the impact on the reporter (they paused contributing for two \
     weeks); the absence of an apology; the public nature of the comments.\n\nProposal to \
     follow on the ladder, with a review date if a temporary measure is chosen.",
];

impl Script {
    /// Play the demo's cases. Their order matters: the ids are seeded, and a test compares the
    /// embedded file with what this generates.
    pub(super) fn cases(&mut self) -> Result<(), Error> {
        let day = |d: i64, h: i64| {
            Utc.with_ymd_and_hms(2026, 8, 3, 8, 0, 0)
                .single()
                .unwrap_or_default()
                + Duration::days(d)
                + Duration::hours(h)
        };
        let assess = |severity: Severity, venue: &str| Details {
            severity: Some(severity),
            venue: Some(venue.into()),
            scope: Some(ScopeJudgement::InScope),
            clauses: Some(BTreeSet::from(["Our Standards".to_string()])),
            ..Details::default()
        };

        // Decided and closed cases, one per outcome of the ladder (and the common ones).
        let finished: [(&str, &str, &str, Channel, &str); 8] = [
            (
                "slate-orchard",
                "Doxxing threat in the community forum",
                "permanent-ban",
                Channel::Form,
                "Publishing someone's home address is a severe violation with no place in the community.",
            ),
            (
                "linen-falcon",
                "Dispute between two maintainers over credit",
                "correction",
                Channel::InPerson,
                "A private correction: credit was given late, not withheld. Both agreed to a shared changelog note.",
            ),
            (
                "copper-heron",
                "Sexualised jokes in the release channel",
                "warning",
                Channel::Chat,
                "Clear breach of the standards; first occurrence; written warning with the consequences of a repeat.",
            ),
            (
                "russet-quill",
                "Repeated insults after a warning",
                "temporary-ban",
                Channel::Email,
                "A second breach after a warning: three months' ban from all project spaces.",
            ),
            (
                "pearl-anchor",
                "Heated but civil technical disagreement",
                "no-violation",
                Channel::Form,
                "Strong words about code, not about people. No violation; we suggested a mediated call.",
            ),
            (
                "olive-delta",
                "Conduct at an unrelated company event",
                "out-of-scope",
                Channel::Email,
                "The event was not a project space and no project role was involved.",
            ),
            (
                "teal-summit",
                "Report withdrawn by the reporter",
                "no-action",
                Channel::Chat,
                "The reporter withdrew the report and asked for no action; we respected that.",
            ),
            (
                "zinc-saddle",
                "Impersonation of a maintainer on social media",
                "other",
                Channel::Other,
                "Referred to the platform; our statement clarifies the official accounts.",
            ),
        ];
        for (n, (code, title, outcome, channel, rationale)) in finished.iter().enumerate() {
            let at = day(n as i64 * 6, 3);
            let case = self.open(n % 5, code, title, *channel, at)?;
            self.party(
                n % 5,
                case,
                PartyRole::Reporter,
                Self::named(&format!("Reporter {}", n + 1), None),
                None,
            )?;
            self.step(SAM, case, Status::Triage)?;
            self.details(
                SAM,
                case,
                assess(
                    if n == 0 {
                        Severity::Critical
                    } else {
                        Severity::Medium
                    },
                    "project forum",
                ),
            )?;
            self.step(TOMAS, case, Status::Investigating)?;
            self.note(TOMAS, case, NoteKind::Interview, NOTES[1])?;
            self.step(ROBIN, case, Status::Deliberating)?;
            self.note(MEI, case, NoteKind::Deliberation, NOTES[2])?;
            self.decide(case, outcome, rationale)?;
            self.communicate(
                ROBIN,
                case,
                Audience::Reporter,
                "Told the reporter the outcome and thanked them.",
            )?;
            if n != 3 {
                self.step(ROBIN, case, Status::Closed)?;
            }
        }

        // After the decision: russet-quill's ban, until the committee reviews it, told so far
        // to the chat and repository moderators (the mailing lists' and the person's own
        // message are still owed).
        let quill = self.file.case_by_code("russet-quill")?.id;
        let kind = self.act(ROBIN, quill, |a, c| {
            process::after_decision(
                a,
                c,
                EventKind::SanctionStarted {
                    step: "temporary-ban".into(),
                    subject: "@quill-writer".into(),
                    spaces: vec!["chat".into(), "repositories".into(), "mailing-lists".into()],
                    starts: c.updated_at.date_naive(),
                    ends: None,
                    conditions: "A written apology to the people insulted".into(),
                    tell: Vec::new(),
                },
                c.updated_at,
            )
        })?;
        self.record(ROBIN, quill, vec![kind])?;
        let ban = self.file.case_by_code("russet-quill")?.sanctions[0].id;
        for whom in ["chat", "repositories"] {
            self.record(
                SAM,
                quill,
                vec![EventKind::SanctionTold {
                    sanction: ban,
                    whom: whom.into(),
                }],
            )?;
        }

        // Repeat behaviour: the same person reported twice (ember-tundra, then birch-lantern).
        let case = self.open(
            PRIYA,
            "ember-tundra",
            "Insults in a pull-request review",
            Channel::Email,
            day(50, 1),
        )?;
        self.party(
            PRIYA,
            case,
            PartyRole::Reported,
            Self::named("Drew Fictional", Some("@drew-f")),
            None,
        )?;
        let drew = self.file.case_by_code("ember-tundra")?.parties[0].person;
        let again = self.open(
            SAM,
            "birch-lantern",
            "Insults again, in the issue tracker",
            Channel::Form,
            day(95, 4),
        )?;
        self.party(
            SAM,
            again,
            PartyRole::Reported,
            Disclosure::Linked,
            Some(drew),
        )?;
        self.step(SAM, again, Status::Triage)?;
        self.note(
            SAM,
            again,
            NoteKind::General,
            "Same person as in ember-tundra. Flagging for repeat behaviour.",
        )?;
        self.step(ROBIN, case, Status::Triage)?;
        self.step(ROBIN, case, Status::Investigating)?;

        // A case about a committee member: Priya is the reported person and steps away.
        let about = self.open(
            MEI,
            "quiet-compass",
            "Complaint about a committee member's moderation",
            Channel::Email,
            day(88, 2),
        )?;
        self.party(
            MEI,
            about,
            PartyRole::Reported,
            Self::named("Priya Raman", None),
            None,
        )?;
        self.record(
            PRIYA,
            about,
            vec![EventKind::ConflictDeclared {
                member: self.member(PRIYA)?.id,
                conflict: ConflictKind::Hard,
                reason: Some("I am the subject of this report".into()),
            }],
        )?;
        self.step(MEI, about, Status::Triage)?;
        self.step(MEI, about, Status::Investigating)?;
        let sam = self.member(SAM)?;
        let kind = self.act(ROBIN, about, |a, c| process::assign(a, c, &sam))?;
        self.record(ROBIN, about, vec![kind])?;

        // Anonymous reporter, several parties, an emergency action awaiting review.
        let urgent = self.open(
            TOMAS,
            "saffron-bridge",
            "Following and filming attendees at the meetup",
            Channel::EventStaff,
            day(108, 20),
        )?;
        let tomas = self.member(TOMAS)?.id;
        self.party(
            TOMAS,
            urgent,
            PartyRole::Reporter,
            Disclosure::Anonymous {
                contact_held_by: tomas,
            },
            None,
        )?;
        self.party(
            TOMAS,
            urgent,
            PartyRole::Reported,
            Self::named("Attendee in a red jacket", None),
            None,
        )?;
        self.party(
            TOMAS,
            urgent,
            PartyRole::Witness,
            Self::named("Venue staff member", None),
            None,
        )?;
        self.party(
            TOMAS,
            urgent,
            PartyRole::Witness,
            Disclosure::Pseudonymous {
                alias: "nightowl".into(),
            },
            None,
        )?;
        self.step(TOMAS, urgent, Status::Triage)?;
        self.details(
            TOMAS,
            urgent,
            Details {
                safety_risk: Some(true),
                ..assess(Severity::High, "meetup venue")
            },
        )?;
        let kind = self.act(TOMAS, urgent, |a, c| {
            process::record_emergency(
                a,
                c,
                "Asked venue staff to remove the person from the event",
            )
        })?;
        self.record(TOMAS, urgent, vec![kind])?;

        // An emailed report with an attachment, kept as received.
        let attachment =
            b"(fictional) screenshot description: three replies, timestamps 10:02-10:05";
        let sha = base16ct::lower::encode_string(&Sha256::digest(attachment));
        self.file.store_attachment(&sha, attachment)?;
        let mailed = self.open(
            SAM,
            "amber-kettle",
            "Hostile replies to a first-time contributor",
            Channel::Email,
            day(110, 6),
        )?;
        self.record(SAM, mailed, vec![EventKind::ReportReceived {
            from: "Alex Newcomer <alex@example.net>".into(),
            subject: "Hostile replies to a first-time contributor".into(),
            body: "Hello committee,\n\nOn my first pull request three people replied within minutes, \
                   calling it 'garbage' and telling me to leave. I attached a screenshot.\n\n\
                   Please keep my name out of any public statement.\n\nAlex".into(),
            attachments: vec![AttachmentRef { name: "replies.png.txt".into(), content_type: "text/plain".into(), size: attachment.len() as u64, sha256: sha }],
            source_sha256: None,
        }])?;
        self.party(
            SAM,
            mailed,
            PartyRole::Reporter,
            Disclosure::Named {
                name: "Alex Newcomer".into(),
                handle: None,
                email: Some("alex@example.net".into()),
            },
            None,
        )?;

        // Deliberating, votes still owed; a soft conflict; a chair override.
        let open_vote = self.open(
            PRIYA,
            "willow-compass",
            "Repeated derailing of design discussions",
            Channel::Chat,
            day(80, 2),
        )?;
        self.step(PRIYA, open_vote, Status::Triage)?;
        self.record(
            SAM,
            open_vote,
            vec![EventKind::ConflictDeclared {
                member: self.member(SAM)?.id,
                conflict: ConflictKind::Soft,
                reason: Some("We co-maintain a library".into()),
            }],
        )?;
        self.step(PRIYA, open_vote, Status::Investigating)?;
        self.note(PRIYA, open_vote, NoteKind::Interview, NOTES[1])?;
        self.step(PRIYA, open_vote, Status::Deliberating)?;
        self.note(ROBIN, open_vote, NoteKind::Deliberation, NOTES[2])?;
        self.vote(PRIYA, open_vote, "warning", Ballot::For)?;
        self.vote(MEI, open_vote, "warning", Ballot::Abstain)?;

        let overridden = self.open(
            ROBIN,
            "cobalt-meadow",
            "Threats of violence in direct messages",
            Channel::Email,
            day(100, 1),
        )?;
        self.step(ROBIN, overridden, Status::Triage)?;
        self.details(
            ROBIN,
            overridden,
            Details {
                safety_risk: Some(true),
                ..assess(Severity::Critical, "direct messages")
            },
        )?;
        self.step(ROBIN, overridden, Status::Deliberating)?;
        let kind = self.act(ROBIN, overridden, |a, c| process::decide(a, c, "permanent-ban", "Credible threats against a contributor.", Some("Safety could not wait for the weekly call; the committee was informed the same day.")))?;
        self.record(ROBIN, overridden, vec![kind])?;

        // Terminal and reopened cases.
        let moved = self.open(
            MEI,
            "plum-harbor",
            "Harassment on a partner project's chat",
            Channel::Chat,
            day(60, 5),
        )?;
        self.step(MEI, moved, Status::Triage)?;
        self.step(MEI, moved, Status::Transferred)?;
        self.note(
            MEI,
            moved,
            NoteKind::General,
            "Handed to the partner project's committee with the reporter's consent.",
        )?;
        let spam = self.open(
            SAM,
            "fern-signal",
            "Spam account posting links",
            Channel::Other,
            day(70, 5),
        )?;
        self.step(SAM, spam, Status::OutOfScope)?;
        let appeal = self.file.case_by_code("copper-heron")?.id;
        self.step(ROBIN, appeal, Status::Reopened)?;
        self.note(
            ROBIN,
            appeal,
            NoteKind::General,
            "The reported person appealed the warning with new context; reopening for review.",
        )?;

        // A queue's worth of everyday work in every status, some overdue.
        let titles = [
            "Unwanted private messages after a meetup",
            "Mocking a speaker's accent in a talk recording",
            "Intimidating comments toward a reviewer",
            "Off-topic personal remarks in #contributors",
            "Dismissive replies to accessibility requests",
            "Pressure to share personal contact details",
            "Gendered insults in a mailing-list thread",
            "Unwelcome physical contact at a sprint",
            "Trolling in the newcomers' channel",
            "Public shaming over a broken build",
            "Persistent sarcasm toward a new maintainer",
            "Comments about a contributor's religion",
            "Hostile tone in code review",
            "Sharing screenshots of a private chat",
            "Inappropriate images in a slide deck",
            "Belittling questions in the help forum",
            "Repeatedly interrupting a speaker",
            "Threatening to leak private messages",
            "Exclusion from a working group",
            "Disparaging remarks about a company's staff",
        ];
        let codes = [
            "ashen-brook",
            "azure-crane",
            "bronze-creek",
            "cedar-falcon",
            "coral-glacier",
            "dusky-harbor",
            "flint-island",
            "frosty-kettle",
            "golden-ledger",
            "granite-lichen",
            "hazel-mirror",
            "indigo-otter",
            "ivory-raven",
            "jade-ridge",
            "juniper-river",
            "lapis-robin",
            "lemon-shore",
            "lunar-sparrow",
            "maple-spindle",
            "marble-thistle",
        ];
        let stages: [&[Status]; 5] = [
            &[],
            &[Status::Triage],
            &[Status::Triage, Status::Investigating],
            &[Status::Triage, Status::Investigating, Status::Deliberating],
            &[Status::Triage],
        ];
        for (n, (code, title)) in codes.iter().zip(titles).enumerate() {
            let received = day(62 + n as i64 * 2, n as i64 % 9);
            let case = self.open(
                n % 5,
                code,
                title,
                Channel::ALL[n % Channel::ALL.len()],
                received,
            )?;
            self.party(
                n % 5,
                case,
                PartyRole::Reporter,
                Self::named(&format!("Contributor {}", n + 1), None),
                None,
            )?;
            for to in stages[n % stages.len()] {
                self.step((n + 1) % 5, case, *to)?;
            }
            if n % 3 == 0 {
                let assignee = self.member((n + 2) % 5)?;
                if let Ok(kind) = self.act(ROBIN, case, |a, c| process::assign(a, c, &assignee)) {
                    self.record(ROBIN, case, vec![kind])?;
                }
            }
            if n % 4 == 1 {
                self.note((n + 3) % 5, case, NoteKind::General, NOTES[0])?;
            }
        }
        Ok(())
    }
}
