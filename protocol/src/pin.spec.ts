import { pinSchema } from './api';

describe('quick PIN rules', () => {
  it.each(['2580', '314159', '97531', '86420', '19283746', '0852'])('accepts %s', (pin) => {
    expect(pinSchema.safeParse(pin).success).toBe(true);
  });

  it.each(['0000', '7777777', '1234', '4567', '6789', '8901', '9876', '3210', '12345678'])(
    'refuses %s: a child guesses it first',
    (pin) => {
      const result = pinSchema.safeParse(pin);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/too easy to guess/);
    },
  );

  it.each(['123', '123456789', '12a4', ' 2580', '2580 ', '', '٢٥٨٠'])('refuses the shape of "%s"', (pin) => {
    expect(pinSchema.safeParse(pin).error?.issues[0]?.message).toBe('must be 4 to 8 digits');
  });
});
