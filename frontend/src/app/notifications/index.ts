// The notifications feature as the rest of the app sees it. Other features import from here
// only; everything under data/, state/, alerts/ and ui/ is the feature's own.

// The live notifications of the signed-in user.
export { NotificationService } from './state/notification-service';
export type { ConnectionState, LoadStatus } from './state/notification-store';
export { NotificationPreferences } from './state/notification-preferences';
export { DesktopNotifications } from './alerts/desktop-notifications';
export type { DesktopPermission } from './alerts/desktop-notifications';
/** This device's alert sounds (the preferences page toggles them). */
export { AlertSound } from './alerts/alert-sound';
export type { SoundSetting } from './alerts/alert-sound';
/** The admin page sends through it. */
export { NotificationApi } from './data/notification-api';

// What the application shell shows, and the inbox page, loaded when first visited.
export { ConnectionIndicator } from './ui/connection-indicator';
export { NotificationBell } from './ui/notification-bell';
export { ToastStack } from './alerts/toast-stack';
export { UndoBar } from './ui/undo-bar';
export { OfflineNotice } from './ui/offline-notice';
export { OfflineInbox } from './data/offline-inbox';
export { SoundBlockedNotice } from './alerts/sound-blocked-notice';
/** The router's titles with the unread count in front (provided in app.config.ts, through before-sign-in.ts). */
export { UnreadTitleStrategy } from './before-sign-in';

export { PRIORITY_LABELS, TYPE_LABELS } from './ui/notification-labels';

// How the feature reaches the server; provided differently in tests.
export { NOTIFICATION_SOCKET_FACTORY } from './data/notification-socket';
export type { NotificationSocket, NotificationSocketFactory } from './data/notification-socket';
export { NOTIFICATION_POLL_INTERVAL_MS } from './state/notification-connection';
