import { DestroyRef, inject, Injectable } from '@angular/core';
import { BehaviorSubject, Observable } from 'rxjs';

/** The current time, ticking twice a minute, so "2 min ago" labels age while on screen. */
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly current = new BehaviorSubject(Date.now());

  /** Milliseconds since the epoch; emits the current time at once, then on every tick. */
  readonly now$: Observable<number> = this.current.asObservable();

  constructor() {
    const timer = setInterval(() => this.current.next(Date.now()), 30_000);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }
}
