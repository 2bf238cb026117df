import { createContext } from '@lit/context';
import type { MeView } from '@kidtime/protocol';
import type { Session } from './api';
import type { LiveConnection } from './live';
import type { HubStore } from './store';

/** What every screen needs: the session for requests, the live connection, the household, and who is signed in. */
export interface HubContext {
  session: Session;
  live: LiveConnection;
  store: HubStore;
  account: MeView;
}

export const hubContext = createContext<HubContext>('kidtime-hub');

/** Viewers see everything and change nothing; the controls say so. */
export const canChange = (hub: HubContext): boolean => hub.account.role !== 'viewer';
