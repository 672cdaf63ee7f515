use std::io::{BufRead, Write};

use clap::Args;
use imaged_client::{Client, pb};
use serde_json::{Value, json};

use crate::{CmdResult, DfArgs, Failure, fmt, template};

fn parse_filters(fs: &[String]) -> Result<Vec<(String, String)>, Failure> {
    fs.iter()
        .map(|f| match f.split_once('=') {
            Some((k, v)) => Ok((k.trim().to_owned(), v.to_owned())),
            None => Err(Failure(format!("Error: bad format of filter (expected name=value): {f}"))),
        })
        .collect()
}

/// Renders `--format`: `table TEMPLATE` (with a header), `json` (one object per line) or a plain template.
pub fn print_formatted(format: &str, rows: &[Value], header: &Value) -> CmdResult {
    if format == "json" {
        for r in rows {
            println!("{}", serde_json::to_string(r).expect("json"));
        }
        return Ok(());
    }
    let (table, tpl) = match format.strip_prefix("table") {
        Some(rest) => (true, rest.trim_start().to_owned()),
        None => (false, format.to_owned()),
    };
    let tpl = tpl.replace("\\t", "\t").replace("\\n", "\n");
    let mut lines: Vec<Vec<String>> = Vec::new();
    if table {
        lines.push(template::render(&tpl, header)?.split('\t').map(str::to_owned).collect());
    }
    for r in rows {
        lines.push(template::render(&tpl, r)?.split('\t').map(str::to_owned).collect());
    }
    print!("{}", fmt::table(&lines));
    Ok(())
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only images matching REPOSITORY[:TAG]
    reference: Option<String>,
    /// Show all images (default hides intermediate images)
    #[arg(short, long)]
    all: bool,
    /// Only show image IDs
    #[arg(short, long)]
    quiet: bool,
    /// Show digests
    #[arg(long)]
    digests: bool,
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Filter output based on conditions provided (dangling, label, before, since, reference)
    #[arg(short, long = "filter")]
    filter: Vec<String>,
    /// Format output using a Go template, `table …` or `json`
    #[arg(long)]
    format: Option<String>,
    /// List each image's platforms beneath it, with disk usage (unpacked) and content size (stored)
    #[arg(long, conflicts_with_all = ["quiet", "format", "digests"])]
    tree: bool,
}

/// `images --tree`, as `docker images --tree`: one line per image, then one per manifest of its index
/// (platforms, then attestations, marked), each with its unpacked and stored sizes.
fn print_tree(images: &[pb::ImageSummary], no_trunc: bool) {
    let short = |d: &str| if no_trunc { d.to_owned() } else { fmt::short_id(d) };
    let mut lines =
        vec![vec!["IMAGE".to_owned(), "ID".into(), "DISK USAGE".into(), "CONTENT SIZE".into(), "EXTRA".into()]];
    for i in images {
        let name = if i.repo_tags.is_empty() { "<untagged>".to_owned() } else { i.repo_tags.join(", ") };
        let extra = if i.containers > 0 { "U" } else { "" };
        let id = if i.index_digest.is_empty() { &i.id } else { &i.index_digest };
        lines.push(vec![name, short(id), fmt::human_size(i.size), fmt::human_size(i.content_size), extra.into()]);
        let platform_of = |digest: &str| {
            i.platforms.iter().find(|p| p.manifest_digest == digest).map(|p| p.platform.clone()).unwrap_or_default()
        };
        let n = i.platforms.len();
        for (k, p) in i.platforms.iter().enumerate() {
            let branch = if k + 1 == n { "└─" } else { "├─" };
            let label = if p.attests.is_empty() {
                p.platform.clone()
            } else {
                format!("attestation for {}", platform_of(&p.attests))
            };
            let mut extra = Vec::new();
            if p.in_use {
                extra.push("in use");
            }
            if !p.present {
                extra.push("not here");
            }
            lines.push(vec![
                format!("{branch} {label}"),
                short(&p.manifest_digest),
                fmt::human_size(p.size),
                fmt::human_size(p.content_size),
                extra.join(", "),
            ]);
        }
    }
    print!("{}", fmt::table(&lines));
}

