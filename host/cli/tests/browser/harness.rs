//! The browser tests' harness: a fresh seeded SQLite database, the real `dwa serve` binary on a
//! free loopback port, Debian's `chromedriver` driving headless `chromium` over WebDriver
//! (fantoccini), and bounded waits. Every process started here is ended by its own id when the
//! harness is dropped.

#![allow(dead_code)]

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest wait for an element (the machine may be busy; a wait ends as soon as it appears).
pub const WAIT_SECONDS: u64 = 30;

/// The `dwa` binary under test.
pub fn dwa_bin() -> &'static str {
    env!("CARGO_BIN_EXE_dwa")
}

/// Run `dwa ARGS` on `db` with the rules folder beside it; its stdout, or a panic with its stderr.
pub fn dwa(db: &Path, args: &[&str]) -> String {
    let rules = db.parent().unwrap().join("rules");
    let out = Command::new(dwa_bin())
        .args(args)
        .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
        .env("DWA_RULES", rules)
        .output()
        .expect("dwa runs");
    assert!(
        out.status.success(),
        "dwa {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Wait, bounded, until `addr` accepts a TCP connection.
fn wait_listening(addr: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {addr} within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A child process ended (by its own id) when dropped.
struct Owned(Child);

impl Drop for Owned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A seeded host serving the web pages, and a chromedriver to drive browsers against it.
pub struct Harness {
    _dir: tempfile::TempDir,
    /// The SQLite file.
    pub db: PathBuf,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    webdriver: String,
    _server: Owned,
    _driver: Owned,
}

impl Harness {
    /// Seed `employees` people for 2027-Q1, allocate the quarter, serve with today 2026-12-01.
    pub fn start(employees: u32) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("dwa.db");
        // A private copy of the deployed rules: the policy admin's activation rewrites them.
        let rules = dir.path().join("rules");
        std::fs::create_dir(&rules).unwrap();
        for file in ["jabar.wasm", "kab_bekasi.wasm", "32-jabar.toml", "3216-kab-bekasi.toml"] {
            std::fs::copy(super::common::rules_dir().join(file), rules.join(file)).unwrap();
        }
        dwa(
            &db,
            &["seed", "--employees", &employees.to_string(), "--quarter", "2027-Q1"],
        );
        dwa(&db, &["allocate", "--all", "--quarter", "2027-Q1"]);
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let server = Command::new(dwa_bin())
            .args(["serve", "--bind", &bind, "--today", "2026-12-01"])
            .env("DWA_DATABASE", format!("sqlite://{}", db.display()))
            .env("DWA_RULES", &rules)
            .env("DWA_COMPILE_CACHE", dir.path().join("compiled"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dwa serve starts");
        let server = Owned(server);
        wait_listening(&bind, "dwa serve");
        let Driver { webdriver, driver } = Driver::start();
        Harness {
            _dir: dir,
            db,
            base: format!("http://{bind}"),
            webdriver,
            _server: server,
            _driver: driver,
        }
    }

    /// `dwa ARGS` on this harness's database.
    pub fn dwa(&self, args: &[&str]) -> String {
        dwa(&self.db, args)
    }

    /// A one-time sign-in link for `role` in `region` (and the person `nip`).
    pub fn link(&self, role: &str, region: &str, nip: Option<&str>) -> String {
        let mut args = vec![
            "token",
            "create",
            "--link",
            "--base-url",
            &self.base,
            "--role",
            role,
            "--region",
            region,
        ];
        if let Some(nip) = nip {
            args.extend(["--nip", nip]);
        }
        self.dwa(&args)
    }

    /// A sign-in link for the demo person of `role` (employee or supervisor: an employee with a
    /// live application, or their supervisor; other roles: Bekasi's or the province's).
    pub fn link_sample(&self, role: &str) -> String {
        self.dwa(&[
            "token",
            "create",
            "--link",
            "--base-url",
            &self.base,
            "--role",
            role,
            "--region",
            "3216",
            "--sample",
        ])
    }

    /// A fresh sign-in link (each works once) for the demo person of a page: `employee`,
    /// `supervisor`, `hr`, `policy` or `province`.
    pub fn sign_in_link(&self, page: &str) -> String {
        match page {
            "employee" | "supervisor" => self.link_sample(page),
            "hr" => self.link("hr", "3216", None),
            "policy" => self.link("policy-admin", "3216", None),
            _ => self.link("provincial-admin", "32", None),
        }
    }

    /// An API token for `role`.
    pub fn token(&self, role: &str, region: &str, nip: Option<&str>) -> String {
        let mut args = vec!["token", "create", "--role", role, "--region", region];
        if let Some(nip) = nip {
            args.extend(["--nip", nip]);
        }
        self.dwa(&args)
    }

    /// A fresh headless Chromium (its own profile folder) at `width`×`height`.
    pub async fn browser(&self, width: u32, height: u32) -> Browser {
        open_browser(&self.webdriver, &self.base, width, height).await
    }
}

/// A chromedriver alone, for tests that serve a host of their own; ended when dropped.
pub struct Driver {
    /// `http://127.0.0.1:PORT` of the WebDriver.
    pub webdriver: String,
    driver: Owned,
}

impl Driver {
    /// Start Debian's chromedriver on a free loopback port.
    pub fn start() -> Driver {
        let driver_port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/test.sh installs Debian's chromium-driver)");
        let driver = Owned(driver);
        wait_listening(&format!("127.0.0.1:{driver_port}"), "chromedriver");
        Driver {
            webdriver: format!("http://127.0.0.1:{driver_port}"),
            driver,
        }
    }

    /// A fresh headless Chromium at `width`×`height` on the host at `base`.
    pub async fn browser(&self, base: &str, width: u32, height: u32) -> Browser {
        open_browser(&self.webdriver, base, width, height).await
    }
}

/// A fresh headless Chromium (its own profile folder) at `width`×`height`, driven through the
/// WebDriver at `webdriver`, on the host at `base`.
async fn open_browser(webdriver: &str, base: &str, width: u32, height: u32) -> Browser {
    {
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                ]
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(connector).capabilities(caps).connect(webdriver),
        )
        .await
        .expect("chromium started within 60 s")
        .expect("a WebDriver session");
        Browser {
            client,
            base: base.to_owned(),
            _profile: profile,
        }
    }
}

/// One browser session.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Go to a path of the host (or a full URL).
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.client.goto(&url).await.unwrap();
    }

    /// Wait, bounded ([`WAIT_SECONDS`]), for an element matching `css`.
    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + Duration::from_secs(WAIT_SECONDS);
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            if Instant::now() > deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                let source = self.client.source().await.unwrap_or_default();
                panic!(
                    "no `{css}` within {WAIT_SECONDS} s at {url}:\n{}",
                    &source[..source.len().min(3000)]
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the first element matching `css` (waited for).
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.unwrap()
    }

    /// The text of `css` once it differs from `before` (waited for, bounded): after a click that
    /// submits a form, the old page can still be read until the new one has loaded.
    pub async fn text_other_than(&self, css: &str, before: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(WAIT_SECONDS);
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
                && text != before
            {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` still reads {before:?} after {WAIT_SECONDS} s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element matching `css` is on the page now.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Type into the field `css`, replacing its value.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.wait(css).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Click `css`.
    pub async fn click(&self, css: &str) {
        self.wait(css).await.click().await.unwrap();
    }

    /// The path of the page shown.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Run `script` (with `arguments[0]` as the callback) and return its answer.
    pub async fn run_async(&self, script: &str) -> serde_json::Value {
        self.client.execute_async(script, vec![]).await.unwrap()
    }

    /// Sign in through the sign-in page with a link (its code filled in) or a typed code/token.
    pub async fn sign_in(&self, link_or_token: &str) {
        if link_or_token.starts_with("http") {
            self.goto(link_or_token).await;
        } else {
            self.goto("/signin").await;
            self.fill("#code", link_or_token).await;
        }
        self.click("#signin-button").await;
        self.wait("#signout").await;
    }

    /// Sign out.
    pub async fn sign_out(&self) {
        self.click("#signout").await;
        self.wait("#signin-button").await;
    }

    /// End the browser.
    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}
