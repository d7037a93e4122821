//! A day, week, month or quarter of a group is one cube row, and its median is
//! read from the row instead of its sketch: the stored medians must equal
//! the medians of the day rows' sketches merged per period, exactly, on
//! both backends. A matrix over a whole year reads one year row per cell:
//! it must answer as the months holding the year's tickets do.

use super::support::{postgres, sqlite, with_demo};
use app::kpi::period::{date_of, day_number, Grain, Period};
use app::kpi::sketch::Sketches;
use app::kpi::{compute, Kpi, KpiInputs, KpiSettings, TicketTotals};
use app::models::{Dimension, Filters};
use app::store::matrix::{self, Quantiles};
use app::store::{cube, kpi_values, Db, KpiQuery};
use chrono::NaiveDate;
use std::collections::BTreeMap;

const MEDIANS: [Kpi; 2] = [Kpi::FrtMedianH, Kpi::ResolutionMedianH];

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

type Medians = BTreeMap<(Vec<String>, Period), [Option<f64>; 2]>;

/// The medians `kpi_values` answers for `grain` over `from..=to`, per group
/// and period with tickets.
async fn answered(db: &Db, grain: Grain, (from, to): (&str, &str), group_by: &[Dimension]) -> Medians {
    let query = KpiQuery {
        kpis: MEDIANS.to_vec(),
        first: Period::containing(grain, date(from)),
        last: Period::containing(grain, date(to)),
        filters: Filters::default(),
        group_by: group_by.to_vec(),
    };
    let table = kpi_values::load(db, &query).await.unwrap();
    let settings = KpiSettings::default();
    let mut out = Medians::new();
    for (group, periods) in &table.cells {
        for (p, inputs) in periods.iter().filter(|(_, i)| i.tickets.tickets > 0) {
            out.insert((group.clone(), *p), MEDIANS.map(|kpi| compute(kpi, inputs, &settings)));
        }
    }
    out
}

/// The same medians computed from the cube rows' sketches, merged per
/// group (by channel, or none) and period.
async fn from_sketches(db: &Db, grain: Grain, (from, to): (&str, &str), group_by: &[Dimension]) -> Medians {
    let span = (day_number(date(from)), day_number(Period::containing(grain, date(to)).last_day()));
    // Every day's row, so that a period's sketches are merged here, not read.
    let cells =
        cube::cells(db, span, cube::Level::Day, &Filters::default(), group_by, Sketches::BOTH).await.unwrap();
    let mut merged: BTreeMap<(Vec<String>, Period), TicketTotals> = BTreeMap::new();
    for (key, cell) in cells.into_iter().filter(|(_, c)| c.totals.tickets > 0) {
        let group = if group_by.is_empty() { vec![] } else { vec![key.channel] };
        let totals = merged.entry((group, Period::containing(grain, date_of(key.day)))).or_default();
        totals.frt_sketch.merge(&cell.totals.frt_sketch);
        totals.resolution_sketch.merge(&cell.totals.resolution_sketch);
    }
    merged
        .into_iter()
        .map(|(at, t)| (at, [t.frt_sketch.quantile(0.5), t.resolution_sketch.quantile(0.5)]))
        .collect()
}

async fn stored_medians_equal_the_sketches(db: Db) {
    let by_channel = [Dimension::Channel];
    // The demo holds July to October 2025; (grain, span, group by, periods at least).
    for (grain, span, group_by, at_least) in [
        (Grain::Day, ("2025-08-01", "2025-10-31"), &[][..], 90),
        (Grain::Month, ("2025-07-01", "2025-10-31"), &by_channel[..], 16),
        (Grain::Week, ("2025-08-04", "2025-10-26"), &[][..], 12),
        (Grain::Week, ("2025-06-30", "2025-11-02"), &by_channel[..], 60),
        (Grain::Quarter, ("2025-07-01", "2025-12-31"), &by_channel[..], 8),
    ] {
        let (a, b) =
            (answered(&db, grain, span, group_by).await, from_sketches(&db, grain, span, group_by).await);
        assert!(a.len() >= at_least, "{grain:?}: only {} periods", a.len());
        assert_eq!(a, b, "{grain:?}");
    }
}

/// A trend's drivers merge months' inputs: `load_mergeable` gives them
/// sketches, so July to September merged equals the third quarter.
async fn mergeable_months_merge_into_their_quarter(db: &Db) {
    let query = |grain: Grain, from: &str, to: &str| KpiQuery {
        kpis: MEDIANS.to_vec(),
        first: Period::containing(grain, date(from)),
        last: Period::containing(grain, date(to)),
        filters: Filters::default(),
        group_by: Vec::new(),
    };
    let summer = query(Grain::Month, "2025-07-01", "2025-09-30");
    let all_three = summer.first.through(summer.last);
    let months = kpi_values::load_mergeable(db, &summer, &all_three).await.unwrap();
    let mut merged = KpiInputs::default();
    for p in &months.periods {
        merged.tickets.merge(&months.inputs(&[], p).unwrap().tickets);
    }
    // Months apart are read in one statement, each as within the whole range.
    let (july, september) = (all_three[0], all_three[2]);
    db.forget_reads();
    let apart = kpi_values::load_mergeable(db, &summer, &[september, july]).await.unwrap();
    assert_eq!(apart.periods, vec![july, september]);
    for p in [july, september] {
        assert_eq!(apart.inputs(&[], &p), months.inputs(&[], &p), "{p}");
    }
    let quarter = kpi_values::load(db, &query(Grain::Quarter, "2025-07-01", "2025-07-01")).await.unwrap();
    let settings = KpiSettings::default();
    for kpi in MEDIANS {
        let expected = quarter.value(kpi, &[], &quarter.periods[0], &settings);
        assert!(expected.is_some());
        assert_eq!(compute(kpi, &merged, &settings), expected, "{}", kpi.key());
    }
}

