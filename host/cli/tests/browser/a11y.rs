//! Checks run inside the browser over the rendered DOM: a `lang` attribute, every form control
//! labelled, one `h1`, text contrast of at least 4.5:1 (WCAG 2 relative luminance, each text's
//! colour against the first opaque background behind it), no horizontal scrolling, and the
//! page's size; and screenshots of the pages as PNG.

use super::harness::Browser;

/// What the in-page check found.
#[derive(Debug)]
pub struct Audit {
    /// Problems, one line each (empty when the page passes).
    pub problems: Vec<String>,
    /// Text nodes whose contrast was measured.
    pub texts_checked: u64,
    /// The HTML's size in bytes, as served.
    pub bytes: u64,
}

const CHECK: &str = r#"
const done = arguments[0];
const problems = [];
if (!document.documentElement.lang) problems.push('no lang attribute on <html>');
if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
  const label = el.id && document.querySelector('label[for="' + el.id + '"]');
  if (!label && !el.getAttribute('aria-label') && !el.closest('label')) problems.push('unlabelled control ' + (el.name || el.id));
}
const rgb = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const background = el => { while (el) { const c = rgb(getComputedStyle(el).backgroundColor); if (c && c.a > 0.5) return c; el = el.parentElement; } return {r: 255, g: 255, b: 255, a: 1}; };
let checked = 0;
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.textContent.trim()) continue;
  const el = node.parentElement;
  if (!el || el.closest('svg')) continue;
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility === 'hidden' || el.getClientRects().length === 0) continue;
  const fg = rgb(cs.color), bg = background(el);
  const l1 = lum(fg), l2 = lum(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  checked++;
  if (ratio < 4.5) problems.push('contrast ' + ratio.toFixed(2) + ' for "' + node.textContent.trim().slice(0, 40) + '"');
}
if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
fetch(location.href).then(r => r.text()).then(html => done({problems, checked, bytes: new TextEncoder().encode(html).length}));
"#;

/// Run the check on the page shown.
pub async fn audit(browser: &Browser) -> Audit {
    let answer = browser.run_async(CHECK).await;
    Audit {
        problems: answer["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect(),
        texts_checked: answer["checked"].as_u64().unwrap(),
        bytes: answer["bytes"].as_u64().unwrap(),
    }
}

/// A PNG of the page shown; also written to `$DWA_SCREENSHOTS/NAME.png` when that is set
/// (`DWA_SCREENSHOTS=docs/screenshots` refreshes the README's pictures).
pub async fn screenshot(browser: &Browser, name: &str) -> Vec<u8> {
    let png = browser.client.screenshot().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    if let Ok(dir) = std::env::var("DWA_SCREENSHOTS") {
        let dir = super::common::root().join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), &png).unwrap();
    }
    png
}
