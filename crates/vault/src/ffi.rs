//! Every `unsafe` block of casebook, in one file small enough to audit in one sitting: the parts
//! of SQLite's C API rusqlite does not wrap (memory SQLite can own, in-place access to a
//! deserialised database, its size limit, an allocator that wipes what SQLite frees), two
//! Linux hints (huge pages, early writeback), Linux's atomic exchange of two names, and what
//! the key agent needs: memory that is never swapped or dumped, a process no debugger attaches
//! to, and the user at the other end of a socket.
//!
//! Each function here is safe to call: whatever could go wrong is ruled out by its signature
//! or checked inside, so the rest of the vault needs no `unsafe` (`vault/mod.rs` denies it).

use std::fs::File;
use std::ptr::NonNull;

use rusqlite::serialize::OwnedData;
use rusqlite::{Connection, ffi};

/// Memory from `sqlite3_malloc64`, the only kind SQLite can take ownership of. Zeroed on
/// allocation and wiped before it is freed, unless handed to SQLite.
pub(super) struct SqliteBuffer {
    ptr: NonNull<u8>,
    len: usize,
}

impl SqliteBuffer {
    /// A zeroed buffer of `len` bytes, or `None` when SQLite cannot allocate it.
    pub(super) fn new(len: usize) -> Option<SqliteBuffer> {
        // The first SQLite call of a process starts SQLite: give it the wiping allocator first.
        wipe_sqlite_memory();
        let size = u64::try_from(len.max(1)).ok()?;
        // SAFETY: plain allocation; a null result is handled.
        let raw = unsafe { ffi::sqlite3_malloc64(size) }.cast::<u8>();
        let ptr = NonNull::new(raw)?;
        advise_huge_pages(ptr, len);
        // SAFETY: `ptr` points to at least `len` writable bytes.
        unsafe { std::ptr::write_bytes(ptr.as_ptr(), 0, len) };
        Some(SqliteBuffer { ptr, len })
    }

    /// The whole buffer.
    pub(super) fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: allocated and initialised for `len` bytes, uniquely owned by `self`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Hand the buffer to SQLite (which will free it), for `Connection::deserialize`.
    pub(super) fn into_owned(self) -> OwnedData {
        let (ptr, len) = (self.ptr, self.len);
        std::mem::forget(self);
        // SAFETY: `ptr` came from sqlite3_malloc64 and is at least `len` bytes long; `self` is
        // forgotten, so nothing here frees or touches it again.
        unsafe { OwnedData::from_raw_nonnull(ptr, len) }
    }
}

impl Drop for SqliteBuffer {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(self.as_mut_slice());
        // SAFETY: allocated by sqlite3_malloc64 and not handed over (`into_owned` forgets it).
        unsafe { ffi::sqlite3_free(self.ptr.as_ptr().cast()) };
    }
}

/// Ask for transparent huge pages on a large buffer: filling 200 MB in 4 KiB pages costs
/// fifty thousand page faults, a noticeable part of opening a large file.
#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: NonNull<u8>, len: usize) {
    const HUGE: usize = 2 << 20;
    let start = (ptr.as_ptr() as usize).next_multiple_of(HUGE);
    let end = (ptr.as_ptr() as usize + len) / HUGE * HUGE;
    if end > start {
        // SAFETY: the range lies inside our allocation; MADV_HUGEPAGE is only advice and
        // changes no contents.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_ptr: NonNull<u8>, _len: usize) {}

/// The bytes of the main database of `conn` in place, without a copy, when SQLite holds it in
/// memory (a deserialised database); `None` otherwise. The exclusive borrow of the connection
/// keeps SQLite from changing, moving or freeing them while the slice lives.
pub(super) fn serialize_nocopy(conn: &mut Connection) -> Option<&mut [u8]> {
    let mut size: ffi::sqlite3_int64 = 0;
    // SAFETY: the handle is valid for the connection's lifetime and "main" is a valid schema
    // name. With NOCOPY SQLite returns a pointer into the database's own buffer (or null),
    // valid for `size` bytes until the database is next changed or closed; neither can happen
    // while `conn` is borrowed mutably (the vault never shares a memdb between connections).
    let ptr = unsafe {
        ffi::sqlite3_serialize(
            conn.handle(),
            c"main".as_ptr(),
            &mut size,
            ffi::SQLITE_SERIALIZE_NOCOPY,
        )
    };
    let len = usize::try_from(size).ok().filter(|&len| len > 0)?;
    let ptr = NonNull::new(ptr)?;
    // SAFETY: `ptr` is non-null and valid for `len` bytes (see above), initialised (it is the
    // database), and nothing else reads or writes it for the lifetime of the borrow.
    Some(unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), len) })
}

