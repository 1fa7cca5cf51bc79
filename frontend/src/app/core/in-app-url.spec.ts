import { inAppUrl } from './in-app-url';

describe('inAppUrl', () => {
  it.each([
    ['/orders', '/orders'],
    ['/orders?order=42#top', '/orders?order=42#top'],
    ['/notifications/../orders', '/orders'],
  ])('lets the in-app path %s through', (url, expected) => {
    expect(inAppUrl(url)).toBe(expected);
  });

  it.each([
    [null],
    [''],
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    ['https://evil.example/phish'],
    ['//evil.example/phish'],
    ['/\\evil.example/phish'],
    ['/\t/evil.example'],
    ['orders'],
    ['data:text/html,<script>alert(1)</script>'],
  ])('refuses %s', (url) => {
    expect(inAppUrl(url)).toBeNull();
  });
});
