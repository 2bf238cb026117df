import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { EnrollmentEntity } from './enrollment.entity';

@Injectable()
export class EnrollmentRepository {
  constructor(
    @InjectRepository(EnrollmentEntity) private readonly enrollments: Repository<EnrollmentEntity>,
  ) {}

  async create(
    enrollment: Pick<EnrollmentEntity, 'codeHash' | 'createdBy' | 'deviceName' | 'expiresAt'>,
  ): Promise<void> {
    await this.enrollments.insert({ id: randomUUID(), usedAt: null, deviceId: null, ...enrollment });
  }

  findByCodeHash(codeHash: string): Promise<EnrollmentEntity | null> {
    return this.enrollments.findOneBy({ codeHash });
  }

  /** Uses the code up; false when it was already used (two agents racing with one code). */
  async consume(id: string, at: Date): Promise<boolean> {
    const result = await this.enrollments.update({ id, usedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) === 1;
  }

  async linkDevice(id: string, deviceId: string): Promise<void> {
    await this.enrollments.update({ id }, { deviceId });
  }
}
