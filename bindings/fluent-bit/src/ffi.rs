//! Everything `unsafe` in the module, and everything that touches the runtime: the exported
//! functions Fluent Bit calls, `malloc`/`free` and the allocator behind them, the panic
//! handler, the one filter instance, and the five WASI preview1 calls (four to read the
//! configuration file, one to write to stderr).
//!
//! Each filter export is a one-line trampoline into [`run`], which turns the raw record
//! pointer into a bounds-checked slice and hands it to the safe [`crate::filter`] logic.

use alloc::vec::Vec;
use core::arch::wasm32;
use core::cell::RefCell;

use crate::filter::{Filter, Mode, Reply};
use crate::settings::{self, ReadError, CONFIG_FILE, MAX_CONFIG_BYTES};

// ---- the filter functions ---------------------------------------------------------------

/// Fluent Bit's filter signature: `(tag, tag_len, time_sec, time_nsec, record, record_len)`.
/// Annotate mode: every record comes back; see the crate docs.
#[no_mangle]
pub extern "C" fn dnschild_annotate(_tag: *const u8, _tag_len: u32, _sec: u32, _nsec: u32, record: *const u8, record_len: u32) -> *const u8 {
    run(Mode::Annotate, record, record_len)
}

/// Fluent Bit's filter signature. Alerts-only mode: everything but a matching record is
/// dropped (an empty string is returned for it).
#[no_mangle]
pub extern "C" fn dnschild_alerts(_tag: *const u8, _tag_len: u32, _sec: u32, _nsec: u32, record: *const u8, record_len: u32) -> *const u8 {
    run(Mode::AlertsOnly, record, record_len)
}

/// The empty string returned to drop a record (module-owned, never written).
static EMPTY: [u8; 1] = [0];

/// The instance's one filter, made on the first record.
struct Slot(RefCell<Option<Filter>>);
// SAFETY: the module is built without the Wasm threads feature, so exactly one thread ever
// runs in this instance; the `RefCell` guards against re-entrancy.
unsafe impl Sync for Slot {}
static FILTER: Slot = Slot(RefCell::new(None));

fn run(mode: Mode, record: *const u8, record_len: u32) -> *const u8 {
    let bytes = record_slice(record, record_len);
    let Ok(mut slot) = FILTER.0.try_borrow_mut() else { return record };
    let filter = slot.get_or_insert_with(load);
    match filter.filter(mode, bytes, record_len) {
        Reply::Record => record,
        Reply::Text(t) => t.as_ptr(),
        Reply::Drop => EMPTY.as_ptr(),
    }
}

/// The record as a slice, or `None` if the pointer is null or the range is not inside the
/// module's linear memory (so a bad pointer can never make the read trap).
fn record_slice<'a>(record: *const u8, len: u32) -> Option<&'a [u8]> {
    let memory_bytes = wasm32::memory_size(0).saturating_mul(PAGE);
    let end = (record as usize).checked_add(len as usize)?;
    if record.is_null() || end > memory_bytes {
        return None;
    }
    // SAFETY: the pointer is non-null and `record..record+len` lies inside linear memory
    // (checked above), so the read cannot trap. Fluent Bit copied the record there for
    // this call and frees it only after we return; the slice does not outlive the call
    // (`Filter::filter` keeps no reference to it, it only copies bytes into its own buffer).
    Some(unsafe { core::slice::from_raw_parts(record, len as usize) })
}

/// Builds the filter on the first record: reads the configuration once, prints at most one
/// message about it.
fn load() -> Filter {
    let (settings, message) = settings::load(read_config());
    if let Some(m) = message {
        write_stderr(m.as_bytes());
    }
    Filter::new(settings)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // There is no unwinding in Wasm: trap (Fluent Bit logs it and keeps running). The filter
    // code is written so that no input reaches here.
    wasm32::unreachable()
}

// ---- malloc / free --------------------------------------------------------------------

#[global_allocator]
static HEAP: dnschild_wasm_heap::Heap = dnschild_wasm_heap::Heap::new();

const PAGE: usize = 65536;

/// `malloc` for the host: Fluent Bit (WAMR) copies the tag and the record with it.
#[no_mangle]
pub extern "C" fn malloc(size: usize) -> *mut u8 {
    HEAP.malloc(size)
}

/// `free` for the host; null is ignored.
#[no_mangle]
pub extern "C" fn free(ptr: *mut u8) {
    // SAFETY: the host frees only what `malloc` returned (or null), once: Fluent Bit frees
    // its two copies after each call.
    unsafe { HEAP.free(ptr) }
}

