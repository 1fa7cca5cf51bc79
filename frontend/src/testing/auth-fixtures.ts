import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Role, TokenResponse, UserDto } from '@clinic/contracts';

import { AUTH_API } from '../app/core/api-paths';
import { AuthService } from '../app/core/auth-service';

export function testUser(role: Role = 'STAFF'): UserDto {
  return role === 'ADMIN'
    ? { id: 'u-admin', email: 'admin@clinic.test', name: 'Ada Admin', role, active: true, language: 'en', createdAt: '2025-01-01T00:00:00.000Z' }
    : { id: 'u-nurse', email: 'nurse@clinic.test', name: 'Nora Nurse', role, active: true, language: 'en', createdAt: '2025-01-01T00:00:00.000Z' };
}

/**
 * A login or refresh response as a browser gets it (the refresh token only in the cookie), its
 * access token numbered so that tests can tell generations apart.
 */
export function tokenResponse(generation: number, role: Role = 'STAFF'): TokenResponse {
  return {
    accessToken: `access-${generation}`,
    expiresIn: 900,
    refreshExpiresIn: 604_800,
    user: testUser(role),
  };
}

/**
 * Signs the app in as a reload with a valid refresh cookie does: AuthService refreshes, and the
 * test's HTTP backend (provideHttpClientTesting) answers with `tokenResponse(generation, role)`.
 */
export function signIn(generation = 1, role: Role = 'STAFF'): AuthService {
  const auth = TestBed.inject(AuthService);
  auth.refresh().subscribe();
  TestBed.inject(HttpTestingController).expectOne(AUTH_API.refresh).flush(tokenResponse(generation, role));
  return auth;
}

/**
 * Web Locks as the browser grants them: one holder per name at a time, the others in the order
 * they asked. Shared by the AuthServices a test creates, it plays the lock across their tabs.
 */
export class FakeLocks {
  private readonly queues = new Map<string, Promise<unknown>>();

  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const granted = (this.queues.get(name) ?? Promise.resolve()).then(() => callback());
    this.queues.set(name, granted.catch(() => undefined));
    return granted;
  }
}
