import type { DeliveryChannel, DeliveryStatus } from '@clinic/contracts';

export const CHANNEL_LABELS: Readonly<Record<DeliveryChannel, string>> = {
  EMAIL: $localize`:@@deliveries.channelEmail:Email`,
  SMS: $localize`:@@deliveries.channelSms:SMS`,
};

export const DELIVERY_STATUS_LABELS: Readonly<Record<DeliveryStatus, string>> = {
  queued: $localize`:@@deliveries.statusQueued:Queued`,
  sent: $localize`:@@deliveries.statusSent:Sent`,
  failed: $localize`:@@deliveries.statusFailed:Failed`,
  outbox: $localize`:@@deliveries.statusOutbox:Outbox`,
};
