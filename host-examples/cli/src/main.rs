//! `dnschild`: scan Windows process-creation events with the dnschild component.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use dnschild_cli::input::Format;
use dnschild_cli::plugin::{default_component_paths, Plugin};
use dnschild_cli::scan::{Mode, Options, Scanner};
use dnschild_cli::serve::{self, Endpoint, Report};

const USAGE: &str = "\
dnschild — detect processes started by the Windows DNS Server (dns.exe)

Usage:
  dnschild scan [OPTIONS] [FILE...]   scan files (stdin when none, or for `-`)
  dnschild info [--component PATH]    print the rule's documentation as JSON
  dnschild serve --listen ENDPOINT... [OPTIONS]
                                      run as a sidecar: NDJSON events in over sockets,
                                      results out as NDJSON (stdout by default)
  dnschild health ENDPOINT            ask a running `serve --health-listen ENDPOINT`;
                                      prints its counters, exit 0 when its status is ok
  dnschild --help | --version

Inputs: NDJSON, a JSON array or a stream of JSON objects, Windows event XML (one or
many <Event>, or an <Events> wrapper; UTF-8 or UTF-16), and .evtx files. The format
is detected per input unless --format is given.

Options:
  --component PATH     the component to load (default: $DNSCHILD_COMPONENT, then
                       dnschild.component.wasm beside this program, then ./dist/)
  --config FILE        JSON configuration (profile, output, allowlist, limits)
  --profile NAME       seed | sigma-cve-2020-1350 | elastic | hardened
  --output FORMAT      alert format: native | ecs | ocsf
  --format FORMAT      input format: ndjson | json | xml | evtx
  --annotate           write every event, with its alert under `dnschild`
  --pretty             pretty-print alerts (not with --annotate)
  --batch N            events per call into the component (default 256)
  --summary KIND       summary on stderr: text (default), json, or none
  --progress / --no-progress
                       progress bar on stderr (default: on when stderr is a terminal)
  -q, --quiet          do not print per-record errors (they are still counted)

Serve options (also --component, --config, --profile, --output, --batch, -q):
  --listen ENDPOINT    tcp://HOST:PORT or unix:PATH; repeat for several
  --output-to TARGET   stdout (default), tcp://HOST:PORT, unix:PATH, or
                       http://HOST:PORT/PATH (POST, NDJSON bodies, retried until 2xx)
  --annotate           every event out once, alerts attached (the default)
  --alerts-only        only the alerts
  --workers N          component instances evaluating in parallel (default 1;
                       with more, lines of one connection may be reordered)
  --max-line-bytes N   longest line read (default 4194304); longer: too_large
  --buffer-bytes N     events in flight between reading and writing (default 33554432)
  --max-connections N  connections open at once (default 64)
  --health-listen ENDPOINT
                       answer each connection with one JSON line of counters
  --stats-interval S   counters on stderr every S seconds (also on SIGUSR1)
  --summary KIND       counters on stderr at shutdown: json (default), text, none
Endpoints: tcp://HOST:PORT, unix:PATH. SIGTERM/SIGINT: stop reading, write what
was read, exit 0 (a second signal exits at once, status 1). Exit 1 when some lines
could not be written (stdout closed); 4 when serve could not start.

Exit status: 0 no alert; 1 alerts found; 2 some records or inputs could not be
evaluated (none alerted); 3 alerts found and some records could not be evaluated;
4 dnschild could not run (bad arguments or configuration, component not loadable).";

/// Exit status when dnschild could not run at all.
const EXIT_FATAL: u8 = 4;

struct Args {
    command: String,
    component: Option<PathBuf>,
    config: Option<PathBuf>,
    profile: Option<String>,
    output: Option<String>,
    opts: Options,
    summary: String,
    summary_given: bool,
    progress: Option<bool>,
    quiet: bool,
    files: Vec<String>,
    serve: serve::Options,
    /// Options given that only `serve` understands.
    serve_only: Vec<String>,
    /// Options given that `serve` does not understand.
    scan_only: Vec<String>,
}

