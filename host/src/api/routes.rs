//! Every route of the API, registered with its OpenAPI description, and the helpers handlers
//! share for reading bodies and query parameters with errors that name the field.

mod allocations;
mod applications;
mod decisions;
mod employees;
mod ops;
mod policies;
mod reports;

use super::{ApiError, AppState};
use serde::de::DeserializeOwned;
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
        .routes(routes!(employees::get_employee))
        .routes(routes!(employees::import))
        .routes(routes!(employees::employee_roster))
        .routes(routes!(applications::submit))
        .routes(routes!(applications::get_application))
        .routes(routes!(applications::withdraw))
        .routes(routes!(applications::approve))
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
        .routes(routes!(reports::participation))
        .routes(routes!(reports::reasons))
        .routes(routes!(reports::savings))
}

/// Parse a JSON body; errors name the field (`a.b[2].c`) and the problem.
pub(crate) fn json_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde reports a missing field at its parent: name the field itself.
        let missing = inner
            .to_string()
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
            .map(str::to_owned);
        let field = match (path.as_str(), missing) {
            (".", Some(name)) => Some(name),
            (".", None) => None,
            (parent, Some(name)) => Some(format!("{parent}.{name}")),
            (parent, None) => Some(parent.to_owned()),
        };
        if inner.is_data() {
            match field {
                Some(f) => ApiError::invalid(&f, inner.to_string()),
                None => ApiError::bad_request(None, format!("invalid body: {inner}")),
            }
        } else {
            ApiError::bad_request(field, format!("the body is not valid JSON: {inner}"))
        }
    })
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
