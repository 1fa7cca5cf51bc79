// What the application's root takes from the notifications feature before anyone signs in: the
// title strategy and the inbox page's loader. Apart from index.ts so that the login page's
// bundle does not take in the rest of the feature (its live connection, Socket.IO among it).
export { UnreadTitleStrategy } from './ui/unread-title-strategy';
export const loadNotificationsPage = () => import('./ui/notifications-page').then((m) => m.NotificationsPage);
