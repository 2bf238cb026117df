export * from './api';
export * from './common';
export * from './live';
export * from './messages';
export * from './timekpr';
export * from './validation';
export * from './usage';
export * from './mqtt';
