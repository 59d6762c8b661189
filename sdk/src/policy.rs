//! The trait a plugin implements. Every method but `info` has the province default, so a plugin
//! overrides only what its region does differently. The same trait runs natively in `cargo test`.

use crate::allocator::standard_allocation;
use crate::baseline::evaluate_baseline;
use crate::date::Date;
use crate::params::Params;
use crate::types::{AllocationRequest, Application, Eligibility, Employee, Grant, PluginInfo, PolicyError, Verdict};

/// A region's rules.
pub trait Policy {
    /// Who this plugin is.
    fn info() -> PluginInfo;

    /// Check the region's parameters once, when the host gives them to an instance (contract
    /// 0.3.0's `configure`); an error refuses every call of that instance with it. Defaults to
    /// accepting them: the rules still check each parameter where they read it.
    fn configure(params: &Params) -> Result<(), PolicyError> {
        let _ = params;
        Ok(())
    }

    /// Evaluate one application; defaults to the province baseline.
    fn evaluate(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Eligibility, PolicyError> {
        evaluate_baseline(employee, application, params, today)
    }

    /// Evaluate many applications; defaults to calling [`Policy::evaluate`] for each.
    fn evaluate_batch(
        items: &[(Employee, Application)],
        params: &Params,
        today: Date,
    ) -> Vec<Result<Eligibility, PolicyError>> {
        items.iter().map(|(e, a)| Self::evaluate(e, a, params, today)).collect()
    }

    /// The outcome [`Policy::evaluate`] gives, without its messages. Defaults to evaluating and
    /// dropping the messages, which is always right; override it with the same rules in
    /// [`Mode::Decide`](crate::baseline::Mode) (see [`Assessment`](crate::baseline::Assessment))
    /// to skip building them. The host checks that both agree on every worked example.
    fn decide(
        employee: &Employee,
        application: &Application,
        params: &Params,
        today: Date,
    ) -> Result<Verdict, PolicyError> {
        Self::evaluate(employee, application, params, today).map(Verdict::from)
    }

    /// Decide many applications; defaults to calling [`Policy::decide`] for each.
    fn decide_batch(
        items: &[(Employee, Application)],
        params: &Params,
        today: Date,
    ) -> Vec<Result<Verdict, PolicyError>> {
        items.iter().map(|(e, a)| Self::decide(e, a, params, today)).collect()
    }

    /// Grant patterns for one unit; defaults to the standard allocator.
    fn allocate(request: &AllocationRequest, params: &Params) -> Result<Vec<Grant>, PolicyError> {
        standard_allocation(request, params)
    }
}
