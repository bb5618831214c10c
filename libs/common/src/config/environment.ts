import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min, validateSync } from 'class-validator';

/**
 * The pieces every app of the family validates its environment with (subpath
 * `@users-service/common/config`): the string-to-value transforms, the settings the apps share
 * (where they listen, their database, the users events on NATS) as property decorators, and the
 * one validation routine. Each app keeps its own Environment class, defaults and error message;
 * nothing here reads `process.env`.
 */

/** `'42'` -> 42; anything else is left for the validator to refuse. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;

/** `true`/`1`/`yes`/`on` and `false`/`0`/`no`/`off`, in any case; anything else is left for the validator. */
export const toBoolean = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/** An empty variable (`FOO=`) means unset. */
export const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** `NODE_ENV`: development, production or test. */
export const IsNodeEnv = (): PropertyDecorator => IsIn(NODE_ENVS);

/** A TCP port, from its string. */
export const IsPort = (): PropertyDecorator => applyDecorators(Transform(toInt), IsInt(), Min(0), Max(65535));

/** A PostgreSQL URL; empty counts as unset (add `@IsOptional()` when unset is allowed). */
export const IsPostgresUrl = (message: string): PropertyDecorator =>
  applyDecorators(Transform(emptyToUndefined), Matches(/^postgres(ql)?:\/\/\S+$/, { message }));

/** `NATS_URL`: one or several comma-separated nats:// or tls:// URLs. */
export const IsNatsServers = (): PropertyDecorator =>
  Matches(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, {
    message: 'NATS_URL must be a nats:// or tls:// URL, or a comma-separated list of them',
  });

/** `NATS_STREAM`: the JetStream stream of the user events. */
export const IsNatsStream = (): PropertyDecorator =>
  Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'NATS_STREAM must be a JetStream stream name (letters, digits, _ and -)',
  });

/** `NATS_SUBJECT_PREFIX`: the events are on `<prefix>.<type>`. */
export const IsNatsSubjectPrefix = (): PropertyDecorator =>
  Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
    message: 'NATS_SUBJECT_PREFIX must be NATS subject tokens separated by dots (e.g. users)',
  });

/**
 * Validates raw variables (strings) into an instance of `type` with its defaults. Only the variables
 * `type` declares are read: the properties of a fresh instance (those with a default) and
 * `optional` (those without). Returns the instance, or one `NAME: why` line per bad variable (the
 * constraint messages, never the value, which may be a secret).
 */
export function validateVariables<T extends object>(
  type: new () => T,
  raw: Record<string, unknown>,
  optional: readonly string[],
): { env: T; problems: string[] } {
  const known = new Set([...Object.keys(new type()), ...optional]);
  const picked = Object.fromEntries(Object.entries(raw).filter(([key]) => known.has(key)));
  const env = plainToInstance(type, picked, { exposeDefaultValues: true });
  const problems = validateSync(env).map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
  return { env, problems };
}
