//! The new tickets of a large import out of time order (or of any large
//! first import), kept for their rollup rows: one file a month in a
//! temporary folder, holding the facts of each ticket and the numbers of
//! its texts. At commit each month's dimension rows and daily cells are
//! counted from its file and added to the rollups once.
//!
//! Counting every month at once would hold all of them (~300,000 rows with
//! sketches for the benchmark's 10M tickets); counting them again from the
//! stored tickets read each ticket by rowid from pages still in the WAL,
//! and took a third of that import's time (`walFindFrame` alone 29 % of
//! it). The files are read once, in order, and are gone with the import,
//! however it ends: each loses its name as soon as it is made.
//!
//! A ticket's texts are numbered as it is kept, and the months are counted
//! with those numbers: written as texts, they were read back, checked as
//! UTF-8 and numbered again in every month, about a third of the counting.
//!
//! Each ticket keeps its customer too: a first import without stored orders
//! counts the customers' months from the same files (a customer's part of
//! a month depends on that month's tickets alone, and on orders).

use super::dim_rollup::{DimCells, DimKey, NO_PRODUCT};
use super::names::Names;
use super::rollup::{Cell, CellKey, DayCells, RollupRules};
use super::support_months::Counts;
use crate::kpi::{OneTicket, TicketFacts, TicketTotals};
use crate::models::TicketRecord;
use std::collections::BTreeMap;
use std::fs::File;
use std::hash::Hasher;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Tickets kept by month (first day), in files removed when this is dropped.
pub(super) struct MonthSpill {
    dir: PathBuf,
    months: BTreeMap<i64, BufWriter<File>>,
    /// The first failed write: reported at commit, which it fails.
    failed: Option<std::io::Error>,
    /// The numbers of the tickets' texts, as the files hold them.
    names: Names,
}

impl MonthSpill {
    pub(super) fn new() -> MonthSpill {
        static SPILLS: AtomicU64 = AtomicU64::new(0);
        let n = SPILLS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("aftercare-months-{}-{n}", std::process::id()));
        MonthSpill { dir, months: BTreeMap::new(), failed: None, names: Names::default() }
    }

    /// Keeps a new ticket under its `month`.
    pub(super) fn push(&mut self, t: &TicketRecord, month: i64) {
        if self.failed.is_none() {
            if let Err(e) = self.write(t, month) {
                self.failed = Some(e);
            }
        }
    }

    fn write(&mut self, t: &TicketRecord, month: i64) -> std::io::Result<()> {
        let product = t.product.as_deref().unwrap_or(NO_PRODUCT);
        let texts: [&str; 6] = [&t.channel, &t.category, &t.team, &t.agent, &t.priority, product];
        let texts = texts.map(|text| self.names.number(text));
        let out = match self.months.entry(month) {
            std::collections::btree_map::Entry::Occupied(file) => file.into_mut(),
            std::collections::btree_map::Entry::Vacant(slot) => {
                std::fs::create_dir_all(&self.dir)?;
                let path = self.dir.join(format!("{month}.tickets"));
                let file = File::options().read(true).write(true).create_new(true).open(&path)?;
                // Unnamed at once, the file lives as long as its handle: an
                // import killed midway leaves nothing behind. (Where an open
                // file cannot be removed, dropping the spill removes it.)
                if std::fs::remove_file(&path).is_ok() {
                    let _ = std::fs::remove_dir(&self.dir);
                }
                slot.insert(BufWriter::with_capacity(1 << 16, file))
            }
        };
        encode(&t.facts(), texts, t.customer_id.as_deref(), out)
    }

    /// The months kept.
    pub(super) fn months(&self) -> impl Iterator<Item = i64> + '_ {
        self.months.keys().copied()
    }

    /// The file of `month`, to count ([`MonthFile::count`]) apart from the
    /// others, on another thread while the previous month's rows are written.
    pub(super) fn take(&mut self, month: i64) -> std::io::Result<MonthFile> {
        match self.failed.take() {
            Some(e) => Err(named(&self.dir, e)),
            None => Ok(MonthFile {
                month,
                out: self.months.remove(&month),
                dir: self.dir.clone(),
                names: self.names.clone(),
            }),
        }
    }
}

