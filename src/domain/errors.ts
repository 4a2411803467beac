/**
 * Errors are values with a kind and a sentence a nurse can act on (STYLE.md).
 * The kinds travel over IPC and HTTP unchanged; stack traces stay in the log.
 */
export const ERROR_KINDS = [
  'not_found',
  'forbidden',
  'invalid',
  'conflict',
  'unauthenticated',
  'locked',
  'rate_limited',
  'internal',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: ErrorKind, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.details = details;
  }

  toJSON(): { kind: ErrorKind; message: string; details?: Record<string, unknown> } {
    return this.details
      ? { kind: this.kind, message: this.message, details: this.details }
      : { kind: this.kind, message: this.message };
  }
}

export const invalid = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('invalid', message, details);
export const conflict = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('conflict', message, details);

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
