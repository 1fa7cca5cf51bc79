/** One tone the page asked for: an oscillator's wave, pitch and when it plays (context seconds). */
export interface PlayedTone {
  readonly wave: OscillatorType;
  readonly frequency: number;
  readonly start: number;
  readonly stop: number;
}

/**
 * Stands in for the browser's AudioContext: records each oscillator the app starts, and plays the
 * browser's autoplay rule: created before any user gesture it is `suspended`, and `resume()` waits
 * until the test lets it (`allowAudio()`, what a click does in a browser).
 */
export class FakeAudioContext {
  state: AudioContextState;
  currentTime = 10;
  readonly destination = {};
  readonly tones: PlayedTone[] = [];
  resumeCalls = 0;
  private pendingResumes: (() => void)[] = [];

  constructor(running: boolean) {
    this.state = running ? 'running' : 'suspended';
  }

  allowAudio(): void {
    this.state = 'running';
    for (const resume of this.pendingResumes.splice(0)) resume();
  }

  resume(): Promise<void> {
    this.resumeCalls++;
    if (this.state === 'running') return Promise.resolve();
    return new Promise((resolve) => this.pendingResumes.push(resolve));
  }

  close(): Promise<void> {
    this.state = 'closed';
    return Promise.resolve();
  }

  createGain(): unknown {
    const node = { gain: { setValueAtTime: () => undefined, linearRampToValueAtTime: () => undefined, exponentialRampToValueAtTime: () => undefined } };
    return { ...node, connect: (next: unknown) => next };
  }

  createOscillator(): unknown {
    const tone = { wave: 'sine' as OscillatorType, frequency: 0, start: 0, stop: 0 };
    const oscillator = {
      type: 'sine' as OscillatorType,
      frequency: { value: 0 },
      connect: (next: unknown) => next,
      start: (at: number) => (tone.start = at),
      stop: (at: number) => {
        tone.stop = at;
        this.tones.push({ ...tone, wave: oscillator.type, frequency: oscillator.frequency.value });
      },
    };
    return oscillator;
  }
}
