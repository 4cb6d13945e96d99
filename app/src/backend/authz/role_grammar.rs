//! The grammar of roles: a Generic role's `permissions` / `excludedPermissions` (resource → operations, each
//! operation in its resource's vocabulary) and a Group role's list of operations, parsed and validated the way
//! ThingsBoard PE does. Every decision reads roles through this; the role service validates what it stores with it.

use crate::backend::authz::grants::GenericPermissions;
use crate::backend::authz::grants::validate_generic;
use crate::backend::authz::grants::validate_group;
use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::model::RoleType;
use crate::model::permissions::Operation;
use serde_json::Value;

/// A role's permissions, parsed and validated for its type.
#[derive(Clone, Debug, PartialEq)]
pub enum RolePermissions {
    Generic { permissions: GenericPermissions, excluded: GenericPermissions },
    Group(Vec<Operation>),
}

pub fn bad(msg: impl Into<String>) -> ServiceError {
    ServiceError::InvalidArguments(msg.into())
}

fn parse_generic(v: &Value) -> ServiceResult<GenericPermissions> {
    let obj =
        v.as_object().ok_or_else(|| bad("Generic role permissions must be an object of resource → operations"))?;
    let mut out = GenericPermissions::new();
    for (res, ops) in obj {
        let r =
            crate::model::permissions::Resource::parse(res).ok_or_else(|| bad(format!("Unknown resource {res}")))?;
        let list = ops.as_array().ok_or_else(|| bad(format!("Operations of {res} must be a list")))?;
        let mut parsed = Vec::with_capacity(list.len());
        for op in list {
            let name = op.as_str().unwrap_or_default();
            parsed.push(Operation::parse(name).ok_or_else(|| bad(format!("Unknown operation {op}")))?);
        }
        out.insert(r, parsed);
    }
    validate_generic(&out).map_err(|e| bad(e.0))?;
    Ok(out)
}

/// Parses `permissions` / `excludedPermissions` the way the role's type requires.
pub fn parse(
    role_type: RoleType,
    permissions: Option<&Value>,
    excluded: Option<&Value>,
) -> ServiceResult<RolePermissions> {
    let permissions =
        permissions.filter(|v| !v.is_null()).ok_or_else(|| bad("Role permissions should be specified"))?;
    let excluded = excluded.filter(|v| !v.is_null() && v.as_object().is_none_or(|o| !o.is_empty()));
    match role_type {
        RoleType::Generic => Ok(RolePermissions::Generic {
            permissions: parse_generic(permissions)?,
            excluded: excluded.map(parse_generic).transpose()?.unwrap_or_default(),
        }),
        RoleType::Group => {
            if excluded.is_some() {
                return Err(bad("Excluded permissions are only supported by generic roles"));
            }
            let list =
                permissions.as_array().ok_or_else(|| bad("Group role permissions must be a list of operations"))?;
            let mut ops = Vec::with_capacity(list.len());
            for op in list {
                let name = op.as_str().unwrap_or_default();
                ops.push(Operation::parse(name).ok_or_else(|| bad(format!("Unknown operation {op}")))?);
            }
            validate_group(&ops).map_err(|e| bad(e.0))?;
            Ok(RolePermissions::Group(ops))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::groups::roles::predefined;
    use serde_json::json;

    #[test]
    fn parses_by_type() {
        let g = parse(
            RoleType::Generic,
            Some(&json!({"DEVICE": ["READ", "RPC_CALL"]})),
            Some(&json!({"DEVICE": ["DELETE"]})),
        );
        assert!(matches!(g, Ok(RolePermissions::Generic { .. })));
        assert!(parse(RoleType::Generic, Some(&json!({"NOPE": ["READ"]})), None).is_err());
        assert!(parse(RoleType::Generic, Some(&json!({"ASSET": ["RPC_CALL"]})), None).is_err());
        assert!(parse(RoleType::Group, Some(&json!(["READ", "WRITE"])), None).is_ok());
        assert!(parse(RoleType::Group, Some(&json!(["CHANGE_OWNER"])), None).is_err());
        assert!(parse(RoleType::Group, Some(&json!(["READ"])), Some(&json!({"DEVICE": ["READ"]}))).is_err());
        assert!(parse(RoleType::Group, Some(&json!(["READ"])), Some(&json!({}))).is_ok());
        assert!(parse(RoleType::Generic, None, None).is_err());
        for p in [predefined::administrator(), predefined::tenant_user(), predefined::customer_user()] {
            assert!(parse(RoleType::Generic, Some(&p), None).is_ok(), "{p}");
        }
    }
}
