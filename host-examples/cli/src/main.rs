//! `dnschild`: scan Windows process-creation events with the dnschild component.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use dnschild_cli::input::Format;
use dnschild_cli::plugin::{default_component_paths, Plugin};
use dnschild_cli::scan::{Mode, Options, Scanner};

const USAGE: &str = "\
dnschild — detect processes started by the Windows DNS Server (dns.exe)

Usage:
  dnschild scan [OPTIONS] [FILE...]   scan files (stdin when none, or for `-`)
  dnschild info [--component PATH]    print the rule's documentation as JSON
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
    progress: Option<bool>,
    quiet: bool,
    files: Vec<String>,
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
        progress: None,
        quiet: false,
        files: Vec::new(),
    };
    let mut only_files = false;
    while let Some(arg) = it.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            a.files.push(arg);
            continue;
        }
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
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
            "--annotate" => a.opts.mode = Mode::Annotate,
            "--pretty" => a.opts.pretty = true,
            "--batch" => {
                let n = value("--batch")?;
                a.opts.batch = n.parse().ok().filter(|&n| n > 0 && n <= 65_536).ok_or_else(|| format!("bad --batch `{n}`"))?;
            }
            "--summary" => {
                a.summary = value("--summary")?;
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
    Ok(a)
}

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

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    match args.peek().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => {
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
