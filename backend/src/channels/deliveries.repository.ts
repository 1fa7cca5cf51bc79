import { Injectable } from '@nestjs/common';
import type { DeliveryStatus as WireStatus } from '@clinic/contracts';
import type { Tx } from '../common/transaction.service';
import { PrismaService } from '../database/prisma.service';
import type { ChannelSwitches, Language, NotificationSettingsDto } from '@clinic/contracts';
import type { Delivery, DeliveryChannel, DeliveryStatus, NotificationPriority } from '../generated/prisma/client';
import { filterCondition } from '../notifications/notifications.repository';
import { SETTINGS_COLUMNS, toSettingsDto, toSwitches } from '../notifications/preferences.repository';
import { storedLanguage } from '../users/user.mapper';

export type { Delivery };

export const STATUS_OF: Readonly<Record<WireStatus, DeliveryStatus>> = { queued: 'QUEUED', sent: 'SENT', failed: 'FAILED', outbox: 'OUTBOX' };

/** A recipient of a send, with what the external channels need. */
export interface ChannelRecipient {
  notificationId: string;
  userId: string;
  email: string;
  phone: string | null;
  priority: NotificationPriority;
  title: string;
  message: string;
  actionUrl: string | null;
  /** The recipient's switches for the notification's type. */
  switches: ChannelSwitches;
  settings: NotificationSettingsDto;
}

/** A user who asked for a daily digest. */
export interface DigestSubscriber {
  userId: string;
  email: string;
  timeZone: string;
  digestMinute: number;
  language: Language;
}

export interface NewDelivery {
  notificationId: string | null;
  digestDay?: string;
  userId: string;
  channel: DeliveryChannel;
  address: string;
  subject: string;
  body: string;
  html: string | null;
}

@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The active recipients of a send's notifications (only those who have not read it, with `unreadOnly`). */
  async recipientsOf(tx: Tx, sendId: string, unreadOnly: boolean): Promise<ChannelRecipient[]> {
    const rows = await tx.notification.findMany({
      where: { sendId, user: { deactivatedAt: null }, ...(unreadOnly ? { readAt: null } : {}) },
      select: {
        id: true,
        userId: true,
        type: true,
        priority: true,
        title: true,
        message: true,
        actionUrl: true,
        user: { select: { email: true, ...SETTINGS_COLUMNS, preferences: true } },
      },
    });
    return rows.map((row) => ({
      notificationId: row.id,
      userId: row.userId,
      email: row.user.email,
      phone: row.user.phone,
      priority: row.priority,
      title: row.title,
      message: row.message,
      actionUrl: row.actionUrl,
      switches: toSwitches(row.user.preferences.find((preference) => preference.type === row.type)),
      settings: toSettingsDto(row.user),
    }));
  }

  /** Active users who asked for a daily digest. */
  async digestSubscribers(): Promise<DigestSubscriber[]> {
    const rows = await this.prisma.user.findMany({
      where: { digestMinute: { not: null }, deactivatedAt: null },
      select: { id: true, email: true, timeZone: true, digestMinute: true, language: true },
    });
    return rows.map((row) => ({
      userId: row.id,
      email: row.email,
      timeZone: row.timeZone,
      digestMinute: row.digestMinute as number,
      language: storedLanguage(row.language),
    }));
  }

  /** Of these (user, day) pairs, the users who already have that day's digest. */
  async haveDigest(pairs: ReadonlyArray<{ userId: string; day: string }>): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const rows = await this.prisma.delivery.findMany({
      where: { OR: pairs.map(({ userId, day }) => ({ userId, digestDay: day })) },
      select: { userId: true },
    });
    return new Set(rows.map((row) => row.userId));
  }

  /** How many of the user's notifications are unread in the inbox (as the badge counts), and the newest `take` of them. */
  async unread(tx: Tx, userId: string, take: number): Promise<{ count: number; newest: Array<{ priority: NotificationPriority; title: string }> }> {
    const where = { userId, ...filterCondition({ view: 'inbox', unread: true }, new Date()) };
    const count = await tx.notification.count({ where });
    const newest = await tx.notification.findMany({ where, orderBy: { seq: 'desc' }, take, select: { priority: true, title: true } });
    return { count, newest };
  }

  /** Inserts those not there yet ((notification, channel) is unique); returns the ids it inserted. */
  async insertNew(tx: Tx, deliveries: readonly NewDelivery[]): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const rows = await tx.delivery.createManyAndReturn({ data: [...deliveries], skipDuplicates: true, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** A queued delivery's channel; null when it is not queued. */
  async channelOf(id: string): Promise<DeliveryChannel | null> {
    const row = await this.prisma.delivery.findFirst({ where: { id, status: 'QUEUED' }, select: { channel: true } });
    return row?.channel ?? null;
  }

  /** Takes a queued delivery for one attempt: null when it is not queued (sent, dead, or being retried by an admin). */
  async claimAttempt(id: string): Promise<Delivery | null> {
    const [claimed] = await this.prisma.delivery.updateManyAndReturn({ where: { id, status: 'QUEUED' }, data: { attempts: { increment: 1 } } });
    return claimed ?? null;
  }

  markDone(id: string, status: 'SENT' | 'OUTBOX'): Promise<Delivery> {
    return this.prisma.delivery.update({ where: { id }, data: { status, sentAt: new Date(), lastError: null } });
  }

  markAttemptFailed(id: string, error: string, dead: boolean): Promise<Delivery> {
    return this.prisma.delivery.update({ where: { id }, data: { lastError: error.slice(0, 1000), ...(dead ? { status: 'FAILED' } : {}) } });
  }

  /** A dead letter back in the queue, its attempts from zero; null when it is not failed. */
  async requeue(tx: Tx, id: string): Promise<Delivery | null> {
    const [requeued] = await tx.delivery.updateManyAndReturn({ where: { id, status: 'FAILED' }, data: { status: 'QUEUED', attempts: 0, lastError: null } });
    return requeued ?? null;
  }

  find(id: string): Promise<Delivery | null> {
    return this.prisma.delivery.findUnique({ where: { id } });
  }

  page(status: DeliveryStatus | undefined, before: bigint | undefined, take: number): Promise<Delivery[]> {
    return this.prisma.delivery.findMany({
      where: { ...(status ? { status } : {}), ...(before !== undefined ? { seq: { lt: before } } : {}) },
      orderBy: { seq: 'desc' },
      take,
    });
  }

  /** Oldest first. No index on userId (an export is rare; every insert would pay for one): a scan of the table. */
  addressedTo(userId: string): Promise<Delivery[]> {
    return this.prisma.delivery.findMany({ where: { userId }, orderBy: { seq: 'asc' } });
  }

  async names(userIds: readonly string[]): Promise<Map<string, string>> {
    const users = await this.prisma.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true } });
    return new Map(users.map((user) => [user.id, user.name]));
  }
}
