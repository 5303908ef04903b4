//! A case's attachments: reading one, and saving it to a private folder.

use crate::OpenFile;

use super::readable;
use crate::Error;

/// The bytes of attachment `sha256` of case `code` (plaintext, wiped on drop), if the member
/// may read the case and the attachment is one of its reports'.
pub fn attachment(
    file: &mut OpenFile,
    code: &str,
    sha256: &str,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let file = &mut file.file;
    let case = readable(file, code)?;
    let listed = file.timeline(case.id)?.iter().any(|e| match &e.kind {
        casebook_core::event::EventKind::ReportReceived { attachments, .. } => {
            attachments.iter().any(|a| a.sha256 == sha256)
        }
        _ => false,
    });
    let missing = || Error::NoSuchEntry {
        case: case.code_name.clone(),
        prefix: format!("attachment {sha256}"),
    };
    if !listed {
        return Err(missing());
    }
    file.attachment(sha256)?.ok_or_else(missing)
}

/// Write attachment `sha256` of case `code` to `path` as plaintext: a new file (never over
/// an existing one), mode 0600, in a folder created 0700 if it is missing.
pub fn save_attachment(
    file: &mut OpenFile,
    code: &str,
    sha256: &str,
    path: &std::path::Path,
) -> Result<(), Error> {
    let file = &mut file.file;
    let bytes = attachment(OpenFile::wrap(file), code, sha256)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    casebook_vault::write_new(path, &bytes, 0o600)?;
    Ok(())
}

/// Make sure `dir` exists; a folder it creates is private to the member (0700).
pub fn private_dir(dir: &std::path::Path) -> Result<(), Error> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            Error::Vault(casebook_vault::Error::Write {
                path: dir.to_path_buf(),
                source: e,
            })
        })
}
