//! The imaged.v1 gRPC API: messages, client stubs and server traits generated from `proto/imaged/v1`.

/// Generated code of package `imaged.v1`.
pub mod v1 {
    #![allow(clippy::all, missing_docs)]
    tonic::include_proto!("imaged.v1");
}

/// The encoded `FileDescriptorSet` of every imaged.v1 file, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/imaged_descriptor.bin"));

/// Every service of the API, fully qualified, as reflection lists them.
pub const SERVICES: &[&str] =
    &["imaged.v1.Images", "imaged.v1.Archives", "imaged.v1.Builds", "imaged.v1.Containers", "imaged.v1.Registries"];

/// The namespace metadata header.
pub const NAMESPACE_HEADER: &str = "imaged-namespace";
