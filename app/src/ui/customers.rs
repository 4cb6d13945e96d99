//! Customers for tenant and customer administrators: the "All" tab and customer-group tabs (paged, searchable,
//! sortable, all in the URL), add / delete, new groups; a customer's page with its details and sub-customers.
//! Buttons follow the signed-in user's abilities; the server decides every call again.

use crate::api::customers::{CustomerView, DeleteCustomer, SaveCustomer, get_customer, list_customers, sub_customers};
use crate::api::groups::{CreateGroup, GroupTab, group_tabs};
use crate::api::session::Me;
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{ErrorMessage, ListQuery, PagedGrid, SearchBox, Toast, contact_headers, field_error, fmt_time};
use crate::ui::confirm::ConfirmSubmit;
use crate::ui::explain::WhoCanSee;
use crate::ui::groups::{GroupTabs, NewGroup};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

fn may(op: Operation) -> bool {
    use_context::<Me>().is_some_and(|m| m.abilities.may(Res::Customer, op))
}

/// `/customers`: state lives in the URL (`group`, `page`, `q`, `sort`, `dir`).
#[component]
pub fn CustomersPage() -> impl IntoView {
    let params = ListQuery::from_url("/customers");
    let save = ServerAction::<SaveCustomer>::new();
    let delete = ServerAction::<DeleteCustomer>::new();
    let new_group = ServerAction::<CreateGroup>::new();
    let groups = Resource::new(move || new_group.version().get(), |_| group_tabs("CUSTOMER".into()));
    let data = Resource::new(
        move || (params.get(), save.version().get(), delete.version().get()),
        |(p, _, _)| list_customers(p.page, p.search, p.sort, p.desc, p.group),
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
        {may(Operation::Create).then(|| view! {
            // The groups are awaited inside a Transition: a resource read outside one can leave a server render waiting.
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = groups.await.unwrap_or_default();
                    view! { <AddCustomer save parent=String::new() groups=list selected=Signal::derive(move || params.get().group) /> }
                })}
            </Transition>
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

/// The add form: on the list for top-level customers, on a customer's page for its sub-customers.
#[component]
fn AddCustomer(
    save: ServerAction<SaveCustomer>,
    parent: String,
    #[prop(into)] groups: Signal<Vec<GroupTab>>,
    #[prop(into)] selected: Signal<String>,
) -> impl IntoView {
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let (title_error, other_error) = field_error(error, "title");
    let created = Signal::derive(move || {
        save.value().get().and_then(|r| r.ok()).map(|c| format!("Customer “{}” created.", c.title))
    });
    let heading = if parent.is_empty() { "Add customer" } else { "Add sub-customer" };
    let top_level = parent.is_empty();
    view! {
        <section class="card">
            <h2>{heading}</h2>
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
                        <select id="cgroup" name="group">
                            <option value="">"— only “All” —"</option>
                            {move || groups.get().into_iter().filter(|g| !g.id.is_empty()).map(|g| {
                                let sel = g.id == selected.get();
                                view! { <option value=g.id selected=sel>{g.name}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="group" value="" /> }.into_any()
                }}
                <ErrorMessage error=other_error />
                <button type="submit" class="primary">{heading}</button>
            </ActionForm>
            <Toast text=created />
        </section>
    }
}

/// `/customers/:id`: details, groups, sub-customers.
#[component]
pub fn CustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let save = ServerAction::<SaveCustomer>::new();
    let add_sub = ServerAction::<SaveCustomer>::new();
    let delete = ServerAction::<DeleteCustomer>::new();
    let customer = Resource::new(move || (id.get(), save.version().get()), |(id, _)| get_customer(id));
    let subs = Resource::new(move || (id.get(), add_sub.version().get()), |(id, _)| sub_customers(id, 0));
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
                            <WhoCanSee kind="CUSTOMER" id=id.get_untracked() />
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
        </section>
        {move || may(Operation::Create).then(|| view! {
            <AddCustomer save=add_sub parent=id.get() groups=Vec::new() selected=String::new() />
        })}
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
