import { Language, LANGUAGES, NotificationDto, NotificationPriority, NotificationType, OrderStatus, sendReceiptsPath } from '@clinic/contracts';

/** What a notification says in one language. */
export type NotificationContent = Pick<NotificationDto, 'type' | 'title' | 'message' | 'priority' | 'actionUrl' | 'actionText' | 'metadata'>;

/**
 * An event's content in every language, rendered once per event: each recipient's row is written
 * in their own language (create_notifications picks it). Only the words differ between languages.
 */
export type LocalizedContent = Readonly<Record<Language, NotificationContent>>;

export function inEveryLanguage(render: (language: Language) => NotificationContent): LocalizedContent {
  return Object.fromEntries(LANGUAGES.map((language) => [language, render(language)])) as Record<Language, NotificationContent>;
}

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
  /** Who the send went to, in words in the recipient's language ("Ward 3", "All staff"). */
  sentTo: string;
  waitedSeconds: number;
  step: number;
  maxSteps: number;
}

/** The fixed words of notifications, per language. */
interface Phrases {
  status: Readonly<Record<OrderStatus, string>>;
  orderCreated(order: OrderFacts, actorName: string, total: string): { title: string; message: string };
  statusChanged(order: OrderFacts, actorName: string, from: string, to: string): { title: string; message: string };
  paymentVerified(order: OrderFacts, actorName: string, total: string): { title: string; message: string };
  escalation(facts: EscalationFacts, waited: string): { title: string; message: string };
  /** Each unit in its singular ("one") and plural ("other") form, as Intl.PluralRules names them. */
  duration: Readonly<Record<'seconds' | 'minutes' | 'hours', Readonly<Record<'one' | 'other', string>>>>;
  viewOrder: string;
  viewReceipts: string;
  open: string;
}

const PHRASES: Readonly<Record<Language, Phrases>> = {
  en: {
    status: { PENDING: 'pending', CONFIRMED: 'confirmed', IN_PROGRESS: 'in progress', COMPLETED: 'completed', CANCELLED: 'cancelled' },
    orderCreated: (order, actorName, total) => ({
      title: `New order for ${order.patientName}`,
      message: `${actorName} created an order for ${order.patientName}: ${excerpt(order.description)} (total ${total}).`,
    }),
    statusChanged: (order, actorName, from, to) => ({
      title: `Order ${to}: ${order.patientName}`,
      message: `${actorName} changed the order for ${order.patientName} from ${from} to ${to}.`,
    }),
    paymentVerified: (order, actorName, total) => ({
      title: `Payment verified: ${order.patientName}`,
      message: `${actorName} verified the payment of ${total} for the order for ${order.patientName}.`,
    }),
    escalation: (facts, waited) => ({
      title: `Not acknowledged: ${facts.title}`,
      message: `Nobody has acknowledged "${facts.title}" (sent to ${facts.sentTo}) for ${waited}. Escalation ${facts.step} of ${facts.maxSteps}.`,
    }),
    duration: { seconds: { one: 'second', other: 'seconds' }, minutes: { one: 'minute', other: 'minutes' }, hours: { one: 'hour', other: 'hours' } },
    viewOrder: 'View order',
    viewReceipts: 'View receipts',
    open: 'Open',
  },
  es: {
    status: { PENDING: 'pendiente', CONFIRMED: 'confirmado', IN_PROGRESS: 'en curso', COMPLETED: 'completado', CANCELLED: 'cancelado' },
    orderCreated: (order, actorName, total) => ({
      title: `Nuevo pedido para ${order.patientName}`,
      message: `${actorName} creó un pedido para ${order.patientName}: ${excerpt(order.description)} (total ${total}).`,
    }),
    statusChanged: (order, actorName, from, to) => ({
      title: `Pedido ${to}: ${order.patientName}`,
      message: `${actorName} cambió el pedido de ${order.patientName} de ${from} a ${to}.`,
    }),
    paymentVerified: (order, actorName, total) => ({
      title: `Pago verificado: ${order.patientName}`,
      message: `${actorName} verificó el pago de ${total} del pedido de ${order.patientName}.`,
    }),
    escalation: (facts, waited) => ({
      title: `Sin confirmar: ${facts.title}`,
      message: `Nadie ha confirmado la recepción de «${facts.title}» (enviado a ${facts.sentTo}) desde hace ${waited}. Escalado ${facts.step} de ${facts.maxSteps}.`,
    }),
    duration: { seconds: { one: 'segundo', other: 'segundos' }, minutes: { one: 'minuto', other: 'minutos' }, hours: { one: 'hora', other: 'horas' } },
    viewOrder: 'Ver pedido',
    viewReceipts: 'Ver confirmaciones',
    open: 'Abrir',
  },
};

