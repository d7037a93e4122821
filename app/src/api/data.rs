//! The Data page's server functions (admins): read the start of a file and
//! propose a mapping, and keep named mapping presets. The file itself goes
//! to `POST /api/v1/import/{kind}`, which streams it.

use crate::error::AppError;
use crate::import::{Mapping, Preview};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A file's preview and the presets saved for its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportSetup {
    pub preview: Preview,
    pub presets: Vec<String>,
}

#[cfg(feature = "ssr")]
fn kind_of(key: &str) -> Result<crate::import::Kind, AppError> {
    crate::import::Kind::from_key(key).ok_or_else(|| AppError::invalid("kind", "Choose what the file holds."))
}

/// `sample` is the start of the file (the page sends its first 64 KiB).
#[server(endpoint = "import_preview")]
pub async fn import_preview(kind: String, sample: String) -> Result<ImportSetup, AppError> {
    super::respond(async move {
        let db = super::db()?;
        crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        let kind = kind_of(&kind)?;
        let preview =
            crate::import::sniff::preview(kind, &sample).map_err(|m| AppError::invalid("file", m))?;
        // Built-in mappings for well-known exports first, then the saved ones.
        let mut presets = crate::import::presets::names(kind);
        presets.extend(crate::store::presets::names(&db, kind.key()).await?);
        Ok(ImportSetup { preview, presets })
    })
    .await
}

#[server(endpoint = "load_import_preset")]
pub async fn load_import_preset(kind: String, name: String) -> Result<Mapping, AppError> {
    super::respond(async move {
        let db = super::db()?;
        crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        find_preset(&db, kind_of(&kind)?, &name).await
    })
    .await
}

/// A preset by name: a built-in one, else one saved by an admin. The Data
/// page and `POST /api/v1/import/{kind}?preset=` both read presets here.
#[cfg(feature = "ssr")]
pub async fn find_preset(
    db: &crate::store::Db,
    kind: crate::import::Kind,
    name: &str,
) -> Result<Mapping, AppError> {
    if let Some(builtin) = crate::import::presets::get(kind, name) {
        return Ok(builtin);
    }
    let saved = crate::store::presets::get(db, kind.key(), name).await?;
    let json = saved.ok_or_else(|| AppError::NotFound(format!("no {} preset named '{name}'", kind.key())))?;
    serde_json::from_str(&json)
        .map_err(|e| AppError::invalid("name", format!("the preset is unreadable: {e}")))
}

/// `mapping` is the mapping as JSON.
#[server(endpoint = "save_import_preset")]
pub async fn save_import_preset(
    kind: String,
    name: String,
    mapping: String,
) -> Result<Vec<String>, AppError> {
    super::respond(async move {
        let db = super::db()?;
        let admin = crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        let kind = kind_of(&kind)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::invalid(
                "name",
                "Name the preset (up to 60 characters), e.g. 'Zendesk export'.",
            ));
        }
        if name.ends_with("(built-in)") {
            return Err(AppError::invalid(
                "name",
                "'(built-in)' marks the presets Aftercare ships; choose another name.",
            ));
        }
        let mapping: Mapping =
            serde_json::from_str(&mapping).map_err(|e| AppError::invalid("mapping", e.to_string()))?;
        let now = crate::auth::session::now();
        let json =
            serde_json::to_string(&mapping).map_err(|e| AppError::invalid("mapping", e.to_string()))?;
        crate::store::presets::save(&db, kind.key(), name, &json, &admin.username, now).await?;
        let mut presets = crate::import::presets::names(kind);
        presets.extend(crate::store::presets::names(&db, kind.key()).await?);
        Ok(presets)
    })
    .await
}
