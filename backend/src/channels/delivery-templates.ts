import type { NotificationPriority } from '@clinic/contracts';

/** What an external message says about one notification. */
export interface DeliveryFacts {
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

/** An SMS is one segment: 160 GSM characters. */
export const SMS_MAX_LENGTH = 160;

const PRIORITY_WORDS: Readonly<Record<NotificationPriority, string>> = { LOW: 'low-priority', NORMAL: '', HIGH: 'high-priority', CRITICAL: 'CRITICAL' };

/**
 * Mail and SMS leave the clinic's systems: by default they say only that a notification arrived
 * and where to open it ("You have a new CRITICAL notification in Clinic — open <link>"), never
 * its title or message, which may name a patient.
 */
export function renderMail(facts: DeliveryFacts): RenderedMail {
  const what = announcement(facts.priority);
  const subject = facts.includeContent ? `[Clinic] ${facts.title}` : `[Clinic] ${capitalized(what)}`;
  const open = facts.link ? `Open it in Clinic: ${facts.link}` : 'Open Clinic to see it.';
  const lines = facts.includeContent ? [facts.title, '', facts.message, '', open] : [`You have ${what} in Clinic.`, '', open];
  const htmlLines = facts.includeContent
    ? [`<h1 style="font-size:18px">${escapeHtml(facts.title)}</h1>`, `<p>${escapeHtml(facts.message).replace(/\n/g, '<br>')}</p>`]
    : [`<p>You have ${escapeHtml(what)} in Clinic.</p>`];
  const link = facts.link ? `<p><a href="${escapeHtml(facts.link)}">Open it in Clinic</a></p>` : '<p>Open Clinic to see it.</p>';
  return {
    subject,
    text: `${lines.join('\n')}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${htmlLines.join('')}${link}</body></html>`,
  };
}

/** What a daily digest says: how many are unread and, with content allowed, the newest titles. */
export interface DigestFacts {
  unreadCount: number;
  /** The newest unread, at most DIGEST_MAX_ITEMS. */
  newest: ReadonlyArray<{ priority: NotificationPriority; title: string }>;
  link: string | null;
  includeContent: boolean;
}

/** Titles a digest lists at most; the count says how many there are in all. */
export const DIGEST_MAX_ITEMS = 10;

export function renderDigest(facts: DigestFacts): RenderedMail {
  const count = facts.unreadCount === 1 ? '1 unread notification' : `${facts.unreadCount} unread notifications`;
  const subject = `[Clinic] Your daily digest: ${count}`;
  const open = facts.link ? `Open your inbox: ${facts.link}` : 'Open Clinic to see them.';
  const items = facts.includeContent ? facts.newest.map((item) => `${item.priority === 'NORMAL' ? '' : `[${item.priority}] `}${item.title}`) : [];
  const more = facts.includeContent && facts.unreadCount > facts.newest.length ? [`…and ${facts.unreadCount - facts.newest.length} more`] : [];
  const text = [`You have ${count} in Clinic.`, ...(items.length ? ['', ...items.map((item) => `- ${item}`), ...more] : []), '', open];
  const list = items.length ? `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>${more.map((line) => `<p>${escapeHtml(line)}</p>`).join('')}` : '';
  const link = facts.link ? `<p><a href="${escapeHtml(facts.link)}">Open your inbox</a></p>` : '<p>Open Clinic to see them.</p>';
  return {
    subject,
    text: `${text.join('\n')}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif"><p>You have ${escapeHtml(count)} in Clinic.</p>${list}${link}</body></html>`,
  };
}

/** One SMS, at most SMS_MAX_LENGTH characters with the link whole: the content is cut, never the link. */
export function renderSms(facts: DeliveryFacts): string {
  const link = facts.link ? ` ${facts.link}` : '';
  if (!facts.includeContent) return fit(`Clinic: you have ${announcement(facts.priority)}.${facts.link ? ' Open' : ' Open Clinic to see it.'}`, link);
  return fit(`Clinic ${facts.priority}: ${facts.title}`, link);
}

function fit(text: string, link: string): string {
  const room = SMS_MAX_LENGTH - link.length;
  if (room < 1) return link.trim().slice(0, SMS_MAX_LENGTH);
  return `${text.length <= room ? text : `${text.slice(0, room - 1)}…`}${link}`;
}

function announcement(priority: NotificationPriority): string {
  const words = PRIORITY_WORDS[priority];
  return words ? `a new ${words} notification` : 'a new notification';
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}
