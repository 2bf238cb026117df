import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Usage per login, PC and local day, as agents report it. */
export class Usage1764100000000 implements MigrationInterface {
  name = 'Usage1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "usage_day" ("deviceId" varchar(36) NOT NULL, "login" varchar(32) NOT NULL, "day" varchar(10) NOT NULL, "timezone" varchar(64) NOT NULL, "spentSeconds" integer NOT NULL, "playtimeSeconds" integer, "intervals" text NOT NULL, "ranOutAt" text NOT NULL, "epoch" varchar(36) NOT NULL, "seq" integer NOT NULL, "updatedAt" datetime NOT NULL, PRIMARY KEY ("deviceId", "login", "day"))`,
    );
    await db.query(`CREATE INDEX "IDX_usage_day_day" ON "usage_day" ("day")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_usage_day_day"`);
    await db.query(`DROP TABLE "usage_day"`);
  }
}
