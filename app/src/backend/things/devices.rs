//! Devices: the wire shape and the ACCESS_TOKEN credentials every device gets at creation (random unless the
//! caller names one), readable with READ_CREDENTIALS and replaceable with WRITE_CREDENTIALS.

use crate::backend::groups::naming::SaveOptions;
use crate::backend::kernel::clock::now_ms;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::kernel::tokens;
use crate::backend::services::Services;
use crate::backend::things::Draft;
use crate::backend::things::kind::Kind;
use crate::backend::things::rows::Thing;
use crate::model::Device;
use crate::model::DeviceCredentials;
use crate::model::DeviceCredentialsId;
use crate::model::DeviceId;
use crate::model::DeviceInfo;
use crate::model::DeviceProfileId;
use crate::model::EntityInfo;
use crate::model::TenantId;
use crate::model::permissions::Operation;
use serde_json::{Map, Value};
use sqlx::{Any, Row, Transaction};
use uuid::Uuid;

const ACCESS_TOKEN: &str = "ACCESS_TOKEN";

/// The wire shape.
pub fn to_wire(t: Thing) -> Device {
    Device {
        id: Some(DeviceId(t.id)),
        created_time: Some(t.created_time),
        tenant_id: Some(TenantId(t.tenant)),
        customer_id: Some(crate::backend::things::customer_of(&t)),
        owner_id: Some(crate::backend::things::owner_of(&t)),
        name: Some(t.name.clone()),
        device_profile_id: Some(DeviceProfileId(tokens::derived_uuid(&[
            "device-profile",
            &t.tenant.to_string(),
            &t.thing_type,
        ]))),
        device_type: Some(t.thing_type),
        label: t.label,
        device_data: Some(t.details.get("deviceData").cloned().unwrap_or_else(default_device_data)),
        firmware_id: t.details.get("firmwareId").cloned(),
        software_id: t.details.get("softwareId").cloned(),
        additional_info: t.additional_info,
        version: Some(t.version),
    }
}

/// The wire shape with owner name and groups.
pub fn to_info(t: Thing, owner_name: String, groups: Vec<EntityInfo>) -> DeviceInfo {
    DeviceInfo { device: to_wire(t), owner_name, groups, active: false }
}

/// What the service needs from a posted device.
pub fn draft(d: &Device) -> Draft {
    let mut details = Map::new();
    for (k, v) in [("deviceData", &d.device_data), ("firmwareId", &d.firmware_id), ("softwareId", &d.software_id)] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_null()) {
            details.insert(k.into(), v.clone());
        }
    }
    Draft {
        id: d.id.map(|i| i.0),
        customer_id: d.customer_id.map(|c| c.0),
        name: d.name.clone(),
        thing_type: d.device_type.clone(),
        label: d.label.clone(),
        additional_info: d.additional_info.clone(),
        details,
        configuration: None,
        routing_key: None,
        version: d.version,
    }
}

fn check_token(token: &str) -> ServiceResult<()> {
    if token.is_empty() || token.chars().count() > 255 || token.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(ServiceError::InvalidArguments(
            "Access token must be 1 to 255 characters without spaces or '/'".into(),
        ));
    }
    Ok(())
}

fn token_taken(e: sqlx::Error) -> ServiceError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            ServiceError::InvalidArguments("Device credentials are already assigned to another device!".into())
        }
        _ => e.into(),
    }
}

async fn insert_credentials(tx: &mut Transaction<'_, Any>, device: Uuid, token: &str) -> ServiceResult<()> {
    sqlx::query(
        "INSERT INTO device_credentials (id, device_id, created_time, credentials_type, credentials_id, \
         credentials_value, version) VALUES ($1, $2, $3, $4, $5, NULL, 1)",
    )
    .bind(Uuid::now_v7().to_string())
    .bind(device.to_string())
    .bind(now_ms())
    .bind(ACCESS_TOKEN)
    .bind(token)
    .execute(&mut **tx)
    .await
    .map_err(token_taken)?;
    Ok(())
}

/// The token a new device gets: the requested one, or 20 random letters and digits.
fn token_for(requested: Option<&str>) -> ServiceResult<String> {
    match requested {
        Some(t) => {
            check_token(t)?;
            Ok(t.to_string())
        }
        None => Ok(tokens::new_alphanumeric(20)),
    }
}

