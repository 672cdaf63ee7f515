//! The gRPC side of imaged: thin tonic adapters over [`imaged_images::Engine`], server reflection, health,
//! and the one mapping from error kinds to gRPC statuses.

mod archives;
mod builds;
mod containers;
mod convert;
mod images;
mod registries;
mod serve;
mod status;
mod upload;

pub use serve::{ServeOptions, serve};
pub use status::to_status;
