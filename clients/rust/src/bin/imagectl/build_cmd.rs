//! `build`: a Dockerfile build of a context directory.

use std::{collections::HashMap, io::Read, path::PathBuf};

use clap::Args;
use imaged_client::{BuildEvent, Client, pb};

use crate::{CmdResult, Failure};

#[derive(Args, Debug)]
pub struct BuildArgs {
    /// Name and optionally a tag in the "name:tag" format
    #[arg(short, long = "tag")]
    tag: Vec<String>,
    /// Name of the Dockerfile (default: "PATH/Dockerfile"; "-" reads it from stdin)
    #[arg(short, long)]
    file: Option<String>,
    /// Set build-time variables
    #[arg(long = "build-arg")]
    build_arg: Vec<String>,
    /// Set the target build stage to build
    #[arg(long)]
    target: Option<String>,
    /// Set metadata for an image
    #[arg(long)]
    label: Vec<String>,
    /// Do not use cache when building the image
    #[arg(long)]
    no_cache: bool,
    /// Always attempt to pull a newer version of the image
    #[arg(long)]
    pull: bool,
    /// Set platform if server is multi-platform capable
    #[arg(long)]
    platform: Option<String>,
    /// Suppress the build output and print image ID on success
    #[arg(short, long)]
    quiet: bool,
    /// The build context directory
    path: PathBuf,
}

fn pairs(list: &[String], what: &str) -> Result<HashMap<String, String>, Failure> {
    let mut out = HashMap::new();
    for item in list {
        match item.split_once('=') {
            Some((k, v)) => out.insert(k.to_owned(), v.to_owned()),
            // `--build-arg NAME` takes the value from the environment, as docker does.
            None if what == "build-arg" => match std::env::var(item) {
                Ok(v) => out.insert(item.clone(), v),
                Err(_) => continue,
            },
            None => out.insert(item.clone(), String::new()),
        };
    }
    Ok(out)
}

pub async fn build(c: &Client, a: BuildArgs) -> CmdResult {
    let dockerfile_content = match a.file.as_deref() {
        None => String::new(),
        Some("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        }
        Some(f) => {
            std::fs::read_to_string(f).map_err(|e| Failure(format!("Error: unable to read Dockerfile {f}: {e}")))?
        }
    };
    let options = pb::BuildOptions {
        tags: a.tag,
        dockerfile: String::new(),
        build_args: pairs(&a.build_arg, "build-arg")?,
        target: a.target.unwrap_or_default(),
        labels: pairs(&a.label, "label")?,
        no_cache: a.no_cache,
        platform: a.platform.unwrap_or_default(),
        pull: a.pull,
        dockerfile_content,
    };
    let quiet = a.quiet;
    let result = c
        .build(options, &a.path, |ev| {
            if let BuildEvent::Log(l) = ev
                && !quiet
            {
                println!("{l}");
            }
        })
        .await?;
    if quiet {
        println!("{}", result.image_id);
    }
    Ok(())
}
