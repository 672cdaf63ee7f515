//! Dockerfile builds against a real daemon with runc: every instruction, the cache, multi-stage into
//! scratch, errors, and the result read by skopeo, umoci and Docker Engine.
use std::{fs, path::Path, process::Command};

use imaged_tests::{Daemon, Dockerd, archive_layers, busybox_rootfs, skopeo};

const DOCKERFILE: &str = r#"# syntax=docker/dockerfile:1
# escape=\
ARG BASE=busybox
FROM ${BASE}:latest AS base
ARG GREETING=hello
ARG UNSET
ENV APP_HOME=/app \
    MODE="prod mode" \
    FALLBACK=${UNSET:-fallback}
LABEL org.example.name="demo app" version=1
WORKDIR $APP_HOME
COPY src/ ./src/
COPY *.conf /etc/app/
COPY --chown=app:app --chmod=640 src/a.txt /app/owned.txt
ADD bundle.tar.gz /opt/
RUN echo "$GREETING $MODE $FALLBACK" > /app/greeting.txt && rm /etc/app/two.conf
RUN ["/bin/sh", "-c", "echo exec-form > /app/exec.txt"]
SHELL ["/bin/sh", "-ec"]
RUN <<EOT
echo heredoc > /app/heredoc.txt
EOT
COPY <<EOF /app/generated.txt
made for ${GREETING}
EOF
EXPOSE 8080 53/udp
VOLUME ["/data"]
USER app
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD ["/bin/true"]
STOPSIGNAL SIGINT
ONBUILD RUN echo triggered
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting.txt"]
"#;

fn write_context(dir: &Path) {
    fs::create_dir_all(dir.join("src/sub")).unwrap();
    fs::write(dir.join("src/a.txt"), "alpha\n").unwrap();
    fs::write(dir.join("src/sub/b.txt"), "beta\n").unwrap();
    fs::write(dir.join("one.conf"), "one\n").unwrap();
    fs::write(dir.join("two.conf"), "two\n").unwrap();
    fs::write(dir.join("secret.key"), "do not send\n").unwrap();
    fs::write(dir.join(".dockerignore"), "*.key\n").unwrap();
    fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    // A gzip tar for ADD to unpack.
    let f = fs::File::create(dir.join("bundle.tar.gz")).unwrap();
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(f, flate2::Compression::default()));
    let mut h = tar::Header::new_gnu();
    h.set_size(7);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    b.append_data(&mut h, "bundle/inside.txt", &b"inside\n"[..]).unwrap();
    b.into_inner().unwrap().finish().unwrap();
}

fn steps(log: &str) -> (usize, usize) {
    let total = log.lines().filter(|l| l.starts_with("Step ")).count();
    let cached = log.lines().filter(|l| *l == " ---> Using cache").count();
    (total, cached)
}

