//! The cost of one decision through the host, for both real plugins, every way the host can
//! call them: a fresh store + instance per call (the host's default for requests), a warm
//! instance reused across calls, and a batch call; each with `evaluate` (every reason in two
//! languages) and `decide` (the outcome only); beside the same rules as native Rust (the floor).
//! Also the compiled-component cache: compiling a plugin versus loading it compiled.
//!
//! `env -u RUST_BACKTRACE cargo bench -p dwa --bench calls` (the peers comparison is
//! `cargo run --release -p dwa-bench-peers`). To profile one row: `DWA_BENCH_ONLY=<part of its
//! name>` runs only the rows whose name contains it, `DWA_BENCH_MS` sets each row's time budget
//! (default 800), and `DWA_PERF_MAP=1` names the plugin's compiled functions for `perf`.

use dwa_engine::{Limits, Plugin, PolicyEngine};
use dwa_sdk::manifest::Manifest;
use dwa_sdk::{Application, Employee, EvaluationInput, Params, Policy, testing};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Calls per measured sample, and samples per figure: bounded, about a second per row.
const CALLS_PER_SAMPLE: usize = 64;

fn rules() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

/// The gate cases as inputs: half pass every gate, half fail one.
fn inputs(prepare: fn(&mut Employee)) -> Vec<(Employee, Application)> {
    testing::baseline_gate_cases()
        .into_iter()
        .map(|case| {
            let (mut e, mut a) = (testing::employee(), testing::application());
            prepare(&mut e);
            (case.apply)(&mut e, &mut a);
            (e, a)
        })
        .collect()
}

/// Median and p99 of the per-call time over samples of `CALLS_PER_SAMPLE` calls, within `budget`.
fn measure(budget: Duration, mut call: impl FnMut(usize)) -> (f64, f64) {
    for i in 0..CALLS_PER_SAMPLE * 4 {
        call(i);
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut i = 0;
    while started.elapsed() < budget && samples.len() < 100_000 {
        let t = Instant::now();
        for _ in 0..CALLS_PER_SAMPLE {
            call(i);
            i += 1;
        }
        samples.push(t.elapsed().as_nanos() as f64 / CALLS_PER_SAMPLE as f64);
    }
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}

/// Whether a row is wanted (`DWA_BENCH_ONLY`, unset: every row).
fn selected(what: &str) -> bool {
    std::env::var("DWA_BENCH_ONLY").map_or(true, |only| what.contains(&only))
}

/// Each row's time budget (`DWA_BENCH_MS`, default 800 ms).
fn row_budget() -> Duration {
    let ms = std::env::var("DWA_BENCH_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(800);
    Duration::from_millis(ms)
}

fn row(what: &str, (median, p99): (f64, f64)) {
    println!("| {what:<58} | {:>10.0} | {:>10.0} |", median, p99);
}

fn plugin_rows<P: Policy>(
    engine: &PolicyEngine,
    plugin: Arc<Plugin>,
    params: &Params,
    items: &[(Employee, Application)],
) {
    let budget = row_budget();
    let today = testing::today();
    let n = items.len();
    let name = &plugin.info().name;
    let input = |i: usize| EvaluationInput {
        employee: items[i % n].0.clone(),
        application: items[i % n].1.clone(),
        params: params.clone(),
        today,
    };
    let inputs: Vec<_> = (0..n).map(input).collect();
    let what = format!("{name}: native Rust, decide");
    if selected(&what) {
        row(
            &what,
            measure(budget, |i| {
                black_box(P::decide(&items[i % n].0, &items[i % n].1, params, today).unwrap());
            }),
        );
    }
    let what = format!("{name}: native Rust, evaluate");
    if selected(&what) {
        row(
            &what,
            measure(budget, |i| {
                black_box(P::evaluate(&items[i % n].0, &items[i % n].1, params, today).unwrap());
            }),
        );
    }
    let mut warm = engine.warm_instance(plugin.clone(), today);
    let what = format!("{name}: plugin, warm instance, decide");
    if selected(&what) {
        row(
            &what,
            measure(budget, |i| {
                black_box(warm.decide(&items[i % n].0, &items[i % n].1, params).unwrap());
            }),
        );
    }
    let what = format!("{name}: plugin, warm instance, evaluate");
    if selected(&what) {
        row(
            &what,
            measure(budget, |i| {
                black_box(warm.evaluate(&items[i % n].0, &items[i % n].1, params).unwrap());
            }),
        );
    }
    for size in [18usize, 1000] {
        let what = format!("{name}: plugin, decide-batch of {size}, per decision");
        if !selected(&what) {
            continue;
        }
        let unit: Vec<_> = (0..size).map(|i| (&items[i % n].0, &items[i % n].1)).collect();
        let (median, p99) = measure(budget, |_| {
            black_box(engine.decide_batch(&plugin, &unit, params, today).unwrap());
        });
        row(&what, (median / size as f64, p99 / size as f64));
    }
    let what = format!("{name}: plugin, fresh instance per call, decide");
    if selected(&what) {
        row(
            &what,
            measure(budget, |i| {
                black_box(engine.decide(&plugin, &inputs[i % n]).unwrap());
            }),
        );
    }
    let what = format!("{name}: plugin, fresh instance per call, evaluate");
    if selected(&what) {
        row(
            &what,
            measure(budget, |i| {
                black_box(engine.evaluate(&plugin, &inputs[i % n]).unwrap());
            }),
        );
    }
}

fn main() {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        eprintln!("warning: RUST_BACKTRACE is set; unset it for steady figures");
    }
    let engine = PolicyEngine::new(Limits::default()).unwrap();
    let load = |file: &str| {
        let bytes = std::fs::read(rules().join(file)).expect("built plugins: run scripts/build-plugins.sh");
        Arc::new(engine.load(&bytes, file).unwrap())
    };
    let params = |file: &str| {
        Manifest::parse(&std::fs::read_to_string(rules().join(file)).unwrap())
            .unwrap()
            .parameters
    };
    println!("| ns per decision (median of 64-call samples, p99 of samples)     |     median |        p99 |");
    println!("|------------------------------------------------------------|-----------:|-----------:|");
    plugin_rows::<dwa_plugin_jabar::Jabar>(&engine, load("jabar.wasm"), &params("32-jabar.toml"), &inputs(|_| {}));
    plugin_rows::<dwa_plugin_kab_bekasi::KabBekasi>(
        &engine,
        load("kab_bekasi.wasm"),
        &params("3216-kab-bekasi.toml"),
        &inputs(dwa_plugin_kab_bekasi::to_bekasi),
    );

    // Compiling a plugin versus loading it from the compiled-component cache.
    if !selected("load Bekasi plugin") {
        return;
    }
    let bytes = std::fs::read(rules().join("kab_bekasi.wasm")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let mut cached = PolicyEngine::new(Limits::default()).unwrap();
    cached.use_compile_cache(cache.path()).unwrap();
    let time = |engine: &PolicyEngine| {
        let t = Instant::now();
        black_box(engine.load(&bytes, "kab_bekasi.wasm").unwrap());
        t.elapsed().as_secs_f64() * 1e3
    };
    let first = time(&cached);
    let compile: Vec<f64> = (0..5).map(|_| time(&engine)).collect();
    let from_cache: Vec<f64> = (0..5).map(|_| time(&cached)).collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!();
    println!(
        "load Bekasi plugin: compile {:.1} ms (median of 5), from the compiled cache {:.1} ms (first, filling it: {:.1} ms)",
        median(compile),
        median(from_cache),
        first
    );
}
