#!/usr/bin/env node
// The differential check of the JavaScript SDK against the Rust one (issue #23: a second
// implementation of the province baseline must stay equal to the Rust one): reads the cases
// host/cli/tests/plugins_js.rs generates and decides with the Rust SDK — each group a
// configuration (parameters and date) and its cases in the contract's shape, exactly what the
// host sends a plugin — runs them through a JavaScript plugin's interface (`exportPolicy` over
// the baseline and the standard allocator), and compares every answer: eligibility with every
// reason's texts, verdict, decide-batch, allocation, or the error. Prints one summary line and
// the first differences; exits 1 when any answer differs. Not vendored into plugins.
//
// Usage: node tools/differential.js CASES.json

import { readFileSync } from 'node:fs';
import { exportPolicy, pluginInfo } from '../index.js';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rules = exportPolicy({ info: () => pluginInfo('32', 'Differential', '0.0.0') });

// The contract's integer(s64) is a BigInt in JavaScript; JSON carries it as a string.
const params = (list) => list.map(({ name, value }) => ({
  name,
  value: value.tag === 'integer' ? { tag: 'integer', val: BigInt(value.val) } : value,
}));

// An answer as comparable JSON: keys sorted (serde_json writes them sorted), an absent option
// `null` on both sides.
const canonical = (value) => JSON.stringify(value, (_, v) => {
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
});
const answer = (f) => {
  try {
    return { ok: f() };
  } catch (e) {
    if (e && Object.prototype.hasOwnProperty.call(e, 'payload')) return { err: e.payload };
    throw e;
  }
};
const batchAnswer = (r) => (r.tag === 'ok' ? { ok: r.val } : { err: r.val });

let compared = 0;
const differences = [];
const differ = (what, expected, got) => {
  if (canonical(expected) !== canonical(got)) differences.push({ what, expected, got });
};

for (const group of input.groups) {
  const configured = answer(() => rules.configure(params(group.params), group.today));
  differ(`configure ${canonical(group.params)}`, group.configure, configured.err ? { err: configured.err } : { ok: null });
  if (configured.err) continue;
  group.cases.forEach((item, i) => {
    const where = `group ${group.label}, case ${i}: ${canonical(item.case)}`;
    differ(`evaluate, ${where}`, item.evaluate, answer(() => rules.evaluate(item.case)));
    differ(`decide, ${where}`, item.decide, answer(() => rules.decide(item.case)));
    compared += 1;
  });
  const batch = rules.decideBatch(group.cases.map((item) => item.case)).map(batchAnswer);
  batch.forEach((got, i) => differ(`decide-batch, group ${group.label}, case ${i}`, group.cases[i].decide, got));
  for (const allocation of group.allocations ?? []) {
    differ(`allocate ${canonical(allocation.request)}`, allocation.grants, answer(() => rules.allocate(allocation.request)));
    compared += 1;
  }
}

console.log(`differential: ${compared} inputs compared with the Rust SDK, ${differences.length} differences`);
for (const d of differences.slice(0, 5)) {
  console.log(`\n${d.what}\n  rust:       ${canonical(d.expected)}\n  javascript: ${canonical(d.got)}`);
}
process.exit(differences.length === 0 ? 0 : 1);
