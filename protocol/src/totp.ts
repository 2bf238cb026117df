import { z } from 'zod';
import { accountSchema, secondFactorCodeSchema } from './api';

/** Two-step sign-in for password (local) accounts: an authenticator app (TOTP) and recovery codes. */

/** What the login answer says (401, with the message) when the password was right and a code is needed. */
export const SECOND_FACTOR_NEEDED = 'totp';
/** What a 403 says when the household requires a second factor and this account has none yet. */
export const SECOND_FACTOR_SETUP_NEEDED = 'setup-required';

/** `POST /api/auth/totp/setup`: the current password again, since this changes how the account signs in. */
export const totpSetupRequestSchema = z.strictObject({ password: z.string().min(1).max(256) });

export const totpSetupSchema = z.object({
  /** Base32, for typing into the app by hand. */
  secret: z.string(),
  /** The secret in groups of four. */
  secretGrouped: z.string(),
  /** `otpauth://totp/Kidtime:<user>?secret=…&issuer=Kidtime`: what the QR code holds. */
  uri: z.string(),
  /** The QR code as an SVG document. */
  qrSvg: z.string(),
});
export type TotpSetup = z.infer<typeof totpSetupSchema>;

/** `POST /api/auth/totp/enable`: a code from the app proves it has the secret. */
export const totpEnableRequestSchema = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{3} ?\d{3}$/, 'must be the 6-digit code from your authenticator app'),
});

export const recoveryCodesSchema = z.object({
  /** Shown once: each works once, instead of a code from the app. */
  recoveryCodes: z.array(z.string()),
});
export type RecoveryCodes = z.infer<typeof recoveryCodesSchema>;

/** `POST /api/auth/totp/disable`: the password and a code (or a recovery code). */
export const totpDisableRequestSchema = z.strictObject({
  password: z.string().min(1).max(256),
  code: secondFactorCodeSchema,
});

/** `POST /api/auth/totp/recovery-codes`: new codes (the old ones stop working), for a code from the app. */
export const recoveryCodesRequestSchema = totpEnableRequestSchema;

/** `PUT /api/auth/totp/requirement` (owner). */
export const totpRequirementSchema = z.strictObject({ required: z.boolean() });

/** `GET /api/auth/totp`: the caller's second factor and the household's rule. */
export const totpStatusSchema = z.object({
  /** Whether this account can have one here (only accounts with a password kept by this hub). */
  available: z.boolean(),
  enabled: z.boolean(),
  enabledAt: z.string().nullable(),
  recoveryCodesLeft: z.number().int(),
  /** The household requires a second factor for password accounts. */
  required: z.boolean(),
});
export type TotpStatus = z.infer<typeof totpStatusSchema>;

/** `GET /api/auth/me`: the account, and whether it must set up a second factor before anything else. */
export const meSchema = accountSchema.extend({
  totp: z.boolean(),
  totpRequired: z.boolean(),
});
export type MeView = z.infer<typeof meSchema>;
