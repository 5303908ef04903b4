//! Changes recorded and not saved yet: listing them, and dropping one before it is saved.
//!
//! Events after `committed` are not signed yet; they are only in memory. Dropping one takes it
//! out with every later unsaved event of the same case (or, for a committee-wide one, every
//! later committee-wide one), so that what stays is a prefix of what the member recorded, which
//! the rules allowed when it was recorded. The derived tables are then what a replay gives:
//! every unsaved event is taken out, the derived state of the signed history is rebuilt from
//! it (as after a merge), and the kept events are recorded again the way they were the first
//! time.

use std::collections::HashSet;
use std::path::PathBuf;

use uuid::Uuid;

use super::CaseFile;
use crate::history::{self, Depth};
use crate::{Error, store};
use casebook_core::event::{Event, EventKind};

impl CaseFile {
    /// The events recorded since the last signed commit (not saved yet), oldest first.
    pub fn unsaved_events(&self) -> Result<Vec<Event>, Error> {
        store::events_after(&self.conn, self.committed).map_err(|e| self.db_error(e))
    }

    /// Whether `event` seals its case: a keeping-out, or the approval that makes a waiting
    /// one take effect (see `CaseFile::record`). Either moves the case's content into sealed
    /// form in memory at once, which dropping changes cannot undo.
    pub fn seals_its_case(&self, event: &Event) -> bool {
        match &event.kind {
            EventKind::CaseSealed { .. } => true,
            EventKind::Approved { event: approved } => self
                .conn
                .prepare_cached("SELECT kind FROM main.events WHERE id = ?1")
                .and_then(|mut s| s.query_row([approved.to_string()], |r| r.get::<_, String>(0)))
                .is_ok_and(|kind| kind == "case-sealed"),
            _ => false,
        }
    }

    /// Drop the unsaved event `id` and every later unsaved event of the same case (or, for a
    /// committee-wide event, every later committee-wide one); the events dropped, oldest
    /// first. Refused, with nothing changed, when `id` is not an unsaved event (a saved one,
    /// or one a merge has signed already).
    pub fn drop_unsaved(&mut self, id: Uuid) -> Result<Vec<Event>, Error> {
        if self.locked.is_some() {
            return Err(Error::ScreenLocked {
                label: self.label(),
            });
        }
        let unsaved = self.unsaved_events()?;
        let Some(at) = unsaved.iter().position(|e| e.id == id) else {
            return Err(Error::NotUnsaved {
                path: PathBuf::from(self.label()),
                event: id.to_string(),
            });
        };
        // A sealing since the last save has moved its case's content into sealed form in
        // memory; taking every unsaved change out and recording the kept ones again (below)
        // cannot bring that back. Refused before anything changes.
        if let Some(sealed) = unsaved.iter().find(|e| self.seals_its_case(e)) {
            let code = sealed
                .case
                .and_then(|id| {
                    self.index
                        .as_ref()
                        .and_then(|index| index.get(&id).map(|c| c.code_name.clone()))
                })
                .unwrap_or_else(|| "a case".into());
            return Err(Error::SealedSinceSave {
                path: PathBuf::from(self.label()),
                code,
            });
        }
        let case = unsaved[at].case;
        let (mut dropped, mut kept) = (Vec::new(), Vec::new());
        for (i, event) in unsaved.iter().enumerate() {
            if i >= at && event.case == case {
                dropped.push(event.clone());
            } else {
                kept.push(event.clone());
            }
        }
        let path = PathBuf::from(self.label());
        let db = |e| Error::database(&path, e);
        // Attachments only a dropped report holds go with it.
        let still_held: HashSet<String> = kept
            .iter()
            .flat_map(attachments_of)
            .chain(store::attachments_held_until(&self.conn, self.committed).map_err(db)?)
            .collect();
        let tx = self.conn.unchecked_transaction().map_err(db)?;
        store::forget_events_after(&tx, self.committed, &unsaved).map_err(db)?;
        for sha256 in dropped.iter().flat_map(attachments_of) {
            if !still_held.contains(&sha256) {
                store::delete_attachment(&tx, &sha256).map_err(db)?;
            }
        }
        // The signed history's own derived state, exactly as opening or a merge derives it.
        history::verify(
            &tx,
            &path,
            Depth::Rebuild {
                stored: &self.trust.stored,
            },
        )?;
        tx.commit().map_err(db)?;
        self.index = None;
        self.settings = store::settings(&self.conn).map_err(db)?;
        if !kept.is_empty() {
            self.record(&kept)?;
        }
        self.dirty = true;
        Ok(dropped)
    }
}

fn attachments_of(event: &Event) -> Vec<String> {
    match &event.kind {
        EventKind::ReportReceived { attachments, .. } => {
            attachments.iter().map(|a| a.sha256.clone()).collect()
        }
        _ => Vec::new(),
    }
}
