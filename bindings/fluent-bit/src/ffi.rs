//! Everything `unsafe` in the module, and everything that touches the runtime: the exported
//! functions Fluent Bit calls, `malloc`/`free` and the allocator behind them, the panic
//! handler, the one filter instance, and the five WASI preview1 calls (four to read the
//! configuration file, one to write to stderr).
//!
//! Each filter export is a one-line trampoline into [`run`], which turns the raw record
//! pointer into a bounds-checked slice and hands it to the safe [`crate::filter`] logic.

use alloc::vec::Vec;
use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::{RefCell, UnsafeCell};

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

// ---- malloc / free and the allocator ----------------------------------------------------

const PAGE: usize = 65536;
/// Bytes before each block's payload: its size class (keeps payloads 16-byte aligned).
const HEADER: usize = 16;
const MIN_CLASS: u32 = 5;
const CLASSES: usize = 32;

/// A size-class allocator: every block is a power of two (32 bytes up), freed blocks go on
/// their class's free list and are reused first, new blocks are carved from pages taken
/// with `memory.grow`. Steady traffic (a record copy, an output buffer) therefore reuses the
/// same blocks and memory stays flat.
struct Heap(UnsafeCell<HeapState>);
struct HeapState {
    free: [usize; CLASSES],
    next: usize,
    end: usize,
}
// SAFETY: one thread per instance (see `Slot`); `alloc`/`dealloc` never re-enter.
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(HeapState { free: [0; CLASSES], next: 0, end: 0 }));

fn class_of(size: usize) -> Option<u32> {
    let class = size.checked_add(HEADER)?.checked_next_power_of_two()?.trailing_zeros().max(MIN_CLASS);
    (class < CLASSES as u32).then_some(class)
}

impl Heap {
    /// A payload pointer for a block of `class`, or null when memory cannot grow.
    fn block(&self, class: u32) -> *mut u8 {
        // SAFETY: single-threaded and not re-entrant (see `Heap`), so this is the only
        // reference to the state for the duration of the call.
        let st = unsafe { &mut *self.0.get() };
        let size = 1usize << class;
        let head = st.free[class as usize];
        let block = if head != 0 {
            // SAFETY: `head` is a block on this class's free list: its first word, written
            // by `release`, holds the next free block.
            st.free[class as usize] = unsafe { *(head as *const usize) };
            head
        } else {
            if st.end - st.next < size {
                let pages = size.div_ceil(PAGE);
                let old = wasm32::memory_grow(0, pages);
                if old == usize::MAX {
                    return core::ptr::null_mut();
                }
                if old * PAGE != st.end {
                    st.next = old * PAGE; // not contiguous (or the first time): a new region
                }
                st.end = (old + pages) * PAGE;
            }
            let b = st.next;
            st.next += size;
            b
        };
        // SAFETY: `block..block+size` is ours (carved or taken from the free list), and
        // `size >= 32 > HEADER`; the header word is aligned (blocks are 32-byte aligned).
        unsafe {
            *(block as *mut usize) = class as usize;
            (block as *mut u8).add(HEADER)
        }
    }

    /// Puts the block of payload `ptr` back on its free list.
    ///
    /// # Safety
    /// `ptr` must come from [`Heap::block`] and not have been released since.
    unsafe fn release(&self, ptr: *mut u8) {
        // SAFETY: per the contract, the header before `ptr` holds the class, and we are the
        // only user of the state (see `Heap`).
        unsafe {
            let block = ptr.sub(HEADER) as *mut usize;
            let st = &mut *self.0.get();
            let class = *block % CLASSES;
            *block = st.free[class];
            st.free[class] = block as usize;
        }
    }
}

// SAFETY: `alloc` returns null or a fresh, 16-byte aligned block of at least `size` bytes;
// larger alignments are refused (null), which the callers handle as allocation failure.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_of(layout.size()) {
            Some(c) if layout.align() <= HEADER => self.block(c),
            _ => core::ptr::null_mut(),
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: the caller passes a pointer from `alloc` (GlobalAlloc's contract).
        unsafe { self.release(ptr) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if class_of(layout.size()) == class_of(new_size) && class_of(new_size).is_some() {
            return ptr; // still fits its block
        }
        // SAFETY: `new_size` with the old alignment is a valid layout (GlobalAlloc's contract).
        let new = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct, each at least `min` bytes long.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.release(ptr);
            }
        }
        new
    }
}

/// `malloc` for the host: Fluent Bit (WAMR) copies the tag and the record with it.
#[no_mangle]
pub extern "C" fn malloc(size: usize) -> *mut u8 {
    class_of(size).map_or(core::ptr::null_mut(), |c| HEAP.block(c))
}

/// `free` for the host; null is ignored.
#[no_mangle]
pub extern "C" fn free(ptr: *mut u8) {
    if !ptr.is_null() {
        // SAFETY: the host frees only what `malloc` returned, once (Fluent Bit frees its
        // two copies after each call).
        unsafe { HEAP.release(ptr) }
    }
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
