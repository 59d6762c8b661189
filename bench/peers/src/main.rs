//! `cargo run --release -p dwa-bench-peers`: build the synthetic cases, prove their coverage of
//! the baseline gates, check every engine against the SDK on every case, then time them and
//! print one markdown table. Nothing is timed unless every engine agrees with the SDK.

use dwa_bench_peers::native::{Lean, Sdk};
use dwa_bench_peers::{Case, Decider, Outcome, RuleParams, cases, cedar, ours, rating_rank, rego, rhai, zen};
use dwa_sdk::baseline::{codes, employee_talent_box};
use dwa_sdk::manifest::Manifest;
use dwa_sdk::talent::latest_assessment;
use dwa_sdk::testing;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How many synthetic cases.
const CASES: usize = 10_000;
/// Decisions per timed sample for fast engines (amortises the cost of reading the clock).
const GROUP: usize = 16;
/// Engines slower than this per decision are timed one decision at a time.
const SLOW_NS: f64 = 20_000.0;
/// Time budget of the per-decision phase and of the batched phase, per engine.
const PHASE_BUDGET: Duration = Duration::from_secs(4);
/// Most passes over the cases in one phase.
const MAX_PASSES: usize = 40;

/// The baseline's gate codes, in the SDK's order.
const GATES: [&str; 10] = [
    codes::PUBLIC_SERVICE,
    codes::EMPLOYMENT_TYPE,
    codes::SERVICE_LENGTH,
    codes::DISCIPLINE,
    codes::RATING,
    codes::ABSENCE,
    codes::KPI_TARGET,
    codes::SUPERVISOR_APPROVAL,
    codes::TALENT_BOX,
    codes::PREVIOUS_REVIEW,
];

/// The timings of one engine.
struct Row {
    name: String,
    median_ns: f64,
    p99_ns: f64,
    batched_ns: f64,
}

fn main() -> ExitCode {
    if std::env::var_os("RUST_BACKTRACE").is_some() {
        eprintln!(
            "warning: RUST_BACKTRACE is set; engines that build error values (anyhow) may capture backtraces and \
             distort the figures. Run with `env -u RUST_BACKTRACE`."
        );
    }
    let manifest = Manifest::parse(include_str!("../../../rules/32-jabar.toml")).expect("the Jabar manifest parses");
    let params = manifest.parameters;
    let today = testing::today();
    let rule_params = RuleParams::new(&params, today);
    let lookback = rule_params_lookback(&params);
    let cases = cases::generate(CASES, cases::SEED, today, lookback);

    let mut sdk = Sdk::new(&params, today);
    let expected: Vec<Outcome> = cases.iter().map(|c| sdk.decide(c)).collect();
    if !coverage(&cases, &sdk, &expected) {
        return ExitCode::FAILURE;
    }

    let mut deciders: Vec<Box<dyn Decider>> = vec![
        Box::new(Sdk::new(&params, today)),
        Box::new(Lean::new(&params, today)),
        Box::new(cedar::Cedar::new(&rule_params)),
        Box::new(rego::Interpreter::new(&rule_params)),
        Box::new(rego::Vm::new(&rule_params)),
        Box::new(zen::Zen::new(&rule_params)),
        Box::new(rhai::Rhai::new(&rule_params)),
    ];
    deciders.extend(ours::deciders(&params, today));

    // Correctness first: every engine, every case, one by one and batched.
    // An engine that panics (an error it cannot decide through) is reported and left out of the
    // timing; the run then ends non-zero after the table.
    let mut all_agree = true;
    let mut crashed: Vec<String> = Vec::new();
    let mut checked: Vec<Box<dyn Decider>> = Vec::new();
    for mut decider in deciders {
        let name = decider.name();
        let run = catch_unwind(AssertUnwindSafe(|| {
            let single: Vec<Outcome> = cases.iter().map(|c| decider.decide(c)).collect();
            let mut batched = Vec::with_capacity(cases.len());
            decider.decide_batch(&cases, &mut batched);
            (single, batched)
        }));
        let Ok((single, batched)) = run else {
            eprintln!("CRASHED {name}: panicked during the correctness pass (message above); not timed");
            crashed.push(name);
            continue;
        };
        let mut differences = 0;
        for (i, exp) in expected.iter().enumerate() {
            let got = [single[i], batched.get(i).copied().unwrap_or(single[i])];
            if got.iter().any(|g| g != exp) {
                if differences < 5 {
                    let failed = sdk.evaluate(&cases[i]).failed_codes().join(", ");
                    eprintln!(
                        "MISMATCH {name}: case {i}: SDK {exp:?} (failed: [{failed}]), engine {:?}, batched {:?}\n  {:?}",
                        got[0], got[1], cases[i]
                    );
                }
                differences += 1;
            }
        }
        if batched.len() != cases.len() {
            eprintln!(
                "MISMATCH {name}: decide_batch returned {} outcomes for {} cases",
                batched.len(),
                cases.len()
            );
            differences += 1;
        }
        if differences == 0 {
            println!("agrees with the SDK on all {} cases: {name}", cases.len());
        } else {
            eprintln!("{name}: {differences} cases differ from the SDK");
            all_agree = false;
        }
        checked.push(decider);
    }
    if !all_agree {
        eprintln!("not timing: at least one engine disagrees with the SDK");
        return ExitCode::FAILURE;
    }
    println!(
        "note: the released regorus (0.14) ships its RVM (feature `rvm`, on by default): both its interpreter and \
         the compiled program are timed."
    );

    let mut rows = Vec::new();
    for mut decider in checked {
        let name = decider.name();
        match catch_unwind(AssertUnwindSafe(|| time(decider.as_mut(), &cases))) {
            Ok(row) => rows.push(row),
            Err(_) => {
                eprintln!("CRASHED {name}: panicked while timed (message above); left out of the table");
                crashed.push(name);
            }
        }
    }
    print_table(&rows);
    if crashed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("not in the table (panicked): {}", crashed.join("; "));
        ExitCode::FAILURE
    }
}

