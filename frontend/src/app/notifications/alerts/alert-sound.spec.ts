import { TestBed } from '@angular/core/testing';

import { FakeAudioContext } from '../../../testing/fake-audio-context';
import { AlertSound, AUDIO_CONTEXT_FACTORY, SOUND_SETTINGS_KEY } from './alert-sound';
import { SoundBlockedNotice } from './sound-blocked-notice';

describe('AlertSound', () => {
  /** Whether the browser lets the page make sound yet (it has had a user gesture). */
  let audioAllowed: boolean;
  let contexts: FakeAudioContext[];

  beforeEach(() => {
    localStorage.clear();
    audioAllowed = true;
    contexts = [];
  });

  afterEach(() => {
    vi.useRealTimers();
    TestBed.resetTestingModule();
  });

  /** A fresh page load: a new service reading this device's storage. */
  function load(): AlertSound {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        {
          provide: AUDIO_CONTEXT_FACTORY,
          useValue: () => {
            const context = new FakeAudioContext(audioAllowed);
            contexts.push(context);
            return context as unknown as AudioContext;
          },
        },
      ],
    });
    return TestBed.inject(AlertSound);
  }

  const tones = () => contexts.flatMap((context) => context.tones);
  const settle = () => new Promise((resolve) => setTimeout(resolve));

  it('plays a short, repeated two-tone for a critical alert, without being asked to', async () => {
    load().play('CRITICAL');
    await settle();

    const played = tones();
    expect(new Set(played.map((tone) => tone.frequency)).size).toBe(2);
    expect(played.length).toBeGreaterThanOrEqual(4);
    played.slice(1).forEach((tone, index) => expect(tone.frequency).not.toBe(played[index].frequency));
    expect(Math.max(...played.map((tone) => tone.stop)) - Math.min(...played.map((tone) => tone.start))).toBeLessThan(1.5);
  });

  it('plays a single chime for a high-priority notification only once that is turned on', async () => {
    const sound = load();
    sound.play('HIGH');
    await settle();
    expect(tones()).toEqual([]);

    sound.set('high', true);
    sound.play('HIGH');
    await settle();

    expect(tones()).toHaveLength(1);
    expect(tones()[0].stop - tones()[0].start).toBeLessThan(1);
  });

  it('sounds different for high and critical', async () => {
    const sound = load();
    sound.set('high', true);

    sound.play('HIGH');
    await settle();
    const high = tones();
    sound.play('CRITICAL');
    await settle();
    const critical = tones().slice(high.length);

    expect(critical.length).toBeGreaterThan(high.length);
    expect(critical[0].wave).not.toBe(high[0].wave);
  });

  it('stays silent for low and normal notifications, and for critical ones once turned off', async () => {
    const sound = load();
    sound.play('LOW');
    sound.play('NORMAL');
    sound.set('critical', false);
    sound.play('CRITICAL');
    await settle();

    expect(tones()).toEqual([]);
  });

  it('remembers both settings on this device from one page load to the next', () => {
    const sound = load();
    expect(sound.settings()).toEqual({ critical: true, high: false });

    sound.set('critical', false);
    sound.set('high', true);

    expect(JSON.parse(localStorage.getItem(SOUND_SETTINGS_KEY)!)).toEqual({ critical: false, high: true });
    expect(load().settings()).toEqual({ critical: false, high: true });
  });

  it('falls back to the defaults when what is stored is not a setting', () => {
    localStorage.setItem(SOUND_SETTINGS_KEY, '{"critical": "loud"');

    expect(load().settings()).toEqual({ critical: true, high: false });
  });

  it('says the browser blocks sound when an alert comes before any interaction, and then plays it no more', async () => {
    vi.useFakeTimers();
    audioAllowed = false;
    const sound = load();

    sound.play('CRITICAL');
    await vi.advanceTimersByTimeAsync(1_000);

    expect(sound.blocked()).toBe(true);
    expect(tones()).toEqual([]);
  });

  it('lets the browser play sound from the first click on the page, and stops saying it is blocked', async () => {
    vi.useFakeTimers();
    audioAllowed = false;
    const sound = load();
    sound.play('CRITICAL');
    await vi.advanceTimersByTimeAsync(1_000);
    const resumesBefore = contexts[0].resumeCalls;

    document.body.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(contexts[0].resumeCalls).toBe(resumesBefore + 1);
    contexts[0].allowAudio();
    await vi.advanceTimersByTimeAsync(0);
    expect(sound.blocked()).toBe(false);

    sound.play('CRITICAL');
    await vi.advanceTimersByTimeAsync(0);
    expect(tones().length).toBeGreaterThan(0);
  });

  it('shows the notice with an "Enable sound" button while sound is blocked, and hides it once sound is on', async () => {
    vi.useFakeTimers();
    audioAllowed = false;
    const sound = load();
    const fixture = TestBed.createComponent(SoundBlockedNotice);
    const element = fixture.nativeElement as HTMLElement;
    fixture.detectChanges();
    expect(element.textContent?.trim()).toBe('');

    sound.play('CRITICAL');
    await vi.advanceTimersByTimeAsync(1_000);
    fixture.detectChanges();
    expect(element.textContent).toContain('Sound is blocked by the browser until you interact with the page.');

    const button = [...element.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === 'Enable sound')!;
    button.click();
    contexts[0].allowAudio();
    await vi.advanceTimersByTimeAsync(0);
    fixture.detectChanges();

    expect(element.textContent?.trim()).toBe('');
  });
});
