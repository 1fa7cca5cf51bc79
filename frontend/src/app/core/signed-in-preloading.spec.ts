import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { of } from 'rxjs';

import { AuthService } from './auth-service';
import { SignedInPreloading } from './signed-in-preloading';

describe('SignedInPreloading', () => {
  it('loads no page while nobody is signed in, and each one once someone signs in and the browser is idle', async () => {
    const isAuthenticated = signal(false);
    TestBed.configureTestingModule({ providers: [provideRouter([]), { provide: AuthService, useValue: { isAuthenticated } }] });
    const strategy = TestBed.inject(SignedInPreloading);
    const loaded: string[] = [];
    const load = (name: string) => () => {
      loaded.push(name);
      return of(name);
    };

    strategy.preload({ path: 'orders' }, load('orders')).subscribe();
    strategy.preload({ path: 'audit' }, load('audit')).subscribe();
    TestBed.tick();
    expect(loaded).toEqual([]);

    isAuthenticated.set(true);
    TestBed.tick();
    await vi.waitFor(() => expect(loaded).toEqual(['orders', 'audit']));
    isAuthenticated.set(false);
    isAuthenticated.set(true);
    TestBed.tick();
    await vi.waitFor(() => expect(loaded).toEqual(['orders', 'audit']));
  });
});
