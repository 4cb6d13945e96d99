//! Devices, assets, dashboards and edges: one list page and one detail page for the four kinds, told apart by
//! data (`Meta`), not by type, so the browser bundle carries the page once. The list has the "All" and group
//! tabs (paged, searchable, sortable in the URL; a group's sharing is on its own page), delete, new groups; adding
//! is a page of its own (`/devices/new`…); a thing's page has its details and, for devices, the access token;
//! "Manage owner and groups" is a page of its own too (`ui::owner_page`). Each page is one lazy route for all four kinds: the kind comes from the path.

use crate::api::groups::entity_groups::CreateGroup;
use crate::api::identity::session::Me;
use crate::api::things::edit::{DeleteThing, RegenerateToken, SaveThing, device_token, get_thing};
use crate::api::things::lists::list_things;
use crate::api::views::ThingView;
use crate::model::permissions::{Operation, Resource as Res};
use crate::ui::common::{
    CopyLink, ErrorMessage, ListQuery, OwnerFilter, PagedGrid, SearchBox, SortHeader, Toast, field_error, fmt_time,
};
use crate::ui::confirm::ConfirmSubmit;
use crate::ui::groups::{GroupTabs, NewGroup, tabs_for};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};

/// What tells the four kinds apart on screen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Meta {
    /// The entity type on the wire (`DEVICE`…), which the server functions take.
    pub kind: &'static str,
    pub path: &'static str,
    pub title: &'static str,
    /// Lower-case singular for buttons and messages.
    pub one: &'static str,
    pub res: Res,
    pub group_res: Res,
    /// Dashboards have a title and nothing else of these.
    pub typed: bool,
}

/// The four kinds' descriptions.
pub const DEVICES: Meta = Meta {
    kind: "DEVICE",
    path: "/devices",
    title: "Devices",
    one: "device",
    res: Res::Device,
    group_res: Res::DeviceGroup,
    typed: true,
};
pub const ASSETS: Meta = Meta {
    kind: "ASSET",
    path: "/assets",
    title: "Assets",
    one: "asset",
    res: Res::Asset,
    group_res: Res::AssetGroup,
    typed: true,
};
pub const DASHBOARDS: Meta = Meta {
    kind: "DASHBOARD",
    path: "/dashboards",
    title: "Dashboards",
    one: "dashboard",
    res: Res::Dashboard,
    group_res: Res::DashboardGroup,
    typed: false,
};
pub const EDGES: Meta = Meta {
    kind: "EDGE",
    path: "/edges",
    title: "Edges",
    one: "edge",
    res: Res::Edge,
    group_res: Res::EdgeGroup,
    typed: true,
};

/// The kind a path is about, by its first segment (`/assets/…` → assets); the router only sends the four.
pub fn meta_for(path: &str) -> Meta {
    match path.trim_start_matches('/').split('/').next().unwrap_or_default() {
        "assets" => ASSETS,
        "dashboards" => DASHBOARDS,
        "edges" => EDGES,
        _ => DEVICES,
    }
}

/// The kind of the page shown: a route's page is rebuilt when the route changes, so reading it once is enough.
pub fn meta_here() -> Meta {
    meta_for(&use_location().pathname.get_untracked())
}

/// What the signed-in user's merged permissions allow: a hint for what to show, the server decides again.
pub fn may(res: Res, op: Operation) -> bool {
    use_context::<Me>().is_some_and(|m| m.abilities.may(res, op))
}

