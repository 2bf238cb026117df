/**
 * The identity provider's way back into the app: the hub's callback sends the browser to
 * `#/signed-in?code=…&then=#/route` (a one-time code, never a token) or `#/signed-in?error=…`.
 */
export interface OidcLanding {
  /** The one-time code to exchange for the session's tokens. */
  code: string | null;
  /** Why the hub refused the sign-in, to show on the sign-in page. */
  error: string | null;
  /** The screen to show afterwards: one of the app's own routes. */
  then: string;
}

const THEN_PATTERN = /^#\/[A-Za-z0-9_\-./%]{0,150}$/;

export function parseOidcLanding(hash: string): OidcLanding | null {
  const [route, query = ''] = hash.split('?', 2);
  if (route !== '#/signed-in') return null;
  const params = new URLSearchParams(query);
  const then = params.get('then') ?? '#/';
  const given = params.get('code');
  const code = given && /^[A-Za-z0-9_-]{20,100}$/.test(given) ? given : null;
  return {
    code,
    error: params.get('error')?.slice(0, 500) ?? (code ? null : 'The sign-in did not finish; try again.'),
    then: THEN_PATTERN.test(then) && !then.startsWith('#/signed-in') ? then : '#/',
  };
}

/** Where the sign-in button goes: the hub sends the browser on to the provider. */
export function oidcStartUrl(then: string): string {
  const route = THEN_PATTERN.test(then) && !then.startsWith('#/signed-in') ? then : '#/';
  return `/api/auth/oidc/start?then=${encodeURIComponent(route)}`;
}

const STARTED_KEY = 'kidtime.oidcStarted';

/** Notes in this tab that a sign-in at the provider began: only then is a refusal coming back shown. */
export function noteOidcStarted(storage: Storage = sessionStorage): void {
  storage.setItem(STARTED_KEY, '1');
}

/**
 * Whether this tab began the sign-in it is back from (and forgets it): a `#/signed-in?error=…` link from
 * anywhere else must not put someone's words on Kidtime's own sign-in page.
 */
export function takeOidcStarted(storage: Storage = sessionStorage): boolean {
  const started = storage.getItem(STARTED_KEY) === '1';
  storage.removeItem(STARTED_KEY);
  return started;
}
