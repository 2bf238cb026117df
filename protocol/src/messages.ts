import { z } from 'zod';
import { displayNameSchema, isoDateTimeSchema, loginSchema, uuidSchema, versionSchema } from './common';
import { operationSchema } from './timekpr/operations';
import { managedUserStateSchema } from './timekpr/user-state';
import type { UsageMessage } from './usage';

/**
 * Messages between the hub and an agent. The same messages travel over socket.io (events on the `/agents`
 * namespace, each acknowledged) and, later, MQTT topics. Every inbound message is parsed with these schemas.
 */

export const AGENTS_NAMESPACE = '/agents';

/** Sent by the agent after every (re)connect. */
export const helloMessageSchema = z.object({
  agentVersion: versionSchema,
  hostname: displayNameSchema,
  /** Timekpr-nExT version on the PC, null when it could not be determined. */
  timekprVersion: versionSchema.nullable(),
  /** IANA time zone of the PC: day boundaries are the PC's local time. */
  timezone: z.string().min(1).max(64),
  users: z.array(loginSchema).max(200),
});
export type HelloMessage = z.infer<typeof helloMessageSchema>;

/** A read problem for one user, reported instead of silently dropping the user from a state report. */
export const userReadErrorSchema = z.object({ login: loginSchema, error: z.string().max(500) });

/** Sent on connect, after every command and periodically. */
export const stateMessageSchema = z.object({
  at: isoDateTimeSchema,
  users: z.array(managedUserStateSchema).max(200),
  errors: z.array(userReadErrorSchema).max(200).default([]),
});
export type StateMessage = z.infer<typeof stateMessageSchema>;

/** Hub → agent: one change to apply. Persisted by the hub before it is sent; the agent dedupes by id. */
export const commandMessageSchema = z.intersection(
  z.object({
    id: uuidSchema,
    expiresAt: isoDateTimeSchema,
    /**
     * Sent again after a reconnect for a command that has expired meanwhile: report its outcome if it was
     * applied, never apply it now. The hub's clock decides expiry (a child can change the PC's clock).
     */
    replayOnly: z.boolean().optional(),
  }),
  operationSchema,
);
export type CommandMessage = z.infer<typeof commandMessageSchema>;

export const resultErrorSchema = z.object({
  code: z.string().max(64),
  message: z.string().max(1000),
});
export type ResultError = z.infer<typeof resultErrorSchema>;

/** Agent → hub: the outcome of a command, with the state read back from timekpr after applying it. */
export const resultMessageSchema = z.discriminatedUnion('status', [
  z.object({
    id: uuidSchema,
    status: z.literal('ok'),
    data: z.object({
      state: managedUserStateSchema.nullable(),
      /** Applied, but the read-back could not confirm it exactly (e.g. the time was also changed on the PC). */
      warning: z.string().max(1000).optional(),
    }),
  }),
  z.object({
    id: uuidSchema,
    status: z.literal('error'),
    error: resultErrorSchema,
    /** What timekpr reports after the failed attempt, when it could still be read. */
    data: z.object({ state: managedUserStateSchema.nullable() }).optional(),
  }),
]);
export type ResultMessage = z.infer<typeof resultMessageSchema>;

/** Every socket.io event is acknowledged: accepted, or refused with the reason. */
export type Ack = { ok: true } | { ok: false; error: string };
export type AckCallback = (ack: Ack) => void;

export interface AgentToHubEvents {
  hello: (message: HelloMessage, ack: AckCallback) => void;
  state: (message: StateMessage, ack: AckCallback) => void;
  result: (message: ResultMessage, ack: AckCallback) => void;
  usage: (message: UsageMessage, ack: AckCallback) => void;
}

export interface HubToAgentEvents {
  command: (message: CommandMessage, ack: AckCallback) => void;
}

/** socket.io handshake `auth` of an agent. */
export const agentHandshakeSchema = z.object({
  deviceId: uuidSchema,
  secret: z.string().min(20).max(200),
});
export type AgentHandshake = z.infer<typeof agentHandshakeSchema>;
