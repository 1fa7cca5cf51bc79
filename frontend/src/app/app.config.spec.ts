import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ApplicationInitStatus } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { tokenResponse } from '../testing/auth-fixtures';
import { provideFakeSockets } from '../testing/fake-socket';
import { appConfig } from './app.config';
import { AUTH_API } from './core/api-paths';

describe('app start-up', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [...appConfig.providers, provideHttpClientTesting(), provideFakeSockets().provider],
    });
    http = TestBed.inject(HttpTestingController);
  });

  /** Answers the start-up refresh, waits for start-up to finish, then opens `url` as a reload would. */
  async function reload(url: string, answer: (refresh: ReturnType<HttpTestingController['expectOne']>) => void): Promise<string> {
    answer(http.expectOne(AUTH_API.refresh));
    await TestBed.inject(ApplicationInitStatus).donePromise;
    const harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(url);
    return TestBed.inject(Router).url;
  }

  it('restores the session from the refresh cookie before the first navigation, so a reload stays on its page', async () => {
    expect(await reload('/orders', (refresh) => refresh.flush(tokenResponse(1)))).toBe('/orders');
  });

  it('opens the login page when the browser has no session to restore', async () => {
    const url = await reload('/orders', (refresh) => refresh.flush({ message: 'No session' }, { status: 401, statusText: 'Unauthorized' }));

    expect(url).toBe('/login?returnUrl=%2Forders');
  });
});
