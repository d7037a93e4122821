//! The interactive layer over a server-drawn chart: hover or keyboard focus
//! on a data point shows its exact value, a click follows its drill-down
//! link, "show as table" gives the numbers, and SVG and CSV download.

use crate::charts::{data_url, file_name, Chart, HitPoint};
use leptos::prelude::*;

#[component]
pub fn ChartView(chart: Chart) -> impl IntoView {
    let Chart { title, summary, svg, frame, layers, width, height, points, table, legend } = chart;
    let active = RwSignal::new(None::<usize>);
    // Which legend entries are switched off (only charts drawn in layers).
    let hidden = RwSignal::new(vec![false; layers.len()]);
    let is_hidden = move |series: Option<usize>| {
        series.is_some_and(|s| hidden.with(|h| h.get(s).copied().unwrap_or(false)))
    };
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
            let series = p.series;
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
                    class:hidden=move || is_hidden(series)
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
    let toggles = !layers.is_empty();
    let legend_items = legend
        .into_iter()
        .enumerate()
        .map(|(i, (name, colour))| {
            let swatch = view! { <span class="swatch" style=format!("background:{colour}")></span> };
            if toggles {
                view! {
                    <li>
                        <button
                            type="button"
                            class="legend-toggle"
                            aria-pressed=move || (!is_hidden(Some(i))).to_string()
                            on:click=move |_| hidden.update(|h| h[i] = !h[i])
                        >
                            {swatch}
                            {name}
                        </button>
                    </li>
                }
                .into_any()
            } else {
                view! { <li>{swatch}{name}</li> }.into_any()
            }
        })
        .collect_view();
    let drawing = match frame {
        Some(frame) if toggles => view! {
            <div class="chart-svg" inner_html=frame></div>
            {layers
                .into_iter()
                .enumerate()
                .map(|(i, layer)| view! {
                    <div class="chart-layer" class:hidden=move || is_hidden(Some(i)) inner_html=layer></div>
                })
                .collect_view()}
        }
        .into_any(),
        _ => view! { <div class="chart-svg" inner_html=svg.clone()></div> }.into_any(),
    };
    let columns = table.columns.clone();
    let rows = table.rows.clone();
    view! {
        <figure class="chart" data-chart=file.clone()>
            <figcaption>
                <h3>{title}</h3>
                <p class="chart-summary">{summary}</p>
            </figcaption>
            <ul class="chart-legend">{legend_items}</ul>
            <div class="chart-canvas">
                {drawing}
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
