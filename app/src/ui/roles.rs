//! Security → Roles: the list (type tabs, search, sort in the URL) and one role's editor. A Generic role is edited
//! as rows of resource → operations ("All" is a choice for both) plus excluded permissions; a Group role as the
//! operations it gives on the entity groups it is bound with. The editor offers exactly what the server accepts
//! (`Resource::vocabulary`, `Operation::allowed_for_group_role`); the server validates again.

use crate::api::groups::roles::{DeleteRole, PermissionRows, RoleView, SaveRole, get_role, json_of, list_roles};
use crate::api::identity::session::Me;
use crate::model::permissions::{Operation, Resource as Res, humanize};
use crate::ui::common::{ErrorMessage, ListQuery, PagedGrid, SearchBox, SortHeader, Toast, field_error, fmt_time};
use crate::ui::confirm::ConfirmSubmit;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

fn may(op: Operation) -> bool {
    use_context::<Me>().is_some_and(|m| m.abilities.may(Res::Role, op))
}

/// `/roles`: the type tab lives in the URL's `group` (`GENERIC`, `GROUP`, or empty for all).
#[component]
pub fn RolesPage() -> impl IntoView {
    let params = ListQuery::from_url("/roles");
    let delete = ServerAction::<DeleteRole>::new();
    let data = Resource::new(
        move || (params.get(), delete.version().get()),
        |(p, _)| list_roles(p.page, p.search, p.sort, p.desc, p.group),
    );
    let error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    let done = Signal::derive(move || delete.value().get().and_then(|r| r.ok()).map(|_| "Role deleted.".to_string()));
    let tabs = move || {
        let q = params.get();
        [("", "All"), ("GENERIC", "Generic"), ("GROUP", "Group")]
            .into_iter()
            .map(|(t, label)| {
                let current = (q.group == t).then_some("page");
                view! { <a href=q.tab(t) class="tab" aria-current=current>{label}</a> }
            })
            .collect_view()
    };
    let header = move |label: &'static str, key: &'static str| view! { <SortHeader q=params.get() label key /> };
    view! {
        <h1>"Roles"</h1>
        <nav class="tabs" aria-label="Role types" data-testid="role-tabs">{tabs}</nav>
        <SearchBox q=params label="Search by name" />
        <ErrorMessage error />
        <Toast text=done />
        <Transition fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(page) if page.data.is_empty() => view! { <p class="empty">"No role matches."</p> }.into_any(),
                    Ok(page) => {
                        let rows = page.data.into_iter().map(|r| view! { <RoleRow r delete /> }).collect_view();
                        let head = view! { {header("Name", "name")}<th>"Type"</th>{header("Created", "createdTime")} }.into_any();
                        view! {
                            <PagedGrid testid="roles-table" q=params.get_untracked() total_elements=page.total_elements
                                total_pages=page.total_pages noun="roles" head>
                                {rows}
                            </PagedGrid>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
        {may(Operation::Create).then(|| view! { <p><a href="/roles/new" class="button primary">"Add role"</a></p> })}
    }
}

#[component]
fn RoleRow(r: RoleView, delete: ServerAction<DeleteRole>) -> impl IntoView {
    let key = r.id.clone();
    let confirm = format!("Delete role {}? The user groups holding it lose what it gives.", r.name);
    view! {
        <tr>
            <td><a href=format!("/roles/{}", r.id)>{r.name.clone()}</a></td>
            <td>{if r.group { "Group" } else { "Generic" }}</td>
            <td>{fmt_time(Some(r.created_time))}</td>
            <td class="actions">
                {may(Operation::Delete).then(|| view! {
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="id" value=r.id.clone() />
                        <ConfirmSubmit key=format!("delete-{key}") label="Delete" question=confirm />
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// `/roles/new` and `/roles/:id`.
#[component]
pub fn RolePage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let role = Resource::new(
        move || (id.get(), save.version().get()),
        |(id, _)| async move { if id == "new" { Ok(RoleView::default()) } else { get_role(id).await } },
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if delete.value().get().is_some_and(|r| r.is_ok()) {
            navigate("/roles", Default::default());
        } else if let Some(Ok(r)) = save.value().get()
            && id.get_untracked() == "new"
        {
            navigate(&format!("/roles/{}", r.id), Default::default());
        }
    });
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    view! {
        <p><a href="/roles">"← All roles"</a></p>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match role.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(r) => {
                        let existing = !r.id.is_empty();
                        let (rid, name) = (r.id.clone(), r.name.clone());
                        let confirm = format!("Delete role {}?", name);
                        view! {
                            <h1>{if existing { name } else { "New role".to_string() }}</h1>
                            <RoleEditor r save />
                            {(existing && may(Operation::Delete)).then(|| view! {
                                <ActionForm action=delete>
                                    <input type="hidden" name="id" value=rid />
                                    <ConfirmSubmit key="delete-role" label="Delete role" question=confirm.clone() />
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

/// One editable permission row: its own signals, so ticking a box re-renders nothing else.
#[derive(Clone, Copy)]
struct Row {
    key: usize,
    res: RwSignal<Res>,
    ops: RwSignal<Vec<Operation>>,
}

fn rows_state(rows: PermissionRows) -> RwSignal<Vec<Row>> {
    RwSignal::new(
        rows.into_iter()
            .enumerate()
            .map(|(key, (res, ops))| Row { key, res: RwSignal::new(res), ops: RwSignal::new(ops) })
            .collect(),
    )
}

fn rows_json(rows: RwSignal<Vec<Row>>) -> String {
    json_of(&rows.with(|v| v.iter().map(|r| (r.res.get(), r.ops.get())).collect()))
}

#[component]
fn RoleEditor(r: RoleView, save: ServerAction<SaveRole>) -> impl IntoView {
    let existing = !r.id.is_empty();
    let writable = may(if existing { Operation::Write } else { Operation::Create });
    let group = RwSignal::new(r.group);
    let permissions = rows_state(r.permissions);
    let excluded = rows_state(r.excluded);
    let operations = RwSignal::new(r.operations);
    let error = Signal::derive(move || save.value().get().and_then(|r| r.err()));
    let (name_error, other_error) = field_error(error, "name");
    let saved = Signal::derive(move || save.value().get().and_then(|r| r.ok()).map(|_| "Role saved.".to_string()));
    let perms_json = move || {
        if group.get() {
            serde_json::Value::from(operations.get().iter().map(|o| o.as_str()).collect::<Vec<_>>()).to_string()
        } else {
            rows_json(permissions)
        }
    };
    let excluded_json = move || if group.get() { String::new() } else { rows_json(excluded) };
    let type_choice = if existing {
        let t = if r.group { "GROUP" } else { "GENERIC" };
        view! {
            <p class="muted">{format!("Type: {}", if r.group { "Group" } else { "Generic" })}</p>
            <input type="hidden" name="role_type" value=t />
        }
        .into_any()
    } else {
        view! {
            <fieldset class="choice">
                <legend>"Type"</legend>
                <label><input type="radio" name="role_type" value="GENERIC" checked=!r.group on:change=move |_| group.set(false) />
                    " Generic — operations on resources, wherever the user group's owner reaches"</label>
                <label><input type="radio" name="role_type" value="GROUP" checked=r.group on:change=move |_| group.set(true) />
                    " Group — operations on the entity groups it is bound with"</label>
            </fieldset>
        }
        .into_any()
    };
    view! {
        <section class="card" data-testid="role-editor">
            <ActionForm action=save>
                <input type="hidden" name="id" value=r.id.clone() />
                <input type="hidden" name="version" value=if existing { r.version.to_string() } else { String::new() } />
                <fieldset class="fields" disabled=!writable>
                    <label for="rname">"Name"</label>
                    <input id="rname" name="name" required maxlength="255" value=r.name.clone() aria-describedby="rname-error" />
                    <span id="rname-error"><ErrorMessage error=name_error /></span>
                    {type_choice}
                    <label for="rdesc">"Description"</label>
                    <textarea id="rdesc" name="description" maxlength="1024" rows="2">{r.description.clone()}</textarea>
                    <input type="hidden" name="permissions" value=perms_json />
                    <input type="hidden" name="excluded" value=excluded_json />
                    {move || if group.get() {
                        view! { <GroupOperations operations /> }.into_any()
                    } else {
                        view! {
                            <PermissionEditor title="Permissions" testid="permissions" rows=permissions />
                            <PermissionEditor title="Excluded permissions" testid="excluded" rows=excluded />
                        }
                        .into_any()
                    }}
                </fieldset>
                <ErrorMessage error=other_error />
                {writable.then(|| view! { <button type="submit" class="primary">"Save role"</button> })}
            </ActionForm>
            <Toast text=saved />
        </section>
    }
}

/// Rows of resource → operations, with "Add permission" and a Remove per row.
#[component]
fn PermissionEditor(title: &'static str, testid: &'static str, rows: RwSignal<Vec<Row>>) -> impl IntoView {
    let add = move |_| {
        rows.update(|v| {
            let key = v.iter().map(|r| r.key + 1).max().unwrap_or(0);
            let used: Vec<Res> = v.iter().map(|r| r.res.get_untracked()).collect();
            let res = Res::EVERY.iter().copied().find(|r| !used.contains(r)).unwrap_or(Res::All);
            v.push(Row { key, res: RwSignal::new(res), ops: RwSignal::new(Vec::new()) });
        })
    };
    view! {
        <fieldset class="permissions" data-testid=testid>
            <legend>{title}</legend>
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="empty">"None."</p> })}
            <For each=move || rows.get() key=|r| r.key let:row>
                <PermissionRow row rows prefix=testid />
            </For>
            <button type="button" on:click=add>{format!("Add to {}", title.to_lowercase())}</button>
        </fieldset>
    }
}

#[component]
fn PermissionRow(row: Row, rows: RwSignal<Vec<Row>>, prefix: &'static str) -> impl IntoView {
    let initial = row.res.get_untracked();
    let select_id = format!("{prefix}-res-{}", row.key);
    let options = Res::EVERY
        .iter()
        .map(|r| view! { <option value=r.as_str() selected=*r == initial>{humanize(r.as_str())}</option> })
        .collect_view();
    let pick = move |ev: leptos::ev::Event| {
        if let Some(r) = Res::parse(&event_target_value(&ev)) {
            row.ops.update(|o| o.retain(|op| r.vocabulary().contains(*op)));
            row.res.set(r);
        }
    };
    // Re-rendered only when the resource changes: its vocabulary decides the boxes.
    let boxes = move || {
        row.res
            .get()
            .vocabulary()
            .iter()
            .map(|op| {
                let checked = row.ops.with_untracked(|o| o.contains(&op));
                let toggle = move |ev: leptos::ev::Event| {
                    let on = event_target_checked(&ev);
                    row.ops.update(|o| {
                        o.retain(|x| *x != op);
                        if on {
                            o.push(op);
                        }
                    });
                };
                view! { <label class="check"><input type="checkbox" value=op.as_str() checked=checked on:change=toggle />{humanize(op.as_str())}</label> }
            })
            .collect_view()
    };
    view! {
        <div class="perm-row" role="group" aria-label=move || humanize(row.res.get().as_str())>
            <label for=select_id.clone()>"Resource"</label>
            <select id=select_id on:change=pick>{options}</select>
            <div class="ops">{boxes}</div>
            <button type="button" class="link-button danger" on:click=move |_| rows.update(|v| v.retain(|x| x.key != row.key))>
                "Remove"
            </button>
        </div>
    }
}

/// A Group role's operations: the ones ThingsBoard allows in group roles.
#[component]
fn GroupOperations(operations: RwSignal<Vec<Operation>>) -> impl IntoView {
    let boxes = Operation::EVERY
        .iter()
        .copied()
        .filter(|o| o.allowed_for_group_role())
        .map(|op| {
            let checked = operations.with_untracked(|o| o.contains(&op));
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                operations.update(|o| {
                    o.retain(|x| *x != op);
                    if on {
                        o.push(op);
                    }
                });
            };
            view! { <label class="check"><input type="checkbox" value=op.as_str() checked=checked on:change=toggle />{humanize(op.as_str())}</label> }
        })
        .collect_view();
    view! {
        <fieldset class="permissions" data-testid="group-operations">
            <legend>"Operations"</legend>
            <div class="ops">{boxes}</div>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wire_names_read_as_words() {
        assert_eq!(super::humanize("READ_CREDENTIALS"), "Read credentials");
        assert_eq!(super::humanize("ALL"), "All");
        assert_eq!(super::humanize(""), "");
    }
}
