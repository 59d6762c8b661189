// The plugin side of the contract: `exportPolicy(policy)` is the object componentize-js exports
// as the `dwa:policy/rules` interface (`export const rules = exportPolicy(...)`). The host
// configures an instance once (`configure`: parameters and the evaluation date) and every later
// call reads that configuration, so a decision carries only its case. A PolicyError becomes the
// contract's `plugin-error`; any other exception is a bug and traps the call, as a Rust panic
// does (the host reports it with the plugin's name and version).

import { caseFromWit, eligibilityToWit, grantToWit, verdictToWit } from './boundary.js';
import { PolicyError } from './errors.js';
import { Params } from './params.js';
import { definePolicy } from './policy.js';

// componentize-js returns a thrown object's own `payload` as a result's error.
function refuse(error) {
  if (error instanceof PolicyError) throw { payload: error.toWit() };
  throw error;
}

const ok = (val) => ({ tag: 'ok', val });
const err = (error) => ({ tag: 'err', val: error.toWit() });

/**
 * The `rules` interface for a policy, as componentize-js (and the SDK's native tests) call it.
 * @param {import('./policy.js').PolicyDefinition} definition
 */
export function exportPolicy(definition) {
  const policy = definePolicy(definition);
  /** @type {{params: Params, today: import('./date.js').DwaDate} | undefined} */
  let config;
  const configured = () => {
    if (config === undefined) throw new PolicyError('NOT_CONFIGURED', 'the host called the plugin before `configure`');
    return config;
  };
  // One call: the configuration, the policy's answer, a PolicyError as the contract's error.
  const call = (f) => {
    try {
      const { params, today } = configured();
      return f(params, today);
    } catch (e) {
      return refuse(e);
    }
  };
  // A batch: a PolicyError refuses one item; an unconfigured instance refuses them all.
  const batch = (cases, run, toWit) => {
    const items = cases.map(caseFromWit);
    let answers;
    try {
      const { params, today } = configured();
      answers = run(items, params, today);
    } catch (e) {
      if (e instanceof PolicyError) return items.map(() => err(e));
      throw e;
    }
    return answers.map((a) => (a instanceof PolicyError ? err(a) : ok(toWit(a))));
  };
  return {
    info() {
      const { region, name, version, contract } = policy.info();
      return { region, name, version, contract };
    },
    configure(params, today) {
      const read = Params.fromWit(params);
      try {
        policy.configure(read);
      } catch (e) {
        refuse(e);
      }
      config = { params: read, today: { year: today.year, month: today.month, day: today.day } };
    },
    evaluate(c) {
      const [e, a] = caseFromWit(c);
      return eligibilityToWit(call((params, today) => policy.evaluate(e, a, params, today)));
    },
    evaluateBatch(cases) {
      return batch(cases, policy.evaluateBatch, eligibilityToWit);
    },
    decide(c) {
      const [e, a] = caseFromWit(c);
      return verdictToWit(call((params, today) => policy.decide(e, a, params, today)));
    },
    decideBatch(cases) {
      return batch(cases, policy.decideBatch, verdictToWit);
    },
    allocate(request) {
      return call((params) => policy.allocate(request, params)).map(grantToWit);
    },
  };
}
