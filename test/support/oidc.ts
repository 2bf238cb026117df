/**
 * A real OpenID Connect provider for end-to-end tests (oidc-provider, in its own Node process: the package is
 * ESM-only) on a free loopback port, and a tiny cookie-keeping "browser" to walk the sign-in through it with
 * plain fetch: every redirect is followed by hand, so a test can look at (or tamper with) each step.
 *
 * No dependencies beyond Node built-ins and the provider package; every wait is bounded; the provider is
 * stopped by its own pid.
 */
import path from 'node:path';
import { TestProcess, freePort } from './processes';

/** What the provider says about a test person (the claims its ID token and userinfo give). */
export interface OidcTestAccount {
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
  name?: string;
}

export interface OidcTestClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none';
  id_token_signed_response_alg?: string;
  grant_types?: string[];
  response_types?: string[];
}

export class OidcTestProvider {
  private constructor(
    private readonly process: TestProcess,
    readonly port: number,
  ) {}

  /** `port`: a port chosen beforehand (the hub must be told the issuer before the provider exists). */
  static async start(options: {
    accounts: Record<string, OidcTestAccount>;
    clients: OidcTestClient[];
    port?: number;
  }): Promise<OidcTestProvider> {
    const port = options.port ?? (await freePort());
    const script = path.join(__dirname, 'oidc-provider.mjs');
    const child = TestProcess.start('oidc-provider', process.execPath, [script], {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      OIDC_TEST_PORT: String(port),
      OIDC_TEST_ACCOUNTS: JSON.stringify(options.accounts),
      OIDC_TEST_CLIENTS: JSON.stringify(
        options.clients.map((client) => ({
          grant_types: ['authorization_code'],
          response_types: ['code'],
          ...client,
        })),
      ),
    });
    await child.waitForOutput(/oidc provider listening on/, 15_000);
    return new OidcTestProvider(child, port);
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.process.log;
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

/** One HTTP answer, not followed. */
export interface Step {
  status: number;
  location: string | null;
  body: string;
}

/** A browser as far as sign-in needs: cookies per host (path ignored: both servers are the test's own). */
export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Step> {
    return this.send(url, { method: 'GET' });
  }

  async send(url: string, init: RequestInit): Promise<Step> {
    const host = new URL(url).host;
    const jar = this.jar(host);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    return {
      status: response.status,
      location: location ? new URL(location, url).toString() : null,
      body: await response.text(),
    };
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar(host).get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    this.jar(host).set(name, value);
  }

  /**
   * Follows redirects from `url` while they stay on the provider, answering its login page as `account`;
   * returns the first redirect that leaves the provider (to the hub's callback), or fails saying where it
   * stopped. At most a dozen hops.
   */
  async throughProvider(url: string, provider: OidcTestProvider, account: string): Promise<string> {
    let next = url;
    for (let hop = 0; hop < 12; hop++) {
      const target = new URL(next);
      if (target.host !== new URL(provider.issuer).host) return next;
      if (/^\/interaction\/[\w-]+$/.test(target.pathname)) target.searchParams.set('account', account);
      const step = await this.get(target.toString());
      if (!step.location) {
        throw new Error(`The provider stopped at ${target} with ${step.status}: ${step.body.slice(0, 500)}`);
      }
      next = step.location;
    }
    throw new Error(`More than a dozen redirects from ${url}`);
  }

  private jar(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map()));
    return jar;
  }
}