#[test]
fn every_instruction_cache_and_interop() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), "busybox:latest"]);
    let ctx = dir.join("ctx");
    write_context(&ctx);
    let ctx_s = ctx.to_str().unwrap();

    let log = d.ok(&["build", "-t", "demo/app:1", "--build-arg", "GREETING=hey", "--label", "built.by=test", ctx_s]);
    assert!(log.contains("Step 1/23 : FROM ${BASE}:latest AS base"), "{log}");
    assert!(log.contains("Successfully tagged demo/app:1"), "{log}");
    let id = d.ok(&["inspect", "-f", "{{.Id}}", "demo/app:1"]).trim().to_owned();
    // As Docker: the last step's line names the image, the one "Successfully built" names.
    let short = &id["sha256:".len().."sha256:".len() + 12];
    assert!(log.contains(&format!(" ---> {short}\nSuccessfully built {short}\n")), "{log}");

    let v: serde_json::Value = serde_json::from_str(&d.ok(&["inspect", "demo/app:1"])).unwrap();
    let c = &v[0]["Config"];
    let env: Vec<&str> = c["Env"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    for want in ["APP_HOME=/app", "MODE=prod mode", "FALLBACK=fallback"] {
        assert!(env.contains(&want), "{env:?}");
    }
    assert!(!env.iter().any(|e| e.starts_with("GREETING=")), "ARG values are not kept in the image: {env:?}");
    assert_eq!(c["Cmd"], serde_json::json!(["cat /app/greeting.txt"]));
    assert_eq!(c["Entrypoint"], serde_json::json!(["/bin/sh", "-c"]));
    assert_eq!(c["WorkingDir"], "/app");
    assert_eq!(c["User"], "app");
    assert_eq!(c["ExposedPorts"], serde_json::json!({"53/udp": {}, "8080/tcp": {}}));
    assert_eq!(c["Volumes"], serde_json::json!({"/data": {}}));
    assert_eq!(c["Labels"]["org.example.name"], "demo app");
    assert_eq!(c["Labels"]["version"], "1");
    assert_eq!(c["Labels"]["built.by"], "test");
    assert_eq!(c["Healthcheck"]["Test"], serde_json::json!(["CMD", "/bin/true"]));
    assert_eq!(c["Healthcheck"]["Interval"], 30_000_000_000i64);
    assert_eq!(c["Healthcheck"]["Timeout"], 5_000_000_000i64);
    assert_eq!(c["Healthcheck"]["Retries"], 3);
    assert_eq!(c["StopSignal"], "SIGINT");
    assert_eq!(c["OnBuild"], serde_json::json!(["RUN echo triggered"]));
    assert_eq!(c["Shell"], serde_json::json!(["/bin/sh", "-ec"]));
    // Metadata-only steps are empty-layer history entries.
    let history = d.ok(&["history", "--no-trunc", "--format", "{{.Size}}|{{.CreatedBy}}", "demo/app:1"]);
    assert!(
        history.lines().any(|l| l == "0B|ENV APP_HOME=/app     MODE=\"prod mode\"     FALLBACK=${UNSET:-fallback}"),
        "{history}"
    );
    assert!(history.lines().any(|l| l.starts_with("0B|EXPOSE 8080 53/udp")), "{history}");

    // The file system, seen from a container of the image.
    d.ok(&["container", "create", "--name", "check", "demo/app:1"]);
    assert_eq!(d.ok(&["container", "exec", "check"]), "hey prod mode fallback\n", "default command");
    let fs_view = d.ok(&[
        "container", "exec", "-u", "root", "check", "--", "sh", "-c",
        "cat src/a.txt src/sub/b.txt /etc/app/one.conf exec.txt heredoc.txt generated.txt /opt/bundle/inside.txt; \
         stat -c '%U:%G %a' owned.txt; test -e /etc/app/two.conf || echo two-deleted; test -e secret.key || echo no-secret; pwd",
    ]);
    assert_eq!(
        fs_view,
        "alpha\nbeta\none\nexec-form\nheredoc\nmade for hey\ninside\napp:app 640\ntwo-deleted\nno-secret\n/app\n"
    );
    d.ok(&["container", "rm", "check"]);

    // Same build again: every step from the cache, same image id.
    let log = d.ok(&["build", "-t", "demo/app:1", "--build-arg", "GREETING=hey", "--label", "built.by=test", ctx_s]);
    let (total, cached) = steps(&log);
    let expected_cacheable = total - 3; // FROM and the two ARGs do not consult the cache
    assert_eq!(cached, expected_cacheable, "{log}");
    assert_eq!(d.ok(&["inspect", "-f", "{{.Id}}", "demo/app:1"]).trim(), id);

    // One copied file changes: steps before `COPY src/` are cached, from there on rebuilt.
    fs::write(ctx.join("src/sub/b.txt"), "beta 2\n").unwrap();
    let log = d.ok(&["build", "-t", "demo/app:2", "--build-arg", "GREETING=hey", ctx_s]);
    let mut cached_steps = Vec::new();
    let mut current = String::new();
    for l in log.lines() {
        if l.starts_with("Step ") {
            current = l.to_owned();
        } else if l == " ---> Using cache" {
            cached_steps.push(current.clone());
        }
    }
    assert_eq!(cached_steps.len(), 3, "ENV, LABEL, WORKDIR only: {cached_steps:?}");
    assert!(cached_steps.last().unwrap().contains("WORKDIR"), "{cached_steps:?}");
    assert_ne!(d.ok(&["inspect", "-f", "{{.Id}}", "demo/app:2"]).trim(), id);

    // --no-cache uses nothing.
    let log = d.ok(&["build", "--no-cache", "-t", "demo/app:3", ctx_s]);
    assert_eq!(steps(&log).1, 0, "{log}");

    // Saved, it is a valid docker-archive for skopeo; the layer with the deletion carries a whiteout which
    // umoci applies when it unpacks the OCI layout skopeo makes, and Docker Engine applies when it runs it.
    let archive = dir.join("app.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), "demo/app:1"]);
    let inspect: serde_json::Value =
        serde_json::from_str(&skopeo(dir, &["inspect", &format!("docker-archive:{}", archive.display())])).unwrap();
    assert_eq!(inspect["Layers"].as_array().unwrap().len(), archive_layers(&archive).len());
    assert!(
        archive_layers(&archive).iter().any(|l| l.iter().any(|e| e == "etc/app/.wh.two.conf=")),
        "a whiteout entry"
    );
    let oci = dir.join("oci");
    skopeo(dir, &["copy", &format!("docker-archive:{}", archive.display()), &format!("oci:{}:app", oci.display())]);
    let bundle = dir.join("bundle");
    let out = Command::new("umoci")
        .args(["unpack", "--image", &format!("{}:app", oci.display()), bundle.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "umoci: {}", String::from_utf8_lossy(&out.stderr));
    assert!(!bundle.join("rootfs/etc/app/two.conf").exists(), "whiteout applied by umoci");
    assert!(bundle.join("rootfs/etc/app/one.conf").exists());
    assert_eq!(fs::read_to_string(bundle.join("rootfs/app/greeting.txt")).unwrap(), "hey prod mode fallback\n");

    let docker = Dockerd::start().unwrap();
    docker.ok(&["load", "-i", archive.to_str().unwrap()]);
    let out = docker.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--entrypoint",
        "/bin/sh",
        "demo/app:1",
        "-c",
        "test -e /etc/app/two.conf || echo gone; cat /app/greeting.txt",
    ]);
    assert_eq!(out, "gone\nhey prod mode fallback\n");
}

