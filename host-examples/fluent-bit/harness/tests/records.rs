//! Bad, huge and generated records, memory over a million calls, the configuration file,
//! and what the module imports and exports.

mod common;

use common::*;
use dnschild_fluent_bit_harness::{judge, Compiled, FilterConfig, FluentBit, Verdict};

const HIT: &str = r#"{"actionname":"Process started","PARENTPROCESSNAME":"C:\\Windows\\System32\\dns.exe","PROCESSNAME":"C:\\Windows\\System32\\cmd.exe","COMMANDLINE":"cmd.exe /c whoami","HOSTNAME":"DNS01.corp.example"}"#;
const BENIGN: &str = r#"{"ProviderName":"Microsoft-Windows-Sysmon","EventID":1,"Computer":"WS01","StringInserts":["-","2024-01-15 10:20:30.123","{4A7C1E22-0B1F-65A5-2A01-000000001400}","4242","C:\\Windows\\System32\\cmd.exe","C:\\Windows\\explorer.exe"]}"#;

fn hit_with(child: &str) -> String {
    HIT.replace(r"C:\\Windows\\System32\\cmd.exe", child)
}

#[test]
fn imports_exactly_five_wasi_functions_and_exports_the_abi() {
    let c = compiled();
    let imports = c.imports();
    let want = ["fd_prestat_get", "path_open", "fd_read", "fd_close", "fd_write"].map(|f| format!("wasi_snapshot_preview1.{f}"));
    assert_eq!(imports, want);
    let mut exports = c.exports();
    exports.sort();
    // `memcmp` is the module's own (core's slice comparisons need it); Rust exports every
    // `#[no_mangle]` function of a cdylib. Fluent Bit never calls it.
    assert_eq!(exports, ["dnschild_alerts", "dnschild_annotate", "free", "malloc", "memcmp", "memory"]);
    let size = std::fs::metadata(module_path()).unwrap().len();
    assert!(size <= 120 * 1024, "module is {size} bytes, over 120 KiB");
}

