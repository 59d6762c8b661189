//! `dwa plugin new DIR --region CODE --name NAME [--lang rust|js]`: write a standalone plugin
//! project from the templates in `host/cli/templates/plugin/` (a Rust crate) or
//! `host/cli/templates/plugin-js/` (an npm package), with the language's SDK vendored. Both
//! start from the same manifest and the same rules (the province baseline). Everything is checked
//! and rendered before the first file is written, so a refusal writes nothing.

use super::Lang;
use super::vendor::{VENDOR_DIR, sdk_files, sdk_js_files};
use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};

// The arguments; the command's help text is the doc comment of its variant in `PluginCommand`.
#[derive(Args, Debug)]
pub(crate) struct NewArgs {
    /// The folder to create (or an empty one; a `.git` alone is fine).
    dir: PathBuf,
    /// BPS code of the regency or city, e.g. 3273 (regencies 3201–3269, cities 3271–3299; 32 is the province).
    #[arg(long)]
    region: String,
    /// The region's name, e.g. "Kota Bandung" (a regency's starts with Kabupaten, a city's with Kota).
    #[arg(long)]
    name: String,
    /// The language the rules are written in: rust (a crate built for wasm32-wasip2) or js
    /// (JavaScript ES modules, built with componentize-js; needs Node.js 20.19+ and npm).
    #[arg(long, value_enum, default_value_t = Lang::Rust)]
    lang: Lang,
}

/// A template and the file it becomes (`{{manifest_file}}` is the manifest's own name).
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../../../templates/plugin/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("../../../templates/plugin/lib.rs.tmpl")),
    (
        "{{manifest_file}}",
        include_str!("../../../templates/plugin/manifest.toml.tmpl"),
    ),
    ("README.md", include_str!("../../../templates/plugin/README.md.tmpl")),
    (".gitignore", include_str!("../../../templates/plugin/gitignore.tmpl")),
    // The host's own plugin link settings (a small guest stack: cheaper sandboxed calls).
    (".cargo/config.toml", include_str!("../../../../../.cargo/config.toml")),
];

/// The JavaScript project's templates: the same manifest as the Rust crate's, so both start from
/// the same parameters and worked examples.
const TEMPLATES_JS: &[(&str, &str)] = &[
    (
        "package.json",
        include_str!("../../../templates/plugin-js/package.json.tmpl"),
    ),
    (
        "src/plugin.js",
        include_str!("../../../templates/plugin-js/plugin.js.tmpl"),
    ),
    (
        "test/plugin.test.js",
        include_str!("../../../templates/plugin-js/plugin.test.js.tmpl"),
    ),
    (
        "{{manifest_file}}",
        include_str!("../../../templates/plugin/manifest.toml.tmpl"),
    ),
    ("README.md", include_str!("../../../templates/plugin-js/README.md.tmpl")),
    (
        ".gitignore",
        include_str!("../../../templates/plugin-js/gitignore.tmpl"),
    ),
];

/// Run `dwa plugin new`.
pub(crate) fn run(args: NewArgs) -> anyhow::Result<()> {
    let NewArgs {
        dir,
        region,
        name,
        lang,
    } = args;
    let name = name.trim();
    if name.is_empty() {
        bail!("the region's name is empty: say --name \"Kota Bandung\"; nothing was written");
    }
    // The code and name as `dwa region add` checks them, so the plugin's `info` names the region
    // as the host stores it.
    dwa_workflow::onboarding::check_region(&region, name).map_err(|e| anyhow::anyhow!("{e}; nothing was written"))?;
    let created = check_dir(&dir)?;
    let names = Names::new(&region, name);
    let (templates, sdk) = match lang {
        Lang::Rust => (TEMPLATES, sdk_files()?),
        Lang::Js => (TEMPLATES_JS, sdk_js_files()),
    };
    let mut files = Vec::new();
    for (path, template) in templates {
        files.push((names.render(path), names.render(template).into_bytes()));
    }
    for (path, bytes) in sdk {
        files.push((format!("{VENDOR_DIR}/{path}"), bytes));
    }
    if let Err(e) = write_all(&dir, &files) {
        // Leave the folder as it was: empty, or not there.
        undo(&dir, created);
        return Err(e);
    }
    let (what, rules, tests) = match lang {
        Lang::Rust => ("plugin crate", "src/lib.rs", "(native tests in src/lib.rs)"),
        Lang::Js => (
            "JavaScript plugin",
            "src/plugin.js",
            "test/plugin.test.js  native tests (npm test)",
        ),
    };
    println!(
        "created {}: the {what} {} of {name} (region {region}), starting from the province baseline",
        dir.display(),
        names.krate
    );
    println!("  {}  parameters and worked examples", names.manifest_file);
    println!("  {rules}  the rules");
    println!("  {tests}");
    println!(
        "  {VENDOR_DIR}/  the SDK at contract {}, vendored",
        dwa_sdk::CONTRACT_VERSION
    );
    println!("next: dwa plugin build {0} && dwa plugin test {0}", dir.display());
    Ok(())
}

