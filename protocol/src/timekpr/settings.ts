import type { ManagedUserState } from './user-state';

/** One timekpra call of a settings change, and the field of the change it applies. */
export interface SettingStep {
  field: string;
  args: string[];
}

/**
 * A settings change (schedule or PlayTime) as the agent applies it: several timekpra calls, then one read
 * back checked field by field, so a partial change can be reported as partial.
 */
export interface SettingsPlan {
  login: string;
  /** The steps need the user's current state (limits sent without their days). */
  needsCurrentState: boolean;
  steps(current: ManagedUserState | null): SettingStep[];
  mismatches(after: ManagedUserState): string[];
}
