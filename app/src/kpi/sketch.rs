//! A mergeable quantile sketch (DDSketch, Masson et al. 2019) for the time
//! metrics. Values fall into logarithmic buckets, so any quantile comes back
//! with at most `RELATIVE_ACCURACY` relative error, and two sketches merge by
//! adding bucket counts: a month is the sum of its days.

use std::collections::BTreeMap;

/// Relative error bound of every quantile (0.5 %, inside the 1 % promised).
pub const RELATIVE_ACCURACY: f64 = 0.005;

/// Non-negative values only; zero (an instant reply) has its own bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    zero_count: u64,
    buckets: BTreeMap<i32, u64>,
}

fn gamma() -> f64 {
    (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)
}

/// Values below this are counted as zero (a millisecond, in hours).
const MIN_VALUE: f64 = 1e-6;

impl Sketch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.zero_count + self.buckets.values().sum::<u64>()
    }

    /// Adds one value; negative and non-finite values are ignored because the
    /// ingest invariants already refuse them.
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() || value < 0.0 {
            return;
        }
        if value < MIN_VALUE {
            self.zero_count += 1;
        } else {
            let index = (value.ln() / gamma().ln()).ceil() as i32;
            *self.buckets.entry(index).or_insert(0) += 1;
        }
    }

    /// Adds every value of `other` to this sketch.
    pub fn merge(&mut self, other: &Sketch) {
        self.zero_count += other.zero_count;
        for (index, count) in &other.buckets {
            *self.buckets.entry(*index).or_insert(0) += count;
        }
    }

    /// The q-quantile (0 ≤ q ≤ 1) by the lower rank convention, or `None`
    /// when the sketch is empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 || !(0.0..=1.0).contains(&q) {
            return None;
        }
        let rank = (q * (total - 1) as f64).floor() as u64;
        if rank < self.zero_count {
            return Some(0.0);
        }
        let mut seen = self.zero_count;
        for (index, count) in &self.buckets {
            seen += count;
            if seen > rank {
                let g = gamma();
                return Some(2.0 * g.powi(*index) / (g + 1.0));
            }
        }
        None
    }

    /// Compact byte form for the rollup table: zero count, then
    /// (bucket index, count) pairs, all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.buckets.len() * 12);
        out.extend_from_slice(&self.zero_count.to_le_bytes());
        for (index, count) in &self.buckets {
            out.extend_from_slice(&index.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
        }
        out
    }

    /// Reads the form written by [`Sketch::to_bytes`]; `None` if it is malformed.
    pub fn from_bytes(bytes: &[u8]) -> Option<Sketch> {
        if bytes.is_empty() {
            return Some(Sketch::new());
        }
        if bytes.len() < 8 || !(bytes.len() - 8).is_multiple_of(12) {
            return None;
        }
        let zero_count = u64::from_le_bytes(bytes[..8].try_into().ok()?);
        let mut buckets = BTreeMap::new();
        for pair in bytes[8..].chunks_exact(12) {
            let index = i32::from_le_bytes(pair[..4].try_into().ok()?);
            let count = u64::from_le_bytes(pair[4..].try_into().ok()?);
            buckets.insert(index, count);
        }
        Some(Sketch { zero_count, buckets })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(values: &mut [f64], q: f64) -> f64 {
        values.sort_by(f64::total_cmp);
        values[(q * (values.len() - 1) as f64).floor() as usize]
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
        [0.0, 1.5, 2.0, 100.0, 100.0].iter().for_each(|v| s.add(*v));
        assert_eq!(Sketch::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Sketch::from_bytes(&[1, 2, 3]), None);
    }
}
