use std::io::{IsTerminal, Read};

use clap::Args;
use imaged_client::{Client, pb};

use crate::{CmdResult, Failure, fmt};

/// Progress as Docker shows it: on a terminal one bar per layer; otherwise one line per status change,
/// byte counts left out; nothing with `-q`.
fn plain_progress(quiet: bool) -> impl FnMut(&pb::Progress) {
    let tty = std::io::stdout().is_terminal();
    let multi = indicatif::MultiProgress::new();
    let mut bars: std::collections::HashMap<String, indicatif::ProgressBar> = std::collections::HashMap::new();
    let style = indicatif::ProgressStyle::with_template("{prefix}: {msg:<18} [{bar:40}] {bytes}/{total_bytes}")
        .expect("progress template")
        .progress_chars("=> ");
    move |p: &pb::Progress| {
        if quiet {
            return;
        }
        if !tty {
            if p.status == "Downloading" || p.status == "Pushing" && p.current > 0 {
                return;
            }
            if p.id.is_empty() {
                println!("{}", p.status)
            } else {
                println!("{}: {}", p.id, p.status)
            }
            return;
        }
        if p.id.is_empty() {
            let _ = multi.println(&p.status);
            return;
        }
        let bar = bars.entry(p.id.clone()).or_insert_with(|| {
            let b = multi.add(indicatif::ProgressBar::new(p.total.max(0) as u64));
            b.set_style(style.clone());
            b.set_prefix(p.id.clone());
            b
        });
        if p.total > 0 {
            bar.set_length(p.total as u64);
        }
        bar.set_position(p.current.max(0) as u64);
        bar.set_message(p.status.clone());
        if matches!(p.status.as_str(), "Pull complete" | "Already exists" | "Pushed" | "Layer already exists")
            || p.status.starts_with("Mounted from")
        {
            bar.finish_with_message(p.status.clone());
        }
    }
}

#[derive(Args, Debug)]
pub struct PullArgs {
    /// NAME[:TAG|@DIGEST]
    reference: String,
    /// Download all tagged images in the repository
    #[arg(short, long)]
    all_tags: bool,
    /// Set platform if server is multi-platform capable (os/arch[/variant]; repeat or separate with
    /// commas for several); a later pull of another platform adds it to the same image
    #[arg(long, value_delimiter = ',')]
    platform: Vec<String>,
    /// Pull every platform of a multi-platform image, with its attestations
    #[arg(long, conflicts_with = "platform")]
    all_platforms: bool,
    /// Suppress verbose output
    #[arg(short, long)]
    quiet: bool,
    /// Skip image verification (accepted for Docker compatibility; content is always verified by digest)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    disable_content_trust: bool,
}

pub async fn pull(c: &Client, a: PullArgs) -> CmdResult {
    let req = imaged_client::pb::PullRequest {
        reference: a.reference.clone(),
        all_tags: a.all_tags,
        platform: a.platform.join(","),
        all_platforms: a.all_platforms,
        auth: None,
    };
    let results = c.pull_with(req, plain_progress(a.quiet)).await?;
    for r in &results {
        if !a.quiet {
            println!("Status: {}", r.status);
        }
        println!("{}", r.reference);
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct PushArgs {
    /// NAME[:TAG]
    reference: String,
    /// Push all tags of the repository
    #[arg(short, long)]
    all_tags: bool,
    /// Push only this platform's manifest of a multi-platform image (os/arch[/variant]); without it the
    /// whole index goes up, which needs all of its platforms here or in the registry
    #[arg(long)]
    platform: Option<String>,
    /// Suppress verbose output
    #[arg(short, long)]
    quiet: bool,
}

pub async fn push(c: &Client, a: PushArgs) -> CmdResult {
    let req = imaged_client::pb::PushRequest {
        reference: a.reference.clone(),
        all_tags: a.all_tags,
        auth: None,
        platform: a.platform.clone().unwrap_or_default(),
    };
    let results = c.push_with(req, plain_progress(a.quiet)).await?;
    if a.quiet {
        for r in results {
            println!("{}", r.reference);
        }
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Registry host[:port]; Docker Hub when empty
    server: Option<String>,
    #[arg(short, long)]
    username: Option<String>,
    #[arg(short, long)]
    password: Option<String>,
    /// Take the password from stdin
    #[arg(long)]
    password_stdin: bool,
}

pub async fn login(c: &Client, a: LoginArgs) -> CmdResult {
    let username = a.username.ok_or_else(|| Failure("Error: give a user name with -u".into()))?;
    let password = match (a.password, a.password_stdin) {
        (Some(_), true) => return Err(Failure("Error: --password and --password-stdin are mutually exclusive".into())),
        (Some(p), false) => {
            eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            p
        }
        (None, true) => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s.trim_end_matches(['\n', '\r']).to_owned()
        }
        (None, false) => return Err(Failure("Error: give a password with --password-stdin (or -p)".into())),
    };
    println!("{}", c.login(a.server.as_deref().unwrap_or(""), &username, &password).await?);
    Ok(())
}

#[derive(Args, Debug)]
pub struct LogoutArgs {
    server: Option<String>,
}

pub async fn logout(c: &Client, a: LogoutArgs) -> CmdResult {
    println!("{}", c.logout(a.server.as_deref().unwrap_or("")).await?);
    Ok(())
}

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Term, optionally prefixed by a registry host (`127.0.0.1:5000/app`)
    term: String,
    /// Max number of search results
    #[arg(long, default_value_t = 25)]
    limit: i32,
    /// Filter output based on conditions provided (stars=N, is-official=true)
    #[arg(short, long = "filter")]
    filter: Vec<String>,
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Format output using a Go template (`{{.Name}}`, `{{.Description}}`, `{{.StarCount}}`,
    /// `{{.IsOfficial}}`, `{{.IsAutomated}}`), `table …` or `json`
    #[arg(long)]
    format: Option<String>,
}

pub async fn search(c: &Client, a: SearchArgs) -> CmdResult {
    let filters = a
        .filter
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| Failure(format!("Error: bad format of filter (expected name=value): {f}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let response = c.search(&a.term, a.limit, filters).await?;
    if response.source == "catalog" {
        eprintln!("(the registry has no search API: matched against its /v2/_catalog)");
    }
    let results = response.results;
    if let Some(format) = &a.format {
        let rows: Vec<serde_json::Value> = results
            .iter()
            .map(|r| {
                serde_json::json!({
                    "Name": r.name,
                    "Description": if a.no_trunc { r.description.clone() } else { fmt::ellipsis(&r.description, 45) },
                    "StarCount": r.star_count,
                    "IsOfficial": r.is_official,
                    "IsAutomated": r.is_automated,
                })
            })
            .collect();
        let header = serde_json::json!({"Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS",
            "IsOfficial": "OFFICIAL", "IsAutomated": "AUTOMATED"});
        return crate::image_cmds::print_formatted(format, &rows, &header);
    }
    let mut rows =
        vec![vec!["NAME".to_owned(), "DESCRIPTION".into(), "STARS".into(), "OFFICIAL".into(), "AUTOMATED".into()]];
    for r in results {
        let desc = if a.no_trunc { r.description } else { fmt::ellipsis(&r.description, 45) };
        rows.push(vec![
            r.name,
            desc,
            r.star_count.to_string(),
            if r.is_official { "[OK]".into() } else { String::new() },
            if r.is_automated { "[OK]".into() } else { String::new() },
        ]);
    }
    print!("{}", fmt::table(&rows));
    Ok(())
}
