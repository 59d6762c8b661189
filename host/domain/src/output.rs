//! What a plugin printed during one call, as plain data: captured by the engine, kept with
//! the decision, stored and shown by every reader.

/// What a plugin printed during one call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuestOutput {
    /// The first bytes printed (stdout and stderr interleaved).
    pub bytes: Vec<u8>,
    /// How many further bytes were dropped.
    pub dropped: usize,
    /// The last bytes printed, when some were dropped (a panic message comes last).
    pub tail: Vec<u8>,
}

impl GuestOutput {
    /// The output as text safe for logs and terminals (see [`crate::text::printable`]), with a
    /// note when some was dropped.
    pub fn text(&self) -> String {
        let mut text = crate::text::printable(&String::from_utf8_lossy(&self.bytes));
        if self.dropped > 0 {
            text.push_str(&format!("\n[… {} more bytes dropped]", self.dropped));
        }
        text
    }

    /// The message of a Rust panic, if the guest printed one.
    pub fn panic_message(&self) -> Option<String> {
        let head = String::from_utf8_lossy(&self.bytes);
        let tail = String::from_utf8_lossy(&self.tail);
        let text = if tail.contains("panicked at") { tail } else { head };
        let start = text.find("panicked at")?;
        let rest = &text[start..];
        // "panicked at src/lib.rs:10:5:\nthe message"
        let message = rest.split_once(":\n").map(|(_, m)| m).unwrap_or(rest);
        let line = message.lines().next().unwrap_or_default().trim();
        Some(crate::text::cleaned(line, crate::text::MAX_MESSAGE_BYTES))
    }
}
