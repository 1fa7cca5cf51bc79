import { Body, Controller, Get, HttpCode, HttpStatus, Ip, Post, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { TokenResponse, UserDto } from '@clinic/contracts';
import { CurrentUser, Public } from './auth.decorators';
import { LoginDto, RefreshDto } from './auth.dto';
import type { AuthUser } from './auth-user';
import { AuthService } from './auth.service';
import { LoginAttempts } from './login-attempts';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly attempts: LoginAttempts,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts from this address for this email' })
  async login(@Body() body: LoginDto, @Ip() ip: string): Promise<TokenResponse> {
    this.attempts.assertAllowed(ip, body.email);
    const user = await this.auth.checkCredentials(body.email, body.password);
    if (!user) {
      this.attempts.recordFailure(ip, body.email);
      throw new UnauthorizedException('Wrong email or password');
    }
    this.attempts.recordSuccess(ip, body.email);
    return this.auth.issueTokens(user);
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange a refresh token for a new access and refresh token (single use)' })
  refresh(@Body() body: RefreshDto): Promise<TokenResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke a refresh token' })
  logout(@Body() body: RefreshDto): Promise<void> {
    return this.auth.logout(body.refreshToken);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }
}
