import { SetMetadata } from '@nestjs/common';
import type { Role } from '@kidtime/protocol';

export const IS_PUBLIC = 'kidtime:public';
export const ROLES = 'kidtime:roles';
export const NO_API_TOKEN = 'kidtime:no-api-token';

/** Opts a route out of the global JWT guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Restricts a route to these roles. Without it, reads are open to every signed-in account and
 * changes to owners and parents: viewers can never change anything unless a route says so.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/**
 * Closes a route to API tokens, whatever their scope: a token cannot mint tokens or credentials, change a
 * password, manage accounts or sign-ins. Only a person who signed in can.
 */
export const NoApiToken = () => SetMetadata(NO_API_TOKEN, true);

export const BEFORE_SECOND_FACTOR = 'kidtime:before-second-factor';

/**
 * Keeps a route open to an account the household requires a second factor of but that has none yet: who
 * am I, setting it up, passwords, sessions and signing out. Every other route answers 403 until then.
 */
export const OpenBeforeSecondFactor = () => SetMetadata(BEFORE_SECOND_FACTOR, true);
