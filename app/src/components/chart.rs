//! A chart on a page: the server draws it, and a small island over it makes
//! it interactive. Hover or keyboard focus on a data point shows its exact
//! value, a click follows its drill-down link, arrow keys step between
//! points, legend entries hide series, time charts zoom to a range (drag
//! across the chart or pick the periods; the server draws the zoomed chart)
//! and reset, "show as table" gives the numbers, and the chart downloads as
//! SVG, PNG (both drawn by the server from the chart's spec) or CSV.
//!
//! The island gets the chart's small data (points, legend, table, spec) as
//! props; the SVG itself stays in the server-rendered HTML, passed as
//! children, so it is never serialised twice nor compiled into the WASM.

use crate::api::charts::zoom_chart;
use crate::charts::parts::{drawing_html, ChartControls, ZoomedChart};
use crate::charts::{data_url, file_name, Chart, ChartSpec, DataTable, HitPoint};
use crate::kpi::format::fixed;
use leptos::either::Either;
use leptos::prelude::*;

/// Time charts with fewer periods than this do not offer zooming.
const ZOOMABLE_FROM: usize = 4;

/// A chart with its interactive layer (a server component: the drawing is
/// rendered here, the island gets the rest).
#[component]
pub fn ChartView(chart: Chart) -> impl IntoView {
    let periods = match &chart.spec {
        ChartSpec::Line(spec) if spec.labels.len() >= ZOOMABLE_FROM => spec.labels.clone(),
        _ => Vec::new(),
    };
    let controls = ChartControls::of(&chart);
    let drawing = drawing_html(&chart);
    view! {
        <ChartFigure title=chart.title controls legend=chart.legend layers=chart.layers.len() as i64 periods>
            <div class="chart-base" inner_html=drawing></div>
        </ChartFigure>
    }
}

