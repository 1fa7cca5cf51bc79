import { ChangeDetectionStrategy, Component, computed, DestroyRef, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule, ValidatorFn, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import {
  ChannelSwitches,
  DEFAULT_CHANNELS,
  isLanguage,
  LANGUAGE_NAMES,
  LANGUAGES,
  NotificationSettingsDto,
  NotificationType,
  PREFERENCE_CHANNELS,
  PreferenceChannel,
  SENDABLE_TYPES,
  UpdateNotificationSettingsRequest,
} from '@clinic/contracts';

import { describeHttpError } from '../core/http-errors';
import { rememberLanguage } from '../core/language';
import { AlertSound, DesktopNotifications, NotificationPreferences, SoundSetting, TYPE_LABELS } from '../notifications';
import { Feedback } from '../common/feedback';
import { normalizePhone, phoneValidator } from '../common/phone';
import { PageReload } from '../core/page-reload';

/** Escalations are always CRITICAL, which always shows in the app: their row would say nothing new. */
type GridType = (typeof SENDABLE_TYPES)[number];

const TYPE_DESCRIPTIONS: Readonly<Record<GridType, string>> = {
  GENERAL: $localize`:@@prefs.typeGeneralDescription:Announcements and messages from the clinic’s admins`,
  ORDER_CREATED: $localize`:@@prefs.typeOrderCreatedDescription:A new order you created or were assigned`,
  ORDER_STATUS_CHANGED: $localize`:@@prefs.typeOrderStatusChangedDescription:An order of yours was confirmed, started, completed or cancelled`,
  PAYMENT_VERIFIED: $localize`:@@prefs.typePaymentVerifiedDescription:The payment for an order of yours was verified`,
  SYSTEM_ALERT: $localize`:@@prefs.typeSystemAlertDescription:Alerts about the system itself`,
};

export const CHANNEL_LABELS: Readonly<Record<PreferenceChannel, string>> = {
  inApp: $localize`:@@prefs.channelInApp:In app`,
  desktop: $localize`:@@prefs.channelDesktop:Desktop`,
  sound: $localize`:@@prefs.channelSound:Sound`,
  email: $localize`:@@prefs.channelEmail:Email`,
  sms: $localize`:@@prefs.channelSms:SMS`,
};

/** The device's own zone, offered as the obvious choice. */
const DEVICE_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', DEVICE_TIME_ZONE, ...zones])].sort();
}

const cellKey = (type: NotificationType, channel: PreferenceChannel) => `${type}:${channel}`;

/** Both times, or neither, when quiet hours are on. */
const quietHoursComplete: ValidatorFn = (group) => {
  const { quietEnabled, quietStart, quietEnd } = group.value as { quietEnabled: boolean; quietStart: string; quietEnd: string };
  return quietEnabled && (!quietStart || !quietEnd || quietStart === quietEnd) ? { quietHours: true } : null;
};

