use std::io::IsTerminal;

use clap::{Args, ValueEnum};
use imaged_client::{Client, pb};

use crate::{CmdResult, Failure};

/// A byte bar on stderr when it is a terminal (hidden otherwise): `total` 0 for an unknown size.
fn byte_bar(message: &'static str, total: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = if total > 0 {
        (
            indicatif::ProgressBar::new(total),
            "{msg} [{bar:40}] {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec}",
        )
    } else {
        (indicatif::ProgressBar::new_spinner(), "{msg} {spinner} {decimal_bytes} {decimal_bytes_per_sec}")
    };
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("template").progress_chars("=> "));
    bar.set_message(message);
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    bar
}

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
            let f = tokio::fs::File::create(&tmp).await.map_err(|e| Failure(format!("Error: create {path}: {e}")))?;
            let bar = byte_bar("Saving", 0);
            let mut out = bar.wrap_async_write(f);
            let result = c.save(a.images, format, a.platform.clone(), &mut out).await;
            bar.finish_and_clear();
            if let Err(e) = result {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(e.into());
            }
            tokio::io::AsyncWriteExt::flush(&mut out).await?;
            drop(out);
            // fsync through a second descriptor: the progress wrapper keeps the first.
            tokio::fs::File::open(&tmp).await?.sync_all().await?;
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
            let total = f.metadata().await.map(|m| m.len()).unwrap_or(0);
            let bar = if a.quiet { indicatif::ProgressBar::hidden() } else { byte_bar("Loading", total) };
            let loaded = c.load(bar.wrap_async_read(f)).await;
            bar.finish_and_clear();
            loaded?
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
