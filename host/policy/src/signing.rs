//! Signed rules (ed25519): key files, the signature file beside a manifest, and the check a
//! region that requires signatures puts every candidate through before it may go live.
//!
//! Modelled on OPA's signed bundles: the signer signs the content hashes, the verifier holds
//! the public keys out of band (here: registered per region by the provincial admin in the
//! database), and a bundle that does not verify is never activated.
//!
//! # The signed message
//!
//! The ed25519 signature is over these bytes, exactly:
//!
//! ```text
//! dwa-plugin-signature-v1\n
//! plugin-sha256: <sha256 of the plugin file, 64 lowercase hex digits>\n
//! manifest-bytes: <length of the manifest file in bytes, decimal>\n
//! <the manifest file's bytes, unchanged>
//! ```
//!
//! So any change to the manifest (a parameter, a worked example, a comment) or to the plugin's
//! bytes invalidates the signature. The region is inside the manifest, so a signature made for
//! one region's rules cannot be replayed for another's.
//!
//! # Files
//!
//! - a private key: `dwa-ed25519-secret <64 hex digits: the 32-byte seed>` (written 0600);
//! - a public key: `dwa-ed25519 <64 hex digits>`; its id is the first 16 hex digits of the
//!   sha256 of the 32 key bytes;
//! - a signature: `<manifest file name>.sig` beside the manifest, TOML with `format`, `key`
//!   (the id), `manifest_sha256` and `plugin_sha256` (what was signed, for messages) and
//!   `signature` (128 hex digits).

use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What a signature file's name adds to its manifest's: `3216-kab-bekasi.toml.sig`.
pub const SIGNATURE_SUFFIX: &str = ".sig";

/// The format written in (and required of) every signature file.
pub const FORMAT: &str = "dwa-plugin-signature-v1";

/// A signature file larger than this is not one.
const MAX_SIGNATURE_FILE: usize = 4096;

const PUBLIC_PREFIX: &str = "dwa-ed25519";
const SECRET_PREFIX: &str = "dwa-ed25519-secret";

/// Why a key, a signature or a candidate's signature check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// A key file or text is not a key.
    #[error("not a {what}: {reason}")]
    Key {
        /// `public key` or `private key`.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A signature file is malformed.
    #[error("the signature file is malformed: {0}")]
    Malformed(String),
    /// The region requires signed rules and there is no signature.
    #[error(
        "region {region} requires signed rules and there is no signature ({file} is missing; sign with `dwa plugin sign`)"
    )]
    Missing {
        /// The region.
        region: String,
        /// The signature file expected.
        file: String,
    },
    /// Signed with a key not registered for the region.
    #[error("signed with key {key}, which is not registered for region {region} (registered: {registered})")]
    UnknownKey {
        /// The region.
        region: String,
        /// The signature's key id.
        key: String,
        /// The ids registered.
        registered: String,
    },
    /// The signature does not verify.
    #[error("the signature by key {key} does not verify: {why}")]
    Invalid {
        /// The key id.
        key: String,
        /// What changed since signing, as far as can be told.
        why: String,
    },
    /// A key stored for the region is not a usable key (weak, or not a key at all): whoever
    /// holds the database could forge with it, so nothing of the region goes live until it is
    /// removed.
    #[error(
        "region {region} has a refused signing key registered ({key}: {reason}); nothing of its rules goes live \
         until it is removed (`dwa region key remove {region} {key}`)"
    )]
    StoredKey {
        /// The region.
        region: String,
        /// The key's id.
        key: String,
        /// Why it is refused.
        reason: String,
    },
    /// The region's keys could not be read (the change is refused: fail closed).
    #[error("cannot read region {region}'s signing keys: {reason}")]
    Trust {
        /// The region.
        region: String,
        /// Why.
        reason: String,
    },
}

