import {
  BadRequestException,
  ConflictException,
  HttpException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import type { ChildTimeRequest, ChildTimeResponse, ChildView, Member } from '@kidtime/protocol';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { CommandsService } from '../commands/commands.service';
import type { ManagedUserEntity } from '../devices/managed-user.entity';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import { LiveEvents } from '../live/live-events';
import type { ChildEntity } from './child.entity';
import { ChildRepository } from './child.repository';

const key = (member: Member) => `${member.deviceId}/${member.login}`;

/**
 * Children and the logins they own. A login (on one PC) belongs to at most one child; the same login name on
 * two PCs is two logins and can belong to two children.
 */
@Injectable()
export class ChildrenService {
  constructor(
    private readonly children: ChildRepository,
    private readonly users: ManagedUserRepository,
    private readonly commands: CommandsService,
    private readonly audit: AuditService,
    private readonly live: LiveEvents,
  ) {}

  async list(): Promise<ChildView[]> {
    return Promise.all((await this.children.list()).map((child) => this.toView(child)));
  }

  async get(id: string): Promise<ChildView> {
    return this.toView(await this.require(id));
  }

  async create(actor: AuditActor, name: string, members: Member[]): Promise<ChildView> {
    if (await this.children.findByName(name))
      throw new ConflictException(`There is already a child called "${name}"`);
    const users = await this.resolve(members, null);
    const child = await this.children.create(name);
    await this.users.assignToChild(
      child.id,
      users.map((u) => u.id),
    );
    await this.audit.record(actor, { action: 'child.create', result: 'ok', details: { name, members } });
    this.live.publish('child', { id: child.id, removed: false });
    return this.toView(child);
  }

  async update(
    actor: AuditActor,
    id: string,
    patch: { name?: string | undefined; members?: Member[] | undefined },
  ): Promise<ChildView> {
    const child = await this.require(id);
    if (patch.name !== undefined && patch.name !== child.name) {
      if (await this.children.findByName(patch.name))
        throw new ConflictException(`There is already a child called "${patch.name}"`);
      await this.children.rename(id, patch.name);
    }
    if (patch.members) {
      const users = await this.resolve(patch.members, id);
      await this.users.assignToChild(
        id,
        users.map((u) => u.id),
      );
    }
    await this.audit.record(actor, { action: 'child.update', result: 'ok', details: { id, ...patch } });
    this.live.publish('child', { id, removed: false });
    return this.toView({ ...child, name: patch.name ?? child.name });
  }

  async remove(actor: AuditActor, id: string): Promise<void> {
    const child = await this.require(id);
    await this.children.delete(id);
    await this.audit.record(actor, {
      action: 'child.remove',
      result: 'ok',
      details: { id, name: child.name },
    });
    this.live.publish('child', { id, removed: true });
  }

  /** Applies one time change to the named logins of the child (or all), each through the normal command path. */
  async adjustTime(actor: AuditActor, id: string, request: ChildTimeRequest): Promise<ChildTimeResponse> {
    const child = await this.require(id);
    const owned = await this.users.listForChild(child.id);
    if (owned.length === 0)
      throw new BadRequestException(
        `${child.name} has no logins yet; add some with PATCH /api/children/${id}`,
      );
    const ownedKeys = new Set(owned.map((u) => key({ deviceId: u.deviceId, login: u.login })));
    const targets = request.members ?? owned.map((u) => ({ deviceId: u.deviceId, login: u.login }));
    const foreign = targets.filter((member) => !ownedKeys.has(key(member)));
    if (foreign.length > 0) {
      throw new BadRequestException(
        `members: ${foreign.map(key).join(', ')} not ${child.name}'s; a child's time changes only their own logins`,
      );
    }
    const results: ChildTimeResponse['results'] = [];
    for (const member of targets) {
      try {
        const { queued, response } = await this.commands.adjustTime(
          actor,
          member.deviceId,
          member.login,
          request,
        );
        results.push({
          ...member,
          status: queued ? 202 : 200,
          command: response.command,
          state: response.state,
          warning: response.warning,
          error: null,
        });
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        const body = error.getResponse() as { command?: ChildTimeResponse['results'][number]['command'] };
        results.push({
          ...member,
          status: error.getStatus(),
          command: body.command ?? null,
          state: null,
          warning: null,
          error: error.message,
        });
      }
    }
    return { results };
  }

  private async require(id: string): Promise<ChildEntity> {
    const child = await this.children.findById(id);
    if (!child) throw new NotFoundException(`No child with id ${id}`);
    return child;
  }

  /** The managed users behind these members; each must exist and not belong to another child. */
  private async resolve(members: Member[], childId: string | null): Promise<ManagedUserEntity[]> {
    const users: ManagedUserEntity[] = [];
    for (const member of members) {
      const user = await this.users.find(member.deviceId, member.login);
      if (!user)
        throw new NotFoundException(
          `members: no Timekpr-nExT user "${member.login}" on device ${member.deviceId}`,
        );
      if (user.childId && user.childId !== childId) {
        const owner = await this.children.findById(user.childId);
        throw new ConflictException(
          `members: "${member.login}" on that PC already belongs to ${owner?.name ?? 'another child'}; remove it there first`,
        );
      }
      users.push(user);
    }
    return users;
  }

  private async toView(child: ChildEntity): Promise<ChildView> {
    const members = await this.users.listForChild(child.id);
    return {
      id: child.id,
      name: child.name,
      createdAt: child.createdAt.toISOString(),
      members: members.map((user) => ({
        deviceId: user.deviceId,
        deviceName: user.device?.name ?? user.deviceId,
        login: user.login,
        updatedAt: user.stateAt?.toISOString() ?? null,
        state: user.state,
      })),
    };
  }
}
