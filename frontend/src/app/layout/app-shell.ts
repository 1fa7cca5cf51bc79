import { ChangeDetectionStrategy, Component, computed, DestroyRef, ElementRef, inject, viewChild } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { AuthService } from '../core/auth-service';
import { OfflineSnapshot } from '../core/offline-snapshot';
import {
  ConnectionIndicator,
  NotificationBell,
  NotificationService,
  OfflineInbox,
  OfflineNotice,
  SoundBlockedNotice,
  ToastStack,
  UndoBar,
  UnreadTitleStrategy,
} from '../notifications';
import { ThemePicker } from './theme-picker';

/**
 * The frame around every signed-in page: header with navigation, live notification indicators
 * and account, the notice that the browser blocks alert sounds, the toasts, then the page.
 */
@Component({
  selector: 'app-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, ConnectionIndicator, NotificationBell, OfflineNotice, SoundBlockedNotice, ToastStack, UndoBar, ThemePicker],
  templateUrl: './app-shell.html',
  styleUrl: './app-shell.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AppShell {
  private readonly auth = inject(AuthService);
  private readonly mainContent = viewChild.required<ElementRef<HTMLElement>>('mainContent');

  private readonly offline = inject(OfflineSnapshot);

  /** While the server cannot be reached, the user whose kept inbox is shown. */
  protected readonly user = computed(() => this.auth.user() ?? this.offline.shown()?.user ?? null);
  protected readonly isAdmin = this.auth.isAdmin;

  constructor() {
    inject(OfflineInbox);
    // The tab title carries the unread count while someone is signed in.
    inject(DestroyRef).onDestroy(inject(UnreadTitleStrategy).follow(inject(NotificationService).unreadCount$));
  }

  protected signOut(): void {
    this.auth.logout();
  }

  protected skipToMainContent(): void {
    this.mainContent().nativeElement.focus();
  }
}
