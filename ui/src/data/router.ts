/**
 * Screens are addressed by the URL's hash (`#/child/ID`), so the hub serves one page, the back button works,
 * and a parent can bookmark a child's page on the phone's home screen.
 */
export type Route =
  | { page: 'home' }
  | { page: 'child'; childId: string }
  | { page: 'login'; deviceId: string; login: string }
  | { page: 'usage' }
  | { page: 'activity' }
  | { page: 'devices' }
  | { page: 'accounts' };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return '';
      }
    });
  const [page, a, b] = parts;
  if (page === 'child' && a) return { page, childId: a };
  if (page === 'pc' && a && b) return { page: 'login', deviceId: a, login: b };
  if (page === 'usage' || page === 'activity' || page === 'devices' || page === 'accounts') return { page };
  return { page: 'home' };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'home':
      return '#/';
    case 'child':
      return `#/child/${encodeURIComponent(route.childId)}`;
    case 'login':
      return `#/pc/${encodeURIComponent(route.deviceId)}/${encodeURIComponent(route.login)}`;
    default:
      return `#/${route.page}`;
  }
}
