//! `casebook import`: every report file is read and parsed before anything is recorded, so a
//! bad file leaves the case file as it was.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Error;
use super::session::Session;
use crate::cli::Config;
use crate::core::sanitize::inline;
use crate::ops::import::{self, Opened};

/// `casebook import`
pub(super) fn import(
    config: &Config,
    file: &Path,
    paths: &[PathBuf],
    map: &[(String, String)],
    save_as: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let map = map.iter().cloned().collect();
    let reports = import::read_reports(paths, &map)?;
    let mut session = Session::open(config, file)?;
    let me = session.me.clone();
    let opened = import::open_reports(&mut session.file, &me, &reports)?;
    session.save(save_as)?;
    for Opened {
        path,
        code,
        title,
        attachments,
    } in opened
    {
        let extra = if attachments > 0 {
            format!(" ({attachments} attachments)")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{code}  {}  from {}{extra}",
            inline(&title),
            path.display()
        )?;
    }
    Ok(())
}
