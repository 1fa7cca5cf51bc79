import { startLanguage } from './app/core/language';
import { startSessionRefresh } from './app/core/session-start';

// First, the session: a signed-in page's content waits for the refresh cookie's exchange, which
// need not wait for the app's code (AuthService takes its answer). On /login too, as the app
// itself would: a reload of the login page with a live session moves on to the inbox.
startSessionRefresh();

// The app is imported only once its language is loaded: a `$localize` text at a module's top level
// (a route's title, a label table) is translated when the module is evaluated. Its start-up chunks
// are preloaded meanwhile (scripts/preload-app-chunks.mjs).
startLanguage()
  .then(() => {
    // A page of the signed-in app (a reload, a link) needs the shell, and the inbox usually: fetched
    // beside the app rather than after it has started and restored the session, as the router
    // would. Not for the login page. The routes import the same modules.
    const path = location.pathname;
    if (!path.startsWith('/login')) {
      void import('./app/layout/app-shell');
      if (path === '/' || path.startsWith('/notifications')) void import('./app/notifications/ui/notifications-page');
    }
    return import('./start-app');
  })
  // A turn of the event loop between evaluating the app's modules and starting it: two shorter
  // tasks instead of one long one, so a tap or a frame is not held up by both.
  .then((app) => new Promise<typeof app>((resolve) => setTimeout(() => resolve(app))))
  .then(({ startApp }) => startApp())
  .catch((error: unknown) => console.error(error));
