import { startLanguage } from './app/core/language';

// The app is imported only once its language is loaded: a `$localize` text at a module's top level
// (a route's title, a label table) is translated when the module is evaluated.
startLanguage()
  .then(() => import('./start-app'))
  .then(({ startApp }) => startApp())
  .catch((error: unknown) => console.error(error));
