import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Ip,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CookieOptions, Request, Response } from 'express';
import { AccountDto, AuthConfigDto, REFRESH_COOKIE, REFRESH_COOKIE_PATH, TokenResponse } from '@clinic/contracts';
import { isAllowedOrigin } from '../common/allowed-origin';
import { ApiErrors } from '../common/api-docs';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AccountView } from '../users/user.dto';
import { CurrentUser, Public } from './auth.decorators';
import { ChangePasswordDto, LoginDto, RefreshDto } from './auth.dto';
import type { AuthUser } from './auth-user';
import { AuthService, SignedIn } from './auth.service';
import { bearerToken } from './jwt-auth.guard';
import { AuthConfigView, REFRESH_COOKIE_HEADER, TokenView } from './auth.views';
import { LoginAttempts } from './login-attempts';

/**
 * Sign-in, refresh and sign-out. A browser (its requests carry `Origin`) gets the refresh token
 * only as an httpOnly, SameSite=Strict cookie scoped to /api/auth, where no page script can read
 * it; other clients get it in the body and send it back in the body.
 */
@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly attempts: LoginAttempts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('config')
  @ApiOperation({ summary: 'What the login page needs: whether demo accounts exist (demo mode) and which' })
  @ApiOkResponse({ type: AuthConfigView })
  authConfig(): AuthConfigDto {
    return this.auth.loginPageConfig();
  }

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password; starts a session on this device' })
  @ApiOkResponse({ type: TokenView, description: 'Signed in; the refresh token is in the cookie (and in the body without Origin)', headers: REFRESH_COOKIE_HEADER })
  @ApiErrors({
    401: 'Wrong email or password, or the account is deactivated',
    429: 'Too many failed attempts for this account, or from this address',
    503: 'Too many sign-ins being checked at once, or the database is unreachable',
  })
  async login(
    @Body() body: LoginDto,
    @Ip() ip: string,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokenResponse> {
    await this.attempts.begin(ip, body.email);
    const client = { ip, userAgent: request.headers['user-agent'] };
    const user = await this.auth.checkCredentials(body.email, body.password, client).catch(async (error: unknown) => {
      await this.attempts.notChecked(body.email);
      throw error;
    });
    if (!user) throw new UnauthorizedException('Wrong email or password');
    await this.attempts.succeeded(body.email);
    return this.deliver(await this.auth.issueTokens(user, client), request, response);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Exchange the refresh token (cookie, or body for non-browser clients) for a new pair; single use',
  })
  @ApiBody({ type: RefreshDto, required: false })
  @ApiOkResponse({ type: TokenView, description: 'A new pair; the old refresh token is spent', headers: REFRESH_COOKIE_HEADER })
  @ApiErrors({
    401: 'No valid session: sign in again',
    403: 'The request came from a page of another origin',
    415: 'A body that is not Content-Type: application/json, or JSON in another charset than UTF-8',
  })
  async refresh(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<TokenResponse> {
    this.assertOwnOrigin(request);
    const refreshToken = refreshTokenOf(request);
    if (!refreshToken) throw new UnauthorizedException('No refresh token: sign in');
    try {
      return this.deliver(await this.auth.refresh(refreshToken), request, response);
    } catch (error) {
      if (error instanceof UnauthorizedException) response.clearCookie(REFRESH_COOKIE, this.cookieOptions(request));
      throw error;
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End the session (named by the refresh token, or else by the access token) on every device' })
  @ApiBody({ type: RefreshDto, required: false })
  @ApiNoContentResponse({ description: 'The session has ended; the cookie is cleared', headers: REFRESH_COOKIE_HEADER })
  @ApiErrors({
    403: 'The request came from a page of another origin',
    415: 'A body that is not Content-Type: application/json, or JSON in another charset than UTF-8',
  })
  async logout(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    this.assertOwnOrigin(request);
    await this.auth.logout(refreshTokenOf(request), bearerToken(request));
    response.clearCookie(REFRESH_COOKIE, this.cookieOptions(request));
  }

  @Post('change-password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Change the caller's password; their other sessions end, this one goes on" })
  @ApiNoContentResponse({ description: 'Changed' })
  @ApiErrors({
    403: 'The current password is not correct',
    429: 'Too many wrong current passwords for this account',
    503: 'Too many passwords being checked at once, or the database is unreachable',
  })
  changePassword(@CurrentUser() user: AuthUser, @Ip() ip: string, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(user, ip, body.currentPassword, body.newPassword);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user, with their phone and teams' })
  @ApiOkResponse({ type: AccountView })
  me(@CurrentUser() user: AuthUser): Promise<AccountDto> {
    return this.auth.me(user.id);
  }

  private deliver({ response: answer, refreshToken }: SignedIn, request: Request, response: Response): TokenResponse {
    response.cookie(REFRESH_COOKIE, refreshToken, { ...this.cookieOptions(request), maxAge: answer.refreshExpiresIn * 1000 });
    return request.headers.origin === undefined ? { ...answer, refreshToken } : answer;
  }

  private cookieOptions(request: Request): CookieOptions {
    return { httpOnly: true, sameSite: 'strict', path: REFRESH_COOKIE_PATH, secure: request.secure };
  }

  /** The cookie goes along with any request to us, so only our own pages may spend it. */
  private assertOwnOrigin(request: Request): void {
    if (!isAllowedOrigin(request.headers.origin, request.headers.host, this.config)) {
      throw new ForbiddenException('Sessions can only be refreshed or ended from the app itself');
    }
  }
}

/**
 * The body's refresh token (non-browser clients) or else the cookie's. The body is optional
 * here, so it is checked by hand rather than by the global pipe, which requires one.
 */
function refreshTokenOf(request: Request): string | undefined {
  const sentBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (sentBody && !request.is('application/json')) {
    throw new UnsupportedMediaTypeException('Send the body as Content-Type: application/json, or send none');
  }
  const body: unknown = request.body;
  if (body !== undefined) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException('request body must be a JSON object or absent');
    }
    const { refreshToken, ...rest } = body as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new BadRequestException(`property ${Object.keys(rest)[0]} should not exist`);
    if (refreshToken !== undefined) {
      if (typeof refreshToken !== 'string' || refreshToken.length < 16 || refreshToken.length > 200) {
        throw new BadRequestException('refreshToken must be a string of 16 to 200 characters');
      }
      return refreshToken;
    }
  }
  const cookie: unknown = (request.cookies as Record<string, unknown> | undefined)?.[REFRESH_COOKIE];
  return typeof cookie === 'string' && cookie.length > 0 && cookie.length <= 200 ? cookie : undefined;
}
