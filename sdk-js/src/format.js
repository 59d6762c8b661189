// Number formatting as the Rust SDK prints it, so a JavaScript plugin's reasons read exactly
// like the province's Rust ones (the differential test compares them character for character):
// Rust's `{}` never uses an exponent and prints whole floats without ".0"; its `{:?}` adds the
// ".0"; JavaScript's String() switches to exponents past 1e21 and below 1e-6.

/**
 * A number as Rust's `Display` for f64 prints it: `70`, `70.5`, `NaN`, `inf`, `-0`.
 * @param {number} x
 * @returns {string}
 */
export function formatNumber(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  const text = String(x);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // Shortest round-trip digits with an exponent: write them out in full.
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const point = whole.length + exponent;
  let out;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + out;
}

/**
 * A number as Rust's `Debug` for f64 prints it in the SDK's messages: `4.0`, `0.5`.
 * @param {number} x
 * @returns {string}
 */
export function debugNumber(x) {
  const text = formatNumber(x);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/**
 * A list of texts as Rust's `Debug` prints it: `["A", "B"]`.
 * @param {readonly string[]} items
 * @returns {string}
 */
export function debugList(items) {
  return `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;
}
