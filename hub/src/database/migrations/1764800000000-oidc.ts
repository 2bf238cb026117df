import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One-time codes that hand an identity-provider sign-in to the web app (hashed, a minute each). */
export class Oidc1764800000000 implements MigrationInterface {
  name = 'Oidc1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "oidc_exchange" ("codeHash" varchar(64) PRIMARY KEY NOT NULL, "browserHash" varchar(64) NOT NULL, "accountId" varchar(36) NOT NULL, "expiresAt" datetime NOT NULL, CONSTRAINT "FK_d9e0d55b03b83bca524abe208dc" FOREIGN KEY ("accountId") REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await db.query(`CREATE INDEX "IDX_d9e0d55b03b83bca524abe208d" ON "oidc_exchange" ("accountId") `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "oidc_exchange"`);
  }
}
