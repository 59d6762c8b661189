import { Reason } from './reason.js';
/** Whether the catalogue marks the employee's position as qualifying. */
export declare function positionPasses(employee: any): boolean;
/** The position gate with its reason. */
export declare function positionGate(employee: any): Reason;
