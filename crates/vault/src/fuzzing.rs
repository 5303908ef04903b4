//! Entry points for the fuzz targets in `fuzz/` and for the tests that replay what they found
//! (`tests/it/fuzz_regressions.rs`): untrusted bytes taken as the database a case file decrypted
//! to, opened down to the verification of its history, or merged into another copy.
//! Nothing here touches the disk or this laptop's pins.

use std::path::Path;
use std::sync::OnceLock;

use super::{CaseFile, Error, Identity, OtherCopy};

/// The demo chair's key, loaded once: it reads what the demo's members may read, and signs.
fn demo_identity() -> Result<&'static Identity, Error> {
    static IDENTITY: OnceLock<Option<Identity>> = OnceLock::new();
    IDENTITY
        .get_or_init(|| super::demo::identity().ok())
        .as_ref()
        .ok_or_else(|| Error::NotCasebook {
            path: "built-in demo identity".into(),
            detail: "the demo key does not load".into(),
        })
}

/// Open `plaintext` as a decrypted case file (every check of an open, the history verified
/// from scratch), then read what the front ends read from it: the summary, every case and
/// its timeline, the log, the head and digest, what needs attention.
pub fn open_plaintext(plaintext: &[u8]) -> Result<(), Error> {
    let identity = demo_identity()?;
    let mut file = CaseFile::open_plaintext(plaintext, "fuzz input", identity)?;
    file.summary()?;
    let ids: Vec<_> = file.cases()?.keys().copied().collect();
    for id in ids {
        file.timeline(id)?;
    }
    file.log()?;
    file.head()?;
    file.committee_attention()?;
    Ok(())
}

/// Open `base` as [`open_plaintext`] does, then merge `other`, taken as another copy that
/// decrypted to it, into it (in memory), and read the result.
pub fn merge_plaintext(base: &[u8], other: &[u8]) -> Result<(), Error> {
    let identity = demo_identity()?;
    let copy = OtherCopy::from_plaintext(other, Path::new("fuzz input"), identity)?;
    let mut file = CaseFile::open_plaintext(base, "fuzz base", identity)?;
    file.merge_copy(&copy, identity)?;
    file.summary()?;
    let ids: Vec<_> = file.cases()?.keys().copied().collect();
    for id in ids {
        file.timeline(id)?;
    }
    file.head()?;
    file.committee_attention()?;
    Ok(())
}
