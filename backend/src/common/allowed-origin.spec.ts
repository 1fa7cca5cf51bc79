import { isAllowedOrigin } from './allowed-origin';

describe('isAllowedOrigin', () => {
  const open = { allowedOrigins: ['https://partner.example'], publicUrl: null };
  const published = { allowedOrigins: ['https://clinic.example', 'https://partner.example'], publicUrl: 'https://clinic.example' };

  it('judges a client that sends no Origin by its token alone', () => {
    expect(isAllowedOrigin(undefined, 'evil.example', published)).toBe(true);
  });

  it('without PUBLIC_URL, allows the origin the request was sent to and the listed ones, nothing else', () => {
    expect(isAllowedOrigin('http://localhost:3000', 'localhost:3000', open)).toBe(true);
    expect(isAllowedOrigin('https://partner.example', 'localhost:3000', open)).toBe(true);
    expect(isAllowedOrigin('http://evil.example', 'localhost:3000', open)).toBe(false);
    expect(isAllowedOrigin('null', 'localhost:3000', open)).toBe(false);
    expect(isAllowedOrigin('ftp://localhost:3000', 'localhost:3000', open)).toBe(false);
  });

  it('with PUBLIC_URL, no longer believes the Host header: a DNS-rebinding page names its own host in both', () => {
    expect(isAllowedOrigin('http://evil.example', 'evil.example', open)).toBe(true);
    expect(isAllowedOrigin('http://evil.example', 'evil.example', published)).toBe(false);
    expect(isAllowedOrigin('https://clinic.example', 'clinic.example', published)).toBe(true);
  });
});
