/** Small argument checks shared by the validation modules. */
import { invalidArgTypeError, invalidArgValueError, outOfRangeError } from './errors.js';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function checkSafeInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number') throw invalidArgTypeError(name, 'of type number', value);
  if (!Number.isSafeInteger(value) || value < min) {
    const range = min === -Number.MAX_SAFE_INTEGER ? 'be a safe integer' : `be a safe integer >= ${min}`;
    throw outOfRangeError(name, range, value);
  }
  return value;
}

export function readEnum<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw invalidArgTypeError(name, 'of type string', value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidArgValueError(name, value, `must be one of: ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** An optional boolean: `fallback` when undefined, else it must be a boolean. */
export function readBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgTypeError(name, 'of type boolean', value);
  return value;
}
