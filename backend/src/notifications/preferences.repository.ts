import { Injectable } from '@nestjs/common';
import { ChannelSwitches, DEFAULT_CHANNELS, NotificationSettingsDto, NotificationType } from '@clinic/contracts';
import { storedLanguage } from '../users/user.mapper';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { NotificationPreference, Prisma } from '../generated/prisma/client';

/** The columns of a NotificationPreference row that hold the user's channel switches. */
export type SwitchColumns = Pick<NotificationPreference, 'muted' | 'desktop' | 'sound' | 'email' | 'sms'>;

/** The user's own settings, as the User row holds them. */
export interface SettingsRow {
  timeZone: string;
  quietStart: number | null;
  quietEnd: number | null;
  digestMinute: number | null;
  hideDetails: boolean;
  phone: string | null;
  language: string;
}

export const SETTINGS_COLUMNS = { timeZone: true, quietStart: true, quietEnd: true, digestMinute: true, hideDetails: true, phone: true, language: true } as const;

/** Minutes since midnight → "HH:MM". */
export function clockTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function toSettingsDto(row: SettingsRow): NotificationSettingsDto {
  return {
    timeZone: row.timeZone,
    quietHours: row.quietStart !== null && row.quietEnd !== null ? { start: clockTime(row.quietStart), end: clockTime(row.quietEnd) } : null,
    digestTime: row.digestMinute === null ? null : clockTime(row.digestMinute),
    hideDetails: row.hideDetails,
    phone: row.phone,
    language: storedLanguage(row.language),
  };
}

export function toSwitches(row: SwitchColumns | undefined): ChannelSwitches {
  if (!row) return { ...DEFAULT_CHANNELS };
  return { inApp: !row.muted, desktop: row.desktop, sound: row.sound, email: row.email, sms: row.sms };
}

export function toColumns(switches: ChannelSwitches): SwitchColumns {
  return { muted: !switches.inApp, desktop: switches.desktop, sound: switches.sound, email: switches.email, sms: switches.sms };
}

/** Reads and writes of the users' notification preferences and settings. */
@Injectable()
export class PreferencesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Only the types the user changed; outside a transaction unless one is given. */
  async switches(userId: string, db: Tx = this.prisma): Promise<Map<NotificationType, ChannelSwitches>> {
    const rows = await db.notificationPreference.findMany({ where: { userId } });
    return new Map(rows.map((row) => [row.type, toSwitches(row)]));
  }

  /** One upsert per type, in the caller's transaction (it holds the user's row lock). */
  async saveSwitches(tx: Tx, userId: string, changes: ReadonlyMap<NotificationType, ChannelSwitches>): Promise<void> {
    for (const [type, switches] of changes) {
      const columns = toColumns(switches);
      await tx.notificationPreference.upsert({ where: { userId_type: { userId, type } }, create: { userId, type, ...columns }, update: columns });
    }
  }

  /**
   * The user's settings, their row locked until the transaction ends: two devices changing
   * preferences at once apply one after the other, neither undoing the other's change.
   */
  async lockSettings(tx: Tx, userId: string): Promise<SettingsRow | null> {
    await tx.$queryRaw`SELECT 1 FROM "User" WHERE id = ${userId} FOR UPDATE`;
    return tx.user.findUnique({ where: { id: userId }, select: SETTINGS_COLUMNS });
  }

  settings(userId: string): Promise<SettingsRow | null> {
    return this.prisma.user.findUnique({ where: { id: userId }, select: SETTINGS_COLUMNS });
  }

  async saveSettings(tx: Tx, userId: string, data: Prisma.UserUpdateInput): Promise<SettingsRow> {
    return tx.user.update({ where: { id: userId }, data, select: SETTINGS_COLUMNS });
  }
}
