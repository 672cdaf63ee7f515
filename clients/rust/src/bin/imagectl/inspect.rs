use clap::Args;
use imaged_client::Client;
use imaged_client::docker::image_json as docker_json;

use crate::{CmdResult, Failure, template};

#[derive(Args, Debug)]
pub struct InspectArgs {
    #[arg(required = true)]
    images: Vec<String>,
    /// Format output using a Go template, or `json`
    #[arg(short, long)]
    format: Option<String>,
    /// Show this platform of a multi-platform image (os/arch[/variant]) instead of the one in use
    #[arg(long, default_value = "")]
    platform: String,
}

pub async fn inspect(c: &Client, a: InspectArgs) -> CmdResult {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for image in &a.images {
        match c.inspect_platform(image, vec![], &a.platform).await {
            Ok(d) => found.push(docker_json(&d)),
            Err(e) => errors.push(Failure::from(e).0.replace("Error response from daemon: ", "Error: ")),
        }
    }
    match a.format.as_deref() {
        None | Some("json") => {
            let text = serde_json::to_string_pretty(&found).expect("json");
            println!("{}", indent4(&text));
        }
        Some(tpl) => {
            for v in &found {
                println!("{}", template::render(tpl, v)?);
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(Failure(errors.join("\n"))) }
}

/// serde_json pretty-prints with 2 spaces; Docker indents with 4.
fn indent4(text: &str) -> String {
    text.lines()
        .map(|l| {
            let n = l.len() - l.trim_start_matches(' ').len();
            format!("{}{}", " ".repeat(n * 2), &l[n..])
        })
        .collect::<Vec<_>>()
        .join("\n")
}
