//! Each export called on an instance of any supported contract version, converting to and
//! from the SDK types (the conversions count in the call's time, as they are part of it).
//!
//! Contracts 0.1.0 and 0.2.0 take the parameters and the date with every call; 0.3.0 takes them
//! once, in [`configure`], which the engine calls on a fresh instance before anything else (and
//! on a warm one when they change). For the older versions `configure` does nothing.

use crate::bindings::{Instance, dispatch, v0_2_0, v0_3_0};
use crate::sandbox::HostState;
use dwa_sdk::{AllocationRequest, Application, Date, Eligibility, Employee, Grant, Params, PolicyError, Verdict};
use wasmtime::Store;

type Answer<T> = wasmtime::Result<Result<T, PolicyError>>;

pub(crate) fn info(instance: &Instance, store: &mut Store<HostState>) -> wasmtime::Result<dwa_sdk::PluginInfo> {
    dispatch!(instance, |rules, convert| Ok(rules.call_info(&mut *store)?.into()),
        v0_3 => Ok(rules.call_info(&mut *store)?.into()))
}

/// Give a 0.3.0 instance the region's parameters and the evaluation date for its later calls.
pub(crate) fn configure(instance: &Instance, store: &mut Store<HostState>, params: &Params, today: Date) -> Answer<()> {
    match instance {
        Instance::V0_3(bindings) => {
            let answer = bindings.dwa_policy_rules().call_configure(
                &mut *store,
                &v0_3_0::convert::params_to_wit(params),
                (&today).into(),
            )?;
            Ok(answer.map_err(Into::into))
        }
        Instance::V0_1(_) | Instance::V0_2(_) => Ok(Ok(())),
    }
}

pub(crate) fn evaluate(
    instance: &Instance,
    store: &mut Store<HostState>,
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
) -> Answer<Eligibility> {
    dispatch!(instance, |rules, convert| {
        let answer = rules.call_evaluate(
            &mut *store,
            &employee.into(),
            &application.into(),
            &convert::params_to_wit(params),
            (&today).into(),
        )?;
        Ok(answer.map(Into::into).map_err(Into::into))
    }, v0_3 => {
        let answer = rules.call_evaluate(&mut *store, &convert::case_to_wit(employee, application))?;
        Ok(answer.map(Into::into).map_err(Into::into))
    })
}

pub(crate) fn evaluate_batch(
    instance: &Instance,
    store: &mut Store<HostState>,
    items: &[(&Employee, &Application)],
    params: &Params,
    today: Date,
) -> wasmtime::Result<Vec<Result<Eligibility, PolicyError>>> {
    dispatch!(instance, |rules, convert| {
        let items: Vec<_> = items.iter().map(|&(e, a)| (e.into(), a.into())).collect();
        let answers =
            rules.call_evaluate_batch(&mut *store, &items, &convert::params_to_wit(params), (&today).into())?;
        Ok(answers
            .into_iter()
            .map(|r| r.map(Into::into).map_err(Into::into))
            .collect())
    }, v0_3 => {
        let cases: Vec<_> = items.iter().map(|&(e, a)| convert::case_to_wit(e, a)).collect();
        let answers = rules.call_evaluate_batch(&mut *store, &cases)?;
        Ok(answers
            .into_iter()
            .map(|r| r.map(Into::into).map_err(Into::into))
            .collect())
    })
}

pub(crate) fn decide(
    instance: &Instance,
    store: &mut Store<HostState>,
    employee: &Employee,
    application: &Application,
    params: &Params,
    today: Date,
) -> Answer<Verdict> {
    match instance {
        // 0.1.0 has no `decide`: its `evaluate`, without the messages, is the same outcome.
        Instance::V0_1(_) => Ok(evaluate(instance, store, employee, application, params, today)?.map(Verdict::from)),
        Instance::V0_2(bindings) => {
            let answer = bindings.dwa_policy_rules().call_decide(
                &mut *store,
                &employee.into(),
                &application.into(),
                &v0_2_0::convert::params_to_wit(params),
                (&today).into(),
            )?;
            Ok(answer.map(Into::into).map_err(Into::into))
        }
        Instance::V0_3(bindings) => {
            let case = v0_3_0::convert::case_to_wit(employee, application);
            let answer = bindings.dwa_policy_rules().call_decide(&mut *store, &case)?;
            Ok(answer.map(Into::into).map_err(Into::into))
        }
    }
}

pub(crate) fn decide_batch(
    instance: &Instance,
    store: &mut Store<HostState>,
    items: &[(&Employee, &Application)],
    params: &Params,
    today: Date,
) -> wasmtime::Result<Vec<Result<Verdict, PolicyError>>> {
    match instance {
        Instance::V0_1(_) => Ok(evaluate_batch(instance, store, items, params, today)?
            .into_iter()
            .map(|r| r.map(Verdict::from))
            .collect()),
        Instance::V0_2(bindings) => {
            let items: Vec<_> = items.iter().map(|&(e, a)| (e.into(), a.into())).collect();
            let answers = bindings.dwa_policy_rules().call_decide_batch(
                &mut *store,
                &items,
                &v0_2_0::convert::params_to_wit(params),
                (&today).into(),
            )?;
            Ok(answers
                .into_iter()
                .map(|r| r.map(Into::into).map_err(Into::into))
                .collect())
        }
        Instance::V0_3(bindings) => {
            let cases: Vec<_> = items.iter().map(|&(e, a)| v0_3_0::convert::case_to_wit(e, a)).collect();
            let answers = bindings.dwa_policy_rules().call_decide_batch(&mut *store, &cases)?;
            Ok(answers
                .into_iter()
                .map(|r| r.map(Into::into).map_err(Into::into))
                .collect())
        }
    }
}

pub(crate) fn allocate(
    instance: &Instance,
    store: &mut Store<HostState>,
    request: &AllocationRequest,
    params: &Params,
) -> Answer<Vec<Grant>> {
    dispatch!(instance, |rules, convert| {
        let answer = rules.call_allocate(&mut *store, &request.into(), &convert::params_to_wit(params))?;
        Ok(answer
            .map(|grants| grants.into_iter().map(Into::into).collect())
            .map_err(Into::into))
    }, v0_3 => {
        let answer = rules.call_allocate(&mut *store, &request.into())?;
        Ok(answer
            .map(|grants| grants.into_iter().map(Into::into).collect())
            .map_err(Into::into))
    })
}

/// [`configure`] then `f`, on a fresh instance: a refused configuration is the call's answer.
pub(crate) fn configured<T>(
    instance: &Instance,
    store: &mut Store<HostState>,
    params: &Params,
    today: Date,
    f: impl FnOnce(&Instance, &mut Store<HostState>) -> Answer<T>,
) -> Answer<T> {
    match configure(instance, store, params, today)? {
        Ok(()) => f(instance, store),
        Err(refused) => Ok(Err(refused)),
    }
}

/// [`configured`] for a batch: a refused configuration is every item's answer.
pub(crate) fn configured_batch<T>(
    instance: &Instance,
    store: &mut Store<HostState>,
    params: &Params,
    today: Date,
    items: usize,
    f: impl FnOnce(&Instance, &mut Store<HostState>) -> wasmtime::Result<Vec<Result<T, PolicyError>>>,
) -> wasmtime::Result<Vec<Result<T, PolicyError>>> {
    match configure(instance, store, params, today)? {
        Ok(()) => f(instance, store),
        Err(refused) => Ok((0..items).map(|_| Err(refused.clone())).collect()),
    }
}
