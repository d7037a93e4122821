//! `aftercare demo --export DIR`: the demo data set as canonical CSV files
//! (tickets, orders, financials, targets, benchmarks), a ready example of
//! every import format. Generated month by month, so memory stays bounded.

use super::generate::Generator;
use super::{reference, DemoConfig};
use app::import::{canonical, Kind};
use std::path::Path;

pub fn write(config: &DemoConfig, dir: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
    let open = |kind: Kind| {
        let path = Path::new(dir).join(format!("{}.csv", kind.key()));
        let mut w =
            csv::Writer::from_path(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        w.write_record(canonical::header(kind)).map_err(|e| e.to_string())?;
        Ok::<_, String>(w)
    };
    let [mut tickets, mut orders, mut financials, mut targets, mut benchmarks] = Kind::ALL.map(open);
    let mut generator = Generator::new(config);
    let mut counts = [0usize; 2];
    for month in config.first_month().through(config.end) {
        let data = generator.month(month);
        let w = tickets.as_mut().map_err(|e| e.clone())?;
        for t in &data.tickets {
            w.write_record(canonical::row(Kind::Tickets, t)).map_err(|e| e.to_string())?;
        }
        let w = orders.as_mut().map_err(|e| e.clone())?;
        for o in &data.orders {
            w.write_record(canonical::row(Kind::Orders, o)).map_err(|e| e.to_string())?;
        }
        let w = financials.as_mut().map_err(|e| e.clone())?;
        w.write_record(canonical::row(Kind::Financials, &data.financials)).map_err(|e| e.to_string())?;
        let w = targets.as_mut().map_err(|e| e.clone())?;
        for t in reference::targets(month) {
            w.write_record(canonical::row(Kind::Targets, &t)).map_err(|e| e.to_string())?;
        }
        counts[0] += data.tickets.len();
        counts[1] += data.orders.len();
    }
    let w = benchmarks.as_mut().map_err(|e| e.clone())?;
    for b in reference::benchmarks() {
        w.write_record(canonical::row(Kind::Benchmarks, &b)).map_err(|e| e.to_string())?;
    }
    for w in [tickets, orders, financials, targets, benchmarks] {
        w?.flush().map_err(|e| e.to_string())?;
    }
    eprintln!(
        "wrote {} tickets, {} orders and {} months of financials and targets to {dir}",
        counts[0], counts[1], config.months
    );
    Ok(())
}
