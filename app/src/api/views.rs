//! View types more than one page shows, and how they read on screen: flat shapes the server functions answer
//! instead of the REST wire types, so the browser decodes little.

use serde::{Deserialize, Serialize};

/// One tab above a list: a group's id (empty for "All") and name, whether the caller's owner owns it (only those
/// can be shared, made public or joined by new entities) and, when public, its public customer's id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupTab {
    pub id: String,
    pub name: String,
    pub owned: bool,
    pub public_id: String,
}

/// One choice of a picker: an id and the name shown for it (a customer, a role, a group, an owner).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// The plural a group type's groups are shown under.
pub fn type_label(t: &str) -> &'static str {
    match t {
        "DEVICE" => "Devices",
        "ASSET" => "Assets",
        "DASHBOARD" => "Dashboards",
        "CUSTOMER" => "Customers",
        "USER" => "Users",
        "EDGE" => "Edges",
        "ENTITY_VIEW" => "Entity views",
        _ => "Groups",
    }
}

/// A thing as the console shows it: flat strings, whatever its kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ThingView {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub thing_type: String,
    pub label: String,
    pub created_time: i64,
    pub owner_id: String,
    pub owner_name: String,
    /// The groups it is in as (id, name), "All" included.
    pub groups: Vec<(String, String)>,
}
