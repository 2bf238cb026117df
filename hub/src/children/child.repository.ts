import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { ChildEntity } from './child.entity';

@Injectable()
export class ChildRepository {
  constructor(@InjectRepository(ChildEntity) private readonly children: Repository<ChildEntity>) {}

  list(): Promise<ChildEntity[]> {
    return this.children.find({ order: { name: 'ASC' } });
  }

  findById(id: string): Promise<ChildEntity | null> {
    return this.children.findOneBy({ id });
  }

  findByName(name: string): Promise<ChildEntity | null> {
    return this.children.findOneBy({ name });
  }

  async create(name: string): Promise<ChildEntity> {
    const child = this.children.create({ id: randomUUID(), name, createdAt: new Date() });
    await this.children.insert(child);
    return child;
  }

  async rename(id: string, name: string): Promise<void> {
    await this.children.update({ id }, { name });
  }

  /** The child's logins are released (their childId becomes null) by the foreign key. */
  async delete(id: string): Promise<void> {
    await this.children.delete({ id });
  }
}
