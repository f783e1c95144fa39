//! WAMR's app heap as Fluent Bit sizes it (`Wasm_Heap_Size`, default 8 KiB): used for the
//! tag and record copies only when the module exports no `malloc`/`free`.

/// A first-fit heap over `size` bytes at `base` in module memory.
#[derive(Debug)]
pub struct AppHeap {
    base: u32,
    size: u32,
    /// Live blocks as `(offset, len)`, sorted by offset.
    live: Vec<(u32, u32)>,
}

impl AppHeap {
    /// A heap over `base..base + size`.
    pub fn new(base: u32, size: u32) -> AppHeap {
        AppHeap { base, size, live: Vec::new() }
    }

    /// A block of `len` bytes (8-byte aligned), or `None` when it does not fit.
    pub fn alloc(&mut self, len: u32) -> Option<u32> {
        let len = len.max(1).checked_add(7)? & !7;
        let mut at = 0u32;
        for (i, &(off, l)) in self.live.iter().enumerate() {
            if off - at >= len {
                self.live.insert(i, (at, len));
                return Some(self.base + at);
            }
            at = off + l;
        }
        if self.size.checked_sub(at)? >= len {
            self.live.push((at, len));
            return Some(self.base + at);
        }
        None
    }

    /// Frees the block at `ptr` (unknown pointers are ignored).
    pub fn free(&mut self, ptr: u32) {
        if let Some(i) = self.live.iter().position(|&(off, _)| self.base + off == ptr) {
            self.live.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppHeap;

    #[test]
    fn first_fit_within_the_size() {
        let mut h = AppHeap::new(65536, 8192);
        assert_eq!(h.alloc(11), Some(65536));
        assert_eq!(h.alloc(8000), Some(65536 + 16));
        assert_eq!(h.alloc(200), None);
        assert_eq!(h.alloc(170), Some(65536 + 16 + 8000));
        h.free(65536 + 16);
        assert_eq!(h.alloc(8193), None);
        assert_eq!(h.alloc(4000), Some(65536 + 16));
    }
}
