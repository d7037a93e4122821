//! The one error type of the server functions: it tells the user what they
//! can act on and keeps internal details in the server log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// The request was malformed; the message says what to change.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} was not found")]
    NotFound(String),
    /// Details are in the server log, not in the browser.
    #[error("The database did not answer. Please try again in a moment.")]
    Database,
    /// The request did not reach the server function (network, encoding).
    #[error("The server could not be reached: {0}")]
    Transport(String),
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
        match self {
            AppError::BadRequest(_) => http::StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => http::StatusCode::NOT_FOUND,
            AppError::Database | AppError::Transport(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
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

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        AppError::Database
    }
}