#[test]
fn multi_stage_into_scratch_and_errors() {
    let d = Daemon::start().unwrap();
    let dir = d.dir.path();
    let rootfs = busybox_rootfs(&dir.join("busybox.tar"));
    d.ok(&["import", rootfs.to_str().unwrap(), "busybox:latest"]);
    let ctx = dir.join("ctx");
    fs::create_dir_all(&ctx).unwrap();
    fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox AS build\nRUN mkdir /out && echo artefact > /out/result.txt\n\nFROM scratch\nCOPY --from=build /out/result.txt /\nCMD [\"/result.txt\"]\n",
    )
    .unwrap();
    let id = d.ok(&["build", "-q", "-t", "tiny:1", ctx.to_str().unwrap()]).trim().to_owned();
    assert!(id.starts_with("sha256:"), "{id}");
    let archive = dir.join("tiny.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), "tiny:1"]);
    assert_eq!(archive_layers(&archive), vec![vec!["result.txt=artefact\n".to_owned()]]);
    // --target stops at a stage.
    d.ok(&["build", "-q", "--target", "build", "-t", "tiny:build", ctx.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&d.ok(&["inspect", "tiny:build"])).unwrap();
    assert_eq!(v[0]["RootFS"]["Layers"].as_array().unwrap().len(), 2);

    let images_before = d.ok(&["images", "-q"]);
    // A syntax error names the line.
    fs::write(ctx.join("Dockerfile"), "FROM busybox\nRUN true\nFROB x\n").unwrap();
    let err = d.fails(&["build", "-t", "bad:1", ctx.to_str().unwrap()]);
    assert!(err.contains("Dockerfile:3: unknown instruction: FROB"), "{err}");
    // A failing RUN reports its exit code and output, and leaves no image.
    fs::write(ctx.join("Dockerfile"), "FROM busybox\nRUN echo about to fail && exit 3\n").unwrap();
    let out = d.imagectl(&["build", "-t", "bad:1", ctx.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("about to fail"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("returned a non-zero code: 3"), "{err}");
    // COPY from outside the context is refused.
    fs::write(ctx.join("Dockerfile"), "FROM busybox\nCOPY ../../etc/passwd /x\n").unwrap();
    let err = d.fails(&["build", "-t", "bad:1", ctx.to_str().unwrap()]);
    assert!(err.contains("outside the build context"), "{err}");
    fs::write(ctx.join("Dockerfile"), "FROM busybox\nCOPY missing.txt /x\n").unwrap();
    assert!(d.fails(&["build", ctx.to_str().unwrap()]).contains("missing.txt"));
    fs::write(ctx.join("Dockerfile"), "FROM 127.0.0.1:9/none\n").unwrap();
    d.fails(&["build", ctx.to_str().unwrap()]);
    assert_eq!(d.ok(&["images", "-q"]), images_before, "failed builds leave no image");
    // ONBUILD triggers run in a child build.
    fs::write(ctx.join("Dockerfile"), "FROM busybox\nONBUILD RUN echo triggered > /onbuild.txt\n").unwrap();
    d.ok(&["build", "-q", "-t", "parent:1", ctx.to_str().unwrap()]);
    fs::write(ctx.join("Dockerfile"), "FROM parent:1\n").unwrap();
    let log = d.ok(&["build", "-t", "child:1", ctx.to_str().unwrap()]);
    assert!(log.contains("Executing ONBUILD trigger"), "{log}");
    d.ok(&["container", "create", "--name", "child", "child:1"]);
    assert_eq!(d.ok(&["container", "exec", "child", "--", "cat", "/onbuild.txt"]), "triggered\n");
    let v: serde_json::Value = serde_json::from_str(&d.ok(&["inspect", "child:1"])).unwrap();
    assert!(v[0]["Config"]["OnBuild"].is_null(), "triggers are not inherited: {}", v[0]["Config"]);
}
