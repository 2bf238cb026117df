import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, refresh tokens, devices, enrollments, managed users and commands. */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "account" ("id" varchar(36) PRIMARY KEY NOT NULL, "username" varchar(64) NOT NULL, "passwordHash" varchar(255) NOT NULL, "role" varchar(16) NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_41dfcb70af895ddf9a53094515b" UNIQUE ("username"))`,
    );
    await db.query(
      `CREATE TABLE "refresh_token" ("id" varchar(36) PRIMARY KEY NOT NULL, "accountId" varchar(36) NOT NULL, "familyId" varchar(36) NOT NULL, "tokenHash" varchar(64) NOT NULL, "expiresAt" datetime NOT NULL, "usedAt" datetime, "revokedAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_204f27bcee2b705b8230beaf414" UNIQUE ("tokenHash"), CONSTRAINT "FK_a693f961290344083b358599874" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_a693f961290344083b35859987" ON "refresh_token" ("accountId")`);
    await db.query(`CREATE INDEX "IDX_b803086815f2d539fe7a0349d1" ON "refresh_token" ("familyId")`);
    await db.query(
      `CREATE TABLE "device" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "hostname" varchar(100) NOT NULL, "credentialHash" varchar(64), "agentVersion" varchar(64), "timekprVersion" varchar(64), "timezone" varchar(64), "transport" varchar(8), "lastSeenAt" datetime, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "revokedAt" datetime)`,
    );
    await db.query(
      `CREATE TABLE "enrollment" ("id" varchar(36) PRIMARY KEY NOT NULL, "codeHash" varchar(64) NOT NULL, "createdBy" varchar(36), "deviceName" varchar(100), "expiresAt" datetime NOT NULL, "usedAt" datetime, "deviceId" varchar(36), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_f03ddacc70a25d82e6061acf12a" UNIQUE ("codeHash"))`,
    );
    await db.query(
      `CREATE TABLE "managed_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "deviceId" varchar(36) NOT NULL, "login" varchar(32) NOT NULL, "state" text, "stateAt" datetime, "error" varchar(500), CONSTRAINT "UQ_be65b1487a1ff2fe4d79c8fb1a1" UNIQUE ("deviceId", "login"), CONSTRAINT "FK_86d9efea8d84f02b9f28a542f4e" FOREIGN KEY ("deviceId") REFERENCES "device" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(
      `CREATE TABLE "command" ("id" varchar(36) PRIMARY KEY NOT NULL, "deviceId" varchar(36) NOT NULL, "op" varchar(32) NOT NULL, "args" text NOT NULL, "status" varchar(16) NOT NULL, "error" text, "resultState" text, "requestedBy" varchar(36), "channel" varchar(16) NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "expiresAt" datetime NOT NULL, "sentAt" datetime, "completedAt" datetime, CONSTRAINT "FK_ca6d798efb31f95eef6b501e62a" FOREIGN KEY ("deviceId") REFERENCES "device" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_c596688f84a8c7f2c1237d070a" ON "command" ("deviceId", "status")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "command"`);
    await db.query(`DROP TABLE "managed_user"`);
    await db.query(`DROP TABLE "enrollment"`);
    await db.query(`DROP TABLE "device"`);
    await db.query(`DROP TABLE "refresh_token"`);
    await db.query(`DROP TABLE "account"`);
  }
}
