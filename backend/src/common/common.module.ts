import { Global, Module } from '@nestjs/common';
import { IdempotencyService } from './idempotency.service';
import { TransactionService } from './transaction.service';

@Global()
@Module({
  providers: [TransactionService, IdempotencyService],
  exports: [TransactionService, IdempotencyService],
})
export class CommonModule {}
