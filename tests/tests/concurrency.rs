//! 16 clients importing and listing at once: no error, no lost image.
use imaged_client::pb;
use imaged_tests::{Daemon, random_bytes, write_rootfs};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_import_and_list() {
    let d = Daemon::start().unwrap();
    let shared = random_bytes(200_000);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let tar = write_rootfs(
            &d.dir.path().join(format!("t{i}.tar")),
            &[("shared", shared.clone()), ("own", random_bytes(100_000 + i))],
        );
        let host = d.host();
        tasks.push(tokio::spawn(async move {
            let c = imaged_client::Client::connect(&host).await.unwrap();
            let mut ids = Vec::new();
            for round in 0..3 {
                let f = tokio::fs::File::open(&tar).await.unwrap();
                let r = c
                    .import(pb::ImportOptions { reference: format!("client{i}:r{round}"), ..Default::default() }, f)
                    .await
                    .unwrap();
                ids.push(r.image_id);
                let listed = c.list(false, vec![]).await.unwrap();
                assert!(
                    listed.iter().any(|s| s.repo_tags.contains(&format!("client{i}:r{round}"))),
                    "own image missing from a listing"
                );
                c.tag(&format!("client{i}:r{round}"), &format!("alias{i}:r{round}")).await.unwrap();
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let c = d.client().await;
    let listed = c.list(false, vec![]).await.unwrap();
    let tags: usize = listed.iter().map(|s| s.repo_tags.len()).sum();
    assert_eq!(tags, 16 * 3 * 2, "every name is there");
    for id in &all {
        assert!(listed.iter().any(|s| &s.id == id), "image {id} lost");
    }
    // The shared file makes identical layers only within a client (own bytes differ), so 16 layers + configs.
    let du = c.disk_usage().await.unwrap();
    assert!(du.logical_size > du.physical_size, "re-imports share their layer");
    drop(d);
}
