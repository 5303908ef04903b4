//! Reports as they arrive: every report file is read and parsed before anything is recorded,
//! so a bad file leaves the case file as it was; then one case per report.

use crate::OpenFile;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::Utc;
use uuid::Uuid;

use super::Error;
use casebook_core::case::{CaseId, IncidentAt};
use casebook_core::event::{AttachmentRef, Details, Event, EventKind};
use casebook_core::party::{Disclosure, Party, PartyId, PartyRole, PersonId};
use casebook_core::roster::Member;
use casebook_import::Report;
use casebook_vault as vault;

/// Read and parse report files (all of them, before anything is recorded).
pub fn read_reports(
    paths: &[PathBuf],
    map: &HashMap<String, String>,
    order: Option<casebook_core::dates::DateOrder>,
) -> Result<Vec<(PathBuf, Report)>, Error> {
    let mut reports = Vec::new();
    let progress = vault::progress::stage("reading reports", paths.len() as u64);
    for path in paths {
        progress.step();
        let too_large = |size: u64| Error::Import {
            file: path.clone(),
            source: casebook_import::ImportError::TooLarge {
                size: size as usize,
            },
        };
        let size = std::fs::metadata(path)
            .map_err(|e| vault::Error::Read {
                path: path.clone(),
                source: e,
            })?
            .len();
        if size > casebook_import::MAX_REPORT_BYTES as u64 {
            return Err(too_large(size));
        }
        let bytes = std::fs::read(path).map_err(|e| vault::Error::Read {
            path: path.clone(),
            source: e,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = casebook_import::parse_with(&name, &bytes, map, order).map_err(|source| {
            Error::Import {
                file: path.clone(),
                source,
            }
        })?;
        reports.extend(parsed.into_iter().map(|r| (path.clone(), r)));
    }
    Ok(reports)
}

/// A report already in the file, recognised by the hash of its source, and not imported again.
pub struct Skipped {
    /// The file it came from.
    pub path: PathBuf,
    /// Its title, raw.
    pub title: String,
    /// The case it was imported as before.
    pub code: String,
}

/// What an import did.
pub struct Imported {
    /// The cases opened.
    pub opened: Vec<Opened>,
    /// The reports skipped as already imported.
    pub skipped: Vec<Skipped>,
}

/// A case opened from a report.
pub struct Opened {
    /// The file it came from.
    pub path: PathBuf,
    /// Its code name.
    pub code: String,
    /// Its title, raw.
    pub title: String,
    /// How many attachments it kept.
    pub attachments: usize,
    /// Which form column went to which field (empty for emails and JSON).
    pub columns: Vec<(String, Option<&'static str>)>,
    /// Dates of the report not written YYYY-MM-DD, as they were read (see
    /// [`Report::readings`]).
    pub readings: Vec<String>,
    /// The members it is sealed from (roster names).
    pub sealed_from: Vec<String>,
    /// Committee members its reporter looks like, not sealed from (a proposal).
    pub linked: Vec<String>,
}

/// Who an import keeps out of the cases it opens.
pub struct Keep<'a> {
    /// Members the reporters asked to be kept out (roster names), from every case opened.
    pub out: Vec<String>,
    /// Whether to seal a case from the committee members its report names (see
    /// [`casebook_core::mentions`]), asked with the report's file, its title and their names;
    /// those not sealed from are named in [`Opened::linked`].
    pub linked: &'a dyn Fn(&Path, &str, &[String]) -> bool,
}

impl Keep<'_> {
    /// Seal every case from every member its report names (and from `out`).
    pub fn sealing(out: Vec<String>) -> Keep<'static> {
        Keep {
            out,
            linked: &|_, _, _| true,
        }
    }
}

/// The active members a report names anywhere: its reporter's name, handle and address,
/// the sender, its title, its text (a form's answers kept in it included) and its venue.
pub fn named_members<'a>(
    roster: &'a casebook_core::roster::Roster,
    report: &Report,
) -> Vec<&'a casebook_core::roster::Member> {
    let fields = [
        report.reporter.name.as_deref(),
        report.reporter.handle.as_deref(),
        report.reporter.email.as_deref(),
        Some(report.from.as_str()),
        Some(report.title.as_str()),
        Some(report.body.as_str()),
        report.venue.as_deref(),
    ];
    let texts: Vec<&str> = fields.into_iter().flatten().collect();
    casebook_core::mentions::members_named_in(&texts, roster.members())
        .into_iter()
        .filter(|m| m.is_active())
        .collect()
}

