//! One event, every shape: the same parent, child and command line written as each supported
//! log shape (JSON and XML forms alike) gives the same verdict, and an alert names the same
//! parent and child.
#![no_main]

#[path = "../../tests/builders/mod.rs"]
mod builders;

use arbitrary::Arbitrary;
use builders::SHAPES;
use dnschild::Engine;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    parent: String,
    child: String,
    /// Pieces that make dns.exe-like paths likely.
    parent_pick: u8,
    child_pick: u8,
}

const PARENTS: [&str; 6] = [r"C:\Windows\System32\dns.exe", r"\\?\C:\Windows\System32\DNS.EXE", r"\Device\HarddiskVolume2\Windows\System32\dns.exe", "dns.exe", r"C:\x\mydns.exe", "C:/Windows/System32/dns.exe"];
const CHILDREN: [&str; 5] = [r"C:\Windows\System32\cmd.exe", r"C:\Windows\System32\conhost.exe", r"\??\C:\Windows\System32\conhost.exe", "conhost.exe", r"D:\conhost.exe.bak"];

fuzz_target!(|input: Input| {
    // Text a Windows path field can hold: no control characters (XML 1.0 cannot carry all
    // of them, and no Windows path contains one), no leading/trailing white space.
    // At most 200 characters of it: a longer one exercises nothing new here (the adversarial
    // tests and the other targets cover size) and would slow every run.
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_string();
    let pick = |n: u8, list: &[&str], own: &str| if n % 2 == 0 { list[(n / 2) as usize % list.len()].to_string() } else { format!("{}{}", clean(own), list[(n / 2) as usize % list.len()]) };
    let parent = pick(input.parent_pick, &PARENTS, &input.parent);
    let child = pick(input.child_pick, &CHILDREN, &input.child);
    let engine = Engine::default();
    let mut first: Option<(&str, bool)> = None;
    for case in SHAPES.iter() {
        // A shape that carries only the parent's bare name sees just the file name.
        let event = case.event(&parent, &child);
        let verdict = engine.evaluate(&event).unwrap_or_else(|e| panic!("{}: {e} in {event:?}", case.label));
        if let Some(alert) = &verdict {
            assert_eq!(alert.process_name.as_deref(), Some(child.as_str()), "{}", case.label);
        }
        match first {
            None => first = Some((case.label, verdict.is_some())),
            Some((label, alerted)) => assert_eq!(verdict.is_some(), alerted, "{} and {label} disagree on parent {parent:?} child {child:?}", case.label),
        }
    }
});
