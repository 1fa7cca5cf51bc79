import type { SendCounts, SendDetailDto, SendSummaryDto } from '@clinic/contracts';

let nextId = 0;

export function counts(overrides: Partial<SendCounts> = {}): SendCounts {
  return { recipients: 3, delivered: 0, seen: 0, read: 0, acknowledged: 0, ...overrides };
}

/** A send as GET /sends lists it: by default sent at once by Ada Admin to the nurse. */
export function sendSummary(overrides: Partial<SendSummaryDto> = {}): SendSummaryDto {
  const id = overrides.id ?? `s-${++nextId}`;
  return {
    id,
    sender: { id: 'u-admin', name: 'Ada Admin' },
    type: 'GENERAL',
    priority: 'NORMAL',
    title: `Send ${id}`,
    target: { kind: 'user', id: 'u-nurse', label: 'Nora Nurse' },
    requireAck: false,
    status: 'sent',
    sendAt: null,
    createdAt: '2026-12-01T08:00:00.000Z',
    sentAt: '2026-12-01T08:00:00.000Z',
    acknowledgedAt: null,
    escalation: null,
    escalationOf: null,
    counts: counts(),
    ...overrides,
  };
}

export function sendDetail(overrides: Partial<SendDetailDto> = {}): SendDetailDto {
  return { ...sendSummary(overrides), message: 'Please come to room 4.', recipients: [], escalations: [], ...overrides };
}
