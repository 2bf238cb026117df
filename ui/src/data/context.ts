import { createContext } from '@lit/context';
import type { AccountView } from '@kidtime/protocol';
import type { Session } from './api';
import type { LiveConnection } from './live';

/** What every screen needs: the session for requests, the live connection, and who is signed in. */
export interface HubContext {
  session: Session;
  live: LiveConnection;
  account: AccountView;
}

export const hubContext = createContext<HubContext>('kidtime-hub');
