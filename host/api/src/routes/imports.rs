//! What the CSV import routes share: which region a caller imports into, and the answer — the
//! import's outcome, and when the file was refused also the one error shape naming the first
//! rejected row's column.

use super::query_opt;
use crate::error::{public_message, tidy};
use crate::{ApiError, AppState, Caller, Role};
use axum::Json;
use axum::http::StatusCode;
use dwa_workflow::import::ImportOutcome;
use std::collections::HashMap;

/// The region to import into: HR's own (a `region` naming another is refused), or for the
/// provincial admin the `region` query parameter (required). The region must exist. The caller's
/// role is checked before this (and before the body is looked at).
pub(crate) async fn target_region(
    state: &AppState,
    caller: &Caller,
    params: &HashMap<String, String>,
) -> Result<String, ApiError> {
    let region = match (caller.role, query_opt::<String>(params, "region")?) {
        (Role::ProvincialAdmin, Some(region)) => region,
        (Role::ProvincialAdmin, None) => return Err(ApiError::invalid("region", "say which region to import into")),
        (_, Some(region)) if region != caller.region => {
            return Err(ApiError::forbidden(format!(
                "HR of region {} cannot import into region {region}",
                caller.region
            )));
        }
        _ => caller.region.clone(),
    };
    super::path_id("region", &region)?;
    dwa_workflow::onboarding::require_region(&state.store, &region).await?;
    Ok(region)
}

/// 200 with the outcome, or 422 with it and the error shape when the file was refused.
pub(crate) fn answer(mut outcome: ImportOutcome) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    // Problems quote the file: keep what is echoed short and free of control characters.
    for row in &mut outcome.rejected {
        row.problem = public_message(&row.problem);
        row.nip = row.nip.as_deref().map(|n| tidy(n, 40));
        row.unit = row.unit.as_deref().map(|u| tidy(u, 100));
        row.field = tidy(&row.field, 60);
    }
    let refused = outcome.refused();
    let mut answer = serde_json::to_value(&outcome).map_err(|e| ApiError::bad_request(None, e.to_string()))?;
    if refused {
        // The one error shape too, naming the first rejected row's column; the rows follow.
        let first = &outcome.rejected[0];
        answer["error"] = serde_json::json!({
            "code": "rejected_rows",
            "message": format!(
                "{} row problem(s), nothing written; first: line {}, {}: {}",
                outcome.rejected.len(), first.line, first.field, first.problem
            ),
            "field": first.field,
        });
    }
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)))
}
