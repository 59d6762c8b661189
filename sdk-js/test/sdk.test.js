// The SDK's own unit tests (node --test): the helpers ported from the Rust SDK, on the cases
// the Rust SDK's unit tests use, and the guest glue as the host calls it. The whole baseline is
// compared with the Rust one on generated cases by host/cli/tests/plugins_js.rs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Params, PolicyError, Reason, awayCapacity, codes, daysSinceEpoch, decideBaseline, definePolicy, evaluateBaseline,
  exportPolicy, formatNumber, fromDaysSinceEpoch, minusMonths, monthsSince, newDate, parseDate, parseNip,
  parseQuarter, pluginInfo, skpRating, standardAllocation, talentBox, verdictOf,
} from '../index.js';
import { application, assertDecideAgreesWithEvaluate, baselineGateCases, employee, instance, today } from '../src/testing.js';

test('dates: epoch days round trip, month arithmetic clamps, quarters parse', () => {
  for (const days of [-300000, -1, 0, 1, 10957, 20000, 60000]) assert.equal(daysSinceEpoch(fromDaysSinceEpoch(days)), days);
  assert.equal(daysSinceEpoch(newDate(2000, 1, 1)), 10957);
  const d = newDate(2027, 3, 31);
  assert.deepEqual(minusMonths(d, 1), newDate(2027, 2, 28));
  assert.equal(monthsSince(d, newDate(2026, 3, 31)), 12);
  assert.equal(monthsSince(d, newDate(2026, 4, 1)), 11);
  assert.throws(() => parseDate('2027-02-29'));
  assert.deepEqual(parseDate('2028-02-29'), newDate(2028, 2, 29));
  for (const bad of ['+202-Q1', '2027-Q5', '2027-Q+']) assert.throws(() => parseQuarter(bad));
});

test('NIP: a real one parses, each kind of error is named', () => {
  const nip = parseNip('198503122010012003');
  assert.deepEqual([nip.birthDate, nip.appointedYear, nip.appointedMonth, nip.sex, nip.sequence], [newDate(1985, 3, 12), 2010, 1, 'female', 3]);
  const kind = (text) => { try { parseNip(text); return 'ok'; } catch (e) { return e.kind; } };
  assert.equal(kind('1985031220100120'), 'length');
  assert.equal(kind('19850312201001200X'), 'not_digits');
  assert.equal(kind('198502302010012003'), 'birth_date');
  assert.equal(kind('198503121995012003'), 'appointment');
  assert.equal(kind('198503122010013003'), 'sex');
  assert.equal(kind('198503122010011000'), 'sequence');
});

