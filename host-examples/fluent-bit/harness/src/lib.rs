//! An emulation of Fluent Bit's `wasm` filter (Fluent Bit 5.1, WAMR) in wasmtime, used to
//! test `dist/dnschild.fluent-bit.wasm` where no Fluent Bit binary can run.
//!
//! It follows the sequence the real filter runs for every record in `Event_Format json`
//! (see `../shared/notes/fluent-bit.md`):
//!
//! 1. copy the tag and the record into the module, each followed by a 0 byte the length
//!    excludes — with the module's exported `malloc` when it has one, otherwise with an
//!    8 KiB app heap ([`DEFAULT_HEAP_SIZE`]) in a fresh page; a failed copy is passed as 0;
//! 2. call the filter function with six `i32`s `(tag, tag_len, sec, nsec, record, len)`;
//! 3. read the result as a 0-terminated string (a null or out-of-range pointer is empty);
//! 4. `free` both copies;
//! 5. judge the result as Fluent Bit does: empty drops the record, exactly one JSON object
//!    replaces it, anything else is "invalid JSON format" and drops it; a trap drops it.
//!
//! One instance serves the whole run, with WASI preview1 linked and the
//! `Accessible_Paths` directories preopened under their own names.

mod heap;

use std::path::{Path, PathBuf};

use wasmtime::{Engine, Instance, Linker, Memory, Module, Store, TypedFunc};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

pub use heap::AppHeap;

/// Fluent Bit's default `Wasm_Heap_Size` (used only when the module exports no `malloc`).
pub const DEFAULT_HEAP_SIZE: u32 = 8 * 1024;

/// The fuel a metered instance starts with (far more than any run uses).
const FUEL: u64 = 1 << 62;

/// What Fluent Bit does with the record after the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The result is exactly one JSON object: it becomes the record body.
    Replaced,
    /// The result starts with a JSON object but more follows: Fluent Bit keeps the first.
    FirstObjectOnly,
    /// An empty result (or a null pointer): the record is dropped.
    Dropped,
    /// Not a JSON object: logged as "invalid JSON format", the record is dropped.
    Invalid,
    /// The call trapped: the record is dropped, Fluent Bit keeps running.
    Trapped(String),
}

/// One record through the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filtered {
    /// The bytes Fluent Bit copied out of the module (up to the 0 byte).
    pub output: Vec<u8>,
    /// Whether the function returned the input record pointer itself.
    pub returned_input: bool,
    /// What Fluent Bit makes of the output.
    pub verdict: Verdict,
}

/// Why the emulation itself could not run (never a property of the record).
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// wasmtime refused the module, the linking or the call setup.
    #[error("wasmtime: {0}")]
    Wasmtime(#[from] wasmtime::Error),
    /// A preopened directory could not be opened.
    #[error("cannot preopen {path}: {message}")]
    Preopen {
        /// The directory.
        path: PathBuf,
        /// wasmtime-wasi's reason.
        message: String,
    },
    /// The module exports no memory or not the function.
    #[error("the module has no export `{0}` of the expected type")]
    MissingExport(String),
    /// A pointer the harness needs to write through is outside memory.
    #[error("copy to module memory failed: {0}")]
    Memory(String),
}

/// A compiled module, shareable between filter instances (compiling is the slow part).
#[derive(Clone)]
pub struct Compiled {
    engine: Engine,
    module: Module,
    metered: bool,
}

impl Compiled {
    /// Compiles the module file at `path`.
    pub fn from_file(path: &Path) -> Result<Compiled, HarnessError> {
        let engine = Engine::default();
        let module = Module::from_file(&engine, path)?;
        Ok(Compiled { engine, module, metered: false })
    }

    /// Compiles a module from its binary or text form (tests build probe modules this way).
    pub fn from_bytes(bytes: &[u8]) -> Result<Compiled, HarnessError> {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes)?;
        Ok(Compiled { engine, module, metered: false })
    }

    /// Like [`Compiled::from_bytes`], but counting executed Wasm operators ("fuel") so that
    /// [`FluentBit::operators_executed`] can tell what an interpreter would have to run.
    pub fn metered(bytes: &[u8]) -> Result<Compiled, HarnessError> {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(true);
        let engine = Engine::new(&config)?;
        let module = Module::new(&engine, bytes)?;
        Ok(Compiled { engine, module, metered: true })
    }

    /// The module's imports as `module.name`, in order.
    pub fn imports(&self) -> Vec<String> {
        self.module.imports().map(|i| format!("{}.{}", i.module(), i.name())).collect()
    }

    /// The module's export names, in order.
    pub fn exports(&self) -> Vec<String> {
        self.module.exports().map(|e| e.name().to_string()).collect()
    }
}

