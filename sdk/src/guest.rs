//! The WebAssembly side: wit-bindgen bindings for the contract and the glue that
//! [`export_policy!`](crate::export_policy) wires to a [`Policy`]. Compiled only for `wasm32`.

use crate::policy::Policy;

/// Generated bindings of `sdk/wit/v0.2.0` (world `plugin`).
#[allow(missing_docs, unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/v0.2.0",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__dwa_export_bindings",
        default_bindings_module: "dwa_sdk::guest::bindings",
    });
}

/// The generated contract types.
pub use bindings::dwa::policy::types as wit;

/// Conversions between [`wit`] and the SDK types.
#[allow(missing_docs)]
pub mod convert {
    crate::wit_conversions!(super::bindings::dwa::policy::types);
    crate::wit_verdict_conversions!(super::bindings::dwa::policy::types);
}

/// `info` export.
pub fn info<P: Policy>() -> wit::PluginInfo {
    (&P::info()).into()
}

/// `evaluate` export.
pub fn evaluate<P: Policy>(
    employee: wit::Employee,
    application: wit::Application,
    params: Vec<wit::Param>,
    today: wit::Date,
) -> Result<wit::Eligibility, wit::PluginError> {
    let params = convert::params_from_wit(params);
    P::evaluate(&employee.into(), &application.into(), &params, today.into())
        .map(|e| (&e).into())
        .map_err(|e| (&e).into())
}

/// `evaluate-batch` export.
pub fn evaluate_batch<P: Policy>(
    items: Vec<(wit::Employee, wit::Application)>,
    params: Vec<wit::Param>,
    today: wit::Date,
) -> Vec<Result<wit::Eligibility, wit::PluginError>> {
    let params = convert::params_from_wit(params);
    let items: Vec<_> = items.into_iter().map(|(e, a)| (e.into(), a.into())).collect();
    P::evaluate_batch(&items, &params, today.into())
        .iter()
        .map(|r| r.as_ref().map(Into::into).map_err(Into::into))
        .collect()
}

/// `decide` export.
pub fn decide<P: Policy>(
    employee: wit::Employee,
    application: wit::Application,
    params: Vec<wit::Param>,
    today: wit::Date,
) -> Result<wit::Verdict, wit::PluginError> {
    let params = convert::params_from_wit(params);
    P::decide(&employee.into(), &application.into(), &params, today.into())
        .map(Into::into)
        .map_err(|e| (&e).into())
}

/// `decide-batch` export.
pub fn decide_batch<P: Policy>(
    items: Vec<(wit::Employee, wit::Application)>,
    params: Vec<wit::Param>,
    today: wit::Date,
) -> Vec<Result<wit::Verdict, wit::PluginError>> {
    let params = convert::params_from_wit(params);
    let items: Vec<_> = items.into_iter().map(|(e, a)| (e.into(), a.into())).collect();
    P::decide_batch(&items, &params, today.into())
        .into_iter()
        .map(|r| r.map(Into::into).map_err(|e| (&e).into()))
        .collect()
}

/// `allocate` export.
pub fn allocate<P: Policy>(
    request: wit::AllocationRequest,
    params: Vec<wit::Param>,
) -> Result<Vec<wit::Grant>, wit::PluginError> {
    let params = convert::params_from_wit(params);
    P::allocate(&request.into(), &params)
        .map(|grants| grants.iter().map(Into::into).collect())
        .map_err(|e| (&e).into())
}
