#![recursion_limit = "512"]
//! The browser entry point: hydrate the page the server rendered (lazily loaded routes bring
//! their code first), then mark `<body data-hydrated>` so tests and scripts know the page is
//! interactive.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    leptos::task::spawn_local(async move {
        let owner = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        owner.forget();
        let _ = body.set_attribute("data-hydrated", "");
    });
}
