//! A mergeable quantile sketch (DDSketch, Masson et al. 2019) for the time
//! metrics. Values fall into logarithmic buckets, so any quantile comes back
//! with at most `RELATIVE_ACCURACY` relative error, and two sketches merge by
//! adding bucket counts: a month is the sum of its days.

/// Relative error bound of every quantile (0.5 %, inside the 1 % promised).
pub const RELATIVE_ACCURACY: f64 = 0.005;

/// Non-negative values only; zero (an instant reply) has its own bucket.
/// Buckets are kept sorted by index, without empty buckets: merging is one
/// linear pass and reading the stored form is a copy, which is what a
/// dashboard does thousands of times per answer. Indexes and counts are
/// held apart, so finding a bucket searches 4-byte entries: an import adds
/// each ticket to a few dozen sketches, and searching (index, count) pairs
/// of 16 bytes was most of that cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    zero_count: u64,
    indexes: Vec<i32>,
    /// `counts[i]` values fell in bucket `indexes[i]`.
    counts: Vec<u64>,
}

/// Which of a ticket total's two sketches a read carries: a median matrix
/// or series needs only its own KPI's, and each sketch left out halves what
/// is read, decoded and merged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sketches {
    pub frt: bool,
    pub resolution: bool,
}

impl Sketches {
    pub const NONE: Sketches = Sketches { frt: false, resolution: false };
    pub const BOTH: Sketches = Sketches { frt: true, resolution: true };

    pub fn any(self) -> bool {
        self.frt || self.resolution
    }

    /// Both selections together.
    pub fn and(self, other: Sketches) -> Sketches {
        Sketches { frt: self.frt || other.frt, resolution: self.resolution || other.resolution }
    }
}

fn gamma() -> f64 {
    (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)
}

/// Values below this are counted as zero (a millisecond, in hours).
const MIN_VALUE: f64 = 1e-6;

/// The bucket a value falls in. Found once for a value added to many
/// sketches (a ticket's time, added to each of its nine dimension rows):
/// the logarithm is what costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucket {
    Zero,
    Index(i32),
}

impl Bucket {
    /// `None` for values a sketch ignores (negative or not finite).
    pub fn of(value: f64) -> Option<Bucket> {
        if !value.is_finite() || value < 0.0 {
            None
        } else if value < MIN_VALUE {
            Some(Bucket::Zero)
        } else {
            Some(Bucket::Index((value.ln() / gamma().ln()).ceil() as i32))
        }
    }
}