/// The demo's tickets all fall in July to October 2025: a matrix over the
/// whole of 2025 (one year row per cell, its stored medians) must show what
/// the matrix over those four months (month rows' sketches merged) shows,
/// and what the year's own sketches give, in every cell and total.
async fn a_year_answers_as_its_months(db: &Db) {
    let settings = KpiSettings::default();
    let values = |m: &matrix::Matrix| {
        let every = m.cells.values().chain(m.row_totals.values()).chain(m.col_totals.values());
        let kpis = [Kpi::Tickets, Kpi::Csat, Kpi::FrtMedianH, Kpi::ResolutionMedianH, Kpi::FcrRate];
        every
            .chain([&m.total])
            .flat_map(|inputs| kpis.map(|kpi| compute(kpi, inputs, &settings)))
            .collect::<Vec<_>>()
    };
    let all = Filters::default();
    let load = |from: &str, to: &str, quantiles| {
        let span = (date(from), date(to));
        matrix::load(db, (Dimension::Category, Dimension::Channel), span, &all, quantiles)
    };
    // One year row per cell: its stored medians; four months: merged sketches.
    let year = load("2025-01-01", "2025-12-31", Quantiles::AsRead(Sketches::BOTH)).await.unwrap();
    let months = load("2025-07-01", "2025-10-31", Quantiles::AsRead(Sketches::BOTH)).await.unwrap();
    let merged = load("2025-01-01", "2025-12-31", Quantiles::Mergeable(Sketches::BOTH)).await.unwrap();
    assert_eq!(values(&merged), values(&year));
    assert!(year.cells.values().all(|c| c.tickets.frt_sketch.count() == 0), "a year cell read its sketch");
    assert!(year.cells.len() >= 20, "only {} cells", year.cells.len());
    assert_eq!((&year.rows, &year.cols), (&months.rows, &months.cols));
    let (a, b) = (values(&year), values(&months));
    assert!(a.iter().filter(|v| v.is_some()).count() > 100);
    assert_eq!(a, b);
}

/// A range that cuts months and weeks is read as months, then weeks and
/// days at its ends, with only the sketch asked for: its FRT medians must
/// equal the day rows' sketches merged per cell, and no resolution sketch
/// may have been read.
async fn an_unaligned_range_answers_as_its_days(db: &Db) {
    // Wednesdays: July 9 to 13 as days, then two weeks, four days, two
    // months, October 1 to 5 as days, two weeks and three days.
    let (from, to) = (date("2025-07-09"), date("2025-10-22"));
    let dims = (Dimension::Category, Dimension::Channel);
    let frt = Sketches { frt: true, resolution: false };
    let m = matrix::load(db, dims, (from, to), &Filters::default(), Quantiles::AsRead(frt)).await.unwrap();
    let span = (day_number(from), day_number(to));
    let days =
        cube::cells(db, span, cube::Level::Day, &Filters::default(), &[dims.0, dims.1], Sketches::BOTH)
            .await
            .unwrap();
    let mut merged: BTreeMap<(String, String), TicketTotals> = BTreeMap::new();
    for (key, cell) in days.into_iter().filter(|(_, c)| c.totals.tickets > 0) {
        merged.entry((key.category, key.channel)).or_default().merge(&cell.totals);
    }
    let settings = KpiSettings::default();
    assert!(m.cells.len() >= 20, "only {} cells", m.cells.len());
    assert_eq!(m.cells.keys().collect::<Vec<_>>(), merged.keys().collect::<Vec<_>>());
    for (at, inputs) in &m.cells {
        let expected = merged[at].frt_sketch.quantile(0.5);
        assert!(expected.is_some(), "{at:?}");
        assert_eq!(compute(Kpi::FrtMedianH, inputs, &settings), expected, "{at:?}");
        assert_eq!(inputs.tickets.tickets, merged[at].tickets, "{at:?}");
    }
    assert!(compute(Kpi::FrtMedianH, &m.total, &settings).is_some());
    assert_eq!(m.total.tickets.resolution_sketch.count(), 0, "the resolution sketches were read");
}

#[tokio::test]
async fn stored_medians_equal_the_sketches_on_sqlite() {
    let db = with_demo(sqlite().await).await;
    mergeable_months_merge_into_their_quarter(&db).await;
    a_year_answers_as_its_months(&db).await;
    an_unaligned_range_answers_as_its_days(&db).await;
    stored_medians_equal_the_sketches(db).await;
}

#[tokio::test]
async fn stored_medians_equal_the_sketches_on_postgres() {
    let db = with_demo(postgres().await).await;
    mergeable_months_merge_into_their_quarter(&db).await;
    a_year_answers_as_its_months(&db).await;
    an_unaligned_range_answers_as_its_days(&db).await;
    stored_medians_equal_the_sketches(db).await;
}
