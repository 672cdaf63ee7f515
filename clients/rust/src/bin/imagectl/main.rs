//! `imagectl`: the imaged command line, shaped like `docker image`.
mod archive_cmds;
mod build_cmd;
mod container_cmds;
mod fmt;
mod image_cmds;
mod inspect;
mod registry_cmds;
mod template;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use imaged_client::{Client, ClientError};

/// Manage container images through imaged.
#[derive(Parser, Debug)]
#[command(name = "imagectl", version, about, propagate_version = true)]
struct Cli {
    /// Daemon address: unix:///path/to/imaged.sock or http://host:port [default: the config file's
    /// `host`, else unix://./imaged-data/imaged.sock]
    #[arg(long, short = 'H', env = "IMAGED_HOST")]
    host: Option<String>,
    /// Trust certificates signed by this CA (https:// hosts)
    #[arg(long, env = "IMAGED_TLS_CA")]
    tlscacert: Option<std::path::PathBuf>,
    /// Client certificate for a daemon that requires one (mTLS)
    #[arg(long, env = "IMAGED_TLS_CERT")]
    tlscert: Option<std::path::PathBuf>,
    /// Key of the client certificate
    #[arg(long, env = "IMAGED_TLS_KEY")]
    tlskey: Option<std::path::PathBuf>,
    /// Namespace to work in.
    #[arg(long, short = 'n', global = true, env = "IMAGED_NAMESPACE")]
    namespace: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List images
    Images(image_cmds::ListArgs),
    /// Display detailed information on one or more images
    Inspect(inspect::InspectArgs),
    /// Show the history of an image
    History(image_cmds::HistoryArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image_cmds::TagArgs),
    /// Remove one or more images
    Rmi(image_cmds::RmiArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(image_cmds::ImportArgs),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(archive_cmds::SaveArgs),
    /// Load an image from a tar archive or STDIN
    Load(archive_cmds::LoadArgs),
    /// Download an image from a registry
    Pull(registry_cmds::PullArgs),
    /// Upload an image to a registry
    Push(registry_cmds::PushArgs),
    /// Log in to a registry
    Login(registry_cmds::LoginArgs),
    /// Log out from a registry
    Logout(registry_cmds::LogoutArgs),
    /// Search a registry for images
    Search(registry_cmds::SearchArgs),
    /// Create a new image from a container's changes
    Commit(container_cmds::CommitArgs),
    /// Build an image from a Dockerfile
    Build(build_cmd::BuildArgs),
    /// Manage images
    #[command(subcommand)]
    Image(ImageCommand),
    /// Manage working containers
    #[command(subcommand)]
    Container(container_cmds::ContainerCommand),
    /// Manage imaged
    #[command(subcommand)]
    System(SystemCommand),
    /// Show the imagectl version and the daemon's
    Version,
    /// Display system-wide information
    Info,
    /// Generate a shell completion script (bash, zsh, fish, elvish, powershell)
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
enum ImageCommand {
    /// List images
    #[command(visible_alias = "list")]
    Ls(image_cmds::ListArgs),
    /// Display detailed information on one or more images
    Inspect(inspect::InspectArgs),
    /// Show the history of an image
    History(image_cmds::HistoryArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image_cmds::TagArgs),
    /// Remove one or more images
    #[command(visible_alias = "remove")]
    Rm(image_cmds::RmiArgs),
    /// Remove unused images
    Prune(image_cmds::PruneArgs),
    /// Download an image from a registry
    Pull(registry_cmds::PullArgs),
    /// Upload an image to a registry
    Push(registry_cmds::PushArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(image_cmds::ImportArgs),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(archive_cmds::SaveArgs),
    /// Load an image from a tar archive or STDIN
    Load(archive_cmds::LoadArgs),
    /// Build an image from a Dockerfile
    Build(build_cmd::BuildArgs),
}

#[derive(Subcommand, Debug)]
enum SystemCommand {
    /// Show disk usage
    Df(DfArgs),
    /// Display system-wide information
    Info,
    /// Verify every blob, name and count of the running daemon's store
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Remove what is broken (and the images that need it) and say what was lost
    #[arg(long)]
    repair: bool,
    /// Check presence and counts only, without re-hashing every blob
    #[arg(long)]
    quick: bool,
}

#[derive(Args, Debug)]
pub struct DfArgs {
    /// Show detailed information on space usage
    #[arg(short, long)]
    verbose: bool,
}

/// A failure to report: the message and whether it came from the daemon.
pub struct Failure(String);

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Status { message, .. } => Failure(format!("Error response from daemon: {message}")),
            ClientError::Connect { host, reason } => {
                Failure(format!("Cannot connect to imaged at {host}. Is the daemon running? ({reason})"))
            }
            other => Failure(format!("Error: {other}")),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure(format!("Error: {e}"))
    }
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure(e)
    }
}

pub type CmdResult = Result<(), Failure>;

/// `~/.config/imagectl/config.toml` (or `$IMAGECTL_CONFIG`): defaults below flags and environment.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CliConfig {
    host: Option<String>,
    namespace: Option<String>,
}

