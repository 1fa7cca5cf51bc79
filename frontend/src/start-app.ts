import { bootstrapApplication } from '@angular/platform-browser';

import { App } from './app/app';
import { appConfig } from './app/app.config';

export function startApp(): Promise<unknown> {
  return bootstrapApplication(App, appConfig);
}
