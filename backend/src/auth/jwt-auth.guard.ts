import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@clinic/contracts';
import { SessionsService } from '../sessions/sessions.service';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';

/** The access token of an `Authorization: Bearer …` header. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/**
 * Global guard: every route needs a valid access token of a session that still holds unless
 * marked @Public(); @Roles() narrows further, by the role the user has now.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: unknown }>();
    const token = bearerToken(request);
    const user = await this.sessions.authenticate(token);
    if (!user) throw new UnauthorizedException(token ? 'Access token is invalid or expired, or its session has ended' : 'Access token is missing');
    request.user = user;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(user.role)) {
      throw new ForbiddenException(`This action needs the ${roles.join(' or ')} role`);
    }
    return true;
  }
}
