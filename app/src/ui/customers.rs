//! Customers for tenant and customer administrators: the "All" tab and customer-group tabs (paged, searchable,
//! sortable, all in the URL), delete, new groups; adding a customer or a sub-customer is a page of its own
//! (`/customers/new`); a customer's page with its details and sub-customers.
//! Buttons follow the signed-in user's abilities; the server decides every call again.

use crate::api::groups::entity_groups::{CreateGroup, group_tabs};
use crate::api::identity::session::Me;
use crate::api::owners::customers::{
    CustomerView, DeleteCustomer, SaveCustomer, get_customer, list_customers, sub_customers,
};
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{ErrorMessage, ListQuery, PagedGrid, SearchBox, Toast, contact_headers, field_error, fmt_time};
use crate::ui::confirm::ConfirmSubmit;
use crate::ui::groups::{GroupTabs, NewGroup};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

fn may(op: Operation) -> bool {
    use_context::<Me>().is_some_and(|m| m.abilities.may(Res::Customer, op))
}

/// `/customers`: state lives in the URL (`group`, `page`, `q`, `sort`, `dir`).
#[component]
pub fn CustomersPage() -> impl IntoView {
    let params = ListQuery::from_url("/customers");
    let delete = ServerAction::<DeleteCustomer>::new();
    let new_group = ServerAction::<CreateGroup>::new();
    let groups = Resource::new(move || new_group.version().get(), |_| group_tabs("CUSTOMER".into()));
    let data = Resource::new(
        move || (params.get(), delete.version().get()),
        |(p, _)| list_customers(p.page, p.search, p.sort, p.desc, p.group),
    );
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let deleted =
        Signal::derive(move || delete.value().get().and_then(|r| r.ok()).map(|_| "Customer deleted.".to_string()));

    view! {
        <h1>"Customers"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match groups.await {
                    Ok(list) => view! { <GroupTabs groups=list q=params label="Customer groups" /> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                }
            })}
        </Transition>
        <SearchBox q=params label="Search by title" />
        <ErrorMessage error=delete_error />
        <Toast text=deleted />
        <Transition fallback=|| view! { <p class="loading">"Loading customers…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(page) if page.data.is_empty() => {
                        let p = params.get_untracked();
                        let text = if p.search.is_empty() { "No customers here yet." } else { "No customer matches." };
                        view! { <p class="empty">{text}</p> }.into_any()
                    }
                    Ok(page) => {
                        let rows = page.data.into_iter().map(|c| view! { <CustomerRow c delete /> }).collect_view();
                        view! {
                            <PagedGrid testid="customers-table" q=params.get_untracked() total_elements=page.total_elements
                                total_pages=page.total_pages noun="customers" head=contact_headers(params)>
                                {rows}
                            </PagedGrid>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        {may(Operation::Create).then(|| {
            // The add page opens with the group tab the list shows now.
            let href = move || format!("/customers/new?group={}", params.get().group);
            view! { <p><a class="button primary" href=href data-testid="add-customer-link">"Add customer"</a></p> }
        })}
        {use_context::<Me>().is_some_and(|m| m.abilities.may(Res::CustomerGroup, Operation::Create)).then(|| view! {
            <NewGroup action=new_group kind="CUSTOMER" heading="New customer group" />
        })}
    }
}

