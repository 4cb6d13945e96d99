//! Devices, assets, dashboards and edges for the console — one set of server functions for the four kinds, as
//! `backend::things` is one service for them (`lists`, `edit`), and the helpers both use. Every call goes to the
//! backend services, which ask `authz`.

pub mod edit;
pub mod lists;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::api::AppError;
    use crate::api::views::ThingView;
    use crate::backend::kernel::principal::Principal;
    use crate::backend::services::Services;
    use crate::backend::things;
    use crate::backend::things::kind::Kind;
    use crate::backend::things::rows::Thing;
    use crate::model::PageData;

    pub fn kind(s: &str) -> Result<Kind, AppError> {
        Kind::parse(s.trim()).ok_or_else(|| AppError::new(400, format!("Unknown entity type {s}")))
    }

    pub async fn views(svc: &Services, page: PageData<Thing>) -> Result<PageData<ThingView>, AppError> {
        Ok(crate::backend::things::lists::decorated_page(svc, page, view_of).await?)
    }

    fn view_of(t: Thing, owner_name: String, groups: Vec<crate::model::EntityInfo>) -> ThingView {
        ThingView {
            id: t.id.to_string(),
            version: t.version,
            name: t.name,
            thing_type: t.thing_type,
            label: t.label.unwrap_or_default(),
            created_time: t.created_time,
            owner_id: t.owner.to_string(),
            owner_name,
            groups: groups.into_iter().map(|g| (g.id.id.to_string(), g.name)).collect(),
        }
    }

    pub async fn one(svc: &Services, t: Thing) -> Result<ThingView, AppError> {
        use crate::backend::things::lists::info_key;
        Ok(crate::backend::owners::infos::decorated_one(svc, t, info_key, view_of).await?)
    }

    pub async fn checked(
        svc: &Services,
        p: &Principal,
        kind: Kind,
        id: &str,
        op: crate::model::permissions::Operation,
    ) -> Result<Thing, AppError> {
        let id = crate::api::ssr::parse_id(id, &kind.label().to_lowercase())?;
        Ok(things::get_checked(svc, p, kind, id, op).await?)
    }
}
