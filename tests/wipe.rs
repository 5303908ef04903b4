//! Decrypted case data is wiped before its memory is freed, whoever frees it: this test binary's
//! global allocator looks into every block as it is freed and counts the blocks that still hold
//! a canary planted in the case file. SQLite's memory comes from the same allocator (casebook
//! gives SQLite a wiping allocator built on Rust's), so the deserialised database, the page
//! cache and serialised copies are all watched, as are the vault's own buffers.
//!
//! Small blocks (under 1 KiB) are not checked: parsed events and case fields are short Strings
//! (the canary is in a title), and what matters here is the database and its copies.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use casebook_vault::{CaseFile, Identity, OpenMode, PassphraseSource};
use common::{casebook, ok};

const CANARY: &[u8] = b"CANARY-wipe-4b1d";

/// Counts freed blocks that still hold [`CANARY`], while [`WATCHING`] is set.
struct Watch;

static WATCHING: AtomicBool = AtomicBool::new(false);
static UNWIPED: AtomicUsize = AtomicUsize::new(0);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
/// The largest block checked: shows SQLite's memory really passes through this allocator.
static CHECKED_LARGEST: AtomicUsize = AtomicUsize::new(0);
static SEEN: AtomicUsize = AtomicUsize::new(0);
static SIZES: [AtomicUsize; 32] = [const { AtomicUsize::new(0) }; 32];
/// Serialises the tests: the counters are global.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn holds_canary(block: &[u8]) -> bool {
    block.windows(CANARY.len()).any(|w| w == CANARY)
}

/// age's stream writer keeps its last plaintext chunk in a 64 KiB buffer it frees unwiped;
/// casebook cannot reach into it (`main` installs a global allocator that wipes every block,
/// which covers it in the real program). Only that exact size is excused.
const AGE_CHUNK: usize = 64 * 1024;

unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::Relaxed) && layout.size() >= 1024 && layout.size() != AGE_CHUNK {
            CHECKED_LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if holds_canary(block) {
                UNWIPED.fetch_add(1, Ordering::Relaxed);
                LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
                let i = SEEN.fetch_add(1, Ordering::Relaxed);
                if i < SIZES.len() {
                    SIZES[i].store(layout.size(), Ordering::Relaxed);
                }
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Shrinking is done in place by the system allocator; growing may move the contents
        // and free the old block, so it is routed through alloc + dealloc to be checked.
        if new_size <= layout.size() {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let new =
            unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Watch = Watch;

/// A case file whose every case carries the canary, made with the real binary.
fn canary_file(dir: &std::path::Path, armor: bool) -> (std::path::PathBuf, Identity) {
    let key = common::member_key(dir, "key");
    let file = dir.join("c.cases.age");
    let mut init = casebook();
    init.arg("-i")
        .arg(&key)
        .arg("init")
        .arg(&file)
        .arg("--name")
        .arg("Ada");
    if armor {
        init.arg("--armor");
    }
    ok(&init.output().unwrap());
    let canary = String::from_utf8(CANARY.to_vec()).unwrap();
    ok(&casebook()
        .arg("-i")
        .arg(&key)
        .args([
            "synth",
            "--cases",
            "150",
            "--events-per-case",
            "6",
            "--canary",
        ])
        .arg(&canary)
        .arg(&file)
        .output()
        .unwrap());
    let identity = Identity::load(&key, &PassphraseSource::Terminal).unwrap();
    (file, identity)
}

fn watched(run: impl FnOnce()) -> usize {
    UNWIPED.store(0, Ordering::Relaxed);
    LARGEST.store(0, Ordering::Relaxed);
    SEEN.store(0, Ordering::Relaxed);
    CHECKED_LARGEST.store(0, Ordering::Relaxed);
    WATCHING.store(true, Ordering::Relaxed);
    run();
    WATCHING.store(false, Ordering::Relaxed);
    UNWIPED.load(Ordering::Relaxed)
}

fn isolate(dir: &std::path::Path) {
    // SAFETY: the tests of this binary run one at a time (ONE_AT_A_TIME), and nothing else
    // reads the environment meanwhile.
    unsafe {
        std::env::set_var("HOME", dir);
        std::env::set_var("XDG_STATE_HOME", dir.join("state"));
        std::env::set_var("XDG_CONFIG_HOME", dir.join("config"));
    }
}

fn open_seal_unseal_drop(armor: bool) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    isolate(dir.path());
    let (path, identity) = canary_file(dir.path(), armor);
    let file = CaseFile::open(&path, &identity, OpenMode::ReadOnly).unwrap();
    // SQLite's own memory must pass through the watched allocator, or the check below is
    // blind to the deserialised database and the page cache: a raw SQLite block is seen, and
    // wiped.
    let unwiped = watched(|| {
        // SAFETY: a plain SQLite allocation, written within its size and freed once.
        unsafe {
            let block = rusqlite::ffi::sqlite3_malloc64(100_003).cast::<u8>();
            assert!(!block.is_null());
            std::ptr::copy_nonoverlapping(CANARY.as_ptr(), block.add(5000), CANARY.len());
            rusqlite::ffi::sqlite3_free(block.cast());
        }
    });
    assert!(
        CHECKED_LARGEST.load(Ordering::Relaxed) >= 100_003,
        "SQLite's memory does not pass through casebook's wiping allocator"
    );
    assert_eq!(unwiped, 0, "SQLite freed a block unwiped");
    drop(file);
    let draft = format!("draft {}", String::from_utf8_lossy(CANARY)).repeat(100);
    let unwiped = watched(|| {
        let mut file = CaseFile::open(&path, &identity, OpenMode::ReadWrite).unwrap();
        assert!(file.cases().unwrap().len() >= 40);
        // The idle lock: the connection is replaced while the file stays open.
        file.lock_screen(&identity, Some(&draft)).unwrap();
        let back = file.unlock_screen(&identity).unwrap();
        assert_eq!(back.as_deref().map(String::as_str), Some(draft.as_str()));
        drop(back);
        assert!(!file.search("CANARY", 5).unwrap().is_empty());
        // A save serialises, encrypts and decrypts again to check.
        file.save(&identity).unwrap();
        drop(file);
    });
    assert_eq!(
        unwiped,
        0,
        "{unwiped} freed blocks (largest {} bytes) still held decrypted case data: sizes {:?}",
        LARGEST.load(Ordering::Relaxed),
        SIZES
            .iter()
            .map(|s| s.load(Ordering::Relaxed))
            .collect::<Vec<_>>()
    );
}

#[test]
fn no_block_holding_plaintext_is_freed_unwiped_binary() {
    open_seal_unseal_drop(false);
}

#[test]
fn no_block_holding_plaintext_is_freed_unwiped_armored() {
    open_seal_unseal_drop(true);
}

#[test]
fn the_watch_sees_an_unwiped_buffer() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // The check itself must be able to fail.
    let unwiped = watched(|| {
        let mut leak = vec![0u8; 4096];
        leak[100..100 + CANARY.len()].copy_from_slice(CANARY);
        drop(std::hint::black_box(leak));
    });
    assert_eq!(unwiped, 1);
}
