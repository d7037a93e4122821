//! Uploads being imported, spooled to `<data folder>/uploads` rather than
//! the system temp folder: a server killed mid-import leaves its file where
//! the next start finds and removes it (issue 16 F16), and a 1 GB upload
//! counts against the data disk the operator sized for it.

use super::api_v1::problem;
use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Import files above this are refused with 413.
pub const MAX_IMPORT_BYTES: u64 = 1_000_000_000;

const PREFIX: &str = "aftercare-import-";

pub fn uploads_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

/// Removes uploads left by servers that are gone (killed mid-import): the
/// process id in each name tells whether its server still runs, so a second
/// server sharing the folder keeps its own. Returns how many were removed.
pub fn remove_leftovers(data_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(uploads_dir(data_dir)) else { return 0 };
    let alive = |pid: &str| pid == std::process::id().to_string() || Path::new("/proc").join(pid).exists();
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_prefix(PREFIX)
                .and_then(|rest| rest.split_once('-'))
                .is_some_and(|(pid, _)| pid.chars().all(|c| c.is_ascii_digit()) && !alive(pid))
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// The request body in a private file, removed when dropped.
pub struct Spooled {
    pub path: PathBuf,
}

impl Spooled {
    pub async fn from_body(body: Body, data_dir: &Path) -> Result<Spooled, Response> {
        use futures_util::StreamExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let fail = |e: std::io::Error| {
            problem(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot store the upload: {e}"))
        };
        let dir = uploads_dir(data_dir);
        std::fs::create_dir_all(&dir).map_err(fail)?;
        let name = format!("{PREFIX}{}-{}.csv", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let spooled = Spooled { path: dir.join(name) };
        // Created afresh (never through a planted link) and readable by this user only.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&spooled.path)
            .map_err(fail)?;
        let mut out = std::io::BufWriter::new(file);
        let mut size = 0u64;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|e| problem(StatusCode::BAD_REQUEST, format!("the upload broke off: {e}")))?;
            size += chunk.len() as u64;
            if size > MAX_IMPORT_BYTES {
                return Err(problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the file is larger than {} MB; split it or import it with the CLI",
                        MAX_IMPORT_BYTES / 1_000_000
                    ),
                ));
            }
            out.write_all(&chunk).map_err(fail)?;
        }
        out.flush().map_err(fail)?;
        if size == 0 {
            return Err(problem(StatusCode::BAD_REQUEST, "the file is empty".into()));
        }
        Ok(spooled)
    }
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
