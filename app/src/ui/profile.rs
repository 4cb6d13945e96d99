//! The signed-in user's own account: change the password, turn two-step verification on or off, new backup codes,
//! see and end its sessions.

use crate::api::identity::profile::{
    ChangePassword, ConfirmTotp, DisableTotp, EndSession, NewBackupCodes, SessionRow, StartTotp, my_sessions,
    my_two_step,
};
use crate::ui::common::{ErrorMessage, Toast, fmt_time};
use crate::ui::confirm::ConfirmSubmit;
use leptos::prelude::*;

/// `/profile`.
#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <h1>"Profile"</h1>
        <PasswordSection />
        <TwoStepSection />
        <SessionsSection />
    }
}

/// The user's live sessions: end one, or all but this.
#[component]
fn SessionsSection() -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let list = Resource::new(move || end.version().get(), |_| my_sessions());
    let error = Signal::derive(move || end.value().get().and_then(|r| r.err()));
    let done = Signal::derive(move || end.value().get().and_then(|r| r.ok()).map(|_| "Signed out.".to_string()));
    view! {
        <section class="card" data-testid="sessions">
            <h2>"Sessions"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(rows) => {
                            let others = rows.iter().any(|r| !r.current);
                            view! {
                                <table>
                                    <thead><tr><th>"Kind"</th><th>"Signed in"</th><th>"Ends"</th><th></th></tr></thead>
                                    <tbody>{rows.into_iter().map(|r| session_row(r, end)).collect_view()}</tbody>
                                </table>
                                {others.then(|| view! {
                                    <ActionForm action=end>
                                        <input type="hidden" name="id" value="others" />
                                        <button type="submit" class="danger">"Sign out all other sessions"</button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <ErrorMessage error />
            <Toast text=done />
        </section>
    }
}

fn session_row(r: SessionRow, end: ServerAction<EndSession>) -> impl IntoView {
    let note = match (r.current, r.impersonated_by) {
        (true, _) => Some("this session".to_string()),
        (false, Some(by)) => Some(format!("{by} logged in as you")),
        (false, None) => None,
    };
    view! {
        <tr>
            <td>{r.kind}{note.map(|n| view! { <span class="muted">{format!(" ({n})")}</span> })}</td>
            <td>{fmt_time(Some(r.created_time))}</td>
            <td>{fmt_time(Some(r.expires_at))}</td>
            <td>{(!r.current).then(|| view! {
                <ActionForm action=end attr:class="inline">
                    <input type="hidden" name="id" value=r.id />
                    <button type="submit" class="link-button">"Sign out"</button>
                </ActionForm>
            })}</td>
        </tr>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let done = move || {
        action.value().get().and_then(|r| r.ok()).map(|_| {
            view! { <p class="toast" role="status">"Password changed. Your other sessions were signed out."</p> }
        })
    };
    view! {
        <section class="card">
            <h2>"Password"</h2>
            <ActionForm action>
                <label for="current">"Current password"</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required />
                <label for="password">"New password"</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" />
                <label for="confirm">"Repeat the new password"</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8" />
                <ErrorMessage error />
                <button type="submit" class="primary">"Change password"</button>
            </ActionForm>
            {done}
        </section>
    }
}

#[component]
fn TwoStepSection() -> impl IntoView {
    let start = ServerAction::<StartTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let disable = ServerAction::<DisableTotp>::new();
    let codes = ServerAction::<NewBackupCodes>::new();
    let state = Resource::new(
        move || (confirm.version().get(), disable.version().get(), codes.version().get()),
        |_| my_two_step(),
    );
    let errors = Signal::derive(move || {
        start
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| disable.value().get().and_then(|r| r.err()))
            .or_else(|| codes.value().get().and_then(|r| r.err()))
    });
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(|r| r.err()));
    // The secret being enrolled: shown after each "set up", gone once a code confirmed it.
    let shown = RwSignal::new(None::<crate::api::identity::session::TotpEnrolment>);
    Effect::new(move |_| {
        if let Some(Ok(e)) = start.value().get() {
            shown.set(Some(e));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = confirm.value().get() {
            shown.set(None);
        }
    });
    let enrolment = move || {
        shown.get().map(|e| {
            view! {
                <p>"Scan this code with an authenticator app, then enter the code it shows."</p>
                <div class="qr" data-testid="qr" inner_html=e.qr_svg></div>
                <p class="hint">"Or enter this key by hand: " <code data-testid="totp-secret">{e.key}</code></p>
                <ActionForm action=confirm>
                    <input type="hidden" name="auth_url" value=e.auth_url />
                    <label for="code">"Code"</label>
                    <input id="code" name="code" autocomplete="one-time-code" inputmode="numeric" required maxlength="10" />
                    <ErrorMessage error=confirm_error />
                    <button type="submit" class="primary">"Turn on"</button>
                </ActionForm>
            }
        })
    };
    let shown_codes = move || {
        codes.value().get().and_then(|r| r.ok()).map(|list| {
            view! {
                <p class="toast" role="status">"Keep these backup codes somewhere safe. Each works once; they are shown only now."</p>
                <ul class="codes" data-testid="backup-codes">{list.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
            }
        })
    };
    view! {
        <section class="card">
            <h2>"Two-step verification"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(s) if s.totp => view! {
                            <p data-testid="two-step-status">"On: signing in asks for a code from your authenticator app."</p>
                            <p>{match s.backup_codes_left {
                                Some(n) => format!("{n} backup codes left."),
                                None => "No backup codes yet.".to_string(),
                            }}</p>
                            <ActionForm action=codes>
                                <button type="submit">"New backup codes"</button>
                            </ActionForm>
                            <ActionForm action=disable>
                                <ConfirmSubmit key="two-step-off" label="Turn off" question="Turn off two-step verification?" />
                            </ActionForm>
                        }.into_any(),
                        Ok(_) => view! {
                            <p data-testid="two-step-status">"Off: signing in needs only your password."</p>
                            <ActionForm action=start>
                                <button type="submit" class="primary">"Set up an authenticator app"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {enrolment}
            {shown_codes}
            <ErrorMessage error=errors />
        </section>
    }
}
