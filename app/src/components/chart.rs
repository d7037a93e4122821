//! The interactive layer over a server-drawn chart: hover or keyboard focus
//! on a data point shows its exact value, a click follows its drill-down
//! link, arrow keys step between points, legend entries hide series, time
//! charts zoom to a range (drag across the chart or pick the periods) and
//! reset, "show as table" gives the numbers, and the chart downloads as SVG,
//! PNG or CSV.

use crate::charts::{data_url, file_name, line, Chart, ChartSpec, HitPoint};
use leptos::prelude::*;

/// Time charts with fewer periods than this do not offer zooming.
const ZOOMABLE_FROM: usize = 4;

#[component]
pub fn ChartView(chart: Chart) -> impl IntoView {
    let title = chart.title.clone();
    let (width, height) = (chart.width, chart.height);
    let file = file_name(&title);
    let periods = match &chart.spec {
        ChartSpec::Line(spec) if spec.labels.len() >= ZOOMABLE_FROM => spec.labels.clone(),
        _ => Vec::new(),
    };
    // The periods shown, as indices into the full chart; `None` is everything.
    let zoom = RwSignal::new(None::<(usize, usize)>);
    let shown = Memo::new({
        let base = chart.clone();
        move |_| match (zoom.get(), &base.spec) {
            (Some((first, last)), ChartSpec::Line(spec)) => line::render(&spec.slice(first, last)),
            _ => base.clone(),
        }
    });
    let active = RwSignal::new(None::<usize>);
    // Which legend entries are switched off (only charts drawn in layers).
    let hidden = RwSignal::new(vec![false; chart.layers.len()]);
    let is_hidden = move |series: Option<usize>| {
        series.is_some_and(|s| hidden.with(|h| h.get(s).copied().unwrap_or(false)))
    };
    let show_table = RwSignal::new(false);

    let tooltip = move || {
        let point = active.get().and_then(|i| shown.with(|c| c.points.get(i).cloned()));
        point.map(|p: HitPoint| {
            let style =
                format!("left:{:.2}%;top:{:.2}%", p.x / width as f64 * 100.0, p.y / height as f64 * 100.0);
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
    let toggles = !chart.layers.is_empty();
    let legend_items = chart
        .legend
        .iter()
        .cloned()
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
    let drawing = move || {
        let c = shown.get();
        match c.frame {
            Some(frame) if toggles => view! {
                <div class="chart-svg" inner_html=frame></div>
                {c.layers
                    .into_iter()
                    .enumerate()
                    .map(|(i, layer)| view! {
                        <div class="chart-layer" class:hidden=move || is_hidden(Some(i)) inner_html=layer></div>
                    })
                    .collect_view()}
            }
            .into_any(),
            _ => view! { <div class="chart-svg" inner_html=c.svg></div> }.into_any(),
        }
    };
    let brush = Brush::new(zoom, shown);
    let overlay = NodeRef::<leptos::svg::Svg>::new();
    let chart_x = move |ev: &leptos::ev::MouseEvent| {
        overlay.get_untracked().map(|svg| {
            let rect = svg.get_bounding_client_rect();
            (ev.client_x() as f64 - rect.left()) / rect.width().max(1.0) * width as f64
        })
    };
    listen_for_keys(overlay);
    let zoomable = !periods.is_empty();
    let csv_href = move || shown.with(|c| data_url("text/csv", &c.table.to_csv()));
    let svg_href = move || shown.with(|c| data_url("image/svg+xml", &c.svg));
    let spec_json = move || shown.with(|c| serde_json::to_string(&c.spec).unwrap_or_default());
    // Parts are type-erased (`into_any`) to keep the view type shallow.
    let canvas = view! {
        <div class="chart-canvas" class:zoomable=zoomable>
            {drawing}
            <svg
                class="chart-overlay"
                node_ref=overlay
                viewBox=format!("0 0 {width} {height}")
                preserveAspectRatio="xMidYMid meet"
                on:mousedown=move |ev| if zoomable { brush.start(chart_x(&ev)) }
                on:mousemove=move |ev| brush.extend(chart_x(&ev))
                on:mouseup=move |ev| brush.finish(chart_x(&ev))
                on:mouseleave=move |_| brush.cancel()
            >
                {move || brush.span().map(|(a, b)| view! {
                    <rect class="chart-brush" x=format!("{a:.1}") y="0" width=format!("{:.1}", b - a) height=height></rect>
                })}
                {hit_targets}
            </svg>
            {tooltip}
        </div>
    }
    .into_any();
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
            <a class="btn btn-small" download=format!("{file}.svg") href=svg_href>"Download SVG"</a>
            // A plain form, so the PNG downloads with or without JavaScript.
            <form class="chart-png" method="post" action="/api/v1/charts/png">
                <input type="hidden" name="spec" value=spec_json/>
                <button type="submit" class="btn btn-small">"Download PNG"</button>
            </form>
            {zoomable.then(|| view! { <ZoomControls periods zoom/> })}
        </div>
    }
    .into_any();
    let table = move || {
        shown.with(|c| {
            let head = c.table.columns.iter().map(|col| view! { <th>{col.clone()}</th> }).collect_view();
            let body = c
                .table
                .rows
                .iter()
                .map(|row| view! { <tr>{row.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr> })
                .collect_view();
            view! { <thead><tr>{head}</tr></thead><tbody>{body}</tbody> }.into_any()
        })
    };
    view! {
        <figure class="chart" data-chart=file.clone()>
            <figcaption>
                <h3>{title}</h3>
                <p class="chart-summary">{move || shown.with(|c| c.summary.clone())}</p>
            </figcaption>
            <ul class="chart-legend">{legend_items}</ul>
            {canvas}
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
            cx=format!("{:.1}", p.x)
            cy=format!("{:.1}", p.y)
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
struct Brush {
    drag: RwSignal<Option<(f64, f64)>>,
    zoom: RwSignal<Option<(usize, usize)>>,
    shown: Memo<Chart>,
}

impl Brush {
    fn new(zoom: RwSignal<Option<(usize, usize)>>, shown: Memo<Chart>) -> Brush {
        Brush { drag: RwSignal::new(None), zoom, shown }
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
                let offset = self.zoom.get_untracked().map_or(0, |z| z.0);
                self.zoom.set(Some((offset + a, offset + b)));
            }
        }
    }
}

/// "From … to …" period pickers and a reset: zooming without a mouse.
#[component]
fn ZoomControls(periods: Vec<String>, zoom: RwSignal<Option<(usize, usize)>>) -> impl IntoView {
    let last = periods.len() - 1;
    let range = move || zoom.get().unwrap_or((0, last));
    let set = move |first: usize, to: usize| {
        if first < to {
            zoom.set(if (first, to) == (0, last) { None } else { Some((first, to)) });
        }
    };
    let options = |selected: fn((usize, usize)) -> usize| {
        periods
            .iter()
            .enumerate()
            .map(|(i, label)| {
                view! { <option value=i.to_string() selected=move || selected(range()) == i>{label.clone()}</option> }
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
                    prop:value=move || range().0.to_string()
                    on:change=move |ev| if let Some(i) = picked(ev) { set(i, range().1) }
                >
                    {options(|r| r.0)}
                </select>
            </label>
            <label>
                " to "
                <select
                    class="zoom-to"
                    prop:value=move || range().1.to_string()
                    on:change=move |ev| if let Some(i) = picked(ev) { set(range().0, i) }
                >
                    {options(|r| r.1)}
                </select>
            </label>
            <button
                type="button"
                class="btn btn-small"
                disabled=move || zoom.get().is_none()
                on:click=move |_| zoom.set(None)
            >
                "Reset zoom"
            </button>
        </div>
    }
}
