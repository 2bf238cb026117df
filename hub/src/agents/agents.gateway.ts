import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import {
  AGENTS_NAMESPACE,
  describeZodError,
  helloMessageSchema,
  resultMessageSchema,
  stateMessageSchema,
  usageMessageSchema,
  type Ack,
  type AgentToHubEvents,
  type CommandMessage,
  type HubToAgentEvents,
} from '@kidtime/protocol';
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import { normalizeAddress } from '../common/client-address';
import { SOCKET_SERVER_OPTIONS } from '../common/socket-server-options';
import type { DeviceEntity } from '../devices/device.entity';
import type { AgentLink } from '../devices/device-links';
import { AgentAuthError, AgentSessionsService } from './agent-sessions.service';

/** How long an agent has to acknowledge a command (not to apply it). */
const ACK_TIMEOUT_MS = 5_000;

type AgentSocket = Socket<
  AgentToHubEvents,
  HubToAgentEvents,
  Record<string, never>,
  { device: DeviceEntity; deviceId: string; link: AgentLink }
>;

/**
 * socket.io namespace for agents. The handshake carries the device credential; every event is validated
 * with the protocol schema and acknowledged with `{ok}` or `{ok:false, error}`; nothing an agent sends can
 * throw past this class.
 */
@WebSocketGateway({ ...SOCKET_SERVER_OPTIONS, namespace: AGENTS_NAMESPACE })
export class AgentsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(AgentsGateway.name);

  constructor(private readonly sessions: AgentSessionsService) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const agent = socket as AgentSocket;
      const from = normalizeAddress(socket.handshake.address);
      this.sessions
        .authenticate(socket.handshake.auth, from)
        .then((device) => {
          agent.data.device = device;
          agent.data.deviceId = device.id;
          agent.data.link = socketLink(agent);
          next();
        })
        .catch((error: unknown) => {
          if (!(error instanceof AgentAuthError))
            this.logger.error(`Agent handshake from ${from} failed: ${String(error)}`);
          next(new Error(error instanceof AgentAuthError ? error.message : 'hub error, try again later'));
        });
    });
  }

  handleConnection(socket: AgentSocket): void {
    const { device, link } = socket.data;
    this.sessions.connected(device, link).catch((error: unknown) => {
      this.logger.error(`Recording the connection of device ${device.id} failed: ${String(error)}`);
    });
  }

  handleDisconnect(socket: AgentSocket): void {
    const { deviceId, link } = socket.data;
    if (!deviceId || !link) return;
    this.sessions.disconnected(deviceId, link, 'connection closed').catch((error: unknown) => {
      this.logger.error(`Recording the disconnect of device ${deviceId} failed: ${String(error)}`);
    });
  }

  @SubscribeMessage('hello')
  hello(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.handle(socket, 'hello', helloMessageSchema, body, async (message) => {
      await this.sessions.hello(socket.data.deviceId, message);
      // After the agent has said who it is (the hello is acknowledged now).
      this.sessions.ready(socket.data.deviceId);
    });
  }

  @SubscribeMessage('state')
  state(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.handle(socket, 'state', stateMessageSchema, body, (message) =>
      this.sessions.state(socket.data.deviceId, message),
    );
  }

  @SubscribeMessage('result')
  result(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.handle(socket, 'result', resultMessageSchema, body, async (message) => {
      const refused = await this.sessions.result(socket.data.deviceId, message);
      if (refused) throw new RefusedMessage(refused);
    });
  }

  @SubscribeMessage('usage')
  usage(@ConnectedSocket() socket: AgentSocket, @MessageBody() body: unknown): Promise<Ack> {
    return this.handle(socket, 'usage', usageMessageSchema, body, async (message) => {
      const refused = await this.sessions.usageRecords(socket.data.deviceId, message);
      if (refused) throw new RefusedMessage(refused);
    });
  }

  private async handle<S extends z.ZodType>(
    socket: AgentSocket,
    event: string,
    schema: S,
    body: unknown,
    work: (message: z.infer<S>) => Promise<void>,
  ): Promise<Ack> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const error = `invalid ${event}: ${describeZodError(parsed.error, event)}`;
      this.logger.warn(`Device ${socket.data.deviceId} sent an ${error}`);
      return { ok: false, error };
    }
    try {
      await work(parsed.data);
      return { ok: true };
    } catch (error) {
      if (error instanceof RefusedMessage) return { ok: false, error: error.message };
      this.logger.error(
        `Handling ${event} from device ${socket.data.deviceId} failed: ${(error as Error).stack ?? String(error)}`,
      );
      return { ok: false, error: 'hub error while handling the message' };
    }
  }
}

class RefusedMessage extends Error {}

function socketLink(socket: AgentSocket): AgentLink {
  return {
    transport: 'ws',
    sendCommand: async (command: CommandMessage) => {
      try {
        return (await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('command', command)) as Ack;
      } catch {
        throw new Error(`no acknowledgement within ${ACK_TIMEOUT_MS / 1000} s`);
      }
    },
    disconnect: () => {
      socket.disconnect(true);
    },
  };
}
