//! A small allocator for dnschild's Wasm artifacts, and the only `unsafe` they share.
//!
//! Rust's default allocator for `wasm32-unknown-unknown` (dlmalloc) is general and large;
//! the plugin's allocations are few and repetitive (an event copy, a tape, an output buffer),
//! so a size-class allocator serves them with a fraction of the code: every block is a power
//! of two (32 bytes up), freed blocks go on their class's free list and are reused first, new
//! blocks are carved from pages taken with `memory.grow`. Steady traffic reuses the same
//! blocks and memory stays flat (the Fluent Bit harness checks it over 10^6 calls, the soak
//! over 10^7). The cost is up to half of a block unused; the largest block is 2 GiB.
//!
//! Each artifact installs it with
//! `#[global_allocator] static HEAP: dnschild_wasm_heap::Heap = dnschild_wasm_heap::Heap::new();`.
//! It is meant for a single-threaded Wasm instance (no `threads` feature), which is how every
//! host runs these artifacts.

#![no_std]
#![warn(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod heap;
#[cfg(target_arch = "wasm32")]
pub use heap::Heap;