test('talent box and SKP rating matrix', () => {
  const boxes = [];
  for (const p of ['above', 'meets', 'below']) for (const q of ['high', 'medium', 'low']) boxes.push(talentBox(p, q));
  assert.deepEqual(boxes.sort(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(skpRating('meets', 'below'), 'kurang');
});

test('parameters keep their kind: a whole number is a BigInt, and errors quote it as Rust does', () => {
  const p = new Params({ cap: 4n, share: 0.5, name: 'x' });
  assert.equal(p.integerOr('cap', 0, [0, 5]), 4);
  assert.throws(() => p.integerOr('cap', 0, [0, 3]), { code: 'BAD_PARAMETER', message: 'parameter `cap` = 4 is outside 0..=3' });
  assert.throws(() => p.integerOr('share', 0, [0, 5]), { message: 'parameter `share` must be a whole number, found Number(0.5)' });
  assert.equal(p.numberOr('cap', 0, [0, 5]), 4);
  assert.equal(p.integerOr('missing', 7, [0, 9]), 7);
  assert.throws(() => p.textList('name'), { message: 'parameter `name` must be a list of texts, found Text("x")' });
  let reads = 0;
  const read = () => { reads += 1; return 42; };
  assert.equal(p.memo('mine', read) + p.memo('mine', read), 84);
  assert.equal(reads, 1, 'kept with the parameters');
});

test('numbers read like the Rust SDK prints them', () => {
  assert.deepEqual([70, 70.5, 1e21, 1e-7, -0, NaN, Infinity].map(formatNumber),
    ['70', '70.5', '1000000000000000000000', '0.0000001', '-0', 'NaN', 'inf']);
});

test('every baseline gate passes and fails on its boundary, and decide agrees with evaluate', () => {
  const params = new Params({ light_penalty_lookback_months: 6n, max_rating_age_years: 1n });
  for (const c of baselineGateCases()) {
    const e = employee();
    const a = application();
    c.apply(e, a);
    const out = evaluateBaseline(e, a, params, today());
    const reason = out.reasons.find((r) => r.code === c.gate);
    assert.ok(reason, `${c.label}: no reason`);
    assert.equal(reason.passed, c.passes, c.label);
    assert.equal(out.eligible, c.passes, c.label);
    assert.deepEqual(decideBaseline(e, a, params, today()), verdictOf(out), c.label);
  }
  const policy = definePolicy({ info: () => pluginInfo('3273', 'Kota Bandung', '0.1.0') });
  assert.ok(assertDecideAgreesWithEvaluate(policy, baselineGateCases(), params) > 1000);
});

test('the guest glue: configure first, a PolicyError is the contract error, batches answer each item', () => {
  const rules = exportPolicy({ info: () => pluginInfo('3273', 'Kota Bandung', '0.1.0') });
  assert.deepEqual(rules.info(), { region: '3273', name: 'Kota Bandung', version: '0.1.0', contract: '0.3.0' });
  const plugin = instance({ info: () => pluginInfo('3273', 'Kota Bandung', '0.1.0') });
  const a = application();
  a.requestedRemoteDays = 4;
  const out = plugin.evaluate(employee(), a);
  assert.equal(out.eligible, true);
  assert.equal(out.maxRemoteDays, 4);
  assert.deepEqual(out.approvalsRequired, ['supervisor']);
  a.requestedRemoteDays = 6;
  assert.throws(() => plugin.evaluate(employee(), a), (e) => e instanceof PolicyError && e.code === 'BAD_INPUT');
  const [good, bad] = plugin.decideBatch([[employee(), application()], [employee(), a]]);
  assert.equal(good.eligible, true);
  assert.ok(bad instanceof PolicyError);
  const wrong = new Params({ max_remote_days: 9n });
  assert.throws(() => instance({ info: () => pluginInfo('3273', 'Kota Bandung', '0.1.0'), configure: (p) => p.integerOr('max_remote_days', 4, [0, 5]) }, wrong),
    { code: 'BAD_PARAMETER' });
});

test('the rules see what the sandbox passes: texts the contract does not carry are empty', () => {
  let seen;
  const plugin = instance({
    info: () => pluginInfo('3273', 'Kota Bandung', '0.1.0'),
    evaluate: (e, a, params, day) => { seen = [e, a]; return evaluateBaseline(e, a, params, day); },
  });
  const e = { ...employee(), nip: '198503122010012003', name: 'Siti', region: '3273', unit: 'BAPPEDA-DATA' };
  const a = { ...application(), id: 'app-1', workPlan: 'Analisis' };
  plugin.evaluate(e, a);
  assert.deepEqual([seen[0].nip, seen[0].name, seen[0].region, seen[0].unit, seen[1].id, seen[1].workPlan], ['', '', '', '', '', '']);
  assert.equal(seen[1].approvals[0].byNip, '');
});

test('the standard allocator keeps the office share and says QUOTA_FULL with the unit\'s figures', () => {
  assert.deepEqual([awayCapacity(10, 0.5), awayCapacity(9, 0.5), awayCapacity(1, 0.5), awayCapacity(10, 0)], [5, 4, 0, 10]);
  const candidate = (i) => ({ applicationId: `app-${i}`, nip: `nip-00${i}`, requestedRemoteDays: 4, maxRemoteDays: 4, priority: 1, serviceMonths: 0, previousQuarter: { tag: 'none' } });
  const grants = standardAllocation({ unit: 'U1', quarter: { year: 2027, number: 2 }, headcount: 4, candidates: [candidate(3), candidate(1), candidate(2)] }, new Params());
  assert.deepEqual(grants.map((g) => [g.nip, g.remoteDays]), [['nip-001', 4], ['nip-002', 4], ['nip-003', 2]]);
  const reason = grants[2].reasons[0];
  assert.equal(reason.code, 'QUOTA_FULL');
  for (const figure of ['4 staff', 'at least 2', '10 days anywhere', 'granted 2 of 4']) assert.ok(reason.message.en.includes(figure), reason.message.en);
  assert.ok(reason.remedy);
  assert.ok(Reason.pass('X', 'a', 'b').withRemedy('c', 'd').remedy === undefined, 'no remedy on a passed gate');
  assert.equal(codes.PATTERN, 'PATTERN');
});