/** The order's total with its currency, as the language writes it ("$120.50", "120,50 US$"). */
function amount(order: OrderFacts, language: Language): string {
  return new Intl.NumberFormat(language, { style: 'currency', currency: order.currency }).format(Number(order.total));
}

/** Long order descriptions are cut in a notification's message; the order page has the whole text. */
const DESCRIPTION_EXCERPT = 80;

type Template<T extends NotificationEvent['type']> = (event: Extract<NotificationEvent, { type: T }>, language: Language) => NotificationContent;

const TEMPLATES: { [T in NotificationEvent['type']]: Template<T> } = {
  ORDER_CREATED: ({ order, actorName }, language) => ({
    ...orderLink(order, language),
    ...PHRASES[language].orderCreated(order, actorName, amount(order, language)),
    type: 'ORDER_CREATED',
    priority: DEFAULT_PRIORITY.ORDER_CREATED,
    metadata: { orderId: order.id },
  }),
  ORDER_STATUS_CHANGED: ({ order, actorName, from, to }, language) => {
    const { status } = PHRASES[language];
    return {
      ...orderLink(order, language),
      ...PHRASES[language].statusChanged(order, actorName, status[from], status[to]),
      type: 'ORDER_STATUS_CHANGED',
      // A cancellation usually means someone must stop work or tell the patient.
      priority: to === 'CANCELLED' ? 'HIGH' : DEFAULT_PRIORITY.ORDER_STATUS_CHANGED,
      metadata: { orderId: order.id, from, to },
    };
  },
  PAYMENT_VERIFIED: ({ order, actorName }, language) => ({
    ...orderLink(order, language),
    ...PHRASES[language].paymentVerified(order, actorName, amount(order, language)),
    type: 'PAYMENT_VERIFIED',
    priority: DEFAULT_PRIORITY.PAYMENT_VERIFIED,
    metadata: { orderId: order.id, total: order.total },
  }),
};

/** An escalation step: CRITICAL, naming the original send and linking to its receipts. */
export function renderEscalation(facts: EscalationFacts, language: Language): NotificationContent {
  return {
    ...PHRASES[language].escalation(facts, duration(facts.waitedSeconds, language)),
    type: 'ESCALATION',
    priority: DEFAULT_PRIORITY.ESCALATION,
    actionUrl: sendReceiptsPath(facts.sendId),
    actionText: PHRASES[language].viewReceipts,
    metadata: { escalationOf: facts.sendId, step: facts.step },
  };
}

function duration(seconds: number, language: Language): string {
  const [count, unit] = seconds < 120 ? [seconds, 'seconds' as const] : seconds < 7200 ? [Math.round(seconds / 60), 'minutes' as const] : [Math.round(seconds / 3600), 'hours' as const];
  const form = new Intl.PluralRules(language).select(count) === 'one' ? 'one' : 'other';
  return `${count} ${PHRASES[language].duration[unit][form]}`;
}

/** The templated content of a domain event. */
export function renderNotification(event: NotificationEvent, language: Language): NotificationContent {
  return (TEMPLATES[event.type] as (event: NotificationEvent, language: Language) => NotificationContent)(event, language);
}

/** The content of a free-text message: its own text, with the type's priority and a default link label in the language. */
export function renderMessage(event: MessageEvent, language: Language): NotificationContent {
  const actionUrl = event.actionUrl ?? null;
  return {
    type: event.type,
    title: event.title,
    message: event.message,
    priority: event.priority ?? DEFAULT_PRIORITY[event.type],
    actionUrl,
    actionText: event.actionText ?? (actionUrl ? PHRASES[language].open : null),
    metadata: {},
  };
}

function orderLink(order: OrderFacts, language: Language): Pick<NotificationContent, 'actionUrl' | 'actionText'> {
  return { actionUrl: `/orders?order=${encodeURIComponent(order.id)}`, actionText: PHRASES[language].viewOrder };
}

function excerpt(text: string): string {
  const singleLine = text.replace(/\s+/g, ' ').trim();
  return singleLine.length <= DESCRIPTION_EXCERPT ? singleLine : `${singleLine.slice(0, DESCRIPTION_EXCERPT - 1).trimEnd()}…`;
}
