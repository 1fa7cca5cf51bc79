import { type AccountDto, DEFAULT_LANGUAGE, isLanguage, type Language, type UserDto } from '@clinic/contracts';
import type { User } from '../generated/prisma/client';

/** Loads what an AccountDto shows of the user's teams, by name. */
export const ACCOUNT_TEAMS = {
  teams: { select: { team: { select: { id: true, name: true } } }, orderBy: { team: { name: 'asc' } } },
} as const;

export type UserWithTeams = User & { teams: Array<{ team: { id: string; name: string } }> };

/** The public face of a user: never the password hash. */
export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.deactivatedAt === null,
    language: storedLanguage(user.language),
    createdAt: user.createdAt.toISOString(),
  };
}

/** The User row's language; its CHECK constraint admits only the contract's languages. */
export function storedLanguage(value: string): Language {
  return isLanguage(value) ? value : DEFAULT_LANGUAGE;
}

/** A user as administrators see them: with phone and teams. */
export function toAccountDto(user: UserWithTeams): AccountDto {
  return { ...toUserDto(user), phone: user.phone, teams: user.teams.map(({ team }) => ({ id: team.id, name: team.name })) };
}
