//! A user group's Roles section on its group page: the Generic and Group roles bound to it, bind another, remove
//! one. Its members are the users list filtered to the group.

use crate::api::groups::entity_groups::RevokeShare;
use crate::api::groups::roles::{BindRole, bindable_groups, group_roles, role_choices};
use crate::api::views::GroupTab;
use crate::ui::common::{ErrorMessage, Toast};
use crate::ui::pickers::{PickerNav, picker_query};
use leptos::prelude::*;

/// Roles of one user group.
#[component]
pub fn UserGroupPanel(group: GroupTab) -> impl IntoView {
    let bind = ServerAction::<BindRole>::new();
    let remove = ServerAction::<RevokeShare>::new();
    let gid = group.id.clone();
    let bound =
        Resource::new(move || (gid.clone(), bind.version().get(), remove.version().get()), |(g, _, _)| group_roles(g));
    let (role_q, group_q) = (picker_query("roles"), picker_query("groups"));
    let roles = Resource::new(move || role_q.get(), |(search, page)| role_choices(search, page, false));
    let entity_groups = Resource::new(move || group_q.get(), |(search, page)| bindable_groups(search, page));
    let error = Signal::derive(move || {
        bind.value().get().and_then(|r| r.err()).or_else(|| remove.value().get().and_then(|r| r.err()))
    });
    let done = Signal::derive(move || {
        if bind.value().get().is_some_and(|r| r.is_ok()) {
            Some("Role added to the group.".to_string())
        } else if remove.value().get().is_some_and(|r| r.is_ok()) {
            Some("Role removed from the group.".to_string())
        } else {
            None
        }
    });
    let name = group.name.clone();
    let id = group.id.clone();
    view! {
        <section class="card" data-testid="user-group-roles" aria-labelledby="ug-roles-heading">
            <h2 id="ug-roles-heading">{format!("Roles of “{name}”")}</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
                {move || Suspend::new(async move {
                    match bound.await {
                        Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">"No roles: its users may do nothing through this group."</p> }.into_any()
                        }
                        Ok(list) => {
                            let rows = list.into_iter().map(|b| {
                                let what = if b.group_role {
                                    format!("{} (group role) on {}", b.role, b.entity_group)
                                } else {
                                    format!("{} (generic role)", b.role)
                                };
                                view! {
                                    <li>
                                        {what}
                                        <ActionForm action=remove>
                                            <input type="hidden" name="id" value=b.id />
                                            <button type="submit" class="link-button danger">"Remove"</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view();
                            view! { <ul class="shares" data-testid="bound-roles">{rows}</ul> }.into_any()
                        }
                    }
                })}
            </Transition>
            // The pickers' search and pages are forms of their own, so they sit before the binding form.
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let r = roles.await.ok().map(|p| view! {
                        <PickerNav key="roles" noun="roles" total=p.total_elements has_next=p.has_next />
                    });
                    let g = entity_groups.await.ok().map(|p| view! {
                        <PickerNav key="groups" noun="entity groups" total=p.total_elements has_next=p.has_next />
                    });
                    (r, g)
                })}
            </Suspense>
            <ActionForm action=bind>
                <input type="hidden" name="user_group" value=id />
                <label for="bind-role">"Role"</label>
                <Suspense fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
                    {move || Suspend::new(async move {
                        let options = roles.await.map(|p| p.data).unwrap_or_default().into_iter().map(|(c, group)| {
                            let text = if group { format!("{} (group role)", c.name) } else { c.name };
                            view! { <option value=c.id>{text}</option> }
                        }).collect_view();
                        view! {
                            <select id="bind-role" name="role" required>
                                <option value="">"— choose —"</option>
                                {options}
                            </select>
                        }
                    })}
                </Suspense>
                <label for="bind-group">"Entity group (for a group role only)"</label>
                <Suspense fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                    {move || Suspend::new(async move {
                        let options = entity_groups.await.map(|p| p.data).unwrap_or_default().into_iter().map(|c| {
                            view! { <option value=c.id>{c.name}</option> }
                        }).collect_view();
                        view! {
                            <select id="bind-group" name="entity_group">
                                <option value="">"— none (generic role) —"</option>
                                {options}
                            </select>
                        }
                    })}
                </Suspense>
                <button type="submit" class="primary">"Add role"</button>
            </ActionForm>
            <ErrorMessage error />
            <Toast text=done />
        </section>
    }
}
