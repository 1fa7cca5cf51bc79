import { DOCUMENT } from '@angular/common';
import { DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import type { NotificationPriority } from '@clinic/contracts';

/** Where this device keeps the sound settings (they are per device, like desktop notifications). */
export const SOUND_SETTINGS_KEY = 'clinic.notify.sound';

export interface SoundSettings {
  /** A sound for CRITICAL notifications: on unless turned off. */
  readonly critical: boolean;
  /** A sound for HIGH notifications: off unless turned on. */
  readonly high: boolean;
}
export type SoundSetting = keyof SoundSettings;

export const DEFAULT_SOUND_SETTINGS: SoundSettings = { critical: true, high: false };

/** Builds the page's one AudioContext; null where the browser has no Web Audio. Tests provide a fake. */
export const AUDIO_CONTEXT_FACTORY = new InjectionToken<(() => AudioContext) | null>('AUDIO_CONTEXT_FACTORY', {
  providedIn: 'root',
  factory: () => {
    const AudioContextClass = inject(DOCUMENT).defaultView?.AudioContext;
    return AudioContextClass ? () => new AudioContextClass() : null;
  },
});

/** One tone of a pattern: seconds from its start. */
export interface Tone {
  readonly frequency: number;
  readonly start: number;
  readonly duration: number;
}

interface Pattern {
  readonly wave: OscillatorType;
  readonly volume: number;
  readonly tones: readonly Tone[];
}

/**
 * CRITICAL: an alarm-like falling two-tone, three times (about 1.1 s), on a square wave that cuts
 * through ward noise. HIGH: one soft sine chime (half a second). Distinct enough to tell apart
 * without looking.
 */
export const SOUND_PATTERNS: Readonly<Record<SoundSetting, Pattern>> = {
  critical: {
    wave: 'square',
    volume: 0.12,
    tones: [0, 1, 2].flatMap((round) => [
      { frequency: 988, start: round * 0.38, duration: 0.16 },
      { frequency: 740, start: round * 0.38 + 0.18, duration: 0.16 },
    ]),
  },
  high: { wave: 'sine', volume: 0.25, tones: [{ frequency: 880, start: 0, duration: 0.5 }] },
};

const SETTING_FOR: Readonly<Record<NotificationPriority, SoundSetting | null>> = {
  LOW: null,
  NORMAL: null,
  HIGH: 'high',
  CRITICAL: 'critical',
};

/** How long a suspended context may take to resume before the browser is taken to be blocking sound. */
const RESUME_GRACE_MS = 300;

/**
 * The sound of a HIGH or CRITICAL notification, generated with Web Audio (no file to fetch), as
 * this device's settings ask. Browsers keep a page silent until the user has interacted with it:
 * when a sound is due while the AudioContext is still suspended, `blocked` turns true (the shell
 * shows a notice with a button), and the first click or key press anywhere resumes the context.
 */
@Injectable({ providedIn: 'root' })
export class AlertSound {
  private readonly document = inject(DOCUMENT);
  private readonly window = this.document.defaultView;
  private readonly createContext = inject(AUDIO_CONTEXT_FACTORY);
  private readonly state = signal<SoundSettings>(this.readSettings());
  private readonly blockedState = signal(false);
  private context: AudioContext | null = null;
  private readonly onGesture = () => this.unlock();

  readonly settings = this.state.asReadonly();
  /** A sound was due but the browser holds audio back until the user interacts with the page. */
  readonly blocked = this.blockedState.asReadonly();

  constructor() {
    this.document.addEventListener('click', this.onGesture, true);
    this.document.addEventListener('keydown', this.onGesture, true);
    // Another tab of this device changed the settings.
    const onStorage = (event: StorageEvent) => {
      if (event.key === SOUND_SETTINGS_KEY) this.state.set(this.readSettings());
    };
    this.window?.addEventListener('storage', onStorage);
    inject(DestroyRef).onDestroy(() => {
      this.stopListening();
      this.window?.removeEventListener('storage', onStorage);
      void this.context?.close().catch(() => undefined);
    });
  }

  set(setting: SoundSetting, on: boolean): void {
    this.state.update((settings) => ({ ...settings, [setting]: on }));
    try {
      this.window?.localStorage.setItem(SOUND_SETTINGS_KEY, JSON.stringify(this.state()));
    } catch {
      // Storage blocked or full: the setting holds until the page is closed.
    }
  }

  /** Plays the sound for a notification of this priority, if this device wants one. */
  play(priority: NotificationPriority): void {
    const setting = SETTING_FOR[priority];
    if (!setting || !this.state()[setting]) return;
    const context = this.audioContext();
    if (!context) return;
    if (context.state === 'running') {
      this.schedule(context, SOUND_PATTERNS[setting]);
      return;
    }
    void this.resumeWithin(context).then((running) => {
      if (running) this.schedule(context, SOUND_PATTERNS[setting]);
      else this.blockedState.set(true);
    });
  }

  /** The "Enable sound" button: a user gesture, so the browser lets the context resume. */
  enable(): void {
    this.unlock();
  }

  private unlock(): void {
    const { critical, high } = this.state();
    if (!critical && !high) return;
    const context = this.audioContext();
    if (!context) {
      this.stopListening();
      return;
    }
    const unlocked = () => {
      if (context.state !== 'running') return;
      this.blockedState.set(false);
      this.stopListening();
    };
    if (context.state === 'running') unlocked();
    else void context.resume().then(unlocked, () => undefined);
  }

  private audioContext(): AudioContext | null {
    if (this.context === null && this.createContext) {
      try {
        this.context = this.createContext();
      } catch {
        // Too many contexts, or audio disabled by policy: stay silent.
      }
    }
    return this.context;
  }

  /** Without a user gesture yet, resume() neither succeeds nor fails: it waits. */
  private resumeWithin(context: AudioContext): Promise<boolean> {
    const resumed = context.resume().then(
      () => context.state === 'running',
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), RESUME_GRACE_MS));
    return Promise.race([resumed, timeout]);
  }

  private schedule(context: AudioContext, pattern: Pattern): void {
    const begin = context.currentTime + 0.02;
    for (const tone of pattern.tones) {
      const start = begin + tone.start;
      const end = start + tone.duration;
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = pattern.wave;
      oscillator.frequency.value = tone.frequency;
      // A quick attack and an exponential fade: no click at either end.
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.linearRampToValueAtTime(pattern.volume, start + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, end);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start);
      oscillator.stop(end + 0.02);
    }
  }

  private stopListening(): void {
    this.document.removeEventListener('click', this.onGesture, true);
    this.document.removeEventListener('keydown', this.onGesture, true);
  }

  private readSettings(): SoundSettings {
    try {
      const stored: unknown = JSON.parse(this.window?.localStorage.getItem(SOUND_SETTINGS_KEY) ?? 'null');
      if (typeof stored !== 'object' || stored === null) return DEFAULT_SOUND_SETTINGS;
      const { critical, high } = stored as Partial<Record<SoundSetting, unknown>>;
      return {
        critical: typeof critical === 'boolean' ? critical : DEFAULT_SOUND_SETTINGS.critical,
        high: typeof high === 'boolean' ? high : DEFAULT_SOUND_SETTINGS.high,
      };
    } catch {
      return DEFAULT_SOUND_SETTINGS;
    }
  }
}
