import { Global, Module } from '@nestjs/common';
import { JobsService } from './jobs.service';

/** The durable job engine every feature enqueues on (see JobsService). */
@Global()
@Module({
  providers: [JobsService],
  exports: [JobsService],
})
export class JobsModule {}
