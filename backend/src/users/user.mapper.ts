import type { UserDto } from '@clinic/contracts';
import type { User } from '../generated/prisma/client';

/** The public face of a user: never the password hash. */
export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.deactivatedAt === null,
    createdAt: user.createdAt.toISOString(),
  };
}
