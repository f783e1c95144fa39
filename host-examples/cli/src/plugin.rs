//! The dnschild component in wasmtime: load once, instantiate once, call many times.
//!
//! The component imports nothing, so the linker is empty and the store grants no WASI
//! capability at all. Two limits stop a runaway evaluation instead of the host: every call
//! has a time budget (epoch interruption: [`Limits::time_per_call`] plus
//! [`Limits::time_per_mib`] for each MiB of events) and the instance's memory is capped
//! ([`Limits::max_memory_bytes`]). A trap — a blown budget, the memory cap, or anything a
//! correct component never does — costs one re-instantiation: the configuration is
//! re-applied and the failing batch is retried one event at a time, so only the event that
//! trapped is reported as an error (`plugin_timeout` or `plugin_trap`).

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder};

wasmtime::component::bindgen!({ path: "../../wit", world: "dnschild" });

pub use exports::dnschild::detector::rule::{Alert, Config, ConfigError, EventError, RuleInfo};

/// Why the plugin could not be loaded or configured.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The component file could not be read.
    #[error("cannot read component {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// wasmtime refused the component (not a component, or not this WIT world).
    #[error("cannot load component {path}: {message}")]
    Load {
        /// The file.
        path: PathBuf,
        /// wasmtime's explanation.
        message: String,
    },
    /// The component refused the configuration.
    #[error("configuration refused (key `{key}`): {message}")]
    Config {
        /// The offending key ("" for the whole document).
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The component trapped outside event evaluation (while configuring or describing itself).
    #[error("component trapped: {0}")]
    Trap(String),
}

/// The verdict for one event, as the component returned it.
pub type Verdict = Result<Option<Alert>, EventFailure>;

/// Why one event has no verdict.
#[derive(Debug, Clone)]
pub enum EventFailure {
    /// The component reported a typed error for the event.
    Event(EventError),
    /// The component trapped on this event (it was re-instantiated afterwards).
    Trap(String),
    /// The evaluation ran past its time budget and was stopped (the component was
    /// re-instantiated afterwards).
    Timeout(String),
}

impl EventFailure {
    /// A stable short name for counters and wire formats.
    pub fn kind(&self) -> &'static str {
        match self {
            EventFailure::Event(e) => match e {
                EventError::TooLarge(_) => "too_large",
                EventError::Empty => "empty",
                EventError::UnknownFormat => "unknown_format",
                EventError::NotAnObject => "not_an_object",
                EventError::TooDeep(_) => "too_deep",
                EventError::TooManyFields(_) => "too_many_fields",
                EventError::MalformedJson(_) => "malformed_json",
                EventError::MalformedXml(_) => "malformed_xml",
            },
            EventFailure::Trap(_) => "plugin_trap",
            EventFailure::Timeout(_) => "plugin_timeout",
        }
    }

    /// A human-readable explanation.
    pub fn message(&self) -> String {
        match self {
            EventFailure::Event(e) => match e {
                EventError::TooLarge(n) => format!("event is {n} bytes, over the configured limit"),
                EventError::Empty => "event is empty".into(),
                EventError::UnknownFormat => "event is neither a JSON object nor Windows event XML".into(),
                EventError::NotAnObject => "event is JSON but not an object".into(),
                EventError::TooDeep(at) => format!("nesting deeper than the limit at byte {at}"),
                EventError::TooManyFields(at) => format!("more fields than the limit at byte {at}"),
                EventError::MalformedJson(m) => format!("malformed JSON: {m}"),
                EventError::MalformedXml(m) => format!("malformed event XML: {m}"),
            },
            EventFailure::Trap(m) => format!("the component trapped: {m}"),
            EventFailure::Timeout(m) => format!("the evaluation was stopped: {m}"),
        }
    }
}

/// What one instance may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time budget of one call, whatever its size.
    pub time_per_call: Duration,
    /// Added to a call's budget for each MiB of event text it carries.
    pub time_per_mib: Duration,
    /// The most linear memory the instance may grow to.
    pub max_memory_bytes: usize,
}

impl Default for Limits {
    /// One second per call plus one per MiB (the core's worst adversarial input runs at
    /// well over 30 MiB/s, so this is a wide margin), and 1 GiB of memory.
    fn default() -> Self {
        Limits { time_per_call: Duration::from_secs(1), time_per_mib: Duration::from_secs(1), max_memory_bytes: 1 << 30 }
    }
}

