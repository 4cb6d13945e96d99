//! Asking before a destructive submit. The button opens a modal `<dialog>` that holds the form's real submit
//! button. The browser opens it by itself (`commandfor` + `command="show-modal"`), so it asks before the WASM
//! has arrived and with JavaScript off too; once hydrated a click handler also opens it, for browsers without
//! invoker commands. A modal dialog makes the rest of the page inert, which keeps keyboard focus inside it;
//! Escape or "Cancel" closes it and focus returns to the button that opened it.

use leptos::prelude::*;

/// A button that asks `question` in a modal dialog; confirming submits the surrounding form. Put it where the
/// form's submit button would be.
#[component]
pub fn ConfirmSubmit(
    /// Unique on the page (say, the entity id and what the button does): it names the dialog.
    #[prop(into)]
    key: String,
    /// The opener's and the confirming button's text ("Delete customer").
    #[prop(into)]
    label: String,
    /// What will happen, as a question.
    #[prop(into)]
    question: String,
    /// A plain button instead of a red one, for actions that undo nothing but still need a yes.
    #[prop(optional)]
    plain: bool,
) -> impl IntoView {
    let id = format!("confirm-{key}");
    let question_id = format!("{id}-q");
    let class = if plain { "" } else { "danger" };
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // Where the browser runs `command` itself, doing it again here only earns a console warning.
    let open = move |ev: leptos::ev::MouseEvent| {
        if let Some(d) = dialog.get_untracked()
            && !runs_commands(&ev)
            && !d.open()
        {
            let _ = d.show_modal();
        }
    };
    let cancel = move |ev: leptos::ev::MouseEvent| {
        if let Some(d) = dialog.get_untracked()
            && !runs_commands(&ev)
        {
            d.close();
        }
    };
    let close = move |_| {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    let (opener_for, cancel_for, labelled_by) = (id.clone(), id.clone(), question_id.clone());
    view! {
        <button type="button" class=class commandfor=opener_for command="show-modal" aria-haspopup="dialog" on:click=open>
            {label.clone()}
        </button>
        <dialog node_ref=dialog id=id class="confirm" aria-labelledby=labelled_by>
            <p id=question_id>{question}</p>
            <div class="row">
                <button type="button" commandfor=cancel_for command="close" autofocus on:click=cancel>"Cancel"</button>
                <button type="submit" class=class on:click=close>{label}</button>
            </div>
        </dialog>
    }
}

/// Whether the browser handles `commandfor`/`command` on buttons (invoker commands) by itself.
#[cfg(feature = "hydrate")]
fn runs_commands(ev: &leptos::ev::MouseEvent) -> bool {
    ev.current_target().is_some_and(|t| js_sys::Reflect::has(&t, &"commandForElement".into()).unwrap_or(false))
}

/// The server never runs click handlers.
#[cfg(not(feature = "hydrate"))]
fn runs_commands(_: &leptos::ev::MouseEvent) -> bool {
    true
}
