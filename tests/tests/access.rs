//! Who may talk to imaged: the unix socket is 0660 and owned by the configured group; TCP needs TLS unless
//! loopback; with a client CA only clients holding a certificate it signed get in (certificates made here
//! with openssl).
use std::{os::unix::fs::MetadataExt, path::Path, process::Command};

use imaged_tests::{Daemon, bin, grpcurl};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// CA, a server certificate for 127.0.0.1 and a client certificate signed by the CA, and a rogue client
/// certificate signed by nobody we trust.
fn make_certs(dir: &Path) {
    // Extensions make X.509 v3 certificates (rustls refuses v1 ones, which `openssl x509 -req` makes without).
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        .unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    self_signed(dir, "ca", "/CN=imaged test CA");
    for (name, subject) in [("server", "/CN=localhost"), ("client", "/CN=client")] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                subject,
            ],
        );
        let (csr, pem, ext) = (format!("{name}.csr"), format!("{name}.pem"), format!("{name}.ext"));
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                &ext,
            ],
        );
    }
    self_signed(dir, "rogue", "/CN=rogue");
}

/// A self-signed certificate `NAME.pem` with its key `NAME.key`.
fn self_signed(dir: &Path, name: &str, subject: &str) {
    let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &pem, "-days", "2", "-subj",
            subject,
        ],
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn socket_mode_and_group() {
    let gid = other_gid();
    let d = Daemon::start_with_config(&format!("group = \"{gid}\"\n")).unwrap();
    let meta = std::fs::metadata(&d.socket).unwrap();
    assert_eq!(meta.mode() & 0o777, 0o660);
    assert_eq!(meta.gid(), gid);
}

/// A gid that is not root's, from /etc/group (`daemon`, `bin` or `sys` exist on Debian).
fn other_gid() -> u32 {
    let text = std::fs::read_to_string("/etc/group").unwrap();
    text.lines().filter_map(|l| l.split(':').nth(2)?.parse::<u32>().ok()).find(|g| *g != 0).unwrap()
}

#[test]
fn tcp_needs_tls_unless_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin("imaged"))
        .args([
            "--root",
            dir.path().join("root").to_str().unwrap(),
            "--socket",
            dir.path().join("s.sock").to_str().unwrap(),
        ])
        .args(["--listen", &format!("0.0.0.0:{}", free_port())])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without TLS"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn mtls_rejects_clients_without_a_trusted_certificate() {
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let c = |f: &str| certs.path().join(f).to_str().unwrap().to_owned();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let d = Daemon::start_with_config(&format!(
        "listen = \"0.0.0.0:{port}\"\ntls_cert = \"{}\"\ntls_key = \"{}\"\ntls_client_ca = \"{}\"\n",
        c("server.pem"),
        c("server.key"),
        c("ca.pem")
    ))
    .unwrap();
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let call = |extra: &[&str]| {
        let mut cmd = Command::new(grpcurl());
        cmd.args(["-cacert", &c("ca.pem")]).args(extra).args([&addr[..], "grpc.health.v1.Health/Check"]);
        cmd.output().unwrap()
    };
    let ok = call(&["-cert", &c("client.pem"), "-key", &c("client.key")]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("SERVING"));
    let none = call(&[]);
    assert!(!none.status.success(), "a client without a certificate got in");
    let rogue = call(&["-cert", &c("rogue.pem"), "-key", &c("rogue.key")]);
    assert!(!rogue.status.success(), "a client with an untrusted certificate got in");
    // Plain text on the TLS port does not work either.
    let plain = Command::new(grpcurl()).args(["-plaintext", &addr, "grpc.health.v1.Health/Check"]).output().unwrap();
    assert!(!plain.status.success());
    // imagectl over TLS: with the client certificate it works, without it the daemon refuses.
    let https = format!("https://{addr}");
    let ctl = |extra: &[&str]| {
        Command::new(bin("imagectl"))
            .args(["--host", &https, "--tlscacert", &c("ca.pem")])
            .args(extra)
            .arg("images")
            .output()
            .unwrap()
    };
    let out = ctl(&["--tlscert", &c("client.pem"), "--tlskey", &c("client.key")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("REPOSITORY"));
    assert!(!ctl(&[]).status.success(), "imagectl without a client certificate got in");
    // `version` speaks TLS with the same flags (it used to ignore --tlscacert: UnknownIssuer).
    let version = Command::new(bin("imagectl"))
        .args(["--host", &https, "--tlscacert", &c("ca.pem"), "--tlscert", &c("client.pem")])
        .args(["--tlskey", &c("client.key"), "version"])
        .output()
        .unwrap();
    assert!(version.status.success(), "{}", String::from_utf8_lossy(&version.stderr));
    assert!(String::from_utf8_lossy(&version.stdout).contains("Status:       running"));
    // The unix socket still serves local clients.
    assert!(d.ok(&["images"]).starts_with("REPOSITORY"));
}