/// The filter's configuration keys that matter to the emulation.
#[derive(Debug, Clone)]
pub struct FilterConfig {
    /// `Function_Name`.
    pub function_name: String,
    /// `Accessible_Paths`: preopened read-only, each under its own path as the name.
    pub accessible_paths: Vec<PathBuf>,
    /// `Wasm_Heap_Size` (only for a module without `malloc`).
    pub heap_size: u32,
}

impl FilterConfig {
    /// `Function_Name` set, no `Accessible_Paths` (Fluent Bit's `.` would be the test's cwd).
    pub fn new(function_name: &str) -> FilterConfig {
        FilterConfig { function_name: function_name.to_string(), accessible_paths: Vec::new(), heap_size: DEFAULT_HEAP_SIZE }
    }
}

/// How the tag and record copies are allocated.
enum Copies {
    Module { malloc: TypedFunc<i32, i32>, free: TypedFunc<i32, ()> },
    AppHeap(AppHeap),
}

/// One filter instance: one module instance for the whole run, like Fluent Bit ≥ 4.1.
pub struct FluentBit {
    store: Store<WasiP1Ctx>,
    memory: Memory,
    func: TypedFunc<(i32, i32, i32, i32, i32, i32), i32>,
    copies: Copies,
    stderr: MemoryOutputPipe,
}

impl FluentBit {
    /// Instantiates the module as the filter's init does. Nothing is called yet.
    pub fn new(compiled: &Compiled, config: &FilterConfig) -> Result<FluentBit, HarnessError> {
        let stderr = MemoryOutputPipe::new(1 << 20);
        let mut wasi = WasiCtxBuilder::new();
        wasi.stderr(stderr.clone());
        for dir in &config.accessible_paths {
            let name = dir.to_string_lossy().into_owned();
            wasi.preopened_dir(dir, &name, FsPerms::ReadOnly)
                .map_err(|e| HarnessError::Preopen { path: dir.clone(), message: e.to_string() })?;
        }
        let mut store = Store::new(&compiled.engine, wasi.build_p1());
        if compiled.metered {
            store.set_fuel(FUEL)?;
        }
        let mut linker: Linker<WasiP1Ctx> = Linker::new(&compiled.engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s| s)?;
        let instance: Instance = linker.instantiate(&mut store, &compiled.module)?;
        let memory = instance.get_memory(&mut store, "memory").ok_or_else(|| HarnessError::MissingExport("memory".into()))?;
        let func = instance
            .get_typed_func(&mut store, &config.function_name)
            .map_err(|_| HarnessError::MissingExport(config.function_name.clone()))?;
        let malloc = instance.get_typed_func::<i32, i32>(&mut store, "malloc");
        let free = instance.get_typed_func::<i32, ()>(&mut store, "free");
        let copies = match (malloc, free) {
            (Ok(malloc), Ok(free)) => Copies::Module { malloc, free },
            _ => {
                // WAMR puts its app heap in fresh pages after the module's memory.
                let pages = u64::from(config.heap_size).div_ceil(65536).max(1);
                let base = memory.grow(&mut store, pages)? * 65536;
                Copies::AppHeap(AppHeap::new(base as u32, config.heap_size))
            }
        };
        Ok(FluentBit { store, memory, func, copies, stderr })
    }

    /// Whether the copies come from the module's `malloc` (else from the app heap).
    pub fn uses_module_malloc(&self) -> bool {
        matches!(self.copies, Copies::Module { .. })
    }

    /// The module's memory size in 64 KiB pages.
    pub fn memory_pages(&self) -> u64 {
        self.memory.size(&self.store)
    }

    /// Wasm operators executed so far (all calls: `malloc`, the filter, `free`), for a
    /// [`Compiled::metered`] module; 0 otherwise.
    pub fn operators_executed(&self) -> u64 {
        self.store.get_fuel().map_or(0, |left| FUEL - left)
    }

