export * from './errors';
export * from './operations';
export * from './schedule';
export * from './user-state';
export * from './userinfo-parser';
export * from './verify';
