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
        let extra = crate::backend::things::lists::decorate(svc, &page.data).await?;
        let data = page
            .data
            .into_iter()
            .zip(extra)
            .map(|(t, (owner_name, groups))| ThingView {
                id: t.id.to_string(),
                version: t.version,
                name: t.name,
                thing_type: t.thing_type,
                label: t.label.unwrap_or_default(),
                created_time: t.created_time,
                owner_id: t.owner.to_string(),
                owner_name,
                groups: groups.into_iter().map(|g| (g.id.id.to_string(), g.name)).collect(),
            })
            .collect();
        Ok(PageData {
            data,
            total_pages: page.total_pages,
            total_elements: page.total_elements,
            has_next: page.has_next,
        })
    }

    pub async fn one(svc: &Services, t: Thing) -> Result<ThingView, AppError> {
        let page = PageData { data: vec![t], total_pages: 1, total_elements: 1, has_next: false };
        views(svc, page).await?.data.pop().ok_or_else(|| AppError::new(500, "thing vanished"))
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
