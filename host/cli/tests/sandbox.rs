//! Sandbox tests against the real compiled components: the two deployable plugins in `rules/`
//! and the test fixtures in `target/wasm32-wasip2/plugin/` (`tests/fixtures/hostile`,
//! `tests/fixtures/future-contract`), all built by `scripts/build-plugins.sh`.
//!
//! Every kind of misbehaviour must end in its own named error that names the plugin, and leave
//! the engine, the other plugins and the misbehaving plugin's next call unharmed (DESIGN §5).
//! A missing component fails the test (never skips it): run `scripts/build-plugins.sh` first.

use dwa_engine::{Call, Limits, LoadError, Plugin, PluginError, PolicyEngine, SUPPORTED_CONTRACTS, TrapCause};
use dwa_sdk::manifest::Manifest;
use dwa_sdk::{Eligibility, EvaluationInput, ParamValue, Params, baseline, testing};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Fuel budget of the tests: ample for a real decision, small enough to stop a loop quickly.
const FUEL: u64 = 20_000_000;
/// Memory cap of the tests.
const MEMORY: usize = 16 << 20;

/// Constants of `tests/fixtures/hostile` (it is a cdylib, so they are repeated here).
const PANIC_MESSAGE: &str = "hostile plugin panicked on purpose";
const HUGE_REASONS: usize = 100_000;
const HUGE_TEXT_BYTES: usize = 2 << 20;
const PRINT_BYTES: usize = 1 << 20;

/// Small limits that keep the tests fast; fuel, not the deadline, stops a loop.
fn limits() -> Limits {
    Limits {
        fuel: FUEL,
        timeout: Duration::from_secs(2),
        memory_bytes: MEMORY,
        ..Limits::default()
    }
}

fn workspace() -> PathBuf {
    let host = Path::new(env!("CARGO_MANIFEST_DIR"));
    host.join("../..")
}

/// The bytes of a built component; fails the test with how to build it when it is missing.
fn component(relative: &str) -> Vec<u8> {
    let path = workspace().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): build the plugins and test fixtures first with `scripts/build-plugins.sh`",
            path.display()
        )
    })
}

/// A test fixture from `target/wasm32-wasip2/plugin/`.
fn fixture(crate_name: &str) -> Vec<u8> {
    component(&format!("target/wasm32-wasip2/plugin/{crate_name}.wasm"))
}

fn load(engine: &PolicyEngine, bytes: &[u8], source: &str) -> Plugin {
    engine
        .load(bytes, source)
        .unwrap_or_else(|e| panic!("cannot load {source}: {e}"))
}

fn manifest_params(file: &str) -> Params {
    let text = std::fs::read_to_string(workspace().join("rules").join(file)).expect("manifest");
    Manifest::parse(&text)
        .unwrap_or_else(|e| panic!("{file}: {e:?}"))
        .parameters
}

/// The sample employee and application (they pass every baseline gate) under `params`.
fn input(params: Params) -> EvaluationInput {
    EvaluationInput {
        employee: testing::employee(),
        application: testing::application(),
        params,
        today: testing::today(),
    }
}

/// The sample input with the hostile plugin's `mode` parameter.
fn hostile_input(mode: &str) -> EvaluationInput {
    input(Params::default().with("mode", ParamValue::Text(mode.to_owned())))
}

/// The `huge` mode with `count` reasons.
fn huge_input(count: i64) -> EvaluationInput {
    let mut input = hostile_input("huge");
    input.params = input.params.with("reasons", ParamValue::Integer(count));
    input
}

/// What the province baseline decides natively: the answer every well-behaved call must give.
fn native_baseline(input: &EvaluationInput) -> Eligibility {
    baseline::evaluate_baseline(&input.employee, &input.application, &input.params, input.today)
        .expect("the baseline decides the samples")
}

/// One engine with the hostile fixture and the Jabar plugin, and the Jabar answer (with its fuel)
/// from before anything went wrong.
struct Rig {
    engine: PolicyEngine,
    hostile: Plugin,
    jabar: Plugin,
    jabar_input: EvaluationInput,
    jabar_before: Call<Eligibility>,
}

