import { parseDateTime } from '../../src/graphql/common/date-time.parser';

describe('provider timestamps: RFC 3339 date-times or nothing', () => {
  it.each([
    ['2024-01-02T10:00:00Z', '2024-01-02T10:00:00.000Z'],
    ['2024-01-02t10:00:00z', '2024-01-02T10:00:00.000Z'],
    ['2024-01-02 10:00:00Z', '2024-01-02T10:00:00.000Z'],
    ['2024-01-02T10:00:00.123456789Z', '2024-01-02T10:00:00.123Z'],
    ['2024-01-02T10:00:00-05:30', '2024-01-02T15:30:00.000Z'],
    ['2024-01-02T00:10:00+05:30', '2024-01-01T18:40:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    // A leap second is the instant after 23:59:59.999, as POSIX time counts it.
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '1',
    '12',
    'Tuesday 5',
    // No zone: the provider's local time, which the gateway cannot know (new Date would use the host's).
    '2024-01-02T10:00:00',
    '2024-01-02 10:00:00',
    '2024-01-02',
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-02T24:00:00Z',
    '2024-01-02T10:60:00Z',
    '2024-01-02T10:00:00+24:00',
    'Tue, 02 Jan 2024 10:00:00 GMT',
    '',
  ])('%p is no date-time: undefined, shown as null', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });
});
