//! Host bindings for every supported contract version, Zed-style: one module per version
//! (`v0_1_0`, `v0_2_0`, …), each generated from its frozen WIT folder in `sdk/wit/`, and an
//! [`Instance`] that is one of them. The engine calls through [`dispatch!`](crate)
//! so each export is written once for every version; a call the older contract lacks is
//! emulated with what it has (`decide` on 0.1.0 is `evaluate` without the messages), and a call
//! whose shape changed (0.3.0 takes a `case` and a configured instance) is written per version in
//! `calls.rs`. wasmtime's `with:` cannot share types across package versions (`dwa:policy@0.3.0`
//! and `@0.2.0` are different packages), so each module has its own types; the SDK's conversion
//! macros write the `From` impls once for all of them.

/// `dwa:policy@0.1.0`.
#[allow(missing_docs, clippy::all)]
pub(crate) mod v0_1_0 {
    wasmtime::component::bindgen!({
        path: "../../sdk/wit/v0.1.0",
        world: "plugin",
    });

    /// Conversions between the SDK types and these bindings.
    #[allow(missing_docs, dead_code)]
    pub(crate) mod convert {
        dwa_sdk::wit_conversions!(super::dwa::policy::types);
    }
}

/// `dwa:policy@0.2.0`: adds `decide` and `decide-batch`.
#[allow(missing_docs, clippy::all)]
pub(crate) mod v0_2_0 {
    wasmtime::component::bindgen!({
        path: "../../sdk/wit/v0.2.0",
        world: "plugin",
    });

    /// Conversions between the SDK types and these bindings.
    #[allow(missing_docs, dead_code)]
    pub(crate) mod convert {
        dwa_sdk::wit_conversions!(super::dwa::policy::types);
        dwa_sdk::wit_verdict_conversions!(super::dwa::policy::types);
    }
}

/// `dwa:policy@0.3.0`: `configure` once per instance, a slim `case` per decision, positions, and
/// allocation with previous-quarter outcomes and grant reasons.
#[allow(missing_docs, clippy::all)]
pub(crate) mod v0_3_0 {
    wasmtime::component::bindgen!({
        path: "../../sdk/wit/v0.3.0",
        world: "plugin",
    });

    /// Conversions between the SDK types and these bindings.
    #[allow(missing_docs, dead_code)]
    pub(crate) mod convert {
        dwa_sdk::wit_v0_3_conversions!(super::dwa::policy::types);
    }
}

use super::sandbox::HostState;

/// A plugin pre-instantiated against the linker, in the contract version it exports.
pub(crate) enum InstancePre {
    V0_1(v0_1_0::PluginPre<HostState>),
    V0_2(v0_2_0::PluginPre<HostState>),
    V0_3(v0_3_0::PluginPre<HostState>),
}

/// A live instance of a plugin in one store.
pub(crate) enum Instance {
    V0_1(v0_1_0::Plugin),
    V0_2(v0_2_0::Plugin),
    V0_3(v0_3_0::Plugin),
}

impl InstancePre {
    /// Bind a pre-instantiated component as `version`'s world.
    pub(crate) fn new(version: &str, pre: wasmtime::component::InstancePre<HostState>) -> wasmtime::Result<Self> {
        Ok(match version {
            "0.1.0" => InstancePre::V0_1(v0_1_0::PluginPre::new(pre)?),
            "0.2.0" => InstancePre::V0_2(v0_2_0::PluginPre::new(pre)?),
            "0.3.0" => InstancePre::V0_3(v0_3_0::PluginPre::new(pre)?),
            other => wasmtime::bail!("contract {other} has no bindings in this host"),
        })
    }

    pub(crate) fn instantiate(&self, store: &mut wasmtime::Store<HostState>) -> wasmtime::Result<Instance> {
        Ok(match self {
            InstancePre::V0_1(pre) => Instance::V0_1(pre.instantiate(store)?),
            InstancePre::V0_2(pre) => Instance::V0_2(pre.instantiate(store)?),
            InstancePre::V0_3(pre) => Instance::V0_3(pre.instantiate(store)?),
        })
    }
}

/// Run `$body` with `$rules` bound to the instance's `rules` exports and `$convert` to the
/// conversions of its contract version: one body, compiled once per version of the 0.1.0 / 0.2.0
/// shape (parameters with every call, the whole employee and application); `$v0_3` for 0.3.0.
macro_rules! dispatch {
    ($instance:expr, |$rules:ident, $convert:ident| $body:expr, v0_3 => $v0_3:expr) => {
        match $instance {
            $crate::bindings::Instance::V0_3(bindings) => {
                #[allow(unused_imports)]
                use $crate::bindings::v0_3_0::convert as $convert;
                let $rules = bindings.dwa_policy_rules();
                $v0_3
            }
            $crate::bindings::Instance::V0_1(bindings) => {
                #[allow(unused_imports)]
                use $crate::bindings::v0_1_0::convert as $convert;
                let $rules = bindings.dwa_policy_rules();
                $body
            }
            $crate::bindings::Instance::V0_2(bindings) => {
                #[allow(unused_imports)]
                use $crate::bindings::v0_2_0::convert as $convert;
                let $rules = bindings.dwa_policy_rules();
                $body
            }
        }
    };
}
pub(crate) use dispatch;
