//! `container create/exec/ls/rm` and `commit`.

use std::io::Write;

use clap::{Args, Subcommand};
use imaged_client::{Client, Output, pb};

use crate::{CmdResult, fmt};

#[derive(Subcommand, Debug)]
pub enum ContainerCommand {
    /// Create a working container from an image
    Create(CreateArgs),
    /// Run a command in a container
    Exec(ExecArgs),
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(LsArgs),
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// Create a new image from a container's changes
    Commit(CommitArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Assign a name to the container
    #[arg(long)]
    name: Option<String>,
    /// The image to make the container from
    image: String,
    /// Platform to run (os/arch[/variant]): must be the one this daemon runs
    #[arg(long, default_value = "")]
    platform: String,
}

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Set environment variables (KEY=value)
    #[arg(short, long = "env")]
    env: Vec<String>,
    /// Working directory inside the container
    #[arg(short, long = "workdir")]
    workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    user: Option<String>,
    /// The container (name, id or id prefix)
    container: String,
    /// The command and its arguments (default: the image's entrypoint and command)
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Only display container IDs
    #[arg(short, long)]
    quiet: bool,
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Accepted for docker compatibility: every container is listed
    #[arg(short, long)]
    all: bool,
}

#[derive(Args, Debug)]
pub struct RmArgs {
    /// Remove even while a command is running in it
    #[arg(short, long)]
    force: bool,
    #[arg(required = true)]
    containers: Vec<String>,
}

#[derive(Args, Debug)]
pub struct CommitArgs {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short, long)]
    author: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long = "change")]
    change: Vec<String>,
    /// Commit message
    #[arg(short, long)]
    message: Option<String>,
    /// Pause container during commit (commands in a container never overlap a commit)
    #[arg(short, long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pause: bool,
    /// The container (name, id or id prefix)
    container: String,
    /// REPOSITORY[:TAG] for the new image
    reference: Option<String>,
}

pub async fn run(c: &Client, cmd: ContainerCommand) -> CmdResult {
    match cmd {
        ContainerCommand::Create(a) => {
            let (id, _) = c.create_container_platform(&a.image, a.name.as_deref().unwrap_or(""), &a.platform).await?;
            println!("{id}");
        }
        ContainerCommand::Exec(a) => {
            let code = c
                .exec(
                    &a.container,
                    a.command,
                    a.env,
                    a.workdir.as_deref().unwrap_or(""),
                    a.user.as_deref().unwrap_or(""),
                    |o| match o {
                        Output::Stdout(d) => {
                            let mut out = std::io::stdout().lock();
                            let _ = out.write_all(d);
                            let _ = out.flush();
                        }
                        Output::Stderr(d) => {
                            let _ = std::io::stderr().lock().write_all(d);
                        }
                    },
                )
                .await?;
            if code != 0 {
                std::process::exit(code);
            }
        }
        ContainerCommand::Ls(a) => {
            let all = c.list_containers().await?;
            if a.quiet {
                for x in &all {
                    println!("{}", if a.no_trunc { x.id.clone() } else { fmt::short_id(&x.id) });
                }
                return Ok(());
            }
            let mut rows = vec![vec!["CONTAINER ID".into(), "IMAGE".into(), "CREATED".into(), "NAMES".into()]];
            for x in all {
                rows.push(vec![
                    if a.no_trunc { x.id.clone() } else { fmt::short_id(&x.id) },
                    x.image,
                    fmt::since(x.created.as_ref()),
                    x.name,
                ]);
            }
            print!("{}", fmt::table(&rows));
        }
        ContainerCommand::Rm(a) => {
            let mut failed = None;
            for name in &a.containers {
                match c.remove_container(name, a.force).await {
                    Ok(_) => println!("{name}"),
                    Err(e) => failed = Some(crate::Failure::from(e)),
                }
            }
            if let Some(f) = failed {
                return Err(f);
            }
        }
        ContainerCommand::Commit(a) => commit(c, a).await?,
    }
    Ok(())
}

pub async fn commit(c: &Client, a: CommitArgs) -> CmdResult {
    let req = pb::CommitRequest {
        container: a.container,
        reference: a.reference.unwrap_or_default(),
        author: a.author.unwrap_or_default(),
        message: a.message.unwrap_or_default(),
        changes: a.change,
        pause: a.pause,
    };
    println!("{}", c.commit(req).await?);
    Ok(())
}
