//! Evaluates one workload file in a loop (for profilers): `loop_workload FILE SECONDS`.
fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("FILE");
    let secs: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5.0);
    let events: Vec<String> = std::fs::read_to_string(&file).unwrap().lines().map(String::from).collect();
    let engine = dnschild::Engine::default();
    let t = std::time::Instant::now();
    let mut n = 0u64;
    let mut alerts = 0u64;
    while t.elapsed().as_secs_f64() < secs {
        for e in &events {
            alerts += u64::from(matches!(engine.evaluate(std::hint::black_box(e)), Ok(Some(_))));
            n += 1;
        }
    }
    let s = t.elapsed().as_secs_f64();
    println!("{n} events in {s:.2}s: {:.0} events/s, {alerts} alerts", n as f64 / s);
}