@Component({
  selector: 'app-preferences-page',
  imports: [RouterLink, ReactiveFormsModule],
  templateUrl: './preferences-page.html',
  styleUrl: './preferences-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PreferencesPage {
  private readonly preferences = inject(NotificationPreferences);
  private readonly desktop = inject(DesktopNotifications);
  private readonly destroyRef = inject(DestroyRef);
  private readonly sound = inject(AlertSound);
  private readonly pageReload = inject(PageReload);

  protected readonly types = SENDABLE_TYPES;
  protected readonly channels = PREFERENCE_CHANNELS;
  protected readonly channelLabels = CHANNEL_LABELS;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly typeDescriptions = TYPE_DESCRIPTIONS;
  protected readonly timeZones = timeZones();
  protected readonly deviceTimeZone = DEVICE_TIME_ZONE;
  protected readonly soundSettings = this.sound.settings;
  protected readonly permission = toSignal(this.desktop.permission$, { requireSync: true });

  protected readonly switches = signal<ReadonlyMap<NotificationType, ChannelSwitches>>(new Map());
  protected readonly loaded = signal(false);
  protected readonly savingCells = signal<ReadonlySet<string>>(new Set());
  protected readonly gridStatus = signal<Feedback | null>(null);
  protected readonly settingsStatus = signal<Feedback | null>(null);
  protected readonly savingSettings = signal(false);
  protected readonly languages = LANGUAGES;
  protected readonly languageNames = LANGUAGE_NAMES;
  /** The user's language as the server last said; the page itself may still run in another one. */
  protected readonly language = computed(() => this.preferences.settings().language);
  /** Saving the language, and then reloading into it: the picker waits. */
  protected readonly switchingLanguage = signal(false);

  protected readonly settingsForm = inject(FormBuilder).nonNullable.group(
    {
      timeZone: ['UTC', Validators.required],
      quietEnabled: false,
      quietStart: '22:00',
      quietEnd: '07:00',
      digestEnabled: false,
      digestTime: '08:00',
      hideDetails: false,
      phone: ['', phoneValidator],
    },
    { validators: quietHoursComplete },
  );

  constructor() {
    this.preferences
      .load()
      .pipe(takeUntilDestroyed())
      .subscribe({
        next: ({ preferences, settings }) => {
          this.switches.set(new Map(preferences.map((preference) => [preference.type, preference.channels])));
          this.showSettings(settings);
          this.loaded.set(true);
        },
        error: (error: unknown) => this.gridStatus.set({ kind: 'error', text: describeHttpError(error, $localize`:@@prefs.actionLoadSettings:load your settings`) }),
      });
  }

  protected isOn(type: NotificationType, channel: PreferenceChannel): boolean {
    return (this.switches().get(type) ?? DEFAULT_CHANNELS)[channel];
  }

  protected isSaving(type: NotificationType, channel: PreferenceChannel): boolean {
    return this.savingCells().has(cellKey(type, channel));
  }

  /** Saves one cell at once; put back as it was, with the reason, when the server refuses. */
  protected setChannel(type: GridType, channel: PreferenceChannel, on: boolean): void {
    const key = cellKey(type, channel);
    this.patchSwitch(type, channel, on);
    this.savingCells.update((keys) => toggled(keys, key, true));
    this.gridStatus.set(null);
    this.preferences
      .save([{ type, channels: { [channel]: on } }])
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.savingCells.update((keys) => toggled(keys, key, false));
          this.gridStatus.set({ kind: 'success', text: cellSaved(channel, type, on) });
        },
        error: (error: unknown) => {
          this.savingCells.update((keys) => toggled(keys, key, false));
          this.patchSwitch(type, channel, !on);
          this.gridStatus.set({ kind: 'error', text: describeHttpError(error, $localize`:@@prefs.actionSaveSetting:save the setting`) });
        },
      });
  }

  protected useDeviceTimeZone(): void {
    this.settingsForm.controls.timeZone.setValue(DEVICE_TIME_ZONE);
    this.settingsForm.markAsDirty();
  }

  protected saveSettings(): void {
    if (this.savingSettings()) return;
    this.settingsForm.markAllAsTouched();
    if (this.settingsForm.invalid) {
      this.settingsStatus.set({ kind: 'error', text: this.formProblem() });
      return;
    }
    const value = this.settingsForm.getRawValue();
    const changes: UpdateNotificationSettingsRequest = {
      timeZone: value.timeZone,
      quietHours: value.quietEnabled ? { start: value.quietStart, end: value.quietEnd } : null,
      digestTime: value.digestEnabled ? value.digestTime : null,
      hideDetails: value.hideDetails,
      phone: normalizePhone(value.phone) === '' ? null : normalizePhone(value.phone),
    };
    this.savingSettings.set(true);
    this.settingsStatus.set(null);
    this.preferences
      .saveSettings(changes)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (settings) => {
          this.savingSettings.set(false);
          this.showSettings(settings);
          this.settingsStatus.set({ kind: 'success', text: $localize`:@@prefs.settingsSaved:Settings saved.` });
        },
        error: (error: unknown) => {
          this.savingSettings.set(false);
          this.settingsStatus.set({ kind: 'error', text: describeHttpError(error, $localize`:@@prefs.actionSaveSettings:save your settings`) });
        },
      });
  }

  /**
   * Saved on its own, at once, then the page reloads in it (the app's texts load before it starts).
   * With unsaved changes in the settings form it does not reload: they would be lost; the new
   * language then shows from the next load.
   */
  protected chooseLanguage(picker: HTMLSelectElement): void {
    const language = picker.value;
    if (!isLanguage(language) || language === this.language() || this.switchingLanguage()) return;
    this.switchingLanguage.set(true);
    this.settingsStatus.set(null);
    this.preferences
      .saveSettings({ language })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          if (this.settingsForm.dirty) {
            rememberLanguage(language);
            this.switchingLanguage.set(false);
            this.settingsStatus.set({ kind: 'success', text: $localize`:@@prefs.languageSavedLater:Language saved. The app switches to ${LANGUAGE_NAMES[language]}:LANGUAGE: when the page next loads; your unsaved settings stay here.` });
            return;
          }
          if (rememberLanguage(language)) {
            // The picker stays disabled until the page is gone.
            this.settingsStatus.set({ kind: 'success', text: $localize`:@@prefs.switchingLanguage:Switching to ${LANGUAGE_NAMES[language]}:LANGUAGE:…` });
            this.pageReload.reload();
            return;
          }
          this.switchingLanguage.set(false);
          this.settingsStatus.set({ kind: 'success', text: $localize`:@@prefs.languageSaved:Language saved.` });
        },
        error: (error: unknown) => {
          this.switchingLanguage.set(false);
          // The options' [selected] did not change, so the element is put back by hand.
          picker.value = this.language();
          this.settingsStatus.set({ kind: 'error', text: describeHttpError(error, $localize`:@@prefs.actionSaveLanguage:save your language`) });
        },
      });
  }

  protected enableDesktopNotifications(): void {
    void this.desktop.requestPermission();
  }

  protected setSound(setting: SoundSetting, on: boolean): void {
    this.sound.set(setting, on);
  }

  private formProblem(): string {
    if (this.settingsForm.controls.phone.invalid) return $localize`:@@prefs.phoneInvalid:The phone number must start with + and the country code, e.g. +41791234567.`;
    if (this.settingsForm.hasError('quietHours')) return $localize`:@@prefs.quietHoursInvalid:Quiet hours need a start and an end time that differ.`;
    return $localize`:@@prefs.checkFields:Please check the highlighted fields.`;
  }

  private showSettings(settings: NotificationSettingsDto): void {
    this.settingsForm.reset({
      timeZone: settings.timeZone,
      quietEnabled: settings.quietHours !== null,
      quietStart: settings.quietHours?.start ?? '22:00',
      quietEnd: settings.quietHours?.end ?? '07:00',
      digestEnabled: settings.digestTime !== null,
      digestTime: settings.digestTime ?? '08:00',
      hideDetails: settings.hideDetails,
      phone: settings.phone ?? '',
    });
  }

  private patchSwitch(type: NotificationType, channel: PreferenceChannel, on: boolean): void {
    this.switches.update((all) => new Map(all).set(type, { ...(all.get(type) ?? DEFAULT_CHANNELS), [channel]: on }));
  }
}

/** What the grid says once a cell is saved: "Email for General: off." */
function cellSaved(channel: PreferenceChannel, type: GridType, on: boolean): string {
  const cell = CHANNEL_LABELS[channel];
  const kind = TYPE_LABELS[type];
  return on
    ? $localize`:@@prefs.cellOn:${cell}:CHANNEL: for ${kind}:TYPE:: on.`
    : $localize`:@@prefs.cellOff:${cell}:CHANNEL: for ${kind}:TYPE:: off.`;
}

function toggled<T>(set: ReadonlySet<T>, value: T, present: boolean): ReadonlySet<T> {
  const next = new Set(set);
  if (present) next.add(value);
  else next.delete(value);
  return next;
}
