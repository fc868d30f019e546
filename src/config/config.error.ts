/** A configuration that cannot run. Carries every problem, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ path: string; message: string }>) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
