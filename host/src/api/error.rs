//! The API's one error type and its mapping from every lower layer, in one place: 4xx name the
//! field and the problem; 5xx never show internals (they are logged instead).

use crate::policy::RulesError;
use crate::store::StoreError;
use crate::workflow::WorkflowError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer: `{"error": {"code", "message", "field"}}`.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, e.g. `invalid_field`.
    pub code: &'static str,
    /// The offending field, when there is one.
    pub field: Option<String>,
    /// A message for people.
    pub message: String,
}

/// `Retry-After` of every 503: the host's shortages (a busy region, a full pool) last moments.
const RETRY_AFTER_SECONDS: u32 = 1;

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// 422: a field is invalid.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_field",
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// 400: the body or query cannot be read at all.
    pub fn bad_request(field: Option<String>, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            field,
            message: message.into(),
        }
    }

    /// 401: no valid token.
    pub fn unauthenticated(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthenticated",
            field: None,
            message: message.into(),
        }
    }

    /// 403: outside the caller's role or region.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            field: None,
            message: message.into(),
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            field: None,
            message: message.into(),
        }
    }

    /// 409.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            field: None,
            message: message.into(),
        }
    }

    /// 503: the host lacks a resource for now (a busy region, a full pool); answered with
    /// `Retry-After`. Logged as the host's fault.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        let message = message.into();
        tracing::warn!(%message, "answered 503: the host is short of a resource");
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "host_busy",
            field: None,
            message,
        }
    }

    fn internal(detail: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            field: None,
            message: "internal error; the details are in the server log".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, RETRY_AFTER_SECONDS.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(format!("{what} not found")),
            StoreError::Conflict(what) => ApiError::conflict(what),
            other => ApiError::internal(&other),
        }
    }
}

impl From<RulesError> for ApiError {
    fn from(e: RulesError) -> ApiError {
        match e {
            RulesError::UnknownRegion(region) => ApiError::not_found(format!("no active rules for region {region}")),
            // The host's own shortage, never the plugin's: retry shortly.
            e if e.is_host_fault() => ApiError::unavailable(e.to_string()),
            RulesError::Abandoned { .. } => ApiError {
                status: StatusCode::GATEWAY_TIMEOUT,
                code: "rules_timeout",
                field: None,
                message: e.to_string(),
            },
            // A plugin failing is the region's rules failing, not the host: say whose and why.
            RulesError::Plugin(e) => ApiError {
                status: StatusCode::BAD_GATEWAY,
                code: "rules_failed",
                field: None,
                message: format!("the region's rules could not decide: {e}"),
            },
            other => ApiError::internal(&other),
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> ApiError {
        match e {
            WorkflowError::Rules(e) => e.into(),
            WorkflowError::Store(e) => e.into(),
            WorkflowError::Invalid { field, message } => ApiError::invalid(&field, message),
            WorkflowError::Conflict(message) => ApiError::conflict(message),
        }
    }
}
