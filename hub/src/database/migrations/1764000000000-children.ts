import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Children, and which child each managed user (a login on a PC) belongs to. */
export class Children1764000000000 implements MigrationInterface {
  name = 'Children1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "child" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "createdAt" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "UQ_4594199f990105a54f222df4eed" UNIQUE ("name"))`,
    );
    // SQLite adds a foreign key only by rebuilding the table.
    await db.query(
      `CREATE TABLE "temporary_managed_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "deviceId" varchar(36) NOT NULL, "login" varchar(32) NOT NULL, "state" text, "stateAt" datetime, "error" varchar(500), "childId" varchar(36), CONSTRAINT "UQ_be65b1487a1ff2fe4d79c8fb1a1" UNIQUE ("deviceId", "login"), CONSTRAINT "FK_86d9efea8d84f02b9f28a542f4e" FOREIGN KEY ("deviceId") REFERENCES "device" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT "FK_5a239acb37fbda9729a0e405450" FOREIGN KEY ("childId") REFERENCES "child" ("id") ON DELETE SET NULL ON UPDATE NO ACTION)`,
    );
    await db.query(
      `INSERT INTO "temporary_managed_user"("id", "deviceId", "login", "state", "stateAt", "error") SELECT "id", "deviceId", "login", "state", "stateAt", "error" FROM "managed_user"`,
    );
    await db.query(`DROP TABLE "managed_user"`);
    await db.query(`ALTER TABLE "temporary_managed_user" RENAME TO "managed_user"`);
    await db.query(`CREATE INDEX "IDX_5a239acb37fbda9729a0e40545" ON "managed_user" ("childId")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_5a239acb37fbda9729a0e40545"`);
    await db.query(
      `CREATE TABLE "temporary_managed_user" ("id" varchar(36) PRIMARY KEY NOT NULL, "deviceId" varchar(36) NOT NULL, "login" varchar(32) NOT NULL, "state" text, "stateAt" datetime, "error" varchar(500), CONSTRAINT "UQ_be65b1487a1ff2fe4d79c8fb1a1" UNIQUE ("deviceId", "login"), CONSTRAINT "FK_86d9efea8d84f02b9f28a542f4e" FOREIGN KEY ("deviceId") REFERENCES "device" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(
      `INSERT INTO "temporary_managed_user"("id", "deviceId", "login", "state", "stateAt", "error") SELECT "id", "deviceId", "login", "state", "stateAt", "error" FROM "managed_user"`,
    );
    await db.query(`DROP TABLE "managed_user"`);
    await db.query(`ALTER TABLE "temporary_managed_user" RENAME TO "managed_user"`);
    await db.query(`DROP TABLE "child"`);
  }
}
