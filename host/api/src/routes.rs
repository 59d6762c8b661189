//! Every route of the API, registered with its OpenAPI description, and the helpers handlers
//! share for reading query parameters and path segments with errors that name the field (bodies
//! are read by [`super::body`]).

mod allocations;
mod applications;
mod decisions;
mod employees;
mod imports;
mod notifications;
mod ops;
mod policies;
mod positions;
mod regions;
mod reports;
mod signing;
mod tokens;
mod units;

use super::{ApiError, AppState};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Register every route.
pub fn all(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::readyz))
        .routes(routes!(ops::metrics))
        .routes(routes!(ops::openapi_json))
        .routes(routes!(regions::add, regions::list))
        .routes(routes!(regions::set_agency_head))
        .routes(routes!(tokens::list))
        .routes(routes!(tokens::revoke))
        .routes(routes!(signing::get_signing, signing::put_signing))
        .routes(routes!(signing::add_key))
        .routes(routes!(signing::remove_key))
        .routes(routes!(units::import))
        .routes(routes!(units::list))
        .routes(routes!(employees::get_employee))
        .routes(routes!(employees::import))
        .routes(routes!(employees::employee_roster))
        .routes(routes!(applications::submit))
        .routes(routes!(applications::get_application))
        .routes(routes!(applications::withdraw))
        .routes(routes!(applications::approve))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::mark_read))
        .routes(routes!(allocations::allocate))
        .routes(routes!(allocations::roster))
        .routes(routes!(allocations::review))
        .routes(routes!(decisions::get_decision))
        .routes(routes!(decisions::replay))
        .routes(routes!(policies::list))
        .routes(routes!(policies::dry_run))
        .routes(routes!(policies::versions))
        .routes(routes!(policies::audit))
        .routes(routes!(policies::rollback))
        .routes(routes!(policies::upload))
        .routes(routes!(policies::activate))
        .routes(routes!(positions::list))
        .routes(routes!(positions::changes))
        .routes(routes!(positions::import))
        .routes(routes!(positions::edit))
        .routes(routes!(reports::participation))
        .routes(routes!(reports::reasons))
        .routes(routes!(reports::savings))
}

/// A required quarter query parameter, within the years clients may name.
pub(crate) fn query_quarter(params: &HashMap<String, String>, name: &str) -> Result<dwa_sdk::Quarter, ApiError> {
    let quarter = query(params, name)?;
    Ok(dwa_workflow::input::check_quarter(name, quarter)?)
}

/// Refuse a path segment (an id or code) that is not a plain identifier, before it is looked up.
pub(crate) fn path_id(field: &str, id: &str) -> Result<(), ApiError> {
    Ok(dwa_workflow::input::check_id(field, id)?)
}

/// A required query parameter parsed with `FromStr`.
pub(crate) fn query<T: std::str::FromStr>(params: &HashMap<String, String>, name: &str) -> Result<T, ApiError>
where
    T::Err: std::fmt::Display,
{
    let value = params
        .get(name)
        .ok_or_else(|| ApiError::invalid(name, format!("the query parameter `{name}` is required")))?;
    value
        .parse()
        .map_err(|e: T::Err| ApiError::invalid(name, e.to_string()))
}

/// An optional query parameter parsed with `FromStr`.
pub(crate) fn query_opt<T: std::str::FromStr>(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    params
        .get(name)
        .map(|v| v.parse().map_err(|e: T::Err| ApiError::invalid(name, e.to_string())))
        .transpose()
}
