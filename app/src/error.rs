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
    /// Sign-in refused for this many minutes (per account and address, or per address).
    #[error("Too many failed sign-ins from your address. Try again in {0} minutes.")]
    TooManyAttempts(i64),
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
    /// The database cannot answer now (down, overloaded, or busy with an
    /// import): 503 with `Retry-After`, never mistaken for a refusal.
    #[error("{0}")]
    Unavailable(String),
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

    /// On the server, a request whose arguments cannot be read is the
    /// caller's mistake (400), not a transport failure (issue 16 F15).
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) | ServerFnErrorErr::Deserialization(m)
                if cfg!(feature = "ssr") =>
            {
                AppError::BadRequest(format!(
                    "The request could not be read ({m}): send the fields as a form (application/x-www-form-urlencoded)."
                ))
            }
            other => AppError::Transport(other.to_string()),
        }
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
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::NotFound(_) | AppError::UnknownKpi(_) => StatusCode::NOT_FOUND,
            AppError::Database | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// When to ask again, for a `Retry-After` header.
    pub fn retry_after_seconds(&self) -> Option<i64> {
        match self {
            AppError::TooManyAttempts(minutes) => Some(minutes * 60),
            AppError::Unavailable(_) => Some(RETRY_AFTER_SECONDS),
            _ => None,
        }
    }

    /// Sets this error's status on the current response, if there is one.
    pub fn set_response_status(self) -> Self {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status());
            if let Some(seconds) = self.retry_after_seconds() {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
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
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds() {
            response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

/// How long a client waits before asking a busy or unreachable database again.
#[cfg(feature = "ssr")]
pub const RETRY_AFTER_SECONDS: i64 = 60;

/// The 503 message of a database that cannot answer now.
#[cfg(feature = "ssr")]
pub fn unavailable_message(error: &sqlx::Error) -> &'static str {
    if crate::store::is_busy(error) {
        "The database is busy with another write, most likely an import: try again in a minute."
    } else {
        "The database is unavailable. Please try again in a moment."
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        if crate::store::is_unavailable(&error) {
            AppError::Unavailable(unavailable_message(&error).to_string())
        } else {
            AppError::Database
        }
    }
}
