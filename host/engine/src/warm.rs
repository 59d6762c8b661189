//! One plugin instance kept warm for many calls by one owner: the cheapest way to run many
//! single decisions (a replay, a benchmark), where a fresh instance per call would cost more
//! than the rules themselves.
//!
//! Every call still gets the full fuel budget and deadline, and its output is checked like any
//! other. What a reused instance cannot promise is isolation between its own calls — a plugin
//! could keep state in its memory — so the host uses fresh instances wherever decisions of
//! different requests meet. After a trap the instance is dropped and the next call starts a new
//! one.
//!
//! A 0.3.0 instance keeps its configuration (`configure`: the parameters and the date) between
//! calls; it is configured again only when a call brings other parameters.

use super::bindings::Instance;
use super::sandbox::HostState;
use super::{Call, PluginError, PolicyEngine, calls};
use crate::Plugin;
use dwa_sdk::{Application, Date, Eligibility, Employee, Params, PolicyError, Verdict};
use std::sync::Arc;
use std::time::Instant;
use wasmtime::Store;

/// A plugin instance reused across calls (see the module docs).
pub struct WarmInstance<'e> {
    engine: &'e PolicyEngine,
    plugin: Arc<Plugin>,
    today: Date,
    live: Option<(Store<HostState>, Instance)>,
    /// The parameters the live instance was configured with.
    configured: Option<Params>,
}

impl<'e> WarmInstance<'e> {
    pub(super) fn new(engine: &'e PolicyEngine, plugin: Arc<Plugin>, today: Date) -> WarmInstance<'e> {
        WarmInstance {
            engine,
            plugin,
            today,
            live: None,
            configured: None,
        }
    }

    /// The plugin this instance runs.
    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    /// Evaluate one application, with its reasons.
    pub fn evaluate(
        &mut self,
        employee: &Employee,
        application: &Application,
        params: &Params,
    ) -> Result<Call<Eligibility>, PluginError> {
        let today = self.today;
        let call = self.run(params, |instance, store| {
            calls::evaluate(instance, store, employee, application, params, today)
        })?;
        let mut eligibility = call.value.map_err(|e| self.plugin.refused(e))?;
        self.engine.check_eligibility(&self.plugin, &mut eligibility)?;
        Ok(Call {
            value: eligibility,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Decide one application (its outcome without the messages).
    pub fn decide(
        &mut self,
        employee: &Employee,
        application: &Application,
        params: &Params,
    ) -> Result<Call<Verdict>, PluginError> {
        let today = self.today;
        let call = self.run(params, |instance, store| {
            calls::decide(instance, store, employee, application, params, today)
        })?;
        let mut verdict = call.value.map_err(|e| self.plugin.refused(e))?;
        self.engine.check_verdict(&self.plugin, &mut verdict)?;
        Ok(Call {
            value: verdict,
            fuel_used: call.fuel_used,
            duration: call.duration,
            output: call.output,
        })
    }

    /// Run `f` on the live instance (or a new one), configured with `params` first unless it
    /// already is.
    fn run<R>(
        &mut self,
        params: &Params,
        f: impl FnOnce(&Instance, &mut Store<HostState>) -> wasmtime::Result<Result<R, PolicyError>>,
    ) -> Result<Call<Result<R, PolicyError>>, PluginError> {
        let started = Instant::now();
        self.engine.check_thread(&self.plugin)?;
        let (mut store, instance) = match self.live.take() {
            Some(live) => live,
            None => {
                self.configured = None;
                let mut store = self.engine.new_store(&self.plugin, self.today);
                self.engine.arm(&mut store, 1);
                let instance = self.plugin.instantiate(&mut store);
                match instance {
                    Ok(instance) => (store, instance),
                    Err(e) => return self.engine.finish(&self.plugin, &mut store, started, Err(e)),
                }
            }
        };
        self.engine.arm(&mut store, 1);
        let result = if self.configured.as_ref() == Some(params) {
            f(&instance, &mut store)
        } else {
            self.configured = None;
            match calls::configure(&instance, &mut store, params, self.today) {
                Ok(Ok(())) => {
                    self.configured = Some(params.clone());
                    f(&instance, &mut store)
                }
                Ok(Err(refused)) => Ok(Err(refused)),
                Err(trap) => Err(trap),
            }
        };
        let failed = result.is_err();
        let call = self.engine.finish(&self.plugin, &mut store, started, result);
        if !failed {
            // Kept only after a clean call: a trapped instance may be left half-way.
            self.live = Some((store, instance));
        }
        call
    }
}
