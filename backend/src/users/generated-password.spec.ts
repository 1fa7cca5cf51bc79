import { MIN_PASSWORD_LENGTH } from '@clinic/contracts';
import { generatePassword } from './generated-password';

describe('generatePassword', () => {
  it('is long enough to be accepted as a password, easy to read out, and different every time', () => {
    const passwords = Array.from({ length: 200 }, generatePassword);
    for (const password of passwords) {
      expect(password).toMatch(/^[a-hjkmnp-zA-HJ-NP-Z2-9]{4}(-[a-hjkmnp-zA-HJ-NP-Z2-9]{4}){3}$/);
      expect(password.length).toBeGreaterThanOrEqual(MIN_PASSWORD_LENGTH);
    }
    expect(new Set(passwords).size).toBe(passwords.length);
  });
});