/// An ed25519 public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// Parse `dwa-ed25519 <hex>` (or the 64 hex digits alone), surrounding blanks ignored.
    pub fn parse(text: &str) -> Result<PublicKey, SigningError> {
        let bad = |reason: &str| SigningError::Key {
            what: "public key",
            reason: reason.into(),
        };
        let text = text.trim();
        let hex_part = match text.split_once(char::is_whitespace) {
            Some((PUBLIC_PREFIX, rest)) => rest.trim(),
            Some((SECRET_PREFIX, _)) => return Err(bad("this is a private key; give the .pub file")),
            Some(_) => return Err(bad(&format!("expected `{PUBLIC_PREFIX} <64 hex digits>`"))),
            None => text,
        };
        let bytes = decode_32(hex_part).ok_or_else(|| bad(&format!("expected `{PUBLIC_PREFIX} <64 hex digits>`")))?;
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not a point on the ed25519 curve"))?;
        // A small-order key (the all-zero key among them) has no secret behind it: a
        // signature "by" it can be made by anyone (R = identity, s = 0 verifies under the
        // non-strict check). Such keys are refused wherever a key enters: registration over
        // the API or the CLI, and every read of a stored key.
        if key.is_weak() {
            return Err(bad(
                "a weak (small-order) ed25519 key, for which anyone can forge signatures; generate a real key \
                 with `dwa key generate`",
            ));
        }
        Ok(PublicKey(key))
    }

    /// The key's id: the first 16 hex digits of the sha256 of its 32 bytes.
    pub fn id(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))[..16].to_owned()
    }

    /// The key as a one-line text: `dwa-ed25519 <hex>`.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_PREFIX} {}", hex::encode(self.0.as_bytes()))
    }
}

/// An ed25519 private (signing) key.
pub struct SecretKey(ed25519_dalek::SigningKey);

impl SecretKey {
    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<SecretKey, SigningError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| SigningError::Key {
            what: "private key",
            reason: format!("no randomness from the operating system: {e}"),
        })?;
        Ok(SecretKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// Parse `dwa-ed25519-secret <hex>`.
    pub fn parse(text: &str) -> Result<SecretKey, SigningError> {
        let bad = |reason: &str| SigningError::Key {
            what: "private key",
            reason: reason.into(),
        };
        match text.trim().split_once(char::is_whitespace) {
            Some((SECRET_PREFIX, rest)) => decode_32(rest.trim())
                .map(|seed| SecretKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
                .ok_or_else(|| bad(&format!("expected `{SECRET_PREFIX} <64 hex digits>`"))),
            Some((PUBLIC_PREFIX, _)) => Err(bad("this is a public key; sign with the private key file")),
            _ => Err(bad(&format!("expected `{SECRET_PREFIX} <64 hex digits>`"))),
        }
    }

    /// The key as a one-line text (keep it secret).
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX} {}", hex::encode(self.0.to_bytes()))
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Sign a manifest and its plugin: the text of the signature file to write beside the
    /// manifest (see the module's documentation for what is signed).
    pub fn sign(&self, manifest: &[u8], plugin: &[u8]) -> String {
        let plugin_sha256 = hex::encode(Sha256::digest(plugin));
        let signature = self.0.sign(&signed_message(manifest, &plugin_sha256));
        format!(
            "# The ed25519 signature of this manifest and its plugin (dwa plugin sign).\n\
             format = \"{FORMAT}\"\nkey = \"{}\"\nmanifest_sha256 = \"{}\"\nplugin_sha256 = \"{plugin_sha256}\"\n\
             signature = \"{}\"\n",
            self.public().id(),
            hex::encode(Sha256::digest(manifest)),
            hex::encode(signature.to_bytes())
        )
    }
}

/// The bytes an ed25519 signature covers (see the module's documentation).
pub fn signed_message(manifest: &[u8], plugin_sha256: &str) -> Vec<u8> {
    let mut message = format!(
        "{FORMAT}\nplugin-sha256: {plugin_sha256}\nmanifest-bytes: {}\n",
        manifest.len()
    )
    .into_bytes();
    message.extend_from_slice(manifest);
    message
}

/// A parsed signature file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The signing key's id.
    pub key: String,
    /// sha256 of the manifest signed (informative: the check recomputes it).
    pub manifest_sha256: String,
    /// sha256 of the plugin signed (informative: the check recomputes it).
    pub plugin_sha256: String,
    /// The signature, 128 hex digits.
    pub signature: String,
}

impl SignatureFile {
    /// Parse a signature file's text.
    pub fn parse(text: &str) -> Result<SignatureFile, SigningError> {
        if text.len() > MAX_SIGNATURE_FILE {
            return Err(SigningError::Malformed(format!(
                "larger than {MAX_SIGNATURE_FILE} bytes"
            )));
        }
        let file: SignatureFile = toml::from_str(text).map_err(|e| SigningError::Malformed(e.message().to_owned()))?;
        if file.format != FORMAT {
            return Err(SigningError::Malformed(format!(
                "format `{}` (this host reads `{FORMAT}`)",
                file.format
            )));
        }
        Ok(file)
    }
}

