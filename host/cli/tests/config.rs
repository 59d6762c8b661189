//! The configuration (issue #22, item 1) through the real `dwa` binary: a `dwa.toml` under the
//! `DWA_*` environment under the flags; `dwa config check` printing each value's origin with the
//! secrets redacted; a bad file refused naming the key; and `dwa serve` listening where the file
//! alone says.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// `dwa` run in `dir`, with none of this process's `DWA_*` variables but `env`.
fn dwa_command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dwa"));
    command.args(args).current_dir(dir).env_remove("RUST_LOG");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("DWA_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command
}

fn dwa(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    dwa_command(dir, args, env).output().expect("run dwa")
}

/// `dwa config check`'s output, which must succeed.
fn check(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = dwa(dir, &[&["config", "check"], args].concat(), env);
    assert!(
        output.status.success(),
        "dwa config check {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The line of `key` (its name, within the output) in `config check`'s output.
fn line<'a>(output: &'a str, key: &str) -> &'a str {
    output
        .lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no line for {key} in:\n{output}"))
}

#[test]
fn the_file_is_under_the_environment_and_both_under_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dwa.toml"),
        "database = \"sqlite://from-file.db\"\nrules = \"file-rules\"\nlog_format = \"json\"\n\
         [serve]\nbind = \"127.0.0.1:1111\"\ntrusted_proxies = [\"10.0.0.1\"]\n\
         [limits]\nfuel = 1234\n",
    )
    .unwrap();
    let env = [
        ("DWA_RULES", "env-rules"),
        ("DWA_LOG_FORMAT", "text"),
        ("DWA_TRUSTED_PROXIES", "10.0.0.2,10.0.0.3"),
        ("DWA_LIMITS_FUEL", "5678"),
    ];
    let out = check(dir.path(), &["--log-format", "json"], &env);
    assert!(out.contains("# configuration file: dwa.toml"), "{out}");
    // The file alone.
    assert_eq!(
        line(&out, "database"),
        "database = \"sqlite://from-file.db\"  # file dwa.toml"
    );
    assert_eq!(line(&out, "bind"), "bind = \"127.0.0.1:1111\"  # file dwa.toml");
    // The environment over the file.
    assert_eq!(line(&out, "rules"), "rules = \"env-rules\"  # env DWA_RULES");
    assert_eq!(
        line(&out, "trusted_proxies"),
        "trusted_proxies = [\"10.0.0.2\", \"10.0.0.3\"]  # env DWA_TRUSTED_PROXIES"
    );
    assert_eq!(line(&out, "fuel"), "fuel = 5678  # env DWA_LIMITS_FUEL");
    // The flag over both.
    assert_eq!(line(&out, "log_format"), "log_format = \"json\"  # flag --log-format");
    // Untouched: the default.
    assert_eq!(line(&out, "secure_cookies"), "secure_cookies = \"auto\"  # default");

    // Without the flag the environment wins; with another file (--config) its values apply.
    let out = check(dir.path(), &[], &env);
    assert_eq!(line(&out, "log_format"), "log_format = \"text\"  # env DWA_LOG_FORMAT");
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "database = \"sqlite://other.db\"\n").unwrap();
    let out = check(dir.path(), &["--config", other.to_str().unwrap()], &[]);
    assert!(
        line(&out, "database").starts_with("database = \"sqlite://other.db\"  # file "),
        "{out}"
    );
    assert_eq!(line(&out, "bind"), "bind = \"127.0.0.1:8080\"  # default");
    // DWA_CONFIG names the file too.
    let out = check(dir.path(), &[], &[("DWA_CONFIG", other.to_str().unwrap())]);
    assert!(
        line(&out, "database").starts_with("database = \"sqlite://other.db\""),
        "{out}"
    );
}

#[test]
fn config_check_redacts_the_secrets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dwa.toml"),
        "database = \"postgres://dwa:hunter2@db.example/dwa\"\n[serve]\nmetrics_token = \"tok-s3cret\"\n",
    )
    .unwrap();
    let out = check(dir.path(), &[], &[]);
    assert!(!out.contains("hunter2") && !out.contains("tok-s3cret"), "{out}");
    assert!(line(&out, "database").contains("db.example/dwa"), "{out}");
    assert_eq!(
        line(&out, "metrics_token"),
        "metrics_token = \"<redacted>\"  # file dwa.toml"
    );
    // From the environment too.
    let out = check(dir.path(), &[], &[("DWA_METRICS_TOKEN", "env-tok-s3cret")]);
    assert!(!out.contains("env-tok-s3cret"), "{out}");
    assert_eq!(
        line(&out, "metrics_token"),
        "metrics_token = \"<redacted>\"  # env DWA_METRICS_TOKEN"
    );
}

