//! The debugging story with the real grpcurl and no .proto files: reflection and health.
use imaged_tests::{Daemon, write_rootfs};

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn reflection_health_and_errors_through_grpcurl() {
    let d = Daemon::start().unwrap();
    let out = d.grpcurl(&[], &["list"]);
    assert!(out.status.success(), "{}", text(&out));
    let services = String::from_utf8_lossy(&out.stdout);
    for s in [
        "imaged.v1.Images",
        "imaged.v1.Archives",
        "imaged.v1.Builds",
        "imaged.v1.Containers",
        "imaged.v1.Registries",
        "grpc.health.v1.Health",
    ] {
        assert!(services.lines().any(|l| l == s), "{s} missing from {services}");
    }

    let out = d.grpcurl(&[], &["describe", "imaged.v1.Images.List"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("rpc List ( .imaged.v1.ListImagesRequest ) returns ( .imaged.v1.ListImagesResponse )"),
        "{}",
        text(&out)
    );
    let out = d.grpcurl(&[], &["describe", "imaged.v1.ListImagesRequest"]);
    assert!(text(&out).contains("repeated .imaged.v1.Filter filters"), "{}", text(&out));

    let out = d.grpcurl(&[], &["grpc.health.v1.Health/Check"]);
    assert!(text(&out).contains("\"status\": \"SERVING\""), "{}", text(&out));

    // An image made through imagectl shows up through grpcurl.
    let tar = write_rootfs(&d.dir.path().join("r.tar"), &[("hello", b"world".to_vec())]);
    d.ok(&["import", tar.to_str().unwrap(), "grpc/demo:1"]);
    let out = d.grpcurl(&["-d", "{}"], &["imaged.v1.Images/List"]);
    assert!(out.status.success(), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["images"][0]["repoTags"][0], "grpc/demo:1");

    let out = d.grpcurl(&["-d", r#"{"image":"nope"}"#], &["imaged.v1.Images/Inspect"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("Code: NotFound"), "{}", text(&out));
    assert!(text(&out).contains("No such image: nope:latest"), "{}", text(&out));

    // Containers through grpcurl: create from the image, list, a bad image is NOT_FOUND.
    let out = d.grpcurl(&["-d", r#"{"image":"grpc/demo:1","name":"viagrpc"}"#], &["imaged.v1.Containers/Create"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = d.grpcurl(&["-d", "{}"], &["imaged.v1.Containers/List"]);
    assert!(text(&out).contains("\"name\": \"viagrpc\""), "{}", text(&out));
    // An image id that is not here is NOT_FOUND (a name that is not here is pulled first, as docker create).
    let missing = format!(r#"{{"image":"sha256:{}"}}"#, "0".repeat(64));
    let out = d.grpcurl(&["-d", &missing], &["imaged.v1.Containers/Create"]);
    assert!(text(&out).contains("Code: NotFound"), "{}", text(&out));
    // A build stream without options is refused with a message.
    let out = d.grpcurl(&["-d", r#"{"context":"AAAA"}"#], &["imaged.v1.Builds/Build"]);
    assert!(text(&out).contains("Code: InvalidArgument"), "{}", text(&out));
}
