import type { PreparedCall, PrepareResult } from '../../src/domain';

/** The call of a 'ready' result; any other result fails the test with what it was. */
export function readyCall(result: PrepareResult): PreparedCall {
  if (result.kind !== 'ready') throw new Error(`expected a ready call, got ${JSON.stringify(result)}`);
  return result.call;
}
