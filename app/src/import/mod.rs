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
pub mod run;
#[cfg(feature = "ssr")]
pub mod sniff;

pub use fields::{Field, FieldType, Kind};
pub use mapping::{DurationUnit, FieldMap, Mapping};

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

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Data rows read (the header not counted).
    pub rows: u64,
    pub inserted: i64,
    pub updated: i64,
    /// Rows refused and written to the rejects file (only when asked for).
    pub rejected: u64,
}
