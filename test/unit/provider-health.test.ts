import { ProviderErrorCode } from '../../src/domain';
import { ProviderHealthBook } from '../../src/identity/provider-health.book';

const fail = (code: ProviderErrorCode) => ({ kind: 'failed' as const, failure: { code, message: 'm', retryable: false } });

describe('passive provider health', () => {
  it('unknown until a call; outages degrade; a rejection of the input is neither an outage nor a success', () => {
    const book = new ProviderHealthBook();
    expect(book.snapshot('p')).toEqual({ state: 'UNKNOWN', consecutiveFailures: 0 });
    book.record('p', fail(ProviderErrorCode.UNAVAILABLE));
    book.record('p', fail(ProviderErrorCode.TIMEOUT));
    expect(book.snapshot('p')).toMatchObject({ state: 'DEGRADED', consecutiveFailures: 2, lastFailureCode: 'TIMEOUT' });
    book.record('p', fail(ProviderErrorCode.BAD_REQUEST));
    expect(book.snapshot('p')).toMatchObject({ state: 'HEALTHY', consecutiveFailures: 0 });
    expect(book.snapshot('p').lastSuccessAt).toBeUndefined();
    book.record('p', { kind: 'created', entity: { id: '1' }, credentials: [] });
    expect(book.snapshot('p').lastSuccessAt).toEqual(expect.any(String));
  });
});
