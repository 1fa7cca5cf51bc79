import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'app-preferences-page',
  template: '<h1 class="page-title">Preferences</h1>',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PreferencesPage {}