/// Open one case per report, as `me`, with the report, its reporter and its attachments
/// (recorded, not saved).
pub fn open_reports(
    file: &mut OpenFile,
    me: &Member,
    reports: &[(PathBuf, Report)],
    keep: &Keep<'_>,
) -> Result<Imported, Error> {
    let file = &mut file.file;
    let roster = file.roster()?;
    let now = Utc::now();
    let known = file.imported_sources()?;
    let codes: HashMap<CaseId, String> = file
        .cases()?
        .values()
        .map(|c| (c.id, c.code_name.clone()))
        .collect();
    let mut skipped = Vec::new();
    let mut seen_now: HashSet<&str> = HashSet::new();
    let reports: Vec<&(PathBuf, Report)> = reports
        .iter()
        .filter(|(path, report)| {
            let earlier = known
                .get(&report.source_sha256)
                .map(|case| codes.get(case).cloned().unwrap_or_default());
            let twice = !seen_now.insert(report.source_sha256.as_str());
            match earlier {
                Some(code) => {
                    skipped.push(Skipped {
                        path: path.clone(),
                        title: report.title.clone(),
                        code,
                    });
                    false
                }
                None => !twice,
            }
        })
        .collect();
    let mut events = Vec::new();
    let mut opened = Vec::new();
    let mut taken: HashSet<String> = file
        .cases()?
        .values()
        .map(|c| c.code_name.clone())
        .collect();
    let mut rng = rand::thread_rng();
    for (path, report) in reports.iter().copied() {
        let code_name = casebook_core::codename::generate(&mut rng, |n| taken.contains(n));
        taken.insert(code_name.clone());
        let case = CaseId(Uuid::new_v4());
        let mut kinds = vec![
            EventKind::CaseOpened {
                code_name: code_name.clone(),
                title: report.title.clone(),
                summary: String::new(),
                channel: report.channel,
                received_at: report.received_at.unwrap_or(now),
            },
            EventKind::ReportReceived {
                from: report.from.clone(),
                subject: report.title.clone(),
                body: report.body.clone(),
                attachments: report
                    .attachments
                    .iter()
                    .map(|a| AttachmentRef {
                        name: a.name.clone(),
                        content_type: a.content_type.clone(),
                        size: a.data.len() as u64,
                        sha256: a.sha256.clone(),
                    })
                    .collect(),
                source_sha256: Some(report.source_sha256.clone()),
            },
        ];
        // An anonymous form gives no contact, so no member holds one.
        let identity = if report.reporter.anonymous {
            Disclosure::NoContact
        } else if let Some(name) = report
            .reporter
            .name
            .clone()
            .or_else(|| report.reporter.email.clone())
        {
            Disclosure::Named {
                name,
                handle: report.reporter.handle.clone(),
                email: report.reporter.email.clone(),
            }
        } else {
            Disclosure::NoContact
        };
        let reporter = Party {
            id: PartyId(Uuid::new_v4()),
            role: PartyRole::Reporter,
            person: PersonId(Uuid::new_v4()),
            identity,
            member: None,
        };
        let linked: Vec<String> = named_members(&roster, report)
            .into_iter()
            .filter(|m| m.id != me.id && !keep.out.contains(&m.name))
            .map(|m| m.name.clone())
            .collect();
        kinds.push(EventKind::PartyAdded { party: reporter });
        if report.venue.is_some() || report.incident_date.is_some() {
            kinds.push(EventKind::DetailsChanged {
                changes: Details {
                    venue: report.venue.clone(),
                    incident: report.incident_date.map(|date| IncidentAt::Around { date }),
                    ..Details::default()
                },
            });
        }
        let mut case_events: Vec<Event> = kinds
            .into_iter()
            .map(|kind| Event {
                id: Uuid::new_v4(),
                case: Some(case),
                author: me.id,
                at: now,
                amends: None,
                kind,
            })
            .collect();
        // Sealed from the start: the members kept out never hold the report.
        let mut sealed_from = keep.out.clone();
        let sealed = super::cases::excluding(
            file,
            &case_events,
            &keep.out,
            casebook_core::event::ExcludeWhy::Request,
        )?;
        case_events.extend(sealed);
        let linked = if !linked.is_empty() && (keep.linked)(path, &report.title, &linked) {
            let sealed = super::cases::excluding(
                file,
                &case_events,
                &linked,
                casebook_core::event::ExcludeWhy::Named,
            )?;
            case_events.extend(sealed);
            sealed_from.extend(linked);
            Vec::new()
        } else {
            linked
        };
        events.extend(case_events);
        opened.push(Opened {
            path: path.clone(),
            code: code_name,
            title: report.title.clone(),
            attachments: report.attachments.len(),
            columns: report.columns.clone(),
            readings: report.readings.clone(),
            sealed_from,
            linked,
        });
    }
    for (_, report) in &reports {
        for attachment in &report.attachments {
            file.store_attachment(&attachment.sha256, &attachment.data)?;
        }
    }
    if !events.is_empty() {
        file.record(&events)?;
    }
    Ok(Imported { opened, skipped })
}
