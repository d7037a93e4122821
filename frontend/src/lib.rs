//! The browser entry point: wake the islands of the server-rendered page.

// The islands' entry points are exported from `app`; using the crate links them in.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console while developing; release builds leave
    // the hook (and its formatting) out of the WASM.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // A server function that redirects (after signing in, say) loads the page.
    let _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        let _ = leptos::prelude::window().location().set_href(location);
    });
    leptos::mount::hydrate_islands();
}
