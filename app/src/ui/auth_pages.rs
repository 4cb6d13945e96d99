//! Pages reachable without signing in: login, setting the first password, the first-start set-up.

use crate::api::identity::session::{CompleteSetup, mfa_setup, password_policy, setup_link_valid};
use crate::ui::common::ErrorMessage;
use crate::{ActivateAction, LoginAction, MeResource, MfaActions};
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

/// The second step of a sign-in: a code from the authenticator app, or one of the backup codes.
#[component]
pub fn MfaPage() -> impl IntoView {
    let action = expect_context::<MfaActions>().verify;
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <main class="centered" id="main">
            <section class="card">
                <h1>"Two-step verification"</h1>
                <p>"Enter the 6-digit code from your authenticator app, or one of your backup codes."</p>
                <ActionForm action>
                    <fieldset>
                        <legend>"Code from"</legend>
                        <label><input type="radio" name="provider" value="TOTP" checked />" Authenticator app"</label>
                        <label><input type="radio" name="provider" value="BACKUP_CODE" />" Backup code"</label>
                    </fieldset>
                    <label for="code">"Code"</label>
                    <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required autofocus maxlength="64" />
                    <ErrorMessage error />
                    <button type="submit" class="primary">"Verify"</button>
                </ActionForm>
                <p><a href="/login">"Start again"</a></p>
            </section>
        </main>
    }
}

/// Enrolment the administrator requires before the first sign-in completes: scan, then confirm with a code.
#[component]
pub fn MfaSetupPage() -> impl IntoView {
    let enrolment = Resource::new(|| (), |_| mfa_setup());
    let action = expect_context::<MfaActions>().enrol;
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <main class="centered" id="main">
            <section class="card">
                <h1>"Set up two-step verification"</h1>
                <Suspense fallback=|| view! { <p>"Preparing…"</p> }>
                    {move || Suspend::new(async move {
                        match enrolment.await {
                            Ok(e) => {
                                view! {
                                    <p>"Your administrator requires a second step at sign-in. Scan this code with an authenticator app, then enter the code it shows."</p>
                                    <div class="qr" data-testid="qr" inner_html=e.qr_svg></div>
                                    <p class="hint">"Or enter this key by hand: " <code data-testid="totp-secret">{e.key}</code></p>
                                    <ActionForm action>
                                        <input type="hidden" name="auth_url" value=e.auth_url />
                                        <label for="code">"Code"</label>
                                        <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="10" />
                                        <ErrorMessage error />
                                        <button type="submit" class="primary">"Confirm and sign in"</button>
                                    </ActionForm>
                                }
                                .into_any()
                            }
                            Err(e) => view! { <p class="error">{e.message}</p> <p><a href="/login">"Go to sign in"</a></p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