/// A new device with its ACCESS_TOKEN credentials (the one given, else a random one), in one transaction.
pub async fn create(
    svc: &Services,
    p: &Principal,
    draft: &Draft,
    access_token: Option<&str>,
    opts: &SaveOptions,
) -> ServiceResult<Thing> {
    let token = token_for(access_token)?;
    let mut tx = svc.db.begin_write().await?;
    let id = crate::backend::things::create_in(&mut tx, svc, p, Kind::Device, draft, opts).await?;
    insert_credentials(&mut tx, id, &token).await?;
    tx.commit().await?;
    crate::backend::things::created(svc, p, Kind::Device, id).await
}

/// `POST /api/device-with-credentials`: a new device with the ACCESS_TOKEN the caller chose.
pub async fn save_with_credentials(
    svc: &Services,
    p: &Principal,
    d: &Device,
    creds: Option<&DeviceCredentials>,
    opts: &SaveOptions,
) -> ServiceResult<Device> {
    let token = match creds {
        None => None,
        Some(c) => {
            let kind = c.credentials_type.as_deref().unwrap_or(ACCESS_TOKEN);
            if kind != ACCESS_TOKEN {
                return Err(ServiceError::InvalidArguments(format!(
                    "Credentials type {kind} is not supported yet; use ACCESS_TOKEN"
                )));
            }
            c.credentials_id.as_deref()
        }
    };
    if d.id.is_some() {
        return Err(ServiceError::InvalidArguments("This call creates devices; update with POST /api/device".into()));
    }
    Ok(to_wire(create(svc, p, &draft(d), token, opts).await?))
}

async fn load_credentials(svc: &Services, device: Uuid) -> ServiceResult<DeviceCredentials> {
    let r = sqlx::query(
        "SELECT id, created_time, credentials_type, credentials_id, credentials_value, version \
         FROM device_credentials WHERE device_id = $1",
    )
    .bind(device.to_string())
    .fetch_optional(&svc.db.pool)
    .await?
    .ok_or_else(|| ServiceError::NotFound(format!("Device credentials for device [{device}] are not found")))?;
    let id: String = r.try_get("id")?;
    Ok(DeviceCredentials {
        id: Some(DeviceCredentialsId { id: Uuid::parse_str(&id).map_err(|e| ServiceError::Internal(e.to_string()))? }),
        created_time: Some(r.try_get("created_time")?),
        device_id: Some(DeviceId(device)),
        credentials_type: Some(r.try_get("credentials_type")?),
        credentials_id: Some(r.try_get("credentials_id")?),
        credentials_value: r.try_get("credentials_value")?,
        version: Some(r.try_get("version")?),
    })
}

/// `GET /api/device/{id}/credentials` (READ_CREDENTIALS).
pub async fn credentials(svc: &Services, p: &Principal, id: Uuid) -> ServiceResult<DeviceCredentials> {
    let t = crate::backend::things::get_checked(svc, p, Kind::Device, id, Operation::ReadCredentials).await?;
    load_credentials(svc, t.id).await
}

/// `POST /api/device/credentials` (WRITE_CREDENTIALS): a new access token for the device.
pub async fn update_credentials(
    svc: &Services,
    p: &Principal,
    c: &DeviceCredentials,
) -> ServiceResult<DeviceCredentials> {
    let device = c.device_id.ok_or_else(|| ServiceError::InvalidArguments("Device id should be specified!".into()))?;
    let kind = c.credentials_type.as_deref().unwrap_or(ACCESS_TOKEN);
    if kind != ACCESS_TOKEN {
        return Err(ServiceError::InvalidArguments(format!(
            "Credentials type {kind} is not supported yet; use ACCESS_TOKEN"
        )));
    }
    let token = c
        .credentials_id
        .as_deref()
        .ok_or_else(|| ServiceError::InvalidArguments("Device credentials id should be specified!".into()))?;
    check_token(token)?;
    let t = crate::backend::things::get_checked(svc, p, Kind::Device, device.0, Operation::WriteCredentials).await?;
    let done = sqlx::query(
        "UPDATE device_credentials SET credentials_id = $1, credentials_type = $2, version = version + 1 \
         WHERE device_id = $3 AND ($4 < 0 OR version = $4)",
    )
    .bind(token)
    .bind(ACCESS_TOKEN)
    .bind(t.id.to_string())
    .bind(c.version.unwrap_or(-1))
    .execute(svc.db.writer())
    .await
    .map_err(token_taken)?;
    if done.rows_affected() == 0 {
        return Err(ServiceError::VersionConflict(
            "Device credentials were already changed by someone else! Reload them and try again.".into(),
        ));
    }
    load_credentials(svc, t.id).await
}

/// The device data ThingsBoard gives a device that has none.
pub fn default_device_data() -> Value {
    serde_json::json!({"configuration": {"type": "DEFAULT"}, "transportConfiguration": {"type": "DEFAULT"}})
}
