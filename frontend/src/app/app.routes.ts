import { Routes } from '@angular/router';

import { adminGuard, authGuard, guestGuard } from './core/auth-guards';
import { LoginPage } from './login/login-page';
import { loadNotificationsPage } from './notifications/before-sign-in';

/** The signed-in shell (the header, the live connection and what they show), loaded on demand. */
const loadAppShell = () => import('./layout/app-shell').then((m) => m.AppShell);

export const routes: Routes = [
  { path: 'login', component: LoginPage, canActivate: [guestGuard], title: $localize`:@@title.login:Sign in · Clinic` },
  {
    path: '',
    // Loaded once signed in: the login page does not download the shell, its live connection
    // (Socket.IO) and what the shell shows.
    loadComponent: loadAppShell,
    // Checked on every navigation inside the shell, not only on entering it, so a session that
    // ended meanwhile cannot open another page.
    canActivateChild: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'notifications' },
      {
        path: 'notifications',
        title: $localize`:@@title.notifications:Notifications · Clinic`,
        loadComponent: loadNotificationsPage,
      },
      {
        path: 'orders',
        title: $localize`:@@title.orders:Orders · Clinic`,
        loadComponent: () => import('./orders/orders-page').then((m) => m.OrdersPage),
      },
      {
        path: 'admin',
        title: $localize`:@@title.admin:Admin · Clinic`,
        canActivate: [adminGuard],
        loadComponent: () => import('./admin/admin-page').then((m) => m.AdminPage),
      },
      {
        path: 'sends',
        title: $localize`:@@title.sends:Sends · Clinic`,
        canActivate: [adminGuard],
        loadComponent: () => import('./sends/sends-page').then((m) => m.SendsPage),
      },
      {
        path: 'deliveries',
        title: $localize`:@@title.deliveries:Deliveries · Clinic`,
        canActivate: [adminGuard],
        loadComponent: () => import('./deliveries/deliveries-page').then((m) => m.DeliveriesPage),
      },
      {
        // No admin guard: a send's sender and the recipients of its escalations may read it too
        // (an escalation links here); the server answers 404 to anyone else.
        path: 'sends/:sendId',
        title: $localize`:@@title.sendReceipts:Send receipts · Clinic`,
        loadComponent: () => import('./sends/send-receipts-page').then((m) => m.SendReceiptsPage),
      },
      {
        path: 'users',
        title: $localize`:@@title.users:Users · Clinic`,
        canActivate: [adminGuard],
        loadComponent: () => import('./users/users-page').then((m) => m.UsersPage),
      },
      {
        path: 'teams',
        title: $localize`:@@title.teams:Teams · Clinic`,
        canActivate: [adminGuard],
        loadComponent: () => import('./teams/teams-page').then((m) => m.TeamsPage),
      },
      {
        path: 'audit',
        title: $localize`:@@title.audit:Audit log · Clinic`,
        canActivate: [adminGuard],
        loadComponent: () => import('./audit/audit-page').then((m) => m.AuditPage),
      },
      {
        path: 'change-password',
        title: $localize`:@@title.changePassword:Change password · Clinic`,
        loadComponent: () => import('./account/change-password-page').then((m) => m.ChangePasswordPage),
      },
      {
        path: 'preferences',
        title: $localize`:@@title.preferences:Preferences · Clinic`,
        loadComponent: () => import('./preferences/preferences-page').then((m) => m.PreferencesPage),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
