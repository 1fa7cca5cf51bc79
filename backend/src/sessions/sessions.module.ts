import { Global, Module } from '@nestjs/common';
import { SessionChanges } from './session-changes';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

@Global()
@Module({
  providers: [SessionChanges, SessionsRepository, SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
