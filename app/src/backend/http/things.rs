//! `/api/device*`, `/api/asset*`, `/api/dashboard*`, `/api/edge*`: the same endpoints for each kind of thing,
//! registered per kind by `routes`. Handlers translate HTTP to the things service; its checks decide access.

use crate::backend::groups::naming::SaveOptions;
use crate::backend::groups::service as groups;
use crate::backend::http::extract::Auth;
use crate::backend::http::extract::JsonBody;
use crate::backend::http::extract::PathId;
use crate::backend::http::extract::QueryMap;
use crate::backend::http::extract::flag;
use crate::backend::http::extract::parse_ids;
use crate::backend::http::state::AppState;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::paging::PageLink;
use crate::backend::kernel::principal::Principal;
use crate::backend::owners::infos::decorated_one;
use crate::backend::owners::infos::decorated_rows;
use crate::backend::services::Services;
use crate::backend::things;
use crate::backend::things::devices;
use crate::backend::things::kind::Kind;
use crate::backend::things::lists::Scope;
use crate::backend::things::lists::info_key;
use crate::backend::things::rows::Thing;
use crate::backend::things::wire;
use crate::backend::things::wire::SaveExtras;
use crate::model::CustomerId;
use crate::model::DeviceCredentials;
use crate::model::EntityGroupId;
use crate::model::PageData;
use crate::model::SaveDeviceWithCredentials;
use crate::model::permissions::Operation;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// A page in the shape the endpoint returns: infos for `…Infos` lists and every dashboard list.
async fn shaped(svc: &Services, page: PageData<Thing>, infos: bool) -> ServiceResult<Json<PageData<Value>>> {
    let page = if infos || page.data.first().is_some_and(|t| t.kind == Kind::Dashboard) {
        crate::backend::things::lists::decorated_page(svc, page, wire::info).await?
    } else {
        page.map(wire::plain)
    };
    Ok(Json(page.try_map(|v| v)?))
}

fn type_param(q: &HashMap<String, String>) -> Option<&str> {
    q.get("type").map(String::as_str)
}

fn caller_owner(p: &Principal) -> ServiceResult<Uuid> {
    p.owner().ok_or(ServiceError::Forbidden)
}

