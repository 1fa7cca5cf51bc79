import { randomInt } from 'node:crypto';

/** Letters and digits that cannot be mistaken for one another when read out or copied by hand (no 0/O, 1/l/I). */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A password for an administrator to hand over once (a new account, a reset): four groups of
 * four, e.g. `Hq7k-9vRt-mW2x-Pc4n`, about 92 bits of entropy from the system's CSPRNG.
 */
export function generatePassword(): string {
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''));
  return groups.join('-');
}