/// An error that says where (a full disk is the likely cause).
fn named(dir: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("the import's temporary files in {}: {e}", dir.display()))
}

/// One month's tickets, taken from a [`MonthSpill`].
pub(super) struct MonthFile {
    month: i64,
    out: Option<BufWriter<File>>,
    dir: PathBuf,
    names: Names,
}

impl MonthFile {
    /// The month's rows, counted from its tickets, with its customers'
    /// months if `customers` (for a write without stored orders).
    pub(super) fn count(self, rules: RollupRules, customers: bool) -> std::io::Result<MonthRows> {
        let dir = self.dir.clone();
        self.read(rules, customers).map_err(|e| named(&dir, e))
    }

    fn read(self, rules: RollupRules, customers: bool) -> std::io::Result<MonthRows> {
        let (mut dims, mut days) =
            (DimCells::numbering(self.names.clone()), DayCells::numbering(self.names.clone()));
        let mut tickets = customers.then(CustomerTickets::default);
        if let Some(out) = self.out {
            let mut file = out.into_inner().map_err(|e| e.into_error())?;
            file.rewind()?;
            let mut records = BufReader::with_capacity(1 << 16, file);
            let mut customer = Vec::new();
            while !records.fill_buf()?.is_empty() {
                let (facts, [channel, category, team, agent, priority, product], of_customer) =
                    decode(&mut records, &mut customer)?;
                let base = [channel, category, team];
                let one = OneTicket::of(&facts, rules.sla_seconds);
                dims.add_numbered(self.month, [agent, priority, product], base, &one);
                days.add_numbered(base, &facts, &one, rules.zone);
                if let (Some(tickets), true) = (&mut tickets, of_customer) {
                    tickets.push(&customer, facts.created_at, base);
                }
            }
        }
        let customers = tickets.map(|tickets| tickets.count(Counts::numbering(self.names), rules));
        Ok(MonthRows { dims: dims.into_rows(), days: days.into_cells(), customers })
    }
}

/// A month's tickets that name a customer, to count each customer's part.
#[derive(Default)]
struct CustomerTickets {
    /// The customers' ids, one after another.
    ids: Vec<u8>,
    /// Each ticket: a hash of its customer's id, where the id lies in
    /// `ids`, when it was created, and its channel, category and team (numbered).
    tickets: Vec<(u64, std::ops::Range<usize>, i64, [u32; 3])>,
}

impl CustomerTickets {
    fn push(&mut self, customer: &[u8], created_at: i64, base: [u32; 3]) {
        let start = self.ids.len();
        self.ids.extend_from_slice(customer);
        let mut hash = rustc_hash::FxHasher::default();
        hash.write(customer);
        self.tickets.push((hash.finish(), start..self.ids.len(), created_at, base));
    }

    /// Adds each customer's part to `counts`: no order is stored, so none
    /// is a repurchase.
    fn count(mut self, mut counts: Counts, rules: RollupRules) -> Counts {
        let ids = &self.ids;
        // By hash, then id: the ids are compared only where hashes are equal
        // (sorted by id alone, comparing them was a tenth of the counting, perf).
        let id = |t: &(u64, std::ops::Range<usize>, i64, [u32; 3])| &ids[t.1.clone()];
        self.tickets.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| id(a).cmp(id(b))));
        let mut one_customer = Vec::new();
        for same in self.tickets.chunk_by(|a, b| a.0 == b.0 && id(a) == id(b)) {
            one_customer.clear();
            one_customer.extend(same.iter().map(|(_, _, created_at, base)| (*created_at, *base)));
            counts.add_numbered_customer(&one_customer, &[], rules.zone, 1);
        }
        counts
    }
}

