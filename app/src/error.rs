//! The one error type of the server functions: it tells the user what they
//! can act on and keeps internal details in the server log.

use crate::models::{FieldError, Role};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The request was malformed; the message says what to change.
    #[error("{0}")]
    BadRequest(String),
    /// One form field is wrong; the form shows the message next to it.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("Please sign in.")]
    Unauthorized,
    #[error("This needs the {} role.", .0.key())]
    Forbidden(Role),
    #[error("Too many failed sign-ins. Wait 15 minutes, then try again.")]
    TooManyAttempts,
    /// The request clashes with the current state, e.g. removing the last admin.
    #[error("{0}")]
    Conflict(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("no KPI '{0}'; GET /api/v1/kpis lists them")]
    UnknownKpi(String),
    /// Details are in the server log, not in the browser.
    #[error("The database did not answer. Please try again in a moment.")]
    Database,
    /// The request did not reach the server function (network, encoding).
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid { field: field.to_string(), message: message.into() }
    }

    /// The message for `field`, if this error is about that field.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { field: f, message } if f == field => Some(message.clone()),
            _ => None,
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid { field: e.field, message: e.message }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status that matches the error, set on the response during SSR.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::NotFound(_) | AppError::UnknownKpi(_) => StatusCode::NOT_FOUND,
            AppError::Database | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets this error's status on the current response, if there is one.
    pub fn set_response_status(self) -> Self {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status());
        }
        self
    }
}

/// REST routes and exports answer errors as `{"error", "field"?}` with the
/// error's status: the same shape and words as the server functions.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let mut body = serde_json::json!({ "error": self.to_string() });
        if let AppError::Invalid { field, .. } = &self {
            body["field"] = serde_json::Value::String(field.clone());
        }
        (self.status(), axum::Json(body)).into_response()
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        AppError::Database
    }
}
