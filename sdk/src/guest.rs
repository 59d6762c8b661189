//! The WebAssembly side: wit-bindgen bindings for the contract and the glue that
//! [`export_policy!`](crate::export_policy) wires to a [`Policy`]. Compiled only for `wasm32`.
//!
//! Contract 0.3.0 configures an instance once (`configure`: the region's parameters and the
//! evaluation date), and every later call reads that configuration, so a decision carries only
//! its `case`. The configuration lives in the instance's own memory, as each instance is one
//! region's plugin run by one caller at a time.

use crate::date::Date;
use crate::params::Params;
use crate::policy::Policy;
use crate::types::PolicyError;
use std::cell::{Cell, RefCell};

/// Generated bindings of `sdk/wit/v0.3.0` (world `plugin`).
#[allow(missing_docs, unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/v0.3.0",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__dwa_export_bindings",
        default_bindings_module: "dwa_sdk::guest::bindings",
    });
}

/// The generated contract types.
pub use bindings::dwa::policy::types as wit;

/// Conversions between [`wit`] and the SDK types.
#[allow(missing_docs, dead_code)]
pub mod convert {
    crate::wit_v0_3_conversions!(super::bindings::dwa::policy::types);
}

/// What `configure` gave this instance.
struct Config {
    params: Params,
    today: Date,
}

thread_local! {
    static CONFIG: RefCell<Option<Config>> = const { RefCell::new(None) };
    /// Counts `configure` calls: the configuration lives at one address whatever its content,
    /// so what the rules derive from it is keyed by this.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

/// The generation of this instance's configuration when `params` are its own parameters (the
/// same object, not an equal copy): what the rules derive from them may be kept under this key
/// until the host configures the instance again.
pub(crate) fn configuration_of(params: &Params) -> Option<u64> {
    CONFIG.with_borrow(|config| match config {
        Some(c) if std::ptr::eq(&c.params, params) => Some(GENERATION.get()),
        _ => None,
    })
}

/// Run `f` with the configuration, or refuse: the host configures every instance first.
fn configured<T>(f: impl FnOnce(&Params, Date) -> Result<T, PolicyError>) -> Result<T, PolicyError> {
    CONFIG.with_borrow(|config| match config {
        Some(c) => f(&c.params, c.today),
        None => Err(PolicyError::new(
            "NOT_CONFIGURED",
            "the host called the plugin before `configure`",
        )),
    })
}

/// `info` export.
pub fn info<P: Policy>() -> wit::PluginInfo {
    (&P::info()).into()
}

/// `configure` export.
pub fn configure<P: Policy>(params: Vec<wit::Param>, today: wit::Date) -> Result<(), wit::PluginError> {
    let params = convert::params_from_wit(params);
    P::configure(&params).map_err(|e| wit::PluginError::from(&e))?;
    CONFIG.set(Some(Config {
        params,
        today: today.into(),
    }));
    GENERATION.set(GENERATION.get() + 1);
    Ok(())
}

/// `evaluate` export.
pub fn evaluate<P: Policy>(case: wit::Case) -> Result<wit::Eligibility, wit::PluginError> {
    let (employee, application) = convert::case_from_wit(case);
    configured(|params, today| P::evaluate(&employee, &application, params, today))
        .map(|e| (&e).into())
        .map_err(|e| (&e).into())
}

/// `evaluate-batch` export.
pub fn evaluate_batch<P: Policy>(cases: Vec<wit::Case>) -> Vec<Result<wit::Eligibility, wit::PluginError>> {
    let items: Vec<_> = cases.into_iter().map(convert::case_from_wit).collect();
    match configured(|params, today| Ok(P::evaluate_batch(&items, params, today))) {
        Ok(answers) => answers
            .iter()
            .map(|r| r.as_ref().map(Into::into).map_err(Into::into))
            .collect(),
        Err(e) => items.iter().map(|_| Err((&e).into())).collect(),
    }
}

/// `decide` export.
pub fn decide<P: Policy>(case: wit::Case) -> Result<wit::Verdict, wit::PluginError> {
    let (employee, application) = convert::case_from_wit(case);
    configured(|params, today| P::decide(&employee, &application, params, today))
        .map(Into::into)
        .map_err(|e| (&e).into())
}

/// `decide-batch` export.
pub fn decide_batch<P: Policy>(cases: Vec<wit::Case>) -> Vec<Result<wit::Verdict, wit::PluginError>> {
    let items: Vec<_> = cases.into_iter().map(convert::case_from_wit).collect();
    match configured(|params, today| Ok(P::decide_batch(&items, params, today))) {
        Ok(answers) => answers
            .into_iter()
            .map(|r| r.map(Into::into).map_err(|e| (&e).into()))
            .collect(),
        Err(e) => items.iter().map(|_| Err((&e).into())).collect(),
    }
}

/// `allocate` export.
pub fn allocate<P: Policy>(request: wit::AllocationRequest) -> Result<Vec<wit::Grant>, wit::PluginError> {
    let request = request.into();
    configured(|params, _| P::allocate(&request, params))
        .map(|grants| grants.iter().map(Into::into).collect())
        .map_err(|e| (&e).into())
}
