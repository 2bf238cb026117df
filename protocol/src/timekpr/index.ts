export * from './errors';
export * from './operations';
export * from './playtime';
export * from './schedule';
export * from './settings';
export * from './user-state';
export * from './userinfo-parser';
export * from './verify';
