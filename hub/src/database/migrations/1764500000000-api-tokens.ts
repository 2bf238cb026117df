import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens for Home Assistant, scripts and automations: named, scoped, hashed, revocable. */
export class ApiTokens1764500000000 implements MigrationInterface {
  name = 'ApiTokens1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "api_token" ("id" varchar(36) PRIMARY KEY NOT NULL, "accountId" varchar(36) NOT NULL, "name" varchar(100) NOT NULL, "scope" varchar(8) NOT NULL, "tokenHash" varchar(64) NOT NULL, "prefix" varchar(16) NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "expiresAt" datetime, "lastUsedAt" datetime, "lastUsedFrom" varchar(64), "revokedAt" datetime, CONSTRAINT "UQ_api_token_hash" UNIQUE ("tokenHash"), CONSTRAINT "FK_17e4068b9eb3b7e52334010228f" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_17e4068b9eb3b7e52334010228" ON "api_token" ("accountId") `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "api_token"`);
  }
}