#[island]
fn ChartFigure(
    title: String,
    controls: ChartControls,
    /// (series name, CSS colour) in drawing order.
    legend: Vec<(String, String)>,
    /// How many legend entries are drawn as layers that can be hidden.
    layers: i64,
    /// The period labels of a zoomable time chart (empty otherwise).
    periods: Vec<String>,
    children: Children,
) -> impl IntoView {
    let file = file_name(&title);
    let controls_size = (controls.width, controls.height);
    let (width, height) = (controls.width as f64, controls.height as f64);
    let spec = StoredValue::new(controls.spec.clone());
    let base = controls;
    // The zoomed chart drawn by the server, with the range it shows.
    let zoomed = RwSignal::new(None::<((usize, usize), ZoomedChart)>);
    let zoom_error = RwSignal::new(None::<String>);
    let shown = Memo::new(move |_| {
        zoomed.with(|z| z.as_ref().map_or_else(|| base.clone(), |(_, z)| z.controls.clone()))
    });
    let range = Signal::derive(move || zoomed.with(|z| z.as_ref().map(|(r, _)| *r)));
    let zoom_to = move |target: Option<(usize, usize)>| {
        let Some((first, last)) = target else {
            zoomed.set(None);
            return;
        };
        leptos::task::spawn_local(async move {
            match zoom_chart(spec.get_value(), first as u32, last as u32).await {
                Ok(chart) => {
                    zoom_error.set(None);
                    zoomed.set(Some(((first, last), chart)));
                }
                Err(e) => zoom_error.set(Some(e.to_string())),
            }
        });
    };

    let active = RwSignal::new(None::<usize>);
    let hidden = RwSignal::new(vec![false; layers.max(0) as usize]);
    let is_hidden = move |series: Option<usize>| {
        series.is_some_and(|s| hidden.with(|h| h.get(s).copied().unwrap_or(false)))
    };
    let show_table = RwSignal::new(false);
    let canvas = NodeRef::<leptos::html::Div>::new();
    hide_layers(canvas, hidden, zoomed);

    let tooltip = move || {
        let point = active.get().and_then(|i| shown.with(|c| c.points.get(i).cloned()));
        point.map(|p: HitPoint| {
            let style =
                format!("left:{}%;top:{}%", fixed(p.x / width * 100.0, 2), fixed(p.y / height * 100.0, 2));
            view! { <div class="chart-tooltip" role="status" style=style>{p.label}</div> }
        })
    };
    let hit_targets = move || {
        shown.with(|c| {
            c.points
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, p)| hit_target(i, p, active, is_hidden))
                .collect_view()
        })
    };
    let toggles = layers > 0;
    let legend_items = legend
        .into_iter()
        .enumerate()
        .map(|(i, (name, colour))| {
            let swatch = view! { <span class="swatch" style=format!("background:{colour}")></span> };
            if toggles {
                Either::Left(view! {
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
                })
            } else {
                Either::Right(view! { <li>{swatch}{name}</li> })
            }
        })
        .collect_view();
    let zoomable = !periods.is_empty();
    let brush = Brush::new(shown, range, zoom_to);
    let overlay = NodeRef::<leptos::svg::Svg>::new();
    let chart_x = move |ev: &leptos::ev::MouseEvent| {
        overlay.get_untracked().map(|svg| {
            let rect = svg.get_bounding_client_rect();
            (ev.client_x() as f64 - rect.left()) / rect.width().max(1.0) * width
        })
    };
    listen_for_keys(overlay);
    let csv_href = move || shown.with(|c| data_url("text/csv", &c.table.to_csv()));
    let spec_json = move || shown.with(|c| c.spec.clone());
    let download = move |format: &'static str, label: &'static str| {
        view! {
            // A plain form: the server draws the file, with or without JavaScript.
            <form class="chart-download" method="post" action=format!("/api/v1/charts/{format}")>
                <input type="hidden" name="spec" value=spec_json/>
                <button type="submit" class="btn btn-small">{label}</button>
            </form>
        }
    };
    // No `into_any` in islands: each type-erased view costs WASM.
    let drawing = view! {
        <div class="chart-canvas" class:zoomable=zoomable node_ref=canvas>
            <div class:hidden=move || zoomed.with(Option::is_some)>{children()}</div>
            {move || zoomed.with(|z| z.as_ref().map(|(_, z)| view! { <div class="chart-base" inner_html=z.drawing.clone()></div> }))}
            <svg
                class="chart-overlay"
                node_ref=overlay
                viewBox=format!("0 0 {} {}", controls_size.0, controls_size.1)
                preserveAspectRatio="xMidYMid meet"
                on:mousedown=move |ev| if zoomable { brush.start(chart_x(&ev)) }
                on:mousemove=move |ev| brush.extend(chart_x(&ev))
                on:mouseup=move |ev| brush.finish(chart_x(&ev))
                on:mouseleave=move |_| brush.cancel()
            >
                {move || brush.span().map(|(a, b)| view! {
                    <rect class="chart-brush" x=fixed(a, 1) y="0" width=fixed(b - a, 1) height=controls_size.1></rect>
                })}
                {hit_targets}
            </svg>
            {tooltip}
        </div>
    };
    let tools = view! {
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
            {download("svg", "Download SVG")}
            {download("png", "Download PNG")}
            {zoomable.then(|| view! { <ZoomControls periods range zoom_to/> })}
        </div>
        <p class="form-alert" role="alert" hidden=move || zoom_error.with(Option::is_none)>{move || zoom_error.get()}</p>
    };
    let table = move || shown.with(|c| table_view(&c.table));
    view! {
        <figure class="chart" data-chart=file>
            <figcaption>
                <h3>{title}</h3>
                <p class="chart-summary">{move || shown.with(|c| c.summary.clone())}</p>
            </figcaption>
            <ul class="chart-legend">{legend_items}</ul>
            {drawing}
            {move || shown.with(|c| (!c.key.is_empty()).then(|| view! {
                <p class="chart-key">{c.key.join(" · ")}</p>
            }))}
            {tools}
            <Show when=move || show_table.get()>
                <table class="data-table chart-table">{table}</table>
            </Show>
        </figure>
    }
}

