//! Charts redrawn on request: a time chart zoomed to a range of its periods,
//! drawn by the same code as the page, so the browser needs no plotters.

use crate::charts::parts::ZoomedChart;
use crate::error::AppError;
use leptos::prelude::*;

/// The line chart of `spec` (JSON, as the page carries it) cut to the
/// periods `first..=last`.
#[server(endpoint = "zoom_chart")]
pub async fn zoom_chart(spec: String, first: u32, last: u32) -> Result<ZoomedChart, AppError> {
    super::for_viewer(|_| async move {
        // Drawing is CPU work: keep it off the async workers, as the REST route does.
        tokio::task::spawn_blocking(move || server::zoomed(&spec, first as usize, last as usize))
            .await
            .map_err(|_| AppError::Unavailable("The chart could not be drawn. Please try again.".into()))?
    })
    .await
}

#[cfg(feature = "ssr")]
mod server {
    use crate::charts::parts::{drawing_html, ChartControls, ZoomedChart};
    use crate::charts::{line, ChartSpec};
    use crate::error::AppError;

    pub fn zoomed(spec: &str, first: usize, last: usize) -> Result<ZoomedChart, AppError> {
        let spec: ChartSpec = serde_json::from_str(spec)
            .map_err(|e| AppError::invalid("spec", format!("not a chart ({e})")))?;
        spec.check().map_err(|e| AppError::invalid("spec", e))?;
        let ChartSpec::Line(spec) = spec else {
            return Err(AppError::invalid("spec", "only time charts zoom"));
        };
        if first >= last || last >= spec.labels.len() {
            return Err(AppError::invalid("last", format!("a range of 2 to {} periods", spec.labels.len())));
        }
        let chart = line::render(&spec.slice(first, last));
        Ok(ZoomedChart { drawing: drawing_html(&chart), controls: ChartControls::of(&chart) })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn months(n: usize) -> String {
            let spec = ChartSpec::Line(line::LineSpec {
                title: "CSAT".into(),
                labels: (1..=n).map(|m| format!("M{m}")).collect(),
                series: vec![("CSAT".into(), (1..=n).map(|m| Some(70.0 + m as f64)).collect())],
                ..Default::default()
            });
            serde_json::to_string(&spec).unwrap()
        }

        #[test]
        fn a_zoomed_chart_shows_only_the_chosen_periods() {
            let zoomed = zoomed(&months(12), 3, 6).unwrap();
            assert_eq!(zoomed.controls.x_slots.len(), 4);
            assert_eq!(zoomed.controls.table.rows.len(), 4);
            assert!(zoomed.drawing.starts_with("<div class=\"chart-svg\"><svg"));
        }

        #[test]
        fn ranges_outside_the_chart_are_refused_with_the_field() {
            assert!(zoomed(&months(12), 6, 12).unwrap_err().field_message("last").is_some());
            assert!(zoomed(&months(12), 5, 5).is_err());
            assert!(zoomed("{}", 0, 1).unwrap_err().field_message("spec").is_some());
        }
    }
}
