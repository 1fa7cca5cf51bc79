import { Injectable } from '@nestjs/common';
import {
  ChannelSwitches,
  clockMinutes,
  NOTIFICATION_TYPES,
  NotificationPreferenceDto,
  NotificationSettingsDto,
  NotificationType,
  PreferenceChange,
  UpdateNotificationSettingsRequest,
} from '@clinic/contracts';
import { AuditService } from '../audit/audit.service';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { TransactionService } from '../common/transaction.service';
import type { Prisma } from '../generated/prisma/client';
import { PreferencesRepository, toSettingsDto, toSwitches } from './preferences.repository';

/**
 * The signed-in user's own notification preferences: channel switches per type (the rules that
 * apply them are the contract's reachesBy and isMuted) and the settings that hold for every type
 * (time zone, quiet hours, digest, desktop privacy, phone). A phone change is audited: it is where
 * SMS alerts go.
 */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly repository: PreferencesRepository,
    private readonly transactions: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async preferences(userId: string): Promise<NotificationPreferenceDto[]> {
    return toPreferenceList(await this.repository.switches(userId));
  }

  /** Changes the listed types' given channels; every other switch keeps its value. */
  updatePreferences(userId: string, changes: readonly PreferenceChange[]): Promise<NotificationPreferenceDto[]> {
    return this.transactions.run(async (tx) => {
      if (!(await this.repository.lockSettings(tx, userId))) throw new NotFoundError('User not found');
      const current = await this.repository.switches(userId, tx);
      const next = new Map(
        changes.map(({ type, muted, channels }) => {
          const switches = { ...toSwitches(undefined), ...current.get(type), ...channels };
          if (muted !== undefined) switches.inApp = !muted;
          return [type, switches] as const;
        }),
      );
      await this.repository.saveSwitches(tx, userId, next);
      return toPreferenceList(new Map([...current, ...next]));
    });
  }

  async settings(userId: string): Promise<NotificationSettingsDto> {
    const row = await this.repository.settings(userId);
    if (!row) throw new NotFoundError('User not found');
    return toSettingsDto(row);
  }

  updateSettings(userId: string, request: UpdateNotificationSettingsRequest): Promise<NotificationSettingsDto> {
    const data = settingsUpdate(request);
    if (Object.keys(data).length === 0) {
      throw new InvalidInputError('Send at least one of timeZone, quietHours, digestTime, hideDetails, phone or language');
    }
    return this.transactions.run(async (tx) => {
      const before = await this.repository.lockSettings(tx, userId);
      if (!before) throw new NotFoundError('User not found');
      const after = await this.repository.saveSettings(tx, userId, data);
      if (before.phone !== after.phone) {
        await this.audit.record(tx, {
          actorId: userId,
          action: 'user.updated',
          target: { type: 'user', id: userId },
          details: { changes: { phone: { from: before.phone, to: after.phone } }, by: 'self' },
        });
      }
      return toSettingsDto(after);
    });
  }
}

function toPreferenceList(switches: ReadonlyMap<NotificationType, ChannelSwitches>): NotificationPreferenceDto[] {
  return NOTIFICATION_TYPES.map((type) => {
    const channels = switches.get(type) ?? toSwitches(undefined);
    return { type, muted: !channels.inApp, channels };
  });
}

function settingsUpdate(request: UpdateNotificationSettingsRequest): Prisma.UserUpdateInput {
  const data: Prisma.UserUpdateInput = {};
  if (request.timeZone !== undefined) data.timeZone = request.timeZone;
  if (request.quietHours !== undefined) {
    data.quietStart = request.quietHours ? clockMinutes(request.quietHours.start) : null;
    data.quietEnd = request.quietHours ? clockMinutes(request.quietHours.end) : null;
  }
  if (request.digestTime !== undefined) data.digestMinute = request.digestTime === null ? null : clockMinutes(request.digestTime);
  if (request.hideDetails !== undefined) data.hideDetails = request.hideDetails;
  if (request.phone !== undefined) data.phone = request.phone;
  if (request.language !== undefined) data.language = request.language;
  return data;
}
