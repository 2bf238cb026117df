import { newEnrollmentCode, normalizeEnrollmentCode } from './enrollment-code';

describe('enrollment codes', () => {
  it('look like XXXX-XXXX-XXXX-XXXX in an unambiguous alphabet and differ every time', () => {
    const codes = new Set(Array.from({ length: 200 }, newEnrollmentCode));
    expect(codes.size).toBe(200);
    for (const code of codes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
  });

  it('forgive case, spaces, dashes and look-alike letters', () => {
    expect(normalizeEnrollmentCode('ab0c-d1ef gh1j-kmno')).toBe(normalizeEnrollmentCode('AB0CD1EFGH1JKMN0'));
    expect(normalizeEnrollmentCode('IL-Oo')).toBe('1100');
  });
});
