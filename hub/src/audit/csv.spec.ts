import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting and keeps the rest plain', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['plain', 'with, comma'],
          ['say "hi"', 'two\nlines'],
          [null, 42],
        ],
      ),
    ).toBe('a,b\r\nplain,"with, comma"\r\n"say ""hi""","two\nlines"\r\n,42\r\n');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(toCsv(['name'], [['=HYPERLINK("http://x")'], ['+1'], ['-2'], ['@SUM(A1)']])).toBe(
      `name\r\n"'=HYPERLINK(""http://x"")"\r\n'+1\r\n'-2\r\n'@SUM(A1)\r\n`,
    );
  });
});