/// `/devices`, `/assets`, `/dashboards`, `/edges`.
#[component]
pub fn ThingsPage() -> impl IntoView {
    let meta = meta_here();
    let params = ListQuery::from_url(meta.path);
    let delete = ServerAction::<DeleteThing>::new();
    let new_group = ServerAction::<CreateGroup>::new();
    let groups =
        Resource::new(move || (params.get().owner, new_group.version().get()), move |(o, _)| tabs_for(meta.kind, o));
    let data = Resource::new(
        move || (params.get(), delete.version().get()),
        move |(p, _)| list_things(meta.kind.into(), p.page, p.search, p.sort, p.desc, p.group, Some(p.owner)),
    );
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let deleted = Signal::derive(move || {
        delete.value().get().and_then(|r| r.ok()).map(|_| format!("The {} was deleted.", meta.one))
    });
    view! {
        <h1>{meta.title}</h1>
        <OwnerFilter q=params all=meta.path />
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match groups.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(list) => view! { <GroupTabs groups=list q=params label="Groups" /> }.into_any(),
                }
            })}
        </Transition>
        <SearchBox q=params label="Search by name" />
        <ErrorMessage error=delete_error />
        <Toast text=deleted />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(page) if page.data.is_empty() => {
                        let text = if params.get_untracked().search.is_empty() { "Nothing here yet." } else { "Nothing matches." };
                        view! { <p class="empty">{text}</p> }.into_any()
                    }
                    Ok(page) => {
                        let rows = page.data.into_iter().map(|t| view! { <ThingRow meta t delete /> }).collect_view();
                        view! {
                            <PagedGrid testid="things-table" q=params.get_untracked() total_elements=page.total_elements
                                total_pages=page.total_pages noun=&meta.path[1..] head=headers(meta, params)>
                                {rows}
                            </PagedGrid>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        {may(meta.res, Operation::Create).then(|| {
            // The add page opens with the owner and group tab the list shows now.
            let href = move || {
                let p = params.get();
                format!("{}/new?owner={}&group={}", meta.path, p.owner, p.group)
            };
            view! { <p><a class="button primary" href=href data-testid="add-thing-link">{format!("Add {}", meta.one)}</a></p> }
        })}
        {may(meta.group_res, Operation::Create).then(|| view! { <NewGroup action=new_group kind=meta.kind heading="New group" owner=params.get_untracked().owner /> })}
    }
}

fn headers(meta: Meta, q: Memo<ListQuery>) -> AnyView {
    let h = move |label: &'static str, key: &'static str| view! { <SortHeader q=q.get() label key /> };
    let name = if meta.typed { "Name" } else { "Title" };
    view! {
        {h(name, "name")}
        {meta.typed.then(|| view! { {h("Type", "type")}{h("Label", "label")} })}
        <th>"Owner"</th>
        <th>"Groups"</th>
        {h("Created", "createdTime")}
    }
    .into_any()
}