fn rule_params_lookback(params: &dwa_sdk::Params) -> u32 {
    dwa_sdk::baseline::BaselineParams::from_params(params)
        .expect("valid baseline parameters")
        .penalty_lookback_months
}

/// Print what the cases cover; false when a gate, a talent box or a pattern is never reached.
fn coverage(cases: &[Case], sdk: &Sdk, expected: &[Outcome]) -> bool {
    let mut fails: BTreeMap<&str, usize> = BTreeMap::new();
    let mut only: BTreeMap<&str, usize> = BTreeMap::new();
    let mut boxes = [0usize; 10];
    let mut ratings = [0usize; 6];
    let mut days = [0usize; 6];
    for (case, outcome) in cases.iter().zip(expected) {
        let decision = sdk.evaluate(case);
        let failed = decision.failed_codes();
        for code in &failed {
            *fails
                .entry(GATES.iter().find(|g| *g == code).copied().unwrap_or("?"))
                .or_default() += 1;
        }
        if let [code] = failed[..] {
            *only
                .entry(GATES.iter().find(|g| **g == code).copied().unwrap_or("?"))
                .or_default() += 1;
        }
        boxes[usize::from(employee_talent_box(&case.employee))] += 1;
        ratings[latest_assessment(&case.employee.ratings)
            .map_or(5, |a| usize::from(rating_rank(a.work_result, a.work_behaviour)))] += 1;
        days[usize::from(outcome.remote_days)] += 1;
    }
    let eligible = expected.iter().filter(|o| o.eligible).count();
    println!("{} cases (seed {:#x}); {eligible} eligible", cases.len(), cases::SEED);
    println!(
        "outcome days anywhere (0 = office only or ineligible): {}",
        (0..=5)
            .map(|d| format!("{d}: {}", days[d]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "talent box: {}",
        (1..=9)
            .map(|b| format!("{b}: {}", boxes[b]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "latest rating: Sangat Baik {}, Baik {}, Butuh Perbaikan {}, Kurang {}, Sangat Kurang {}, none {}",
        ratings[0], ratings[1], ratings[2], ratings[3], ratings[4], ratings[5]
    );
    println!("cases failing each gate (failing only that gate):");
    for gate in GATES {
        println!(
            "  {gate:<20} {:>5} ({})",
            fails.get(gate).copied().unwrap_or(0),
            only.get(gate).copied().unwrap_or(0)
        );
    }
    let mut ok = true;
    for gate in GATES {
        let n = fails.get(gate).copied().unwrap_or(0);
        if n == 0 || n == cases.len() {
            eprintln!("coverage gap: gate {gate} fails in {n} of {} cases", cases.len());
            ok = false;
        }
    }
    if let Some(b) = (1..=9).find(|&b| boxes[b] == 0) {
        eprintln!("coverage gap: no case in talent box {b}");
        ok = false;
    }
    if let Some(d) = (0..=4).find(|&d| days[d] == 0) {
        eprintln!("coverage gap: no case gets {d} days anywhere");
        ok = false;
    }
    if eligible == 0 || eligible == cases.len() {
        eprintln!("coverage gap: {eligible} eligible cases");
        ok = false;
    }
    ok
}

/// Warm up, then time `decider` per decision (median, p99) and batched (mean).
fn time(decider: &mut dyn Decider, cases: &[Case]) -> Row {
    let name = decider.name();
    eprint!("timing {name} … ");
    let started = Instant::now();

    // Warm-up: one pass, or one second, whichever ends first; estimates the cost per decision.
    let warm = Instant::now();
    let mut warmed = 0;
    for case in cases.iter().cycle() {
        black_box(decider.decide(black_box(case)));
        warmed += 1;
        if warmed >= cases.len() || warm.elapsed() > Duration::from_secs(1) {
            break;
        }
    }
    let estimate_ns = warm.elapsed().as_nanos() as f64 / warmed as f64;
    let pass_ns = estimate_ns * cases.len() as f64;
    let passes = ((PHASE_BUDGET.as_nanos() as f64 / pass_ns) as usize).clamp(1, MAX_PASSES);
    let group = if estimate_ns > SLOW_NS { 1 } else { GROUP };

    // Per decision: one sample per group of decisions, each decision's share of the group's time.
    let mut samples = Vec::with_capacity(passes * cases.len() / group + 1);
    for _ in 0..passes {
        for chunk in cases.chunks(group) {
            let t = Instant::now();
            for case in chunk {
                black_box(decider.decide(black_box(case)));
            }
            samples.push(t.elapsed().as_nanos() as f64 / chunk.len() as f64);
        }
    }
    samples.sort_by(f64::total_cmp);
    let median_ns = samples[samples.len() / 2];
    let p99_ns = samples[((samples.len() as f64 * 0.99) as usize).min(samples.len() - 1)];

    // Batched: the whole set through decide_batch.
    let mut out = Vec::with_capacity(cases.len());
    let mut total = Duration::ZERO;
    for _ in 0..passes {
        out.clear();
        let t = Instant::now();
        decider.decide_batch(black_box(cases), &mut out);
        total += t.elapsed();
        black_box(&out);
    }
    let batched_ns = total.as_nanos() as f64 / (passes * cases.len()) as f64;
    eprintln!(
        "{passes} passes, groups of {group}, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Row {
        name,
        median_ns,
        p99_ns,
        batched_ns,
    }
}

fn ns(v: f64) -> String {
    if v < 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn ratio(v: f64, reference: Option<f64>) -> String {
    match reference {
        None => "—".into(),
        Some(r) => {
            let x = v / r;
            if x < 10.0 {
                format!("{x:.2}×")
            } else if x < 100.0 {
                format!("{x:.1}×")
            } else {
                format!("{x:.0}×")
            }
        }
    }
}

fn print_table(rows: &[Row]) {
    let native = rows.first().map(|r| r.median_ns);
    let plugin = rows
        .iter()
        .find(|r| r.name.starts_with("plugin, reused"))
        .map(|r| r.median_ns);
    println!();
    println!("| engine | median ns | p99 ns | batched mean ns | × native | × our reused plugin call |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.name,
            ns(r.median_ns),
            ns(r.p99_ns),
            ns(r.batched_ns),
            ratio(r.median_ns, native),
            ratio(r.median_ns, plugin)
        );
    }
    println!();
    println!(
        "Per decision, including building the engine's input from the Rust case and decoding its output. Median \
         and p99 over samples of {GROUP} consecutive decisions (1 for engines slower than {} µs); batched mean = \
         total time of decide_batch over all {CASES} cases / {CASES}. Ratios compare medians; × native is against \
         the first row (the SDK's Jabar::evaluate).",
        SLOW_NS / 1000.0
    );
}
