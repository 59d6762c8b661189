//! The WebAssembly engine: one wasmtime [`Engine`] (pooling allocator, fuel metering, epoch
//! interruption), one linker built once, and sandboxed calls into rule plugins with a fresh
//! [`Store`] per call. It knows nothing of HTTP, manifests or the database.

mod bindings;
mod error;
mod plugin;
mod sandbox;

pub use error::{LoadError, PluginError, PluginId, TrapCause};
pub use plugin::{Plugin, SUPPORTED_CONTRACTS};
pub use sandbox::GuestOutput;

use bindings::convert;
use dwa_sdk::{AllocationRequest, Date, Eligibility, EvaluationInput, Grant, Params};
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
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 50_000_000,
            timeout: Duration::from_millis(500),
            memory_bytes: 32 << 20,
            max_output_bytes: 64 << 10,
            max_reasons: 64,
            max_log_bytes: 4 << 10,
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
}

impl PolicyEngine {
    /// An engine with the given per-call limits, and its epoch ticker thread.
    pub fn new(limits: Limits) -> Result<PolicyEngine, LoadError> {
        let mut pool = PoolingAllocationConfig::new();
        pool.max_memory_size(limits.memory_bytes)
            .total_memories(512)
            .total_tables(512)
            .total_core_instances(1024)
            .total_component_instances(512)
            // Keeping a little memory resident between instances avoids page faults on reuse.
            .linear_memory_keep_resident(1 << 20)
            .table_keep_resident(64 << 10);
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(512 << 10)
            .concurrency_support(false)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
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
        })
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

    /// Evaluate one application.
    pub fn evaluate(&self, plugin: &Plugin, input: &EvaluationInput) -> Result<Call<Eligibility>, PluginError> {
        let employee = (&input.employee).into();
        let application = (&input.application).into();
        let params = convert::params_to_wit(&input.params);
        let today = (&input.today).into();
        let call = self.call(plugin, input.today, |rules, store| {
            rules.call_evaluate(store, &employee, &application, &params, today)
        })?;
        let value = call.value.map_err(|e| plugin.refused(e.into()))?;
        let eligibility: Eligibility = value.into();
        self.check_eligibility(plugin, &eligibility)?;
        Ok(Call {
            value: eligibility,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Evaluate many applications of one region in a single call (one store, one instance).
    pub fn evaluate_batch(
        &self,
        plugin: &Plugin,
        items: &[(dwa_sdk::Employee, dwa_sdk::Application)],
        params: &Params,
        today: Date,
    ) -> Result<Call<Vec<Result<Eligibility, PluginError>>>, PluginError> {
        let wit_items: Vec<_> = items.iter().map(|(e, a)| (e.into(), a.into())).collect();
        let wit_params = convert::params_to_wit(params);
        let wit_today = (&today).into();
        let call = self.call(plugin, today, |rules, store| {
            rules.call_evaluate_batch(store, &wit_items, &wit_params, wit_today)
        })?;
        if call.value.len() != items.len() {
            return Err(plugin.invalid_output(format!(
                "evaluate-batch returned {} results for {} items",
                call.value.len(),
                items.len()
            )));
        }
        let value = call
            .value
            .into_iter()
            .map(|r| match r {
                Ok(e) => {
                    let e: Eligibility = e.into();
                    self.check_eligibility(plugin, &e).map(|()| e)
                }
                Err(e) => Err(plugin.refused(e.into())),
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
        let wit_request = request.into();
        let wit_params = convert::params_to_wit(params);
        let call = self.call(plugin, today, |rules, store| {
            rules.call_allocate(store, &wit_request, &wit_params)
        })?;
        let value = call.value.map_err(|e| plugin.refused(e.into()))?;
        let grants: Vec<Grant> = value.into_iter().map(Into::into).collect();
        check_grants(plugin, request, &grants)?;
        Ok(Call {
            value: grants,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
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
            |rules, store| rules.call_info(store),
        )?;
        let info: dwa_sdk::PluginInfo = call.value.into();
        let size = info.region.len() + info.name.len() + info.version.len() + info.contract.len();
        if size > 1024 {
            return Err(plugin.invalid_output(format!("info is {size} bytes long")));
        }
        Ok(info)
    }

    /// Run `f` against a fresh instance under the limits, and turn any failure into a
    /// [`PluginError`] naming the plugin and the cause.
    fn call<R>(
        &self,
        plugin: &Plugin,
        today: Date,
        f: impl FnOnce(&bindings::Rules, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<Call<R>, PluginError> {
        let started = Instant::now();
        let state = HostState::new(&self.limits, plugin.needs_wasi(), today);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_fuel(self.limits.fuel).expect("fuel is enabled in the config");
        // One extra tick: the current tick is already partly over, and the deadline is a minimum.
        let ticks = (self.limits.timeout.as_millis() / EPOCH_TICK.as_millis()) as u64 + 1;
        store.set_epoch_deadline(ticks);
        let result = plugin
            .instantiate(&mut store)
            .and_then(|instance| f(instance.dwa_policy_rules(), &mut store));
        let fuel_used = self.limits.fuel - store.get_fuel().unwrap_or(0);
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
                budget: self.limits.fuel,
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

    /// Structural checks every decision must pass, whatever the region.
    fn check_eligibility(&self, plugin: &Plugin, e: &Eligibility) -> Result<(), PluginError> {
        if e.max_remote_days > 5 {
            return Err(plugin.invalid_output(format!(
                "max-remote-days {} is more than a 5-day week",
                e.max_remote_days
            )));
        }
        if e.eligible && e.reasons.iter().any(|r| !r.passed) {
            return Err(plugin.invalid_output("eligible although a gate failed".into()));
        }
        if e.reasons.is_empty() {
            return Err(plugin.invalid_output("a decision without reasons".into()));
        }
        if e.approvals_required.len() > 8 {
            return Err(plugin.invalid_output(format!("{} approvals required", e.approvals_required.len())));
        }
        if e.reasons.len() > self.limits.max_reasons {
            return Err(PluginError::Trap {
                plugin: plugin.shared_id(),
                cause: TrapCause::OutputTooLarge {
                    what: format!("{} reasons", e.reasons.len()),
                    limit: format!("{} reasons", self.limits.max_reasons),
                },
                output: String::new(),
            });
        }
        let bytes: usize = e
            .reasons
            .iter()
            .map(|r| {
                r.code.len()
                    + r.message.id.len()
                    + r.message.en.len()
                    + r.remedy.as_ref().map_or(0, |t| t.id.len() + t.en.len())
            })
            .sum();
        if bytes > self.limits.max_output_bytes {
            return Err(PluginError::Trap {
                plugin: plugin.shared_id(),
                cause: TrapCause::OutputTooLarge {
                    what: format!("{bytes} bytes of reasons"),
                    limit: format!("{} bytes", self.limits.max_output_bytes),
                },
                output: String::new(),
            });
        }
        if let Some(r) = e
            .reasons
            .iter()
            .find(|r| r.code.is_empty() || r.message.id.is_empty() || r.message.en.is_empty())
        {
            return Err(plugin.invalid_output(format!(
                "reason `{}` lacks a code or a message in both languages",
                r.code
            )));
        }
        Ok(())
    }
}

/// Grants must answer exactly the candidates asked about, within their eligibility, with
/// `remote_days` distinct weekdays each.
fn check_grants(plugin: &Plugin, request: &AllocationRequest, grants: &[Grant]) -> Result<(), PluginError> {
    if grants.len() > request.candidates.len() {
        return Err(plugin.invalid_output(format!(
            "{} grants for {} candidates",
            grants.len(),
            request.candidates.len()
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for grant in grants {
        let Some(candidate) = request
            .candidates
            .iter()
            .find(|c| c.application_id == grant.application_id)
        else {
            return Err(plugin.invalid_output(format!("grant for unknown application `{}`", grant.application_id)));
        };
        if !seen.insert(grant.application_id.as_str()) {
            return Err(plugin.invalid_output(format!("two grants for application `{}`", grant.application_id)));
        }
        if grant.nip != candidate.nip {
            return Err(plugin.invalid_output(format!("grant for `{}` names another NIP", grant.application_id)));
        }
        if grant.remote_days > candidate.max_remote_days {
            return Err(plugin.invalid_output(format!(
                "granted {} days to `{}`, eligible for {}",
                grant.remote_days, grant.application_id, candidate.max_remote_days
            )));
        }
        let mut days = grant.weekdays.clone();
        days.sort_unstable();
        days.dedup();
        if days.len() != grant.weekdays.len() || days.len() != grant.remote_days as usize {
            return Err(plugin.invalid_output(format!(
                "grant for `{}` has {} days but weekdays {:?}",
                grant.application_id, grant.remote_days, grant.weekdays
            )));
        }
    }
    Ok(())
}

impl Drop for PolicyEngine {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}
