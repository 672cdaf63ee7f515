//! Working root filesystems for imaged, and the Dockerfile language.
//!
//! - [`snapshot`]: a layer blob unpacked once into its own directory in overlayfs form (whiteouts as
//!   `0/0` character devices, opaque directories as `trusted.overlay.opaque=y`), shared by every container
//!   and build step that uses the layer.
//! - [`mount`]: an overlay mount of those directories with a private upper directory.
//! - [`diff`]: the upper directory turned back into an OCI layer tar with `.wh.` whiteouts.
//! - [`runtime`]: an OCI runtime bundle (oci-spec's runtime types) run by `runc`, output streamed.
//! - [`copyfs`]: the copying fallback where overlayfs cannot be mounted.
//! - [`dockerfile`]: the parser and the variable lexer.

pub mod copyfs;
pub mod diff;
pub mod dockerfile;
mod error;
pub mod fsutil;
pub mod mount;
pub mod runtime;
pub mod snapshot;

pub use error::BuildError;