impl Sketch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes its buckets hold on the heap: what a collection of sketches
    /// being built costs in memory.
    pub fn heap_bytes(&self) -> usize {
        self.indexes.capacity() * size_of::<i32>() + self.counts.capacity() * size_of::<u64>()
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.zero_count + self.counts.iter().sum::<u64>()
    }

    /// Adds one value; negative and non-finite values are ignored because the
    /// ingest invariants already refuse them.
    pub fn add(&mut self, value: f64) {
        match Bucket::of(value) {
            Some(Bucket::Zero) => self.zero_count += 1,
            Some(Bucket::Index(index)) => self.add_to_bucket(index, 1),
            None => {}
        }
    }

    fn add_to_bucket(&mut self, index: i32, count: u64) {
        match self.indexes.binary_search(&index) {
            Ok(at) => self.counts[at] += count,
            Err(at) => {
                self.indexes.insert(at, index);
                self.counts.insert(at, count);
            }
        }
    }

    /// Adds every value of `other` to this sketch.
    pub fn merge(&mut self, other: &Sketch) {
        self.zero_count += other.zero_count;
        match other.indexes[..] {
            [] => {}
            // One ticket's sketch, as ingest adds it to each of its rows.
            [index] => self.add_to_bucket(index, other.counts[0]),
            _ if self.indexes.is_empty() => {
                self.indexes.clone_from(&other.indexes);
                self.counts.clone_from(&other.counts);
            }
            _ => match self.missing_buckets(other) {
                0 => self.add_counts(other),
                missing => self.merge_from_the_back(other, missing),
            },
        }
    }

    /// How many of `other`'s buckets this sketch lacks; only the part of
    /// this sketch within `other`'s range is walked.
    fn missing_buckets(&self, other: &Sketch) -> usize {
        let mut at = self.indexes.partition_point(|i| *i < other.indexes[0]);
        let mut missing = 0;
        for index in &other.indexes {
            while at < self.indexes.len() && self.indexes[at] < *index {
                at += 1;
            }
            if at == self.indexes.len() || self.indexes[at] != *index {
                missing += 1;
            }
        }
        missing
    }

    /// Adds `other`'s counts when all its buckets already exist here (the
    /// usual case for an accumulator).
    fn add_counts(&mut self, other: &Sketch) {
        let mut at = self.indexes.partition_point(|i| *i < other.indexes[0]);
        for (index, count) in other.indexes.iter().zip(&other.counts) {
            while self.indexes[at] < *index {
                at += 1;
            }
            self.counts[at] += count;
        }
    }

    /// Merges `other`, which has `missing` buckets this sketch lacks, in
    /// place: the vectors grow by that many and are filled from their end,
    /// so no second vector is allocated (an accumulator gaining a bucket or
    /// two per merge used to be copied whole each time).
    fn merge_from_the_back(&mut self, other: &Sketch, missing: usize) {
        let mut mine = self.indexes.len();
        self.indexes.resize(mine + missing, 0);
        self.counts.resize(mine + missing, 0);
        let mut to = self.indexes.len();
        for (&index, &count) in other.indexes.iter().zip(&other.counts).rev() {
            while mine > 0 && self.indexes[mine - 1] > index {
                to -= 1;
                mine -= 1;
                (self.indexes[to], self.counts[to]) = (self.indexes[mine], self.counts[mine]);
            }
            to -= 1;
            if mine > 0 && self.indexes[mine - 1] == index {
                mine -= 1;
                (self.indexes[to], self.counts[to]) = (index, self.counts[mine] + count);
            } else {
                (self.indexes[to], self.counts[to]) = (index, count);
            }
        }
        // What is left below `mine` is already in place.
        debug_assert_eq!(to, mine);
    }

    /// The q-quantile (0 ≤ q ≤ 1) as spreadsheets compute it (Excel's
    /// `PERCENTILE.INC`, SQL's `percentile_cont`): interpolated between the
    /// values at ranks ⌊h⌋ and ⌈h⌉, h = q·(n − 1). `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let h = q * (total - 1) as f64;
        let (below, above) = (h.floor(), h.ceil());
        let low = self.value_at_rank(below as u64)?;
        let high = self.value_at_rank(above as u64)?;
        Some(low + (h - below) * (high - low))
    }

    /// The estimate of the value at 0-based `rank` in sorted order.
    fn value_at_rank(&self, rank: u64) -> Option<f64> {
        if rank < self.zero_count {
            return Some(0.0);
        }
        let mut seen = self.zero_count;
        let g = gamma();
        self.indexes.iter().zip(&self.counts).find_map(|(index, count)| {
            seen += count;
            (seen > rank).then(|| 2.0 * g.powi(*index) / (g + 1.0))
        })
    }

    /// The stored form: varints (LEB128) of the zero count, the number of
    /// buckets, the first bucket's index (zigzag, it may be negative) and
    /// each next one's step from the one before less one, each followed by
    /// its count. Buckets of a day or a month lie side by side with small
    /// counts, so a bucket takes two or three bytes instead of the twelve of
    /// the first form, which a dashboard reading thousands of sketches
    /// copied and parsed. The first form is still read (rows written before
    /// it): its length is always 8 more than a multiple of 12, and a
    /// compact form of that length gets one zero byte of padding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.indexes.len() * 3);
        put_varint(&mut out, self.zero_count);
        put_varint(&mut out, self.indexes.len() as u64);
        let mut previous = None;
        for (&index, &count) in self.indexes.iter().zip(&self.counts) {
            let step = match previous {
                None => zigzag(index),
                Some(previous) => (index - previous - 1) as u64,
            };
            put_varint(&mut out, step);
            put_varint(&mut out, count);
            previous = Some(index);
        }
        if is_first_form(&out) {
            out.push(0);
        }
        out
    }

    /// Reads either stored form; `None` if the bytes are neither.
    pub fn from_bytes(bytes: &[u8]) -> Option<Sketch> {
        if bytes.is_empty() {
            return Some(Sketch::new());
        }
        if is_first_form(bytes) {
            return Self::from_first_form(bytes);
        }
        let mut at = 0;
        let zero_count = take_varint(bytes, &mut at)?;
        let n = usize::try_from(take_varint(bytes, &mut at)?).ok()?;
        // Each bucket takes at least two bytes: a bound before allocating.
        if n > bytes.len() / 2 {
            return None;
        }
        let (mut indexes, mut counts) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for _ in 0..n {
            let step = take_varint(bytes, &mut at)?;
            let index = match indexes.last() {
                None => unzigzag(step)?,
                Some(&previous) => i32::try_from(i64::from(previous) + 1 + i64::try_from(step).ok()?).ok()?,
            };
            indexes.push(index);
            counts.push(take_varint(bytes, &mut at)?);
        }
        // Nothing may follow but the padding byte.
        match &bytes[at..] {
            [] | [0] => Some(Sketch { zero_count, indexes, counts }),
            _ => None,
        }
    }

    /// The first stored form: the zero count, then (bucket index, count)
    /// pairs, all little-endian, in index order.
    fn from_first_form(bytes: &[u8]) -> Option<Sketch> {
        let zero_count = u64::from_le_bytes(bytes[..8].try_into().ok()?);
        let n = (bytes.len() - 8) / 12;
        let (mut indexes, mut counts) = (Vec::with_capacity(n), Vec::with_capacity(n));
        for pair in bytes[8..].chunks_exact(12) {
            let index = i32::from_le_bytes(pair[..4].try_into().ok()?);
            // Written in index order; anything else is not a sketch of ours.
            if indexes.last().is_some_and(|last| *last >= index) {
                return None;
            }
            indexes.push(index);
            counts.push(u64::from_le_bytes(pair[4..].try_into().ok()?));
        }
        Some(Sketch { zero_count, indexes, counts })
    }
}

