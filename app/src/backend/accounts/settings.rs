//! `/api/user/settings`: free-form JSON the console keeps per user and kind (`general`, `quick_links`, `doc_links`,
//! `dashboards`). Always the caller's own (the session's user, so there is nothing to authorize beyond being signed
//! in). `PUT` deep-merges by dotted path, `DELETE` removes dotted paths; keys may not contain `.` or `,` since those
//! are the path syntax.

use crate::backend::kernel::error::ServiceError;
use crate::backend::kernel::error::ServiceResult;
use crate::backend::kernel::principal::Principal;
use crate::backend::services::Services;
use serde_json::{Map, Value};

/// Largest stored document per kind.
const MAX_BYTES: usize = 64 * 1024;
/// Deepest nesting accepted.
const MAX_DEPTH: usize = 16;

/// The kinds ThingsBoard's console stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    General,
    QuickLinks,
    DocLinks,
    Dashboards,
}

impl Kind {
    /// Parses the path segment, case-insensitively.
    pub fn parse(s: &str) -> ServiceResult<Kind> {
        match s.to_ascii_lowercase().as_str() {
            "general" => Ok(Kind::General),
            "quick_links" => Ok(Kind::QuickLinks),
            "doc_links" => Ok(Kind::DocLinks),
            "dashboards" => Ok(Kind::Dashboards),
            _ => Err(ServiceError::BadRequestParams(format!("Unsupported user settings type: {s}"))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::General => "general",
            Kind::QuickLinks => "quick_links",
            Kind::DocLinks => "doc_links",
            Kind::Dashboards => "dashboards",
        }
    }
}

fn bad(m: String) -> ServiceError {
    ServiceError::InvalidArguments(m)
}

/// Keys must not use the path syntax; nesting and size are bounded.
fn check_keys(v: &Value, depth: usize) -> ServiceResult<()> {
    if depth > MAX_DEPTH {
        return Err(bad(format!("Settings may nest at most {MAX_DEPTH} levels")));
    }
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k.contains('.') || k.contains(',') {
                    return Err(bad(format!("Settings key '{k}' may not contain '.' or ','")));
                }
                check_keys(v, depth + 1)?;
            }
            Ok(())
        }
        Value::Array(a) => a.iter().try_for_each(|v| check_keys(v, depth + 1)),
        _ => Ok(()),
    }
}

fn object(v: Value) -> ServiceResult<Map<String, Value>> {
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(bad("Settings must be a JSON object".into())),
    }
}

/// Splits a dotted path; empty segments are refused.
fn segments(path: &str) -> ServiceResult<Vec<&str>> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.trim().is_empty()) || parts.len() > MAX_DEPTH {
        return Err(bad(format!("Invalid settings path '{path}'")));
    }
    Ok(parts)
}

