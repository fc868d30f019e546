import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * JSON logs with every secret-bearing path redacted. Code should not log
 * secrets in the first place; this is the net under it.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'password',
  '*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'token',
  '*.token',
  'clientSecret',
  '*.clientSecret',
  'inviteLink',
  '*.inviteLink',
  'credentials',
  '*.credentials',
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: 'identity-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
