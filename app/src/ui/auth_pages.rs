//! Pages reachable without signing in: login, setting the first password, the first-start set-up.

use crate::api::session::{CompleteSetup, password_policy, setup_link_valid};
use crate::ui::common::ErrorMessage;
use crate::{ActivateAction, LoginAction, MeResource};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// Email and password, then the console.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = expect_context::<LoginAction>().0;
    let me = expect_context::<MeResource>();
    let error = Signal::derive(move || login.value().get().and_then(|r| r.err()));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                matches!(me.await, Ok(Some(_))).then(|| view! { <Redirect path="/" /> })
            })}
        </Suspense>
        <main class="centered" id="main">
            <section class="card">
                <h1>"Sign in to Thingdeck"</h1>
                <ActionForm action=login>
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required autofocus />
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                    <ErrorMessage error />
                    <button type="submit" class="primary">"Sign in"</button>
                </ActionForm>
            </section>
        </main>
    }
}

/// Shows the password rules from the server.
#[component]
fn PolicyHint() -> impl IntoView {
    let policy = Resource::new(|| (), |_| password_policy());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                policy.await.ok().map(|p| view! {
                    <p class="hint" id="policy">
                        {format!(
                            "Use {} to {} characters. Long passphrases are welcome; no special characters are required.",
                            p.minimum_length,
                            p.maximum_length,
                        )}
                    </p>
                })
            })}
        </Suspense>
    }
}

/// Two password fields that must match.
#[component]
fn NewPasswordFields() -> impl IntoView {
    view! {
        <PolicyHint />
        <label for="password">"New password"</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="policy" />
        <label for="confirm">"Repeat the password"</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8" />
    }
}

/// Where an activation link lands: choose the first password, then straight into the console.
#[component]
pub fn CreatePasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("activateToken").unwrap_or_default());
    let action = expect_context::<ActivateAction>().0;
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <main class="centered" id="main">
            <section class="card">
                <h1>"Create your password"</h1>
                <ActionForm action>
                    <input type="hidden" name="token" prop:value=token />
                    <NewPasswordFields />
                    <ErrorMessage error />
                    <button type="submit" class="primary">"Set password and sign in"</button>
                </ActionForm>
            </section>
        </main>
    }
}

/// The activation link has expired.
#[component]
pub fn LinkExpiredPage() -> impl IntoView {
    view! {
        <main class="centered" id="main">
            <section class="card">
                <h1>"This link has expired"</h1>
                <p>"Ask your administrator for a new activation link; every new link replaces the old one."</p>
                <p><a href="/login">"Go to sign in"</a></p>
            </section>
        </main>
    }
}

/// First start without configured credentials: create the system administrator once.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let valid = Resource::new(token, setup_link_valid);
    let action = ServerAction::<CompleteSetup>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <main class="centered" id="main">
            <section class="card">
                <h1>"Set up Thingdeck"</h1>
                <Suspense fallback=|| view! { <p>"Checking the link…"</p> }>
                    {move || Suspend::new(async move {
                        if valid.await.unwrap_or(false) {
                            view! {
                                <p>"Create the system administrator. This link works once."</p>
                                <ActionForm action>
                                    <input type="hidden" name="token" prop:value=token />
                                    <label for="email">"Administrator email"</label>
                                    <input id="email" name="email" type="email" autocomplete="username" required />
                                    <NewPasswordFields />
                                    <ErrorMessage error />
                                    <button type="submit" class="primary">"Create administrator"</button>
                                </ActionForm>
                            }
                            .into_any()
                        } else {
                            view! { <p>"This set-up link is no longer valid."</p> <p><a href="/login">"Go to sign in"</a></p> }
                                .into_any()
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
