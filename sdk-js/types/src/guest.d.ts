/**
 * The `rules` interface for a policy, as componentize-js (and the SDK's native tests) call it.
 * @param {import('./policy.js').PolicyDefinition} definition
 */
export declare function exportPolicy(definition: import('./policy.js').PolicyDefinition): {
    info(): {
        region: string;
        name: string;
        version: string;
        contract: string;
    };
    configure(params: any, today: any): void;
    evaluate(c: any): {
        eligible: any;
        maxRemoteDays: any;
        approvalsRequired: {
            supervisor: boolean;
            headOfAgency: boolean;
        };
        priority: any;
        reasons: any;
    };
    evaluateBatch(cases: any): any;
    decide(c: any): {
        eligible: any;
        maxRemoteDays: any;
        approvalsRequired: {
            supervisor: boolean;
            headOfAgency: boolean;
        };
        priority: any;
        failed: any[];
    };
    decideBatch(cases: any): any;
    allocate(request: any): any;
};