fn number<T: std::str::FromStr + PartialOrd + Default>(name: &str, text: &str) -> Result<T, String> {
    text.parse::<T>().ok().filter(|n| *n > T::default()).ok_or_else(|| format!("bad {name} `{text}`"))
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let command = it.next().ok_or("no command given (try `dnschild scan FILE`)")?;
    let mut a = Args {
        command,
        component: None,
        config: None,
        profile: None,
        output: None,
        opts: Options::default(),
        summary: "text".into(),
        summary_given: false,
        progress: None,
        quiet: false,
        files: Vec::new(),
        serve: serve::Options::default(),
        serve_only: Vec::new(),
        scan_only: Vec::new(),
    };
    let mut only_files = false;
    while let Some(arg) = it.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            a.files.push(arg);
            continue;
        }
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        if matches!(arg.as_str(), "--format" | "--pretty" | "--progress" | "--no-progress") {
            a.scan_only.push(arg.clone());
        }
        if arg.starts_with("--") && SERVE_ONLY.contains(&arg.as_str()) {
            a.serve_only.push(arg.clone());
        }
        match arg.as_str() {
            "--" => only_files = true,
            "--component" => a.component = Some(value("--component")?.into()),
            "--config" => a.config = Some(value("--config")?.into()),
            "--profile" => a.profile = Some(value("--profile")?),
            "--output" => a.output = Some(value("--output")?),
            "--format" => {
                let f = value("--format")?;
                a.opts.format = Some(Format::from_name(&f).ok_or_else(|| format!("unknown --format `{f}`"))?);
            }
            "--annotate" => {
                a.opts.mode = Mode::Annotate;
                a.serve.mode = Mode::Annotate;
            }
            "--alerts-only" => a.serve.mode = Mode::Alerts,
            "--listen" => a.serve.listen.push(listen_endpoint("--listen", &value("--listen")?)?),
            "--output-to" => {
                let t = value("--output-to")?;
                a.serve.output = if t == "stdout" || t == "-" { None } else { Some(Endpoint::parse(&t).map_err(|e| e.to_string())?) };
            }
            "--health-listen" => a.serve.health = Some(listen_endpoint("--health-listen", &value("--health-listen")?)?),
            "--workers" => a.serve.workers = number("--workers", &value("--workers")?).map(|n: usize| n.min(256))?,
            "--max-line-bytes" => a.serve.max_line_bytes = number("--max-line-bytes", &value("--max-line-bytes")?)?,
            "--buffer-bytes" => a.serve.buffer_bytes = number("--buffer-bytes", &value("--buffer-bytes")?)?,
            "--max-connections" => a.serve.max_connections = number("--max-connections", &value("--max-connections")?)?,
            "--stats-interval" => {
                let s: f64 = number("--stats-interval", &value("--stats-interval")?)?;
                a.serve.stats_interval = Some(std::time::Duration::from_secs_f64(s.min(1e6)));
            }
            "--pretty" => a.opts.pretty = true,
            "--batch" => {
                let n = value("--batch")?;
                a.opts.batch = n.parse().ok().filter(|&n| n > 0 && n <= 65_536).ok_or_else(|| format!("bad --batch `{n}`"))?;
                a.serve.batch = a.opts.batch;
            }
            "--summary" => {
                a.summary = value("--summary")?;
                a.summary_given = true;
                if !matches!(a.summary.as_str(), "text" | "json" | "none") {
                    return Err(format!("unknown --summary `{}`", a.summary));
                }
            }
            "--progress" => a.progress = Some(true),
            "--no-progress" => a.progress = Some(false),
            "-q" | "--quiet" => a.quiet = true,
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let (wrong, command) = match a.command.as_str() {
        "serve" => (a.scan_only.first(), "serve"),
        _ => (a.serve_only.first(), a.command.as_str()),
    };
    if let Some(opt) = wrong {
        return Err(format!("`{opt}` is not an option of `dnschild {command}`"));
    }
    if a.opts.pretty && a.opts.mode == Mode::Annotate {
        return Err("--pretty is for alerts; with --annotate every line is one compact JSON object".into());
    }
    Ok(a)
}

/// An endpoint to listen on: `tcp://HOST:PORT` or `unix:PATH` (not `http://`, which is an output).
fn listen_endpoint(option: &str, text: &str) -> Result<Endpoint, String> {
    match Endpoint::parse(text) {
        Ok(Endpoint::Http { .. }) | Err(_) => Err(format!("{option} takes tcp://HOST:PORT or unix:PATH, not `{text}`")),
        Ok(e) => Ok(e),
    }
}

/// Options only `serve` takes.
const SERVE_ONLY: &[&str] = &[
    "--alerts-only",
    "--listen",
    "--output-to",
    "--health-listen",
    "--workers",
    "--max-line-bytes",
    "--buffer-bytes",
    "--max-connections",
    "--stats-interval",
];

/// The configuration document: the --config file with --profile / --output laid over it.
fn config_json(a: &Args) -> Result<Option<String>, String> {
    if a.config.is_none() && a.profile.is_none() && a.output.is_none() {
        return Ok(None);
    }
    let mut doc = match &a.config {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            serde_json::from_str::<serde_json::Value>(&text).map_err(|e| format!("{} is not JSON: {e}", p.display()))?
        }
        None => serde_json::json!({}),
    };
    let obj = doc.as_object_mut().ok_or("the configuration must be a JSON object")?;
    if let Some(p) = &a.profile {
        obj.insert("profile".into(), p.clone().into());
    }
    if let Some(o) = &a.output {
        obj.insert("output".into(), o.clone().into());
    }
    Ok(Some(doc.to_string()))
}

