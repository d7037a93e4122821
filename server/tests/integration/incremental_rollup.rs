//! Ingest adds new tickets to the rollups from the records themselves and
//! recomputes only the days an update touched: after inserts into days that
//! already hold tickets, updates that move tickets across days, channels
//! and months (some among new tickets in one large write), a ticket
//! inserted then updated inside one transaction, a file whose ids repeat
//! across the import's chunks, and a single ticket (the rows it touches
//! merged one by one), every rollup table and the customers' months equal
//! a rebuild from the raw tickets, row for row.

use super::support::{postgres, sqlite, Lcg};
use app::import::run::{import, ImportOptions};
use app::import::{Kind, Mapping, Repeated};
use app::kpi::period::day_number;
use app::models::TicketRecord;
use app::models::{Dimension, ExtraDimension};
use app::store::ingest::{self, TicketWriter};
use app::store::{dim_cumulative, rollup, Db};
use sqlx::Row;

fn pick<'a>(rng: &mut Lcg, of: &[&'a str]) -> &'a str {
    of[rng.next(of.len() as u64) as usize]
}

/// Ticket `i` of version `version`: its day, dimensions and answers all vary.
fn ticket(i: u64, version: u64) -> TicketRecord {
    let mut rng = Lcg(i * 7919 + version * 104_729 + 1);
    let day = day_number(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()) + rng.next(75) as i64;
    let created_at = day * 86_400 + rng.next(86_400) as i64;
    let maybe =
        |rng: &mut Lcg, lo: u64, hi: u64| (rng.next(4) > 0).then(|| (lo + rng.next(hi - lo + 1)) as i64);
    TicketRecord {
        external_id: format!("T-{i}"),
        created_at,
        first_response_at: (rng.next(5) > 0).then(|| created_at + rng.next(20_000) as i64),
        resolved_at: (rng.next(3) > 0).then(|| created_at + rng.next(400_000) as i64),
        channel: pick(&mut rng, &["email", "chat", "phone"]).into(),
        category: pick(&mut rng, &["delivery", "returns"]).into(),
        priority: pick(&mut rng, &["low", "normal", "high"]).into(),
        team: pick(&mut rng, &["Tier 1", "Tier 2"]).into(),
        agent: pick(&mut rng, &["Ana", "Bo", "Cy"]).into(),
        status: "solved".into(),
        csat: maybe(&mut rng, 1, 5),
        nps: maybe(&mut rng, 0, 10),
        ces: maybe(&mut rng, 1, 7),
        contacts: 1 + rng.next(3) as i64,
        first_contact_resolved: rng.next(2) == 0,
        reopened: rng.next(5) == 0,
        escalated: rng.next(7) == 0,
        customer_id: (rng.next(4) > 0).then(|| format!("C-{}", rng.next(30))),
        order_id: None,
        product: (rng.next(3) > 0).then(|| pick(&mut rng, &["kettle", "toaster"]).into()),
    }
}

/// Ticket `i`, moved to the last days of March 2025 with its times.
fn in_late_march(i: u64) -> TicketRecord {
    let day = day_number(chrono::NaiveDate::from_ymd_opt(2025, 3, 20).unwrap()) + (i % 10) as i64;
    moved_to(ticket(i, 0), day)
}

/// Ticket `i`, created on 2025-03-31 and resolved two days later, in April.
fn resolved_in_april(i: u64) -> TicketRecord {
    let t = moved_to(ticket(i, 0), day_number(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()));
    TicketRecord { resolved_at: Some(t.created_at + 2 * 86_400), ..t }
}

/// `t` moved to `day` with its times.
fn moved_to(mut t: TicketRecord, day: i64) -> TicketRecord {
    let shift = day * 86_400 + t.created_at % 86_400 - t.created_at;
    t.created_at += shift;
    t.first_response_at = t.first_response_at.map(|at| at + shift);
    t.resolved_at = t.resolved_at.map(|at| at + shift);
    t
}

