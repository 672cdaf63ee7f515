//! Tar handling: a root filesystem tar into a layer blob ([`layer_from_rootfs`]) with entries checked by
//! [`EntryGuard`]; image archives written ([`write_archive`]) and read ([`read_archive`], [`plan`]).

mod compression;
mod error;
mod guard;
mod layer;
mod load;
mod save;

pub use compression::{Compression, decoder, sniff, unpacked_size};
pub use error::ArchiveError;
pub use guard::EntryGuard;
pub use layer::{LayerStats, layer_from_rootfs};
pub use load::{
    ArchiveContents, BlobSink, PlannedChild, PlannedImage, PlannedIndex, PlannedLayer, StoredFile, plan, read_archive,
};
pub use save::{BlobSource, SaveFormat, SaveImage, write_archive};
