import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type AuthConfigDto, type DemoAccount, REFRESH_COOKIE, REFRESH_COOKIE_PATH, type Role, ROLES, type TokenResponse, type UserDto } from '@clinic/contracts';
import { UserView } from '../users/user.dto';

// Responses of the auth routes, for the OpenAPI document. Apart from auth.dto.ts, which
// users/user.dto.ts imports, so that this file may import UserView.

export class TokenView implements TokenResponse {
  @ApiProperty({ description: 'Send as Authorization: Bearer <accessToken>' }) accessToken: string;
  @ApiProperty({ type: 'integer', description: 'Seconds the access token lives' }) expiresIn: number;
  @ApiPropertyOptional({ description: 'Only for clients that sent no Origin header; browsers get it solely as the httpOnly cookie' })
  refreshToken?: string;
  @ApiProperty({ type: 'integer', description: 'Seconds the refresh token lives' }) refreshExpiresIn: number;
  @ApiProperty({ type: UserView }) user: UserDto;
}

export class DemoAccountView implements DemoAccount {
  @ApiProperty() email: string;
  @ApiProperty() password: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
}

export class AuthConfigView implements AuthConfigDto {
  @ApiProperty({ description: 'The server seeded the public demo accounts (never in production)' }) demo: boolean;
  @ApiProperty({ type: [DemoAccountView], description: 'Empty unless demo' }) demoAccounts: DemoAccount[];
  @ApiProperty({ description: 'The clinic currency (ISO 4217) order totals are in', example: 'USD' }) currency: string;
}

/** The refresh token's cookie, set by sign-in and refresh (and cleared by logout and a refused refresh). */
export const REFRESH_COOKIE_HEADER = {
  'Set-Cookie': {
    description: `${REFRESH_COOKIE}=<refresh token>; HttpOnly; SameSite=Strict; Path=${REFRESH_COOKIE_PATH}`,
    schema: { type: 'string' },
  },
};