/// The epoch tick: deadlines are whole ticks (a budget is kept to within one tick; the ticker
/// thread wakes 20 times a second).
const TICK: Duration = Duration::from_millis(50);

/// The store's data: the memory limiter.
struct Host {
    limits: StoreLimits,
}

/// One loaded, configured instance of the component.
pub struct Plugin {
    engine: Engine,
    component: Component,
    linker: Linker<Host>,
    store: Store<Host>,
    bindings: Dnschild,
    config_json: Option<String>,
    limits: Limits,
    /// How many times the instance was rebuilt after a trap.
    pub reinstantiations: u64,
}

/// The shared engine: Cranelift, epoch interruption on, and one thread that advances the
/// epoch every [`TICK`] for as long as the process runs.
fn engine() -> Result<Engine, wasmtime::Error> {
    static TICKER: Once = Once::new();
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    let mut cfg = wasmtime::Config::new();
    cfg.epoch_interruption(true);
    let engine = match ENGINE.get() {
        Some(e) => e.clone(),
        None => {
            let e = Engine::new(&cfg)?;
            ENGINE.get_or_init(|| e).clone()
        }
    };
    TICKER.call_once(|| {
        let e = engine.clone();
        let _ = std::thread::Builder::new().name("dnschild-epoch".into()).spawn(move || loop {
            std::thread::sleep(TICK);
            e.increment_epoch();
        });
    });
    Ok(engine)
}

/// A store with the memory cap.
fn new_store(engine: &Engine, limits: &Limits) -> Store<Host> {
    let mut store = Store::new(engine, Host { limits: StoreLimitsBuilder::new().memory_size(limits.max_memory_bytes).build() });
    store.limiter(|h| &mut h.limits);
    store
}

/// Whether a call error is the epoch deadline.
fn is_timeout(e: &wasmtime::Error) -> bool {
    e.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt)
}

impl Plugin {
    /// Loads the component at `path` and instantiates it with its default configuration.
    pub fn load(path: &Path) -> Result<Plugin, PluginError> {
        let bytes = std::fs::read(path).map_err(|source| PluginError::Read { path: path.to_path_buf(), source })?;
        Plugin::from_bytes(&bytes, path)
    }

    /// Loads a component from memory (`origin` names it in errors).
    pub fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Plugin, PluginError> {
        Plugin::with_limits(bytes, origin, Limits::default())
    }

