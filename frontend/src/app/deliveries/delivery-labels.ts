import type { DeliveryChannel, DeliveryStatus } from '@clinic/contracts';

export const CHANNEL_LABELS: Readonly<Record<DeliveryChannel, string>> = {
  EMAIL: 'Email',
  SMS: 'SMS',
};

export const DELIVERY_STATUS_LABELS: Readonly<Record<DeliveryStatus, string>> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Failed',
  outbox: 'Outbox',
};
