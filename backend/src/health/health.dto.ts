import { ApiProperty } from '@nestjs/swagger';
import type { HealthDto, ReadinessDto } from '@clinic/contracts';

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class HealthView implements HealthDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: HealthDto['status'];
  @ApiProperty({ enum: ['up', 'down'] }) database: HealthDto['database'];
  @ApiProperty({ enum: ['up', 'down', 'disabled'], description: 'disabled: this node runs without Redis' }) redis: HealthDto['redis'];
}

export class ReadinessView extends HealthView implements ReadinessDto {
  @ApiProperty({ type: [String], nullable: true, description: 'Committed migrations not yet applied; null when the database cannot be asked' })
  pendingMigrations: string[] | null;
}
