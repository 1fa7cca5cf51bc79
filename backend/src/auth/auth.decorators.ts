import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@clinic/contracts';
import { ApiErrors, ApiNoSecurity } from '../common/api-docs';
import type { AuthUser } from './auth-user';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';

/** The route needs no access token; its OpenAPI operation says `security: []`. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiNoSecurity());

/** The route needs one of these roles (on top of a valid access token); documents JwtAuthGuard's 403. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(REQUIRED_ROLES, roles), ApiErrors({ 403: `The route needs the ${roles.join(' or ')} role` }));

/** The authenticated user of this request. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest().user,
);
