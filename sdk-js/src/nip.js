// NIP (nipBaru) validation: 18 digits = birth date `YYYYMMDD`, CPNS appointment `YYYYMM`,
// sex `1`/`2`, sequence `NNN` — the Rust SDK's `nip` module. Note that contract 0.3.0 does not
// pass the NIP to `evaluate` or `decide` (it is empty there); the allocator's candidates carry it.

import { newDate } from './date.js';

/** Why a text is not a valid NIP; `kind` says which part is wrong. */
export class NipError extends Error {
  /**
   * @param {'length' | 'not_digits' | 'birth_date' | 'appointment' | 'sex' | 'sequence'} kind
   * @param {string} message
   */
  constructor(kind, message) {
    super(message);
    this.name = 'NipError';
    this.kind = kind;
  }
}

/**
 * Parse and validate an 18-digit NIP; throws a {@link NipError} saying what is wrong.
 * @param {string} text
 * @returns {{birthDate: import('./date.js').DwaDate, appointedYear: number, appointedMonth: number,
 *   sex: 'male' | 'female', sequence: number}}
 */
export function parseNip(text) {
  const length = [...text].length;
  if (length !== 18) {
    throw new NipError('length', `NIP must have 18 digits, found ${length} characters`);
  }
  if (!/^[0-9]{18}$/.test(text)) throw new NipError('not_digits', 'NIP must contain digits only');
  const num = (from, to) => Number(text.slice(from, to));
  const birthDate = newDate(num(0, 4), num(4, 6), num(6, 8));
  if (!birthDate || birthDate.year < 1900) {
    throw new NipError('birth_date', `NIP birth date \`${text.slice(0, 8)}\` is not a real date`);
  }
  const appointedYear = num(8, 12);
  const appointedMonth = num(12, 14);
  if (appointedMonth < 1 || appointedMonth > 12 || appointedYear < birthDate.year + 17) {
    throw new NipError('appointment', `NIP appointment \`${text.slice(8, 14)}\` is not a plausible year and month`);
  }
  const sexDigit = text[14];
  if (sexDigit !== '1' && sexDigit !== '2') {
    throw new NipError('sex', `NIP sex digit must be 1 or 2, found \`${sexDigit}\``);
  }
  const sequence = num(15, 18);
  if (sequence === 0) throw new NipError('sequence', 'NIP sequence number must not be 000');
  return { birthDate, appointedYear, appointedMonth, sex: sexDigit === '1' ? 'male' : 'female', sequence };
}
