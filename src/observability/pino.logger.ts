import pino, { type DestinationStream, type Logger } from 'pino';
import { logSettingsFromEnv, type LogLevel } from '../config/log.settings';

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

/** Throws a ConfigError (exit 2 in main) for a LOG_LEVEL or LOG_FORMAT pino or this function does not know. */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  const settings = logSettingsFromEnv();
  const pretty = !options.destination && wantsPrettyLogs();
  return pino(
    {
      level: options.level ?? settings.level,
      base: { service: 'identity-gateway' },
      // Redaction runs before any transport, so pretty output is redacted too.
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
            },
          }
        : {}),
    },
    options.destination,
  );
}

/** People at a terminal get readable lines; log shippers (a pipe, a container) get JSON. LOG_FORMAT decides when set. */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = process.stdout.isTTY === true): boolean {
  const { format } = logSettingsFromEnv(env);
  return format ? format === 'pretty' : stdoutIsTty;
}