#[test]
fn bad_and_extreme_records_come_back_unchanged() {
    let deep = |inner: &str| format!("{{\"ParentImage\":\"{inner}\",\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let huge = |inner: &str| format!("{{\"PARENTPROCESSNAME\":\"{inner}\",\"actionname\":\"Process started\",\"PROCESSNAME\":\"cmd.exe\",\"pad\":\"{}\"}}", "a".repeat(10 << 20));
    let records: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated", br#"{"ParentImage":"C:\\Windows\\System32\\dns.exe","Image":"#.to_vec()),
        ("truncated benign", br#"{"a":"#.to_vec()),
        ("unbalanced", br#"{"EventID":1}}"#.to_vec()),
        ("trailing garbage", br#"{"EventID":1} x"#.to_vec()),
        ("two objects", format!("{HIT}{HIT}").into_bytes()),
        ("not UTF-8", b"{\"PARENTPROCESSNAME\":\"C:\\\\Windows\\\\System32\\\\dns.exe\xff\xfe\",\"PROCESSNAME\":\"cmd.exe\"}".to_vec()),
        ("not UTF-8 benign", b"{\"a\":\"\xc3\x28\"}".to_vec()),
        ("array", format!("[{HIT}]").into_bytes()),
        ("plain text", b"dns.exe started cmd.exe".to_vec()),
        ("bare XML", b"<Event><EventData><Data Name='ParentImage'>C:\\Windows\\System32\\dns.exe</Data></EventData></Event>".to_vec()),
        ("nested 100,000 with dns.exe", deep(r"C:\\Windows\\System32\\dns.exe").into_bytes()),
        ("nested 100,000", deep("explorer.exe").into_bytes()),
        ("10 MiB candidate", huge(r"C:\\Windows\\System32\\dns.exe").into_bytes()),
        ("10 MiB benign", huge(r"C:\\Windows\\explorer.exe").into_bytes()),
        ("NUL inside", b"{\"a\":\"dns.exe\0\"}".to_vec()),
    ];
    let mut annotate = filter(ANNOTATE, &[]);
    let mut alerts = filter(ALERTS, &[]);
    for (what, rec) in &records {
        let got = annotate.filter(TAG, rec).unwrap();
        let visible = rec.split(|&b| b == 0).next().unwrap();
        assert!(got.returned_input, "{what}: not the input pointer ({:?})", got.verdict);
        assert!(got.output == visible, "{what}: altered");
        assert_eq!(got.verdict, judge(visible), "{what}");
        let kept = alerts.filter(TAG, rec).unwrap();
        if *what == "bare XML" {
            // Not JSON, but it matches: alerts mode wraps it so that the alert is not lost.
            assert!(kept.verdict == Verdict::Replaced && kept.output.starts_with(b"{\"event_xml\":\"<Event>"), "{what}");
        } else {
            assert_eq!(kept.verdict, Verdict::Dropped, "{what}: alerts mode");
        }
    }
    // The well-formed extremes are still records Fluent Bit keeps.
    for i in [11, 12, 13, 14] {
        assert_eq!(judge(&records[i].1), Verdict::Replaced, "{}", records[i].0);
    }
    // And the instance still works afterwards.
    let engine = dnschild::Engine::default();
    assert_eq!(annotate.filter(TAG, HIT.as_bytes()).unwrap().output, expected_annotate(&engine, HIT.as_bytes(), "dnschild"));
}

#[test]
fn a_record_fluent_bit_could_not_copy_in_is_reported_not_dropped() {
    // Fluent Bit passes a null record (and the real length) when its copy fails.
    let mut annotate = filter(ANNOTATE, &[]);
    let got = annotate.filter_undelivered(TAG, 5_000).unwrap();
    let want = r#"{"dnschild_error":{"kind":"record_not_delivered","record_len":5000,"message":"Fluent Bit passed no record (its Wasm heap could not hold it)"}}"#;
    assert_eq!((String::from_utf8_lossy(&got.output).into_owned(), got.verdict), (want.to_string(), Verdict::Replaced));
    let mut alerts = filter(ALERTS, &[]);
    assert_eq!(alerts.filter_undelivered(TAG, 5_000).unwrap().verdict, Verdict::Dropped);
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn generated_records_match_the_native_core() {
    let engine = dnschild::Engine::default();
    let seeds = [HIT.to_string(), BENIGN.to_string(), hit_with(r"C:\\Windows\\System32\\conhost.exe"), hit_with("whoami.exe"), "{}".to_string()];
    let inserts: [&[u8]; 12] = [b"dns.exe", b"\\u0064ns.exe", b"\"", b"\\", b"}", b"{", b"\xff", b"conhost.exe", b"&#", b"<!", b"<?", b"DnS.ExE"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut annotate = filter(ANNOTATE, &[]);
    let (mut alerts_seen, mut kept_objects) = (0, 0);
    for i in 0..20_000 {
        let mut rec = seeds[rng.below(seeds.len())].clone().into_bytes();
        for _ in 0..rng.below(3) {
            let at = rng.below(rec.len() + 1);
            match rng.below(3) {
                0 => rec.truncate(at),
                1 => {
                    let ins = inserts[rng.below(inserts.len())];
                    rec.splice(at..at, ins.iter().copied());
                }
                _ => {
                    if at < rec.len() {
                        rec[at] = rng.next() as u8;
                    }
                }
            }
        }
        let got = annotate.filter(TAG, &rec).unwrap();
        let visible: Vec<u8> = rec.split(|&b| b == 0).next().unwrap().to_vec();
        let want = expected_annotate(&engine, &rec, "dnschild");
        if want == rec {
            assert!(got.returned_input && got.output == visible, "#{i}: {:?} altered", String::from_utf8_lossy(&rec));
        } else {
            alerts_seen += 1;
            assert_eq!(got.output, want, "#{i}");
            assert_eq!(got.verdict, Verdict::Replaced, "#{i}");
        }
        if judge(&visible) == Verdict::Replaced {
            kept_objects += 1;
            assert_eq!(got.verdict, Verdict::Replaced, "#{i}: a valid record was lost");
        }
    }
    // The generator reaches both sides often enough to mean something.
    assert!(alerts_seen > 3_000 && kept_objects > 8_000, "alerts {alerts_seen}, valid {kept_objects}");
}

#[test]
fn memory_stays_flat_over_a_million_calls() {
    let engine = dnschild::Engine::default();
    let big_hit = format!("{},\"pad\":\"{}\"}}", &HIT[..HIT.len() - 1], "b".repeat(200_000));
    let records: Vec<Vec<u8>> = vec![BENIGN.into(), HIT.into(), b"{\"a\":".to_vec(), big_hit.clone().into_bytes(), hit_with("whoami.exe").into_bytes()];
    let wants: Vec<Vec<u8>> = records.iter().map(|r| expected_annotate(&engine, r, "dnschild")).collect();
    let mut f = filter(ANNOTATE, &[]);
    for (r, w) in records.iter().zip(&wants) {
        assert_eq!(&f.filter(TAG, r).unwrap().output, w);
    }
    let warm = f.memory_pages();
    for i in 0..1_000_000usize {
        let k = match i % 1000 {
            0 => 3,
            n if n % 10 == 1 => 1,
            n if n % 10 == 2 => 4,
            n if n % 10 == 3 => 2,
            _ => 0,
        };
        let got = f.filter(TAG, &records[k]).unwrap();
        if i % 997 == 0 || k == 3 {
            assert_eq!(got.output, wants[k], "call {i}");
        }
    }
    assert_eq!(f.memory_pages(), warm, "memory grew after warm-up");
}

fn config_dir(text: &str) -> std::path::PathBuf {
    let dir = scratch_dir("cfg");
    std::fs::write(dir.join("dnschild.json"), text).unwrap();
    dir
}

#[test]
fn no_configuration_file_means_the_defaults() {
    let empty = scratch_dir("empty");
    let mut f = filter(ANNOTATE, &[&empty]);
    let engine = dnschild::Engine::default();
    let conhost = hit_with(r"C:\\Temp\\conhost.exe"); // seed: any conhost.exe is expected
    assert_eq!(f.filter(TAG, HIT.as_bytes()).unwrap().output, expected_annotate(&engine, HIT.as_bytes(), "dnschild"));
    assert!(f.filter(TAG, conhost.as_bytes()).unwrap().returned_input);
    assert_eq!(f.stderr(), "");
}

#[test]
fn a_valid_configuration_file_is_read_once() {
    let doc = r#"{"profile":"hardened","output":"ecs","alert_key":"dns_alert","allowlist":{"child_images":["cmd.exe"]}}"#;
    let dir = config_dir(doc);
    let empty = scratch_dir("first");
    // The second Accessible_Paths directory has the file: it is still found.
    let mut f = filter(ANNOTATE, &[&empty, &dir]);
    let engine = dnschild::Engine::from_json_config(r#"{"profile":"hardened","output":"ecs","allowlist":{"child_images":["cmd.exe"]}}"#).unwrap();
    assert!(f.filter(TAG, HIT.as_bytes()).unwrap().returned_input, "cmd.exe is allowlisted");
    std::fs::remove_file(dir.join("dnschild.json")).unwrap();
    for child in [r"C:\\Temp\\conhost.exe", "whoami.exe"] {
        let rec = hit_with(child);
        let got = f.filter(TAG, rec.as_bytes()).unwrap();
        let want = expected_annotate(&engine, rec.as_bytes(), "dns_alert");
        assert_ne!(want, rec.as_bytes(), "{child} alerts under hardened");
        assert_eq!(String::from_utf8_lossy(&got.output), String::from_utf8_lossy(&want), "{child}");
        let v: serde_json::Value = serde_json::from_slice(&got.output).unwrap();
        assert_eq!(v["dns_alert"]["event"]["kind"], "alert", "ECS output");
    }
    assert_eq!(f.stderr(), "");
}

#[test]
fn a_bad_configuration_file_means_the_defaults_and_one_message() {
    let cases = [
        (r#"{"profile":"strict","alert_key":"k"}"#, "configuration key `profile` has invalid value `strict`"),
        (r#"{"alert_key":"my key"}"#, "`alert_key` \"my key\" may only use"),
        ("{not json", "configuration is not valid JSON"),
        ("\u{0}\u{1}", "configuration is not valid JSON"),
    ];
    let engine = dnschild::Engine::default();
    for (doc, reason) in cases {
        let dir = config_dir(doc);
        let mut f = filter(ANNOTATE, &[&dir]);
        for _ in 0..3 {
            assert_eq!(f.filter(TAG, HIT.as_bytes()).unwrap().output, expected_annotate(&engine, HIT.as_bytes(), "dnschild"), "{doc}");
            assert!(f.filter(TAG, BENIGN.as_bytes()).unwrap().returned_input);
        }
        let err = f.stderr();
        assert_eq!(err.lines().count(), 1, "{doc}: {err}");
        assert!(err.starts_with("[dnschild] ignoring dnschild.json: ") && err.contains(reason), "{doc}: {err}");
        assert!(err.ends_with("using the defaults (profile seed, alert key dnschild). Records still pass.\n"), "{err}");
    }
    // A directory where the file should be cannot be read: the defaults again.
    let dir = scratch_dir("isdir");
    std::fs::create_dir(dir.join("dnschild.json")).unwrap();
    let mut f = filter(ANNOTATE, &[&dir]);
    assert_eq!(f.filter(TAG, HIT.as_bytes()).unwrap().output, expected_annotate(&engine, HIT.as_bytes(), "dnschild"));
    assert!(f.stderr().starts_with("[dnschild] ignoring dnschild.json: cannot "), "{}", f.stderr());
}

// ---- the emulation itself: probe modules show that what it judges can fail ---------------

fn probe(body: &str) -> FluentBit {
    let wat = format!(
        r#"(module (memory (export "memory") 1)
             (data (i32.const 16) "{{\"null\":true}}\00[1]\00{{\"a\":1}}{{\"b\":2}}\00")
             (func (export "f") (param i32 i32 i32 i32 i32 i32) (result i32) {body}))"#
    );
    FluentBit::new(&Compiled::from_bytes(wat.as_bytes()).unwrap(), &FilterConfig::new("f")).unwrap()
}

#[test]
fn without_malloc_the_copies_use_an_8_kib_heap_and_a_failed_copy_is_null() {
    let mut f = probe("(select (i32.const 16) (local.get 4) (i32.eqz (local.get 4)))");
    assert!(!f.uses_module_malloc());
    let small = br#"{"small":1}"#;
    let got = f.filter(TAG, small).unwrap();
    assert_eq!((got.returned_input, got.output.as_slice(), got.verdict), (true, &small[..], Verdict::Replaced));
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(9000));
    let got = f.filter(TAG, big.as_bytes()).unwrap();
    assert_eq!((got.returned_input, got.output.as_slice()), (false, &br#"{"null":true}"#[..]), "a 9 KB record cannot be copied");
    assert!(filter(ANNOTATE, &[]).uses_module_malloc());
}

#[test]
fn the_judge_drops_what_fluent_bit_drops() {
    let cases: [(&str, Verdict, &[u8]); 4] = [
        ("(i32.const 0)", Verdict::Dropped, b""),
        ("(i32.const 30)", Verdict::Invalid, b"[1]"),
        ("(i32.const 34)", Verdict::FirstObjectOnly, br#"{"a":1}{"b":2}"#),
        ("(i32.const 1000000)", Verdict::Dropped, b""),
    ];
    for (body, verdict, output) in cases {
        let got = probe(body).filter(TAG, b"{}").unwrap();
        assert_eq!((got.verdict, got.output.as_slice()), (verdict, output), "{body}");
    }
    let got = probe("unreachable").filter(TAG, b"{}").unwrap();
    assert!(matches!(got.verdict, Verdict::Trapped(ref m) if m.contains("unreachable")), "{:?}", got.verdict);
}
