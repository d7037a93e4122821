//! The matrix's assembly, pure: which rows and columns to show in which
//! order (top-N by volume, the rest folded into one "Other" row), the merged
//! inputs of each shown cell (so a total is the KPI over the union, never a
//! sum or mean of rates), and a direction-aware colour scale.

use super::sketch::Sketches;
use super::{compute, sample_size, Direction, Kpi, KpiInputs, KpiSettings, Unit};
use chrono::{Datelike, Days, Months, NaiveDate};
use std::collections::BTreeMap;

/// A KPI's rollup inputs per cell, per row, per column and overall.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: BTreeMap<(String, String), KpiInputs>,
    pub row_totals: BTreeMap<String, KpiInputs>,
    pub col_totals: BTreeMap<String, KpiInputs>,
    pub total: KpiInputs,
}

/// What a cell shows: a ticket KPI of the catalogue, or its share of all
/// the matrix's tickets (not a catalogue KPI: it needs the grand total).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Kpi(Kpi),
    Share,
}

impl Metric {
    pub const SHARE_KEY: &'static str = "share";

    /// A key of the URL: `share` or a catalogue key.
    pub fn parse(key: &str) -> Option<Metric> {
        if key == Self::SHARE_KEY {
            return Some(Metric::Share);
        }
        Kpi::from_key(key).map(Metric::Kpi)
    }

    pub fn key(self) -> &'static str {
        match self {
            Metric::Kpi(k) => k.key(),
            Metric::Share => Self::SHARE_KEY,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Kpi(k) => k.name(),
            Metric::Share => "Share of volume",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::Kpi(k) => k.unit(),
            Metric::Share => Unit::Percent,
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            Metric::Kpi(k) => k.direction(),
            Metric::Share => Direction::Neutral,
        }
    }

    /// The catalogue KPI whose trend a cell links to.
    pub fn trend_kpi(self) -> Kpi {
        match self {
            Metric::Kpi(k) => k,
            Metric::Share => Kpi::Tickets,
        }
    }

    /// The value of `inputs`; `all` is the matrix's total, for a share.
    pub fn value(self, inputs: &KpiInputs, all: &KpiInputs, settings: &KpiSettings) -> Option<f64> {
        match self {
            Metric::Kpi(k) => compute(k, inputs, settings),
            Metric::Share => {
                super::formulas::ratio(inputs.tickets.tickets as f64 * 100.0, all.tickets.tickets as f64)
            }
        }
    }

    /// The merged sketch the value needs, if a quantile.
    pub fn sketches(self) -> Sketches {
        match self {
            Metric::Kpi(k) => k.sketches(),
            Metric::Share => Sketches::NONE,
        }
    }

    /// The count the value rests on.
    pub fn n(self, inputs: &KpiInputs) -> i64 {
        match self {
            Metric::Kpi(k) => sample_size(k, inputs),
            Metric::Share => inputs.tickets.tickets,
        }
    }
}

/// How rows and columns are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Alphabetically (chronologically for time columns).
    #[default]
    Name,
    /// By the KPI over the row or column, worst first.
    Value,
    /// By tickets, most first.
    Total,
}

impl Order {
    pub fn parse(s: &str) -> Option<Order> {
        match s {
            "name" => Some(Order::Name),
            "value" => Some(Order::Value),
            "total" => Some(Order::Total),
            _ => None,
        }
    }
}

/// One shown row or column: a single value, or the values folded into "Other".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    One(String),
    Other(Vec<String>),
}

impl Line {
    pub fn label(&self) -> String {
        match self {
            Line::One(v) => v.clone(),
            Line::Other(rest) => format!("Other ({})", rest.len()),
        }
    }

    fn members(&self) -> &[String] {
        match self {
            Line::One(v) => std::slice::from_ref(v),
            Line::Other(rest) => rest,
        }
    }
}

