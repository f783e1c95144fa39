//! # dnschild (host CLI)
//!
//! A small wasmtime host for the dnschild component (`dist/dnschild.component.wasm`):
//! it reads Windows process-creation events from files or stdin, hands them to the
//! component in batches, and prints alerts (or every event, annotated).
//!
//! ## Architecture
//!
//! ```text
//! files / stdin ─► input (format sniffing; NDJSON streamed, JSON / XML / .evtx read whole)
//!                    │  Record { number, text | InputError }
//!                    ▼
//!                  scan (batches ─► plugin ─► verdicts; counters; progress; stderr reports)
//!                    │
//!                    ▼
//!                  annotate / alerts ─► stdout (NDJSON)
//! ```
//!
//! - [`plugin`] is the only place that touches wasmtime. The component imports nothing,
//!   so the linker is empty and the store carries no capability.
//! - [`input`] owns file formats; `.evtx` is decoded here with the `evtx` crate, so the
//!   plugin only ever sees text.
//! - [`serve`] is the same pipeline as a long-running sidecar: events in over TCP / Unix
//!   sockets, results out to stdout, a socket or HTTP, bounded buffers all the way.
//! - [`scan`] never drops a record: a bad one is counted, reported with its place, and
//!   (in annotate mode) passed through with an error field.

pub mod annotate;
pub mod input;
pub mod plugin;
pub mod scan;
pub mod serve;
pub mod xmlsplit;
