//! Tar handling: turning a root filesystem tar into a layer blob ([`layer_from_rootfs`]) while checking
//! that no entry could write outside the root when unpacked ([`EntryGuard`]).

mod compression;
mod error;
mod guard;
mod layer;

pub use compression::{Compression, sniff};
pub use error::ArchiveError;
pub use guard::EntryGuard;
pub use layer::{LayerStats, layer_from_rootfs};
