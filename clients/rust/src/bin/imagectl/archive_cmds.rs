use std::io::IsTerminal;

use clap::{Args, ValueEnum};
use imaged_client::{Client, pb};

use crate::{CmdResult, Failure};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// OCI layout plus Docker's manifest.json (what Docker 25+ writes)
    Docker,
    /// A plain OCI image layout
    Oci,
}

#[derive(Args, Debug)]
pub struct SaveArgs {
    #[arg(required = true)]
    images: Vec<String>,
    /// Write to a file, instead of STDOUT
    #[arg(short, long)]
    output: Option<String>,
    /// Archive layout
    #[arg(long, value_enum, default_value = "docker")]
    format: Format,
    /// Only save images for this platform (os/arch[/variant]); an image for another one is an error
    #[arg(long)]
    platform: Option<String>,
}

pub async fn save(c: &Client, a: SaveArgs) -> CmdResult {
    let format = match a.format {
        Format::Docker => pb::ArchiveFormat::Docker,
        Format::Oci => pb::ArchiveFormat::Oci,
    };
    match &a.output {
        Some(path) => {
            let tmp = format!("{path}.imagectl-tmp");
            let mut f =
                tokio::fs::File::create(&tmp).await.map_err(|e| Failure(format!("Error: create {path}: {e}")))?;
            let result = c.save(a.images, format, a.platform.clone(), &mut f).await;
            if let Err(e) = result {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e.into());
            }
            f.sync_all().await?;
            tokio::fs::rename(&tmp, path).await?;
        }
        None => {
            if std::io::stdout().is_terminal() {
                return Err(Failure("Cowardly refusing to save to a terminal. Use the -o flag or redirect".into()));
            }
            c.save(a.images, format, a.platform.clone(), &mut tokio::io::stdout()).await?;
        }
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// Read from tar archive file, instead of STDIN
    #[arg(short, long)]
    input: Option<String>,
    /// Suppress the load output
    #[arg(short, long)]
    quiet: bool,
}

pub async fn load(c: &Client, a: LoadArgs) -> CmdResult {
    let loaded = match &a.input {
        Some(path) => {
            let f = tokio::fs::File::open(path).await.map_err(|e| Failure(format!("Error: open {path}: {e}")))?;
            c.load(f).await?
        }
        None => {
            if std::io::stdin().is_terminal() {
                return Err(Failure("Error: requested load from stdin, but stdin is empty".into()));
            }
            c.load(tokio::io::stdin()).await?
        }
    };
    if !a.quiet {
        for l in loaded {
            println!("{}", l.status);
        }
    }
    Ok(())
}
