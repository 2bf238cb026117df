import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in beyond local passwords and a list of signed-in devices: accounts say where their password lives
 * (and who they are there), and each sign-in becomes a session its refresh tokens belong to. Sign-ins made
 * before this get a session each, so nobody is signed out by the upgrade. Columns are added in place:
 * rebuilding "account" would cascade-delete the rows that refer to it.
 */
export class Sessions1764400000000 implements MigrationInterface {
  name = 'Sessions1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "account" ADD COLUMN "source" varchar(8) NOT NULL DEFAULT ('local')`);
    await db.query(`ALTER TABLE "account" ADD COLUMN "externalId" varchar(500)`);
    await db.query(
      `CREATE UNIQUE INDEX "IDX_eb354946ffa8c3c25c1aacaace" ON "account" ("source", "externalId") `,
    );
    await db.query(
      `CREATE TABLE "session" ("id" varchar(36) PRIMARY KEY NOT NULL, "accountId" varchar(36) NOT NULL, "method" varchar(8) NOT NULL, "client" varchar(200), "address" varchar(64), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "lastUsedAt" datetime NOT NULL, "revokedAt" datetime, CONSTRAINT "FK_db27ab5fcaee7b52324fe2c8a24" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_db27ab5fcaee7b52324fe2c8a2" ON "session" ("accountId") `);
    await db.query(
      `INSERT INTO "session" ("id", "accountId", "method", "createdAt", "lastUsedAt", "revokedAt")
       SELECT "familyId", "accountId", 'local', MIN("createdAt"), MAX("createdAt"),
              CASE WHEN COUNT("revokedAt") = COUNT(*) THEN MAX("revokedAt") END
       FROM "refresh_token" GROUP BY "familyId", "accountId"`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "session"`);
    await db.query(`DROP INDEX "IDX_eb354946ffa8c3c25c1aacaace"`);
    await db.query(`ALTER TABLE "account" DROP COLUMN "externalId"`);
    await db.query(`ALTER TABLE "account" DROP COLUMN "source"`);
  }
}
