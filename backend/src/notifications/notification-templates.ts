import { NotificationDto, NotificationPriority, NotificationType, OrderStatus, sendReceiptsPath } from '@clinic/contracts';

/** What a notification says; one is rendered per event and stored once per recipient. */
export type NotificationContent = Pick<NotificationDto, 'type' | 'title' | 'message' | 'priority' | 'actionUrl' | 'actionText' | 'metadata'>;

export interface OrderFacts {
  id: string;
  patientName: string;
  description: string;
  /** Decimal string, e.g. "120.50". */
  total: string;
  /** ISO 4217 (CLINIC_CURRENCY): the message says "$120.50", not "120.50". */
  currency: string;
}

/** Free text from an admin or the system, under any type; unset fields take the type's defaults. */
export interface MessageEvent {
  type: NotificationType;
  title: string;
  message: string;
  priority?: NotificationPriority;
  actionUrl?: string | null;
  actionText?: string | null;
}

export type NotificationEvent =
  | { type: 'ORDER_CREATED'; order: OrderFacts; actorName: string }
  | { type: 'ORDER_STATUS_CHANGED'; order: OrderFacts; actorName: string; from: OrderStatus; to: OrderStatus }
  | { type: 'PAYMENT_VERIFIED'; order: OrderFacts; actorName: string };

export const DEFAULT_PRIORITY: Readonly<Record<NotificationType, NotificationPriority>> = {
  GENERAL: 'NORMAL',
  ORDER_CREATED: 'NORMAL',
  ORDER_STATUS_CHANGED: 'NORMAL',
  PAYMENT_VERIFIED: 'NORMAL',
  SYSTEM_ALERT: 'HIGH',
  ESCALATION: 'CRITICAL',
};

/** What an escalation step says about the send nobody acknowledged. */
export interface EscalationFacts {
  sendId: string;
  title: string;
  /** Who the send went to, in words ("Ward 3", "All staff"). */
  sentTo: string;
  waitedSeconds: number;
  step: number;
  maxSteps: number;
}

const STATUS_LABEL: Readonly<Record<OrderStatus, string>> = {
  PENDING: 'pending',
  CONFIRMED: 'confirmed',
  IN_PROGRESS: 'in progress',
  COMPLETED: 'completed',
  CANCELLED: 'cancelled',
};

/** The order's total with its currency, as stored text says it (English until templates follow the recipient's language). */
function amount(order: OrderFacts): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency: order.currency }).format(Number(order.total));
}

/** Long order descriptions are cut in a notification's message; the order page has the whole text. */
const DESCRIPTION_EXCERPT = 80;

type Template<T extends NotificationEvent['type']> = (event: Extract<NotificationEvent, { type: T }>) => NotificationContent;

const TEMPLATES: { [T in NotificationEvent['type']]: Template<T> } = {
  ORDER_CREATED: ({ order, actorName }) => ({
    ...orderLink(order),
    type: 'ORDER_CREATED',
    title: `New order for ${order.patientName}`,
    message: `${actorName} created an order for ${order.patientName}: ${excerpt(order.description)} (total ${amount(order)}).`,
    priority: DEFAULT_PRIORITY.ORDER_CREATED,
    metadata: { orderId: order.id },
  }),
  ORDER_STATUS_CHANGED: ({ order, actorName, from, to }) => ({
    ...orderLink(order),
    type: 'ORDER_STATUS_CHANGED',
    title: `Order ${STATUS_LABEL[to]}: ${order.patientName}`,
    message: `${actorName} changed the order for ${order.patientName} from ${STATUS_LABEL[from]} to ${STATUS_LABEL[to]}.`,
    // A cancellation usually means someone must stop work or tell the patient.
    priority: to === 'CANCELLED' ? 'HIGH' : DEFAULT_PRIORITY.ORDER_STATUS_CHANGED,
    metadata: { orderId: order.id, from, to },
  }),
  PAYMENT_VERIFIED: ({ order, actorName }) => ({
    ...orderLink(order),
    type: 'PAYMENT_VERIFIED',
    title: `Payment verified: ${order.patientName}`,
    message: `${actorName} verified the payment of ${amount(order)} for the order for ${order.patientName}.`,
    priority: DEFAULT_PRIORITY.PAYMENT_VERIFIED,
    metadata: { orderId: order.id, total: order.total },
  }),
};

/** An escalation step: CRITICAL, naming the original send and linking to its receipts. */
export function renderEscalation(facts: EscalationFacts): NotificationContent {
  return {
    type: 'ESCALATION',
    title: `Not acknowledged: ${facts.title}`,
    message:
      `Nobody has acknowledged "${facts.title}" (sent to ${facts.sentTo}) for ${duration(facts.waitedSeconds)}. ` +
      `Escalation ${facts.step} of ${facts.maxSteps}.`,
    priority: DEFAULT_PRIORITY.ESCALATION,
    actionUrl: sendReceiptsPath(facts.sendId),
    actionText: 'View receipts',
    metadata: { escalationOf: facts.sendId, step: facts.step },
  };
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} seconds`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.round(seconds / 3600)} hours`;
}

/** The templated content of a domain event. */
export function renderNotification(event: NotificationEvent): NotificationContent {
  return (TEMPLATES[event.type] as (event: NotificationEvent) => NotificationContent)(event);
}

/** The content of a free-text message: its own text, with the type's priority and a default link label. */
export function renderMessage(event: MessageEvent): NotificationContent {
  const actionUrl = event.actionUrl ?? null;
  return {
    type: event.type,
    title: event.title,
    message: event.message,
    priority: event.priority ?? DEFAULT_PRIORITY[event.type],
    actionUrl,
    actionText: event.actionText ?? (actionUrl ? 'Open' : null),
    metadata: {},
  };
}

function orderLink(order: OrderFacts): Pick<NotificationContent, 'actionUrl' | 'actionText'> {
  return { actionUrl: `/orders?order=${encodeURIComponent(order.id)}`, actionText: 'View order' };
}

function excerpt(text: string): string {
  const singleLine = text.replace(/\s+/g, ' ').trim();
  return singleLine.length <= DESCRIPTION_EXCERPT ? singleLine : `${singleLine.slice(0, DESCRIPTION_EXCERPT - 1).trimEnd()}…`;
}
