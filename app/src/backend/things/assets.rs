//! Assets: the wire shape (all behaviour is the shared things service's).

use crate::backend::kernel::tokens;
use crate::backend::things::Draft;
use crate::backend::things::rows::Thing;
use crate::model::Asset;
use crate::model::AssetId;
use crate::model::AssetInfo;
use crate::model::AssetProfileId;
use crate::model::EntityInfo;
use crate::model::TenantId;

/// The wire shape.
pub fn to_wire(t: Thing) -> Asset {
    Asset {
        id: Some(AssetId(t.id)),
        created_time: Some(t.created_time),
        tenant_id: Some(TenantId(t.tenant)),
        customer_id: Some(crate::backend::things::customer_of(&t)),
        owner_id: Some(crate::backend::things::owner_of(&t)),
        name: Some(t.name.clone()),
        asset_profile_id: Some(AssetProfileId(tokens::derived_uuid(&[
            "asset-profile",
            &t.tenant.to_string(),
            &t.thing_type,
        ]))),
        asset_type: Some(t.thing_type),
        label: t.label,
        additional_info: t.additional_info,
        version: Some(t.version),
    }
}

/// The wire shape with owner name and groups.
pub fn to_info(t: Thing, owner_name: String, groups: Vec<EntityInfo>) -> AssetInfo {
    AssetInfo { asset: to_wire(t), owner_name, groups }
}

/// What the service needs from a posted asset.
pub fn draft(a: &Asset) -> Draft {
    Draft {
        id: a.id.map(|i| i.0),
        customer_id: a.customer_id.map(|c| c.0),
        name: a.name.clone(),
        thing_type: a.asset_type.clone(),
        label: a.label.clone(),
        additional_info: a.additional_info.clone(),
        version: a.version,
        ..Draft::default()
    }
}
