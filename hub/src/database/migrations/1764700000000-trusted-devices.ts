import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The quick PIN: phones a parent trusted, and which sessions were unlocked on one, so ending the trust ends
 * them. The session column is added in place, like the sessions migration does.
 */
export class TrustedDevices1764700000000 implements MigrationInterface {
  name = 'TrustedDevices1764700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "trusted_device" ("id" varchar(36) PRIMARY KEY NOT NULL, "accountId" varchar(36) NOT NULL, "name" varchar(100) NOT NULL, "secretHash" varchar(64) NOT NULL, "pinHash" varchar(200) NOT NULL, "failedAttempts" integer NOT NULL DEFAULT (0), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "lastUsedAt" datetime, "expiresAt" datetime NOT NULL, "revokedAt" datetime, CONSTRAINT "UQ_trusted_device_secret" UNIQUE ("secretHash"), CONSTRAINT "FK_a1dffbeb4153bda05b13f0d0c28" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_a1dffbeb4153bda05b13f0d0c2" ON "trusted_device" ("accountId") `);
    await db.query(`ALTER TABLE "session" ADD COLUMN "trustedDeviceId" varchar(36)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "session" DROP COLUMN "trustedDeviceId"`);
    await db.query(`DROP TABLE "trusted_device"`);
  }
}
