//! The browser entry: hydrates the server-rendered console.

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the hydration script once the module has loaded.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // `hydrate_lazy`: a lazy route's chunk must arrive before its part of the page can hydrate.
    leptos::mount::hydrate_lazy(app::App);
}