const TOTALS: &str =
    "tickets, resolved, frt_n, frt_sum_s, resolution_sum_s, sla_met, fcr, reopened, escalated, \
     repeat_contacts, csat_n, csat_satisfied, csat_sum, nps_n, nps_promoters, nps_detractors, ces_n, ces_sum";

/// Every row of the rollup tables, in key order, as text.
async fn rollups(db: &Db) -> Vec<String> {
    // (table, integer keys, text keys, sketches)
    let tables = [
        ("daily_rollup", "day, resolved_on_day", "channel, category, team", true),
        (
            "rollup_cube JOIN rollup_cube_sketches USING (level, dims, bucket, channel, category, team)",
            "level, dims, bucket, resolved_on_day",
            "channel, category, team",
            true,
        ),
        ("dim_rollup", "month", "dim, value, base, base_value", true),
        ("dim_rollup_coarse", "level, bucket", "dim, value, base, base_value", true),
        ("dim_cumulative", "month", "dim, value, base, base_value", false),
    ];
    let mut out = Vec::new();
    for (table, ints, texts, with_sketches) in tables {
        let sketch_columns = if with_sketches { ", frt_sketch, resolution_sketch" } else { "" };
        let sql =
            format!("SELECT {ints}, {texts}, {TOTALS}{sketch_columns} FROM {table} ORDER BY {ints}, {texts}");
        let texts = ints.split(',').count()..ints.split(',').count() + texts.split(',').count();
        for row in sqlx::query(&sql).fetch_all(&db.pool).await.unwrap() {
            let sketches = if with_sketches { row.len() - 2..row.len() } else { 0..0 };
            let cells = (0..row.len()).map(|i| {
                if texts.contains(&i) {
                    row.try_get::<String, _>(i).unwrap()
                } else if sketches.contains(&i) {
                    format!("{:?}", row.try_get::<Vec<u8>, _>(i).unwrap())
                } else {
                    row.try_get::<i64, _>(i).unwrap().to_string()
                }
            });
            out.push(std::iter::once(table.to_string()).chain(cells).collect::<Vec<_>>().join("|"));
        }
    }
    out.extend(super::support_months::rows(db).await.into_iter().map(|row| format!("support_months|{row}")));
    out
}

