import path from 'node:path';
import { ConfigError, loadHubConfig, logLevelsFrom } from './hub-config';

describe('loadHubConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadHubConfig({}, '/srv/kidtime');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/kidtime/data',
      databasePath: path.join('/srv/kidtime/data', 'kidtime.sqlite'),
      logLevel: 'log',
      publicUrl: null,
      jwtSecret: null,
    });
  });

  it('reads and normalises the variables it knows', () => {
    const config = loadHubConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        KIDTIME_DATA_DIR: '/var/lib/kidtime',
        LOG_LEVEL: 'info',
        PUBLIC_URL: 'https://hub.home/',
        ACCESS_TOKEN_TTL: '60',
      },
      '/',
    );
    expect(config).toMatchObject({
      accessTokenTtl: 60,
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/var/lib/kidtime',
      logLevel: 'log',
      publicUrl: 'https://hub.home',
    });
  });

  it('treats blank values as unset', () => {
    expect(loadHubConfig({ PORT: '', LOG_LEVEL: ' ' }).port).toBe(8080);
  });

  it('names every bad variable and its value', () => {
    expect(() => loadHubConfig({ PORT: '80a', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://x' })).toThrow(
      ConfigError,
    );
    try {
      loadHubConfig({ PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT="70000": must be between 0 and 65535');
      expect((error as Error).message).toContain('LOG_LEVEL="loud"');
    }
    expect.assertions(3);
  });

  it('keeps access tokens between 10 seconds and a day', () => {
    expect(loadHubConfig({}).accessTokenTtl).toBe(900);
    expect(() => loadHubConfig({ ACCESS_TOKEN_TTL: '5' })).toThrow(
      'ACCESS_TOKEN_TTL="5": must be at least 10',
    );
    expect(() => loadHubConfig({ ACCESS_TOKEN_TTL: '1.5' })).toThrow('whole number');
  });

  it('refuses a short JWT secret', () => {
    expect(() => loadHubConfig({ KIDTIME_JWT_SECRET: 'short' })).toThrow('KIDTIME_JWT_SECRET');
  });

  it('maps a level to itself and everything more severe', () => {
    expect(logLevelsFrom('warn')).toEqual(['error', 'warn']);
    expect(logLevelsFrom('debug')).toEqual(['error', 'warn', 'log', 'debug']);
  });
});
