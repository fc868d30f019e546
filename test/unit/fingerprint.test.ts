import { canonicalJson, fingerprint } from '../../src/identity/input.fingerprint';

describe('fingerprint', () => {
  it('ignores key order and absent fields', () => {
    expect(fingerprint({ a: 1, b: { c: 2, d: [1, 2] }, e: null }, 'k')).toBe(fingerprint({ b: { d: [1, 2], c: 2 }, a: 1 }, 'k'));
  });

  it('is sensitive to values and array order', () => {
    expect(fingerprint({ a: [1, 2] }, 'k')).not.toBe(fingerprint({ a: [2, 1] }, 'k'));
  });

  it('an options object left empty by nulls, or sent empty, is the same as leaving it out; an empty list is not', () => {
    const bare = fingerprint({ spec: { name: 'n', options: {} } }, 'k');
    expect(fingerprint({ spec: { name: 'n', options: { hoop: { subject: null } } } }, 'k')).toBe(bare);
    expect(fingerprint({ spec: { name: 'n', options: { hoop: {} } } }, 'k')).toBe(bare);
    expect(fingerprint({ spec: { name: 'n', options: { hoop: { groups: [] } } } }, 'k')).not.toBe(bare);
  });

  it('replaces secrets by an HMAC: the canonical text never holds a password', () => {
    const text = canonicalJson({ spec: { hoop: { password: 'hunter2-secret' } } }, 'key');
    expect(text).not.toContain('hunter2-secret');
    expect(text).toMatch(/"password":"hmac:[0-9a-f]{64}"/);
    expect(fingerprint({ password: 'a' }, 'key1')).not.toBe(fingerprint({ password: 'a' }, 'key2'));
    expect(fingerprint({ password: 'a' }, 'key1')).not.toBe(fingerprint({ password: 'b' }, 'key1'));
  });
});
