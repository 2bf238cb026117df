import { describeHaCommand, parseHaCommand } from './ha-commands';

const p = (s: string) => Buffer.from(s);

describe('parseHaCommand', () => {
  it('reads minutes from buttons and the number entity', () => {
    expect(parseHaCommand('add', p('15'))).toEqual({ op: 'add', seconds: 900 });
    expect(parseHaCommand('subtract', p(' 30 '))).toEqual({ op: 'subtract', seconds: 1800 });
    expect(parseHaCommand('set', p('45.0'))).toEqual({ op: 'set', seconds: 2700 });
    expect(parseHaCommand('set', p('0'))).toEqual({ op: 'set', seconds: 0 });
    expect(parseHaCommand('set', p('1440'))).toEqual({ op: 'set', seconds: 86_400 });
  });

  it('locks whatever the payload says', () => {
    expect(parseHaCommand('lock', p('PRESS'))).toEqual({ op: 'set', seconds: 0 });
    expect(parseHaCommand('lock', Buffer.alloc(0))).toEqual({ op: 'set', seconds: 0 });
  });

  it('refuses anything that is not a sensible number of minutes, saying why', () => {
    for (const [action, payload] of [
      ['add', '0'],
      ['add', '-5'],
      ['set', '1441'],
      ['set', '1e3'],
      ['set', 'NaN'],
      ['set', ''],
      ['add', '15; rm -rf /'],
      ['add', '0x10'],
      ['set', '9'.repeat(40)],
    ] as const) {
      const result = parseHaCommand(action, p(payload));
      expect(typeof result).toBe('string');
    }
    expect(parseHaCommand('set', p('lots\u0000'))).toMatch(
      /"lots\?" is not a number of minutes from 0 to 1440/,
    );
  });

  it('says what was asked as a parent would', () => {
    expect(describeHaCommand({ op: 'add', seconds: 900 }, 'add')).toBe('+15 min');
    expect(describeHaCommand({ op: 'set', seconds: 0 }, 'lock')).toBe('lock now');
    expect(describeHaCommand({ op: 'set', seconds: 600 }, 'set')).toBe('set to 10 min');
  });
});
