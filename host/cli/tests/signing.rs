//! Signed deployment (issue #10, item 3) through the real `dwa` binary: `dwa key generate`,
//! `dwa plugin sign`, `dwa region key add` and `require-signatures`; then `dwa check`, the
//! start-up of `dwa serve` and the hot-reload file drop refuse an unsigned candidate, one signed
//! with a key not registered for the region and one changed since it was signed — each refusal
//! audited and visible in `GET /api/policies`, the last good version serving, the database
//! unchanged by `dwa check` — and serve the one signed with the registered key. The API's paths
//! (upload, activation, rollback) and replicas are in `signing_api.rs`.

mod common;

use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const BEKASI: &str = "3216-kab-bekasi.toml";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One host: a database and a rules folder of its own, with the province and Bekasi on board.
struct Host {
    url: String,
    rules: PathBuf,
    dir: tempfile::TempDir,
    admin: String,
}

impl Host {
    fn new() -> Host {
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("rules");
        std::fs::create_dir(&rules).unwrap();
        let url = format!("sqlite://{}/dwa.db", dir.path().display());
        let mut host = Host {
            url,
            rules,
            dir,
            admin: String::new(),
        };
        let init = host.run(&["init"]);
        assert!(init.status.success(), "{}", text(&init.stderr));
        host.admin = text(&init.stdout).trim().to_owned();
        host.ok(&["region", "add", "3216", "--name", "Kabupaten Bekasi"]);
        let deployed = common::rules_dir();
        for file in ["jabar.wasm", "32-jabar.toml", "kab_bekasi.wasm", BEKASI] {
            std::fs::copy(deployed.join(file), host.rules.join(file)).unwrap();
        }
        host
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(args)
            .current_dir(self.dir.path())
            .env("DWA_DATABASE", &self.url)
            .env("DWA_RULES", &self.rules)
            .env("DWA_COMPILE_CACHE", "off")
            .output()
            .expect("run dwa")
    }

    /// Run a step that must succeed; its stdout and stderr.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "dwa {args:?} failed: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout) + &text(&out.stderr)
    }

    fn refused(&self, args: &[&str], why: &str) -> String {
        let out = self.run(args);
        let stderr = text(&out.stderr);
        assert!(
            !out.status.success(),
            "dwa {args:?} was not refused: {}",
            text(&out.stdout)
        );
        assert!(stderr.contains(why), "dwa {args:?}: expected {why:?} in: {stderr}");
        stderr
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn manifest(&self) -> String {
        self.rules.join(BEKASI).display().to_string()
    }

    async fn fingerprint(&self) -> String {
        let store = dwa_store::Store::connect(&self.url).await.unwrap();
        common::database_fingerprint(&store).await
    }

    /// Signing keys `bekasi` (registered for 3216) and `other` (not), and the requirement.
    fn keys_and_requirement(&self) -> String {
        let public = self.ok(&["key", "generate", "--out", &self.path("bekasi.key")]);
        self.ok(&["key", "generate", "--out", &self.path("other.key")]);
        self.refused(&["region", "require-signatures", "3216"], "no registered key");
        self.ok(&["region", "key", "add", "3216", &self.path("bekasi.key.pub")]);
        self.ok(&["region", "require-signatures", "3216"]);
        public
    }
}

