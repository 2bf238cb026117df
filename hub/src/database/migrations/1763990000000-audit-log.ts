import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only audit log. */
export class AuditLog1763990000000 implements MigrationInterface {
  name = 'AuditLog1763990000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "audit_entry" ("id" varchar(36) PRIMARY KEY NOT NULL, "at" datetime NOT NULL, "actorType" varchar(16) NOT NULL, "actorId" varchar(36), "actorName" varchar(100) NOT NULL, "channel" varchar(16) NOT NULL, "action" varchar(40) NOT NULL, "deviceId" varchar(36), "login" varchar(32), "commandId" varchar(36), "details" text, "result" varchar(16) NOT NULL, "message" varchar(500))`,
    );
    await db.query(`CREATE INDEX "IDX_4aa97ace6d1a9ee66a484f5ce4" ON "audit_entry" ("deviceId", "at")`);
    await db.query(`CREATE INDEX "IDX_9d18bd4a32fc0cd8ff82b12037" ON "audit_entry" ("at")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "audit_entry"`);
  }
}
