//! Deciding a case: the outcome ladder, votes on a proposed outcome, and the quorum rule that
//! says when the committee has decided.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::roster::MemberId;

/// The committee's ladder of enforcement outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ladder {
    /// Contributor Covenant 2.1: correction, warning, temporary ban, permanent ban.
    #[default]
    ContributorCovenant21,
    /// Contributor Covenant 3.0: warning, temporarily limited activities, temporary
    /// suspension, permanent ban.
    ContributorCovenant30,
    /// The Django project's enforcement manual: private reprimand, public reprimand, imposed
    /// vacation, permanent ban.
    Django,
}

/// Outcomes open to every committee, whatever its ladder.
pub const COMMON_OUTCOMES: [&str; 4] = ["no-violation", "out-of-scope", "no-action", "other"];

impl Ladder {
    /// Every ladder preset.
    pub const ALL: [Ladder; 3] = [
        Ladder::ContributorCovenant21,
        Ladder::ContributorCovenant30,
        Ladder::Django,
    ];

    /// The preset's name in settings and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Ladder::ContributorCovenant21 => "contributor-covenant-2.1",
            Ladder::ContributorCovenant30 => "contributor-covenant-3.0",
            Ladder::Django => "django",
        }
    }

    /// The enforcement steps, mildest first.
    pub fn steps(self) -> &'static [&'static str] {
        match self {
            Ladder::ContributorCovenant21 => {
                &["correction", "warning", "temporary-ban", "permanent-ban"]
            }
            Ladder::ContributorCovenant30 => &[
                "warning",
                "temporarily-limited-activities",
                "temporary-suspension",
                "permanent-ban",
            ],
            Ladder::Django => &[
                "private-reprimand",
                "public-reprimand",
                "imposed-vacation",
                "permanent-ban",
            ],
        }
    }

    /// Every outcome a decision may record: the ladder's steps and the common outcomes.
    pub fn outcomes(self) -> Vec<&'static str> {
        self.steps()
            .iter()
            .copied()
            .chain(COMMON_OUTCOMES)
            .collect()
    }

    /// Whether `outcome` is on this ladder (or common).
    pub fn allows(self, outcome: &str) -> bool {
        self.outcomes().contains(&outcome)
    }
}

impl fmt::Display for Ladder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Ladder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ladder::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Ladder::ALL.iter().map(|l| l.as_str()).collect();
                format!("unknown ladder {s:?}; presets: {}", names.join(", "))
            })
    }
}

/// How many votes in favour decide a case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuorumRule {
    /// More than half of the eligible members vote for.
    #[default]
    SimpleMajority,
    /// At least two thirds of the eligible members vote for.
    TwoThirds,
    /// Every eligible member votes, and every vote is for.
    Unanimous,
}

impl QuorumRule {
    /// Every rule.
    pub const ALL: [QuorumRule; 3] = [
        QuorumRule::SimpleMajority,
        QuorumRule::TwoThirds,
        QuorumRule::Unanimous,
    ];

    /// The rule's name in settings and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            QuorumRule::SimpleMajority => "simple-majority",
            QuorumRule::TwoThirds => "two-thirds",
            QuorumRule::Unanimous => "unanimous",
        }
    }

    /// How many votes for are needed among `eligible` members.
    pub fn needed(self, eligible: usize) -> usize {
        match self {
            QuorumRule::SimpleMajority => eligible / 2 + 1,
            QuorumRule::TwoThirds => (eligible * 2).div_ceil(3),
            QuorumRule::Unanimous => eligible,
        }
    }
}

impl fmt::Display for QuorumRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QuorumRule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QuorumRule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown quorum rule {s:?}; rules: simple-majority, two-thirds, unanimous")
            })
    }
}

/// One member's vote on the proposed outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ballot {
    /// In favour of the proposed outcome.
    For,
    /// Against it.
    Against,
    /// Neither.
    Abstain,
}

impl Ballot {
    /// Every ballot.
    pub const ALL: [Ballot; 3] = [Ballot::For, Ballot::Against, Ballot::Abstain];

    /// The ballot's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ballot::For => "for",
            Ballot::Against => "against",
            Ballot::Abstain => "abstain",
        }
    }
}

impl FromStr for Ballot {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ballot::ALL
            .into_iter()
            .find(|b| b.as_str() == s)
            .ok_or_else(|| format!("unknown ballot {s:?}; ballots: for, against, abstain"))
    }
}

