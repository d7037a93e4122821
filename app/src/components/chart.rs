//! The interactive layer over a server-drawn chart: hover or keyboard focus
//! on a data point shows its exact value, a click follows its drill-down
//! link, "show as table" gives the numbers, and SVG and CSV download.

use crate::charts::{data_url, file_name, Chart, HitPoint};
use leptos::prelude::*;

#[component]
pub fn ChartView(chart: Chart) -> impl IntoView {
    let Chart { title, summary, svg, width, height, points, table, legend } = chart;
    let active = RwSignal::new(None::<usize>);
    let show_table = RwSignal::new(false);
    let file = file_name(&title);
    let csv_href = data_url("text/csv", &table.to_csv());
    let svg_href = data_url("image/svg+xml", &svg);
    let tooltip_points = points.clone();
    let tooltip = move || {
        active.get().and_then(|i| tooltip_points.get(i).cloned()).map(|p: HitPoint| {
            let style =
                format!("left:{:.2}%;top:{:.2}%", p.x / width as f64 * 100.0, p.y / height as f64 * 100.0);
            view! { <div class="chart-tooltip" role="status" style=style>{p.label}</div> }
        })
    };
    let hit_targets = points
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let href = p.href.clone();
            // A drill-down loads its page afresh, like following a link.
            let drill = move || {
                if let Some(href) = &href {
                    let _ = window().location().set_href(href);
                }
            };
            let drill_by_key = drill.clone();
            view! {
                <circle
                    cx=format!("{:.1}", p.x)
                    cy=format!("{:.1}", p.y)
                    r="9"
                    tabindex="0"
                    role=if p.href.is_some() { "link" } else { "img" }
                    aria-label=p.label
                    class:active=move || active.get() == Some(i)
                    class:drillable=p.href.is_some()
                    // try_set: leave and blur may arrive after a drill-down
                    // has already replaced the chart.
                    on:mouseenter=move |_| _ = active.try_set(Some(i))
                    on:mouseleave=move |_| _ = active.try_set(None)
                    on:focus=move |_| _ = active.try_set(Some(i))
                    on:blur=move |_| _ = active.try_set(None)
                    on:click=move |_| drill()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Enter" {
                            drill_by_key()
                        }
                    }
                ></circle>
            }
        })
        .collect_view();
    let columns = table.columns.clone();
    let rows = table.rows.clone();
    view! {
        <figure class="chart" data-chart=file.clone()>
            <figcaption>
                <h3>{title}</h3>
                <p class="chart-summary">{summary}</p>
            </figcaption>
            {(!legend.is_empty()).then(|| view! {
                <ul class="chart-legend">
                    {legend.into_iter().map(|(name, colour)| view! {
                        <li><span class="swatch" style=format!("background:{colour}")></span>{name}</li>
                    }).collect_view()}
                </ul>
            })}
            <div class="chart-canvas">
                <div class="chart-svg" inner_html=svg></div>
                <svg class="chart-overlay" viewBox=format!("0 0 {width} {height}") preserveAspectRatio="xMidYMid meet">
                    {hit_targets}
                </svg>
                {tooltip}
            </div>
            <div class="chart-tools">
                <button
                    type="button"
                    class="btn btn-small"
                    aria-pressed=move || show_table.get().to_string()
                    on:click=move |_| show_table.update(|s| *s = !*s)
                >
                    {move || if show_table.get() { "Hide table" } else { "Show as table" }}
                </button>
                <a class="btn btn-small" download=format!("{file}.csv") href=csv_href>"Download CSV"</a>
                <a class="btn btn-small" download=format!("{file}.svg") href=svg_href>"Download SVG"</a>
            </div>
            <Show when=move || show_table.get()>
                <table class="data-table chart-table">
                    <thead><tr>{columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {rows.iter().map(|row| view! {
                            <tr>{row.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </Show>
        </figure>
    }
}
