//! Issue 16 F10: no CSV Aftercare writes holds a cell a spreadsheet would run
//! as a formula, and negative numbers stay numbers.

use super::app::TestApp;
use super::support::sqlite;
use app::import::run::{import, ImportOptions};
use app::import::{sniff, Kind};
use app::models::TokenScope;

/// A cell a spreadsheet would run as a formula.
const FORMULA_CELL: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

#[tokio::test]
async fn downloaded_csvs_neutralise_formula_cells_and_keep_negative_numbers() {
    let app = TestApp::spawn_with_demo().await;
    let cookie = app.signed_in("admin").await;
    app::store::tokens::create(&app.db, "admin", FORMULA_CELL, TokenScope::Read).await.unwrap();
    let audit = app.get("/exports/audit.csv", Some(&cookie)).await.text().await.unwrap();
    assert!(audit.contains("'=HYPERLINK("), "{audit}");
    assert!(!audit.contains(",=HYPERLINK("), "{audit}");
    let review = app.get("/exports/review.csv?month=2025-10", Some(&cookie)).await.text().await.unwrap();
    assert!(review.contains(",-"), "the review has negative changes: {review}");
    assert!(!review.contains(",'-"), "numbers stay numbers: {review}");
}

#[tokio::test]
async fn the_rejects_file_neutralises_the_refused_cells() {
    let db = sqlite().await;
    // B is refused for its zero date; its formula channel goes to the rejects file.
    let csv = format!(
        "external_id,created_at,channel,category,team\nA,2025-03-14T09:30:00Z,chat,billing,Tier 1\n\
         B,0001-01-01T00:00:00Z,\"{}\",billing,Tier 1\n",
        FORMULA_CELL.replace('"', "\"\"")
    );
    let mapping = sniff::preview(Kind::Tickets, &csv).unwrap().mapping;
    let options = ImportOptions { kind: Kind::Tickets, mapping, actor: "test".into(), keep_valid: true };
    let mut rejects = Vec::new();
    let report = import(&db, csv.as_bytes(), &options, Some(&mut rejects), |_| {}).await.unwrap();
    assert_eq!(report.rejected, 1);
    let text = String::from_utf8(rejects).unwrap();
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
}
