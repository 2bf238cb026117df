export * from './errors';
export * from './operations';
export * from './user-state';
export * from './userinfo-parser';
export * from './verify';