#[component]
fn CustomerRow(c: CustomerView, delete: ServerAction<DeleteCustomer>) -> impl IntoView {
    let id = c.id.clone();
    let title = c.title.clone();
    let key = c.id.clone();
    let confirm = format!("Delete customer {}? Its users are deleted; its sub-customers move up.", title);
    view! {
        <tr>
            <td><a href=format!("/customers/{id}")>{title}</a></td>
            <td>{c.email}</td>
            <td>{c.country}</td>
            <td>{c.city}</td>
            <td>{fmt_time(Some(c.created_time))}</td>
            <td>
                {may(Operation::Delete).then(|| view! {
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=id />
                        <ConfirmSubmit key=format!("delete-{key}") label="Delete" question=confirm />
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// `/customers/new?group=` adds a top-level customer (the group preselected); `/customers/new?parent=` a
/// sub-customer of `parent`. It stays after adding, with a link to the new customer's page.
#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let (parent, selected) =
        use_query_map().with_untracked(|q| (q.get("parent").unwrap_or_default(), q.get("group").unwrap_or_default()));
    let save = ServerAction::<SaveCustomer>::new();
    let top_level = parent.is_empty();
    let groups = Resource::new(
        || (),
        move |_| async move { if top_level { group_tabs("CUSTOMER".into()).await } else { Ok(Vec::new()) } },
    );
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let (title_error, other_error) = field_error(error, "title");
    let created = save.value();
    let heading = if top_level { "Add customer" } else { "Add sub-customer" };
    let back = if top_level {
        view! { <a href=format!("/customers?group={selected}") data-testid="back-to-customers">"← Customers"</a> }
            .into_any()
    } else {
        view! { <a href=format!("/customers/{parent}") data-testid="back-to-customers">"← The parent customer"</a> }
            .into_any()
    };
    view! {
        <p>{back}</p>
        <h1>{heading}</h1>
        <section class="card" data-testid="add-customer">
            <ActionForm action=save>
                <input type="hidden" name="id" value="" />
                <input type="hidden" name="version" value="" />
                <input type="hidden" name="parent" value=parent />
                <label for="ctitle">"Title"</label>
                <input id="ctitle" name="title" required maxlength="255" aria-describedby="ctitle-error" />
                <span id="ctitle-error"><ErrorMessage error=title_error /></span>
                <label for="cemail">"Email"</label>
                <input id="cemail" name="email" type="email" maxlength="255" />
                <label for="cphone">"Phone"</label>
                <input id="cphone" name="phone" type="tel" maxlength="255" />
                <label for="ccountry">"Country"</label>
                <input id="ccountry" name="country" maxlength="255" />
                <label for="ccity">"City"</label>
                <input id="ccity" name="city" maxlength="255" />
                {if top_level {
                    view! {
                        <label for="cgroup">"Also add to group"</label>
                        // Awaited inside a Transition: a resource read outside one can leave a server render waiting.
                        <Transition fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                            {let selected = selected.clone(); move || { let selected = selected.clone(); Suspend::new(async move {
                                let options = groups.await.unwrap_or_default().into_iter().filter(|g| !g.id.is_empty()).map(|g| {
                                    let sel = g.id == selected;
                                    view! { <option value=g.id selected=sel>{g.name}</option> }
                                }).collect_view();
                                view! {
                                    <select id="cgroup" name="group">
                                        <option value="">"— only “All” —"</option>
                                        {options}
                                    </select>
                                }
                            })}}
                        </Transition>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="group" value="" /> }.into_any()
                }}
                <ErrorMessage error=other_error />
                <button type="submit" class="primary">{heading}</button>
            </ActionForm>
            {move || created.get().and_then(|r| r.ok()).map(|c| view! {
                <p class="toast" role="status">
                    {format!("Customer “{}” created. ", c.title)}
                    <a href=format!("/customers/{}", c.id) data-testid="open-created">{format!("Open {}’s page", c.title)}</a>
                </p>
            })}
        </section>
    }
}

/// `/customers/:id`: details, groups, sub-customers.
#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let save = ServerAction::<SaveCustomer>::new();
    let delete = ServerAction::<DeleteCustomer>::new();
    let customer = Resource::new(move || (id.get(), save.version().get()), |(id, _)| get_customer(id));
    let subs = Resource::new(move || id.get(), |id| sub_customers(id, 0));
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let (title_error, other_error) = field_error(save_error, "title");
    let saved = Signal::derive(move || save.value().get().and_then(|r| r.ok()).map(|_| "Saved.".to_string()));
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if delete.value().get().is_some_and(|r| r.is_ok()) {
            navigate("/customers", Default::default());
        }
    });
    view! {
        <p><a href="/customers">"← All customers"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match customer.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(c) => {
                        let title = c.title.clone();
                        let confirm = format!("Delete customer {}? Its users are deleted; its sub-customers move up.", title);
                        let groups = c.groups.join(", ");
                        let writable = may(Operation::Write);
                        view! {
                            <h1>{title.clone()}</h1>
                            <p class="muted" data-testid="customer-owner">{format!("Owner: {}", c.owner_name)}</p>
                            <p class="muted">{format!("Groups: {groups}")}</p>
                            <nav class="manage" aria-label="Manage this customer's" data-testid="manage-customer">
                                {manage_links(&id.get_untracked())}
                            </nav>
                            <section class="card">
                                <h2>"Details"</h2>
                                <ActionForm action=save>
                                    <input type="hidden" name="id" value=id.get_untracked() />
                                    <input type="hidden" name="version" value=c.version.to_string() />
                                    <input type="hidden" name="parent" value="" />
                                    <input type="hidden" name="group" value="" />
                                    <fieldset class="fields" disabled=!writable>
                                        <label for="dtitle">"Title"</label>
                                        <input id="dtitle" name="title" required maxlength="255" value=title />
                                        <ErrorMessage error=title_error />
                                        <label for="demail">"Email"</label>
                                        <input id="demail" name="email" type="email" value=c.email />
                                        <label for="dphone">"Phone"</label>
                                        <input id="dphone" name="phone" type="tel" value=c.phone />
                                        <label for="dcountry">"Country"</label>
                                        <input id="dcountry" name="country" value=c.country />
                                        <label for="dcity">"City"</label>
                                        <input id="dcity" name="city" value=c.city />
                                    </fieldset>
                                    <ErrorMessage error=other_error />
                                    {writable.then(|| view! { <button type="submit" class="primary">"Save"</button> })}
                                </ActionForm>
                                <Toast text=saved />
                            </section>
                            <p><a href=format!("/customers/{}/access", id.get_untracked()) data-testid="who-can-see-link">"Who can see this and why →"</a></p>
                            {may(Operation::Delete).then(|| view! {
                                <ActionForm action=delete>
                                    <input type="hidden" name="id" value=id.get_untracked() />
                                    <ConfirmSubmit key="delete-customer" label="Delete customer" question=confirm.clone() />
                                </ActionForm>
                            })}
                            <ErrorMessage error=delete_error />
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
        <section class="card">
            <h2>"Sub-customers"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match subs.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(page) if page.data.is_empty() => view! { <p class="empty">"No sub-customers."</p> }.into_any(),
                        Ok(page) => {
                            let rows = page.data.into_iter().map(|c| {
                                view! {
                                    <li><a href=format!("/customers/{}", c.id)>{c.title}</a></li>
                                }
                            }).collect_view();
                            view! { <ul data-testid="sub-customers">{rows}</ul> }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || may(Operation::Create).then(|| view! {
                <p><a class="button" href=format!("/customers/new?parent={}", id.get()) data-testid="add-sub-customer-link">"Add sub-customer"</a></p>
            })}
        </section>
    }
}

/// "Manage customer users / devices / assets / dashboards": the lists narrowed to this customer, each offered only
/// when the caller may read that kind.
fn manage_links(customer: &str) -> impl IntoView + use<> {
    let me = use_context::<Me>();
    [
        (Res::User, Res::UserGroup, "/users", "Manage customer users"),
        (Res::Device, Res::DeviceGroup, "/devices", "Manage customer devices"),
        (Res::Asset, Res::AssetGroup, "/assets", "Manage customer assets"),
        (Res::Dashboard, Res::DashboardGroup, "/dashboards", "Manage customer dashboards"),
    ]
    .into_iter()
    .filter(|(r, g, _, _)| {
        me.as_ref().is_some_and(|m| m.abilities.may(*r, Operation::Read) || m.abilities.may(*g, Operation::Read))
    })
    .map(|(_, _, path, label)| view! { <a href=format!("{path}?owner={customer}") class="button">{label}</a> })
    .collect_view()
}
