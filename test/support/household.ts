import { ApiClient } from './api-client';
import { HubProcess, enrollAndStartAgent, type EnrolledAgent } from './hub-process';
import { connectLab, type TimekprLabHandle } from './timekpr-lab';

export interface Household {
  lab: TimekprLabHandle;
  hub: HubProcess;
  /** Signed in as the owner. */
  api: ApiClient;
  /** The child's PC: its agent may be replaced by a test (`enrolled.agent = …`); close() stops the current one. */
  enrolled: EnrolledAgent;
  /** Stops the agent and the hub, removes their files, and puts the child's timekpr settings back. */
  close(): Promise<void>;
}

export const OWNER = { username: 'mum', password: 'kitchen-phone-42' };

/**
 * What most end-to-end tests start from: a Linux user for the child with timekpr's default settings, the
 * built hub with an owner signed in, and one PC with the agent enrolled and reporting the child.
 */
export async function startHousehold(
  kid: string,
  agentConfig: { stateIntervalSeconds?: number } = {},
): Promise<Household> {
  const lab = connectLab();
  await lab.ensureUser(kid);
  await lab.resetUser(kid);
  const hub = await HubProcess.start();
  const api = new ApiClient(hub.url);
  let enrolled: EnrolledAgent;
  try {
    await api.post('/api/setup', OWNER);
    await api.login(OWNER.username, OWNER.password);
    enrolled = await enrollAndStartAgent(api, kid, agentConfig);
  } catch (error) {
    await hub.stop();
    throw error;
  }
  return {
    lab,
    hub,
    api,
    enrolled,
    async close() {
      await enrolled.agent.stop();
      await hub.stop();
      enrolled.removeConfig();
      await lab.resetUser(kid);
    },
  };
}