/// Whether `bytes` have the length of the first stored form.
fn is_first_form(bytes: &[u8]) -> bool {
    bytes.len() % 12 == 8
}

fn zigzag(n: i32) -> u64 {
    ((n << 1) ^ (n >> 31)) as u32 as u64
}

fn unzigzag(n: u64) -> Option<i32> {
    let n = u32::try_from(n).ok()?;
    Some(((n >> 1) as i32) ^ -((n & 1) as i32))
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The varint at `bytes[*at..]`, moving `at` past it.
fn take_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(n);
        }
    }
    None
}

/// A sketch being added up from many small ones (an import's month-long
/// dimension rows, each gaining one ticket at a time; the cube's rows,
/// each gaining a daily cell at a time). While it has few
/// values it keeps the bucket of each, unsorted, so adding one is a push;
/// past [`DENSE_AFTER`] values its counts are held densely from the lowest
/// bucket seen, so adding is an index. A sorted [`Sketch`] instead searched
/// and shifted its vectors on every value: about a third of the time an
/// import spent counting its months. Values span a bounded range (the
/// plausible dates' window), so the dense counts do too: about a thousand
/// buckets for a month of first response or resolution times.
/// Starting small keeps the many rows that see a few tickets small: a file
/// out of time order touches every month's rows at once, and rows dense
/// from their first ticket made it set its cells aside after every chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct GrowingSketch(Buckets);

#[derive(Clone, Debug, PartialEq)]
enum Buckets {
    Few {
        zero_count: u64,
        /// The bucket of each value, a bucket repeated for each of its values.
        values: Vec<i32>,
    },
    Dense {
        zero_count: u64,
        /// The index of `counts[0]`.
        first: i32,
        counts: Vec<u64>,
    },
}

