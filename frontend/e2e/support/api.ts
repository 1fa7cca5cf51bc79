import type {
  AccountDto,
  AccountPageDto,
  CreateOrderRequest,
  NotificationSettingsDto,
  OrderDto,
  NotificationPageDto,
  SendDetailDto,
  SendNotificationRequest,
  SendNotificationResult,
  TokenResponse,
} from '@clinic/contracts';

export const ADMIN = { email: 'admin@clinic.test', password: 'Admin123!' } as const;
export const NURSE = { email: 'nurse@clinic.test', password: 'Nurse123!' } as const;
export const DOCTOR = { email: 'doctor@clinic.test', password: 'Doctor123!' } as const;

export interface Account {
  readonly email: string;
  readonly password: string;
}

/** The REST API as the tests use it to arrange things, outside the browser. */
export class Api {
  constructor(private readonly baseUrl: string) {}

  async login(account: Account): Promise<TokenResponse> {
    return this.call<TokenResponse>('POST', '/api/auth/login', null, account);
  }

  /**
   * Refreshes or ends a session as a non-browser client does, the refresh token in the body (a
   * browser's is its `clinic_refresh` cookie); gives the answer's status.
   */
  async withRefreshToken(action: 'refresh' | 'logout', refreshToken: string): Promise<number> {
    const response = await fetch(`${this.baseUrl}/api/auth/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    await response.body?.cancel();
    return response.status;
  }

  send(token: string, request: SendNotificationRequest): Promise<SendNotificationResult> {
    return this.call('POST', '/api/notifications/test', token, request);
  }

  /** The first hundred accounts by name: every account a test makes. */
  async users(token: string): Promise<AccountDto[]> {
    return (await this.call<AccountPageDto>('GET', '/api/users?limit=100', token)).items;
  }

  notifications(token: string): Promise<NotificationPageDto> {
    return this.call('GET', '/api/notifications?limit=100', token);
  }

  /** One send's receipts, per recipient (admins, its sender and its escalations' recipients). */
  sendDetail(token: string, sendId: string): Promise<SendDetailDto> {
    return this.call('GET', `/api/sends/${encodeURIComponent(sendId)}`, token);
  }

  updateSettings(token: string, changes: Partial<NotificationSettingsDto>): Promise<NotificationSettingsDto> {
    return this.call('PUT', '/api/notifications/settings', token, changes);
  }

  createOrder(token: string, request: CreateOrderRequest): Promise<OrderDto> {
    return this.call('POST', '/api/orders', token, request);
  }

  markAllRead(token: string): Promise<unknown> {
    return this.call('PATCH', '/api/notifications/read-all', token);
  }

  private async call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
