import type { TransformFnParams } from 'class-transformer';

/**
 * Query strings arrive as text. These turn exactly `true`/`false` and plain digits into values and
 * leave anything else as it came, so that the validators reject it with a 422 instead of guessing.
 */
export const toBooleanParam = ({ value }: TransformFnParams): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export const toIntParam = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