/// Values a [`GrowingSketch`] keeps one by one (4 bytes each) before it
/// turns dense (8 bytes for every bucket in its range, about a thousand
/// for a month-long row): about where the two take the same room. Dense
/// after 128, most of the month rows of the benchmark's 10M-ticket import
/// held ~9 KB of counts per sketch, and the import peaked about 15 %
/// higher (423 and 429 MB against 358 and 362 MB, in the same hour).
const DENSE_AFTER: u64 = 2048;

/// Values kept one by one that [`GrowingSketch::into_sketch`] sorts; more
/// are counted densely first, which walks their range once instead of
/// sorting them.
const SORTED_UP_TO: usize = 256;

impl Default for GrowingSketch {
    fn default() -> Self {
        GrowingSketch(Buckets::Few { zero_count: 0, values: Vec::new() })
    }
}

impl GrowingSketch {
    /// Adds every value of `other`.
    pub fn add(&mut self, other: &Sketch) {
        self.turn_dense_for(other.counts.iter().sum());
        match &mut self.0 {
            Buckets::Few { zero_count, values } => {
                *zero_count += other.zero_count;
                for (&index, &count) in other.indexes.iter().zip(&other.counts) {
                    // At most DENSE_AFTER values in all, checked above.
                    values.extend(std::iter::repeat_n(index, count as usize));
                }
            }
            Buckets::Dense { zero_count, first, counts } => {
                *zero_count += other.zero_count;
                let (Some(&low), Some(&high)) = (other.indexes.first(), other.indexes.last()) else { return };
                cover(first, counts, low, high);
                for (&index, &count) in other.indexes.iter().zip(&other.counts) {
                    counts[(index - *first) as usize] += count;
                }
            }
        }
    }

    /// Adds one value, by its bucket: what an import does for each ticket
    /// and row, without building a one-value [`Sketch`] (two heap vectors)
    /// for [`Self::add`].
    pub fn add_one(&mut self, bucket: Bucket) {
        let Bucket::Index(index) = bucket else {
            match &mut self.0 {
                Buckets::Few { zero_count, .. } | Buckets::Dense { zero_count, .. } => *zero_count += 1,
            }
            return;
        };
        self.turn_dense_for(1);
        match &mut self.0 {
            Buckets::Few { values, .. } => values.push(index),
            Buckets::Dense { first, counts, .. } => {
                cover(first, counts, index, index);
                counts[(index - *first) as usize] += 1;
            }
        }
    }

    /// Turns to dense counts if `more` bucketed values would take the values
    /// kept one by one past [`DENSE_AFTER`].
    fn turn_dense_for(&mut self, more: u64) {
        if let Buckets::Few { zero_count, values } = &mut self.0 {
            if values.len() as u64 + more > DENSE_AFTER {
                let (first, counts) = counted(values);
                self.0 = Buckets::Dense { zero_count: *zero_count, first, counts };
            }
        }
    }

    /// Bytes its buckets hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        match &self.0 {
            Buckets::Few { values, .. } => values.capacity() * size_of::<i32>(),
            Buckets::Dense { counts, .. } => counts.capacity() * size_of::<u64>(),
        }
    }

    /// The same values as a [`Sketch`], empty buckets left out.
    pub fn into_sketch(self) -> Sketch {
        let (mut indexes, mut counts) = (Vec::new(), Vec::new());
        match self.0 {
            Buckets::Few { zero_count, values } if values.len() > SORTED_UP_TO => {
                let (first, counts) = counted(&values);
                GrowingSketch(Buckets::Dense { zero_count, first, counts }).into_sketch()
            }
            Buckets::Few { zero_count, mut values } => {
                // Sorted, each bucket's values are a run: at most
                // SORTED_UP_TO values are walked, not the thousand or so
                // buckets of their range (walked, that was half of the
                // cube's refold, perf).
                values.sort_unstable();
                for index in values {
                    match (indexes.last(), counts.last_mut()) {
                        (Some(&last), Some(count)) if last == index => *count += 1,
                        _ => {
                            indexes.push(index);
                            counts.push(1);
                        }
                    }
                }
                Sketch { zero_count, indexes, counts }
            }
            Buckets::Dense { zero_count, first, counts: dense } => {
                let kept = dense.iter().filter(|&&count| count > 0).count();
                indexes.reserve_exact(kept);
                counts.reserve_exact(kept);
                for (index, count) in (first..).zip(dense).filter(|&(_, count)| count > 0) {
                    indexes.push(index);
                    counts.push(count);
                }
                Sketch { zero_count, indexes, counts }
            }
        }
    }
}

