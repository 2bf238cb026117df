import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Named logins at the embedded MQTT broker (Home Assistant's), with only their password's hash. */
export class MqttLogins1764200000000 implements MigrationInterface {
  name = 'MqttLogins1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "mqtt_login" ("id" varchar(36) PRIMARY KEY NOT NULL, "username" varchar(64) NOT NULL, "secretHash" varchar(64) NOT NULL, "createdAt" datetime NOT NULL, "createdBy" varchar(36), "lastLoginAt" datetime, CONSTRAINT "UQ_3cf8034de266cce46f923d06390" UNIQUE ("username"))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "mqtt_login"`);
  }
}
