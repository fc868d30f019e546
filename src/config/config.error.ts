/** One reason a configuration cannot run: where (`providers.0.tokenEnv`, `LOG_LEVEL`) and why; never a secret's value. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A configuration that cannot run. Carries every problem, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
