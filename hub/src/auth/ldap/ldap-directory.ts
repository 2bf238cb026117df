import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, InvalidCredentialsError, NoSuchObjectError, SizeLimitExceededError } from 'ldapts';
import fs from 'node:fs';
import tls from 'node:tls';
import type { HubConfig, LdapConfig } from '../../config/hub-config';
import { HUB_CONFIG } from '../../config/tokens';
import { fillFilter, normalizeDn } from './ldap-filter';

/** A person the directory vouched for: their entry and the groups it is a member of (normalised DNs). */
export interface DirectoryPerson {
  dn: string;
  groups: string[];
}

/** The directory could not be asked (down, unreachable, TLS, refused the service account): not the person's fault. */
export class DirectoryUnavailableError extends Error {
  override readonly name = 'DirectoryUnavailableError';
}

/**
 * The LDAP directory as a sign-in method: the only code that talks LDAP. One short-lived connection per
 * sign-in for the searches (as the service account, or anonymous) and one for the person's own bind, so the
 * group search never runs with the person's rights and nothing is left bound between sign-ins.
 */
@Injectable()
export class LdapDirectory {
  private readonly logger = new Logger(LdapDirectory.name);
  private tlsOptions: tls.ConnectionOptions | null = null;

  constructor(@Inject(HUB_CONFIG) private readonly hubConfig: HubConfig) {}

  /**
   * Checks a username and password against the directory: null for an unknown person, an ambiguous one (the
   * filter matched several entries) or a wrong password. Throws DirectoryUnavailableError when the directory
   * cannot answer.
   */
  async authenticate(username: string, password: string): Promise<DirectoryPerson | null> {
    const config = this.config();
    // An empty password is an "unauthenticated bind" (RFC 4513 §5.1.2) that many servers answer with success:
    // refused here, before anything is sent.
    if (password === '' || username === '') return null;
    const search = await this.searcher(config);
    try {
      const dn = await this.findPerson(config, search, username);
      if (dn === null) return null;
      if (!(await this.checkPassword(config, dn, password))) return null;
      return { dn: normalizeDn(dn), groups: await this.groups(config, search, dn) };
    } finally {
      await this.close(search);
    }
  }

  /**
   * The groups of a person signed in before, read with the service account (no password needed): how a
   * renewal learns that someone left a group, or the directory. null when their entry is gone.
   */
  async groupsOf(dn: string): Promise<string[] | null> {
    const config = this.config();
    const search = await this.searcher(config);
    try {
      const exists = await this.step(config, 'reading the person', async () => {
        try {
          const { searchEntries } = await search.search(dn, {
            scope: 'base',
            filter: '(objectClass=*)',
            attributes: ['1.1'],
            timeLimit: Math.ceil(config.timeoutMs / 1000),
          });
          return searchEntries.length === 1;
        } catch (error) {
          if (error instanceof NoSuchObjectError) return false;
          throw error;
        }
      });
      return exists ? await this.groups(config, search, dn) : null;
    } finally {
      await this.close(search);
    }
  }

  /** A connection for searches, bound as the service account (or anonymous). */
  private async searcher(config: LdapConfig): Promise<Client> {
    const client = await this.connect(config);
    try {
      await this.step(config, 'binding as the service account', async () => {
        if (config.bindDn !== null) await client.bind(config.bindDn, config.bindPassword ?? '');
      });
      return client;
    } catch (error) {
      await this.close(client);
      throw error;
    }
  }

  private groups(config: LdapConfig, client: Client, dn: string): Promise<string[]> {
    return this.step(config, 'searching groups', async () => {
      const { searchEntries } = await client.search(config.searchBase, {
        scope: 'sub',
        filter: fillFilter(config.groupFilter, '{dn}', dn),
        attributes: ['1.1'],
        timeLimit: Math.ceil(config.timeoutMs / 1000),
      });
      return searchEntries.map((entry) => normalizeDn(entry.dn));
    });
  }

  private async findPerson(config: LdapConfig, client: Client, username: string): Promise<string | null> {
    const filter = fillFilter(config.userFilter, '{username}', username);
    const entries = await this.step(config, 'searching the person', async () => {
      try {
        const { searchEntries } = await client.search(config.searchBase, {
          scope: 'sub',
          filter,
          attributes: ['1.1'],
          sizeLimit: 2,
          timeLimit: Math.ceil(config.timeoutMs / 1000),
        });
        return searchEntries;
      } catch (error) {
        if (error instanceof SizeLimitExceededError) return [null, null];
        throw error;
      }
    });
    if (entries.length > 1) {
      this.logger.warn(`LDAP_USER_FILTER matched several entries for "${username}": refused`);
    }
    return entries.length === 1 && entries[0] ? entries[0].dn : null;
  }

  /** The person's own bind, on a connection of its own that is closed right after. */
  private async checkPassword(config: LdapConfig, dn: string, password: string): Promise<boolean> {
    const client = await this.connect(config);
    try {
      return await this.step(config, 'checking the password', async () => {
        try {
          await client.bind(dn, password);
          return true;
        } catch (error) {
          if (error instanceof InvalidCredentialsError) return false;
          throw error;
        }
      });
    } finally {
      await this.close(client);
    }
  }

  private async connect(config: LdapConfig): Promise<Client> {
    return this.step(config, 'connecting', async () => {
      const client = new Client({
        url: config.url,
        timeout: config.timeoutMs,
        connectTimeout: config.timeoutMs,
        tlsOptions: this.tls(config),
      });
      // Before any bind: a password never crosses an unencrypted ldap:// connection when StartTLS is on.
      if (config.startTls) {
        try {
          await client.startTLS(this.tls(config));
        } catch (error) {
          await this.close(client);
          throw error;
        }
      }
      return client;
    });
  }

  /** Runs one directory operation; anything but an answer becomes DirectoryUnavailableError, logged with its cause. */
  private async step<T>(config: LdapConfig, what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const cause = describe(error);
      this.logger.error(`LDAP directory ${config.url} failed while ${what}: ${cause}`);
      const hint =
        error instanceof InvalidCredentialsError
          ? 'it refused the hub’s service account (check LDAP_BIND_DN and LDAP_BIND_PASSWORD)'
          : cause;
      throw new DirectoryUnavailableError(hint);
    }
  }

  private async close(client: Client): Promise<void> {
    try {
      await client.unbind();
    } catch (error) {
      this.logger.debug(`Closing the LDAP connection: ${describe(error)}`);
    }
  }

  private tls(config: LdapConfig): tls.ConnectionOptions {
    if (!this.tlsOptions) {
      // The CA is added to the system's, not put in their place: a public certificate keeps working.
      this.tlsOptions = config.tlsCaFile
        ? { ca: [...tls.rootCertificates, fs.readFileSync(config.tlsCaFile, 'utf8')] }
        : {};
    }
    return this.tlsOptions;
  }

  private config(): LdapConfig {
    if (!this.hubConfig.ldap) throw new DirectoryUnavailableError('Signing in with LDAP is not set up');
    return this.hubConfig.ldap;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = error.message || error.name;
    return code && !message.includes(String(code)) ? `${message} (${code})` : message;
  }
  return String(error);
}
