import { Injectable } from '@nestjs/common';
import type { UserExportDto } from '@clinic/contracts';
import { AuditService } from '../audit/audit.service';
import { DeliveriesService } from '../channels/deliveries.service';
import { NotFoundError } from '../common/domain-errors';
import { TransactionService } from '../common/transaction.service';
import { toNotificationDto } from '../notifications/notification.mapper';
import { PreferencesService } from '../notifications/preferences.service';
import { UserExportRepository } from './user-export.repository';
import { toAccountDto } from './user.mapper';

/**
 * Everything held about one user, for an admin answering that user's request to see their data.
 * Read through the features that own each part (one query each, not one snapshot: a notification
 * arriving meanwhile may be in it or not), and audited once read, so no export leaves unrecorded.
 */
@Injectable()
export class UserExportService {
  constructor(
    private readonly repository: UserExportRepository,
    private readonly preferences: PreferencesService,
    private readonly deliveries: DeliveriesService,
    private readonly transactions: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async export(actorId: string, userId: string): Promise<UserExportDto> {
    const exportedAt = new Date().toISOString();
    const user = await this.repository.account(userId);
    if (!user) throw new NotFoundError('User not found');
    const [settings, preferences, notifications, deliveries] = await Promise.all([
      this.preferences.settings(userId),
      this.preferences.preferences(userId),
      this.repository.notifications(userId),
      this.deliveries.addressedTo(userId),
    ]);
    await this.transactions.run((tx) =>
      this.audit.record(tx, {
        actorId,
        action: 'user.exported',
        target: { type: 'user', id: userId },
        details: { notifications: notifications.length, deliveries: deliveries.length },
      }),
    );
    return { exportedAt, user: toAccountDto(user), settings, preferences, notifications: notifications.map(toNotificationDto), deliveries };
  }
}