/// Let the in-memory main database of `conn` grow to `max_bytes` (SQLite's default for
/// deserialised databases is 1 GiB). Does nothing to a database on disk.
pub(super) fn raise_size_limit(conn: &Connection, max_bytes: i64) {
    let mut limit: ffi::sqlite3_int64 = max_bytes;
    // SAFETY: valid handle and schema name; SQLITE_FCNTL_SIZE_LIMIT takes a pointer to an
    // sqlite3_int64 that it reads and overwrites, and `limit` outlives the call.
    unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_SIZE_LIMIT,
            (&mut limit as *mut ffi::sqlite3_int64).cast(),
        );
    }
}

/// Ask the kernel to start writing the file's dirty pages back now, so that a later fsync has
/// little left to wait for. Only a hint: failure is harmless, as fsync follows.
#[cfg(target_os = "linux")]
pub(super) fn start_writeback(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor, borrowed for the call; SYNC_FILE_RANGE_WRITE only starts
    // asynchronous writeback of the whole file (offset 0, length 0 = to the end).
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn start_writeback(_file: &File) {}

/// Atomically swap the files at `a` and `b` (`renameat2(RENAME_EXCHANGE)`): afterwards `b`
/// names what `a` named and `a` what `b` named, with no moment where either name is missing or
/// either file is lost. Fails with `ErrorKind::Unsupported` where the system or the filesystem
/// cannot do it, and with `NotFound` when either name is missing.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &std::path::Path, b: &std::path::Path) -> std::io::Result<()> {
    rename2(a, b, rustix::fs::RenameFlags::EXCHANGE)
}

/// Rename `from` to `to` unless `to` exists (`renameat2(RENAME_NOREPLACE)`): never over a
/// file that appeared meanwhile. `ErrorKind::Unsupported` where that cannot be done.
#[cfg(target_os = "linux")]
pub(super) fn rename_noreplace(
    from: &std::path::Path,
    to: &std::path::Path,
) -> std::io::Result<()> {
    rename2(from, to, rustix::fs::RenameFlags::NOREPLACE)
}

#[cfg(target_os = "linux")]
fn rename2(
    from: &std::path::Path,
    to: &std::path::Path,
    flags: rustix::fs::RenameFlags,
) -> std::io::Result<()> {
    use rustix::io::Errno;
    // rustix makes the raw system call (not glibc's wrapper, so any C library will do),
    // relative to the working directory as rename(2) is: no unsafe code here.
    match rustix::fs::renameat_with(rustix::fs::CWD, from, rustix::fs::CWD, to, flags) {
        Ok(()) => Ok(()),
        // No such system call, or a filesystem (or flag) that does not support it.
        Err(e @ (Errno::NOSYS | Errno::INVAL | Errno::OPNOTSUPP)) => Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            std::io::Error::from(e),
        )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_a: &std::path::Path, _b: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(not(target_os = "linux"))]
pub(super) fn rename_noreplace(
    _from: &std::path::Path,
    _to: &std::path::Path,
) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Make SQLite wipe every block of memory it frees or outgrows, before the first connection
/// exists: the deserialised database, the page cache, serialised copies and everything else
/// SQLite allocates hold case data in the clear. The wipe thus belongs to the one owner of all
/// of SQLite's memory, so no path (closing a connection, replacing it at the screen lock, a
/// database outgrowing its buffer) can free plaintext unwiped. Blocks come from Rust's global
/// allocator. Returns whether SQLite uses the wiping allocator (it cannot once SQLite has been
/// initialised by someone else; then callers wipe what they can themselves).
pub(super) fn wipe_sqlite_memory() -> bool {
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(wiping::malloc),
            xFree: Some(wiping::free),
            xRealloc: Some(wiping::realloc),
            xSize: Some(wiping::size),
            xRoundup: Some(wiping::roundup),
            xInit: Some(wiping::init),
            xShutdown: Some(wiping::shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: called once (OnceLock), before this process opens any connection (every
        // vault constructor calls this first); SQLite copies the struct during the call, and
        // the functions it names live as long as the process. If SQLite was already
        // initialised, it refuses with SQLITE_MISUSE and changes nothing.
        let rc = unsafe {
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_MALLOC,
                &methods as *const ffi::sqlite3_mem_methods,
            )
        };
        rc == ffi::SQLITE_OK
    })
}

/// SQLite's memory methods: each block carries its size in a 16-byte header (SQLite asks for
/// it back, and it says how much to wipe).
mod wiping {
    use std::alloc::{Layout, alloc, dealloc};
    use std::ffi::{c_int, c_void};

