import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseTemplate } from '@angular/compiler';

/** The translation catalogues: `messages.json` is extracted from the source (`npm run i18n:extract -w frontend`). */
export const LOCALE_DIR = fileURLToPath(new URL('../../src/locale/', import.meta.url));
const APP_DIR = fileURLToPath(new URL('../../src/app/', import.meta.url));

export interface Catalogue {
  locale: string;
  translations: Record<string, string>;
}

export function readCatalogue(file: 'messages.json' | 'messages.es.json'): Catalogue {
  return JSON.parse(readFileSync(path.join(LOCALE_DIR, file), 'utf8')) as Catalogue;
}

/** `{$INTERPOLATION}`, `{$START_TAG_STRONG}`…: what a translation must keep, in any order. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\$[A-Z0-9_]+\}/g)].map((match) => match[0]).sort();
}

/**
 * The fixed pieces of an English message as a page shows them: the text between its placeholders
 * and ICU cases, trimmed, with letters in them.
 */
export function visiblePieces(message: string): string[] {
  return message
    .split(/\{\$[A-Z0-9_]+\}|\{[A-Za-z_]+, (?:plural|select),|=?\w+ \{|[{}]/)
    .map((piece) => piece.replace(/\s+/g, ' ').trim())
    .filter((piece) => /\p{L}{2,}/u.test(piece));
}

/** Attributes a person reads or hears: each needs an `i18n-<name>`. */
const READ_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'placeholder', 'title', 'alt']);

export interface UnmarkedText {
  file: string;
  text: string;
}

/**
 * Text in the app's templates (files and inline `template:`s) that is not marked for translation:
 * text outside an `i18n` element, and read attributes without `i18n-…`. An element with
 * `translate="no"` (a product name, an example value) is left out, as the HTML attribute means.
 */
export function unmarkedTemplateTexts(): UnmarkedText[] {
  const found: UnmarkedText[] = [];
  for (const file of sourceFiles(APP_DIR)) {
    const source = readFileSync(file, 'utf8');
    const templates = file.endsWith('.html') ? [source] : [...source.matchAll(/template:\s*`([^`]*)`/g)].map((match) => match[1]);
    for (const template of templates) {
      const parsed = parseTemplate(template, file, { preserveWhitespaces: false });
      walk(parsed.nodes, false, (text) => found.push({ file: path.relative(APP_DIR, file), text }));
    }
  }
  return found;
}

/** Every `@@id` the sources name, in templates and in `$localize` strings. */
export function sourceMessageIds(): Set<string> {
  const ids = new Set<string>();
  for (const file of sourceFiles(APP_DIR)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/@@([\w.-]+)/g)) ids.add(match[1]);
  }
  return ids;
}

type Node = Record<string, unknown>;

function walk(nodes: unknown[], inMessage: boolean, report: (text: string) => void): void {
  for (const node of nodes as Node[]) {
    const kind = node.constructor.name;
    const isElement = kind === 'Element' || kind === 'Template' || kind === 'Component';
    if (isElement && (node.attributes as Node[]).some((a) => a.name === 'translate' && a.value === 'no')) continue;
    const covered = inMessage || (isElement && node.i18n !== undefined && (node.i18n as Node).constructor.name === 'Message');
    if (kind === 'Text' && !covered && hasWords(node.value as string)) report((node.value as string).trim());
    if (kind === 'BoundText' && !covered) {
      const strings = ((node.value as Node).ast as Node).strings as string[] | undefined;
      if (strings && hasWords(strings.join(' '))) report(strings.join('…').trim());
    }
    if (isElement) {
      for (const attribute of node.attributes as Node[]) {
        if (READ_ATTRIBUTES.has(attribute.name as string) && attribute.i18n === undefined && hasWords(attribute.value as string)) {
          report(`${attribute.name as string}="${attribute.value as string}"`);
        }
      }
    }
    for (const key of ['children', 'branches', 'cases', 'empty', 'placeholder', 'loading', 'error']) {
      const value = node[key];
      if (Array.isArray(value)) walk(value, covered, report);
      else if (value && typeof value === 'object') walk([value], covered, report);
    }
  }
}

function hasWords(text: string): boolean {
  return /\p{L}{2,}/u.test(text);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(html|ts)$/.test(entry.name) && !entry.name.endsWith('.spec.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}