#[test]
fn a_bad_file_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key) in [
        ("[serve]\nbindd = \"127.0.0.1:1\"\n", "serve.bindd"),
        ("colour = \"blue\"\n", "colour"),
        ("[limits]\nfuel = \"lots\"\n", "limits.fuel"),
        ("[serve]\nbind = 8080\n", "serve.bind"),
        ("log_format = \"yaml\"\n", "log_format"),
        ("[limits]\npool_instances = 0\n", "limits.pool_instances"),
    ] {
        std::fs::write(dir.path().join("dwa.toml"), text).unwrap();
        let output = dwa(dir.path(), &["config", "check"], &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{text:?} accepted");
        assert!(stderr.contains(&format!("`{key}`")), "{text:?}: {stderr}");
        // Every command refuses it, not only `config check`.
        let output = dwa(dir.path(), &["region", "list"], &[]);
        assert!(!output.status.success(), "{text:?} accepted by region list");
    }
    // A wrong type from the environment names the variable.
    std::fs::remove_file(dir.path().join("dwa.toml")).unwrap();
    let output = dwa(dir.path(), &["config", "check"], &[("DWA_LIMITS_TIMEOUT_MS", "soon")]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("`limits.timeout_ms`") && stderr.contains("DWA_LIMITS_TIMEOUT_MS"),
        "{stderr}"
    );
    // A file named but missing.
    let output = dwa(dir.path(), &["--config", "missing.toml", "config", "check"], &[]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.toml"));
}

/// The running server, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The status line of a GET, if anything answers.
fn get(bind: &str, path: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(bind).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    String::from_utf8_lossy(&answer).lines().next().map(str::to_owned)
}

#[test]
fn serve_listens_where_the_file_alone_says() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let root = dir.path().display();
    std::fs::write(
        dir.path().join("dwa.toml"),
        format!(
            "database = \"sqlite://{root}/dwa.db\"\nrules = \"{root}/rules\"\ndata_dir = \"{root}/data\"\n\
             compile_cache = \"off\"\n[serve]\nbind = \"{bind}\"\n"
        ),
    )
    .unwrap();
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let child = dwa_command(dir.path(), &["serve"], &[])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Server(child);
    // Bounded wait: 300 tries, 100 ms apart.
    let mut status = None;
    for _ in 0..300 {
        if let Some(exit) = server.0.try_wait().unwrap() {
            panic!(
                "dwa serve exited with {exit}: {}",
                std::fs::read_to_string(&log_path).unwrap()
            );
        }
        status = get(&bind, "/healthz");
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = status.unwrap_or_else(|| {
        panic!(
            "dwa serve did not answer on {bind} within 30 s: {}",
            std::fs::read_to_string(&log_path).unwrap()
        )
    });
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    assert!(dir.path().join("dwa.db").exists(), "the database from the file");
    assert!(dir.path().join("rules").is_dir(), "the rules folder from the file");
    drop(server);
}

/// `dwa.example.toml` at the repository root documents every key (its environment variable
/// too) and sets each to its default: loaded, it changes nothing.
#[test]
fn the_example_file_documents_every_key_at_its_default() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dwa.example.toml");
    let text = std::fs::read_to_string(&example).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let defaults = check(dir.path(), &[], &[]);
    let from_file = check(dir.path(), &["--config", example.to_str().unwrap()], &[]);
    let value = |line: &str| line.split("  # ").next().unwrap().to_owned();
    let (mut keys, mut from_the_file) = (0, 0);
    for (d, f) in defaults.lines().zip(from_file.lines()).skip(1) {
        assert_eq!(value(d), value(f), "the example changes a default");
        if let Some((key, _)) = d.trim_start_matches("# ").split_once(' ')
            && !d.starts_with('[')
            && !d.is_empty()
        {
            keys += 1;
            assert!(text.contains(&format!("{key} = ")), "{key} is not in the example");
            from_the_file += usize::from(f.contains("# file "));
        }
    }
    assert_eq!(defaults.lines().count(), from_file.lines().count());
    assert!(keys >= 20 && from_the_file >= keys - 3, "{from_file}");
    for env in [
        "DWA_DATABASE",
        "DWA_RULES",
        "DWA_DATA_DIR",
        "DWA_COMPILE_CACHE",
        "DWA_LOG_FORMAT",
        "DWA_BIND",
        "DWA_METRICS_TOKEN",
        "DWA_TRUSTED_PROXIES",
        "DWA_SECURE_COOKIES",
        "DWA_THROTTLE_FAILURES",
        "DWA_LIMITS_POOL_INSTANCES",
    ] {
        assert!(text.contains(env), "{env} is not in the example");
    }
}
