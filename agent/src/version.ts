declare const AGENT_VERSION: string | undefined;

/** Replaced by the bundler; "dev" when run from source (tests). */
export const agentVersion: string = typeof AGENT_VERSION === 'string' ? AGENT_VERSION : '0.0.0-dev';
