//! Adversarial events cost time linear in their size: no quadratic path in the fast path,
//! the readers, path canonicalisation or the rule. Each family is evaluated at 128 KiB and
//! at 1 MiB (the default size limit); eight times the bytes must cost well under the 64
//! times a quadratic path would (the bound is 24×, or 50 ms in all for the large one, to
//! ride out a loaded machine). The verdict at 1 MiB is checked exactly too.

use std::time::{Duration, Instant};

use dnschild::Engine;

const SMALL: usize = 128 << 10;
const LARGE: usize = 1 << 20;

const HEAD: &str = r#"{"actionname":"Process started","PARENTPROCESSNAME":"#;

/// `n` bytes (about) of `unit` repeated.
fn rep(unit: &str, n: usize) -> String {
    unit.repeat(n / unit.len())
}

fn xml_image(image: &str) -> String {
    format!(
        "<Event><System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID></System><EventData>\
         <Data Name='ParentImage'>C:\\Windows\\System32\\dns.exe</Data><Data Name='Image'>{image}</Data></EventData></Event>"
    )
}

/// (family, builder for about `n` bytes, the verdict at 1 MiB: Ok(alert?) or Err(kind)).
type Family = (&'static str, fn(usize) -> String, Result<bool, &'static str>);

const FAMILIES: &[Family] = &[
    ("dns.exe repeated as the parent", |n| format!(r#"{HEAD}"{}","PROCESSNAME":"cmd.exe"}}"#, rep("dns.exe", n)), Ok(false)),
    ("dns.exe repeated as bare text", |n| format!(r#"{{"a":"{}"}}"#, rep("dns.exe ", n)), Ok(false)),
    ("backslashes", |n| format!(r#"{HEAD}"{}dns.exe","PROCESSNAME":"{}cmd.exe"}}"#, rep("\\\\", n / 2), rep("\\\\", n / 2)), Ok(true)),
    ("dot-dot segments", |n| format!(r#"{HEAD}"C:\\{}dns.exe","PROCESSNAME":"{}cmd.exe"}}"#, rep("..\\\\", n / 2), rep("a\\\\..\\\\", n / 2)), Ok(true)),
    ("forward-slash segments", |n| format!(r#"{HEAD}"C:/{}dns.exe","PROCESSNAME":"{}cmd.exe"}}"#, rep("a/", n / 2), rep("a/", n / 2)), Ok(true)),
    ("\\u escapes", |n| format!(r#"{HEAD}"dns.exe","PROCESSNAME":"{}"}}"#, rep("\\u0064", n)), Ok(true)),
    ("escaped backslash runs before u", |n| format!(r#"{HEAD}"dns.exe","PROCESSNAME":"{}"}}"#, rep("\\\\\\\\u", n)), Ok(true)),
    ("many distinct keys", |n| format!(r#"{HEAD}"dns.exe",{}"PROCESSNAME":"cmd.exe"}}"#, rep(r#""kkkkk":1,"#, n)), Ok(true)),
    ("a repeated parent key", |n| format!(r#"{{"actionname":"Process started",{}"PROCESSNAME":"cmd.exe"}}"#, rep(r#""PARENTPROCESSNAME":"dns.exe","#, n)), Ok(true)),
    ("escaped keys", |n| format!(r#"{HEAD}"dns.exe",{}"PROCESSNAME":"cmd.exe"}}"#, rep(r#""\u0041\u0041":"x","#, n)), Ok(true)),
    ("a long event.type array", |n| format!(r#"{{"event":{{"type":[{}"start"]}},"process":{{"parent":{{"name":"dns.exe"}},"executable":"cmd.exe"}}}}"#, rep(r#""x","#, n)), Ok(true)),
    ("long strings in an array", |n| format!(r#"{{"event":{{"type":["{}","start"]}},"process":{{"parent":{{"name":"dns.exe"}},"executable":"cmd.exe"}}}}"#, rep("x", n)), Ok(true)),
    ("XML character references", |n| xml_image(&rep("&#x64;", n)), Ok(true)),
    ("XML named entities", |n| xml_image(&rep("&amp;", n)), Ok(true)),
    ("XML CDATA pieces", |n| xml_image(&rep("<![CDATA[a]]>", n)), Ok(true)),
    ("XML comments", |n| xml_image(&rep("<!--a-->", n)), Ok(true)),
    ("XML attributes", |n| format!("<Event><System><Provider Name='Microsoft-Windows-Sysmon' {}/><EventID>1</EventID></System><EventData><Data Name='ParentImage'>dns.exe</Data><Data Name='Image'>cmd.exe</Data></EventData></Event>", rep("a='b' ", n)), Ok(true)),
    ("XML ampersands with no semicolon", |n| xml_image(&rep("&", n)), Err("malformed_xml")),
    ("XML unclosed comment openers", |n| format!("<Event>dns.exe{}", rep("<!--", n)), Err("malformed_xml")),
    ("XML processing-instruction openers", |n| format!("<Event>dns.exe{}", rep("<?", n)), Err("malformed_xml")),
    ("unterminated JSON string of escaped quotes", |n| format!(r#"{{"a":"dns.exe{}"#, rep("\\\"", n)), Err("malformed_json")),
    ("a huge command line", |n| format!(r#"{HEAD}"dns.exe","PROCESSNAME":"cmd.exe","COMMANDLINE":"{}"}}"#, rep("a\\\\\\\"", n)), Ok(true)),
];

fn fastest(engine: &Engine, event: &str) -> (Duration, Result<bool, &'static str>) {
    let mut best = Duration::MAX;
    let mut verdict = Err("not run");
    for _ in 0..3 {
        let start = Instant::now();
        let r = engine.evaluate(event);
        best = best.min(start.elapsed());
        verdict = r.map(|a| a.is_some()).map_err(|e| e.kind());
    }
    (best, verdict)
}

#[test]
fn adversarial_events_cost_linear_time() {
    // Room for the 1 MiB events plus their few bytes of framing, and for as many fields as
    // they hold: the readers must do all the work, not stop at the default field limit.
    let engine = Engine::from_json_config(r#"{"max_event_bytes":1100000,"max_fields":1000000}"#).unwrap();
    let mut report = Vec::new();
    for (name, build, want) in FAMILIES {
        let (small, large) = (build(SMALL), build(LARGE));
        assert!(large.len() > LARGE - 64 && large.len() < 1_100_000, "{name}: {} bytes", large.len());
        let (t_small, _) = fastest(&engine, &small);
        let (t_large, verdict) = fastest(&engine, &large);
        assert_eq!(verdict, *want, "{name}: verdict at 1 MiB");
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        report.push(format!("{name}: {t_small:?} -> {t_large:?} ({ratio:.1}x)"));
        assert!(
            ratio < 24.0 || t_large < Duration::from_millis(50),
            "{name}: 8x the bytes took {ratio:.1}x the time ({t_small:?} -> {t_large:?}): a quadratic path?"
        );
    }
    println!("{}", report.join("\n"));
}
