import { Module } from '@nestjs/common';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

/** Deletes what is kept no longer, hourly, once per cluster (see RetentionService). */
@Module({ providers: [RetentionRepository, RetentionService] })
export class RetentionModule {}
