import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import type { HubConfig, OidcConfig } from '../../config/hub-config';
import { HUB_CONFIG } from '../../config/tokens';
import type { Jwk } from './id-token';

/** The provider cannot be reached, or answers with something that is not OpenID Connect. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** The provider answered, and said no (an expired or reused code, a wrong client secret …). */
export class ProviderRefusedError extends Error {
  override readonly name = 'ProviderRefusedError';
}

const metadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.url().optional(),
  end_session_endpoint: z.url().optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type ProviderMetadata = z.infer<typeof metadataSchema>;

const jwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string() })).max(100) });

const tokenResponseSchema = z.looseObject({
  id_token: z.string().min(1, 'has no id_token'),
  access_token: z.string().optional(),
  token_type: z.string().optional(),
});

const TIMEOUT_MS = 10_000;
/** The discovery document and the keys are read again after this long (providers rotate keys). */
const CACHE_MS = 60 * 60_000;
/** A token naming an unknown key fetches the keys again, but not more often than this (else a flood of forged tokens would). */
const MIN_REFETCH_MS = 10_000;

/**
 * Talks to the identity provider — the only code that does: discovery, keys, the token and userinfo
 * endpoints. Plain fetch and node:crypto (openid-client and jose are ESM-only; the hub is CommonJS).
 */
@Injectable()
export class OidcClient {
  private readonly logger = new Logger(OidcClient.name);
  private metadata: { value: ProviderMetadata; at: number } | null = null;
  private keys: { value: Jwk[]; at: number } | null = null;

  constructor(@Inject(HUB_CONFIG) private readonly hubConfig: HubConfig) {}

  private get config(): OidcConfig {
    if (!this.hubConfig.oidc) throw new Error('OIDC is not configured');
    return this.hubConfig.oidc;
  }

  /** The provider's discovery document, cached for an hour; a failure is not cached, so the next try asks again. */
  async discover(): Promise<ProviderMetadata> {
    if (this.metadata && Date.now() - this.metadata.at < CACHE_MS) return this.metadata.value;
    const issuer = this.config.issuer;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const parsed = metadataSchema.safeParse(await this.getJson(url, 'its discovery document'));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ProviderUnavailableError(
        `the discovery document at ${url} is not OpenID Connect (${issue?.path.join('.')}: ${issue?.message})`,
      );
    }
    if (parsed.data.issuer !== issuer) {
      // The spec wants an exact match; a missing or extra slash is the usual cause, so say so.
      throw new ProviderUnavailableError(
        `the provider calls itself ${JSON.stringify(parsed.data.issuer)}, but OIDC_ISSUER is ${JSON.stringify(issuer)}: set OIDC_ISSUER to exactly the provider's issuer`,
      );
    }
    if (this.metadata === null) this.logger.log(`Identity provider ${issuer} discovered`);
    this.metadata = { value: parsed.data, at: Date.now() };
    return parsed.data;
  }

  /** The provider's signing keys, cached; `refresh` reads them again (at most every few seconds). */
  async signingKeys(refresh: boolean): Promise<Jwk[]> {
    const cached = this.keys;
    const fresh = cached && Date.now() - cached.at < (refresh ? MIN_REFETCH_MS : CACHE_MS);
    if (cached && fresh) return cached.value;
    const { jwks_uri: url } = await this.discover();
    const parsed = jwksSchema.safeParse(await this.getJson(url, 'its signing keys (JWKS)'));
    if (!parsed.success) throw new ProviderUnavailableError(`the signing keys at ${url} are not a JWK set`);
    this.keys = { value: parsed.data.keys, at: Date.now() };
    return this.keys.value;
  }

  /** Where to send the browser: the authorization code flow with PKCE (S256), state and nonce. */
  async authorizationUrl(request: { state: string; nonce: string; challenge: string }): Promise<string> {
    const metadata = await this.discover();
    const challenges = metadata.code_challenge_methods_supported;
    if (challenges && !challenges.includes('S256')) {
      throw new ProviderUnavailableError(
        'the provider does not offer PKCE with S256, which Kidtime needs: switch it on for this client',
      );
    }
    const url = new URL(metadata.authorization_endpoint);
    const params = {
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUrl,
      scope: this.config.scopes.join(' '),
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.challenge,
      code_challenge_method: 'S256',
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  /** Trades the authorization code for tokens at the token endpoint, with the client secret if there is one. */
  async exchangeCode(
    code: string,
    verifier: string,
  ): Promise<{ idToken: string; accessToken: string | null }> {
    const metadata = await this.discover();
    const { clientId, clientSecret, redirectUrl } = this.config;
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUrl,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
    if (clientSecret === null) form.set('client_id', clientId);
    else if (methods.includes('client_secret_basic') || !methods.includes('client_secret_post')) {
      // RFC 6749 §2.3.1: both halves form-encoded before base64.
      const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const response = await this.send(metadata.token_endpoint, 'its token endpoint', {
      method: 'POST',
      headers,
      body: form.toString(),
    });
    const body = await readJson(response).catch(() => null);
    if (!response.ok) {
      const error = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      const description =
        body && typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : '';
      const hint =
        error === 'invalid_client'
          ? '; check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET against the client registered at the provider'
          : '';
      throw new ProviderRefusedError(`the token endpoint refused the code (${error}${description})${hint}`);
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!parsed.success) {
      throw new ProviderUnavailableError(
        `the token endpoint's answer ${parsed.error.issues[0]?.message ?? 'is not a token response'}`,
      );
    }
    return { idToken: parsed.data.id_token, accessToken: parsed.data.access_token ?? null };
  }

  /** The userinfo endpoint's claims about the person, or null when the provider has none. */
  async userinfo(accessToken: string): Promise<Record<string, unknown> | null> {
    const { userinfo_endpoint: url } = await this.discover();
    if (!url) return null;
    const response = await this.send(url, 'its userinfo endpoint', {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    if (!response.ok)
      throw new ProviderRefusedError(`the userinfo endpoint answered HTTP ${response.status}`);
    const body = await readJson(response).catch(() => null);
    if (!body) throw new ProviderUnavailableError('the userinfo endpoint did not answer with JSON claims');
    return body;
  }

  /** The provider's sign-out page for this client, or null when it has none. */
  async endSessionUrl(postLogoutRedirect: string): Promise<string | null> {
    const { end_session_endpoint: endpoint } = await this.discover();
    if (!endpoint) return null;
    const url = new URL(endpoint);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('post_logout_redirect_uri', postLogoutRedirect);
    return url.toString();
  }

  private async getJson(url: string, what: string): Promise<unknown> {
    const response = await this.send(url, what, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new ProviderUnavailableError(`${url} answered HTTP ${response.status}`);
    const body = await readJson(response).catch(() => null);
    if (!body) throw new ProviderUnavailableError(`${url} did not answer with a JSON object`);
    return body;
  }

  private async send(url: string, what: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ProviderUnavailableError(`cannot reach ${what} at ${url} (${reason})`);
    }
  }
}

const MAX_BODY = 1024 * 1024;

async function readJson(response: Response): Promise<Record<string, unknown> | null> {
  const text = await response.text();
  if (text.length > MAX_BODY) return null;
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