fn split_repo_tag(familiar: &str) -> (String, String) {
    match familiar.rfind(':') {
        Some(i) if !familiar[i..].contains('/') => (familiar[..i].to_owned(), familiar[i + 1..].to_owned()),
        _ => (familiar.to_owned(), "<none>".to_owned()),
    }
}

pub async fn list(c: &Client, a: ListArgs) -> CmdResult {
    let mut filters = parse_filters(&a.filter)?;
    if let Some(r) = &a.reference {
        filters.push(("reference".into(), r.clone()));
    }
    let images = c.list(a.all, filters).await?;
    if a.tree {
        print_tree(&images, a.no_trunc);
        return Ok(());
    }
    let id_of = |id: &str| {
        if a.no_trunc { id.to_owned() } else { fmt::short_id(id) }
    };
    if a.quiet {
        let mut seen = std::collections::HashSet::new();
        for i in &images {
            if seen.insert(i.id.clone()) {
                println!("{}", id_of(&i.id));
            }
        }
        return Ok(());
    }
    let mut rows = Vec::new();
    for i in &images {
        let digest_for = |repo: &str| {
            i.repo_digests
                .iter()
                .find_map(|d| d.split_once('@').filter(|(r, _)| *r == repo).map(|(_, d)| d.to_owned()))
                .unwrap_or_else(|| "<none>".into())
        };
        let mut entries: Vec<(String, String)> = i.repo_tags.iter().map(|t| split_repo_tag(t)).collect();
        if entries.is_empty() {
            match i.repo_digests.first() {
                Some(d) => entries.push((d.split_once('@').map_or(d.as_str(), |x| x.0).to_owned(), "<none>".into())),
                None => entries.push(("<none>".into(), "<none>".into())),
            }
        }
        for (repo, tag) in entries {
            rows.push(json!({
                "Repository": repo,
                "Tag": tag,
                "Digest": digest_for(&repo),
                "ID": id_of(&i.id),
                "CreatedSince": fmt::since(i.created.as_ref()),
                "CreatedAt": fmt::created_at(i.created.as_ref()),
                "Size": fmt::human_size(i.size),
                "SharedSize": fmt::human_size(i.shared_size),
                "Containers": i.containers.to_string(),
            }));
        }
    }
    let format = a.format.clone().unwrap_or_else(|| {
        if a.digests {
            "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}".into()
        } else {
            "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}".into()
        }
    });
    let header = json!({"Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST", "ID": "IMAGE ID",
        "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "SharedSize": "SHARED SIZE", "Containers": "CONTAINERS"});
    print_formatted(&format, &rows, &header)
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    image: String,
    /// Use this platform of a multi-platform image (os/arch[/variant])
    #[arg(long, default_value = "")]
    platform: String,
    /// Print sizes and dates in human readable format
    #[arg(short = 'H', long, default_value_t = true, action = clap::ArgAction::Set)]
    human: bool,
    /// Don't truncate output
    #[arg(long)]
    no_trunc: bool,
    /// Only show image IDs
    #[arg(short, long)]
    quiet: bool,
    /// Format output using a Go template, `table …` or `json`
    #[arg(long)]
    format: Option<String>,
}

pub async fn history(c: &Client, a: HistoryArgs) -> CmdResult {
    let entries = c.history_platform(&a.image, &a.platform).await?;
    let id_of = |id: &str| {
        if id == "<missing>" || a.no_trunc { id.to_owned() } else { fmt::short_id(id) }
    };
    if a.quiet {
        for e in &entries {
            println!("{}", id_of(&e.id));
        }
        return Ok(());
    }
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let created_by = e.created_by.replace('\t', " ");
            json!({
                "ID": id_of(&e.id),
                "CreatedSince": if a.human { fmt::since(e.created.as_ref()) } else { fmt::rfc3339(e.created.as_ref()) },
                "CreatedAt": fmt::rfc3339(e.created.as_ref()),
                "CreatedBy": if a.no_trunc { created_by } else { fmt::ellipsis(&created_by, 45) },
                "Size": if a.human { fmt::human_size(e.size) } else { e.size.to_string() },
                "Comment": e.comment,
            })
        })
        .collect();
    let format = a
        .format
        .clone()
        .unwrap_or_else(|| "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}".into());
    let header = json!({"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"});
    print_formatted(&format, &rows, &header)
}