#[component]
fn ThingRow(meta: Meta, t: ThingView, delete: ServerAction<DeleteThing>) -> impl IntoView {
    let confirm = format!("Delete {} {}?", meta.one, t.name);
    let key = t.id.clone();
    let groups = t.groups.iter().map(|(_, n)| n.as_str()).filter(|n| *n != "All").collect::<Vec<_>>().join(", ");
    let id = t.id.clone();
    view! {
        <tr>
            <td><a href=format!("{}/{}", meta.path, t.id)>{t.name}</a></td>
            {meta.typed.then(|| view! { <td>{t.thing_type}</td><td>{t.label}</td> })}
            <td>{t.owner_name}</td>
            <td>{groups}</td>
            <td>{fmt_time(Some(t.created_time))}</td>
            <td class="actions">
                {may(meta.res, Operation::Delete).then(|| view! {
                    <ActionForm action=delete>
                        <input type="hidden" name="kind" value=meta.kind />
                        <input type="hidden" name="id" value=id />
                        <ConfirmSubmit key=format!("delete-{key}") label="Delete" question=confirm />
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// `/devices/new?owner=&group=` and the others: the add form for one owner (the caller's own when empty), the
/// group preselected; it stays after adding, with a link to what was made, so several can be added in a row.
#[component]
pub fn NewThingPage() -> impl IntoView {
    let meta = meta_here();
    let (owner, selected) =
        use_query_map().with_untracked(|q| (q.get("owner").unwrap_or_default(), q.get("group").unwrap_or_default()));
    let back = format!("{}?owner={owner}&group={selected}", meta.path);
    let save = ServerAction::<SaveThing>::new();
    let groups = Resource::new(
        {
            let owner = owner.clone();
            move || owner.clone()
        },
        move |o| tabs_for(meta.kind, o),
    );
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let field = if meta.typed { "name" } else { "title" };
    let (name_error, other_error) = field_error(error, field);
    let created = save.value();
    let title = format!("Add {}", meta.one);
    view! {
        <p><a href=back data-testid="back-to-things">{format!("← {}", meta.title)}</a></p>
        <h1>{title.clone()}</h1>
        <section class="card" data-testid="add-thing">
            <ActionForm action=save>
                <input type="hidden" name="kind" value=meta.kind />
                <input type="hidden" name="id" value="" />
                <input type="hidden" name="version" value="" />
                <input type="hidden" name="owner" value=owner />
                <label for="tname">{if meta.typed { "Name" } else { "Title" }}</label>
                <input id="tname" name="name" required maxlength="255" aria-describedby="tname-error" />
                <span id="tname-error"><ErrorMessage error=name_error /></span>
                {if meta.typed {
                    view! {
                        <label for="ttype">"Type"</label>
                        <input id="ttype" name="thing_type" maxlength="255" placeholder="default" />
                        <label for="tlabel">"Label"</label>
                        <input id="tlabel" name="label" maxlength="255" />
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="thing_type" value="" /><input type="hidden" name="label" value="" /> }.into_any()
                }}
                <label for="tgroup">"Also add to group"</label>
                // Awaited inside a Transition: a resource read outside one can leave a server render waiting.
                <Transition fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                    {let selected = selected.clone(); move || { let selected = selected.clone(); Suspend::new(async move {
                        let options = groups.await.unwrap_or_default().into_iter().filter(|g| g.owned && !g.id.is_empty()).map(|g| {
                            let sel = g.id == selected;
                            view! { <option value=g.id selected=sel>{g.name}</option> }
                        }).collect_view();
                        view! {
                            <select id="tgroup" name="group">
                                <option value="">"— only “All” —"</option>
                                {options}
                            </select>
                        }
                    })}}
                </Transition>
                <ErrorMessage error=other_error />
                <button type="submit" class="primary">{title}</button>
            </ActionForm>
            {move || created.get().and_then(|r| r.ok()).map(|t| view! {
                <p class="toast" role="status">
                    {format!("“{}” created. ", t.name)}
                    <a href=format!("{}/{}", meta.path, t.id) data-testid="open-created">{format!("Open {}’s page", t.name)}</a>
                </p>
            })}
        </section>
    }
}

/// `/devices/:id` and the others: details, credentials, links to its owner and groups and to who can see it.
#[component]
pub fn ThingPage() -> impl IntoView {
    let meta = meta_here();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let save = ServerAction::<SaveThing>::new();
    let delete = ServerAction::<DeleteThing>::new();
    let thing = Resource::new(move || (id.get(), save.version().get()), move |(id, _)| get_thing(meta.kind.into(), id));
    let field = if meta.typed { "name" } else { "title" };
    let save_error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let (name_error, other_error) = field_error(save_error, field);
    let saved = Signal::derive(move || save.value().get().and_then(|r| r.ok()).map(|_| "Saved.".to_string()));
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let navigate = use_navigate();
    Effect::new(move |_| {
        if delete.value().get().is_some_and(|r| r.is_ok()) {
            navigate(meta.path, Default::default());
        }
    });
    view! {
        <p><a href=meta.path>{format!("← All {}", meta.title.to_lowercase())}</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match thing.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(t) => {
                        let writable = may(meta.res, Operation::Write);
                        let groups = t.groups.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>().join(", ");
                        let confirm = format!("Delete {} {}?", meta.one, t.name);
                        let (tid, tid2, tid3, tid4) = (t.id.clone(), t.id.clone(), t.id.clone(), t.id.clone());
                        view! {
                            <h1>{t.name.clone()}</h1>
                            <p class="muted" data-testid="thing-owner">{format!("Owner: {}", t.owner_name)}</p>
                            <p class="muted" data-testid="thing-groups">{format!("Groups: {groups}")}</p>
                            <section class="card">
                                <h2>"Details"</h2>
                                <ActionForm action=save>
                                    <input type="hidden" name="kind" value=meta.kind />
                                    <input type="hidden" name="id" value=t.id.clone() />
                                    <input type="hidden" name="version" value=t.version.to_string() />
                                    <input type="hidden" name="group" value="" />
                                    <fieldset class="fields" disabled=!writable>
                                        <label for="dname">{if meta.typed { "Name" } else { "Title" }}</label>
                                        <input id="dname" name="name" required maxlength="255" value=t.name.clone() />
                                        <ErrorMessage error=name_error />
                                        {if meta.typed {
                                            view! {
                                                <label for="dtype">"Type"</label>
                                                <input id="dtype" name="thing_type" maxlength="255" value=t.thing_type.clone() />
                                                <label for="dlabel">"Label"</label>
                                                <input id="dlabel" name="label" maxlength="255" value=t.label.clone() />
                                            }.into_any()
                                        } else {
                                            view! { <input type="hidden" name="thing_type" value="" /><input type="hidden" name="label" value="" /> }.into_any()
                                        }}
                                    </fieldset>
                                    <ErrorMessage error=other_error />
                                    {writable.then(|| view! { <button type="submit" class="primary">"Save"</button> })}
                                </ActionForm>
                                <Toast text=saved />
                            </section>
                            <p><a class="button" href=format!("{}/{tid4}/owner", meta.path) data-testid="manage-owner-link">"Manage owner and groups →"</a></p>
                            <p><a href=format!("{}/{tid3}/access", meta.path) data-testid="who-can-see-link">"Who can see this and why →"</a></p>
                            {(meta.kind == "DEVICE" && may(meta.res, Operation::ReadCredentials)).then(|| view! { <Credentials id=tid /> })}
                            {may(meta.res, Operation::Delete).then(|| view! {
                                <ActionForm action=delete>
                                    <input type="hidden" name="kind" value=meta.kind />
                                    <input type="hidden" name="id" value=tid2 />
                                    <ConfirmSubmit key="delete-thing" label=format!("Delete {}", meta.one) question=confirm.clone() />
                                </ActionForm>
                            })}
                            <ErrorMessage error=delete_error />
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A device's access token with copy and regenerate.
#[component]
fn Credentials(id: String) -> impl IntoView {
    let regenerate = ServerAction::<RegenerateToken>::new();
    let token_id = id.clone();
    let token = Resource::new(move || (token_id.clone(), regenerate.version().get()), |(id, _)| device_token(id));
    let error = Signal::derive(move || regenerate.value().get().and_then(|r| r.err()));
    let done = Signal::derive(move || {
        regenerate.value().get().and_then(|r| r.ok()).map(|_| "New token made: the device must use it now.".to_string())
    });
    let writable = may(Res::Device, Operation::WriteCredentials);
    view! {
        <section class="card" data-testid="credentials">
            <h2>"Credentials"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {
                    let id = id.clone();
                    move || {
                        let id = id.clone();
                        Suspend::new(async move {
                            match token.await {
                                Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                                Ok(t) => view! {
                                    <p class="muted">"Type: access token"</p>
                                    <CopyLink value=t.token label="Access token" testid="access-token" />
                                    {writable.then(|| view! {
                                        <ActionForm action=regenerate>
                                            <input type="hidden" name="id" value=id />
                                            <input type="hidden" name="version" value=t.version.to_string() />
                                            <ConfirmSubmit key="regenerate-token" label="Regenerate token" question="Make a new token? The device stops working until it uses the new one." plain=true />
                                        </ActionForm>
                                    })}
                                }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
            <ErrorMessage error />
            <Toast text=done />
        </section>
    }
}
