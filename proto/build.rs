//! Compiles `imaged/v1/*.proto` with protox (pure Rust, no `protoc`) and writes the file descriptor set
//! that server reflection serves.
use std::{env, fs, path::PathBuf};

use prost::Message;

const FILES: &[&str] = &[
    "imaged/v1/common.proto",
    "imaged/v1/images.proto",
    "imaged/v1/archives.proto",
    "imaged/v1/builds.proto",
    "imaged/v1/containers.proto",
    "imaged/v1/registries.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(env::var("OUT_DIR")?);
    for f in FILES {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(FILES, ["."])?;
    fs::write(out.join("imaged_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure().build_server(true).build_client(true).compile_fds(fds)?;
    Ok(())
}
