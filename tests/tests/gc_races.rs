//! Prune and rmi while pulls, loads and builds run: no operation loses a blob it needs (leases and the GC
//! lock), every image that exists afterwards is whole, and every blob on disk matches its digest.
use imaged_client::{Client, pb};
use imaged_tests::{Daemon, RegistryServer, busybox_rootfs, check_root_running, random_bytes, write_rootfs};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn prune_and_rmi_during_pulls_loads_and_builds() {
    let reg = RegistryServer::start(false).unwrap();
    let d = Daemon::start().unwrap();
    let dir = d.dir.path().to_owned();
    let base = format!("{}/race/busybox:1", reg.addr);
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), &base]);
    let app = write_rootfs(&dir.join("app.tar"), &[("app", random_bytes(4 << 20))]);
    let app_ref = format!("{}/race/app:1", reg.addr);
    d.ok(&["import", app.to_str().unwrap(), &app_ref]);
    d.ok(&["push", &base]);
    d.ok(&["push", &app_ref]);
    let archive = dir.join("app-archive.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), &app_ref]);
    d.ok(&["tag", &app_ref, "loaded/app:1"]);
    d.ok(&["save", "-o", dir.join("loaded.tar").to_str().unwrap(), "loaded/app:1"]);
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("Dockerfile"), format!("FROM {base}\nCOPY data.bin /\nRUN cat /data.bin > /copy.bin\n"))
        .unwrap();
    std::fs::write(ctx.join("data.bin"), random_bytes(1 << 20)).unwrap();
    d.ok(&["image", "prune", "-a", "-f"]);

    let host = d.host();
    let mut workers = Vec::new();
    for round in 0..6 {
        let (h, app_ref) = (host.clone(), app_ref.clone());
        workers.push(tokio::spawn(async move {
            let host = h;
            let c = Client::connect(&host).await.unwrap();
            c.pull(&app_ref, false, None, None, |_| {}).await.map(|_| format!("pull {round}"))
        }));
        let (h, loaded) = (host.clone(), dir.join("loaded.tar"));
        workers.push(tokio::spawn(async move {
            let host = h;
            let c = Client::connect(&host).await.unwrap();
            c.load_path(&loaded).await.map(|_| format!("load {round}"))
        }));
        if round % 2 == 0 {
            let (h, ctx) = (host.clone(), ctx.clone());
            workers.push(tokio::spawn(async move {
                let host = h;
                let c = Client::connect(&host).await.unwrap();
                let opts =
                    pb::BuildOptions { tags: vec![format!("built/app:{round}")], no_cache: true, ..Default::default() };
                c.build(opts, &ctx, |_| {}).await.map(|_| format!("build {round}"))
            }));
        }
    }
    let reaper = {
        let host = host.clone();
        tokio::spawn(async move {
            let c = Client::connect(&host).await.unwrap();
            for _ in 0..40 {
                let _ = c.prune(true, vec![]).await.unwrap();
                for img in c.list(false, vec![]).await.unwrap() {
                    // Racing removals may find the image gone or in use; anything else is a bug.
                    if let Err(e) = c.remove(&img.id, true, false).await {
                        assert!(
                            matches!(e.code(), imaged_client::Code::NotFound | imaged_client::Code::FailedPrecondition),
                            "{e}"
                        );
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    for w in workers {
        let done = w.await.unwrap();
        assert!(done.is_ok(), "an operation failed while GC ran: {:?}", done.err());
    }
    reaper.await.unwrap();

    // Whatever survived is whole: every image saves (all its blobs are there) and every blob verifies.
    let c = Client::connect(&host).await.unwrap();
    for img in c.list(true, vec![]).await.unwrap() {
        let mut sink = tokio::io::sink();
        c.save(vec![img.id.clone()], pb::ArchiveFormat::Docker, None, &mut sink).await.unwrap();
    }
    assert!(check_root_running(&d));
    // And the operations work again on a quiet daemon.
    c.pull(&app_ref, false, None, None, |_| {}).await.unwrap();
    c.load_path(&archive).await.unwrap();
}
