//! What a plugin says is made safe before the host keeps or shows it: every text a plugin
//! returns (reason codes, messages, remedies, refusal messages, its `info`, what it printed)
//! loses its control characters and Unicode direction overrides, and is cut to a bound, so a
//! plugin can put neither escape codes on an operator's terminal nor megabytes into the
//! decision log. Markup is kept as text: it is harmless in JSON, and HTML output escapes it.

/// Longest reason or error code kept, in bytes.
pub const MAX_CODE_BYTES: usize = 64;
/// Longest message, remedy or refusal message kept, in bytes (per language).
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// Whether `c` must not reach a client or a terminal: C0 and C1 control characters (newline and
/// tab too: a reason is one line) and the bidirectional overrides, embeddings, isolates and
/// marks that can make a text read differently from what it says.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Whether `c` is a Unicode bidirectional formatting character (embeddings, overrides,
/// isolates and the implicit marks): the one definition the host's input rules and its
/// cleaning of plugin texts share.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// `text` without unsafe characters, cut at a character boundary to at most `max` bytes (with
/// `…` marking the cut). Allocates only when something changes.
pub fn clean(text: &mut String, max: usize) {
    if text.len() <= max && !text.chars().any(is_unsafe) {
        return;
    }
    let mut out = String::with_capacity(text.len().min(max));
    for c in text.chars().filter(|&c| !is_unsafe(c)) {
        if out.len() + c.len_utf8() > max.saturating_sub('…'.len_utf8()) {
            out.push('…');
            break;
        }
        out.push(c);
    }
    *text = out;
}

/// [`clean`] on a copy.
pub fn cleaned(text: &str, max: usize) -> String {
    let mut text = text.to_owned();
    clean(&mut text, max);
    text
}

/// Guest output (what a plugin printed) made safe to log and show: control characters other
/// than newline and tab replaced by `�`, direction overrides removed.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\t' => Some(c),
            c if c.is_control() => Some('\u{FFFD}'),
            c if is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_escape_codes_and_overrides() {
        assert_eq!(
            cleaned("ok\u{1b}[31m red\u{0}\u{202E}evil\u{2066}", 100),
            "ok[31m redevil"
        );
        assert_eq!(cleaned("baris\nbaru\ttab", 100), "barisbarutab");
    }

    #[test]
    fn keeps_safe_text_as_it_is() {
        let text = "Pola kerja 3-2 diizinkan <b>—</b> “ok”";
        assert_eq!(cleaned(text, 1000), text);
    }

    #[test]
    fn cuts_at_a_character_boundary() {
        let cut = cleaned(&"é".repeat(1000), 11);
        assert!(cut.len() <= 11, "{cut}");
        assert!(cut.ends_with('…'));
        assert!(cut.starts_with("éééé"));
    }

    #[test]
    fn printable_keeps_lines() {
        assert_eq!(printable("a\nb\u{1b}c\u{202E}"), "a\nb\u{FFFD}c");
    }
}