#[derive(Args, Debug)]
pub struct TagArgs {
    /// SOURCE_IMAGE[:TAG]
    source: String,
    /// TARGET_IMAGE[:TAG]
    target: String,
}

pub async fn tag(c: &Client, a: TagArgs) -> CmdResult {
    c.tag(&a.source, &a.target).await?;
    Ok(())
}

#[derive(Args, Debug)]
pub struct RmiArgs {
    #[arg(required = true)]
    images: Vec<String>,
    /// Force removal of the image
    #[arg(short, long)]
    force: bool,
    /// Do not delete untagged parents
    #[arg(long)]
    no_prune: bool,
    /// Remove only this platform (os/arch[/variant]) of a multi-platform image; the image stays
    #[arg(long, default_value = "")]
    platform: String,
}

fn print_items(items: &[pb::DeleteItem], lower: bool) {
    for i in items {
        let (u, d) = if lower { ("untagged", "deleted") } else { ("Untagged", "Deleted") };
        if !i.untagged.is_empty() {
            println!("{u}: {}", i.untagged);
        }
        if !i.deleted.is_empty() {
            println!("{d}: {}", i.deleted);
        }
    }
}

pub async fn rmi(c: &Client, a: RmiArgs) -> CmdResult {
    let mut failed = Vec::new();
    for image in &a.images {
        match c.remove_platform(image, a.force, a.no_prune, &a.platform).await {
            Ok(r) => print_items(&r.items, false),
            Err(e) => failed.push(Failure::from(e).0),
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(Failure(failed.join("\n"))) }
}

#[derive(Args, Debug)]
pub struct PruneArgs {
    /// Remove all unused images, not just dangling ones
    #[arg(short, long)]
    all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    force: bool,
    /// Provide filter values (e.g. "until=<timestamp>", "label=<key>=<value>")
    #[arg(long = "filter")]
    filter: Vec<String>,
}

pub async fn prune(c: &Client, a: PruneArgs) -> CmdResult {
    let filters = parse_filters(&a.filter)?;
    if !a.force {
        let warning = if a.all {
            "WARNING! This will remove all images without at least one container associated to them."
        } else {
            "WARNING! This will remove all dangling images."
        };
        print!("{warning}\nAre you sure you want to continue? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            return Ok(());
        }
    }
    let r = c.prune(a.all, filters).await?;
    if !r.items.is_empty() {
        println!("Deleted Images:");
        print_items(&r.items, true);
        println!();
    }
    println!("Total reclaimed space: {}", fmt::human_size(r.space_reclaimed));
    Ok(())
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A tar file (plain, gzip or zstd), or - for stdin
    file: String,
    /// REPOSITORY[:TAG] for the new image
    reference: Option<String>,
    /// Set commit message for imported image
    #[arg(short, long)]
    message: Option<String>,
    /// Apply Dockerfile instruction to the created image
    #[arg(short, long = "change")]
    change: Vec<String>,
    /// Set platform if server is multi-platform capable
    #[arg(long)]
    platform: Option<String>,
    /// Read FILE on the daemon's side instead of sending it
    #[arg(long)]
    server_side: bool,
}

pub async fn import(c: &Client, a: ImportArgs) -> CmdResult {
    let options = pb::ImportOptions {
        reference: a.reference.unwrap_or_default(),
        message: a.message.unwrap_or_default(),
        changes: a.change,
        platform: a.platform.unwrap_or_default(),
        path: String::new(),
    };
    let result = if a.server_side {
        let path = std::fs::canonicalize(&a.file)?;
        c.import_path(options, &path).await?
    } else if a.file == "-" {
        c.import(options, tokio::io::stdin()).await?
    } else {
        let f = tokio::fs::File::open(&a.file).await.map_err(|e| Failure(format!("Error: open {}: {e}", a.file)))?;
        c.import(options, f).await?
    };
    println!("{}", result.image_id);
    Ok(())
}

pub async fn df(c: &Client, a: DfArgs) -> CmdResult {
    let du = c.disk_usage().await?;
    let pct = |part: i64, total: i64| if total > 0 { part * 100 / total } else { 0 };
    let rows = vec![
        vec!["TYPE".into(), "TOTAL".into(), "ACTIVE".into(), "SIZE".into(), "RECLAIMABLE".into()],
        vec![
            "Images".into(),
            du.image_count.to_string(),
            du.active_images.to_string(),
            fmt::human_size(du.physical_size),
            format!("{} ({}%)", fmt::human_size(du.reclaimable), pct(du.reclaimable, du.physical_size)),
        ],
    ];
    if !a.verbose {
        print!("{}", fmt::table(&rows));
        return Ok(());
    }
    println!("Images space usage:\n");
    let mut t = vec![vec![
        "REPOSITORY".to_owned(),
        "TAG".into(),
        "IMAGE ID".into(),
        "CREATED".into(),
        "SIZE".into(),
        "SHARED SIZE".into(),
        "UNIQUE SIZE".into(),
        "CONTAINERS".into(),
    ]];
    for i in &du.images {
        let names: Vec<(String, String)> = if i.repo_tags.is_empty() {
            vec![("<none>".into(), "<none>".into())]
        } else {
            i.repo_tags.iter().map(|t| split_repo_tag(t)).collect()
        };
        for (repo, tag) in names {
            t.push(vec![
                repo,
                tag,
                fmt::short_id(&i.id),
                fmt::since(i.created.as_ref()),
                fmt::human_size(i.size),
                fmt::human_size(i.shared_size),
                fmt::human_size(i.unique_size),
                i.containers.to_string(),
            ]);
        }
    }
    print!("{}", fmt::table(&t));
    println!(
        "\nLogical size {} (each image counted whole), on disk {} in {} blobs (shared layers stored once)",
        fmt::human_size(du.logical_size),
        fmt::human_size(du.physical_size),
        du.blob_count
    );
    Ok(())
}

/// `info`: what the daemon holds, as `docker info` summarises it.
pub async fn info(c: &Client, host: &str, namespace: &str) -> CmdResult {
    let du = c.disk_usage().await?;
    let containers = c.list_containers().await?;
    let logins = c.logins().await?;
    println!("Client:");
    println!(" Version:    {}", env!("CARGO_PKG_VERSION"));
    println!();
    println!("Server:");
    println!(" Address: {host}");
    println!(" Namespace: {namespace}");
    println!(" Containers: {}", containers.len());
    println!(" Images: {} ({} in use by containers)", du.image_count, du.active_images);
    println!(" Blobs: {}", du.blob_count);
    println!(" Disk usage: {} (reclaimable {})", fmt::human_size(du.physical_size), fmt::human_size(du.reclaimable));
    println!(" Storage Driver: overlay (layer snapshots), content store: sha256 blobs");
    println!(
        " Registries logged in: {}",
        if logins.is_empty() {
            "none".to_owned()
        } else {
            logins.iter().map(|l| l.server.clone()).collect::<Vec<_>>().join(", ")
        }
    );
    Ok(())
}