/// The lines to show for `keys`: with `top`, the `top` with the most tickets
/// and the rest folded into one `Other` line, always last; then in `order`.
/// `value` is the KPI of a line's total, for ordering by value.
pub fn arrange(
    keys: &[String],
    totals: &BTreeMap<String, KpiInputs>,
    order: Order,
    top: Option<usize>,
    direction: Direction,
    value: impl Fn(&KpiInputs) -> Option<f64>,
) -> Vec<Line> {
    let tickets = |k: &String| totals.get(k).map_or(0, |t| t.tickets.tickets);
    let mut kept: Vec<String> = keys.to_vec();
    let mut rest = Vec::new();
    if let Some(top) = top.filter(|&t| t < keys.len()) {
        kept.sort_by(|a, b| tickets(b).cmp(&tickets(a)).then_with(|| a.cmp(b)));
        rest = kept.split_off(top);
        rest.sort();
    }
    match order {
        Order::Name => kept.sort(),
        Order::Total => kept.sort_by(|a, b| tickets(b).cmp(&tickets(a)).then_with(|| a.cmp(b))),
        Order::Value => {
            let v = |k: &String| totals.get(k).and_then(&value);
            kept.sort_by(|a, b| worst_first(v(a), v(b), direction).then_with(|| a.cmp(b)));
        }
    }
    let mut lines: Vec<Line> = kept.into_iter().map(Line::One).collect();
    if !rest.is_empty() {
        lines.push(Line::Other(rest));
    }
    lines
}

/// Worse values first; a value before no value.
fn worst_first(a: Option<f64>, b: Option<f64>, direction: Direction) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Some(a), Some(b)) => {
            let ascending = a.partial_cmp(&b).unwrap_or(Equal);
            if direction == Direction::Higher {
                ascending
            } else {
                ascending.reverse()
            }
        }
        (Some(_), None) => Less,
        (None, Some(_)) => Greater,
        (None, None) => Equal,
    }
}

/// The merged inputs of the cell at `row` × `col` (either may be `Other`),
/// or `None` when no ticket is behind it.
pub fn cell(grid: &Grid, row: &Line, col: &Line) -> Option<KpiInputs> {
    merged(
        row.members()
            .iter()
            .flat_map(|r| col.members().iter().filter_map(move |c| grid.cells.get(&(r.clone(), c.clone())))),
    )
}

/// The merged inputs of a line's totals (`row_totals` or `col_totals`).
pub fn line_total(totals: &BTreeMap<String, KpiInputs>, line: &Line) -> Option<KpiInputs> {
    merged(line.members().iter().filter_map(|k| totals.get(k)))
}

fn merged<'a>(parts: impl Iterator<Item = &'a KpiInputs>) -> Option<KpiInputs> {
    let mut out: Option<KpiInputs> = None;
    for p in parts {
        out.get_or_insert_with(KpiInputs::default).tickets.merge(&p.tickets);
    }
    out.filter(|i| i.tickets.tickets > 0)
}

/// A cell's colour: better or worse than the middle of the shown values,
/// in three steps; a neutral KPI (volume) is shaded by size alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shade {
    Good(u8),
    Mid,
    Bad(u8),
    Level(u8),
}

impl Shade {
    /// A CSS class of `style/main.css`.
    pub fn class(self) -> String {
        match self {
            Shade::Good(n) => format!("heat-good-{n}"),
            Shade::Mid => "heat-mid".into(),
            Shade::Bad(n) => format!("heat-bad-{n}"),
            Shade::Level(n) => format!("heat-level-{n}"),
        }
    }
}

