import { provideHttpClient } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { signIn } from '../testing/auth-fixtures';
import { routes } from './app.routes';

describe('app routes', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter(routes, withComponentInputBinding())],
    });
  });

  async function open(url: string): Promise<string> {
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url);
    return TestBed.inject(Router).url;
  }

  it('sends signed-out visitors to sign in, keeping where they were going', async () => {
    expect(await open('/orders')).toBe('/login?returnUrl=%2Forders');
  });

  it('opens the notifications by default', async () => {
    signIn(1);
    expect(await open('/')).toBe('/notifications');
  });

  it('opens a page for signed-in staff inside the shell', async () => {
    signIn(1);
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl('/orders');

    expect(harness.routeNativeElement?.querySelector('h1')?.textContent).toBe('Orders');
    expect(document.querySelector('nav[aria-label=Main]')).not.toBeNull();
  });

  it.each(['/admin', '/sends', '/deliveries', '/users', '/teams', '/audit'])('keeps staff out of %s', async (url) => {
    signIn(1, 'STAFF');
    expect(await open(url)).toBe('/notifications');
  });

  it('lets everyone signed in change their password', async () => {
    signIn(1, 'STAFF');
    expect(await open('/change-password')).toBe('/change-password');
  });

  it('lets staff open the receipts of a send (an escalation links there; the server decides who may see it)', async () => {
    signIn(1, 'STAFF');
    expect(await open('/sends/s-1')).toBe('/sends/s-1');
  });

  it('lets admins into the admin page', async () => {
    signIn(1, 'ADMIN');
    expect(await open('/admin')).toBe('/admin');
  });

  it('sends unknown addresses home', async () => {
    signIn(1);
    expect(await open('/no-such-page')).toBe('/notifications');
  });
});