fn load_plugin(a: &Args) -> Result<Plugin, String> {
    let path = match &a.component {
        Some(p) => p.clone(),
        None if std::env::var_os("DNSCHILD_COMPONENT").is_some_and(|p| !std::path::Path::new(&p).is_file()) => {
            let p = std::env::var_os("DNSCHILD_COMPONENT").unwrap_or_default();
            return Err(format!("DNSCHILD_COMPONENT names {}, which is not a file", std::path::Path::new(&p).display()));
        }
        None => {
            let tried = default_component_paths();
            tried.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
                let list: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
                format!("no component found (build it with `make component`); looked in: {}", list.join(", "))
            })?
        }
    };
    let mut plugin = Plugin::load(&path).map_err(|e| e.to_string())?;
    if let Some(json) = config_json(a)? {
        plugin.configure_json(&json).map_err(|e| e.to_string())?;
    }
    Ok(plugin)
}

fn scan(a: Args) -> Result<u8, String> {
    let mut plugin = load_plugin(&a)?;
    let stderr = std::io::stderr();
    let mut opts = a.opts.clone();
    opts.progress = a.progress.unwrap_or_else(|| stderr.is_terminal());
    if a.quiet {
        opts.max_error_messages = 0;
    }
    let started = Instant::now();
    let stdout = std::io::stdout().lock();
    let mut scanner = Scanner::new(&mut plugin, std::io::BufWriter::with_capacity(1 << 16, stdout), stderr.lock(), opts);
    let files = if a.files.is_empty() { vec!["-".to_string()] } else { a.files.clone() };
    let mut result = Ok(());
    for f in &files {
        result = if f == "-" {
            scanner.scan("<stdin>", std::io::stdin().lock(), None)
        } else {
            match std::fs::File::open(f) {
                Ok(file) => {
                    let size = file.metadata().ok().map(|m| m.len());
                    scanner.scan(f, file, size)
                }
                Err(e) => {
                    scanner.summary.inputs += 1;
                    scanner.input_error(f, None, &dnschild_cli::input::InputError::Io(e.to_string()));
                    Ok(())
                }
            }
        };
        if result.is_err() {
            break;
        }
    }
    let summary = scanner.summary.clone();
    let finished = scanner.finish().map(|_| ());
    match result.and(finished) {
        Ok(()) => {}
        // A closed pipe (`| head`) ends the scan quietly; any other write error is fatal.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("cannot write output: {e}")),
    }
    let secs = started.elapsed().as_secs_f64();
    let line = match a.summary.as_str() {
        "json" => Some(summary.to_json(secs)),
        "text" => Some(summary.to_text(secs)),
        _ => None,
    };
    if let Some(line) = line {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
    Ok(u8::from(summary.alerts > 0) | (u8::from(summary.error_count() > 0) << 1))
}

fn info(a: Args) -> Result<u8, String> {
    let mut plugin = load_plugin(&a)?;
    let info = plugin.info().map_err(|e| e.to_string())?;
    let v: serde_json::Value = serde_json::from_str(&info.json).map_err(|e| e.to_string())?;
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or(info.json));
    Ok(0)
}

fn run_serve(mut a: Args) -> Result<u8, String> {
    if !a.files.is_empty() {
        return Err(format!("serve reads no files (got `{}`); give --listen ENDPOINT", a.files[0]));
    }
    if a.serve.listen.is_empty() {
        return Err("serve needs at least one --listen tcp://HOST:PORT or unix:PATH".into());
    }
    a.serve.report = match a.summary.as_str() {
        "text" if a.summary_given => Report::Text,
        "none" => Report::None,
        _ => Report::Json,
    };
    if a.quiet {
        a.serve.max_error_messages = 0;
    }
    let plugin = load_plugin(&a)?;
    serve::run(plugin, a.serve.clone()).map_err(|e| e.to_string())
}

fn health(a: Args) -> Result<u8, String> {
    let [target] = a.files.as_slice() else { return Err("usage: dnschild health tcp://HOST:PORT | unix:PATH".into()) };
    let endpoint = Endpoint::parse(target).map_err(|e| e.to_string())?;
    match serve::health::probe(&endpoint, std::time::Duration::from_secs(5)) {
        Ok((line, ok)) => {
            println!("{line}");
            Ok(if ok { 0 } else { 1 })
        }
        Err(e) => {
            eprintln!("dnschild: {e}");
            Ok(2)
        }
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    // `--help` anywhere before a `--` (so `dnschild scan --help` is help, not an error).
    let help_asked = std::env::args().skip(1).take_while(|a| a != "--").any(|a| a == "-h" || a == "--help");
    match args.peek().map(String::as_str) {
        _ if help_asked => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        None | Some("help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("dnschild {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let result = parse_args(args).and_then(|a| match a.command.as_str() {
        "scan" => scan(a),
        "info" => info(a),
        "serve" => run_serve(a),
        "health" => health(a),
        other => Err(format!("unknown command `{other}` (try `dnschild --help`)")),
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(msg) => {
            eprintln!("dnschild: {msg}");
            ExitCode::from(EXIT_FATAL)
        }
    }
}
