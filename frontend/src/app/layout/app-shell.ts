import { ChangeDetectionStrategy, Component, ElementRef, inject, viewChild } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { AuthService } from '../core/auth-service';
import { ConnectionIndicator, NotificationBell, ToastStack } from '../notifications';

/**
 * The frame around every signed-in page: header with navigation, live notification indicators
 * and account, the toasts, then the page.
 */
@Component({
  selector: 'app-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, ConnectionIndicator, NotificationBell, ToastStack],
  templateUrl: './app-shell.html',
  styleUrl: './app-shell.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppShell {
  private readonly auth = inject(AuthService);
  private readonly mainContent = viewChild.required<ElementRef<HTMLElement>>('mainContent');

  protected readonly user = this.auth.user;
  protected readonly isAdmin = this.auth.isAdmin;

  protected signOut(): void {
    this.auth.logout();
  }

  protected skipToMainContent(): void {
    this.mainContent().nativeElement.focus();
  }
}
