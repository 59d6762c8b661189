//! `dwa key generate`: an ed25519 key pair for signing a region's rules — the private key in a
//! file only its owner may read (0600), the public key beside it (`.pub`) and on stdout, for the
//! provincial admin to register (`dwa region key add`).

use anyhow::{Context, bail};
use clap::Subcommand;
use dwa_policy::signing::SecretKey;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub(crate) enum KeyCommand {
    /// Generate an ed25519 key pair: FILE (private, 0600) and FILE.pub; prints the public key
    /// and its id. Refuses to overwrite either file.
    Generate {
        /// The private key file to write (the public key goes to FILE.pub).
        #[arg(long, default_value = "dwa-signing.key")]
        out: PathBuf,
    },
}

/// Run `dwa key …`.
pub(crate) fn run(command: KeyCommand) -> anyhow::Result<()> {
    match command {
        KeyCommand::Generate { out } => generate(&out),
    }
}

fn generate(out: &Path) -> anyhow::Result<()> {
    let public_path = public_path(out);
    for path in [out, public_path.as_path()] {
        if path.exists() {
            bail!(
                "{} exists; not overwriting a key (choose another --out)",
                path.display()
            );
        }
    }
    let key = SecretKey::generate()?;
    write_private(out, &format!("{}\n", key.to_text()))?;
    let public = key.public();
    std::fs::write(&public_path, format!("{}\n", public.to_text()))
        .with_context(|| format!("cannot write {}", public_path.display()))?;
    eprintln!(
        "private key: {} (keep it secret; sign with `dwa plugin sign --key {}`)\npublic key: {} (id {}; the provincial \
         admin registers it with `dwa region key add CODE {}`)",
        out.display(),
        out.display(),
        public_path.display(),
        public.id(),
        public_path.display()
    );
    println!("{}", public.to_text());
    Ok(())
}

/// `FILE.pub` beside `FILE`.
fn public_path(private: &Path) -> PathBuf {
    let mut name = private.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Create the private key file readable by its owner only, from the start (never briefly
/// world-readable), and never over an existing file.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}
