//! Paged lists of users: every `/api/…users…` list is one scope (everything visible, one owner, an owner's
//! subtree, given ids) ANDed with the access-control predicate for USER READ, so filtering, search, sort and
//! paging all happen in SQL.

use crate::backend::accounts::records::USER_COLUMNS;
use crate::backend::accounts::records::UserRecord;
use crate::backend::accounts::users;
use crate::backend::authz;
use crate::backend::authz::entities::ListSource;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::paging::marks;
use crate::backend::kernel::paging::push_sql as push;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::model::PageData;
use crate::model::UserEmailInfo;
use crate::model::UserInfo;
use uuid::Uuid;

/// Which users a list is about, before visibility.
#[derive(Clone, Debug)]
pub enum UserScope {
    /// Every user the caller may read.
    Visible,
    /// The users owned by exactly this tenant or customer.
    Owner(Uuid),
    /// The users owned anywhere in this owner's subtree.
    Subtree(Uuid),
    /// These users (those the caller may not read are left out).
    Ids(Vec<Uuid>),
    /// The members of one user group the caller may read: all of them (ThingsBoard PE's rule for group member
    /// lists, the same as `GET /api/entityGroup/{id}/users`).
    Group(crate::backend::authz::groups::ReadableGroup),
}

/// Users as owned entities: a customer's users belong to it, the others to the tenant.
pub const SOURCE: ListSource =
    ListSource { table: "tb_user", alias: "u", owner: |a| format!("COALESCE({a}.customer_id, {a}.tenant_id)") };

const SORTS: [(&str, &str); 5] = [
    ("createdTime", "u.created_time"),
    ("email", "u.email_lower"),
    ("firstName", "u.first_name"),
    ("lastName", "u.last_name"),
    ("name", "u.email_lower"),
];

/// One page of the users in `scope` the caller may read.
pub async fn list(
    svc: &Services,
    p: &Principal,
    scope: UserScope,
    link: &PageLink,
) -> ServiceResult<PageData<UserRecord>> {
    let order = link.order_by(&SORTS, "u.created_time")?.replace(", id ", ", u.id ");
    let mut from = String::from("FROM tb_user u JOIN user_credentials c ON c.user_id = u.id WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    if let Some(t) = p.tenant_id {
        push(&mut from, &mut binds, " AND u.tenant_id = $?", vec![t.0.to_string()]);
    }
    match &scope {
        UserScope::Visible => {}
        UserScope::Owner(o) => {
            push(&mut from, &mut binds, " AND COALESCE(u.customer_id, u.tenant_id) = $?", vec![o.to_string()]);
        }
        UserScope::Subtree(o) => push(
            &mut from,
            &mut binds,
            " AND COALESCE(u.customer_id, u.tenant_id) IN (SELECT oc.descendant FROM owner_closure oc WHERE oc.ancestor = $?)",
            vec![o.to_string()],
        ),
        UserScope::Ids(ids) if ids.is_empty() => return Ok(link.page_of(Vec::new(), 0)),
        UserScope::Ids(ids) => {
            let sql = format!(" AND u.id IN ({})", marks(ids.len()));
            push(&mut from, &mut binds, &sql, ids.iter().map(Uuid::to_string).collect());
        }
        UserScope::Group(g) => push(
            &mut from,
            &mut binds,
            " AND u.id IN (SELECT m.entity_id FROM entity_group_member m WHERE m.group_id = $?)",
            vec![g.id().to_string()],
        ),
    }
    if let Some(pat) = link.like_pattern() {
        push(
            &mut from,
            &mut binds,
            " AND (u.email_lower LIKE $? ESCAPE '\\' OR LOWER(COALESCE(u.first_name, '')) LIKE $? ESCAPE '\\' \
             OR LOWER(COALESCE(u.last_name, '')) LIKE $? ESCAPE '\\')",
            vec![pat.clone(), pat.clone(), pat],
        );
    }
    if !matches!(scope, UserScope::Group(_)) {
        let visible = authz::users::list_filter(svc, p, SOURCE, binds.len() + 1).await?;
        if !visible.apply(&mut from, &mut binds) {
            return Ok(link.page_of(Vec::new(), 0));
        }
    }
    let mut page = crate::backend::kernel::paging::fetch(
        &svc.db.pool,
        USER_COLUMNS,
        &from,
        &order,
        &binds,
        link,
        crate::backend::accounts::records::from_row,
    )
    .await?;
    users::drop_dangling_dashboards(svc, &mut page.data).await?;
    Ok(page)
}

/// The (id, owner) a user's info shape is decorated by.
pub fn info_key(u: &UserRecord) -> (Uuid, Uuid) {
    (u.id.0, u.owner())
}

/// The same page as `UserInfo`s: owner names and user groups in two more queries.
pub async fn infos(svc: &Services, page: PageData<UserRecord>) -> ServiceResult<PageData<UserInfo>> {
    crate::backend::owners::infos::decorated(svc, page, info_key, |u, owner_name, groups| UserInfo {
        user: u.to_dto(),
        owner_name,
        groups,
    })
    .await
}

/// The same page in the short form pickers use.
pub fn email_infos(page: PageData<UserRecord>) -> PageData<UserEmailInfo> {
    page.map(|u| UserEmailInfo { id: u.id, email: u.email, first_name: u.first_name, last_name: u.last_name })
}

/// `GET /api/users/list?userIds=`: the listed users the caller may read, in one query.
pub async fn by_ids(svc: &Services, p: &Principal, ids: Vec<Uuid>) -> ServiceResult<Vec<UserRecord>> {
    let link = PageLink::covering(ids.len())?;
    Ok(list(svc, p, UserScope::Ids(ids), &link).await?.data)
}
