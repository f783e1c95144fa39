//! # dnschild for Fluent Bit
//!
//! The dnschild rule as a module for Fluent Bit's native `wasm` filter (`Event_Format json`,
//! Fluent Bit ≥ 4.2.0), built for `wasm32-wasip1` as `dist/dnschild.fluent-bit.wasm`.
//!
//! Two exported filter functions, both with Fluent Bit's six-`i32` signature
//! `(tag, tag_len, time_sec, time_nsec, record, record_len) -> *const u8`:
//!
//! - `dnschild_annotate` keeps **every** record. A record that matches comes back with the
//!   alert object spliced in under the alert key (default `dnschild`) just before its final
//!   `}`; every other byte is the record's own. Any other record — and any record the module
//!   cannot handle — is returned as the input pointer, so Fluent Bit keeps it unchanged.
//! - `dnschild_alerts` keeps **only** matching records (the same spliced output) and returns
//!   an empty string, which makes Fluent Bit drop the record, for everything else.
//!
//! Results live in one module-owned buffer that is reused on every call. The module also
//! exports `malloc` and `free` so Fluent Bit copies records of any size into it, and reads
//! its configuration once from `dnschild.json` in the first `Accessible_Paths` directory
//! that has one ([`settings`]).
//!
//! On Wasm the crate is `no_std` (with `alloc`): no libc, no std runtime, a small
//! size-class allocator of its own and a panic handler that traps — which keeps the module
//! small and its imports to the five WASI calls it makes itself.
//!
//! Layout: [`filter`] is the per-record logic, [`scan`] its word-wise pre-scan, [`settings`]
//! the configuration file, and the private `ffi` module — the only place with `unsafe` —
//! holds the exports, the allocator and the WASI calls.

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod filter;
pub mod scan;
pub mod settings;

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
#[allow(unsafe_code)]
mod ffi;
