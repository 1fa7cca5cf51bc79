import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/**
 * Deepest nesting accepted in a body or query string. The deepest legitimate body
 * (`{ preferences: [{ type, muted }] }`) has 3 levels; class-transformer recurses once per level
 * and overflows the stack at a few thousand, which a 100 kB body easily reaches.
 */
export const MAX_JSON_DEPTH = 8;

/**
 * Keys that reach an object's prototype when assigned (`obj.__proto__ = …`): class-transformer
 * copies them onto the DTO, where they slip past the whitelist. No request ever needs them.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * body-parser `verify` hook: JSON on the wire is UTF-8 (RFC 8259). Invalid bytes would otherwise
 * be decoded to U+FFFD and stored as if the client had meant them, and another declared charset
 * (body-parser also decodes UTF-16 and UTF-32) only widens what must be tested.
 */
export function requireUtf8(request: IncomingMessage, _response: unknown, body: Buffer): void {
  const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1].toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw Object.assign(new Error('JSON must be sent as UTF-8 (charset=utf-8)'), { status: 415 });
  }
  if (!isUtf8(body)) throw Object.assign(new Error('request body is not valid UTF-8'), { status: 400 });
}

/**
 * Runs before validation on every REST body and query string: a body must be a JSON object, and
 * neither may nest deeper than MAX_JSON_DEPTH or carry a prototype key. Socket payloads never
 * reach it (global pipes are HTTP only); the gateway reads them field by field.
 */
@Injectable()
export class JsonShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new BadRequestException('request body must be a JSON object sent as Content-Type: application/json');
      }
      assertShape(value, 'request body');
    }
    if (metadata.type === 'query' && typeof value === 'object' && value !== null) assertShape(value, 'query string');
    return value;
  }
}

/** Iterative, so that the check itself cannot overflow the stack. */
function assertShape(root: object, where: string): void {
  const pending: Array<[unknown, number]> = [[root, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) throw new BadRequestException(`${where} is nested more than ${MAX_JSON_DEPTH} levels deep`);
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new BadRequestException(`${where} must not contain the key "${key}"`);
      pending.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
  }
}
