//! The WebAssembly engine: one wasmtime [`Engine`] (pooling allocator, fuel metering, epoch
//! interruption), one linker built once, and sandboxed calls into rule plugins with a fresh
//! [`Store`] per call (or, for one owner's many calls, a [`WarmInstance`]). It knows nothing of
//! HTTP, manifests or the database.

mod bindings;
mod calls;
mod checks;
mod compile_cache;
mod error;
mod offload;
mod plugin;
mod sandbox;
mod warm;

pub use compile_cache::CacheRefused;
pub use dwa_domain::{GuestOutput, text};
pub use error::{HostFault, LoadError, PluginError, PluginId, TrapCause};
pub use offload::run_blocking;
pub use plugin::{Plugin, SUPPORTED_CONTRACTS};
pub use warm::WarmInstance;

use bindings::Instance;
use dwa_sdk::{AllocationRequest, Application, Date, Eligibility, Employee, EvaluationInput, Grant, Params, Verdict};
use sandbox::HostState;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, Trap};

/// How often the epoch advances; the unit of the wall-clock deadline.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Per-call resource limits of the sandbox.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Instruction budget (wasmtime fuel) of one call.
    pub fuel: u64,
    /// Wall-clock deadline of one call (epoch interruption).
    pub timeout: Duration,
    /// Cap on a plugin's linear memory.
    pub memory_bytes: usize,
    /// Cap on the size of one call's result (strings and list items, in bytes).
    pub max_output_bytes: usize,
    /// Cap on the number of reasons in one decision.
    pub max_reasons: usize,
    /// Bytes of guest stdout/stderr kept per call; the rest is dropped.
    pub max_log_bytes: usize,
    /// Calls of one region that may run at once; more wait (up to `timeout`), then are
    /// answered "busy". Regions × this stays below the engine's instance pool, so one region
    /// cannot take every instance.
    pub max_concurrent_per_region: usize,
    /// Bound on validating one candidate (every worked example and the allocation example).
    pub validation_timeout: Duration,
    /// Instances the engine's pool holds at once (component instances; memories and tables
    /// alike). Calls past it fail as a host fault ([`HostFault::PoolExhausted`]).
    pub pool_instances: u32,
}

/// The default of [`Limits::pool_instances`]: 28 regions × 16 calls each fit, with room for
/// validations and dry runs.
pub const POOL_INSTANCES: u32 = 512;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 50_000_000,
            timeout: Duration::from_millis(500),
            memory_bytes: 32 << 20,
            max_output_bytes: 64 << 10,
            max_reasons: 64,
            max_log_bytes: 4 << 10,
            max_concurrent_per_region: 16,
            validation_timeout: Duration::from_secs(10),
            pool_instances: POOL_INSTANCES,
        }
    }
}

/// What a successful call returned, with what it cost.
#[derive(Clone, Debug)]
pub struct Call<T> {
    /// The plugin's answer.
    pub value: T,
    /// Fuel consumed (deterministic for the same input).
    pub fuel_used: u64,
    /// Wall-clock time of instantiation and call.
    pub duration: Duration,
    /// Captured guest stdout/stderr (bounded).
    pub output: GuestOutput,
}

/// The sandboxed plugin engine, shared by every region.
pub struct PolicyEngine {
    engine: Engine,
    linker: Linker<HostState>,
    limits: Limits,
    ticker_stop: Arc<AtomicBool>,
    compile_cache: Option<compile_cache::CompileCache>,
}

