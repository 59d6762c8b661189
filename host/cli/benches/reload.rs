//! Reload latency: from a manifest written in the rules folder to the new rules answering,
//! through the real file watcher, validation (every worked example through the compiled plugin)
//! and the atomic swap. Also the cost of compiling a plugin, which a new `.wasm` adds.
//!
//! `cargo bench -p dwa --bench reload` (unset RUST_BACKTRACE for steady figures).

use dwa_engine::{Limits, PolicyEngine};
use dwa_policy::PolicySet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROUNDS: usize = 40;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what:<48} n={:<3} p50 {:>8.1} ms   p95 {:>8.1} ms   max {:>8.1} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.95).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let dir = tempfile::tempdir().unwrap();
    for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
        std::fs::copy(root.join(file), dir.path().join(file)).expect("built plugins: run scripts/build-plugins.sh");
    }
    let engine = Arc::new(PolicyEngine::new(Limits::default()).unwrap());

    let bytes = std::fs::read(root.join("kab_bekasi.wasm")).unwrap();
    let compile: Vec<Duration> = (0..10)
        .map(|_| {
            let started = Instant::now();
            engine.load(&bytes, "kab_bekasi.wasm").unwrap();
            started.elapsed()
        })
        .collect();
    report("compile + pre-instantiate kab_bekasi.wasm", compile);

    let (set, errors) = PolicySet::load_dir(engine, dir.path()).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    let policies = Arc::new(set);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _watcher = runtime
        .block_on(async { dwa_policy::watch::spawn(policies.clone(), dir.path().to_owned(), Duration::from_secs(2)) });

    let mut employee = dwa_sdk::testing::employee();
    dwa_plugin_kab_bekasi::to_bekasi(&mut employee);
    employee.agency = "SETDA".into();
    let application = dwa_sdk::testing::application();
    let today = dwa_sdk::testing::today();
    let manifest_path = dir.path().join("3216-kab-bekasi.toml");
    let lenient = std::fs::read_to_string(&manifest_path).unwrap();
    let strict = lenient.replace(
        "excluded_agencies = [\"RSUD\"",
        "excluded_agencies = [\"SETDA\", \"RSUD\"",
    );
    let mut latencies = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (text, want_eligible) = if round % 2 == 0 {
            (&strict, false)
        } else {
            (&lenient, true)
        };
        std::thread::sleep(Duration::from_millis(150)); // let the previous burst settle
        let written = Instant::now();
        std::fs::write(&manifest_path, text).unwrap();
        loop {
            let decision = policies.evaluate(&employee, &application, today).unwrap();
            if decision.eligibility.eligible == want_eligible {
                latencies.push(written.elapsed());
                break;
            }
            assert!(
                written.elapsed() < Duration::from_secs(10),
                "round {round}: the edit never went live"
            );
            std::thread::sleep(Duration::from_micros(500));
        }
    }
    report("manifest edit → new decisions (watcher, debounce 100 ms)", latencies);
}