// ---- WASI: the configuration file and stderr --------------------------------------------

mod wasi {
    /// `prestat` for a directory: tag 0, then the length of its name.
    #[repr(C)]
    pub struct Prestat {
        pub tag: u8,
        pub name_len: u32,
    }
    /// `iovec` / `ciovec`: a buffer to read into or write from.
    #[repr(C)]
    pub struct Iovec {
        pub buf: *const u8,
        pub len: usize,
    }
    pub const ERRNO_NOENT: u16 = 44;
    pub const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
    pub const RIGHTS_FD_READ: u64 = 1 << 1;

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        pub fn fd_prestat_get(fd: u32, out: *mut Prestat) -> u16;
        #[allow(clippy::too_many_arguments)]
        pub fn path_open(fd: u32, dirflags: u32, path: *const u8, path_len: usize, oflags: u16, rights: u64, inheriting: u64, fdflags: u16, out: *mut u32) -> u16;
        pub fn fd_read(fd: u32, iovs: *const Iovec, iovs_len: usize, nread: *mut usize) -> u16;
        pub fn fd_close(fd: u32) -> u16;
        pub fn fd_write(fd: u32, iovs: *const Iovec, iovs_len: usize, nwritten: *mut usize) -> u16;
    }
}

/// Writes `msg` to stderr (fd 2); a failure is ignored, it must not stop the records.
fn write_stderr(mut msg: &[u8]) {
    while !msg.is_empty() {
        let iov = wasi::Iovec { buf: msg.as_ptr(), len: msg.len() };
        let mut n = 0usize;
        // SAFETY: `iov` describes the live slice `msg`; `n` is writable.
        let errno = unsafe { wasi::fd_write(2, &iov, 1, &mut n) };
        match msg.get(n..) {
            Some(rest) if errno == 0 && n > 0 => msg = rest,
            _ => return,
        }
    }
}

/// `dnschild.json` from the first preopened directory that has one; `Ok(None)` if none has.
fn read_config() -> Result<Option<Vec<u8>>, ReadError> {
    // Preopened descriptors are numbered from 3 without gaps; stop at the first that is not.
    for dir in 3u32..3 + 64 {
        let mut stat = wasi::Prestat { tag: u8::MAX, name_len: 0 };
        // SAFETY: `stat` is a live, writable `prestat` (8 bytes, as WASI lays it out).
        if unsafe { wasi::fd_prestat_get(dir, &mut stat) } != 0 {
            break;
        }
        if stat.tag != 0 {
            continue;
        }
        let mut fd = 0u32;
        // SAFETY: the path pointer and length describe a live `&str`; `fd` is writable.
        let errno = unsafe {
            wasi::path_open(dir, wasi::LOOKUP_SYMLINK_FOLLOW, CONFIG_FILE.as_ptr(), CONFIG_FILE.len(), 0, wasi::RIGHTS_FD_READ, 0, 0, &mut fd)
        };
        match errno {
            0 => return read_all(fd).map(Some),
            wasi::ERRNO_NOENT => continue,
            e => return Err(ReadError::Open(e)),
        }
    }
    Ok(None)
}

/// Reads an open file to its end (at most [`MAX_CONFIG_BYTES`]) and closes it.
fn read_all(fd: u32) -> Result<Vec<u8>, ReadError> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let result = loop {
        let iov = wasi::Iovec { buf: chunk.as_mut_ptr(), len: chunk.len() };
        let mut n = 0usize;
        // SAFETY: `iov` points at `chunk`, writable for its whole length; `n` is writable.
        let errno = unsafe { wasi::fd_read(fd, &iov, 1, &mut n) };
        if errno != 0 {
            break Err(ReadError::Read(errno));
        }
        match chunk.get(..n) {
            Some([]) => break Ok(data),
            Some(got) if data.len() + got.len() <= MAX_CONFIG_BYTES => data.extend_from_slice(got),
            _ => break Err(ReadError::TooLarge),
        }
    };
    // SAFETY: `fd` was opened above and is closed exactly once, here.
    unsafe { wasi::fd_close(fd) };
    result
}

// ---- the one libc symbol the core needs ---------------------------------------------------

/// `memcmp`, which `core`'s slice comparisons call; on wasm32-wasip1 `compiler_builtins`
/// leaves it to a libc this module does not link (memcpy/memset/memmove are bulk-memory
/// instructions and need no symbol).
///
/// # Safety
/// `a` and `b` must be readable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n`, and both ranges are readable for `n` bytes (the caller's contract).
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}
