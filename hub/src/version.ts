// Read at build time from the hub's package.json so the running hub can say which version it is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const HUB_VERSION: string = (require('../package.json') as { version: string }).version;
