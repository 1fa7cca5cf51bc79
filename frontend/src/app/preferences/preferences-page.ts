import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { NotificationType, SENDABLE_TYPES } from '@clinic/contracts';

import { describeHttpError } from '../core/http-errors';
import { AlertSound, DesktopNotifications, NotificationPreferences, SoundSetting, TYPE_LABELS } from '../notifications';
import { Feedback } from '../common/feedback';

/** Escalations are always CRITICAL, which is never muted: not offered. */
type MutableType = (typeof SENDABLE_TYPES)[number];

const TYPE_DESCRIPTIONS: Readonly<Record<MutableType, string>> = {
  GENERAL: 'Announcements and messages from the clinic’s admins',
  ORDER_CREATED: 'A new order you created or were assigned',
  ORDER_STATUS_CHANGED: 'An order of yours was confirmed, started, completed or cancelled',
  PAYMENT_VERIFIED: 'The payment for an order of yours was verified',
  SYSTEM_ALERT: 'Alerts about the system itself',
};

@Component({
  selector: 'app-preferences-page',
  imports: [RouterLink],
  templateUrl: './preferences-page.html',
  styleUrl: './preferences-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PreferencesPage {
  private readonly preferences = inject(NotificationPreferences);
  private readonly desktop = inject(DesktopNotifications);
  private readonly destroyRef = inject(DestroyRef);
  private readonly sound = inject(AlertSound);

  protected readonly types = SENDABLE_TYPES;
  protected readonly soundSettings = this.sound.settings;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly typeDescriptions = TYPE_DESCRIPTIONS;
  protected readonly permission = toSignal(this.desktop.permission$, { requireSync: true });
  protected readonly muted = signal<ReadonlySet<NotificationType>>(new Set());
  protected readonly loaded = signal(false);
  protected readonly saving = signal<ReadonlySet<NotificationType>>(new Set());
  protected readonly status = signal<Feedback | null>(null);
  protected readonly mutedCount = computed(() => this.muted().size);

  constructor() {
    this.preferences
      .load()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: (preferences) => {
          this.muted.set(new Set(preferences.filter((preference) => preference.muted).map((preference) => preference.type)));
          this.loaded.set(true);
        },
        error: (error: unknown) => this.status.set({ kind: 'error', text: describeHttpError(error, 'load your settings') }),
      });
  }

  protected enableDesktopNotifications(): void {
    void this.desktop.requestPermission();
  }

  protected setSound(setting: SoundSetting, on: boolean): void {
    this.sound.set(setting, on);
  }

  protected setMuted(type: NotificationType, muted: boolean): void {
    this.muted.update((types) => toggled(types, type, muted));
    this.saving.update((types) => toggled(types, type, true));
    this.status.set(null);
    this.preferences
      .save([{ type, muted }])
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.saving.update((types) => toggled(types, type, false));
          this.status.set({
            kind: 'success',
            text: `${TYPE_LABELS[type]} notifications ${muted ? 'muted' : 'will pop up again'}.`,
          });
        },
        error: (error: unknown) => {
          this.saving.update((types) => toggled(types, type, false));
          this.muted.update((types) => toggled(types, type, !muted));
          this.status.set({ kind: 'error', text: describeHttpError(error, 'save the setting') });
        },
      });
  }
}

function toggled<T>(set: ReadonlySet<T>, value: T, present: boolean): ReadonlySet<T> {
  const next = new Set(set);
  if (present) next.add(value);
  else next.delete(value);
  return next;
}
