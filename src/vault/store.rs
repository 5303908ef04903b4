//! Rows to domain types and back. The only place that knows the table layout besides the
//! migrations in [`super::schema`].

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, params};
use uuid::Uuid;

use crate::core::case::Status;
use crate::core::event::{Event, EventKind};
use crate::core::roster::{Member, MemberId, Roster};

/// Timestamps are stored as RFC 3339 UTC with milliseconds, which sort as text.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}

fn parse_uuid(text: &str) -> rusqlite::Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn conversion<E: std::error::Error + Send + Sync + 'static>(e: E) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
}

/// Every member, in the order they joined.
pub(crate) fn roster(conn: &Connection) -> rusqlite::Result<Roster> {
    let mut stmt = conn.prepare(
        "SELECT id, name, email, role, recipient, added_at, removed_at
         FROM members ORDER BY added_at, name",
    )?;
    let members = stmt
        .query_map([], |row| {
            let removed: Option<String> = row.get(6)?;
            Ok(Member {
                id: MemberId(parse_uuid(&row.get::<_, String>(0)?)?),
                name: row.get(1)?,
                email: row.get(2)?,
                role: row.get::<_, String>(3)?.parse().map_err(conversion)?,
                recipient: row.get(4)?,
                added_at: parse_time(&row.get::<_, String>(5)?)?,
                removed_at: removed.as_deref().map(parse_time).transpose()?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Roster::new(members))
}

pub(crate) fn insert_member(conn: &Connection, member: &Member) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO members (id, name, email, role, recipient, added_at, removed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            member.id.to_string(),
            member.name,
            member.email,
            member.role.as_str(),
            member.recipient,
            timestamp(member.added_at),
            member.removed_at.map(timestamp),
        ],
    )?;
    Ok(())
}

/// Recipients that are not members.
pub(crate) fn extra_recipients(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT recipient FROM extra_recipients ORDER BY added_at")?;
    stmt.query_map([], |row| row.get(0))?.collect()
}

pub(crate) fn insert_extra_recipient(
    conn: &Connection,
    recipient: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO extra_recipients (recipient, added_at) VALUES (?1, ?2)",
        params![recipient, timestamp(at)],
    )?;
    Ok(())
}

/// Append `event` to the history and bring the derived case state up to date.
pub(crate) fn append_event(conn: &Connection, event: &Event) -> rusqlite::Result<()> {
    let payload = serde_json::to_string(&event.kind).map_err(conversion)?;
    let at = timestamp(event.at);
    conn.execute(
        "INSERT INTO events (id, case_id, author, at, kind, amends, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            event.id.to_string(),
            event.case.map(|c| c.to_string()),
            event.author.to_string(),
            at,
            event.kind.name(),
            event.amends.map(|a| a.to_string()),
            payload,
        ],
    )?;
    let Some(case) = event.case else {
        return Ok(());
    };
    let case = case.to_string();
    match &event.kind {
        EventKind::CaseOpened {
            code_name,
            title,
            received_at,
            ..
        } => {
            conn.execute(
                "INSERT INTO cases (id, code_name, title, status, received_at, updated_at)
                 VALUES (?1, ?2, ?3, 'new', ?4, ?5)",
                params![case, code_name, title, timestamp(*received_at), at],
            )?;
        }
        EventKind::StatusChanged { to, .. } => {
            conn.execute(
                "UPDATE cases SET status = ?2, updated_at = ?3 WHERE id = ?1",
                params![case, to.as_str(), at],
            )?;
        }
        _ => {
            conn.execute(
                "UPDATE cases SET updated_at = ?2 WHERE id = ?1",
                params![case, at],
            )?;
        }
    }
    Ok(())
}

/// How many cases there are in each status (statuses with none are included, as 0).
pub(crate) fn cases_by_status(conn: &Connection) -> rusqlite::Result<Vec<(Status, u64)>> {
    let mut stmt = conn.prepare("SELECT count(*) FROM cases WHERE status = ?1")?;
    Status::ALL
        .into_iter()
        .map(|status| {
            let count: i64 = stmt.query_row([status.as_str()], |row| row.get(0))?;
            Ok((status, count as u64))
        })
        .collect()
}

/// Every row of every table, as text, in a stable order: two databases with the same dump hold
/// the same data.
pub(crate) fn dump(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut lines = Vec::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\" ORDER BY 1"))?;
        let columns = stmt.column_count();
        let rows = stmt.query_map([], |row| {
            let mut line = format!("{table}:");
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i)?;
                line.push_str(&format!(" {value:?}"));
            }
            Ok(line)
        })?;
        for row in rows {
            lines.push(row?);
        }
    }
    Ok(lines)
}
