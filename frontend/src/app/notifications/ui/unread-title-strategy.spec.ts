import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, TitleStrategy } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { FakeNotificationService } from '../../../testing/fake-notification-service';
import { UnreadTitleStrategy } from './unread-title-strategy';

@Component({ template: '' })
class Blank {}

describe('UnreadTitleStrategy', () => {
  let service: FakeNotificationService;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    service = new FakeNotificationService();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'notifications', title: 'Notifications · Clinic', component: Blank },
          { path: 'orders', title: 'Orders · Clinic', component: Blank },
          { path: 'untitled', component: Blank },
        ]),
        { provide: TitleStrategy, useExisting: UnreadTitleStrategy },
      ],
    });
    // What the signed-in shell does.
    TestBed.inject(UnreadTitleStrategy).follow(service.count);
    harness = await RouterTestingHarness.create();
  });

  it('shows the page’s own title while nothing is unread', async () => {
    await harness.navigateByUrl('/notifications');

    expect(document.title).toBe('Notifications · Clinic');
  });

  it('puts the unread count in front of the page’s title, and follows it live', async () => {
    service.count.next(3);
    await harness.navigateByUrl('/notifications');
    expect(document.title).toBe('(3) Notifications · Clinic');

    service.count.next(4);
    expect(document.title).toBe('(4) Notifications · Clinic');

    service.count.next(0);
    expect(document.title).toBe('Notifications · Clinic');
  });

  it('keeps the count when moving to another page, and that page’s title', async () => {
    service.count.next(2);
    await harness.navigateByUrl('/notifications');

    await harness.navigateByUrl('/orders');
    expect(document.title).toBe('(2) Orders · Clinic');

    await harness.navigateByUrl('/untitled');
    expect(document.title).toBe('(2) Orders · Clinic');
  });

  it('drops the count once the signed-in shell stops following it (signed out)', async () => {
    const stop = TestBed.inject(UnreadTitleStrategy).follow(service.count);
    service.count.next(5);
    await harness.navigateByUrl('/notifications');
    expect(document.title).toBe('(5) Notifications · Clinic');

    stop();
    expect(document.title).toBe('Notifications · Clinic');
  });
});
