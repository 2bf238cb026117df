/**
 * Jest globalTeardown for the e2e project: stops what global-setup.ts started, by pid.
 * Test users are left in place unless KIDTIME_LAB_DELETE_USERS=1.
 */
import * as fs from 'node:fs';
import { labStateFile, readLabState, stopLab } from './timekpr-lab';

export default async function globalTeardown(): Promise<void> {
  const stateFile = labStateFile();
  const state = readLabState(stateFile);
  if (!state) return;
  await stopLab(state, { deleteUsers: process.env.KIDTIME_LAB_DELETE_USERS === '1' });
  fs.rmSync(stateFile, { force: true });
}