/// A copy of Bekasi's manifest with one parameter changed: a different candidate.
fn edited(manifest: &str) -> String {
    let edited = manifest.replace(
        "excluded_agencies = [\"RSUD\"",
        "excluded_agencies = [\"DISHUB\", \"RSUD\"",
    );
    assert_ne!(edited, manifest);
    edited
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dwa_check_refuses_unsigned_and_wrongly_signed_rules_and_passes_the_right_signature() {
    let host = Host::new();
    // Not required yet: an unsigned manifest checks.
    host.ok(&["check", &host.manifest()]);
    let public = host.keys_and_requirement();

    // The key files: the private one readable by its owner only, the public one printed.
    let key = host.dir.path().join("bekasi.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the private key is readable by others: {mode:o}");
    }
    let printed = public
        .lines()
        .find(|l| l.starts_with("dwa-ed25519 "))
        .unwrap()
        .to_owned();
    assert!(printed.starts_with("dwa-ed25519 "), "{public}");
    assert_eq!(
        std::fs::read_to_string(host.path("bekasi.key.pub")).unwrap().trim(),
        printed
    );
    host.refused(
        &["key", "generate", "--out", &host.path("bekasi.key")],
        "not overwriting",
    );

    let before = host.fingerprint().await;
    // Required and missing.
    host.refused(
        &["check", &host.manifest()],
        "requires signed rules and there is no signature",
    );
    // Signed with a key not registered for the region.
    host.ok(&["plugin", "sign", &host.manifest(), "--key", &host.path("other.key")]);
    host.refused(&["check", &host.manifest()], "which is not registered for region 3216");
    // Signed with the registered key: passes, naming the key.
    let signed = host.ok(&["plugin", "sign", &host.manifest(), "--key", &host.path("bekasi.key")]);
    assert!(signed.contains("signed with key"), "{signed}");
    let checked = host.ok(&["check", &host.manifest()]);
    assert!(
        checked.contains("signed with key") && checked.contains("all "),
        "{checked}"
    );
    // Changed after signing: refused, saying what changed.
    let manifest = std::fs::read_to_string(host.manifest()).unwrap();
    std::fs::write(host.manifest(), edited(&manifest)).unwrap();
    host.refused(&["check", &host.manifest()], "the manifest changed since it was signed");
    // The plugin's bytes changed after signing (a plugin of another region here): refused.
    std::fs::write(host.manifest(), &manifest).unwrap();
    std::fs::copy(host.rules.join("jabar.wasm"), host.rules.join("kab_bekasi.wasm")).unwrap();
    host.refused(&["check", &host.manifest()], "the plugin changed since it was signed");
    std::fs::copy(
        common::rules_dir().join("kab_bekasi.wasm"),
        host.rules.join("kab_bekasi.wasm"),
    )
    .unwrap();
    // Without a database, against one public key.
    let direct = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["check", &host.manifest(), "--key", &host.path("bekasi.key.pub")])
        .env_remove("DWA_DATABASE")
        .env("DWA_COMPILE_CACHE", "off")
        .output()
        .unwrap();
    assert!(direct.status.success(), "{}", text(&direct.stderr));
    let other = Command::new(env!("CARGO_BIN_EXE_dwa"))
        .args(["check", &host.manifest(), "--key", &host.path("other.key.pub")])
        .env_remove("DWA_DATABASE")
        .output()
        .unwrap();
    assert!(!other.status.success() && text(&other.stderr).contains("not registered"));
    // No check changed the database.
    assert_eq!(host.fingerprint().await, before, "dwa check changed the database");
    // Key rotation: a second key registered; a signature by either verifies.
    host.ok(&["region", "key", "add", "3216", &host.path("other.key.pub")]);
    host.ok(&["plugin", "sign", &host.manifest(), "--key", &host.path("other.key")]);
    host.ok(&["check", &host.manifest()]);
    let list = host.ok(&["region", "key", "list", "3216"]);
    assert!(
        list.contains("signed rules required") && list.lines().count() >= 3,
        "{list}"
    );
}

/// `dwa serve`, stopped (SIGTERM, then waited for) when dropped — also when the test fails.
struct Server {
    child: Child,
    bind: String,
    log: PathBuf,
}