impl PolicyEngine {
    /// An engine with the given per-call limits, and its epoch ticker thread.
    pub fn new(limits: Limits) -> Result<PolicyEngine, LoadError> {
        let mut pool = PoolingAllocationConfig::new();
        pool.max_memory_size(limits.memory_bytes)
            // A plugin instance is one component instance made of a few core instances, each
            // with its tables and memories: size those so the component count binds first.
            .total_component_instances(limits.pool_instances)
            .total_core_instances(4 * limits.pool_instances)
            .total_tables(4 * limits.pool_instances)
            .total_memories(2 * limits.pool_instances)
            // Keeping a little memory resident between instances avoids page faults on reuse.
            // (and resetting only the pages a call touched is what makes a fresh instance cheap).
            .linear_memory_keep_resident(2 << 20)
            .table_keep_resident(64 << 10);
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            // Rules recurse little: a small stack is cheaper to set up for every instance.
            .max_wasm_stack(256 << 10)
            .concurrency_support(false)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        // `DWA_PERF_MAP=1`: name the compiled plugin functions in /tmp/perf-PID.map, so `perf
        // report` shows where a plugin call spends its time (README, Performance). Off by
        // default: it writes a file per process.
        if std::env::var_os("DWA_PERF_MAP").is_some_and(|v| !v.is_empty() && v != "0") {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(|e| LoadError::Engine(format!("{e:#}")))?;
        let mut linker = Linker::new(&engine);
        sandbox::add_to_linker(&mut linker).map_err(|e| LoadError::Engine(format!("{e:#}")))?;

        let ticker_stop = Arc::new(AtomicBool::new(false));
        let (ticking_engine, stop) = (engine.clone(), ticker_stop.clone());
        std::thread::Builder::new()
            .name("dwa-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    ticking_engine.increment_epoch();
                }
            })
            .map_err(|e| LoadError::Engine(format!("cannot start the epoch thread: {e}")))?;
        Ok(PolicyEngine {
            engine,
            linker,
            limits,
            ticker_stop,
            compile_cache: None,
        })
    }

    /// Keep compiled plugins under `dir` (see `engine/compile_cache.rs`): a restart or a
    /// parameter-only reload then loads machine code instead of compiling again. A folder that
    /// is not private to this user is refused (the engine then compiles every time).
    pub fn use_compile_cache(&mut self, dir: &std::path::Path) -> Result<(), CacheRefused> {
        self.compile_cache = Some(compile_cache::CompileCache::open(dir, &self.engine)?);
        Ok(())
    }

    /// The per-call limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compile, check the contract version and pre-instantiate a plugin, then ask its `info`.
    /// `source` names the file in errors.
    pub fn load(&self, bytes: &[u8], source: &str) -> Result<Plugin, LoadError> {
        Plugin::load(self, bytes, source)
    }

    /// Evaluate one application, with its reasons.
    pub fn evaluate(&self, plugin: &Plugin, input: &EvaluationInput) -> Result<Call<Eligibility>, PluginError> {
        let (params, today) = (&input.params, input.today);
        let call = self.call(plugin, today, |instance, store| {
            calls::configured(instance, store, params, today, |instance, store| {
                calls::evaluate(instance, store, &input.employee, &input.application, params, today)
            })
        })?;
        let mut eligibility = call.value.map_err(|e| plugin.refused(e))?;
        self.check_eligibility(plugin, &mut eligibility)?;
        Ok(Call {
            value: eligibility,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Decide one application: the outcome of [`PolicyEngine::evaluate`] without its messages.
    pub fn decide(&self, plugin: &Plugin, input: &EvaluationInput) -> Result<Call<Verdict>, PluginError> {
        let (params, today) = (&input.params, input.today);
        let call = self.call(plugin, today, |instance, store| {
            calls::configured(instance, store, params, today, |instance, store| {
                calls::decide(instance, store, &input.employee, &input.application, params, today)
            })
        })?;
        let mut verdict = call.value.map_err(|e| plugin.refused(e))?;
        self.check_verdict(plugin, &mut verdict)?;
        Ok(Call {
            value: verdict,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Evaluate many applications of one region in a single call (one store, one instance).
    pub fn evaluate_batch(
        &self,
        plugin: &Plugin,
        items: &[(&Employee, &Application)],
        params: &Params,
        today: Date,
    ) -> Result<Call<Vec<Result<Eligibility, PluginError>>>, PluginError> {
        let call = self.call_scaled(plugin, today, items.len(), |instance, store| {
            calls::configured_batch(instance, store, params, today, items.len(), |instance, store| {
                calls::evaluate_batch(instance, store, items, params, today)
            })
        })?;
        self.check_batch_len(plugin, "evaluate-batch", call.value.len(), items.len())?;
        let value = call
            .value
            .into_iter()
            .map(|r| {
                let mut e = r.map_err(|e| plugin.refused(e))?;
                self.check_eligibility(plugin, &mut e).map(|()| e)
            })
            .collect();
        Ok(Call {
            value,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Decide many applications of one region in a single call (one store, one instance).
    pub fn decide_batch(
        &self,
        plugin: &Plugin,
        items: &[(&Employee, &Application)],
        params: &Params,
        today: Date,
    ) -> Result<Call<Vec<Result<Verdict, PluginError>>>, PluginError> {
        let call = self.call_scaled(plugin, today, items.len(), |instance, store| {
            calls::configured_batch(instance, store, params, today, items.len(), |instance, store| {
                calls::decide_batch(instance, store, items, params, today)
            })
        })?;
        self.check_batch_len(plugin, "decide-batch", call.value.len(), items.len())?;
        let value = call
            .value
            .into_iter()
            .map(|r| {
                let mut v = r.map_err(|e| plugin.refused(e))?;
                self.check_verdict(plugin, &mut v).map(|()| v)
            })
            .collect();
        Ok(Call {
            value,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Grant patterns for one unit.
    pub fn allocate(
        &self,
        plugin: &Plugin,
        request: &AllocationRequest,
        params: &Params,
        today: Date,
    ) -> Result<Call<Vec<Grant>>, PluginError> {
        let call = self.call(plugin, today, |instance, store| {
            calls::configured(instance, store, params, today, |instance, store| {
                calls::allocate(instance, store, request, params)
            })
        })?;
        let grants = call.value.map_err(|e| plugin.refused(e))?;
        checks::check_grants(plugin, request, &grants)?;
        Ok(Call {
            value: grants,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// One instance of `plugin` kept for many calls by one owner (see [`WarmInstance`]).
    pub fn warm_instance(&self, plugin: std::sync::Arc<Plugin>, today: Date) -> WarmInstance<'_> {
        WarmInstance::new(self, plugin, today)
    }

    /// Ask a plugin who it is.
    pub(crate) fn info(&self, plugin: &Plugin) -> Result<dwa_sdk::PluginInfo, PluginError> {
        let call = self.call(
            plugin,
            Date {
                year: 1970,
                month: 1,
                day: 1,
            },
            calls::info,
        )?;
        let mut info = call.value;
        let size = info.region.len() + info.name.len() + info.version.len() + info.contract.len();
        if size > 1024 {
            return Err(plugin.invalid_output(format!("info is {size} bytes long")));
        }
        for field in [&mut info.region, &mut info.name, &mut info.version, &mut info.contract] {
            text::clean(field, text::MAX_MESSAGE_BYTES);
        }
        Ok(info)
    }

    /// A store for one plugin's calls, with the memory cap (and WASI, lazily, if it imports it).
    pub(crate) fn new_store(&self, _plugin: &Plugin, today: Date) -> Store<HostState> {
        let state = HostState::new(&self.limits, today);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store
    }

    /// Run `f` against a fresh instance under the limits, and turn any failure into a
    /// [`PluginError`] naming the plugin and the cause.
    fn call<R>(
        &self,
        plugin: &Plugin,
        today: Date,
        f: impl FnOnce(&Instance, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<Call<R>, PluginError> {
        self.call_scaled(plugin, today, 1, f)
    }

    /// [`PolicyEngine::call`] for a batch of `items` decisions: the fuel budget is one
    /// decision's budget per item (the wall-clock deadline stays the same).
    fn call_scaled<R>(
        &self,
        plugin: &Plugin,
        today: Date,
        items: usize,
        f: impl FnOnce(&Instance, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<Call<R>, PluginError> {
        let started = Instant::now();
        self.check_thread(plugin)?;
        let mut store = self.new_store(plugin, today);
        self.arm(&mut store, items);
        let result = plugin
            .instantiate(&mut store)
            .and_then(|instance| f(&instance, &mut store));
        self.finish(plugin, &mut store, started, result)
    }

    /// Refuse, as a host fault, a call on a thread where a WASI call would crash the host.
    pub(crate) fn check_thread(&self, plugin: &Plugin) -> Result<(), PluginError> {
        if offload::may_call_here() {
            return Ok(());
        }
        tracing::error!(plugin = %plugin.id(), "plugin call on an async worker thread refused (a host bug)");
        Err(PluginError::Host {
            plugin: plugin.shared_id(),
            fault: HostFault::AsyncWorker,
        })
    }

    /// Instances of the engine's pool in use now (component instances).
    pub fn instances_in_use(&self) -> u64 {
        self.engine
            .pooling_allocator_metrics()
            .map_or(0, |m| m.component_instances())
    }

    /// Give a store a full fuel budget and a fresh deadline for one call.
    pub(crate) fn arm(&self, store: &mut Store<HostState>, items: usize) {
        let budget = self.budget(items);
        store.set_fuel(budget).expect("fuel is enabled in the config");
        store.data_mut().fuel_budget = budget;
        // One extra tick: the current tick is already partly over, and the deadline is a minimum.
        let ticks = (self.limits.timeout.as_millis() / EPOCH_TICK.as_millis()) as u64 + 1;
        store.set_epoch_deadline(ticks);
    }

    /// The fuel budget of a call deciding `items` applications.
    fn budget(&self, items: usize) -> u64 {
        self.limits.fuel.saturating_mul(items.max(1) as u64)
    }

    /// What a call cost and returned, or why it failed.
    pub(crate) fn finish<R>(
        &self,
        plugin: &Plugin,
        store: &mut Store<HostState>,
        started: Instant,
        result: wasmtime::Result<R>,
    ) -> Result<Call<R>, PluginError> {
        let fuel_used = store.data().fuel_budget - store.get_fuel().unwrap_or(0);
        let duration = started.elapsed();
        let output = store.data_mut().take_output();
        match result {
            Ok(value) => Ok(Call {
                value,
                fuel_used,
                duration,
                output,
            }),
            Err(error) => {
                if let Some(limit) = error.downcast_ref::<wasmtime::PoolConcurrencyLimitError>() {
                    tracing::error!(plugin = %plugin.id(), error = %limit, "the engine's instance pool is full");
                    return Err(PluginError::Host {
                        plugin: plugin.shared_id(),
                        fault: HostFault::PoolExhausted(limit.to_string()),
                    });
                }
                let cause = self.classify(&error, store.data(), &output);
                Err(PluginError::Trap {
                    plugin: plugin.shared_id(),
                    cause,
                    output: output.text(),
                })
            }
        }
    }

    fn classify(&self, error: &wasmtime::Error, state: &HostState, output: &GuestOutput) -> TrapCause {
        if let Some(requested) = state.limiter.exceeded {
            return TrapCause::MemoryLimit {
                limit: self.limits.memory_bytes,
                requested,
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => TrapCause::FuelExhausted {
                budget: state.fuel_budget,
            },
            Some(Trap::Interrupt) => TrapCause::Timeout {
                after: self.limits.timeout,
            },
            Some(Trap::StackOverflow) => TrapCause::StackOverflow,
            Some(Trap::MemoryOutOfBounds) => TrapCause::OutOfBounds,
            Some(Trap::UnreachableCodeReached) => TrapCause::Panic {
                message: output.panic_message(),
            },
            Some(other) => TrapCause::Other(other.to_string()),
            None => TrapCause::Abi(format!("{error:#}")),
        }
    }
}

impl Drop for PolicyEngine {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}
