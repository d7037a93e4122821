//! Importing files from other systems: the canonical fields of each kind of
//! record, column mappings (guessed from headers, saved as presets), and on
//! the server the sniffing of a file and the streaming import itself.

#[cfg(feature = "ssr")]
pub mod canonical;
pub mod fields;
pub mod mapping;

#[cfg(feature = "ssr")]
pub mod convert;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod presets;
// Pure: ticket validation, which the browser build also compiles, reads its scale.
pub mod priority;
#[cfg(feature = "ssr")]
pub mod refusals;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
mod sink;
#[cfg(feature = "ssr")]
pub mod sniff;
#[cfg(feature = "ssr")]
mod streamed;

pub use fields::{Field, FieldType, Kind};
pub use mapping::{DurationUnit, FieldMap, Mapping, Pick, Repeated};

use serde::{Deserialize, Serialize};

/// What the Data page shows after reading the start of a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    pub delimiter: char,
    pub has_header: bool,
    /// The header row, or "column 1", "column 2"… for files without one.
    pub headers: Vec<String>,
    /// The first rows, to check the mapping against.
    pub rows: Vec<Vec<String>>,
    /// A first mapping guessed from the headers and the sample.
    pub mapping: Mapping,
}

/// What an import did. The rows read add up: rows = inserted + updated +
/// unchanged + repeated + rejected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (the header not counted).
    pub rows: u64,
    pub inserted: i64,
    pub updated: i64,
    /// Records already stored exactly so: re-importing a file reports every
    /// row here.
    #[serde(default)]
    pub unchanged: i64,
    /// Rows whose external id an earlier row of the file had: merged into
    /// that record (`repeated = "last"` or `"events"`).
    #[serde(default)]
    pub repeated: u64,
    /// The first of them, with their rows.
    #[serde(default)]
    pub repeated_first: Vec<RepeatedId>,
    /// Rows refused and written to the rejects file (only when asked for).
    pub rejected: u64,
}

/// A row repeating the external id of an earlier row of the same file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedId {
    pub external_id: String,
    /// Spreadsheet rows (the header is row 1) of this row and the first with the id.
    pub row: u64,
    pub first_row: u64,
}

impl std::fmt::Display for RepeatedId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {} repeats '{}' of row {}", self.row, self.external_id, self.first_row)
    }
}
