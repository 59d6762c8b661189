/** Why a text is not a valid NIP; `kind` says which part is wrong. */
export declare class NipError extends Error {
    kind: "appointment" | "birth_date" | "length" | "not_digits" | "sequence" | "sex";
    /**
     * @param {'length' | 'not_digits' | 'birth_date' | 'appointment' | 'sex' | 'sequence'} kind
     * @param {string} message
     */
    constructor(kind: 'length' | 'not_digits' | 'birth_date' | 'appointment' | 'sex' | 'sequence', message: string);
}
/**
 * Parse and validate an 18-digit NIP; throws a {@link NipError} saying what is wrong.
 * @param {string} text
 * @returns {{birthDate: import('./date.js').DwaDate, appointedYear: number, appointedMonth: number,
 *   sex: 'male' | 'female', sequence: number}}
 */
export declare function parseNip(text: string): {
    birthDate: import('./date.js').DwaDate;
    appointedYear: number;
    appointedMonth: number;
    sex: 'male' | 'female';
    sequence: number;
};
