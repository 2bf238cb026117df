import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SSH for PCs without an agent (or whose agent is offline): their settings with encrypted secrets, how each PC
 * is reached, and for each command how it was sent (and, over SSH, the balances to judge it after a crash).
 * Columns are added in place: rebuilding "device" would cascade-delete the rows that refer to it.
 */
export class Ssh1764300000000 implements MigrationInterface {
  name = 'Ssh1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "device_ssh" ("deviceId" varchar(36) PRIMARY KEY NOT NULL, "host" varchar(253) NOT NULL, "port" integer NOT NULL, "username" varchar(32) NOT NULL, "auth" varchar(8) NOT NULL, "secret" text NOT NULL, "timekpraPath" varchar(201) NOT NULL, "timezone" varchar(64), "expectedFingerprint" varchar(60), "hostKeyAlgorithm" varchar(40), "hostKey" text, "hostKeyFingerprint" varchar(60), "hostKeyPinnedAt" datetime, "offeredKeyAlgorithm" varchar(40), "offeredKey" text, "offeredKeyFingerprint" varchar(60), "offeredKeyAt" datetime, "reachable" boolean NOT NULL DEFAULT (0), "lastContactAt" datetime, "lastError" varchar(500), "usageBook" text, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL, CONSTRAINT "FK_9b84c8b9791d22ea344167bf63c" FOREIGN KEY ("deviceId") REFERENCES "device" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`ALTER TABLE "device" ADD COLUMN "mode" varchar(16) NOT NULL DEFAULT ('agent')`);
    await db.query(`ALTER TABLE "command" ADD COLUMN "sentVia" varchar(8)`);
    await db.query(`ALTER TABLE "command" ADD COLUMN "journal" text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "command" DROP COLUMN "journal"`);
    await db.query(`ALTER TABLE "command" DROP COLUMN "sentVia"`);
    await db.query(`ALTER TABLE "device" DROP COLUMN "mode"`);
    await db.query(`DROP TABLE "device_ssh"`);
  }
}
