//! Devices, assets, dashboards and edges.

pub mod things_tmp;
