import { href, parseRoute, type Route } from './router';

describe('router', () => {
  it.each<Route>([
    { page: 'home' },
    { page: 'child', childId: '6a2f0c1e-0000-4000-8000-000000000001' },
    { page: 'login', deviceId: '6a2f0c1e-0000-4000-8000-000000000002', login: 'ana.b' },
    { page: 'usage' },
    { page: 'activity' },
    { page: 'devices' },
    { page: 'accounts' },
  ])('reads back what it writes: %o', (route) => {
    expect(parseRoute(href(route))).toEqual(route);
  });

  it('sends anything it does not know, or cannot decode, to the dashboard', () => {
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#/nope')).toEqual({ page: 'home' });
    expect(parseRoute('#/child')).toEqual({ page: 'home' });
    expect(parseRoute('#/child/%E0%A4%A')).toEqual({ page: 'home' });
    expect(parseRoute('#/pc/only-one')).toEqual({ page: 'home' });
  });
});