    /// Everything the module wrote to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
    }

    /// Runs one record through the filter, as Fluent Bit does.
    pub fn filter(&mut self, tag: &str, record: &[u8]) -> Result<Filtered, HarnessError> {
        self.run(tag, Some(record), record.len())
    }

    /// Calls the filter as Fluent Bit does when it could not copy a record of `record_len`
    /// bytes into the module: with a null record pointer and the real length.
    pub fn filter_undelivered(&mut self, tag: &str, record_len: usize) -> Result<Filtered, HarnessError> {
        self.run(tag, None, record_len)
    }

    fn run(&mut self, tag: &str, record: Option<&[u8]>, record_len: usize) -> Result<Filtered, HarnessError> {
        let tag_ptr = self.copy_in(tag.as_bytes())?;
        let record_ptr = match record {
            Some(r) => self.copy_in(r)?,
            None => 0,
        };
        let args = (tag_ptr as i32, tag.len() as i32, 1_733_300_000, 123_456_789, record_ptr as i32, record_len as i32);
        let call = self.func.call(&mut self.store, args);
        let result = call.map(|ptr| (ptr as u32, self.read_string(ptr as u32)));
        self.release(tag_ptr)?;
        self.release(record_ptr)?;
        Ok(match result {
            Err(trap) => Filtered { output: Vec::new(), returned_input: false, verdict: Verdict::Trapped(format!("{trap:#}")) },
            Ok((ptr, output)) => {
                let verdict = judge(&output);
                Filtered { output, returned_input: ptr == record_ptr && ptr != 0, verdict }
            }
        })
    }

    /// A 0-terminated copy of `data` in module memory, or 0 when the allocation fails.
    fn copy_in(&mut self, data: &[u8]) -> Result<u32, HarnessError> {
        let size = data.len() + 1;
        let ptr = match &mut self.copies {
            Copies::Module { malloc, .. } => malloc.call(&mut self.store, size as i32)? as u32,
            Copies::AppHeap(heap) => heap.alloc(size as u32).unwrap_or(0),
        };
        if ptr != 0 {
            let mem = self.memory.data_mut(&mut self.store);
            let dst = mem.get_mut(ptr as usize..ptr as usize + size).ok_or_else(|| HarnessError::Memory(format!("{size} bytes at {ptr}")))?;
            dst[..data.len()].copy_from_slice(data);
            dst[data.len()] = 0;
        }
        Ok(ptr)
    }

    fn release(&mut self, ptr: u32) -> Result<(), HarnessError> {
        if ptr == 0 {
            return Ok(());
        }
        match &mut self.copies {
            Copies::Module { free, .. } => free.call(&mut self.store, ptr as i32)?,
            Copies::AppHeap(heap) => heap.free(ptr),
        }
        Ok(())
    }

    /// The 0-terminated string at `ptr` (empty for 0 or an address outside memory, as
    /// WAMR's address check gives Fluent Bit a null pointer then).
    fn read_string(&self, ptr: u32) -> Vec<u8> {
        let mem = self.memory.data(&self.store);
        let Some(tail) = mem.get(ptr as usize..).filter(|_| ptr != 0) else { return Vec::new() };
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        tail[..end].to_vec()
    }
}

/// Fluent Bit's reading of a filter result (`flb_pack_json` on the copied string).
pub fn judge(output: &[u8]) -> Verdict {
    if output.is_empty() {
        return Verdict::Dropped;
    }
    let Ok(text) = std::str::from_utf8(output) else { return Verdict::Invalid };
    // The core's reader is iterative: any depth is fine (no nesting limit here).
    match dnschild::json::Doc::parse(text, usize::MAX) {
        Ok(doc) if doc.root().kind() == dnschild::json::Kind::Object => Verdict::Replaced,
        Ok(_) => Verdict::Invalid,
        Err(_) => {
            let mut values = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
            match values.next() {
                Some(Ok(serde_json::Value::Object(_))) => Verdict::FirstObjectOnly,
                _ => Verdict::Invalid,
            }
        }
    }
}

/// A module that keeps every record (returns the input pointer at once), with a bump `malloc`
/// that `free` resets: the floor any filter module pays in this emulation, for benchmarks.
pub const PASSTHROUGH_WAT: &str = r#"(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 1024))
  (func (export "malloc") (param $n i32) (result i32) (local $p i32)
    (if (i32.gt_u (i32.add (global.get $next) (local.get $n)) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1))))))
    (local.set $p (global.get $next))
    (global.set $next (i32.and (i32.add (i32.add (global.get $next) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (local.get $p))
  (func (export "free") (param i32) (global.set $next (i32.const 1024)))
  (func (export "f") (param i32 i32 i32 i32 i32 i32) (result i32) (local.get 4)))"#;
