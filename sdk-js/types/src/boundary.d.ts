/**
 * The contract's `approvers` flags of a list of approvers.
 * @param {readonly import('./types.js').Approver[]} approvers
 */
export declare function approversToWit(approvers: readonly import('./types.js').Approver[]): {
    supervisor: boolean;
    headOfAgency: boolean;
};
/**
 * The approvers in a set of flags, in contract order.
 * @param {{supervisor?: boolean, headOfAgency?: boolean}} flags
 * @returns {import('./types.js').Approver[]}
 */
export declare function approversFromWit(flags: {
    supervisor?: boolean;
    headOfAgency?: boolean;
}): import('./types.js').Approver[];
/**
 * What the host sends of one application of one employee (the contract's `case`).
 * @param {import('./types.js').Employee} e
 * @param {import('./types.js').Application} a
 */
export declare function caseToWit(e: import('./types.js').Employee, a: import('./types.js').Application): {
    employmentType: import("./types.js").EmploymentType;
    positionKind: import("./types.js").PositionKind;
    echelon: number | undefined;
    publicService: boolean;
    taskCategory: import("./types.js").TaskCategory;
    serviceMonths: number;
    potential: import("./talent.js").Potential;
    unexcusedAbsenceDays: number;
    previousReview: {
        quarter: {
            year: number;
            number: number;
        };
        grantedRemoteDays: number;
        kpiAchieved: boolean;
    } | undefined;
    positionCode: string;
    positionStatus: import("./types.js").PositionStatus;
    agency: string;
    ratings: {
        year: number;
        workResult: import("./talent.js").Expectation;
        workBehaviour: import("./talent.js").Expectation;
    }[];
    penalties: {
        level: import("./types.js").PenaltyLevel;
        start: {
            year: any;
            month: any;
            day: any;
        };
        end: {
            year: any;
            month: any;
            day: any;
        } | undefined;
    }[];
    quarter: {
        year: number;
        number: number;
    };
    requestedRemoteDays: number;
    locationKind: import("./types.js").LocationKind;
    kpiBaseline: number;
    kpiTarget: number;
    approved: {
        supervisor: boolean;
        headOfAgency: boolean;
    };
    rejected: {
        supervisor: boolean;
        headOfAgency: boolean;
    };
};
/**
 * The employee and application a case describes; the texts no rule reads are empty.
 * @returns {[import('./types.js').Employee, import('./types.js').Application]}
 */
export declare function caseFromWit(c: any): [import('./types.js').Employee, import('./types.js').Application];
/** A reason as the contract's `reason` record (a plain object, `remedy` absent when none). */
export declare function reasonToWit(r: any): {
    code: any;
    passed: any;
    message: {
        id: any;
        en: any;
    };
    remedy: {
        id: any;
        en: any;
    } | undefined;
};
/** An Eligibility as the contract's record (approvals as flags). */
export declare function eligibilityToWit(e: any): {
    eligible: any;
    maxRemoteDays: any;
    approvalsRequired: {
        supervisor: boolean;
        headOfAgency: boolean;
    };
    priority: any;
    reasons: any;
};
/** The contract's eligibility as the SDK's (approvals as a list). */
export declare function eligibilityFromWit(e: any): any;
/** A Verdict as the contract's record. */
export declare function verdictToWit(v: any): {
    eligible: any;
    maxRemoteDays: any;
    approvalsRequired: {
        supervisor: boolean;
        headOfAgency: boolean;
    };
    priority: any;
    failed: any[];
};
/** The contract's verdict as the SDK's. */
export declare function verdictFromWit(v: any): any;
/** A Grant as the contract's record. */
export declare function grantToWit(g: any): {
    applicationId: any;
    nip: any;
    remoteDays: any;
    weekdays: any[];
    reasons: any;
};