/// What a region demands of its rules' signatures: whether they are required, and the public
/// keys registered for it (several during a key rotation: a signature by any one verifies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionTrust {
    /// Whether an unsigned or wrongly signed candidate is refused.
    pub required: bool,
    /// The registered keys.
    pub keys: Vec<PublicKey>,
}

/// Where a policy set reads each region's [`RegionTrust`] (the database, for the host): asked
/// on every load, so a key registered or a requirement set by another process applies to the
/// next change without a restart.
pub trait TrustSource: Send + Sync {
    /// The region's trust; an error refuses the change (fail closed): [`SigningError::Trust`]
    /// when it cannot be read, [`SigningError::StoredKey`] when a stored key is refused.
    fn trust(&self, region: &str) -> Result<RegionTrust, SigningError>;
}

/// The signature file of a manifest: `<manifest>.sig` beside it.
pub fn signature_path(manifest_path: &Path) -> PathBuf {
    let mut name = manifest_path.file_name().unwrap_or_default().to_owned();
    name.push(SIGNATURE_SUFFIX);
    manifest_path.with_file_name(name)
}

/// Check a candidate (its manifest bytes, its plugin's sha256 and the text of its signature
/// file, if any) against its region's trust. Returns the id of the key that signed it, or
/// `None` when the region does not require signatures (then they are not checked).
pub fn verify(
    region: &str,
    trust: &RegionTrust,
    signature: Option<&str>,
    signature_file: &str,
    manifest: &[u8],
    plugin_sha256: &str,
) -> Result<Option<String>, SigningError> {
    if !trust.required {
        return Ok(None);
    }
    let Some(text) = signature else {
        return Err(SigningError::Missing {
            region: region.into(),
            file: signature_file.into(),
        });
    };
    let file = SignatureFile::parse(text)?;
    let Some(key) = trust.keys.iter().find(|k| k.id() == file.key) else {
        let mut registered: Vec<String> = trust.keys.iter().map(PublicKey::id).collect();
        if registered.is_empty() {
            registered.push("none".into());
        }
        return Err(SigningError::UnknownKey {
            region: region.into(),
            key: file.key,
            registered: registered.join(", "),
        });
    };
    let invalid = |why: String| SigningError::Invalid {
        key: file.key.clone(),
        why,
    };
    let bytes = hex::decode(&file.signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or_else(|| invalid("`signature` is not 128 hex digits".into()))?;
    let signature = ed25519_dalek::Signature::from_bytes(&bytes);
    let manifest_sha256 = hex::encode(Sha256::digest(manifest));
    // The strict check: it also refuses small-order R and non-canonical encodings, which the
    // plain check accepts, so no signature verifies without the key's secret.
    if key
        .0
        .verify_strict(&signed_message(manifest, plugin_sha256), &signature)
        .is_ok()
    {
        // The file's recorded hashes must be what was signed too: a file edited after signing
        // is refused even where its signature still verifies (found by tests/fuzz.rs).
        if file.manifest_sha256 == manifest_sha256 && file.plugin_sha256 == plugin_sha256 {
            return Ok(Some(file.key));
        }
        return Err(invalid(
            "the signature file was edited after signing (its `manifest_sha256` or `plugin_sha256` is not what \
             was signed)"
                .into(),
        ));
    }
    // Say what changed since signing, when the file's recorded hashes tell.
    let why = if file.plugin_sha256 != plugin_sha256 {
        format!(
            "the plugin changed since it was signed (signed sha256 {}…, now {}…)",
            prefix(&file.plugin_sha256),
            prefix(plugin_sha256)
        )
    } else if file.manifest_sha256 != manifest_sha256 {
        format!(
            "the manifest changed since it was signed (signed sha256 {}…, now {}…)",
            prefix(&file.manifest_sha256),
            prefix(&manifest_sha256)
        )
    } else {
        "it was not made by that key over this manifest and plugin".into()
    };
    Err(invalid(why))
}

fn prefix(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

fn decode_32(hex_text: &str) -> Option<[u8; 32]> {
    hex::decode(hex_text).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trust(keys: Vec<PublicKey>) -> RegionTrust {
        RegionTrust { required: true, keys }
    }

    #[test]
    fn a_signature_verifies_with_its_key_only_and_only_for_what_it_signed() {
        let (key, other) = (SecretKey::generate().unwrap(), SecretKey::generate().unwrap());
        let (manifest, plugin) = (b"region = \"3216\"\n".as_slice(), b"\0asm".as_slice());
        let plugin_sha = hex::encode(Sha256::digest(plugin));
        let sig = key.sign(manifest, plugin);
        let ok = verify(
            "3216",
            &trust(vec![other.public(), key.public()]),
            Some(&sig),
            "x.sig",
            manifest,
            &plugin_sha,
        );
        assert_eq!(ok, Ok(Some(key.public().id())));
        let wrong = verify(
            "3216",
            &trust(vec![other.public()]),
            Some(&sig),
            "x.sig",
            manifest,
            &plugin_sha,
        );
        assert!(matches!(wrong, Err(SigningError::UnknownKey { .. })), "{wrong:?}");
        let edited = verify(
            "3216",
            &trust(vec![key.public()]),
            Some(&sig),
            "x.sig",
            b"region = \"3217\"\n",
            &plugin_sha,
        );
        assert!(
            matches!(&edited, Err(SigningError::Invalid { why, .. }) if why.contains("manifest changed")),
            "{edited:?}"
        );
        let missing = verify("3216", &trust(vec![key.public()]), None, "x.sig", manifest, &plugin_sha);
        assert!(matches!(missing, Err(SigningError::Missing { .. })));
        let optional = RegionTrust::default();
        assert_eq!(
            verify("3216", &optional, None, "x.sig", manifest, &plugin_sha),
            Ok(None)
        );
    }

    /// The eight small-order points of ed25519 (and the all-zero encoding, a point of order 4):
    /// no secret key lies behind any of them.
    const SMALL_ORDER: [&str; 6] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    ];

    #[test]
    fn weak_keys_are_refused_wherever_a_key_is_read() {
        for hex_key in SMALL_ORDER {
            let refused = PublicKey::parse(&format!("{PUBLIC_PREFIX} {hex_key}"));
            assert!(
                matches!(&refused, Err(SigningError::Key { reason, .. }) if reason.contains("weak")),
                "{hex_key}: {refused:?}"
            );
        }
        // A real key still parses.
        let key = SecretKey::generate().unwrap();
        assert_eq!(PublicKey::parse(&key.public().to_text()), Ok(key.public()));
    }

    /// The forgery the field found: with the identity as the "public key", R = identity and
    /// s = 0 satisfy the plain equation for any message. The plain check accepts it (so this
    /// test would fail if `verify` went back to it); the strict check refuses.
    #[test]
    fn a_signature_forged_without_a_secret_never_verifies() {
        use ed25519_dalek::Verifier;
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = PublicKey(ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap());
        let mut forged = [0u8; 64];
        forged[0] = 1;
        let (manifest, plugin_sha) = (b"region = \"3216\"\n".as_slice(), "ab".repeat(32));
        let message = signed_message(manifest, &plugin_sha);
        let signature = ed25519_dalek::Signature::from_bytes(&forged);
        assert!(
            weak.0.verify(&message, &signature).is_ok(),
            "the plain check accepts the forgery"
        );
        let file = format!(
            "format = \"{FORMAT}\"\nkey = \"{}\"\nmanifest_sha256 = \"{}\"\nplugin_sha256 = \"{plugin_sha}\"\n\
             signature = \"{}\"\n",
            weak.id(),
            hex::encode(Sha256::digest(manifest)),
            hex::encode(forged)
        );
        let refused = verify("3216", &trust(vec![weak]), Some(&file), "x.sig", manifest, &plugin_sha);
        assert!(matches!(refused, Err(SigningError::Invalid { .. })), "{refused:?}");
    }

    #[test]
    fn keys_round_trip_through_their_text() {
        let key = SecretKey::generate().unwrap();
        let again = SecretKey::parse(&key.to_text()).unwrap();
        assert_eq!(again.public(), key.public());
        assert_eq!(PublicKey::parse(&key.public().to_text()).unwrap(), key.public());
        assert!(PublicKey::parse(&key.to_text()).is_err());
        assert!(SecretKey::parse(&key.public().to_text()).is_err());
        assert!(PublicKey::parse("dwa-ed25519 abcd").is_err());
    }
}
