import { noteOidcStarted, oidcStartUrl, parseOidcLanding, takeOidcStarted } from './oidc';

describe('parseOidcLanding', () => {
  it('reads the one-time code and where to go afterwards', () => {
    const code = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo';
    expect(parseOidcLanding(`#/signed-in?code=${code}&then=${encodeURIComponent('#/child/7')}`)).toEqual({
      code,
      error: null,
      then: '#/child/7',
    });
  });

  it('reads the reason for a refusal', () => {
    expect(parseOidcLanding(`#/signed-in?error=${encodeURIComponent('Not one Kidtime lets in.')}`)).toEqual({
      code: null,
      error: 'Not one Kidtime lets in.',
      then: '#/',
    });
  });

  it('goes nowhere but the app’s own routes, and ignores other screens', () => {
    expect(parseOidcLanding('#/signed-in?code=short&then=https://evil.example')).toMatchObject({
      code: null,
      then: '#/',
      error: expect.any(String),
    });
    expect(parseOidcLanding('#/signed-in?error=x&then=%23%2Fsigned-in%3Fcode%3Dx')?.then).toBe('#/');
    expect(parseOidcLanding('#/usage')).toBeNull();
    expect(parseOidcLanding('')).toBeNull();
  });
});

describe('oidcStartUrl', () => {
  it('asks the hub to come back to the current screen', () => {
    expect(oidcStartUrl('#/usage')).toBe('/api/auth/oidc/start?then=%23%2Fusage');
    expect(oidcStartUrl('javascript:alert(1)')).toBe('/api/auth/oidc/start?then=%23%2F');
  });
});

describe('a sign-in this tab started', () => {
  const tab = () => {
    const items = new Map<string, string>();
    return {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    } as unknown as Storage;
  };

  it('is known once, after the button was pressed in this tab', () => {
    const storage = tab();
    expect(takeOidcStarted(storage)).toBe(false);
    noteOidcStarted(storage);
    expect(takeOidcStarted(storage)).toBe(true);
    expect(takeOidcStarted(storage)).toBe(false);
  });
});