/// Every endpoint of one kind.
pub fn routes(kind: Kind) -> Router<AppState> {
    let spec = kind.spec();
    let (one, many, ids_param) = (spec.singular, spec.plural, spec.ids_param);
    let mut r = Router::new()
        .route(
            &format!("/api/{one}"),
            post(
                move |State(s): State<AppState>,
                      Auth(p): Auth,
                      QueryMap(q): QueryMap,
                      JsonBody(body): JsonBody<Value>| async move {
                    let opts = SaveOptions::from_query(&q)?;
                    let extras = SaveExtras { access_token: q.get("accessToken").map(String::as_str) };
                    Ok::<_, ServiceError>(Json(wire::save_body(&s.svc, &p, kind, body, &opts, extras).await?))
                },
            ),
        )
        .route(
            &format!("/api/{one}/{{id}}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId| async move {
                Ok::<_, ServiceError>(Json(wire::plain(
                    things::get_checked(&s.svc, &p, kind, id, Operation::Read).await?,
                )?))
            })
            .delete(move |State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId| async move {
                things::delete(&s.svc, &p, kind, id).await?;
                Ok::<_, ServiceError>(StatusCode::OK)
            }),
        )
        .route(
            &format!("/api/{one}/info/{{id}}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId| async move {
                let t = things::get_checked(&s.svc, &p, kind, id, Operation::Read).await?;
                let info = decorated_one(&s.svc, t, info_key, wire::info).await??;
                Ok::<_, ServiceError>(Json(info))
            }),
        )
        .route(
            &format!("/api/tenant/{many}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap| async move {
                crate::backend::authz::scopes::check_tenant_admin(&p)?;
                let link = PageLink::from_query(&q)?;
                let page =
                    crate::backend::things::lists::list(&s.svc, &p, kind, Scope::Tenant, type_param(&q), &link).await?;
                shaped(&s.svc, page, false).await
            }),
        )
        .route(
            &format!("/api/user/{many}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap| async move {
                let link = PageLink::from_query(&q)?;
                let page =
                    crate::backend::things::lists::list(&s.svc, &p, kind, Scope::Tenant, type_param(&q), &link).await?;
                shaped(&s.svc, page, false).await
            }),
        )
        .route(
            &format!("/api/customer/{{id}}/{many}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, PathId(c): PathId, QueryMap(q): QueryMap| async move {
                crate::backend::owners::customers::get(&s.svc, &p, CustomerId(c)).await?;
                let link = PageLink::from_query(&q)?;
                let subtree = flag(&q, "includeCustomers", false)?;
                let scope = Scope::Owner { owner: c, subtree };
                let page = crate::backend::things::lists::list(&s.svc, &p, kind, scope, type_param(&q), &link).await?;
                shaped(&s.svc, page, false).await
            }),
        )
        .route(
            &format!("/api/entityGroup/{{id}}/{many}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, PathId(g): PathId, QueryMap(q): QueryMap| async move {
                let (_, group) = groups::read(&s.svc, &p, EntityGroupId(g), Some(kind.group_type())).await?;
                let link = PageLink::from_query(&q)?;
                let page =
                    crate::backend::things::lists::list(&s.svc, &p, kind, Scope::Group(group), None, &link).await?;
                shaped(&s.svc, page, false).await
            }),
        );
    if let Some(name_param) = spec.name_param {
        r = r.route(
            &format!("/api/tenant/{one}"),
            get(move |State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap| async move {
                let name = q.get(name_param).filter(|n| !n.trim().is_empty()).ok_or_else(|| {
                    ServiceError::BadRequestParams(format!("Required request parameter '{name_param}' is not present"))
                })?;
                Ok::<_, ServiceError>(Json(wire::plain(
                    crate::backend::things::lists::by_name(&s.svc, &p, kind, name).await?,
                )?))
            }),
        );
    }
    let infos_all = move |State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap| async move {
        let link = PageLink::from_query(&q)?;
        let scope = Scope::Owner { owner: caller_owner(&p)?, subtree: flag(&q, "includeCustomers", false)? };
        let page = crate::backend::things::lists::list(&s.svc, &p, kind, scope, type_param(&q), &link).await?;
        shaped(&s.svc, page, true).await
    };
    let customer_infos = move |State(s): State<AppState>, Auth(p): Auth, PathId(c): PathId, QueryMap(q): QueryMap| async move {
        crate::backend::owners::customers::get(&s.svc, &p, CustomerId(c)).await?;
        let link = PageLink::from_query(&q)?;
        let scope = Scope::Owner { owner: c, subtree: flag(&q, "includeCustomers", false)? };
        let page = crate::backend::things::lists::list(&s.svc, &p, kind, scope, type_param(&q), &link).await?;
        shaped(&s.svc, page, true).await
    };
    let by_ids = move |State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap| async move {
        let ids = parse_ids(q.get(ids_param), ids_param)?;
        let found = crate::backend::things::lists::by_ids(&s.svc, &p, kind, &ids).await?;
        let out = if kind == Kind::Dashboard {
            decorated_rows(&s.svc, found, info_key, wire::info).await?.into_iter().collect::<ServiceResult<Vec<_>>>()?
        } else {
            found.into_iter().map(wire::plain).collect::<ServiceResult<Vec<_>>>()?
        };
        Ok::<_, ServiceError>(Json(out))
    };
    match kind {
        Kind::Dashboard => {
            r = r.route("/api/dashboards/all", get(infos_all)).route("/api/dashboards", get(by_ids));
        }
        Kind::Edge => {
            r = r
                .route("/api/edgeInfos/all", get(infos_all))
                .route("/api/customer/{id}/edgeInfos", get(customer_infos))
                .route("/api/edges/list", get(by_ids))
                .route("/api/edges/enabled", get(|Auth(_): Auth| async { Json(true) }))
                .route(
                    "/api/edges",
                    get(move |State(s): State<AppState>, Auth(p): Auth, QueryMap(q): QueryMap| async move {
                        let link = PageLink::from_query(&q)?;
                        let page =
                            crate::backend::things::lists::list(&s.svc, &p, kind, Scope::Tenant, None, &link).await?;
                        shaped(&s.svc, page, false).await
                    }),
                );
        }
        _ => {
            r = r
                .route(&format!("/api/{one}Infos/all"), get(infos_all))
                .route(&format!("/api/customer/{{id}}/{one}Infos"), get(customer_infos))
                .route(&format!("/api/{many}"), get(by_ids));
        }
    }
    if kind == Kind::Device {
        r = r
            .route(
                "/api/device/{id}/credentials",
                get(|State(s): State<AppState>, Auth(p): Auth, PathId(id): PathId| async move {
                    Ok::<_, ServiceError>(Json(devices::credentials(&s.svc, &p, id).await?))
                }),
            )
            .route(
                "/api/device/credentials",
                post(|State(s): State<AppState>, Auth(p): Auth, JsonBody(c): JsonBody<DeviceCredentials>| async move {
                    Ok::<_, ServiceError>(Json(devices::update_credentials(&s.svc, &p, &c).await?))
                }),
            )
            .route(
                "/api/device-with-credentials",
                post(
                    |State(s): State<AppState>,
                     Auth(p): Auth,
                     QueryMap(q): QueryMap,
                     JsonBody(b): JsonBody<SaveDeviceWithCredentials>| async move {
                        let opts = SaveOptions::from_query(&q)?;
                        Ok::<_, ServiceError>(Json(
                            devices::save_with_credentials(&s.svc, &p, &b.device, b.credentials.as_ref(), &opts)
                                .await?,
                        ))
                    },
                ),
            );
    }
    r
}
