//! What each kind does differently when it meets the outside world — its REST shape and info shape, what a
//! posted body becomes, what saving adds to the shared service (a device's credentials, an edge's keys) — written
//! once per kind as a `KindWire`, with `visit` the one place where a `Kind` picks its implementation. REST
//! handlers and server functions reach every kind-specific behaviour through the operations below.

use crate::backend::groups::naming::SaveOptions;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use crate::backend::things;
use crate::backend::things::Draft;
use crate::backend::things::kind::Kind;
use crate::backend::things::rows::Thing;
use crate::backend::things::{assets, dashboards, devices, edges};
use crate::model::permissions::Operation;
use crate::model::{Asset, Dashboard, Device, Edge, EntityInfo};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

/// What saving takes besides the draft: `POST /api/device?accessToken=`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SaveExtras<'a> {
    pub access_token: Option<&'a str>,
}

/// One kind's dealings with the outside world.
pub trait KindWire: 'static {
    /// The REST shape (`Device`).
    type Wire: Serialize + DeserializeOwned;
    /// The info shape (`DeviceInfo`: owner name and groups besides).
    type Info: Serialize;
    fn to_wire(t: Thing) -> Self::Wire;
    fn to_info(t: Thing, owner: String, groups: Vec<EntityInfo>) -> Self::Info;
    /// What the service needs from a posted body.
    fn draft(w: &Self::Wire) -> ServiceResult<Draft>;
    /// Creates (no id) or updates a draft, with what the kind adds.
    fn save(
        svc: &Services,
        p: &Principal,
        d: Draft,
        opts: &SaveOptions,
        extras: SaveExtras<'_>,
    ) -> impl Future<Output = ServiceResult<Thing>> + Send;
}

/// The kinds' implementations.
pub struct Devices;
pub struct Assets;
pub struct Dashboards;
pub struct Edges;

impl KindWire for Devices {
    type Wire = Device;
    type Info = crate::model::DeviceInfo;
    fn to_wire(t: Thing) -> Device {
        devices::to_wire(t)
    }
    fn to_info(t: Thing, owner: String, groups: Vec<EntityInfo>) -> Self::Info {
        devices::to_info(t, owner, groups)
    }
    fn draft(w: &Device) -> ServiceResult<Draft> {
        Ok(devices::draft(w))
    }
    async fn save(
        svc: &Services,
        p: &Principal,
        d: Draft,
        opts: &SaveOptions,
        extras: SaveExtras<'_>,
    ) -> ServiceResult<Thing> {
        // An update leaves the credentials alone; they change through /api/device/credentials.
        match d.id {
            Some(_) => things::update(svc, p, Kind::Device, &d).await,
            None => devices::create(svc, p, &d, extras.access_token, opts).await,
        }
    }
}

impl KindWire for Assets {
    type Wire = Asset;
    type Info = crate::model::AssetInfo;
    fn to_wire(t: Thing) -> Asset {
        assets::to_wire(t)
    }
    fn to_info(t: Thing, owner: String, groups: Vec<EntityInfo>) -> Self::Info {
        assets::to_info(t, owner, groups)
    }
    fn draft(w: &Asset) -> ServiceResult<Draft> {
        Ok(assets::draft(w))
    }
    async fn save(
        svc: &Services,
        p: &Principal,
        d: Draft,
        opts: &SaveOptions,
        _: SaveExtras<'_>,
    ) -> ServiceResult<Thing> {
        things::save(svc, p, Kind::Asset, &d, opts).await
    }
}

impl KindWire for Dashboards {
    type Wire = Dashboard;
    type Info = crate::model::DashboardInfo;
    fn to_wire(t: Thing) -> Dashboard {
        dashboards::to_wire(t)
    }
    fn to_info(t: Thing, owner: String, groups: Vec<EntityInfo>) -> Self::Info {
        dashboards::to_info(t, owner, groups)
    }
    fn draft(w: &Dashboard) -> ServiceResult<Draft> {
        Ok(dashboards::draft(w))
    }
    async fn save(
        svc: &Services,
        p: &Principal,
        d: Draft,
        opts: &SaveOptions,
        _: SaveExtras<'_>,
    ) -> ServiceResult<Thing> {
        things::save(svc, p, Kind::Dashboard, &d, opts).await
    }
}