impl Rig {
    fn new(limits: Limits) -> Rig {
        let engine = PolicyEngine::new(limits).expect("engine");
        let hostile = load(&engine, &fixture("dwa_fixture_hostile"), "hostile.wasm");
        let jabar = load(&engine, &component("rules/jabar.wasm"), "jabar.wasm");
        let jabar_input = input(manifest_params("32-jabar.toml"));
        let jabar_before = engine.evaluate(&jabar, &jabar_input).expect("jabar answers");
        assert_eq!(
            jabar_before.value,
            native_baseline(&jabar_input),
            "jabar is the province baseline"
        );
        assert!(
            jabar_before.value.eligible,
            "the samples pass every gate: {:?}",
            jabar_before.value.failed_codes()
        );
        Rig {
            engine,
            hostile,
            jabar,
            jabar_input,
            jabar_before,
        }
    }

    /// Run the hostile plugin in `mode`, expecting an error; check that it names the plugin and
    /// that the engine, Jabar and the hostile plugin itself still answer correctly afterwards.
    fn fail(&self, mode: &str) -> PluginError {
        self.fail_on(mode, hostile_input(mode))
    }

    /// [`Rig::fail`] with a given input (`mode` labels it).
    fn fail_on(&self, mode: &str, input: EvaluationInput) -> PluginError {
        let started = Instant::now();
        let error = match self.engine.evaluate(&self.hostile, &input) {
            Ok(call) => panic!("mode `{mode}` succeeded: {:?}", call.value),
            Err(error) => error,
        };
        let took = started.elapsed();
        let message = error.to_string();
        eprintln!("mode `{mode}` failed in {took:?}: {message}");
        assert_names_hostile(&self.hostile, &error);
        self.still_healthy(mode);
        error
    }

    /// Jabar answers exactly as before (same decision, same fuel), and so does the hostile plugin
    /// in `ok` mode.
    fn still_healthy(&self, after: &str) {
        let jabar = self
            .engine
            .evaluate(&self.jabar, &self.jabar_input)
            .unwrap_or_else(|e| panic!("jabar failed after hostile mode `{after}`: {e}"));
        assert_eq!(
            jabar.value, self.jabar_before.value,
            "jabar's decision after hostile mode `{after}`"
        );
        assert_eq!(
            jabar.fuel_used, self.jabar_before.fuel_used,
            "jabar's fuel after hostile mode `{after}`"
        );

        let ok = hostile_input("ok");
        let call = self
            .engine
            .evaluate(&self.hostile, &ok)
            .unwrap_or_else(|e| panic!("the hostile plugin in `ok` mode failed after mode `{after}`: {e}"));
        assert_eq!(call.value, native_baseline(&ok), "hostile `ok` after mode `{after}`");
        assert_eq!(
            call.output.bytes, b"",
            "hostile `ok` prints nothing (no output leaks from mode `{after}`)"
        );
    }
}

/// The rig with [`limits`], shared by the tests that use those limits (compiling the components
/// once saves seconds; the tests then also run their failures concurrently on one engine).
fn shared() -> &'static Rig {
    static RIG: OnceLock<Rig> = OnceLock::new();
    RIG.get_or_init(|| Rig::new(limits()))
}

/// The error names the hostile plugin: its name, version and region, in the value and the message.
fn assert_names_hostile(hostile: &Plugin, error: &PluginError) {
    let id = hostile.id();
    assert_eq!((id.name.as_str(), id.region.as_str()), ("hostile", "3273"));
    assert_eq!(
        id.version,
        env!("CARGO_PKG_VERSION"),
        "the fixture shares the workspace version"
    );
    assert_eq!(error.plugin(), id);
    let message = error.to_string();
    for part in ["`hostile`", &id.version, "region 3273"] {
        assert!(message.contains(part), "`{message}` should name {part}");
    }
}

