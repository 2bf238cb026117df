/**
 * Jest globalSetup for the e2e project: starts the Timekpr lab once (system bus, logind mock, timekprd)
 * and persists its state (pids, log paths) to a JSON file under os.tmpdir() for test files
 * (connectLab()) and for global-teardown.ts.
 *
 * Env: KIDTIME_LAB_STATE overrides the state file path; KIDTIME_LAB_LOG_DIR the log directory.
 */
import { labStateFile, readLabState, startTimekprLab, stopLab, writeLabState } from './timekpr-lab';

export default async function globalSetup(): Promise<void> {
  const stateFile = labStateFile();
  // A previous run that crashed before its teardown: stop what it started (only pids still running
  // the expected programs are touched).
  const previous = readLabState(stateFile);
  if (previous) await stopLab(previous);

  const lab = await startTimekprLab({ logDir: process.env.KIDTIME_LAB_LOG_DIR });
  writeLabState(lab.state, stateFile);
  // Jest workers are forked after globalSetup, so they inherit this.
  process.env.KIDTIME_LAB_STATE = stateFile;
}