async fn incremental_rollups_equal_a_rebuild(db: Db) {
    let first: Vec<TicketRecord> = (0..200).map(|i| ticket(i, 0)).collect();
    ingest::tickets(&db, &first).await.unwrap();
    // New tickets on days that already hold some, and updates of old ones.
    let second: Vec<TicketRecord> =
        (200..300).map(|i| ticket(i, 0)).chain((0..40).map(|i| ticket(i, 1))).collect();
    let report = ingest::tickets(&db, &second).await.unwrap();
    assert_eq!((report.inserted, report.updated), (100, 40));
    // Several statements' worth in one write: new tickets with updates and
    // unchanged ones between them, in every statement.
    let mut mixed = Vec::new();
    for k in 0..900 {
        mixed.push(ticket(1_000 + k, 0));
        if k % 9 == 0 {
            mixed.push(ticket(40 + k / 9, 1));
        }
        if k % 90 == 0 {
            mixed.push(ticket(140 + k / 90, 0));
        }
    }
    let report = ingest::tickets(&db, &mixed).await.unwrap();
    assert_eq!((report.inserted, report.updated, report.unchanged), (900, 100, 10));
    // Inserted, then updated by a later chunk of the same import.
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.write(&(300..320).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    writer.write(&(300..310).map(|i| ticket(i, 1)).collect::<Vec<_>>()).await.unwrap();
    writer.commit().await.unwrap();
    // New tickets of the last month only: the running totals carry on from February's.
    ingest::tickets(&db, &(320..360).map(in_late_march).collect::<Vec<_>>()).await.unwrap();
    // One ticket, as the API posts them: its few rows are added one by one,
    // a new product's among them.
    let one = TicketRecord { product: Some("blender".into()), ..ticket(360, 0) };
    ingest::tickets(&db, &[one]).await.unwrap();
    // One in a month that held no ticket yet: its running totals carry every value's.
    let april = day_number(chrono::NaiveDate::from_ymd_opt(2025, 4, 10).unwrap());
    ingest::tickets(&db, &[moved_to(ticket(361, 0), april)]).await.unwrap();

    let rows = rollups(&db).await.len();
    assert!(rows > 500, "the rollups hold {rows} rows");
    running_totals_equal_monthly_sums(&db).await;
    assert_equals_rebuild(&db).await;
}

/// The sums over any range of months that the running totals give equal
/// the monthly rows summed, for every dimension alone and crossed, with
/// and without a filter on the crossed value.
async fn running_totals_equal_monthly_sums(db: &Db) {
    let month = |y, m| day_number(chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap());
    let months = [month(2024, 12), month(2025, 1), month(2025, 2), month(2025, 3), month(2025, 4)];
    let summed =
        "SELECT value, base_value, CAST(SUM(tickets) AS BIGINT) AS t, CAST(SUM(csat_sum) AS BIGINT) AS c, \
                  CAST(SUM(frt_sum_s) AS BIGINT) AS f FROM dim_rollup WHERE dim = $1 AND base = $2 \
                  AND month >= $3 AND month <= $4 AND base_value = COALESCE($5, base_value) \
                  GROUP BY value, base_value HAVING SUM(tickets) > 0";
    let bases = [
        None,
        Some((Dimension::Channel, None)),
        Some((Dimension::Team, None)),
        Some((Dimension::Team, Some("Tier 2"))),
    ];
    let mut compared = 0;
    for dim in ExtraDimension::ALL {
        for base in bases {
            let (base, value) = (base.map(|(d, _)| d), base.and_then(|(_, v)| v));
            for (i, &first) in months.iter().enumerate() {
                for &last in &months[i..] {
                    let sums = dim_cumulative::sums(db, dim, (base, value), (first, last)).await.unwrap();
                    let mut got: Vec<_> = sums
                        .into_iter()
                        .filter(|(_, _, t)| t.tickets > 0)
                        .map(|(v, b, t)| (v, b, t.tickets, t.csat_sum, t.frt_sum_s))
                        .collect();
                    got.sort();
                    let mut expected: Vec<_> = sqlx::query(summed)
                        .bind(dim.column())
                        .bind(base.map_or("", Dimension::column))
                        .bind(first)
                        .bind(last)
                        .bind(value)
                        .fetch_all(&db.pool)
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| (r.get("value"), r.get("base_value"), r.get("t"), r.get("c"), r.get("f")))
                        .collect::<Vec<(String, String, i64, i64, i64)>>();
                    expected.sort();
                    assert_eq!(got, expected, "{dim:?} × {base:?} = {value:?}, months {first}..={last}");
                    compared += got.len();
                }
            }
        }
    }
    assert!(compared > 300, "{compared} sums compared");
}

/// A first import (the table empty when it begins) looks up only the ids it
/// has written itself: one repeated in a later chunk is still an update.
async fn a_first_import_repeating_an_id_equals_a_rebuild(db: Db) {
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.write(&(0..20).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    writer.write(&(0..10).map(|i| ticket(i, 1)).collect::<Vec<_>>()).await.unwrap();
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (20, 0));
    assert_equals_rebuild(&db).await;
}