impl Server {
    fn start(host: &Host) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bind = format!("127.0.0.1:{port}");
        let log = host.dir.path().join("serve.log");
        let child = Command::new(env!("CARGO_BIN_EXE_dwa"))
            .args(["serve", "--bind", &bind, "--today", "2026-12-01"])
            .env("DWA_DATABASE", &host.url)
            .env("DWA_RULES", &host.rules)
            .env("DWA_COMPILE_CACHE", "off")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server { child, bind, log };
        for _ in 0..300 {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("dwa serve exited with {status}: {}", server.log());
            }
            if server.get("/healthz", None).is_some() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("dwa serve did not answer within 30 s");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn get(&self, path: &str, token: Option<&str>) -> Option<(u16, Value)> {
        let mut stream = std::net::TcpStream::connect(&self.bind).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok()?;
        let answer = text(&answer);
        let (head, payload) = answer.split_once("\r\n\r\n")?;
        let status = head.split(' ').nth(1)?.parse().ok()?;
        let payload = match head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            true => unchunk(payload),
            false => payload.to_owned(),
        };
        Some((status, serde_json::from_str(&payload).unwrap_or(Value::String(payload))))
    }

    /// Bekasi's entry in `GET /api/policies`.
    fn bekasi_status(&self, admin: &str) -> Value {
        let (status, answer) = self.get("/api/policies", Some(admin)).expect("an answer");
        assert_eq!(status, 200, "{answer}");
        answer
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["manifest"] == BEKASI)
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Wait (bounded: 300 × 100 ms) until Bekasi's status satisfies `done`; it.
    fn wait_status(&self, admin: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..300 {
            let status = self.bekasi_status(admin);
            if done(&status) {
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{what}: not within 30 s; status {}; log {}",
            self.bekasi_status(admin),
            self.log()
        );
    }

    /// Wait (bounded: 100 × 100 ms) for a rejection by `actor` whose detail says `why`.
    fn wait_audit(&self, admin: &str, actor: &str, why: &str) {
        for _ in 0..100 {
            let audit = self.audit(admin);
            if audit.iter().any(|a| {
                a["action"] == "reject" && a["actor"] == actor && a["detail"].as_str().unwrap_or_default().contains(why)
            }) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "no rejection by {actor} saying {why:?} audited: {:?}",
            self.audit(admin)
        );
    }

    fn audit(&self, admin: &str) -> Vec<Value> {
        let (status, answer) = self.get("/api/policies/3216/audit", Some(admin)).expect("an answer");
        assert_eq!(status, 200, "{answer}");
        answer.as_array().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn unchunk(mut payload: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = payload.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        payload = rest[size..].trim_start_matches("\r\n");
    }
    out
}

fn last_error(status: &Value) -> String {
    status["last_attempt"]["error"].as_str().unwrap_or_default().to_owned()
}

/// Drop a candidate into the rules folder as an operator would: signature, then manifest
/// (each written whole, then renamed into place).
fn drop_in(rules: &Path, manifest: &str, signature: Option<&str>) {
    let put = |name: &str, content: &str| {
        let staging = rules.join(format!(".{name}.tmp"));
        std::fs::write(&staging, content).unwrap();
        std::fs::rename(&staging, rules.join(name)).unwrap();
    };
    match signature {
        Some(signature) => put(&format!("{BEKASI}.sig"), signature),
        None => {
            let _ = std::fs::remove_file(rules.join(format!("{BEKASI}.sig")));
        }
    }
    put(BEKASI, manifest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_start_up_and_the_file_drop_refuse_unsigned_rules_and_serve_signed_ones() {
    let host = Host::new();
    host.keys_and_requirement();
    let original = std::fs::read_to_string(host.manifest()).unwrap();

    // Start-up with Bekasi's rules unsigned: refused, audited, in the status; the province serves.
    let server = Server::start(&host);
    let status = server.wait_status(&host.admin, "the start-up refusal", |s| {
        s["last_attempt"]["ok"] == false
    });
    assert!(status["active"].is_null(), "{status}");
    assert!(
        last_error(&status).contains("requires signed rules and there is no signature"),
        "{status}"
    );
    server.wait_audit(&host.admin, "startup", "no signature");

    // The signature with the registered key dropped in beside it: the rules go live.
    let sign = |manifest: &str, key: &str| -> String {
        let scratch = host.dir.path().join("scratch");
        std::fs::create_dir_all(&scratch).unwrap();
        std::fs::write(scratch.join(BEKASI), manifest).unwrap();
        std::fs::copy(host.rules.join("kab_bekasi.wasm"), scratch.join("kab_bekasi.wasm")).unwrap();
        let target = scratch.join(BEKASI).display().to_string();
        host.ok(&["plugin", "sign", &target, "--key", &host.path(key)]);
        std::fs::read_to_string(scratch.join(format!("{BEKASI}.sig"))).unwrap()
    };
    drop_in(&host.rules, &original, Some(&sign(&original, "bekasi.key")));
    let live = server.wait_status(&host.admin, "the signed rules go live", |s| {
        s["last_attempt"]["ok"] == true
    });
    let serving = live["active"]["manifest_sha256"].clone();
    assert!(serving.is_string(), "{live}");

    // An edit dropped without a signature, with the old one's, and with another key's: each
    // refused with its reason, audited, and the signed version keeps serving.
    let candidate = edited(&original);
    let stale = sign(&original, "bekasi.key");
    for (signature, why) in [
        (None, "requires signed rules and there is no signature"),
        (Some(stale.as_str()), "the manifest changed since it was signed"),
        (
            Some(&*sign(&candidate, "other.key")),
            "which is not registered for region 3216",
        ),
    ] {
        let refusals = server.bekasi_status(&host.admin)["attempts_failed"].as_u64().unwrap();
        drop_in(&host.rules, &candidate, signature);
        let status = server.wait_status(&host.admin, why, |s| {
            s["attempts_failed"].as_u64().unwrap() > refusals && last_error(s).contains(why)
        });
        assert_eq!(status["active"]["manifest_sha256"], serving, "{why}: {status}");
        // Audited (the trail is written just after the refusal).
        server.wait_audit(&host.admin, "file watcher", why);
    }

    // Signed with the registered key: the edit goes live.
    drop_in(&host.rules, &candidate, Some(&sign(&candidate, "bekasi.key")));
    let live = server.wait_status(&host.admin, "the signed edit goes live", |s| {
        s["last_attempt"]["ok"] == true && s["active"]["manifest_sha256"] != serving
    });
    assert!(live["last_attempt"]["error"].is_null(), "{live}");
}
