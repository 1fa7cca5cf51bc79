import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { Role } from '@clinic/contracts';

import { signIn } from '../../testing/auth-fixtures';
import { provideFakeSockets } from '../../testing/fake-socket';
import { AUTH_API } from '../core/api-paths';
import { AuthService } from '../core/auth-service';
import { AppShell } from './app-shell';

describe('AppShell', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [AppShell],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), provideFakeSockets().provider],
    });
  });

  async function render(role: Role): Promise<HTMLElement> {
    signIn(1, role);
    const fixture = TestBed.createComponent(AppShell);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  const navLabels = (shell: HTMLElement) =>
    [...shell.querySelectorAll('nav[aria-label=Main] a')].map((link) => link.textContent?.trim());

  it('shows staff their pages and who is signed in', async () => {
    const shell = await render('STAFF');

    expect(navLabels(shell)).toEqual(['Notifications', 'Orders', 'Preferences']);
    expect(shell.querySelector('.account-name')?.textContent).toContain('Nora Nurse');
  });

  it('shows admins the administration pages too', async () => {
    const shell = await render('ADMIN');

    expect(navLabels(shell)).toEqual(['Notifications', 'Orders', 'Preferences', 'Admin', 'Sends', 'Deliveries', 'Users', 'Teams', 'Audit']);
  });

  it('shows the connection state, the notification bell and the theme choice in the header', async () => {
    const shell = await render('STAFF');
    const indicators = shell.querySelector('header .header-indicators')!;

    expect(indicators.querySelector('[data-testid="connection-state"]')?.textContent).toContain('Reconnecting');
    expect(indicators.querySelector('[data-testid="notification-bell"]')).not.toBeNull();
    expect(indicators.querySelector('[data-testid="theme-toggle"]')?.getAttribute('aria-label')).toBe('Theme: System');
  });

  it('signs out and goes to sign in', async () => {
    const navigateByUrl = vi.spyOn(TestBed.inject(Router), 'navigateByUrl').mockResolvedValue(true);
    const shell = await render('STAFF');

    [...shell.querySelectorAll('button')].find((button) => button.textContent?.includes('Sign out'))!.click();

    expect(TestBed.inject(AuthService).isAuthenticated()).toBe(false);
    expect(navigateByUrl).toHaveBeenCalledWith('/login');
    TestBed.inject(HttpTestingController).expectOne(AUTH_API.logout).flush(null);
  });
});
