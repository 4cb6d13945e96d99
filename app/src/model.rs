//! Types shared by the server and the browser: ids, entities and pages in ThingsBoard's JSON shape.

pub mod entities;
pub mod ids;
pub mod mfa;
pub mod permissions;
pub mod things;

pub use entities::*;
pub use ids::*;
pub use things::*;