/// A ticket as the files keep it: a byte of bits (which optional numbers
/// are present, the yes/no fields), the numbers as 8 bytes each
/// (little-endian), then the numbers of its channel, category, team,
/// agent, priority and product (`NO_PRODUCT` for none) as 4 bytes each,
/// then its customer's id: its length in bytes plus one as 2 bytes (0 for
/// none), then the id as UTF-8 (at most `MAX_ID_CHARS` characters).
fn encode(
    facts: &TicketFacts,
    texts: [u32; 6],
    customer: Option<&str>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let optional = [facts.first_response_at, facts.resolved_at, facts.csat, facts.nps, facts.ces];
    let flags = [facts.first_contact_resolved, facts.reopened, facts.escalated];
    let set = optional.iter().map(Option::is_some).chain(flags);
    let bits = set.enumerate().fold(0u8, |all, (i, set)| all | u8::from(set) << i);
    out.write_all(&[bits])?;
    for number in [facts.created_at, facts.contacts].into_iter().chain(optional.into_iter().flatten()) {
        out.write_all(&number.to_le_bytes())?;
    }
    for text in texts {
        out.write_all(&text.to_le_bytes())?;
    }
    let customer = customer.map(str::as_bytes);
    let length = customer.map_or(Ok(0), |id| u16::try_from(id.len() + 1)).map_err(std::io::Error::other)?;
    out.write_all(&length.to_le_bytes())?;
    out.write_all(customer.unwrap_or_default())
}

/// Reads one ticket written by [`encode`], its customer's id into
/// `customer`: whether it has one.
fn decode(input: &mut impl Read, customer: &mut Vec<u8>) -> std::io::Result<(TicketFacts, [u32; 6], bool)> {
    let mut word = [0u8; 8];
    let mut number = |input: &mut dyn Read| input.read_exact(&mut word).map(|()| i64::from_le_bytes(word));
    let mut bits = [0u8];
    input.read_exact(&mut bits)?;
    let [bits] = bits;
    let (created_at, contacts) = (number(input)?, number(input)?);
    let mut optional = [None; 5];
    for (i, v) in optional.iter_mut().enumerate() {
        if bits & (1 << i) != 0 {
            *v = Some(number(input)?);
        }
    }
    let [first_response_at, resolved_at, csat, nps, ces] = optional;
    let flag = |i: usize| bits & (1 << (i + 5)) != 0;
    let facts = TicketFacts {
        created_at,
        first_response_at,
        resolved_at,
        csat,
        nps,
        ces,
        first_contact_resolved: flag(0),
        reopened: flag(1),
        escalated: flag(2),
        contacts,
    };
    let mut texts = [0u32; 6];
    for text in &mut texts {
        let mut four = [0u8; 4];
        input.read_exact(&mut four)?;
        *text = u32::from_le_bytes(four);
    }
    let mut length = [0u8; 2];
    input.read_exact(&mut length)?;
    let length = usize::from(u16::from_le_bytes(length));
    customer.resize(length.saturating_sub(1), 0);
    input.read_exact(customer)?;
    Ok((facts, texts, length > 0))
}

/// What the tickets created in one month add to the rollups.
pub(super) struct MonthRows {
    /// The month's dimension rows.
    pub dims: BTreeMap<DimKey, TicketTotals>,
    /// The cells of the days they were created on, and those of the days
    /// they were resolved on (`resolved_on_day`), which can be in a later month.
    pub days: BTreeMap<CellKey, Cell>,
    /// The customers' months, if asked for.
    pub customers: Option<Counts>,
}

