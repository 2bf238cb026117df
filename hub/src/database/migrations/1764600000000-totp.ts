import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-step sign-in: each password account's authenticator secret (sealed) with the last time step a code was
 * accepted for, its single-use recovery codes (hashed), and household settings an owner changes in the app
 * (the first: requiring a second factor).
 */
export class Totp1764600000000 implements MigrationInterface {
  name = 'Totp1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "account_totp" ("accountId" varchar(36) PRIMARY KEY NOT NULL, "secret" text NOT NULL, "enabledAt" datetime, "lastStep" integer, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_cc0b5bcd6b9d0e214173d4dfe0f" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(
      `CREATE TABLE "recovery_code" ("id" varchar(36) PRIMARY KEY NOT NULL, "accountId" varchar(36) NOT NULL, "codeHash" varchar(64) NOT NULL, "usedAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_728bde337475e1136bfb91a4e9d" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_728bde337475e1136bfb91a4e9" ON "recovery_code" ("accountId") `);
    await db.query(
      `CREATE TABLE "household_setting" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" text NOT NULL, "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "household_setting"`);
    await db.query(`DROP TABLE "recovery_code"`);
    await db.query(`DROP TABLE "account_totp"`);
  }
}
