import type { Language, NotificationPriority } from '@clinic/contracts';

/** What an external message says about one notification. */
export interface DeliveryFacts {
  /** The recipient's: the fixed words are theirs (the title and message were written in it already). */
  language: Language;
  priority: NotificationPriority;
  title: string;
  message: string;
  /** Where to open it: PUBLIC_URL and the notification's in-app path; null when PUBLIC_URL is unset. */
  link: string | null;
  /** Carry the title and message (EXTERNAL_CHANNELS_INCLUDE_CONTENT); else only that something arrived. */
  includeContent: boolean;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * An SMS is one segment: 160 characters of the GSM 7-bit alphabet (an extension character counts
 * as two), or 70 UTF-16 units once a single character outside it makes the whole message UCS-2.
 */
export const SMS_MAX_LENGTH = 160;
export const SMS_MAX_LENGTH_UCS2 = 70;

/** GSM 03.38's basic alphabet, and its extension table (sent as an escape and the character). */
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('^{}\\[~]|€');

/**
 * What an SMS writes instead of a character outside the GSM alphabet that has a close one in it:
 * Spanish's á, í, ó, ú (é, ñ and ü are in it) and typography. Without it, one accent in "notificación"
 * makes the whole message UCS-2: 70 characters a segment, a 160-character SMS sent as three.
 */
const GSM_EQUIVALENT: Readonly<Record<string, string>> = {
  á: 'a', í: 'i', ó: 'o', ú: 'u', Á: 'A', Í: 'I', Ó: 'O', Ú: 'U', â: 'a', ê: 'e', î: 'i', ô: 'o', û: 'u',
  ç: 'Ç', ë: 'e', ï: 'i', È: 'E', Ì: 'I', Ò: 'O', Ù: 'U', À: 'A',
  '…': '...', '–': '-', '—': '-', '‘': "'", '’': "'", '“': '"', '”': '"', '«': '"', '»': '"', '\u00a0': ' ',
};

/** The fixed words of mail and SMS, per language. */
interface Phrases {
  /** "a new CRITICAL notification", as the message's object. */
  announcement: Readonly<Record<NotificationPriority, string>>;
  /** A priority as a tag before a title ("[HIGH] …", "Clinic HIGH: …"). */
  priorityTag: Readonly<Record<NotificationPriority, string>>;
  youHave(what: string): string;
  openIt: string;
  openClinicToSeeIt: string;
  openClinicToSeeThem: string;
  unread(count: number): string;
  digestSubject(unread: string): string;
  andMore(count: number): string;
  openInbox: string;
  smsYouHave(what: string): string;
  /** Before the link at the end of an SMS. */
  smsOpen: string;
}

const PHRASES: Readonly<Record<Language, Phrases>> = {
  en: {
    announcement: { LOW: 'a new low-priority notification', NORMAL: 'a new notification', HIGH: 'a new high-priority notification', CRITICAL: 'a new CRITICAL notification' },
    priorityTag: { LOW: 'LOW', NORMAL: 'NORMAL', HIGH: 'HIGH', CRITICAL: 'CRITICAL' },
    youHave: (what) => `You have ${what} in Clinic.`,
    openIt: 'Open it in Clinic',
    openClinicToSeeIt: 'Open Clinic to see it.',
    openClinicToSeeThem: 'Open Clinic to see them.',
    unread: (count) => (count === 1 ? '1 unread notification' : `${count} unread notifications`),
    digestSubject: (unread) => `Your daily digest: ${unread}`,
    andMore: (count) => `…and ${count} more`,
    openInbox: 'Open your inbox',
    smsYouHave: (what) => `Clinic: you have ${what}.`,
    smsOpen: 'Open',
  },
  es: {
    announcement: {
      LOW: 'una nueva notificación de prioridad baja',
      NORMAL: 'una nueva notificación',
      HIGH: 'una nueva notificación de prioridad alta',
      CRITICAL: 'una nueva notificación CRÍTICA',
    },
    priorityTag: { LOW: 'BAJA', NORMAL: 'NORMAL', HIGH: 'ALTA', CRITICAL: 'CRÍTICA' },
    youHave: (what) => `Tienes ${what} en Clinic.`,
    openIt: 'Ábrela en Clinic',
    openClinicToSeeIt: 'Abre Clinic para verla.',
    openClinicToSeeThem: 'Abre Clinic para verlas.',
    unread: (count) => (count === 1 ? '1 notificación sin leer' : `${count} notificaciones sin leer`),
    digestSubject: (unread) => `Tu resumen diario: ${unread}`,
    andMore: (count) => `…y ${count} más`,
    openInbox: 'Abre tus notificaciones',
    smsYouHave: (what) => `Clinic: tienes ${what}.`,
    smsOpen: 'Ábrela en',
  },
};

/**
 * Mail and SMS leave the clinic's systems: by default they say only that a notification arrived
 * and where to open it ("You have a new CRITICAL notification in Clinic — open <link>"), never
 * its title or message, which may name a patient.
 */
export function renderMail(facts: DeliveryFacts): RenderedMail {
  const words = PHRASES[facts.language];
  const what = words.announcement[facts.priority];
  const subject = facts.includeContent ? `[Clinic] ${facts.title}` : `[Clinic] ${capitalized(what)}`;
  const open = facts.link ? `${words.openIt}: ${facts.link}` : words.openClinicToSeeIt;
  const lines = facts.includeContent ? [facts.title, '', facts.message, '', open] : [words.youHave(what), '', open];
  const htmlLines = facts.includeContent
    ? [`<h1 style="font-size:18px">${escapeHtml(facts.title)}</h1>`, `<p>${escapeHtml(facts.message).replace(/\n/g, '<br>')}</p>`]
    : [`<p>${escapeHtml(words.youHave(what))}</p>`];
  const link = facts.link ? `<p><a href="${escapeHtml(facts.link)}">${escapeHtml(words.openIt)}</a></p>` : `<p>${escapeHtml(words.openClinicToSeeIt)}</p>`;
  return {
    subject,
    text: `${lines.join('\n')}\n`,
    html: mailHtml(facts.language, `${htmlLines.join('')}${link}`),
  };
}

/** What a daily digest says: how many are unread and, with content allowed, the newest titles. */
export interface DigestFacts {
  /** The recipient's. */
  language: Language;
  unreadCount: number;
  /** The newest unread, at most DIGEST_MAX_ITEMS. */
  newest: ReadonlyArray<{ priority: NotificationPriority; title: string }>;
  link: string | null;
  includeContent: boolean;
}

/** Titles a digest lists at most; the count says how many there are in all. */
export const DIGEST_MAX_ITEMS = 10;

export function renderDigest(facts: DigestFacts): RenderedMail {
  const words = PHRASES[facts.language];
  const count = words.unread(facts.unreadCount);
  const subject = `[Clinic] ${words.digestSubject(count)}`;
  const open = facts.link ? `${words.openInbox}: ${facts.link}` : words.openClinicToSeeThem;
  const items = facts.includeContent ? facts.newest.map((item) => `${item.priority === 'NORMAL' ? '' : `[${words.priorityTag[item.priority]}] `}${item.title}`) : [];
  const more = facts.includeContent && facts.unreadCount > facts.newest.length ? [words.andMore(facts.unreadCount - facts.newest.length)] : [];
  const text = [words.youHave(count), ...(items.length ? ['', ...items.map((item) => `- ${item}`), ...more] : []), '', open];
  const list = items.length ? `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>${more.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}` : '';
  const link = facts.link ? `<p><a href="${escapeHtml(facts.link)}">${escapeHtml(words.openInbox)}</a></p>` : `<p>${escapeHtml(words.openClinicToSeeThem)}</p>`;
  return {
    subject,
    text: `${text.join('\n')}\n`,
    html: mailHtml(facts.language, `<p>${escapeHtml(words.youHave(count))}</p>${list}${link}`),
  };
}

/** The document around a mail's body; `lang` lets a screen reader pronounce it in its language. */
function mailHtml(language: Language, body: string): string {
  return `<!doctype html><html lang="${language}"><body style="font-family:sans-serif">${body}</body></html>`;
}

/** One SMS, at most SMS_MAX_LENGTH characters with the link whole: the content is cut, never the link. */
export function renderSms(facts: DeliveryFacts): string {
  const words = PHRASES[facts.language];
  const link = facts.link ? ` ${facts.link}` : '';
  if (!facts.includeContent) {
    return fit(`${words.smsYouHave(words.announcement[facts.priority])} ${facts.link ? words.smsOpen : words.openClinicToSeeIt}`, link);
  }
  return fit(`Clinic ${words.priorityTag[facts.priority]}: ${facts.title}`, link);
}

function fit(content: string, link: string): string {
  const text = [...content].map((character) => GSM_EQUIVALENT[character] ?? character).join('');
  if ([...text + link].every((character) => GSM_BASIC.has(character) || GSM_EXTENSION.has(character))) {
    return fitWithin(SMS_MAX_LENGTH, gsmLength, text, link, '...');
  }
  // Something without a GSM equivalent (an emoji, a Cyrillic name): the segment is UCS-2.
  return fitWithin(SMS_MAX_LENGTH_UCS2, (part) => part.length, text, link, '…');
}

/** The text cut (with `ellipsis`) so that it and the whole link take at most `limit` by `measure`. */
function fitWithin(limit: number, measure: (part: string) => number, text: string, link: string, ellipsis: string): string {
  const room = limit - measure(link);
  if (room < 1) return link.trim().slice(0, limit);
  if (measure(text) <= room) return `${text}${link}`;
  let cut = [...text];
  while (cut.length > 0 && measure(cut.join('')) + measure(ellipsis) > room) cut = cut.slice(0, -1);
  return `${cut.join('').trimEnd()}${ellipsis}${link}`;
}

/** Septets in the GSM 7-bit alphabet: an extension character is an escape and itself. */
function gsmLength(text: string): number {
  let length = 0;
  for (const character of text) length += GSM_EXTENSION.has(character) ? 2 : 1;
  return length;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
