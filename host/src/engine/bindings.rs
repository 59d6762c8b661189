//! Host bindings for every supported contract version, Zed-style: one module per version
//! (`v0_1_0`, …), each generated from its frozen WIT folder in `sdk/wit/`.

/// `dwa:policy@0.1.0`.
#[allow(missing_docs, clippy::all)]
pub(crate) mod v0_1_0 {
    wasmtime::component::bindgen!({
        path: "../sdk/wit/v0.1.0",
        world: "plugin",
    });
}

/// The latest version's `rules` interface, which the engine calls.
pub(crate) use v0_1_0::exports::dwa::policy::rules::Guest as Rules;
/// Pre-instantiated bindings of the latest version.
pub(crate) use v0_1_0::{Plugin as PluginBindings, PluginPre as PluginBindingsPre};

/// Conversions between the SDK types and the `v0_1_0` bindings.
#[allow(missing_docs)]
pub(crate) mod convert {
    dwa_sdk::wit_conversions!(super::v0_1_0::dwa::policy::types);
}