fn table_view(table: &DataTable) -> impl IntoView {
    let head = table.columns.iter().map(|col| view! { <th>{col.clone()}</th> }).collect_view();
    let body = table
        .rows
        .iter()
        .map(|row| view! { <tr>{row.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr> })
        .collect_view();
    view! { <thead><tr>{head}</tr></thead><tbody>{body}</tbody> }
}

/// Hides the drawn layers of switched-off legend entries. The layers are
/// server-rendered (or swapped in by a zoom), so they are found in the DOM.
fn hide_layers(
    canvas: NodeRef<leptos::html::Div>,
    hidden: RwSignal<Vec<bool>>,
    zoomed: RwSignal<Option<((usize, usize), ZoomedChart)>>,
) {
    Effect::new(move |_| {
        zoomed.track();
        let Some(canvas) = canvas.get() else { return };
        let Ok(layers) = canvas.query_selector_all(".chart-layer") else { return };
        hidden.with(|hidden| {
            for i in 0..layers.length() {
                use wasm_bindgen::JsCast;
                let Some(layer) = layers.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else {
                    continue;
                };
                let index = layer.get_attribute("data-layer").and_then(|s| s.parse::<usize>().ok());
                let off = index.is_some_and(|i| hidden.get(i).copied().unwrap_or(false));
                let _ = layer.class_list().toggle_with_force("hidden", off);
            }
        });
    });
}

/// One invisible circle over a data point: hover, focus, click, Enter.
fn hit_target(
    i: usize,
    p: HitPoint,
    active: RwSignal<Option<usize>>,
    is_hidden: impl Fn(Option<usize>) -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let href = p.href.clone();
    // A drill-down loads its page afresh, like following a link.
    let drill = move || {
        if let Some(href) = &href {
            let _ = window().location().set_href(href);
        }
    };
    let series = p.series;
    view! {
        <circle
            cx=fixed(p.x, 1)
            cy=fixed(p.y, 1)
            r="9"
            tabindex="0"
            role=if p.href.is_some() { "link" } else { "img" }
            aria-label=p.label
            class:active=move || active.get() == Some(i)
            class:drillable=p.href.is_some()
            class:hidden=move || is_hidden(series)
            // try_set: leave and blur may arrive after a drill-down or a
            // zoom has already replaced the chart.
            on:mouseenter=move |_| _ = active.try_set(Some(i))
            on:mouseleave=move |_| _ = active.try_set(None)
            on:focus=move |_| _ = active.try_set(Some(i))
            on:blur=move |_| _ = active.try_set(None)
            data-href=p.href.clone()
            on:click=move |_| drill()
        ></circle>
    }
}

/// Keys on a focused point: Enter follows its drill-down, arrow keys move
/// to the next or previous visible point. Listened for on the overlay
/// directly: a delegated `on:keydown` on the points never fired.
fn listen_for_keys(overlay: NodeRef<leptos::svg::Svg>) {
    Effect::new(move |_| {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let Some(svg) = overlay.get() else { return };
        let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            match ev.key().as_str() {
                "Enter" => {
                    let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    if let Some(href) = target.and_then(|t| t.get_attribute("data-href")) {
                        let _ = window().location().set_href(&href);
                    }
                }
                "ArrowRight" | "ArrowDown" => step_focus(&ev, true),
                "ArrowLeft" | "ArrowUp" => step_focus(&ev, false),
                _ => {}
            }
        });
        let _ = svg.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        // The listener lives as long as the chart's overlay.
        on_key.forget();
    });
}

/// Moves the focus to the next or previous visible data point.
fn step_focus(ev: &web_sys::KeyboardEvent, forward: bool) {
    use wasm_bindgen::JsCast;
    ev.prevent_default();
    let Some(mut current) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    loop {
        let next = if forward { current.next_element_sibling() } else { current.previous_element_sibling() };
        let Some(next) = next else { return };
        let hidden = next.get_attribute("class").is_some_and(|c| c.split_whitespace().any(|c| c == "hidden"));
        if next.tag_name() == "circle" && !hidden {
            if let Ok(point) = next.dyn_into::<web_sys::SvgElement>() {
                let _ = point.focus();
            }
            return;
        }
        current = next;
    }
}

