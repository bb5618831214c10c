/** The constraint a unique violation (SQLSTATE 23505) broke, or undefined for any other error. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? error;
  const { code, constraint } = driverError as { code?: string; constraint?: string };
  return code === '23505' ? (constraint ?? '') : undefined;
}