/// The buckets `values` fall in, counted densely: the lowest bucket and
/// the counts from it (none for no value).
fn counted(values: &[i32]) -> (i32, Vec<u64>) {
    let (Some(&low), Some(&high)) = (values.iter().min(), values.iter().max()) else {
        return (0, Vec::new());
    };
    let mut counts = vec![0; (high - low) as usize + 1];
    for &index in values {
        counts[(index - low) as usize] += 1;
    }
    (low, counts)
}

/// Makes room in the dense `counts` (starting at bucket `first`, or empty)
/// for the buckets `low..=high`.
fn cover(first: &mut i32, counts: &mut Vec<u64>, low: i32, high: i32) {
    if counts.is_empty() {
        *first = low;
    }
    if low < *first {
        let more = (*first - low) as usize;
        counts.splice(0..0, std::iter::repeat_n(0, more));
        *first = low;
    }
    let end = *first + counts.len() as i32;
    if high >= end {
        counts.resize((high - *first) as usize + 1, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spreadsheet definition, computed directly on the values.
    fn exact_quantile(values: &mut [f64], q: f64) -> f64 {
        values.sort_by(f64::total_cmp);
        let h = q * (values.len() - 1) as f64;
        let (low, high) = (values[h.floor() as usize], values[h.ceil() as usize]);
        low + (h - h.floor()) * (high - low)
    }

    fn sketch_of(values: &[f64]) -> Sketch {
        let mut sketch = Sketch::new();
        values.iter().for_each(|v| sketch.add(*v));
        sketch
    }

    fn assert_close(approx: f64, exact: f64) {
        let error = if exact == 0.0 { approx.abs() } else { (approx - exact).abs() / exact };
        assert!(error <= RELATIVE_ACCURACY, "{approx} is not within the sketch's error of {exact}");
    }

    #[test]
    fn medians_of_even_groups_are_the_mean_of_the_two_middle_values() {
        assert_close(sketch_of(&[0.0, 168.0]).quantile(0.5).unwrap(), 84.0);
        assert_close(sketch_of(&[264.0, 840.0]).quantile(0.5).unwrap(), 552.0);
    }

    #[test]
    fn quantiles_follow_the_spreadsheet_definition_for_small_groups() {
        // n = 1 … 6, hand-checked against PERCENTILE.INC: e.g. n = 4,
        // values 2, 3, 5, 11: median 4, p90 at h = 2.7 → 5 + 0.7·6 = 9.2.
        let values = [2.0, 3.0, 5.0, 11.0, 13.0, 40.0];
        let expected = [(2.0, 2.0), (2.5, 2.9), (3.0, 4.6), (4.0, 9.2), (5.0, 12.2), (8.0, 26.5)];
        for (n, (median, p90)) in (1..=6).zip(expected) {
            let sketch = sketch_of(&values[..n]);
            assert_close(sketch.quantile(0.5).unwrap(), median);
            assert_close(sketch.quantile(0.9).unwrap(), p90);
            assert_close(exact_quantile(&mut values[..n].to_vec(), 0.9), p90);
        }
    }

    #[test]
    fn a_sketch_merged_from_parts_gives_the_exact_median_within_its_error() {
        let mut values: Vec<f64> = (1..=1001).map(|i| (i as f64 * 1.7) % 97.0 + 0.25).collect();
        let mut merged = Sketch::new();
        for part in values.chunks(130) {
            merged.merge(&sketch_of(part));
        }
        for q in [0.5, 0.9] {
            assert_close(merged.quantile(q).unwrap(), exact_quantile(&mut values, q));
        }
    }

    #[test]
    fn empty_sketch_has_no_quantile() {
        assert_eq!(Sketch::new().quantile(0.5), None);
    }

    #[test]
    fn quantiles_stay_within_the_relative_accuracy() {
        let mut values: Vec<f64> = (1..=5000).map(|i| (i as f64 * 0.37).powf(1.3)).collect();
        let mut sketch = Sketch::new();
        values.iter().for_each(|v| sketch.add(*v));
        for q in [0.1, 0.5, 0.9, 0.99] {
            let exact = exact_quantile(&mut values, q);
            let approx = sketch.quantile(q).unwrap();
            assert!((approx - exact).abs() / exact <= RELATIVE_ACCURACY, "q={q}");
        }
    }

    #[test]
    fn merged_sketches_equal_one_sketch_of_all_values() {
        let (mut a, mut b, mut all) = (Sketch::new(), Sketch::new(), Sketch::new());
        for i in 0..100 {
            let v = i as f64 / 7.0;
            if i % 2 == 0 {
                a.add(v)
            } else {
                b.add(v)
            }
            all.add(v);
        }
        a.merge(&b);
        assert_eq!(a, all);
    }

    #[test]
    fn a_growing_sketch_equals_the_sketch_of_the_same_values_added_in_any_order() {
        // Values reaching below and above the buckets seen first, and zeros:
        // more than a sparse one holds, so it turns dense midway (and more
        // than it sorts before that).
        let n = DENSE_AFTER as i64 + 300;
        let values: Vec<f64> = (0..n).map(|i| ((i * 37) % n) as f64 / 3.0 - 5.0).collect();
        let (mut growing, mut by_bucket, mut all) =
            (GrowingSketch::default(), GrowingSketch::default(), Sketch::new());
        for (i, &v) in values.iter().enumerate() {
            let mut one = Sketch::new();
            one.add(v.max(0.0));
            growing.add(&one);
            by_bucket.add_one(Bucket::of(v.max(0.0)).unwrap());
            all.add(v.max(0.0));
            let bucketed = all.count() - all.zero_count;
            for sketch in [&growing, &by_bucket] {
                assert_eq!(matches!(sketch.0, Buckets::Dense { .. }), bucketed > DENSE_AFTER, "value {i}");
                assert_eq!(sketch.clone().into_sketch(), all, "value {i}");
            }
        }
        growing.add(&Sketch::new());
        assert_eq!(growing.into_sketch(), all);
        // Many values at once, into one that holds none yet or a few.
        let mut at_once = GrowingSketch::default();
        at_once.add(&all);
        assert_eq!(at_once.into_sketch(), all);
        let (mut few, mut expected) = (GrowingSketch::default(), sketch_of(&[0.0, 3.0]));
        few.add(&expected);
        few.add(&all);
        expected.merge(&all);
        assert_eq!(few.into_sketch(), expected);
        assert_eq!(GrowingSketch::default().into_sketch(), Sketch::new());
    }

    #[test]
    fn zero_values_are_counted_and_returned_as_zero() {
        let mut s = Sketch::new();
        s.add(0.0);
        s.add(0.0);
        s.add(5.0);
        assert_eq!(s.count(), 3);
        assert_eq!(s.quantile(0.5), Some(0.0));
    }

    #[test]
    fn bytes_round_trip() {
        let mut s = Sketch::new();
        [0.0, 1.5, 2.0, 100.0, 100.0, 1e-3, 0.2].iter().for_each(|v| s.add(*v));
        assert_eq!(Sketch::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Sketch::from_bytes(&Sketch::new().to_bytes()), Some(Sketch::new()));
        assert_eq!(Sketch::from_bytes(&[1, 2, 3]), None);
        // Counts and a zero count beyond one byte.
        let mut big = Sketch::new();
        (0..100_000).for_each(|i| big.add(if i % 3 == 0 { 0.0 } else { 2.0 + (i % 50) as f64 }));
        assert_eq!(Sketch::from_bytes(&big.to_bytes()), Some(big));
    }

    #[test]
    fn sketches_of_every_length_round_trip_and_none_is_read_as_the_first_form() {
        let mut padded = 0;
        // A repeated first value makes a count of two bytes: both parities of length.
        for (n, repeats) in (0..40).flat_map(|n| [(n, 1), (n, 200)]) {
            let mut values: Vec<f64> = (0..n).map(|i| 0.01 * 1.3_f64.powi(i)).collect();
            values.extend(values.first().map(|&v| vec![v; repeats - 1]).unwrap_or_default());
            let s = sketch_of(&values);
            let bytes = s.to_bytes();
            assert!(!is_first_form(&bytes), "n = {n}");
            padded += usize::from(bytes.len() % 12 == 9 && bytes.last() == Some(&0));
            assert_eq!(Sketch::from_bytes(&bytes), Some(s), "n = {n}");
        }
        assert!(padded > 0, "no length needed the padding byte");
    }

    #[test]
    fn the_first_stored_form_is_still_read() {
        let s = sketch_of(&[0.0, 0.5, 2.0, 2.0, 90.0]);
        let mut first = s.zero_count.to_le_bytes().to_vec();
        for (index, count) in s.indexes.iter().zip(&s.counts) {
            first.extend_from_slice(&index.to_le_bytes());
            first.extend_from_slice(&count.to_le_bytes());
        }
        assert_eq!(Sketch::from_bytes(&first), Some(s.clone()));
        assert!(s.to_bytes().len() * 3 < first.len());
    }

    #[test]
    fn truncated_or_padded_bytes_are_not_a_sketch() {
        let s = sketch_of(&[1.0, 2.0, 3.0, 40.0, 300.0]);
        let bytes = s.to_bytes();
        for cut in 1..bytes.len() {
            assert_ne!(Sketch::from_bytes(&bytes[..cut]), Some(s.clone()), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.extend_from_slice(&[1, 1]);
        assert_eq!(Sketch::from_bytes(&extra), None);
        // Counts claimed beyond the bytes' length.
        assert_eq!(Sketch::from_bytes(&[0, 100, 2, 1]), None);
    }

    #[test]
    fn merging_into_a_sketch_that_holds_every_bucket_adds_in_place() {
        let mut big = sketch_of(&[1.0, 2.0, 3.0, 40.0]);
        let small = sketch_of(&[2.0, 40.0]);
        let missing = sketch_of(&[5.0]);
        big.merge(&small);
        assert_eq!(big, sketch_of(&[1.0, 2.0, 2.0, 3.0, 40.0, 40.0]));
        big.merge(&missing);
        assert_eq!(big, sketch_of(&[1.0, 2.0, 2.0, 3.0, 5.0, 40.0, 40.0]));
    }

    #[test]
    fn merging_buckets_below_between_and_above_equals_one_sketch_of_all_values() {
        let mut seed = 12_345_u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as f64 / 1_000.0
        };
        for round in 0..50 {
            let ours: Vec<f64> = (0..round % 7).map(|_| next()).collect();
            let theirs: Vec<f64> = (0..round % 5 + 1).map(|_| next() * 3.0).collect();
            let mut merged = sketch_of(&ours);
            merged.merge(&sketch_of(&theirs));
            assert_eq!(merged, sketch_of(&[ours, theirs].concat()), "round {round}");
        }
    }

    #[test]
    fn bytes_out_of_index_order_are_not_a_sketch() {
        let mut bytes = 0u64.to_le_bytes().to_vec();
        for (index, count) in [(5i32, 1u64), (3, 1)] {
            bytes.extend_from_slice(&index.to_le_bytes());
            bytes.extend_from_slice(&count.to_le_bytes());
        }
        assert_eq!(Sketch::from_bytes(&bytes), None);
    }
}
