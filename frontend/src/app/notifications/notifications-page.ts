import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-notifications-page',
  template: '<h1 class="page-title">Notifications</h1>',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationsPage {}