/// An import that sets its cells aside after every chunk, with updates of
/// tickets it set aside earlier and of stored ones, leaves the rollups a
/// rebuild writes, and nothing pending.
async fn cells_set_aside_along_the_way_equal_a_rebuild(db: Db) {
    let first: Vec<TicketRecord> = (0..150).map(|i| ticket(i, 0)).collect();
    ingest::tickets(&db, &first).await.unwrap();
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.set_aside_rollups_after(1);
    writer.write(&(150..250).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    let updates: Vec<TicketRecord> = (150..170).chain(0..20).map(|i| ticket(i, 1)).collect();
    writer.write(&updates).await.unwrap();
    writer.write(&(250..300).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (150, 20));
    assert_nothing_pending(&db).await;
    running_totals_equal_monthly_sums(&db).await;
    assert_equals_rebuild(&db).await;
}

/// New tickets only, over the same months in every chunk, each chunk's
/// cells set aside: every day's cells are folded from several rounds, and
/// the months' dimension rows are added at the first two rounds, then
/// kept in files by month and counted from them at commit (the file is
/// out of time order).
async fn rounds_set_aside_over_the_same_months_equal_a_rebuild(db: Db) {
    let tickets: Vec<TicketRecord> = (0..300).map(|i| ticket(i, 0)).collect();
    set_aside_after_every_chunk_equals_a_rebuild(&db, &tickets).await;
}

#[tokio::test]
async fn rounds_set_aside_over_the_same_months_equal_a_rebuild_on_sqlite() {
    rounds_set_aside_over_the_same_months_equal_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn rounds_set_aside_over_the_same_months_equal_a_rebuild_on_postgres() {
    rounds_set_aside_over_the_same_months_equal_a_rebuild(postgres().await).await;
}

/// As above, then tickets kept in the files are updated (their days are
/// recomputed from the stored tickets, their files' cells of those days
/// left out), stored tickets too, and more new tickets follow, some
/// resolved in a month that no kept ticket was created in.
async fn updates_of_tickets_kept_in_files_equal_a_rebuild(db: Db) {
    ingest::tickets(&db, &(0..100).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.set_aside_rollups_after(1);
    for chunk in (100..400).map(|i| ticket(i, 0)).collect::<Vec<_>>().chunks(100) {
        writer.write(chunk).await.unwrap();
    }
    let updates: Vec<TicketRecord> = (350..370).chain(0..10).map(|i| ticket(i, 1)).collect();
    writer.write(&updates).await.unwrap();
    writer.write(&(400..450).map(|i| ticket(i, 0)).collect::<Vec<_>>()).await.unwrap();
    // Resolved in April, a month no kept ticket was created in.
    writer.write(&(450..470).map(resolved_in_april).collect::<Vec<_>>()).await.unwrap();
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (370, 10));
    assert_nothing_pending(&db).await;
    running_totals_equal_monthly_sums(&db).await;
    assert_equals_rebuild(&db).await;
}

#[tokio::test]
async fn updates_of_tickets_kept_in_files_equal_a_rebuild_on_sqlite() {
    updates_of_tickets_kept_in_files_equal_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn updates_of_tickets_kept_in_files_equal_a_rebuild_on_postgres() {
    updates_of_tickets_kept_in_files_equal_a_rebuild(postgres().await).await;
}

/// A first import out of time order, into empty rollups: the cube is
/// folded from the daily cells as they are written, month by month, with
/// updates of tickets kept in files (their days recomputed and refolded
/// from the stored rows), tickets resolved in a month no ticket was created
/// in, and a month without tickets before the last one.
async fn a_first_import_out_of_time_order_equals_a_rebuild(db: Db) {
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.set_aside_rollups_after(1);
    for chunk in (0..300).map(|i| ticket(i, 0)).collect::<Vec<_>>().chunks(100) {
        writer.write(chunk).await.unwrap();
    }
    writer.write(&(250..270).map(|i| ticket(i, 1)).collect::<Vec<_>>()).await.unwrap();
    writer.write(&(300..320).map(resolved_in_april).collect::<Vec<_>>()).await.unwrap();
    let june_2 = day_number(chrono::NaiveDate::from_ymd_opt(2025, 6, 2).unwrap());
    writer.write(&(320..325).map(|i| moved_to(ticket(i, 0), june_2)).collect::<Vec<_>>()).await.unwrap();
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (325, 0));
    assert_nothing_pending(&db).await;
    running_totals_equal_monthly_sums(&db).await;
    assert_equals_rebuild(&db).await;
}

#[tokio::test]
async fn a_first_import_out_of_time_order_equals_a_rebuild_on_sqlite() {
    a_first_import_out_of_time_order_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_first_import_out_of_time_order_equals_a_rebuild_on_postgres() {
    a_first_import_out_of_time_order_equals_a_rebuild(postgres().await).await;
}

/// New tickets in time order after stored ones, each chunk's cells set
/// aside: the months' dimension rows are added to the rollup at every
/// round, a month that spans two chunks twice.
async fn a_file_in_time_order_set_aside_equals_a_rebuild(db: Db) {
    let tickets = in_time_order(0..300);
    ingest::tickets(&db, &tickets[..50]).await.unwrap();
    set_aside_after_every_chunk_equals_a_rebuild(&db, &tickets[50..]).await;
}

/// Tickets `ids`, in the order they were created.
fn in_time_order(ids: std::ops::Range<u64>) -> Vec<TicketRecord> {
    let mut tickets: Vec<TicketRecord> = ids.map(|i| ticket(i, 0)).collect();
    tickets.sort_by_key(|t| t.created_at);
    tickets
}

/// A first import in time order, with a tiny bound for the cells set
/// aside: into empty rollups every ticket is kept in files from the first,
/// whatever the order, and no cell is set aside.
async fn a_first_import_in_time_order_equals_a_rebuild(db: Db) {
    set_aside_after_every_chunk_equals_a_rebuild(&db, &in_time_order(0..300)).await;
}

#[tokio::test]
async fn a_first_import_in_time_order_equals_a_rebuild_on_sqlite() {
    a_first_import_in_time_order_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_first_import_in_time_order_equals_a_rebuild_on_postgres() {
    a_first_import_in_time_order_equals_a_rebuild(postgres().await).await;
}

/// After stored tickets, a file in time order (January, then February)
/// that comes back to January: its tickets are kept in files from that
/// round on, and the later ones are all created in March. January and
/// February have cells set aside and no file: each is folded as a month
/// of its own, before March's file.
async fn a_file_that_shows_its_order_late_equals_a_rebuild(db: Db) {
    ingest::tickets(&db, &in_month(1, 0..20)).await.unwrap();
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.set_aside_rollups_after(1);
    for round in [in_month(1, 20..60), in_month(2, 60..100), in_month(1, 100..130), in_month(3, 130..170)] {
        writer.write(&round).await.unwrap();
    }
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (150, 0));
    assert_nothing_pending(&db).await;
    running_totals_equal_monthly_sums(&db).await;
    assert_equals_rebuild(&db).await;
}

/// Tickets `ids`, moved into `month` of 2025, over its first 28 days.
fn in_month(month: u32, ids: std::ops::Range<u64>) -> Vec<TicketRecord> {
    let first = day_number(chrono::NaiveDate::from_ymd_opt(2025, month, 1).unwrap());
    ids.map(|i| moved_to(ticket(i, 0), first + (i % 28) as i64)).collect()
}

#[tokio::test]
async fn a_file_that_shows_its_order_late_equals_a_rebuild_on_sqlite() {
    a_file_that_shows_its_order_late_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_file_that_shows_its_order_late_equals_a_rebuild_on_postgres() {
    a_file_that_shows_its_order_late_equals_a_rebuild(postgres().await).await;
}

#[tokio::test]
async fn a_file_in_time_order_set_aside_equals_a_rebuild_on_sqlite() {
    a_file_in_time_order_set_aside_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_file_in_time_order_set_aside_equals_a_rebuild_on_postgres() {
    a_file_in_time_order_set_aside_equals_a_rebuild(postgres().await).await;
}

/// A large write into stored tickets: on SQLite, once it has changed an
/// eighth as many tickets as were stored, it drops their indexes but the
/// ids' and builds them at commit, and rebuilds the customers' months. With
/// new tickets and updates of stored ones (their days recomputed at commit,
/// through the rebuilt indexes), every rollup row and the customers'
/// months equal a rebuild, and the three indexes are back.
async fn a_large_write_into_stored_tickets_equals_a_rebuild(db: Db) {
    let of_customer = |i: u64, version: u64| TicketRecord {
        customer_id: Some(format!("C-{}", (i + version) % 40)),
        ..ticket(i, version)
    };
    ingest::tickets(&db, &(0..200).map(|i| of_customer(i, 0)).collect::<Vec<_>>()).await.unwrap();
    let mut writer = TicketWriter::begin(&db).await.unwrap();
    writer.defer_indexes_after(1);
    // 30 new tickets are more than an eighth of 200: the indexes go here.
    writer.write(&(200..230).map(|i| of_customer(i, 0)).collect::<Vec<_>>()).await.unwrap();
    let updates_and_new = (0..20).map(|i| of_customer(i, 1)).chain((230..260).map(|i| of_customer(i, 0)));
    writer.write(&updates_and_new.collect::<Vec<_>>()).await.unwrap();
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (60, 20));
    assert_equals_rebuild(&db).await;
    if db.backend == app::store::Backend::Sqlite {
        let sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets' \
                   AND sql IS NOT NULL ORDER BY name";
        let names: Vec<String> =
            sqlx::query(sql).fetch_all(&db.pool).await.unwrap().iter().map(|r| r.get(0)).collect();
        assert_eq!(names, ["tickets_created_at", "tickets_customer", "tickets_external_id"]);
    }
}

#[tokio::test]
async fn a_large_write_into_stored_tickets_equals_a_rebuild_on_sqlite() {
    a_large_write_into_stored_tickets_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_large_write_into_stored_tickets_equals_a_rebuild_on_postgres() {
    a_large_write_into_stored_tickets_equals_a_rebuild(postgres().await).await;
}

/// Writes `tickets` (new ones) in chunks of 100, setting the cells aside
/// after each, and checks the rollups against a rebuild.
async fn set_aside_after_every_chunk_equals_a_rebuild(db: &Db, tickets: &[TicketRecord]) {
    let mut writer = TicketWriter::begin(db).await.unwrap();
    writer.set_aside_rollups_after(1);
    for chunk in tickets.chunks(100) {
        writer.write(chunk).await.unwrap();
    }
    let report = writer.commit().await.unwrap();
    assert_eq!((report.inserted, report.updated), (tickets.len() as i64, 0));
    assert_nothing_pending(db).await;
    running_totals_equal_monthly_sums(db).await;
    assert_equals_rebuild(db).await;
}

async fn assert_nothing_pending(db: &Db) {
    let sql = "SELECT COUNT(*) AS n FROM daily_rollup_pending";
    let pending: i64 = sqlx::query(sql).fetch_one(&db.pool).await.unwrap().get("n");
    assert_eq!(pending, 0);
}

#[tokio::test]
async fn cells_set_aside_along_the_way_equal_a_rebuild_on_sqlite() {
    cells_set_aside_along_the_way_equal_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn cells_set_aside_along_the_way_equal_a_rebuild_on_postgres() {
    cells_set_aside_along_the_way_equal_a_rebuild(postgres().await).await;
}

/// A file imported with `repeated = "last"` whose ids come again in later
/// chunks of the import's writer (2,000 rows each) and within one chunk.
/// The reader alone keeps the ids and tells the writer which rows repeat
/// one: the last row of each id is stored, each id counted once, and every
/// rollup row equals a rebuild.
async fn a_file_repeating_ids_chunks_apart_equals_a_rebuild(db: Db) {
    let time =
        |at: i64| chrono::DateTime::from_timestamp(at, 0).unwrap().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let row = |i: u64, version: u64| {
        let t = ticket(i, version);
        let csat = t.csat.map(|c| c.to_string()).unwrap_or_default();
        let resolved = t.resolved_at.map(time).unwrap_or_default();
        let cells =
            [t.external_id, time(t.created_at), resolved, t.channel, t.category, t.team, t.agent, csat];
        cells.join(",") + "\n"
    };
    let mut csv = String::from("external_id,created_at,resolved_at,channel,category,team,agent,csat\n");
    // Rows 1-3,000: ids 0-2,999. Rows 3,001-4,000, in the writer's second
    // chunk: ids 0-999 again, first written by the first chunk.
    csv.extend((0..3_000).map(|i| row(i, 0)).chain((0..1_000).map(|i| row(i, 1))));
    // In the third chunk: ids first written by the second, then new ids twice over.
    csv.extend((2_000..2_100).map(|i| row(i, 2)));
    csv.extend((3_000..3_010).map(|i| row(i, 0)).chain((3_000..3_010).map(|i| row(i, 1))));
    let guessed = app::import::sniff::preview(Kind::Tickets, &csv).unwrap().mapping;
    let mapping = Mapping { repeated: Some(Repeated::Last), ..guessed };
    let options = ImportOptions { kind: Kind::Tickets, mapping, actor: "test".into(), keep_valid: false };
    let report = import(&db, csv.as_bytes(), &options, None, |_| {}).await.unwrap();
    assert_eq!((report.rows, report.inserted, report.updated, report.repeated), (4_120, 3_010, 0, 1_110));
    let pool = &db.pool;
    let stored = |id: &'static str| async move {
        let row = sqlx::query("SELECT created_at FROM tickets WHERE external_id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
        row.get::<i64, _>(0)
    };
    assert_eq!(stored("T-0").await, ticket(0, 1).created_at);
    assert_eq!(stored("T-2050").await, ticket(2_050, 2).created_at);
    assert_eq!(stored("T-3005").await, ticket(3_005, 1).created_at);
    assert_eq!(stored("T-2999").await, ticket(2_999, 0).created_at);
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM tickets").fetch_one(&db.pool).await.unwrap().get(0);
    assert_eq!(count, 3_010);
    assert_equals_rebuild(&db).await;
}

#[tokio::test]
async fn a_file_repeating_ids_chunks_apart_equals_a_rebuild_on_sqlite() {
    a_file_repeating_ids_chunks_apart_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_file_repeating_ids_chunks_apart_equals_a_rebuild_on_postgres() {
    a_file_repeating_ids_chunks_apart_equals_a_rebuild(postgres().await).await;
}

/// Every rollup row and customers' month as ingest left them equals the row
/// a rebuild from the raw tickets writes.
async fn assert_equals_rebuild(db: &Db) {
    let incremental = rollups(db).await;
    let mut tx = db.pool.begin().await.unwrap();
    rollup::rebuild_all(&mut tx, db.rollup_rules()).await.unwrap();
    app::store::support_months::rebuild_all(&mut tx, db.zone).await.unwrap();
    tx.commit().await.unwrap();
    let rebuilt = rollups(db).await;
    for (a, b) in incremental.iter().zip(&rebuilt) {
        assert_eq!(a, b);
    }
    assert_eq!(incremental.len(), rebuilt.len());
}

#[tokio::test]
async fn a_first_import_repeating_an_id_equals_a_rebuild_on_sqlite() {
    a_first_import_repeating_an_id_equals_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn a_first_import_repeating_an_id_equals_a_rebuild_on_postgres() {
    a_first_import_repeating_an_id_equals_a_rebuild(postgres().await).await;
}

#[tokio::test]
async fn incremental_rollups_equal_a_rebuild_on_sqlite() {
    incremental_rollups_equal_a_rebuild(sqlite().await).await;
}

#[tokio::test]
async fn incremental_rollups_equal_a_rebuild_on_postgres() {
    incremental_rollups_equal_a_rebuild(postgres().await).await;
}

/// Two writers at once on Postgres (two servers, or an API write during an
/// import) take turns, so neither writes back totals without the other's part.
#[tokio::test]
async fn concurrent_writers_on_postgres_lose_nothing() {
    let db = postgres().await;
    let batch = |from: u64| (from..from + 150).map(|i| ticket(i, 0)).collect::<Vec<_>>();
    let (a, b) = (db.clone(), db.clone());
    let (left, right) = tokio::join!(
        tokio::spawn(async move { ingest::tickets(&a, &batch(0)).await.unwrap() }),
        tokio::spawn(async move { ingest::tickets(&b, &batch(1000)).await.unwrap() }),
    );
    assert_eq!((left.unwrap().inserted, right.unwrap().inserted), (150, 150));
    assert_equals_rebuild(&db).await;
}

/// Each quarter and year of the dimension rollup holds the sums of its
/// months (counters and first-response sketches), computed here from the
/// month rows: after a first import over three calendar years, and after
/// updates that refold one quarter of a year whose other quarters are read
/// as stored.
async fn quarters_and_years_hold_the_sums_of_their_months(db: Db) {
    let first_day = day_number(chrono::NaiveDate::from_ymd_opt(2024, 11, 1).unwrap());
    let spread = |i: u64| moved_to(ticket(i, 0), first_day + (i * 37 % 460) as i64);
    ingest::tickets(&db, &(0..400).map(spread).collect::<Vec<_>>()).await.unwrap();
    coarse_rows_equal_their_months(&db).await;
    // Tickets 0..20 moved into May 2025: their old months and May are recomputed.
    let may = day_number(chrono::NaiveDate::from_ymd_opt(2025, 5, 10).unwrap());
    let moved: Vec<TicketRecord> = (0..20).map(|i| moved_to(ticket(i, 1), may)).collect();
    assert_eq!(ingest::tickets(&db, &moved).await.unwrap().updated, 20);
    coarse_rows_equal_their_months(&db).await;
}

async fn coarse_rows_equal_their_months(db: &Db) {
    use app::kpi::sketch::Sketch;
    use chrono::Datelike;
    type Sums =
        std::collections::BTreeMap<(i64, i64, String, String, String, String), (i64, i64, i64, Sketch)>;
    let keyed = |r: &sqlx::any::AnyRow, level: i64, bucket: i64| {
        let key = (level, bucket, r.get("dim"), r.get("value"), r.get("base"), r.get("base_value"));
        let frt = Sketch::from_bytes(&r.get::<Vec<u8>, _>("frt_sketch")).expect("a stored sketch");
        (key, (r.get::<i64, _>("tickets"), r.get::<i64, _>("csat_sum"), r.get::<i64, _>("frt_sum_s"), frt))
    };
    let columns = "dim, value, base, base_value, tickets, csat_sum, frt_sum_s, frt_sketch";
    let mut expected = Sums::new();
    for r in
        sqlx::query(&format!("SELECT month, {columns} FROM dim_rollup")).fetch_all(&db.pool).await.unwrap()
    {
        let date = app::kpi::period::date_of(r.get("month"));
        let quarter =
            chrono::NaiveDate::from_ymd_opt(date.year(), (date.month() - 1) / 3 * 3 + 1, 1).unwrap();
        let year = chrono::NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap();
        // Levels as stored: 4 a quarter, 2 a year.
        for (level, start) in [(4, quarter), (2, year)] {
            let (key, (t, c, f, frt)) = keyed(&r, level, day_number(start));
            let sums = expected.entry(key).or_default();
            (sums.0, sums.1, sums.2) = (sums.0 + t, sums.1 + c, sums.2 + f);
            // Merged as sorted sketches: the rollup adds them up as dense counts.
            sums.3.merge(&frt);
        }
    }
    let stored = sqlx::query(&format!("SELECT level, bucket, {columns} FROM dim_rollup_coarse"))
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let got: Sums = stored.iter().map(|r| keyed(r, r.get("level"), r.get("bucket"))).collect();
    let years: std::collections::BTreeSet<i64> =
        got.keys().filter(|key| key.0 == 2).map(|key| key.1).collect();
    assert_eq!(years.len(), 3, "rows of 2024, 2025 and 2026");
    assert_eq!(got, expected);
}

#[tokio::test]
async fn quarters_and_years_hold_the_sums_of_their_months_on_sqlite() {
    quarters_and_years_hold_the_sums_of_their_months(sqlite().await).await;
}

#[tokio::test]
async fn quarters_and_years_hold_the_sums_of_their_months_on_postgres() {
    quarters_and_years_hold_the_sums_of_their_months(postgres().await).await;
}