/// Merges `new` into `into`: objects key by key, anything else replaced.
fn deep_merge(into: &mut Value, new: Value) {
    match (into, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                deep_merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Applies `{"a.b.c": v, …}` to `doc`: each path is created as needed and `v` deep-merged there.
pub fn merge_paths(doc: &mut Map<String, Value>, update: Map<String, Value>) -> ServiceResult<()> {
    for (path, value) in update {
        check_keys(&value, 0)?;
        let parts = segments(&path)?;
        let mut node = &mut *doc;
        let (last, parents) = parts.split_last().ok_or_else(|| bad("Empty settings path".into()))?;
        for p in parents {
            let slot = node.entry(p.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            node = slot.as_object_mut().ok_or_else(|| ServiceError::Internal("settings path".into()))?;
        }
        deep_merge(node.entry(last.to_string()).or_insert(Value::Null), value);
    }
    Ok(())
}

/// Removes each dotted path that exists.
pub fn remove_paths(doc: &mut Map<String, Value>, paths: &str) -> ServiceResult<()> {
    for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let parts = segments(path)?;
        let Some((last, parents)) = parts.split_last() else { continue };
        let mut node = Some(&mut *doc);
        for p in parents {
            node = node.and_then(|n| n.get_mut(*p)).and_then(Value::as_object_mut);
        }
        if let Some(n) = node {
            n.remove(*last);
        }
    }
    Ok(())
}

async fn load(svc: &Services, p: &Principal, kind: Kind) -> ServiceResult<Map<String, Value>> {
    let raw: Option<String> = sqlx::query_scalar("SELECT value FROM user_settings WHERE user_id = $1 AND kind = $2")
        .bind(p.user_id.0.to_string())
        .bind(kind.as_str())
        .fetch_optional(&svc.db.pool)
        .await?;
    Ok(raw.and_then(|r| serde_json::from_str::<Map<String, Value>>(&r).ok()).unwrap_or_default())
}

async fn store(svc: &Services, p: &Principal, kind: Kind, doc: &Map<String, Value>) -> ServiceResult<()> {
    let text = serde_json::to_string(doc).map_err(|e| ServiceError::Internal(e.to_string()))?;
    if text.len() > MAX_BYTES {
        return Err(bad(format!("Settings may take at most {MAX_BYTES} bytes")));
    }
    sqlx::query(
        "INSERT INTO user_settings (user_id, kind, value) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, kind) DO UPDATE SET value = $3",
    )
    .bind(p.user_id.0.to_string())
    .bind(kind.as_str())
    .bind(text)
    .execute(svc.db.writer())
    .await?;
    Ok(())
}

/// `GET /api/user/settings[/{type}]`.
pub async fn get(svc: &Services, p: &Principal, kind: Kind) -> ServiceResult<Value> {
    Ok(Value::Object(load(svc, p, kind).await?))
}

/// `POST /api/user/settings`: replaces the general settings.
pub async fn save(svc: &Services, p: &Principal, body: Value) -> ServiceResult<Value> {
    check_keys(&body, 0)?;
    let doc = object(body)?;
    store(svc, p, Kind::General, &doc).await?;
    Ok(Value::Object(doc))
}

/// `PUT /api/user/settings[/{type}]`: deep-merges by dotted path (two merges at the same instant: the last wins).
pub async fn update(svc: &Services, p: &Principal, kind: Kind, body: Value) -> ServiceResult<()> {
    let update = object(body)?;
    let mut doc = load(svc, p, kind).await?;
    merge_paths(&mut doc, update)?;
    store(svc, p, kind, &doc).await
}

/// `DELETE /api/user/settings[/{type}]/{paths}`.
pub async fn delete(svc: &Services, p: &Principal, kind: Kind, paths: &str) -> ServiceResult<()> {
    let mut doc = load(svc, p, kind).await?;
    remove_paths(&mut doc, paths)?;
    store(svc, p, kind, &doc).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn dotted_paths_merge_deeply_and_delete() {
        let mut doc = obj(json!({"A": 1, "B": {"C": 2, "D": {"F": 3}}}));
        merge_paths(&mut doc, obj(json!({"B.D.E": 100, "B.C": {"x": 1}, "N.M": true}))).unwrap();
        assert_eq!(
            Value::Object(doc.clone()),
            json!({"A": 1, "B": {"C": {"x": 1}, "D": {"E": 100, "F": 3}}, "N": {"M": true}})
        );
        merge_paths(&mut doc, obj(json!({"B": {"D": {"G": 4}}}))).unwrap();
        assert_eq!(doc["B"]["D"], json!({"E": 100, "F": 3, "G": 4}));
        remove_paths(&mut doc, "B.D.E, A,missing.path").unwrap();
        assert_eq!(Value::Object(doc), json!({"B": {"C": {"x": 1}, "D": {"F": 3, "G": 4}}, "N": {"M": true}}));
    }

    #[test]
    fn path_syntax_in_keys_and_bad_paths_are_refused() {
        assert!(check_keys(&json!({"a": {"b.c": 1}}), 0).is_err());
        assert!(check_keys(&json!({"a,b": 1}), 0).is_err());
        assert!(check_keys(&json!({"a": [{"ok": 1}]}), 0).is_ok());
        let mut doc = Map::new();
        assert!(merge_paths(&mut doc, obj(json!({"a..b": 1}))).is_err());
        assert!(merge_paths(&mut doc, obj(json!({"a": {"x.y": 1}}))).is_err());
        assert!(remove_paths(&mut doc, ".a").is_err());
        let deep = (0..40).fold(json!(1), |v, _| json!({ "k": v }));
        assert!(check_keys(&deep, 0).is_err());
    }
}