    const HEADER: usize = 16;

    fn layout(size: usize) -> Option<Layout> {
        Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
    }

    pub(super) unsafe extern "C" fn malloc(n: c_int) -> *mut c_void {
        let Ok(size) = usize::try_from(n) else {
            return std::ptr::null_mut();
        };
        let Some(layout) = layout(size) else {
            return std::ptr::null_mut();
        };
        // SAFETY: the layout has a non-zero size (at least the header).
        let base = unsafe { alloc(layout) };
        if base.is_null() {
            return std::ptr::null_mut();
        }
        // SAFETY: the block is at least HEADER bytes and 16-aligned, so a usize fits at its
        // start; the caller's part starts HEADER bytes in, inside the block.
        unsafe {
            base.cast::<usize>().write(size);
            base.add(HEADER).cast()
        }
    }

    /// The size recorded for a block from [`malloc`].
    unsafe fn recorded(p: *mut c_void) -> (*mut u8, usize) {
        // SAFETY: `p` came from `malloc`, so its header lies HEADER bytes before it.
        unsafe {
            let base = p.cast::<u8>().sub(HEADER);
            (base, base.cast::<usize>().read())
        }
    }

    pub(super) unsafe extern "C" fn free(p: *mut c_void) {
        if p.is_null() {
            return;
        }
        // SAFETY: SQLite only frees blocks it got from `malloc`/`realloc`, once each.
        unsafe {
            let (base, size) = recorded(p);
            zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(p.cast::<u8>(), size));
            if let Some(layout) = layout(size) {
                dealloc(base, layout);
            }
        }
    }

    pub(super) unsafe extern "C" fn realloc(p: *mut c_void, n: c_int) -> *mut c_void {
        let Ok(wanted) = usize::try_from(n) else {
            return std::ptr::null_mut();
        };
        if p.is_null() {
            // SAFETY: as `malloc`.
            return unsafe { malloc(n) };
        }
        // SAFETY: `p` is a live block from `malloc` (SQLite's contract).
        let (_, old) = unsafe { recorded(p) };
        // It fits: the block stays (what lies past `wanted` is wiped when it is freed).
        if wanted <= old {
            return p;
        }
        // A new block, a copy, and the old block wiped: the allocator's own realloc could
        // move the contents and free the old block unwiped. A block grown by a little gets
        // half as much again, so that one grown a few bytes at a time (FTS5 grows some of
        // its arrays by eight entries) is not copied at every step: copying and wiping at
        // each step made a search for a common word take most of a second.
        let grown = if wanted < old.saturating_add(old / 2) {
            old.saturating_add(old / 2)
        } else {
            wanted
        };
        let size = c_int::try_from(grown).unwrap_or(n);
        // SAFETY: `p` is a live block of `old` bytes and `fresh` one of at least `wanted` >
        // `old` bytes; the copy stays within both, and `p` is freed once.
        unsafe {
            let fresh = malloc(size);
            if fresh.is_null() {
                return fresh;
            }
            std::ptr::copy_nonoverlapping(p.cast::<u8>(), fresh.cast::<u8>(), old);
            free(p);
            fresh
        }
    }

    pub(super) unsafe extern "C" fn size(p: *mut c_void) -> c_int {
        if p.is_null() {
            return 0;
        }
        // SAFETY: a live block from `malloc`.
        let (_, size) = unsafe { recorded(p) };
        c_int::try_from(size).unwrap_or(c_int::MAX)
    }

    pub(super) unsafe extern "C" fn roundup(n: c_int) -> c_int {
        n.saturating_add(7) & !7
    }

    pub(super) unsafe extern "C" fn init(_: *mut c_void) -> c_int {
        0
    }

    pub(super) unsafe extern "C" fn shutdown(_: *mut c_void) {}
}

/// A global allocator that wipes every block before handing it back to the system allocator,
/// for the binary: it covers buffers casebook cannot reach, such as the 64 KiB plaintext chunk
/// age's stream writer frees unwiped, and every String a command made from case data.
/// casebook's own buffers of plaintext wipe themselves (their owners do); this is the floor
/// beneath them.
pub struct WipeOnFree;

