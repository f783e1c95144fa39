//! The size-class heap (see the crate docs).

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;

const PAGE: usize = 65536;
/// Bytes before each block's payload: its size class (keeps payloads 16-byte aligned).
const HEADER: usize = 16;
const MIN_CLASS: u32 = 5;
const CLASSES: usize = 32;

/// A size-class allocator: every block is a power of two (32 bytes up), freed blocks go on
/// their class's free list and are reused first, new blocks are carved from pages taken
/// with `memory.grow`. Steady traffic (a record copy, an output buffer) therefore reuses the
/// same blocks and memory stays flat.
pub struct Heap(UnsafeCell<HeapState>);
struct HeapState {
    free: [usize; CLASSES],
    next: usize,
    end: usize,
}
// SAFETY: a Wasm instance without the threads feature runs one thread; `alloc`/`dealloc`
// never re-enter.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap; it takes pages from `memory.grow` as blocks are needed.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(HeapState { free: [0; CLASSES], next: 0, end: 0 }))
    }

    /// A block of at least `size` bytes, 16-byte aligned, or null when memory cannot grow
    /// (C's `malloc`, for a host that copies data in).
    pub fn malloc(&self, size: usize) -> *mut u8 {
        class_of(size).map_or(core::ptr::null_mut(), |c| self.block(c))
    }

    /// Returns a block from [`Heap::malloc`] (C's `free`); null is ignored.
    ///
    /// # Safety
    /// `ptr` must be null or come from this heap, and not have been freed since.
    pub unsafe fn free(&self, ptr: *mut u8) {
        if !ptr.is_null() {
            // SAFETY: the caller's contract is `release`'s.
            unsafe { self.release(ptr) }
        }
    }
}

fn class_of(size: usize) -> Option<u32> {
    let class = size.checked_add(HEADER)?.checked_next_power_of_two()?.trailing_zeros().max(MIN_CLASS);
    (class < CLASSES as u32).then_some(class)
}

impl Heap {
    /// A payload pointer for a block of `class`, or null when memory cannot grow.
    // Not inlined: one copy of the allocator, not one at every allocation site.
    #[inline(never)]
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
    #[inline(never)]
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
    #[inline(never)]
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