/// Where a vote stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Members allowed to vote (active, no conflict on this case).
    pub eligible: usize,
    /// Votes for.
    #[serde(rename = "for")]
    pub for_: usize,
    /// Votes against.
    pub against: usize,
    /// Abstentions.
    pub abstain: usize,
    /// Votes for needed under the rule.
    pub needed: usize,
    /// The rule applied.
    pub rule: QuorumRule,
    /// Whether the rule is met.
    pub met: bool,
}

/// Count `votes` cast by `eligible` members under `rule`. Votes by anyone not eligible (a
/// conflicted or removed member) are not counted.
pub fn tally(rule: QuorumRule, eligible: &[MemberId], votes: &BTreeMap<MemberId, Ballot>) -> Tally {
    let counted = || {
        votes
            .iter()
            .filter(|(who, _)| eligible.contains(who))
            .map(|(_, b)| *b)
    };
    let for_ = counted().filter(|b| *b == Ballot::For).count();
    let against = counted().filter(|b| *b == Ballot::Against).count();
    let abstain = counted().filter(|b| *b == Ballot::Abstain).count();
    let needed = rule.needed(eligible.len());
    let met = !eligible.is_empty()
        && for_ >= needed
        && match rule {
            QuorumRule::Unanimous => against == 0 && abstain == 0,
            _ => true,
        };
    Tally {
        eligible: eligible.len(),
        for_,
        against,
        abstain,
        needed,
        rule,
        met,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn members(n: usize) -> Vec<MemberId> {
        (0..n)
            .map(|i| MemberId(Uuid::from_u128(i as u128 + 1)))
            .collect()
    }

    #[test]
    fn thresholds_for_a_committee_of_five() {
        assert_eq!(QuorumRule::SimpleMajority.needed(5), 3);
        assert_eq!(QuorumRule::TwoThirds.needed(5), 4);
        assert_eq!(QuorumRule::Unanimous.needed(5), 5);
        assert_eq!(
            QuorumRule::SimpleMajority.needed(4),
            3,
            "half is not a majority"
        );
        assert_eq!(QuorumRule::TwoThirds.needed(6), 4);
    }

    #[test]
    fn votes_by_conflicted_members_do_not_count() {
        let all = members(4);
        let eligible = &all[..3];
        let votes: BTreeMap<_, _> = [(all[0], Ballot::For), (all[3], Ballot::For)].into();
        let t = tally(QuorumRule::SimpleMajority, eligible, &votes);
        assert_eq!((t.for_, t.needed, t.met), (1, 2, false));
    }

    #[test]
    fn nobody_eligible_means_no_decision() {
        let t = tally(QuorumRule::SimpleMajority, &[], &BTreeMap::new());
        assert!(!t.met);
    }

    #[test]
    fn ladders_offer_their_steps_and_the_common_outcomes() {
        assert!(Ladder::default().allows("warning"));
        assert!(Ladder::Django.allows("imposed-vacation"));
        assert!(!Ladder::Django.allows("correction"));
        assert!(Ladder::ContributorCovenant30.allows("no-violation"));
        assert_eq!("django".parse::<Ladder>(), Ok(Ladder::Django));
    }

    fn ballot() -> impl Strategy<Value = Option<Ballot>> {
        prop_oneof![
            Just(None),
            Just(Some(Ballot::For)),
            Just(Some(Ballot::Against)),
            Just(Some(Ballot::Abstain))
        ]
    }

    proptest! {
        #[test]
        fn the_rules_agree_with_their_definitions(
            eligible in 0usize..12,
            extra in 0usize..3,
            ballots in proptest::collection::vec(ballot(), 15),
        ) {
            let all = members(eligible + extra);
            let votes: BTreeMap<_, _> = all
                .iter()
                .zip(&ballots)
                .filter_map(|(m, b)| b.map(|b| (*m, b)))
                .collect();
            let voters = &all[..eligible];
            let fors = voters.iter().filter(|m| votes.get(m) == Some(&Ballot::For)).count();
            let simple = tally(QuorumRule::SimpleMajority, voters, &votes);
            prop_assert_eq!(simple.met, eligible > 0 && 2 * fors > eligible);
            let two_thirds = tally(QuorumRule::TwoThirds, voters, &votes);
            prop_assert_eq!(two_thirds.met, eligible > 0 && 3 * fors >= 2 * eligible);
            let unanimous = tally(QuorumRule::Unanimous, voters, &votes);
            prop_assert_eq!(unanimous.met, eligible > 0 && fors == eligible);
            // Stricter rules never pass where looser ones fail.
            prop_assert!(!unanimous.met || two_thirds.met);
            prop_assert!(!two_thirds.met || simple.met);
            prop_assert_eq!(simple.for_ + simple.against + simple.abstain,
                voters.iter().filter(|m| votes.contains_key(m)).count());
        }
    }
}