    /// Loads a component from memory with these limits.
    pub fn with_limits(bytes: &[u8], origin: &Path, limits: Limits) -> Result<Plugin, PluginError> {
        let load_err = |e: wasmtime::Error| PluginError::Load { path: origin.to_path_buf(), message: format!("{e:#}") };
        let engine = engine().map_err(load_err)?;
        let component = Component::from_binary(&engine, bytes).map_err(load_err)?;
        // Nothing is linked: a component that needs any import fails here, by design.
        let linker = Linker::new(&engine);
        let mut store = new_store(&engine, &limits);
        store.set_epoch_deadline(u64::MAX / 2);
        let bindings = Dnschild::instantiate(&mut store, &component, &linker).map_err(load_err)?;
        Ok(Plugin { engine, component, linker, store, bindings, config_json: None, limits, reinstantiations: 0 })
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Another instance of the same compiled component, with the same configuration
    /// (cheap: nothing is compiled again). For one instance per worker thread.
    pub fn fork(&self) -> Result<Plugin, PluginError> {
        let mut store = new_store(&self.engine, &self.limits);
        store.set_epoch_deadline(u64::MAX / 2);
        let bindings = Dnschild::instantiate(&mut store, &self.component, &self.linker)
            .map_err(|e| PluginError::Trap(format!("instantiation failed: {e:#}")))?;
        let mut p = Plugin {
            engine: self.engine.clone(),
            component: self.component.clone(),
            linker: Linker::new(&self.engine),
            store,
            bindings,
            config_json: None,
            limits: self.limits,
            reinstantiations: 0,
        };
        if let Some(json) = &self.config_json {
            p.configure_json(json)?;
        }
        Ok(p)
    }

    /// The component's import names (empty for a correct build).
    pub fn imports(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.imports(&self.engine).map(|(name, _)| name.to_string()).collect()
    }

    /// The component's export names.
    pub fn exports(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.exports(&self.engine).map(|(name, _)| name.to_string()).collect()
    }

    /// Sets the time budget for the next call, which carries `bytes` of event text.
    fn arm(&mut self, bytes: usize) {
        let budget = self.limits.time_per_call + self.limits.time_per_mib.mul_f64(bytes as f64 / (1u64 << 20) as f64);
        let ticks = (budget.as_nanos() / TICK.as_nanos()).max(1) as u64;
        // The ticker may advance once just after this: one tick of slack.
        self.store.set_epoch_deadline(ticks + 1);
    }

    /// Applies a JSON configuration (the core's `dnschild.json` format).
    pub fn configure_json(&mut self, json: &str) -> Result<(), PluginError> {
        self.arm(json.len());
        let r = self.bindings.dnschild_detector_rule().call_configure_json(&mut self.store, json);
        match r {
            Ok(Ok(())) => {
                self.config_json = Some(json.to_string());
                Ok(())
            }
            Ok(Err(e)) => Err(PluginError::Config { key: e.key, message: e.message }),
            Err(trap) => {
                self.rebuild()?;
                Err(PluginError::Trap(format!("{trap:#}")))
            }
        }
    }

    /// The configuration in force.
    pub fn current_config(&mut self) -> Result<Config, PluginError> {
        self.arm(0);
        let r = self.bindings.dnschild_detector_rule().call_current_config(&mut self.store);
        r.map_err(|t| PluginError::Trap(format!("{t:#}")))
    }

    /// The rule's documentation.
    pub fn info(&mut self) -> Result<RuleInfo, PluginError> {
        self.arm(0);
        let r = self.bindings.dnschild_detector_rule().call_info(&mut self.store);
        r.map_err(|t| PluginError::Trap(format!("{t:#}")))
    }

    /// Evaluates one event.
    pub fn evaluate(&mut self, event: &str) -> Verdict {
        self.arm(event.len());
        let r = self.bindings.dnschild_detector_rule().call_evaluate(&mut self.store, event);
        match r {
            Ok(v) => v.map_err(EventFailure::Event),
            Err(trap) => {
                let failure = if is_timeout(&trap) {
                    let budget = self.limits.time_per_call + self.limits.time_per_mib.mul_f64(event.len() as f64 / (1u64 << 20) as f64);
                    EventFailure::Timeout(format!("over its time budget of {budget:?}"))
                } else {
                    EventFailure::Trap(format!("{trap:#}"))
                };
                // A failed rebuild leaves the old instance, which traps again: still reported per event.
                let _ = self.rebuild();
                Err(failure)
            }
        }
    }

    /// Evaluates many events in one call; the results are in input order.
    pub fn evaluate_batch(&mut self, events: &[String]) -> Vec<Verdict> {
        if events.is_empty() {
            return Vec::new();
        }
        self.arm(events.iter().map(String::len).sum());
        let r = self.bindings.dnschild_detector_rule().call_evaluate_batch(&mut self.store, events);
        match r {
            Ok(results) if results.len() == events.len() => results.into_iter().map(|v| v.map_err(EventFailure::Event)).collect(),
            _ => {
                // A trap (or a malformed answer): rebuild, then isolate the culprit event by event.
                let _ = self.rebuild();
                events.iter().map(|e| self.evaluate(e)).collect()
            }
        }
    }

    /// A fresh store and instance, with the configuration re-applied.
    fn rebuild(&mut self) -> Result<(), PluginError> {
        let mut store = new_store(&self.engine, &self.limits);
        store.set_epoch_deadline(u64::MAX / 2);
        let bindings = Dnschild::instantiate(&mut store, &self.component, &self.linker)
            .map_err(|e| PluginError::Trap(format!("re-instantiation failed: {e:#}")))?;
        self.store = store;
        self.bindings = bindings;
        self.reinstantiations += 1;
        if let Some(json) = self.config_json.clone() {
            self.arm(json.len());
            let r = self.bindings.dnschild_detector_rule().call_configure_json(&mut self.store, &json);
            if !matches!(r, Ok(Ok(()))) {
                return Err(PluginError::Trap("the configuration could not be re-applied".into()));
            }
        }
        Ok(())
    }
}

/// Where the component is looked for when no `--component` is given, in order:
/// `$DNSCHILD_COMPONENT`, `dnschild.component.wasm` beside the executable, `dist/` under the
/// current directory, and the repository's `dist/` this binary was built from.
pub fn default_component_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = std::env::var_os("DNSCHILD_COMPONENT") {
        out.push(PathBuf::from(p));
    }
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        out.push(dir.join("dnschild.component.wasm"));
    }
    out.push(PathBuf::from("dist/dnschild.component.wasm"));
    out.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../dist/dnschild.component.wasm")));
    out
}