/// The lowest and highest of `values`, the span the colours stretch over.
pub fn span(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The shade of `value` within `lo..=hi`: the better end green, the worse
/// end red (per the KPI's direction), the middle fifth unshaded.
pub fn shade(value: f64, (lo, hi): (f64, f64), direction: Direction) -> Shade {
    if hi <= lo {
        return if direction == Direction::Neutral { Shade::Level(2) } else { Shade::Mid };
    }
    let p = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
    let goodness = match direction {
        Direction::Higher => 2.0 * p - 1.0,
        Direction::Lower => 1.0 - 2.0 * p,
        Direction::Neutral => return Shade::Level(1 + (p * 3.999) as u8),
    };
    if goodness.abs() < 0.2 {
        return Shade::Mid;
    }
    let step = ((goodness.abs() * 3.0).ceil() as u8).clamp(1, 3);
    if goodness > 0.0 {
        Shade::Good(step)
    } else {
        Shade::Bad(step)
    }
}

/// The span to compare `first..=last` with: the same calendar months
/// before when the range starts on a month's first day (October 1–17 against
/// September 1–17, a quarter against the quarter before), else the same
/// number of days just before.
pub fn previous_span(first: NaiveDate, last: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    if first.day() == 1 {
        let months = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32 + 1;
        let back = Months::new(u32::try_from(months).ok()?);
        let whole = last.checked_add_days(Days::new(1)).is_some_and(|d| d.day() == 1);
        let end = if whole { first.checked_sub_days(Days::new(1))? } else { last.checked_sub_months(back)? };
        return Some((first.checked_sub_months(back)?, end));
    }
    let length = (last - first).num_days() + 1;
    let end = first.checked_sub_days(Days::new(1))?;
    Some((end.checked_sub_days(Days::new(u64::try_from(length - 1).ok()?))?, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::TicketTotals;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_range_compares_with_the_same_span_before_it() {
        let prev = |a, b| previous_span(a, b).unwrap();
        assert_eq!(prev(date(2025, 10, 1), date(2025, 10, 17)), (date(2025, 9, 1), date(2025, 9, 17)));
        assert_eq!(prev(date(2025, 10, 1), date(2025, 10, 31)), (date(2025, 9, 1), date(2025, 9, 30)));
        assert_eq!(prev(date(2025, 7, 1), date(2025, 9, 30)), (date(2025, 4, 1), date(2025, 6, 30)));
        assert_eq!(prev(date(2025, 3, 1), date(2025, 3, 31)), (date(2025, 2, 1), date(2025, 2, 28)));
        assert_eq!(prev(date(2025, 10, 10), date(2025, 10, 19)), (date(2025, 9, 30), date(2025, 10, 9)));
    }

    /// Inputs of `tickets` tickets of which `satisfied` of `rated` are satisfied.
    fn csat(tickets: i64, rated: i64, satisfied: i64) -> KpiInputs {
        KpiInputs {
            tickets: TicketTotals { tickets, csat_n: rated, csat_satisfied: satisfied, ..Default::default() },
            ..Default::default()
        }
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    /// Rows a, b, c × columns x, y; (c, y) holds no ticket.
    fn grid() -> Grid {
        let cells = [
            (("a", "x"), csat(10, 10, 9)),
            (("a", "y"), csat(90, 90, 45)),
            (("b", "x"), csat(50, 40, 30)),
            (("b", "y"), csat(5, 4, 4)),
            (("c", "x"), csat(2, 1, 0)),
        ];
        let mut g =
            Grid { rows: vec![s("a"), s("b"), s("c")], cols: vec![s("x"), s("y")], ..Default::default() };
        for ((r, c), i) in cells {
            g.cells.insert((s(r), s(c)), i.clone());
            g.row_totals.entry(s(r)).or_default().tickets.merge(&i.tickets);
            g.col_totals.entry(s(c)).or_default().tickets.merge(&i.tickets);
            g.total.tickets.merge(&i.tickets);
        }
        g
    }

    fn value(i: &KpiInputs) -> Option<f64> {
        Metric::Kpi(Kpi::Csat).value(i, i, &KpiSettings::default())
    }

    #[test]
    fn a_total_is_the_kpi_over_the_union_not_a_mean_of_rates() {
        let g = grid();
        let row_a = line_total(&g.row_totals, &Line::One(s("a"))).unwrap();
        // (9 + 45) satisfied of (10 + 90) rated: 54 %, not the mean of 90 % and 50 %.
        assert_eq!(value(&row_a), Some(54.0));
        let col_x = line_total(&g.col_totals, &Line::One(s("x"))).unwrap();
        assert_eq!(value(&col_x), Some(100.0 * 39.0 / 51.0));
        assert_eq!(value(&g.total), Some(100.0 * 88.0 / 145.0));
    }

    #[test]
    fn an_empty_cell_has_no_inputs() {
        let g = grid();
        assert_eq!(cell(&g, &Line::One(s("c")), &Line::One(s("y"))), None);
        assert!(cell(&g, &Line::One(s("c")), &Line::One(s("x"))).is_some());
        assert_eq!(Metric::Kpi(Kpi::Csat).n(&csat(3, 0, 0)), 0);
        assert_eq!(value(&csat(3, 0, 0)), None, "no rating: no value, never 0");
    }

    #[test]
    fn top_n_keeps_the_busiest_rows_and_folds_the_rest_into_other() {
        let g = grid();
        let lines = arrange(&g.rows, &g.row_totals, Order::Name, Some(1), Direction::Higher, value);
        assert_eq!(lines, vec![Line::One(s("a")), Line::Other(vec![s("b"), s("c")])]);
        assert_eq!(lines[1].label(), "Other (2)");
        // Other × x merges b × x and c × x: 30 of 41 rated.
        let other_x = cell(&g, &lines[1], &Line::One(s("x"))).unwrap();
        assert_eq!((other_x.tickets.tickets, value(&other_x)), (52, Some(100.0 * 30.0 / 41.0)));
        let other = line_total(&g.row_totals, &lines[1]).unwrap();
        assert_eq!(other.tickets.tickets, 57);
        // Without a limit, or with one above the row count, nothing is folded.
        assert_eq!(arrange(&g.rows, &g.row_totals, Order::Name, Some(3), Direction::Higher, value).len(), 3);
    }

    #[test]
    fn rows_sort_by_name_by_tickets_or_worst_value_first() {
        let g = grid();
        let labels = |order| {
            arrange(&g.rows, &g.row_totals, order, None, Direction::Higher, value)
                .iter()
                .map(Line::label)
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(Order::Name), ["a", "b", "c"]);
        assert_eq!(labels(Order::Total), ["a", "b", "c"]);
        // CSAT a 54 %, b 34/44 = 77 %, c 0 %: the worst first.
        assert_eq!(labels(Order::Value), ["c", "a", "b"]);
        let lower = arrange(&g.rows, &g.row_totals, Order::Value, None, Direction::Lower, value);
        assert_eq!(lower[0].label(), "b", "for a lower-is-better KPI the highest is worst");
    }

    #[test]
    fn share_of_volume_is_a_cells_tickets_over_all_tickets() {
        let g = grid();
        let a = line_total(&g.row_totals, &Line::One(s("a"))).unwrap();
        let share = Metric::Share.value(&a, &g.total, &KpiSettings::default()).unwrap();
        assert!((share - 100.0 * 100.0 / 157.0).abs() < 1e-9);
        assert_eq!(Metric::parse("share"), Some(Metric::Share));
        assert_eq!(Metric::parse("csat"), Some(Metric::Kpi(Kpi::Csat)));
        assert_eq!(Metric::parse("joy"), None);
    }

    #[test]
    fn colours_follow_the_kpis_direction() {
        let range = (0.0, 100.0);
        assert_eq!(shade(100.0, range, Direction::Higher), Shade::Good(3));
        assert_eq!(shade(0.0, range, Direction::Higher), Shade::Bad(3));
        assert_eq!(shade(100.0, range, Direction::Lower), Shade::Bad(3));
        assert_eq!(shade(10.0, range, Direction::Lower), Shade::Good(3));
        assert_eq!(shade(55.0, range, Direction::Higher), Shade::Mid);
        assert_eq!(shade(75.0, range, Direction::Higher), Shade::Good(2));
        assert_eq!(shade(100.0, range, Direction::Neutral), Shade::Level(4));
        assert_eq!(shade(0.0, range, Direction::Neutral), Shade::Level(1));
        assert_eq!(shade(5.0, (5.0, 5.0), Direction::Higher), Shade::Mid);
        assert_eq!(span([3.0, -1.0, f64::NAN, 7.0]), Some((-1.0, 7.0)));
        assert_eq!(span(Vec::<f64>::new()), None);
    }
}
