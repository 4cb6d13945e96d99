//! The system administrator's tenants: a paged, searchable, sortable list with create and delete, and a tenant's
//! page with its details and its administrators (create, activation links).

use crate::api::owners::tenants::{
    ActivationLink, CreateTenantAdmin, DeleteTenant, SaveTenant, get_tenant, list_tenant_admins, list_tenants,
};
use crate::model::Tenant;
use crate::ui::common::{CopyLink, ErrorMessage, ListQuery, PagedGrid, SearchBox, contact_headers, fmt_time};
use crate::ui::confirm::ConfirmSubmit;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/tenants`: state lives in the URL (`page`, `q`, `sort`, `dir`) so back/forward and deep links work.
#[component]
pub fn TenantsPage() -> impl IntoView {
    let params = ListQuery::from_url("/tenants");
    let save = ServerAction::<SaveTenant>::new();
    let delete = ServerAction::<DeleteTenant>::new();
    let data = Resource::new(
        move || (params.get(), save.version().get(), delete.version().get()),
        |(p, _, _)| list_tenants(p.page, p.search, p.sort, p.desc),
    );
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let created = move || save.value().get().and_then(|r| r.ok()).map(|t| t.title.unwrap_or_default());

    view! {
        <h1>"Tenants"</h1>
        <SearchBox q=params label="Search by title" />
        <ErrorMessage error=delete_error />
        <Transition fallback=|| view! { <p class="loading">"Loading tenants…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(page) if page.data.is_empty() => view! { <p class="empty">"No tenants yet."</p> }.into_any(),
                    Ok(page) => {
                        let rows = page.data.into_iter().map(|t| view! { <TenantRow t delete /> }).collect_view();
                        view! {
                            <PagedGrid testid="tenants-table" q=params.get_untracked() total_elements=page.total_elements
                                total_pages=page.total_pages noun="tenants" head=contact_headers(params)>
                                {rows}
                            </PagedGrid>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        <section class="card">
            <h2>"Add tenant"</h2>
            <ActionForm action=save>
                <input type="hidden" name="id" value="" />
                <input type="hidden" name="version" value="" />
                <label for="title">"Title"</label>
                <input id="title" name="title" required maxlength="255" />
                <label for="temail">"Email"</label>
                <input id="temail" name="email" type="email" maxlength="255" />
                <label for="country">"Country"</label>
                <input id="country" name="country" maxlength="255" />
                <label for="city">"City"</label>
                <input id="city" name="city" maxlength="255" />
                <ErrorMessage error=save_error />
                <button type="submit" class="primary">"Add tenant"</button>
            </ActionForm>
            {move || created().map(|t| view! { <p class="toast" role="status">{format!("Tenant “{t}” created.")}</p> })}
        </section>
    }
}

#[component]
fn TenantRow(t: Tenant, delete: ServerAction<DeleteTenant>) -> impl IntoView {
    let id = t.id.map(|i| i.to_string()).unwrap_or_default();
    let title = t.title.clone().unwrap_or_default();
    let key = id.clone();
    let confirm = format!("Delete tenant {}? This removes all of its data.", title);
    view! {
        <tr>
            <td><a href=format!("/tenants/{id}")>{title}</a></td>
            <td>{t.contact.email.clone().unwrap_or_default()}</td>
            <td>{t.contact.country.clone().unwrap_or_default()}</td>
            <td>{t.contact.city.clone().unwrap_or_default()}</td>
            <td>{fmt_time(t.created_time)}</td>
            <td>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id />
                    <ConfirmSubmit key=format!("delete-{key}") label="Delete" question=confirm />
                </ActionForm>
            </td>
        </tr>
    }
}

/// `/tenants/:id`: edit the tenant, manage its administrators.
#[component]
pub fn TenantPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let save = ServerAction::<SaveTenant>::new();
    let tenant = Resource::new(move || (id.get(), save.version().get()), |(id, _)| get_tenant(id));
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let saved =
        move || save.value().get().and_then(|r| r.ok()).map(|_| view! { <p class="toast" role="status">"Saved."</p> });
    view! {
        <p><a href="/tenants">"← All tenants"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tenant.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(t) => view! {
                        <h1>{t.title.clone().unwrap_or_default()}</h1>
                        <section class="card">
                            <h2>"Details"</h2>
                            <ActionForm action=save>
                                <input type="hidden" name="id" value=id.get_untracked() />
                                <input type="hidden" name="version" value=t.version.unwrap_or(0).to_string() />
                                <label for="title">"Title"</label>
                                <input id="title" name="title" required maxlength="255" value=t.title.clone().unwrap_or_default() />
                                <label for="temail">"Email"</label>
                                <input id="temail" name="email" type="email" value=t.contact.email.clone().unwrap_or_default() />
                                <label for="country">"Country"</label>
                                <input id="country" name="country" value=t.contact.country.clone().unwrap_or_default() />
                                <label for="city">"City"</label>
                                <input id="city" name="city" value=t.contact.city.clone().unwrap_or_default() />
                                <ErrorMessage error=save_error />
                                <button type="submit" class="primary">"Save"</button>
                            </ActionForm>
                            {saved}
                        </section>
                        <TenantAdmins tenant_id=id.get_untracked() />
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TenantAdmins(tenant_id: String) -> impl IntoView {
    let create = ServerAction::<CreateTenantAdmin>::new();
    let relink = ServerAction::<ActivationLink>::new();
    let tid = tenant_id.clone();
    let admins = Resource::new(
        move || (create.version().get(), relink.version().get()),
        move |_| list_tenant_admins(tid.clone(), 0),
    );
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let relink_error = Signal::derive(move || relink.value().get().and_then(|r| r.err()));
    view! {
        <section class="card">
            <h2>"Tenant administrators"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match admins.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(page) if page.data.is_empty() => view! { <p class="empty">"No administrators yet."</p> }.into_any(),
                        Ok(page) => {
                            let rows = page.data.into_iter().map(|u| {
                                let activated = u.additional_info.as_ref()
                                    .and_then(|i| i.get("userActivated")).and_then(|v| v.as_bool()).unwrap_or(false);
                                let uid = u.id.map(|i| i.to_string()).unwrap_or_default();
                                view! {
                                    <tr>
                                        <td>{u.email.clone().unwrap_or_default()}</td>
                                        <td>{format!("{} {}", u.first_name.clone().unwrap_or_default(), u.last_name.clone().unwrap_or_default())}</td>
                                        <td>{if activated { "Active" } else { "Waiting for activation" }}</td>
                                        <td>{(!activated).then(|| view! {
                                            <ActionForm action=relink>
                                                <input type="hidden" name="user_id" value=uid.clone() />
                                                <button type="submit">"New activation link"</button>
                                            </ActionForm>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <table class="grid" data-testid="admins-table">
                                    <thead><tr><th>"Email"</th><th>"Name"</th><th>"Status"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            <ErrorMessage error=relink_error />
            {move || relink.value().get().and_then(|r| r.ok()).map(|l| view! { <CopyLink value=l.value label="Activation link" /> })}
            <h3>"Add tenant administrator"</h3>
            <ActionForm action=create>
                <input type="hidden" name="tenant_id" value=tenant_id />
                <label for="aemail">"Email"</label>
                <input id="aemail" name="email" type="email" required />
                <label for="first">"First name"</label>
                <input id="first" name="first_name" />
                <label for="last">"Last name"</label>
                <input id="last" name="last_name" />
                <ErrorMessage error=create_error />
                <button type="submit" class="primary">"Add administrator"</button>
            </ActionForm>
            {move || create.value().get().and_then(|r| r.ok()).map(|l| view! {
                <p class="toast" role="status">"Administrator created. Send them this link to choose a password:"</p>
                <CopyLink value=l.value label="Activation link" />
            })}
        </section>
    }
}
