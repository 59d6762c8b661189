//! Each export called on an instance of any supported contract version, converting to and
//! from the SDK types (the conversions count in the call's time, as they are part of it).

use crate::bindings::{Instance, dispatch};
use crate::sandbox::HostState;
use dwa_sdk::{AllocationRequest, Application, Date, Eligibility, Employee, Grant, Params, PolicyError, Verdict};
use wasmtime::Store;

type Answer<T> = wasmtime::Result<Result<T, PolicyError>>;

pub(crate) fn info(instance: &Instance, store: &mut Store<HostState>) -> wasmtime::Result<dwa_sdk::PluginInfo> {
    dispatch!(instance, |rules, convert| Ok(rules.call_info(&mut *store)?.into()))
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
            use crate::bindings::v0_2_0::convert;
            let answer = bindings.dwa_policy_rules().call_decide(
                &mut *store,
                &employee.into(),
                &application.into(),
                &convert::params_to_wit(params),
                (&today).into(),
            )?;
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
            use crate::bindings::v0_2_0::convert;
            let items: Vec<_> = items.iter().map(|&(e, a)| (e.into(), a.into())).collect();
            let answers = bindings.dwa_policy_rules().call_decide_batch(
                &mut *store,
                &items,
                &convert::params_to_wit(params),
                (&today).into(),
            )?;
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
    })
}
