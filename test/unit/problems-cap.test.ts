import { BadUserInputError, MAX_PROBLEMS_SHOWN } from '../../src/errors/gateway.error';

describe('BadUserInputError caps what it reports', () => {
  it('lists the first 20 problems and counts the rest in problemsOmitted', () => {
    const all = Array.from({ length: 35 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));
    const err = new BadUserInputError(all);
    expect(MAX_PROBLEMS_SHOWN).toBe(20);
    expect(err.extensions.problems).toHaveLength(20);
    expect(err.extensions).toMatchObject({ field: 'f0', problemsOmitted: 15 });
    expect(err.message).toMatch(/and 15 more problem\(s\)$/);
    expect(err.message).not.toContain('f20');
  });

  it('says nothing of omissions when there are none', () => {
    expect(new BadUserInputError([{ field: 'name', message: 'bad' }]).extensions).not.toHaveProperty('problemsOmitted');
  });
});