impl KindWire for Edges {
    type Wire = Edge;
    type Info = crate::model::EdgeInfo;
    fn to_wire(t: Thing) -> Edge {
        edges::to_wire(t)
    }
    fn to_info(t: Thing, owner: String, groups: Vec<EntityInfo>) -> Self::Info {
        edges::to_info(t, owner, groups)
    }
    fn draft(w: &Edge) -> ServiceResult<Draft> {
        edges::draft(w)
    }
    async fn save(
        svc: &Services,
        p: &Principal,
        d: Draft,
        opts: &SaveOptions,
        _: SaveExtras<'_>,
    ) -> ServiceResult<Thing> {
        let current = match d.id {
            Some(id) => Some(things::get_checked(svc, p, Kind::Edge, id, Operation::Write).await?),
            None => None,
        };
        things::save(svc, p, Kind::Edge, &edges::keys(d, current.as_ref()), opts).await
    }
}

/// An operation over every kind's implementation.
pub trait Visitor {
    type Out;
    fn visit<K: KindWire>(self) -> Self::Out;
}

/// The one dispatch from a `Kind` to its implementation.
pub fn visit<V: Visitor>(kind: Kind, v: V) -> V::Out {
    match kind {
        Kind::Device => v.visit::<Devices>(),
        Kind::Asset => v.visit::<Assets>(),
        Kind::Dashboard => v.visit::<Dashboards>(),
        Kind::Edge => v.visit::<Edges>(),
    }
}

fn to_json<T: Serialize>(v: T) -> ServiceResult<Value> {
    serde_json::to_value(v).map_err(|e| ServiceError::Internal(e.to_string()))
}

/// The REST shape of a thing.
pub fn plain(t: Thing) -> ServiceResult<Value> {
    struct Plain(Thing);
    impl Visitor for Plain {
        type Out = ServiceResult<Value>;
        fn visit<K: KindWire>(self) -> Self::Out {
            to_json(K::to_wire(self.0))
        }
    }
    visit(t.kind, Plain(t))
}

/// The info shape of a thing (dashboards: no configuration).
pub fn info(t: Thing, owner: String, groups: Vec<EntityInfo>) -> ServiceResult<Value> {
    struct Info(Thing, String, Vec<EntityInfo>);
    impl Visitor for Info {
        type Out = ServiceResult<Value>;
        fn visit<K: KindWire>(self) -> Self::Out {
            to_json(K::to_info(self.0, self.1, self.2))
        }
    }
    visit(t.kind, Info(t, owner, groups))
}

type Saving<'a> = Pin<Box<dyn Future<Output = ServiceResult<Thing>> + Send + 'a>>;

/// Saves a draft of `kind` with what the kind adds (the console's forms and the REST bodies both end here).
pub async fn save_draft(
    svc: &Services,
    p: &Principal,
    kind: Kind,
    d: Draft,
    opts: &SaveOptions,
    extras: SaveExtras<'_>,
) -> ServiceResult<Thing> {
    struct Save<'a>(&'a Services, &'a Principal, Draft, &'a SaveOptions, SaveExtras<'a>);
    impl<'a> Visitor for Save<'a> {
        type Out = Saving<'a>;
        fn visit<K: KindWire>(self) -> Self::Out {
            let Save(svc, p, d, opts, extras) = self;
            Box::pin(K::save(svc, p, d, opts, extras))
        }
    }
    visit(kind, Save(svc, p, d, opts, extras)).await
}

/// `POST /api/{kind}`: the posted body read as the kind's shape, saved, answered in that shape.
pub async fn save_body(
    svc: &Services,
    p: &Principal,
    kind: Kind,
    body: Value,
    opts: &SaveOptions,
    extras: SaveExtras<'_>,
) -> ServiceResult<Value> {
    struct Parse(Value);
    impl Visitor for Parse {
        type Out = ServiceResult<Draft>;
        fn visit<K: KindWire>(self) -> Self::Out {
            let w: K::Wire = serde_json::from_value(self.0)
                .map_err(|e| ServiceError::BadRequestParams(format!("Invalid request body: {e}")))?;
            K::draft(&w)
        }
    }
    let draft = visit(kind, Parse(body))?;
    plain(save_draft(svc, p, kind, draft, opts, extras).await?)
}