/// The cause of a trap (fails the test for any other error).
fn trap_cause(error: &PluginError) -> &TrapCause {
    match error {
        PluginError::Trap { cause, .. } => cause,
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn endless_loop_runs_out_of_fuel() {
    let rig = shared();
    let error = rig.fail("loop");
    assert_eq!(trap_cause(&error), &TrapCause::FuelExhausted { budget: FUEL });
    assert_eq!(error.kind(), "fuel");
    assert!(error.to_string().contains("fuel exhausted"), "{error}");
}

#[test]
fn deadline_stops_a_loop_even_with_unlimited_fuel() {
    let timeout = Duration::from_millis(200);
    let rig = Rig::new(Limits {
        fuel: u64::MAX / 2,
        timeout,
        ..limits()
    });
    let started = Instant::now();
    let error = rig.fail("loop");
    let took = started.elapsed();
    assert_eq!(trap_cause(&error), &TrapCause::Timeout { after: timeout });
    assert_eq!(error.kind(), "timeout");
    assert!(error.to_string().contains("deadline of 200 ms exceeded"), "{error}");
    // The engine adds one epoch tick for the tick already under way, so the deadline is a
    // minimum. `took` includes the health checks after.
    assert!(took >= timeout, "stopped after {took:?}, before its deadline");
    assert!(took < Duration::from_secs(5), "stopped only after {took:?}");
}

#[test]
fn unbounded_allocation_hits_the_memory_cap() {
    let rig = shared();
    let error = rig.fail("alloc");
    match trap_cause(&error) {
        TrapCause::MemoryLimit { limit, requested } => {
            assert_eq!(*limit, MEMORY);
            assert!(*requested > MEMORY, "requested {requested} bytes");
        }
        other => panic!("expected MemoryLimit, got {other:?}"),
    }
    assert_eq!(error.kind(), "memory");
    assert!(
        error.to_string().contains("memory limit of 16384 KiB exceeded"),
        "{error}"
    );
}

#[test]
fn panic_is_reported_with_its_message() {
    let rig = shared();
    let error = rig.fail("panic");
    assert_eq!(
        trap_cause(&error),
        &TrapCause::Panic {
            message: Some(PANIC_MESSAGE.to_owned())
        }
    );
    assert_eq!(error.kind(), "panic");
    assert!(
        error.to_string().contains(&format!("panicked: {PANIC_MESSAGE}")),
        "{error}"
    );
    let PluginError::Trap { output, .. } = &error else {
        unreachable!()
    };
    assert!(
        output.contains(PANIC_MESSAGE),
        "the trap keeps what the guest printed: {output:?}"
    );
}

#[test]
fn too_many_reasons_is_output_too_large() {
    let rig = shared();
    let error = rig.fail_on("huge (1000 reasons)", huge_input(1_000));
    let max_reasons = rig.engine.limits().max_reasons;
    assert_eq!(
        trap_cause(&error),
        &TrapCause::OutputTooLarge {
            what: "1000 reasons".to_owned(),
            limit: format!("{max_reasons} reasons")
        }
    );
    assert_eq!(error.kind(), "output_too_large");
}

/// Building 100 000 reasons costs the guest more than the tests' fuel and memory: the sandbox
/// stops it before it can answer. Given the resources, it answers, and the host refuses the answer.
#[test]
fn a_hundred_thousand_reasons_are_stopped_either_way() {
    let rig = shared();
    let error = rig.fail("huge");
    assert!(
        matches!(
            trap_cause(&error),
            TrapCause::FuelExhausted { .. } | TrapCause::MemoryLimit { .. }
        ),
        "{error}"
    );

    let rig = Rig::new(Limits {
        fuel: 2_000_000_000,
        memory_bytes: 64 << 20,
        ..limits()
    });
    let error = rig.fail("huge");
    let max_reasons = rig.engine.limits().max_reasons;
    assert_eq!(
        trap_cause(&error),
        &TrapCause::OutputTooLarge {
            what: format!("{HUGE_REASONS} reasons"),
            limit: format!("{max_reasons} reasons")
        }
    );
}

#[test]
fn megabytes_of_text_is_output_too_large() {
    let rig = shared();
    let error = rig.fail("huge-text");
    match trap_cause(&error) {
        TrapCause::OutputTooLarge { what, limit } => {
            let bytes: usize = what
                .strip_suffix(" bytes of reasons")
                .and_then(|n| n.parse().ok())
                .expect(what);
            assert!(bytes >= HUGE_TEXT_BYTES, "{what}");
            assert_eq!(limit, &format!("{} bytes", rig.engine.limits().max_output_bytes));
        }
        other => panic!("expected OutputTooLarge, got {other:?}"),
    }
}

#[test]
fn garbage_is_invalid_output() {
    let rig = shared();
    let error = rig.fail("garbage");
    match &error {
        PluginError::InvalidOutput { reason, .. } => {
            assert_eq!(reason, "max-remote-days 9 is more than a 5-day week");
        }
        other => panic!("expected InvalidOutput, got {other:?}"),
    }
    assert_eq!(error.kind(), "invalid_output");
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let rig = shared();
    let error = rig.fail("stack");
    assert_eq!(trap_cause(&error), &TrapCause::StackOverflow);
    assert_eq!(error.kind(), "stack_overflow");
}

/// Recursion with 4 KiB frames overflows Rust's shadow stack (in linear memory, below the data)
/// before the WebAssembly stack: the plugin is stopped with a named out-of-bounds cause.
#[test]
fn deep_frames_are_stopped() {
    let error = shared().fail("stack-frames");
    assert_eq!(trap_cause(&error), &TrapCause::OutOfBounds, "{error}");
    assert!(error.to_string().contains("stack overflowing"), "{error}");
}

/// A plugin that fills the log and then panics is still reported as a panic, and its output
/// stays bounded.
#[test]
fn panic_after_a_full_log_is_a_panic() {
    let rig = shared();
    let error = rig.fail("print-panic");
    assert!(matches!(trap_cause(&error), TrapCause::Panic { .. }), "{error}");
    let PluginError::Trap { output, .. } = &error else {
        unreachable!()
    };
    let kept = output.split("\n[… ").next().unwrap_or_default();
    assert!(
        kept.len() <= rig.engine.limits().max_log_bytes,
        "{} bytes of output kept",
        kept.len()
    );
}

/// The panic message is printed last, after the log is full; it should still name the cause.
#[test]
fn panic_message_survives_a_full_log() {
    let error = shared().fail("print-panic");
    assert_eq!(
        trap_cause(&error),
        &TrapCause::Panic {
            message: Some(PANIC_MESSAGE.to_owned())
        }
    );
}

#[test]
fn printing_is_captured_and_bounded() {
    let rig = shared();
    let print = hostile_input("print");
    let call = rig
        .engine
        .evaluate(&rig.hostile, &print)
        .unwrap_or_else(|e| panic!("a chatty plugin still answers: {e}"));
    assert_eq!(call.value, native_baseline(&print));
    let max_log_bytes = rig.engine.limits().max_log_bytes;
    assert!(
        call.output.bytes.len() <= max_log_bytes,
        "kept {} bytes",
        call.output.bytes.len()
    );
    assert_eq!(call.output.bytes.len(), max_log_bytes, "the first bytes are kept");
    assert!(call.output.bytes.iter().all(|&b| b == b'p'));
    assert!(call.output.dropped > 0);
    assert_eq!(
        call.output.bytes.len() + call.output.dropped,
        PRINT_BYTES + 1,
        "every byte (and the newline) counted"
    );
    assert!(
        call.output
            .text()
            .ends_with(&format!("[… {} more bytes dropped]", call.output.dropped))
    );
    rig.still_healthy("print");
}

/// All the failures in a row on one engine (instances are recycled by the pooling allocator),
/// then everything still answers.
#[test]
fn every_failure_in_a_row_leaves_the_engine_healthy() {
    let rig = shared();
    let cases = [
        ("loop", hostile_input("loop"), "fuel"),
        ("alloc", hostile_input("alloc"), "memory"),
        ("panic", hostile_input("panic"), "panic"),
        ("huge (1000 reasons)", huge_input(1_000), "output_too_large"),
        ("huge-text", hostile_input("huge-text"), "output_too_large"),
        ("garbage", hostile_input("garbage"), "invalid_output"),
        ("stack", hostile_input("stack"), "stack_overflow"),
        ("print-panic", hostile_input("print-panic"), "panic"),
        ("loop", hostile_input("loop"), "fuel"),
        ("alloc", hostile_input("alloc"), "memory"),
    ];
    for (mode, input, kind) in cases {
        assert_eq!(rig.fail_on(mode, input).kind(), kind, "mode `{mode}`");
    }
}

/// A plugin stuck in a loop on one thread does not slow the others down.
#[test]
fn a_looping_plugin_does_not_block_other_regions() {
    let timeout = Duration::from_millis(1000);
    let rig = Rig::new(Limits {
        fuel: u64::MAX / 2,
        timeout,
        ..limits()
    });
    std::thread::scope(|scope| {
        // `.err()`: only the error matters, and a thread's result need not carry a whole `Call`.
        let stuck = scope.spawn(|| rig.engine.evaluate(&rig.hostile, &hostile_input("loop")).err());
        let started = Instant::now();
        let mut answers = 0;
        while started.elapsed() < Duration::from_millis(500) {
            let call = rig
                .engine
                .evaluate(&rig.jabar, &rig.jabar_input)
                .expect("jabar answers");
            assert_eq!(call.value, rig.jabar_before.value);
            answers += 1;
        }
        assert!(
            answers >= 5,
            "only {answers} jabar answers in 500 ms beside a looping plugin"
        );
        assert!(!stuck.is_finished(), "the loop is still running");
        let error = stuck.join().expect("no panic").expect("the loop times out");
        assert_eq!(trap_cause(&error), &TrapCause::Timeout { after: timeout });
    });
}

#[test]
fn unknown_contract_version_is_refused_before_it_runs() {
    let engine = PolicyEngine::new(limits()).expect("engine");
    let error = engine
        .load(&fixture("dwa_fixture_future_contract"), "future_contract.wasm")
        .expect_err("a plugin of contract 9.0.0 must not load");
    let message = error.to_string();
    eprintln!("{message}");
    match &error {
        LoadError::UnsupportedContract {
            source_name,
            found,
            supported,
        } => {
            assert_eq!(source_name, "future_contract.wasm");
            assert!(found.contains("dwa:policy/rules@9.0.0"), "found: {found}");
            assert_eq!(supported, &SUPPORTED_CONTRACTS.join(", "));
            assert!(supported.split(", ").any(|v| v == "0.1.0"), "supported: {supported}");
        }
        other => panic!("expected UnsupportedContract, got {other:?}"),
    }
    for part in ["future_contract.wasm", "dwa:policy/rules@9.0.0", "0.1.0"] {
        assert!(message.contains(part), "`{message}` should mention {part}");
    }
}

#[test]
fn bytes_that_are_not_a_component_are_refused() {
    let engine = PolicyEngine::new(limits()).expect("engine");
    // Pseudo-random bytes (xorshift, fixed seed: the test is reproducible).
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    // The smallest valid core module: magic and version 1, no sections.
    let core_module = b"\0asm\x01\0\0\0".to_vec();
    for (bytes, source) in [
        (random, "random.wasm"),
        (core_module, "core.wasm"),
        (Vec::new(), "empty.wasm"),
    ] {
        let error = engine.load(&bytes, source).expect_err(source);
        eprintln!("{error}");
        match &error {
            LoadError::NotAComponent { source_name, .. } => assert_eq!(source_name, source),
            other => panic!("{source}: expected NotAComponent, got {other:?}"),
        }
        assert!(
            error
                .to_string()
                .starts_with(&format!("{source}: not a valid WebAssembly component")),
            "{error}"
        );
    }
}

#[test]
fn same_input_gives_the_same_decision_and_fuel() {
    let engine = &shared().engine;
    let other_engine = PolicyEngine::new(limits()).expect("engine");
    for (file, manifest) in [
        ("jabar.wasm", "32-jabar.toml"),
        ("kab_bekasi.wasm", "3216-kab-bekasi.toml"),
    ] {
        let bytes = component(&format!("rules/{file}"));
        let plugin = load(engine, &bytes, file);
        let input = input(manifest_params(manifest));
        let first = engine.evaluate(&plugin, &input).unwrap_or_else(|e| panic!("{e}"));
        let second = engine.evaluate(&plugin, &input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.value, second.value, "{file}");
        assert_eq!(first.fuel_used, second.fuel_used, "{file}");
        assert!(
            first.fuel_used > 0 && first.fuel_used < FUEL,
            "{file}: {} fuel",
            first.fuel_used
        );
        // The same on a second engine, from a second compilation.
        let again = load(&other_engine, &bytes, file);
        let third = other_engine.evaluate(&again, &input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.value, third.value, "{file} on another engine");
        assert_eq!(first.fuel_used, third.fuel_used, "{file} on another engine");
        eprintln!("{file}: {} fuel, {:?}", first.fuel_used, first.duration);
    }
}

/// The sample input under `mode`, with its `PROBE` reason's message.
fn probe(rig: &Rig, mode: &str) -> String {
    let call = rig
        .engine
        .evaluate(&rig.hostile, &hostile_input(mode))
        .unwrap_or_else(|e| panic!("mode `{mode}`: {e}"));
    let reason = call
        .value
        .reasons
        .iter()
        .find(|r| r.code == "PROBE")
        .expect("a PROBE reason");
    reason.message.en.clone()
}

#[test]
fn a_sleep_runs_in_virtual_time_and_the_clocks_are_the_evaluation_date() {
    // A deadline far shorter than the sleeps: if they waited for real, the calls would time out.
    let rig = Rig::new(Limits {
        timeout: Duration::from_millis(300),
        ..limits()
    });
    let answer = rig
        .engine
        .evaluate(&rig.hostile, &hostile_input("sleep"))
        .expect("a 20 s sleep returns at once");
    assert_eq!(answer.value, native_baseline(&hostile_input("sleep")));
    let midnight = testing::today().days_since_epoch() * 86_400;
    let clock = probe(&rig, "clock");
    assert_eq!(
        clock,
        format!("wall {midnight} slept 1500 ms"),
        "the sleep advanced the virtual clock"
    );
    assert_eq!(probe(&rig, "clock"), clock, "deterministic");
    assert_eq!(probe(&rig, "random"), probe(&rig, "random"), "seeded randomness");
}

#[test]
fn sleeping_forever_is_stopped_by_the_deadline_and_named() {
    let timeout = Duration::from_millis(200);
    let rig = Rig::new(Limits {
        fuel: u64::MAX / 2,
        timeout,
        ..limits()
    });
    let error = rig.fail("sleep-forever");
    assert_eq!(trap_cause(&error), &TrapCause::Timeout { after: timeout });
}

#[test]
fn the_sandbox_offers_no_network_files_environment_or_input() {
    let rig = shared();
    for mode in ["udp", "tcp", "file", "env", "stdin"] {
        let finding = probe(rig, mode);
        assert!(finding.starts_with("denied"), "{mode}: {finding}");
    }
}

#[test]
fn a_full_instance_pool_is_the_hosts_fault_not_the_plugins() {
    let engine = PolicyEngine::new(Limits {
        pool_instances: 2,
        ..limits()
    })
    .unwrap();
    let jabar = std::sync::Arc::new(load(&engine, &component("rules/jabar.wasm"), "jabar.wasm"));
    let input = input(manifest_params("32-jabar.toml"));
    // Two warm instances hold the whole pool.
    let mut held: Vec<_> = (0..2)
        .map(|_| {
            let mut warm = engine.warm_instance(jabar.clone(), input.today);
            warm.evaluate(&input.employee, &input.application, &input.params)
                .expect("an instance while the pool has room");
            warm
        })
        .collect();
    let error = engine.evaluate(&jabar, &input).expect_err("the pool is full");
    assert!(error.is_host_fault(), "{error:?}");
    assert_eq!(error.kind(), "host");
    let message = error.to_string();
    assert!(message.contains("the host could not run plugin"), "{message}");
    assert!(message.contains("out of plugin instances"), "{message}");
    assert!(!message.contains("trapped"), "not blamed on the plugin: {message}");
    held.clear();
    engine.evaluate(&jabar, &input).expect("the pool has room again");
}
