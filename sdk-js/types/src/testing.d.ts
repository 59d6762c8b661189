import { Params } from './params.js';
/** The evaluation date of the samples: the first working day of 2027-Q1. */
export declare function today(): {
    year: number;
    month: number;
    day: number;
};
/**
 * A PNS data analyst in box 9 (Sangat Baik, high potential), five years of service, clean
 * record — with the texts the sandbox does not pass left empty.
 * @returns {import('./types.js').Employee}
 */
export declare function employee(): import('./types.js').Employee;
/**
 * A 2027-Q1 application for 2 days anywhere, target above baseline, approved by the supervisor
 * — `id`, `workPlan` and the approver's NIP empty, as in the sandbox.
 * @returns {import('./types.js').Application}
 */
export declare function application(): import('./types.js').Application;
/**
 * A configured plugin instance of `policy`, called as the host calls it: every employee and
 * application crosses the contract's boundary first, so the rules see what the sandbox shows
 * them. Answers come back in the SDK's shapes; a refusal is thrown as a PolicyError.
 * @param {import('./policy.js').PolicyDefinition} policy
 * @param {Params} [params]
 * @param {import('./date.js').DwaDate} [date]
 */
export declare function instance(policy: import('./policy.js').PolicyDefinition, params?: Params, date?: import('./date.js').DwaDate): {
    info: () => {
        region: string;
        name: string;
        version: string;
        contract: string;
    };
    /** @returns {import('./types.js').Eligibility} */
    evaluate: (e: any, a: any) => import('./types.js').Eligibility;
    /** @returns {import('./types.js').Verdict} */
    decide: (e: any, a: any) => import('./types.js').Verdict;
    evaluateBatch: (items: any) => any;
    decideBatch: (items: any) => any;
    allocate: (request: any) => any;
};
/**
 * Paired passing and failing cases for every baseline gate, at the boundaries, under the
 * province's parameters (rules/32-jabar.toml: `light_penalty_lookback_months = 6`,
 * `max_rating_age_years = 1`) — the Rust SDK's `testing::baseline_gate_cases()`.
 * @returns {{gate: string, label: string, passes: boolean, apply: (e: import('./types.js').Employee, a: import('./types.js').Application) => void}[]}
 */
export declare function baselineGateCases(): {
    gate: string;
    label: string;
    passes: boolean;
    apply: (e: import('./types.js').Employee, a: import('./types.js').Application) => void;
}[];
/**
 * Check that `decide` gives exactly the outcome of `evaluate` for every gate case, every pair of
 * them and each requested pattern 0–5, and that `decideBatch` agrees with `decide`; returns how
 * many inputs were compared. Throws on the first disagreement, naming the cases.
 * @param {import('./policy.js').PolicyDefinition} policy
 * @param {ReturnType<typeof baselineGateCases>} cases
 * @param {Params} params
 * @param {(e: import('./types.js').Employee) => void} [prepare]
 */
export declare function assertDecideAgreesWithEvaluate(policy: import('./policy.js').PolicyDefinition, cases: ReturnType<typeof baselineGateCases>, params: Params, prepare?: (e: import('./types.js').Employee) => void): number;