/// A drag across a time chart, in the chart's pixel space: on release the
/// periods under it become the zoom range.
#[derive(Clone, Copy)]
struct Brush<Z: Fn(Option<(usize, usize)>) + Copy + 'static> {
    drag: RwSignal<Option<(f64, f64)>>,
    shown: Memo<ChartControls>,
    range: Signal<Option<(usize, usize)>>,
    zoom_to: Z,
}

impl<Z: Fn(Option<(usize, usize)>) + Copy + 'static> Brush<Z> {
    fn new(shown: Memo<ChartControls>, range: Signal<Option<(usize, usize)>>, zoom_to: Z) -> Self {
        Brush { drag: RwSignal::new(None), shown, range, zoom_to }
    }

    fn start(&self, x: Option<f64>) {
        self.drag.set(x.map(|x| (x, x)));
    }

    fn extend(&self, x: Option<f64>) {
        if let (Some(x), Some(_)) = (x, self.drag.get_untracked()) {
            self.drag.update(|d| d.as_mut().expect("dragging").1 = x);
        }
    }

    fn cancel(&self) {
        self.drag.set(None);
    }

    /// The dragged span from left to right.
    fn span(&self) -> Option<(f64, f64)> {
        self.drag.get().map(|(a, b)| (a.min(b), a.max(b)))
    }

    fn finish(&self, x: Option<f64>) {
        self.extend(x);
        let Some((left, right)) = self.span() else { return };
        self.cancel();
        // A short drag is a click on a point, not a zoom.
        if right - left < 12.0 {
            return;
        }
        let slots = self.shown.with_untracked(|c| c.x_slots.clone());
        let inside: Vec<usize> = (0..slots.len()).filter(|&i| (left..=right).contains(&slots[i])).collect();
        if let (Some(&a), Some(&b)) = (inside.first(), inside.last()) {
            if b > a {
                let offset = self.range.get_untracked().map_or(0, |z| z.0);
                (self.zoom_to)(Some((offset + a, offset + b)));
            }
        }
    }
}

/// "From … to …" period pickers and a reset: zooming without a mouse.
#[component]
fn ZoomControls(
    periods: Vec<String>,
    range: Signal<Option<(usize, usize)>>,
    zoom_to: impl Fn(Option<(usize, usize)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let last = periods.len() - 1;
    let current = move || range.get().unwrap_or((0, last));
    let set = move |first: usize, to: usize| {
        if first < to {
            zoom_to(if (first, to) == (0, last) { None } else { Some((first, to)) });
        }
    };
    let options = |selected: fn((usize, usize)) -> usize| {
        periods
            .iter()
            .enumerate()
            .map(|(i, label)| {
                view! { <option value=i.to_string() selected=move || selected(current()) == i>{label.clone()}</option> }
            })
            .collect_view()
    };
    let picked = |ev: leptos::ev::Event| event_target_value(&ev).parse::<usize>().ok();
    view! {
        <div class="chart-zoom">
            <label>
                "From "
                <select
                    class="zoom-from"
                    prop:value=move || current().0.to_string()
                    on:change=move |ev| if let Some(i) = picked(ev) { set(i, current().1) }
                >
                    {options(|r| r.0)}
                </select>
            </label>
            <label>
                " to "
                <select
                    class="zoom-to"
                    prop:value=move || current().1.to_string()
                    on:change=move |ev| if let Some(i) = picked(ev) { set(current().0, i) }
                >
                    {options(|r| r.1)}
                </select>
            </label>
            <button
                type="button"
                class="btn btn-small"
                disabled=move || range.get().is_none()
                on:click=move |_| zoom_to(None)
            >
                "Reset zoom"
            </button>
        </div>
    }
}
