import type { AgentLink } from './device-links';
import { DeviceLinks } from './device-links';

const link = (transport: AgentLink['transport']): AgentLink & { disconnect: jest.Mock } => ({
  transport,
  sendCommand: jest.fn(),
  disconnect: jest.fn(),
});

describe('DeviceLinks', () => {
  it('routes by mode: agent only, SSH only, or the agent while connected and SSH otherwise', () => {
    const links = new DeviceLinks();
    const agent = link('ws');
    const ssh = link('ssh');
    links.attach('pc', agent);
    links.setSsh('pc', ssh);
    expect(links.get('pc')).toBe(agent); // mode "agent" by default: SSH is not used
    links.setMode('pc', 'agent-then-ssh');
    expect(links.get('pc')).toBe(agent);
    links.detach('pc', agent);
    expect(links.get('pc')).toBe(ssh);
    links.attach('pc', agent);
    links.setMode('pc', 'ssh');
    expect(links.get('pc')).toBe(ssh);
    links.setSsh('pc', null);
    expect(links.get('pc')).toBeUndefined();
    expect(links.agent('pc')).toBe(agent);
  });

  it('tells listeners when the way to a device changes, and only then', () => {
    const links = new DeviceLinks();
    const seen: string[] = [];
    links.onChange((id) => seen.push(id));
    const ssh = link('ssh');
    links.setSsh('pc', ssh);
    links.setSsh('pc', ssh);
    links.setMode('pc', 'ssh');
    links.setMode('pc', 'ssh');
    expect(seen).toEqual(['pc', 'pc']);
  });

  it('drops both the agent and the SSH link of a revoked device', () => {
    const links = new DeviceLinks();
    const agent = link('mqtt');
    const ssh = link('ssh');
    links.attach('pc', agent);
    links.setSsh('pc', ssh);
    links.setMode('pc', 'agent-then-ssh');
    links.disconnect('pc', 'device revoked');
    expect(agent.disconnect).toHaveBeenCalledWith('device revoked');
    expect(ssh.disconnect).toHaveBeenCalledWith('device revoked');
    expect(links.get('pc')).toBeUndefined();
    expect(links.mode('pc')).toBe('agent');
  });

  it('closes an older connection of the same agent', () => {
    const links = new DeviceLinks();
    const first = link('ws');
    links.attach('pc', first);
    links.attach('pc', link('ws'));
    expect(first.disconnect).toHaveBeenCalled();
    expect(links.detach('pc', first)).toBe(false);
  });
});
