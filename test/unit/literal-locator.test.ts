import { buildSchema, parse, validate } from 'graphql';
import { isLiteralError, literalField } from '../../src/errors/literal.locator';

const schema = buildSchema(`
  enum S { A B }
  input Inner { n: Int }
  input O { n: Int, l: [Int], s: S, inner: Inner, list: [Inner] }
  type Query { f(input: O, x: Int): Int }
`);
const errorsOf = (query: string) => validate(schema, parse(query));

describe('a validation error on a literal in the query: its input path', () => {
  it.each([
    ['{ f(input: {n: 1.5}) }', 'n'],
    ['{ f(input: {l: [1, 2.5]}) }', 'l[1]'],
    ['{ f(input: {inner: {n: "x"}}) }', 'inner.n'],
    ['{ f(input: {list: [{n: 1}, {n: true}]}) }', 'list[1].n'],
    ['{ f(x: "a") }', 'x'],
    ['{ f(input: {s: C}) }', 's'],
    ['{ f(input: {zz: 1}) }', 'zz'],
  ])('%s → %s', (query, field) => {
    const [error] = errorsOf(query);
    expect(isLiteralError(error)).toBe(true);
    expect(literalField(error)).toBe(field);
  });

  it('errors that are not about a literal are not literal errors', () => {
    const [unknownField] = errorsOf('{ nope }');
    const [badVariable] = errorsOf('query($v: String) { f(x: $v) }');
    for (const error of [unknownField, badVariable]) {
      expect(isLiteralError(error)).toBe(false);
      expect(literalField(error)).toBeUndefined();
    }
  });

  it('a literal outside any argument (a variable default) has no field', () => {
    const [error] = errorsOf('query($v: Int = "x") { f(x: $v) }');
    expect(isLiteralError(error)).toBe(true);
    expect(literalField(error)).toBeUndefined();
  });
});
