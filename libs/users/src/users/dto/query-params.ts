import type { TransformFnParams } from 'class-transformer';

/**
 * Query strings arrive as text. These turn exactly `true`/`false` and integers written in plain
 * digits (an optional `-`, at most 15 digits: exact as a number) into values and leave anything else
 * as it came, so that the validators reject it with a 422 instead of guessing. What they read is
 * what the document's `type: integer` / `type: boolean` parameters mean, so a range rule (`min`,
 * `max`) names a value out of range rather than calling `-1` or a long number not an integer.
 */
export const toBooleanParam = ({ value }: TransformFnParams): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export const toIntParam = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value;