/// A new folder or an empty one; returns whether it has to be created.
fn check_dir(dir: &Path) -> anyhow::Result<bool> {
    if !dir.exists() {
        return Ok(true);
    }
    if !dir.is_dir() {
        bail!("{} exists and is not a folder; nothing was written", dir.display());
    }
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    // A repository made with `git init` first is still empty.
    entries.retain(|e| e != ".git");
    if let Some(first) = entries.iter().min() {
        bail!(
            "{} is not empty ({} entries, e.g. {first}): choose a new or empty folder; nothing was written",
            dir.display(),
            entries.len()
        );
    }
    Ok(false)
}

fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> anyhow::Result<()> {
    for (path, bytes) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Remove what [`write_all`] wrote into a folder that was empty (but for `.git`) or absent.
fn undo(dir: &Path, created: bool) {
    if created {
        let _ = std::fs::remove_dir_all(dir);
        return;
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_name() != ".git" {
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// The names a region's crate is made of, and the templates' placeholders for them.
struct Names {
    region: String,
    name: String,
    /// `dwa-plugin-kota-bandung`: the name in lowercase ASCII words, prefixed.
    krate: String,
    /// `KotaBandung`: the `Policy` type.
    type_name: String,
    /// `3273-kota-bandung.toml`, as in the host's `rules/`.
    manifest_file: String,
    /// `kota_bandung.wasm`: the component, beside the manifest.
    plugin_file: String,
}

impl Names {
    fn new(region: &str, name: &str) -> Names {
        let words: Vec<String> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let slug = match words.is_empty() {
            true => format!("region-{region}"),
            false => words.join("-"),
        };
        let mut type_name: String = slug.split('-').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect();
        if type_name.starts_with(|c: char| c.is_ascii_digit()) {
            type_name.insert_str(0, "Region");
        }
        Names {
            region: region.to_owned(),
            name: name.to_owned(),
            krate: format!("dwa-plugin-{slug}"),
            type_name,
            manifest_file: format!("{region}-{slug}.toml"),
            plugin_file: format!("{}.wasm", slug.replace('-', "_")),
        }
    }

    /// `template` with every placeholder filled in.
    fn render(&self, template: &str) -> String {
        let toml_string = toml::Value::String(self.name.clone()).to_string();
        let js_string = serde_json::Value::String(self.name.clone()).to_string();
        let pairs: [(&str, &str); 14] = [
            ("{{region}}", &self.region),
            ("{{name_comment}}", &self.name),
            ("{{name_md}}", &self.name),
            ("{{name_toml}}", &toml_string),
            ("{{name_rust}}", &format!("{:?}", self.name)),
            ("{{name_js}}", &js_string),
            ("{{crate}}", &self.krate),
            ("{{type}}", &self.type_name),
            ("{{manifest_file}}", &self.manifest_file),
            ("{{plugin_file}}", &self.plugin_file),
            ("{{vendor_dir}}", VENDOR_DIR),
            ("{{contract}}", dwa_sdk::CONTRACT_VERSION),
            ("{{rust_version}}", env!("CARGO_PKG_RUST_VERSION")),
            ("{{dwa_version}}", env!("CARGO_PKG_VERSION")),
        ];
        let mut out = template.to_owned();
        for (placeholder, value) in pairs {
            out = out.replace(placeholder, value);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules_folder() {
        let n = Names::new("3273", "Kota Bandung");
        assert_eq!(
            (
                n.krate.as_str(),
                n.type_name.as_str(),
                n.manifest_file.as_str(),
                n.plugin_file.as_str()
            ),
            (
                "dwa-plugin-kota-bandung",
                "KotaBandung",
                "3273-kota-bandung.toml",
                "kota_bandung.wasm"
            )
        );
        let odd = Names::new("3216", "Kab. \"Bekasi\" 2");
        assert_eq!(
            (odd.krate.as_str(), odd.type_name.as_str()),
            ("dwa-plugin-kab-bekasi-2", "KabBekasi2")
        );
        assert_eq!(odd.render("{{name_rust}}"), r#""Kab. \"Bekasi\" 2""#);
        let toml: toml::Table = toml::from_str(&odd.render("name = {{name_toml}}")).unwrap();
        assert_eq!(toml["name"].as_str(), Some(odd.name.as_str()));
        assert_eq!(Names::new("3273", "Ñ").type_name, "Region3273");
    }

    #[test]
    fn every_template_is_filled_in() {
        let names = Names::new("3273", "Kota Bandung");
        for (path, template) in TEMPLATES.iter().chain(TEMPLATES_JS) {
            let out = names.render(template);
            assert!(!out.contains("{{"), "{path}: {out}");
        }
    }
}