fn config() -> Result<CliConfig, Failure> {
    let named = std::env::var_os("IMAGECTL_CONFIG").filter(|p| !p.is_empty());
    let explicit = named.is_some();
    let path = match named {
        Some(p) => std::path::PathBuf::from(p),
        None => match std::env::var_os("XDG_CONFIG_HOME").or_else(|| {
            std::env::var_os("HOME").map(|h| {
                let mut p = std::path::PathBuf::from(h);
                p.push(".config");
                p.into_os_string()
            })
        }) {
            Some(base) => std::path::PathBuf::from(base).join("imagectl/config.toml"),
            None => return Ok(CliConfig::default()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| Failure(format!("Error: {}: {e}", path.display()))),
        // The default file is optional; one named by IMAGECTL_CONFIG must be there.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(CliConfig::default()),
        Err(e) => Err(Failure(format!("Error: reading the config file {}: {e}", path.display()))),
    }
}

async fn run(cli: Cli) -> CmdResult {
    if let Command::Completion { shell } = cli.command {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        clap_complete::generate(shell, &mut cmd, "imagectl", &mut std::io::stdout());
        return Ok(());
    }
    let cfg = config()?;
    let host = cli.host.or(cfg.host).unwrap_or_else(|| "unix://./imaged-data/imaged.sock".to_owned());
    let tls = imaged_client::TlsFiles { ca: cli.tlscacert, cert: cli.tlscert, key: cli.tlskey };
    if let Command::Version = cli.command {
        // As `docker version`: the client part always, then the server's or an error and exit status 1.
        println!("Client:\n Version:      {}\n API version:  imaged.v1", env!("CARGO_PKG_VERSION"));
        let client = Client::connect_tls(&host, &tls).await?;
        client.disk_usage().await?;
        println!("\nServer:\n Address:      {host}\n Status:       running");
        return Ok(());
    }
    let mut client = Client::connect_tls(&host, &tls).await?;
    let namespace = cli.namespace.or(cfg.namespace);
    if let Some(ns) = &namespace {
        client = client.with_namespace(ns)?;
    }
    if let Command::Info | Command::System(SystemCommand::Info) = cli.command {
        return image_cmds::info(&client, &host, namespace.as_deref().unwrap_or("default")).await;
    }
    let c = &client;
    match cli.command {
        Command::Images(a) | Command::Image(ImageCommand::Ls(a)) => image_cmds::list(c, a).await,
        Command::Inspect(a) | Command::Image(ImageCommand::Inspect(a)) => inspect::inspect(c, a).await,
        Command::History(a) | Command::Image(ImageCommand::History(a)) => image_cmds::history(c, a).await,
        Command::Tag(a) | Command::Image(ImageCommand::Tag(a)) => image_cmds::tag(c, a).await,
        Command::Rmi(a) | Command::Image(ImageCommand::Rm(a)) => image_cmds::rmi(c, a).await,
        Command::Import(a) | Command::Image(ImageCommand::Import(a)) => image_cmds::import(c, a).await,
        Command::Save(a) | Command::Image(ImageCommand::Save(a)) => archive_cmds::save(c, a).await,
        Command::Load(a) | Command::Image(ImageCommand::Load(a)) => archive_cmds::load(c, a).await,
        Command::Pull(a) | Command::Image(ImageCommand::Pull(a)) => registry_cmds::pull(c, a).await,
        Command::Push(a) | Command::Image(ImageCommand::Push(a)) => registry_cmds::push(c, a).await,
        Command::Login(a) => registry_cmds::login(c, a).await,
        Command::Logout(a) => registry_cmds::logout(c, a).await,
        Command::Search(a) => registry_cmds::search(c, a).await,
        Command::Image(ImageCommand::Prune(a)) => image_cmds::prune(c, a).await,
        Command::System(SystemCommand::Df(a)) => image_cmds::df(c, a).await,
        Command::System(SystemCommand::Check(a)) => {
            let r = c.check(a.repair, a.quick).await?;
            for p in &r.problems {
                println!("problem: {p}");
            }
            for done in &r.repaired {
                println!("repaired: {done}");
            }
            println!("images: {}  blobs: {}  orphan blobs: {}", r.images, r.blobs, r.orphans);
            match (r.problems.is_empty(), a.repair) {
                (true, _) => {
                    println!("consistent");
                    Ok(())
                }
                (false, true) => Ok(()),
                (false, false) => Err(Failure(format!(
                    "Error: {} problem(s) found; run `imagectl system check --repair` to remove what is broken",
                    r.problems.len()
                ))),
            }
        }
        Command::Commit(a) => container_cmds::commit(c, a).await,
        Command::Build(a) | Command::Image(ImageCommand::Build(a)) => build_cmd::build(c, a).await,
        Command::Container(cmd) => container_cmds::run(c, cmd).await,
        Command::Version | Command::Info | Command::System(SystemCommand::Info) | Command::Completion { .. } => Ok(()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // Output into a closed pipe (`imagectl images | head -1`) ends the process quietly, as the docker CLI.
    sigpipe::reset();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_definition_is_consistent() {
        <super::Cli as clap::CommandFactory>::command().debug_assert();
    }
}
