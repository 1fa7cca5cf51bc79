import { withoutSecrets } from './audit-record';

describe('withoutSecrets', () => {
  it('drops every key that could hold a credential, at any depth, and keeps the rest as it is', () => {
    const details = {
      email: 'nurse@clinic.test',
      password: 'hunter2-hunter2',
      initialPassword: 'x',
      newPassword: 'y',
      passwordHash: 'scrypt$…',
      accessToken: 'eyJ…',
      refreshToken: 'r',
      changes: { role: { from: 'STAFF', to: 'ADMIN' }, temporaryPassword: 'z', nested: [{ tokenHash: 'h', kept: 1 }] },
      Authorization: 'Bearer x',
      jwtSecret: 's',
      sessionsEnded: 2,
    };
    expect(withoutSecrets(details)).toEqual({
      email: 'nurse@clinic.test',
      changes: { role: { from: 'STAFF', to: 'ADMIN' }, nested: [{ kept: 1 }] },
      sessionsEnded: 2,
    });
  });
});
