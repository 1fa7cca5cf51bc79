import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-admin-page',
  template: '<h1 class="page-title">Admin</h1>',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AdminPage {}