impl Drop for MonthSpill {
    fn drop(&mut self) {
        self.months.clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::dim_rollup::month_start;
    use crate::store::zone::ReportingZone;

    #[test]
    fn rows_and_cells_counted_from_the_kept_months_equal_those_counted_as_the_tickets_came() {
        let rules = RollupRules { sla_seconds: 3600, zone: ReportingZone::UTC };
        let base = crate::models::tests::ticket();
        let tickets = [
            base.clone(),
            TicketRecord {
                agent: "ben".into(),
                product: Some("Sofa, \"grey\"".into()),
                csat: None,
                ..base.clone()
            },
            TicketRecord { agent: "Zoë".into(), product: None, nps: Some(9), ces: Some(2), ..base.clone() },
            // 40 days later: another month, still open, escalated.
            TicketRecord {
                created_at: base.created_at + 40 * 86_400,
                first_response_at: None,
                resolved_at: None,
                escalated: true,
                first_contact_resolved: false,
                ..base.clone()
            },
            // Resolved 40 days later: on the day, and in the cell, the one above was created in.
            TicketRecord { resolved_at: Some(base.created_at + 40 * 86_400), ..base.clone() },
        ];
        let (mut dims, mut days) = (DimCells::default(), DayCells::default());
        let mut spill = MonthSpill::new();
        for t in &tickets {
            dims.add_record(t, &t.facts(), rules);
            days.add_record(t, &t.facts(), rules);
            spill.push(t, month_start(rules.zone.day_of(t.created_at)));
        }
        let dir = spill.dir.clone();
        assert!(!dir.exists(), "the files have no name: a killed import leaves none behind");
        let months: Vec<i64> = spill.months().collect();
        assert_eq!(months.len(), 2);
        let (mut dims_from_files, mut days_from_files) = (BTreeMap::new(), BTreeMap::new());
        for month in months {
            let rows = spill.take(month).and_then(|file| file.count(rules, false)).unwrap();
            dims_from_files.extend(rows.dims);
            for (key, cell) in rows.days {
                days_from_files.entry(key).or_insert_with(Cell::default).merge(&cell);
            }
        }
        assert_eq!(dims_from_files, dims.into_rows());
        assert_eq!(days_from_files, days.into_cells());
        drop(spill);
        assert!(!dir.exists(), "the files go with the import");
    }

    #[test]
    fn customers_months_counted_from_the_kept_months_equal_those_counted_per_customer() {
        use crate::store::support_months::SupportTicket;
        let rules = RollupRules { sla_seconds: 3600, zone: ReportingZone::UTC };
        let base = crate::models::tests::ticket();
        let of = |customer: Option<&str>, days: i64, channel: &str| TicketRecord {
            customer_id: customer.map(str::to_string),
            created_at: base.created_at + days * 86_400,
            channel: channel.into(),
            ..base.clone()
        };
        // C-1's tickets apart in the file and on two channels; a ticket
        // without a customer; an empty id is a customer's; C-2 in two months.
        let tickets = [
            of(Some("C-1"), 0, "chat"),
            of(Some("C-2"), 1, "chat"),
            of(None, 2, "chat"),
            of(Some("C-1"), 3, "email"),
            of(Some(""), 4, "chat"),
            of(Some("C-2"), 40, "phone"),
        ];
        let mut spill = MonthSpill::new();
        for t in &tickets {
            spill.push(t, month_start(rules.zone.day_of(t.created_at)));
        }
        let mut from_files = Counts::default();
        for month in spill.months().collect::<Vec<_>>() {
            let rows = spill.take(month).and_then(|file| file.count(rules, true)).unwrap();
            from_files.absorb(rows.customers.unwrap());
        }
        let mut per_customer = Counts::default();
        for customer in ["C-1", "C-2", ""] {
            let theirs: Vec<SupportTicket> = tickets
                .iter()
                .filter(|t| t.customer_id.as_deref() == Some(customer))
                .map(|t| SupportTicket {
                    created_at: t.created_at,
                    channel: t.channel.clone(),
                    category: t.category.clone(),
                    team: t.team.clone(),
                })
                .collect();
            per_customer.add_customer(&theirs, &[], rules.zone, 1);
        }
        assert_eq!(from_files.rows(), per_customer.rows());
        // Three customers in the first month, one in the second, none repurchased.
        let all: Vec<(i64, i64)> =
            from_files.rows().iter().filter(|(key, _)| key.1 == 0).map(|(_, &n)| n).collect();
        assert_eq!(all, [(3, 0), (1, 0)]);
    }

    #[test]
    fn a_failed_write_fails_the_count_naming_the_folder() {
        // A folder that cannot be made: its parent is a file.
        let file = std::env::temp_dir().join(format!("aftercare-not-a-folder-{}", std::process::id()));
        std::fs::write(&file, "").unwrap();
        let mut spill = MonthSpill {
            dir: file.join("months"),
            months: BTreeMap::new(),
            failed: None,
            names: Names::default(),
        };
        let t = crate::models::tests::ticket();
        spill.push(&t, 0);
        spill.push(&t, 0);
        let rules = RollupRules { sla_seconds: 3600, zone: ReportingZone::UTC };
        let Err(error) = spill.take(0).and_then(|file| file.count(rules, false)) else {
            panic!("a count after a failed write")
        };
        let error = error.to_string();
        std::fs::remove_file(&file).unwrap();
        assert!(error.starts_with("the import's temporary files in "), "{error}");
        assert!(error.contains("aftercare-not-a-folder"), "{error}");
    }
}