// SAFETY: every method delegates to `System`, which upholds GlobalAlloc's contract; the extra
// work only writes zeros into a block this allocator owns until it is deallocated, and copies
// within the bounds of the two blocks of a realloc.
unsafe impl std::alloc::GlobalAlloc for WipeOnFree {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: the caller's layout is passed on unchanged.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: as above.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes from this allocator.
        unsafe {
            zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(ptr, layout.size()));
            std::alloc::System.dealloc(ptr, layout);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` is live with `layout`; the new layout keeps its (valid) alignment and
        // the caller's non-zero `new_size`; the copy stays within both blocks.
        unsafe {
            if new_size <= layout.size() {
                // Shrinking keeps the block; wipe the part given up first.
                zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(
                    ptr.add(new_size),
                    layout.size() - new_size,
                ));
                return std::alloc::System.realloc(ptr, layout, new_size);
            }
            let grown = std::alloc::Layout::from_size_align_unchecked(new_size, layout.align());
            let fresh = std::alloc::System.alloc(grown);
            if !fresh.is_null() {
                std::ptr::copy_nonoverlapping(ptr, fresh, layout.size());
                self.dealloc(ptr, layout);
            }
            fresh
        }
    }
}

/// Memory that is never written to swap nor into a core dump, for the key the agent holds:
/// locked (`mlock`) and marked not to be dumped, wiped and unlocked when dropped.
pub(super) struct LockedBuffer {
    bytes: Box<[u8]>,
    len: usize,
}

impl LockedBuffer {
    /// `capacity` zeroed bytes, locked in memory; `None` when they cannot be locked (the
    /// system's limit on locked memory), so that a key never sits where it could be swapped.
    pub(super) fn new(capacity: usize) -> Option<LockedBuffer> {
        let bytes = vec![0u8; capacity.max(1)].into_boxed_slice();
        let ptr = bytes.as_ptr().cast::<libc::c_void>();
        // SAFETY: `ptr` and `bytes.len()` describe memory this buffer owns for its lifetime;
        // mlock and madvise only change how the kernel treats those pages.
        let locked = unsafe { libc::mlock(ptr, bytes.len()) } == 0;
        if !locked {
            return None;
        }
        #[cfg(target_os = "linux")]
        // SAFETY: as above; MADV_DONTDUMP works on whole pages and only keeps them out of core
        // dumps (a failure leaves them locked, and the process is made undumpable anyway).
        unsafe {
            let page = 4096usize;
            let start = (ptr as usize) & !(page - 1);
            let end = (ptr as usize + bytes.len()).div_ceil(page) * page;
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTDUMP);
        }
        Some(LockedBuffer { bytes, len: 0 })
    }

    /// Read `reader` to its end into the buffer; an error when it holds more than fits.
    pub(super) fn fill(&mut self, reader: &mut dyn std::io::Read) -> std::io::Result<()> {
        loop {
            if self.len == self.bytes.len() {
                let mut probe = [0u8; 1];
                return match reader.read(&mut probe)? {
                    0 => Ok(()),
                    _ => Err(std::io::Error::other(
                        "the key is larger than the agent holds",
                    )),
                };
            }
            match reader.read(&mut self.bytes[self.len..])? {
                0 => return Ok(()),
                n => self.len += n,
            }
        }
    }

    /// What was read into it.
    pub(super) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

impl Drop for LockedBuffer {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.bytes[..]);
        let ptr = self.bytes.as_ptr().cast::<libc::c_void>();
        // SAFETY: the same range `new` locked; unlocking only changes how the kernel treats it.
        unsafe { libc::munlock(ptr, self.bytes.len()) };
    }
}

/// Make this process a poor place to look for a key: no core dump, not attachable by a
/// debugger of the same user (Linux `PR_SET_DUMPABLE`), and not ended by the terminal that
/// started it hanging up.
pub(super) fn harden_agent_process() {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on this process with valid arguments; failures leave the
    // process as it was, which `LockedBuffer` and the socket's checks still protect.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &none);
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
}

/// The user id of this process.
pub(super) fn own_uid() -> u32 {
    // SAFETY: getuid cannot fail and has no arguments.
    unsafe { libc::getuid() }
}

/// The user id of the process at the other end of a Unix socket (`SO_PEERCRED`).
#[cfg(target_os = "linux")]
pub(super) fn peer_uid(stream: &std::os::unix::net::UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: u32::MAX,
        gid: u32::MAX,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes of the size given, for the duration of the
    // call; the descriptor belongs to `stream`, alive for the call.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(cred.uid)
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The user id at the other end of a Unix socket (`getpeereid`).
#[cfg(not(target_os = "linux"))]
pub(super) fn peer_uid(stream: &std::os::unix::net::UnixStream) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let (mut uid, mut gid) = (u32::MAX, u32::MAX);
    // SAFETY: both pointers are valid for writes for the call's duration.
    let rc = unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) };
    if rc == 0 {
        Ok(uid)
    } else {
        Err(std::io::Error::last_os_error())
    }
}
