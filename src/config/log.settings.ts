import { ConfigError, type ConfigProblem } from './config.error';

/** pino's levels: any other LOG_LEVEL makes pino throw at start. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  readonly level: LogLevel;
  /** Absent: pretty on a terminal, JSON otherwise. */
  readonly format?: LogFormat;
}

type Env = Readonly<Record<string, string | undefined>>;

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);

/** LOG_LEVEL and LOG_FORMAT, checked like the rest of the configuration (an empty variable counts as unset). */
export function logSettingsProblems(env: Env): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { LOG_LEVEL: level, LOG_FORMAT: format } = env;
  if (level && !isOneOf(LOG_LEVELS, level)) problems.push({ path: 'LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}` });
  if (format && !isOneOf(LOG_FORMATS, format)) problems.push({ path: 'LOG_FORMAT', message: `must be one of ${LOG_FORMATS.join(', ')}` });
  return problems;
}

/** The logger's settings from the environment; a ConfigError (exit 2 in main) when either variable is invalid. */
export function logSettingsFromEnv(env: Env = process.env): LogSettings {
  const problems = logSettingsProblems(env);
  if (problems.length) throw new ConfigError(problems);
  return { level: (env.LOG_LEVEL || 'info') as LogLevel, format: (env.LOG_FORMAT || undefined) as LogFormat | undefined };
}
