//! # dwa-sdk — write a region's DWA rules in plain Rust
//!
//! A rule plugin is a crate of type `cdylib` built for `wasm32-wasip2`. It implements
//! [`Policy`] (every method but `info` defaults to the province baseline) and exports it with
//! [`export_policy!`]:
//!
//! ```
//! use dwa_sdk::prelude::*;
//!
//! struct Kota;
//! impl Policy for Kota {
//!     fn info() -> PluginInfo { PluginInfo::new("3273", "Kota Bandung", "0.1.0") }
//! }
//! dwa_sdk::export_policy!(Kota);
//!
//! // Natively, the same rules are plain Rust: a box-9 analyst may work anywhere 4 days.
//! let mut application = dwa_sdk::testing::application();
//! application.requested_remote_days = 4;
//! let decision = Kota::evaluate(&dwa_sdk::testing::employee(), &application, &Params::default(), dwa_sdk::testing::today())?;
//! assert!(decision.eligible);
//! assert_eq!(decision.max_remote_days, 4);
//! # Ok::<(), PolicyError>(())
//! ```
//!
//! The same type runs natively in `cargo test` (call `Kota::evaluate(..)`), and
//! `manifest::run_examples_natively` (feature `manifest`) checks the worked examples of the region's manifest.

pub mod allocator;
pub mod baseline;
// The SDK guide (sdk/README.md) as a page of the SDK's documentation, so its examples run as
// doctests and cannot drift from the API.
#[doc = include_str!("../README.md")]
pub mod guide {}
pub mod date;
#[cfg(feature = "manifest")]
pub mod manifest;
pub mod nip;
pub mod params;
pub mod policy;
pub mod position;
pub mod talent;
pub mod testing;
pub mod types;
pub mod wit_convert;
pub mod wit_convert_v0_3;

#[cfg(target_arch = "wasm32")]
pub mod guest;

pub use date::{Date, Quarter};
pub use params::{ParamValue, Params};
pub use policy::Policy;
pub use types::*;

/// The contract version this SDK builds plugins against (`dwa:policy@0.3.0`).
pub const CONTRACT_VERSION: &str = "0.3.0";

impl PluginInfo {
    /// Info for a plugin built with this SDK (fills in the contract version).
    pub fn new(region: &str, name: &str, version: &str) -> PluginInfo {
        PluginInfo {
            region: region.to_owned(),
            name: name.to_owned(),
            version: version.to_owned(),
            contract: CONTRACT_VERSION.to_owned(),
        }
    }
}

/// Everything a plugin usually needs.
pub mod prelude {
    pub use crate::allocator::standard_allocation;
    pub use crate::baseline::{self, Assessment, Mode, assess_baseline, baseline_assessment, codes, pattern};
    pub use crate::params::{ParamValue, Params};
    pub use crate::policy::Policy;
    pub use crate::talent::{SkpRating, skp_rating, talent_box};
    pub use crate::types::*;
    pub use crate::{Date, Quarter};
}

/// Export a [`Policy`] implementation as the plugin's `dwa:policy/rules` interface.
///
/// Expands to nothing outside `wasm32`, so the same crate also builds natively for tests.
#[rustfmt::skip]
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            use $crate::guest::wit as w;
            use ::std::vec::Vec;
            struct DwaPluginExports;
            impl $crate::guest::bindings::exports::dwa::policy::rules::Guest for DwaPluginExports {
                fn info() -> w::PluginInfo {
                    $crate::guest::info::<$policy>()
                }
                fn configure(params: Vec<w::Param>, today: w::Date) -> Result<(), w::PluginError> {
                    $crate::guest::configure::<$policy>(params, today)
                }
                fn evaluate(case: w::Case) -> Result<w::Eligibility, w::PluginError> {
                    $crate::guest::evaluate::<$policy>(case)
                }
                fn evaluate_batch(cases: Vec<w::Case>) -> Vec<Result<w::Eligibility, w::PluginError>> {
                    $crate::guest::evaluate_batch::<$policy>(cases)
                }
                fn decide(case: w::Case) -> Result<w::Verdict, w::PluginError> {
                    $crate::guest::decide::<$policy>(case)
                }
                fn decide_batch(cases: Vec<w::Case>) -> Vec<Result<w::Verdict, w::PluginError>> {
                    $crate::guest::decide_batch::<$policy>(cases)
                }
                fn allocate(request: w::AllocationRequest) -> Result<Vec<w::Grant>, w::PluginError> {
                    $crate::guest::allocate::<$policy>(request)
                }
            }
            $crate::guest::bindings::__dwa_export_bindings!(DwaPluginExports with_types_in $crate::guest::bindings);
        };
    };
}
