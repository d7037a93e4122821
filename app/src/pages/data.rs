//! Data (admins): import a CSV export from any helpdesk or shop. The page
//! reads the start of the chosen file, shows a preview with a guessed
//! mapping, lets the person correct it (columns, date format, time zone,
//! durations, rating scales and words) or load a saved preset, then uploads
//! the whole file with a progress bar and shows what was imported — or every
//! refused row with its column, value and reason.

use crate::api::auth::get_me;
use crate::api::data::{import_preview, load_import_preset, save_import_preset, ImportSetup};
use crate::components::layout::PageHead;
use crate::components::states::ErrorPanel;
use crate::import::{DurationUnit, Field, FieldMap, FieldType, ImportReport, Kind, Mapping};
use crate::kpi::format::fixed;
use crate::models::Role;
use leptos::either::{EitherOf3, EitherOf5};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::Deserialize;

/// The part of a file read for the preview.
const SAMPLE_BYTES: i32 = 64 * 1024;
/// The column choice that means "the same value for every row".
const FIXED: &str = "\u{1}fixed";

/// Where an upload stands.
#[derive(Clone, Debug, PartialEq)]
enum Upload {
    Idle,
    Sending(f64),
    Importing,
    Done(ImportReport),
    Refused(Refusal),
}

/// The import route's error body.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
struct Refusal {
    error: String,
    #[serde(default)]
    errors: Vec<RowError>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct RowError {
    row: u64,
    column: String,
    value: String,
    reason: String,
}

#[component]
pub fn DataPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text="Data"/>
        <PageHead eyebrow="Data" title="Import a file">
            "A CSV export from your helpdesk or shop, in its own column names and formats. "
            "Nothing is imported until every row is valid; importing the same file again changes nothing."
        </PageHead>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(m) if m.user.as_ref().is_some_and(|u| u.role == Role::Admin) => view! { <Importer/> }.into_any(),
                    Ok(m) => {
                        // 401 or 403 like the other admin pages, not a 200 with a refusal in it.
                        #[cfg(feature = "ssr")]
                        {
                            let _ = if m.user.is_some() {
                                crate::error::AppError::Forbidden(Role::Admin)
                            } else {
                                crate::error::AppError::Unauthorized
                            }
                            .set_response_status();
                        }
                        #[cfg(not(feature = "ssr"))]
                        let _ = m;
                        view! {
                            <ErrorPanel message="Importing data is for admins: ask one to import your file, or to make you an admin.".to_string()/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorPanel message=e.to_string()/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The import steps: file, preview and mapping, upload. An island: all of
/// it happens in the browser.
#[island]
fn Importer() -> impl IntoView {
    let kind = RwSignal::new(Kind::Tickets);
    let file = StoredValue::new_local(None::<web_sys::File>);
    let file_name = RwSignal::new(None::<String>);
    let setup = RwSignal::new(None::<ImportSetup>);
    let mapping = RwSignal::new(Mapping::default());
    let problem = RwSignal::new(None::<String>);
    let upload = RwSignal::new(Upload::Idle);

    // Reads the start of the file and asks the server for a first mapping.
    let read_sample = move || {
        let Some(f) = file.get_value() else { return };
        upload.set(Upload::Idle);
        leptos::task::spawn_local(async move {
            let text = match f.slice_with_i32_and_i32(0, SAMPLE_BYTES) {
                Ok(blob) => {
                    wasm_bindgen_futures::JsFuture::from(blob.text()).await.ok().and_then(|v| v.as_string())
                }
                Err(_) => None,
            };
            let Some(mut text) = text else {
                problem.set(Some("The file could not be read.".into()));
                return;
            };
            // A whole small file: its last line is complete even without a line break.
            if f.size() <= f64::from(SAMPLE_BYTES) && !text.ends_with('\n') {
                text.push('\n');
            }
            match import_preview(kind.get_untracked().key().to_string(), text).await {
                Ok(s) => {
                    problem.set(None);
                    mapping.set(s.preview.mapping.clone());
                    setup.set(Some(s));
                }
                Err(e) => {
                    setup.set(None);
                    problem.set(Some(e.to_string()));
                }
            }
        });
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        let chosen = input.files().and_then(|list| list.get(0));
        file_name.set(chosen.as_ref().map(|f| f.name()));
        file.set_value(chosen);
        read_sample();
    };
    let on_kind = move |ev: leptos::ev::Event| {
        if let Some(k) = Kind::from_key(&event_target_value(&ev)) {
            kind.set(k);
            read_sample();
        }
    };
    let missing = move || {
        mapping.with(|m| {
            kind.get()
                .fields()
                .iter()
                .filter(|f| f.required)
                .filter(|f| !m.fields.get(f.name).is_some_and(|e| e.column.is_some() || e.value.is_some()))
                .map(|f| f.name)
                .collect::<Vec<_>>()
        })
    };
    let start_upload = move |_| {
        let Some(f) = file.get_value() else { return };
        let json = serde_json::to_string(&mapping.get_untracked()).unwrap_or_default();
        send(&f, kind.get_untracked(), &json, upload);
    };
    let busy = move || matches!(upload.get(), Upload::Sending(_) | Upload::Importing);

    // No `into_any` in islands: each type-erased view costs WASM.
    let choose = view! {
        <noscript><p class="form-alert">"Importing files needs JavaScript; scripts can use the API or the aftercare import command."</p></noscript>
        <section class="panel form-panel">
            <h2>"1. Choose the file"</h2>
            <div class="inline-form">
                <div class="field">
                    <label for="import-kind">"It holds"</label>
                    <select id="import-kind" on:change=on_kind prop:value=move || kind.get().key()>
                        {Kind::ALL.iter().map(|k| view! { <option value=k.key()>{k.key()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="import-file">"CSV file"</label>
                    <input id="import-file" type="file" accept=".csv,.tsv,.txt,text/csv" on:change=on_file/>
                </div>
            </div>
            {move || problem.get().map(|p| view! { <p class="form-alert" role="alert">{p}</p> })}
        </section>
    };
    let panels = move || {
        setup.get().map(|s| {
            view! {
                <PreviewPanel setup=s.clone() kind mapping/>
                <MappingPanel setup=s kind mapping/>
            }
        })
    };
    let run = view! {
        <Show when=move || setup.with(Option::is_some)>
            <section class="panel form-panel">
                <h2>"3. Import"</h2>
                {move || {
                    let missing = missing();
                    (!missing.is_empty()).then(|| view! {
                        <p class="form-alert">"Map a column (or a value) for: " {missing.join(", ")}</p>
                    })
                }}
                <button
                    type="button"
                    class="btn btn-primary"
                    disabled=move || busy() || !missing().is_empty()
                    on:click=start_upload
                >
                    {move || format!("Import {}", file_name.get().unwrap_or_default())}
                </button>
                <UploadStatus upload/>
            </section>
        </Show>
    };
    view! { {choose} {panels} {run} }
}

/// Uploads the file with its mapping; progress and outcome go to `upload`.
fn send(file: &web_sys::File, kind: Kind, mapping: &str, upload: RwSignal<Upload>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return };
    let query = crate::url::percent_encode(mapping);
    if xhr.open("POST", &format!("/api/v1/import/{}?mapping={query}", kind.key())).is_err() {
        return;
    }
    upload.set(Upload::Sending(0.0));
    let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            let share = e.loaded() / e.total();
            upload.set(if share >= 1.0 { Upload::Importing } else { Upload::Sending(share) });
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    on_progress.forget();
    let done = xhr.clone();
    let on_end = Closure::<dyn FnMut()>::new(move || {
        let body = done.response_text().ok().flatten().unwrap_or_default();
        let outcome = match done.status() {
            Ok(200) => serde_json::from_str(&body).map(Upload::Done).unwrap_or(Upload::Idle),
            Ok(0) => {
                Upload::Refused(Refusal { error: "The connection broke off.".into(), ..Refusal::default() })
            }
            _ => Upload::Refused(
                serde_json::from_str(&body).unwrap_or(Refusal { error: body, errors: Vec::new() }),
            ),
        };
        upload.set(outcome);
    });
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    on_end.forget();
    if xhr.send_with_opt_blob(Some(file)).is_err() {
        upload.set(Upload::Refused(Refusal {
            error: "The file could not be sent.".into(),
            ..Refusal::default()
        }));
    }
}

#[component]
fn UploadStatus(upload: RwSignal<Upload>) -> impl IntoView {
    move || match upload.get() {
        Upload::Idle => EitherOf5::A(()),
        Upload::Sending(share) => EitherOf5::B(view! {
            <div class="import-progress" role="status">
                <progress max="100" value=fixed(share * 100.0, 0)></progress>
                <span>{format!("Uploading… {} %", fixed(share * 100.0, 0))}</span>
            </div>
        }),
        Upload::Importing => EitherOf5::C(view! {
            <div class="import-progress" role="status">
                <progress></progress>
                <span>"Importing and checking every row…"</span>
            </div>
        }),
        Upload::Done(r) => EitherOf5::D(view! {
            <div class="import-result good" role="status" data-testid="import-result">
                <strong>{format!(
                    "Imported {} rows: {} new, {} updated, {} unchanged{}.",
                    r.rows,
                    r.inserted,
                    r.updated,
                    r.unchanged,
                    if r.repeated > 0 { format!(", {} merged into an earlier row with the same id", r.repeated) } else { String::new() }
                )}</strong>
                " The dashboards include them now: "
                <a href="/">"open the overview"</a>
                "."
            </div>
        }),
        Upload::Refused(refusal) => EitherOf5::E(view! {
            <div class="import-result bad" role="alert" data-testid="import-result">
                <strong>{refusal.error.clone()}</strong>
                {(!refusal.errors.is_empty()).then(|| view! {
                    <table class="data-table">
                        <thead><tr><th title="The header is row 1">"Row"</th><th>"Column"</th><th>"Value"</th><th>"Reason"</th></tr></thead>
                        <tbody>
                            {refusal.errors.iter().map(|e| view! {
                                <tr><td>{e.row}</td><td>{e.column.clone()}</td><td><code>{e.value.clone()}</code></td><td>{e.reason.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </div>
        }),
    }
}

#[component]
fn PreviewPanel(setup: ImportSetup, kind: RwSignal<Kind>, mapping: RwSignal<Mapping>) -> impl IntoView {
    let p = setup.preview;
    let header_note = if p.has_header { "with a header row" } else { "without a header row" };
    let delimiter = match p.delimiter {
        '\t' => "tab".to_string(),
        d => format!("'{d}'"),
    };
    // Which field each column feeds, under its header.
    let feeds = {
        let headers = p.headers.clone();
        move || {
            mapping.with(|m| {
                headers
                    .iter()
                    .map(|h| {
                        m.fields
                            .iter()
                            .filter(|(_, e)| e.column.as_deref() == Some(h.as_str()))
                            .map(|(name, _)| name.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect::<Vec<_>>()
            })
        }
    };
    view! {
        <section class="panel form-panel">
            <h2>"Preview"</h2>
            <p class="muted">{format!("Columns separated by {delimiter}, {header_note}; the first rows as {} would read them.", kind.get_untracked().key())}</p>
            <div class="table-scroll">
                <table class="data-table preview-table">
                    <thead>
                        <tr>{p.headers.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}</tr>
                        <tr class="feeds">{move || feeds().into_iter().map(|f| view! { <td>{if f.is_empty() { "—".to_string() } else { format!("→ {f}") }}</td> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {p.rows.iter().map(|row| view! {
                            <tr>{row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn MappingPanel(setup: ImportSetup, kind: RwSignal<Kind>, mapping: RwSignal<Mapping>) -> impl IntoView {
    let headers = setup.preview.headers.clone();
    let first_row = setup.preview.rows.first().cloned().unwrap_or_default();
    let presets = RwSignal::new(setup.presets);
    let chosen_preset = RwSignal::new(String::new());
    let preset_name = RwSignal::new(String::new());
    let preset_note = RwSignal::new(None::<String>);
    let load = move |_| {
        let name = chosen_preset.get_untracked();
        if name.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            match load_import_preset(kind.get_untracked().key().to_string(), name.clone()).await {
                Ok(m) => {
                    mapping.set(m);
                    preset_note.set(Some(format!("Loaded '{name}'.")));
                }
                Err(e) => preset_note.set(Some(e.to_string())),
            }
        });
    };
    let save = move |_| {
        let name = preset_name.get_untracked();
        let json = serde_json::to_string(&mapping.get_untracked()).unwrap_or_default();
        leptos::task::spawn_local(async move {
            match save_import_preset(kind.get_untracked().key().to_string(), name.clone(), json).await {
                Ok(list) => {
                    presets.set(list);
                    preset_note.set(Some(format!("Saved as '{}'.", name.trim())));
                }
                Err(e) => preset_note.set(Some(e.to_string())),
            }
        });
    };
    let rows = kind
        .get_untracked()
        .fields()
        .iter()
        .map(|field| {
            let sample = headers.clone().into_iter().zip(first_row.clone()).collect::<Vec<_>>();
            view! { <FieldRow field=*field headers=headers.clone() sample mapping/> }
        })
        .collect_view();
    view! {
        <section class="panel form-panel">
            <h2>"2. Map the columns"</h2>
            <div class="inline-form">
                <div class="field">
                    <label for="import-tz">"Time zone of times without one"</label>
                    <input
                        id="import-tz"
                        placeholder="UTC"
                        prop:value=move || mapping.with(|m| m.timezone.clone().unwrap_or_default())
                        on:change=move |ev| {
                            let tz = event_target_value(&ev);
                            mapping.update(|m| m.timezone = (!tz.trim().is_empty()).then(|| tz.trim().to_string()));
                        }
                    />
                </div>
                <div class="field">
                    <label for="import-preset">"Built-in and saved presets"</label>
                    <select id="import-preset" on:change=move |ev| chosen_preset.set(event_target_value(&ev))>
                        <option value="">{move || if presets.with(Vec::is_empty) { "none yet" } else { "choose…" }}</option>
                        {move || presets.get().into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="btn" on:click=load>"Load"</button>
                <div class="field">
                    <label for="preset-name">"Save this mapping as"</label>
                    <input id="preset-name" placeholder="e.g. Zendesk export" on:input=move |ev| preset_name.set(event_target_value(&ev))/>
                </div>
                <button type="button" class="btn" on:click=save>"Save preset"</button>
            </div>
            {move || preset_note.get().map(|n| view! { <p class="muted" role="status">{n}</p> })}
            <div class="table-scroll">
                <table class="data-table mapping-table">
                    <thead><tr><th>"Aftercare field"</th><th>"From the file"</th><th>"How to read it"</th><th>"First row"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// One field of the mapping: its column (or a fixed value) and, by type,
/// the date format, duration unit, rating scale and word scores.
#[component]
fn FieldRow(
    field: Field,
    headers: Vec<String>,
    sample: Vec<(String, String)>,
    mapping: RwSignal<Mapping>,
) -> impl IntoView {
    let name = field.name;
    let entry = move || mapping.with(|m| m.fields.get(name).cloned().unwrap_or_default());
    let edit = move |change: &dyn Fn(&mut FieldMap)| {
        mapping.update(|m| {
            let e = m.fields.entry(name.to_string()).or_default();
            change(e);
            if e.column.is_none() && e.value.is_none() {
                m.fields.remove(name);
            }
        })
    };
    let choice = move || {
        let e = entry();
        match (e.column, e.value) {
            (Some(c), _) => c,
            (None, Some(_)) => FIXED.to_string(),
            _ => String::new(),
        }
    };
    let on_column = move |ev: leptos::ev::Event| {
        let picked = event_target_value(&ev);
        edit(&|e| match picked.as_str() {
            "" => *e = FieldMap::default(),
            FIXED => {
                e.column = None;
                e.value = Some(e.value.clone().unwrap_or_default());
            }
            column => {
                e.column = Some(column.to_string());
                e.value = None;
            }
        });
    };
    let shown_sample = move || {
        let column = entry().column;
        sample.iter().find(|(h, _)| Some(h) == column.as_ref()).map(|(_, v)| v.clone()).unwrap_or_default()
    };
    let select_id = format!("map-{name}");
    view! {
        <tr data-field=name>
            <th scope="row">
                <label for=select_id.clone()>{name}{field.required.then_some(" *")}</label>
                <small>{format!("{} · {}", field.ty.describe(), field.description)}</small>
            </th>
            <td>
                <select id=select_id prop:value=choice on:change=on_column>
                    <option value="">"— not in the file —"</option>
                    {headers.iter().map(|h| view! { <option value=h.clone()>{h.clone()}</option> }).collect_view()}
                    <option value=FIXED>"the same value for every row…"</option>
                </select>
                {move || (choice() == FIXED).then(|| view! {
                    <input
                        class="fixed-value"
                        aria-label=format!("Value of {name} for every row")
                        prop:value=move || entry().value.unwrap_or_default()
                        on:change=move |ev| { let v = event_target_value(&ev); edit(&|e| e.value = Some(v.clone())) }
                    />
                })}
            </td>
            <td>{conversions(field, entry, edit)}</td>
            <td class="muted">{shown_sample}</td>
        </tr>
    }
}

/// The conversion controls a field's type needs.
fn conversions(
    field: Field,
    entry: impl Fn() -> FieldMap + Copy + Send + Sync + 'static,
    edit: impl Fn(&dyn Fn(&mut FieldMap)) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    match field.ty {
        FieldType::Timestamp => {
            let durations = field.name != "created_at";
            EitherOf3::A(view! {
                <div class="conversions">
                    <input
                        aria-label=format!("Date format of {}", field.name)
                        placeholder="automatic (ISO 8601)"
                        prop:value=move || entry().format.unwrap_or_default()
                        on:change=move |ev| {
                            let f = event_target_value(&ev);
                            edit(&|e| e.format = (!f.trim().is_empty()).then(|| f.trim().to_string()))
                        }
                    />
                    {durations.then(|| view! {
                        <select
                            aria-label=format!("{} given as", field.name)
                            prop:value=move || entry().duration.map_or("", DurationUnit::key)
                            on:change=move |ev| {
                                let unit = event_target_value(&ev);
                                let unit = DurationUnit::ALL.into_iter().find(|d| d.key() == unit);
                                edit(&|e| e.duration = unit)
                            }
                        >
                            <option value="">"a date-time"</option>
                            {DurationUnit::ALL.iter().map(|d| view! {
                                <option value=d.key()>{format!("{} after created_at", d.key())}</option>
                            }).collect_view()}
                        </select>
                    })}
                </div>
            })
        }
        FieldType::Score { lo, hi } => {
            let native = format!("{lo}–{hi} as is");
            EitherOf3::B(view! {
                <div class="conversions">
                    <select
                        aria-label=format!("Scale of {}", field.name)
                        prop:value=move || match entry().scale { Some([0.0, _]) => "0-100", Some(_) => "1-10", None => "" }
                        on:change=move |ev| {
                            let scale = match event_target_value(&ev).as_str() {
                                "1-10" => Some([1.0, 10.0]),
                                "0-100" => Some([0.0, 100.0]),
                                _ => None,
                            };
                            edit(&|e| e.scale = scale)
                        }
                    >
                        <option value="">{native}</option>
                        <option value="1-10">"from 1–10"</option>
                        <option value="0-100">"from 0–100"</option>
                    </select>
                    {move || {
                        let words = entry().values;
                        (!words.is_empty()).then(|| view! {
                            <div class="word-scores">
                                {words.into_iter().map(|(word, score)| {
                                    let key = word.clone();
                                    view! {
                                        <label>
                                            <span>{format!("“{word}” =")}</span>
                                            <input
                                                type="number"
                                                min=lo
                                                max=hi
                                                prop:value=score
                                                on:change=move |ev| {
                                                    let v = event_target_value(&ev);
                                                    edit(&|e| { e.values.insert(key.clone(), v.clone()); })
                                                }
                                            />
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                        })
                    }}
                </div>
            })
        }
        _ => EitherOf3::C(view! { <span class="muted">"as written"</span> }),
    }
}
