import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, Matches, ValidateIf } from 'class-validator';
import {
  AccountDto,
  AccountPageDto,
  CreateUserRequest,
  CreateUserResult,
  DEFAULT_LANGUAGE,
  type Language,
  LANGUAGES,
  MIN_PASSWORD_LENGTH,
  PHONE_PATTERN,
  ResetPasswordResult,
  ROLES,
  type Role,
  TeamRefDto,
  type UpdateUserRequest,
  UserDto,
} from '@clinic/contracts';
import { IsEmailAddress } from '../auth/auth.dto';
import { IdCursorPageQuery } from '../common/pagination';
import { IsPlainText } from '../common/plain-text';
import { TeamRefView } from '../orders/order.dto';

/** Teams a user may be in at most, as one request sets them. */
export const MAX_TEAMS_PER_USER = 100;

export const PHONE_MESSAGE = 'phone must be an E.164 number: a + and 7 to 15 digits, e.g. +41791234567';

export const LANGUAGE_MESSAGE = `language must be one of ${LANGUAGES.join(', ')}`;

/**
 * Shared by create and edit: a complete list of team ids, each at most once. `optional` says
 * what an absent (or null) list means: none on create, unchanged on edit.
 */
function TeamIds(optional: PropertyDecorator = IsOptional()): PropertyDecorator {
  return applyDecorators(
    IsUUID('all', { each: true, message: 'teamIds must be a list of team ids' }),
    ArrayUnique({ message: 'teamIds must name each team once' }),
    ArrayMaxSize(MAX_TEAMS_PER_USER),
    IsArray({ message: 'teamIds must be a list of team ids' }),
    optional,
    ApiPropertyOptional({ type: [String], format: 'uuid', description: "The complete list of the user's teams" }),
  );
}

export class ListUsersQuery extends IdCursorPageQuery {
  @ApiPropertyOptional({ description: 'Part of the name or email, in any letter case' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @IsPlainText()
  q?: string;
}

export class CreateUserDto implements CreateUserRequest {
  @ApiProperty({ example: 'nora.nurse@clinic.example' })
  @IsEmailAddress({ message: 'email must be an email address' })
  @Length(3, 254)
  email: string;

  @ApiProperty({ example: 'Nora Nurse' })
  @IsString()
  @Length(1, 200)
  @IsPlainText()
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  @TeamIds()
  teamIds?: string[];

  @ApiPropertyOptional({ example: '+41791234567' })
  @IsOptional()
  @IsString({ message: PHONE_MESSAGE })
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  phone?: string;

  @ApiPropertyOptional({ enum: LANGUAGES, default: DEFAULT_LANGUAGE, description: 'What the server writes for the user in (notifications, mail)' })
  @IsOptional()
  @IsIn(LANGUAGES, { message: LANGUAGE_MESSAGE })
  language?: Language;

  @ApiPropertyOptional({ minLength: MIN_PASSWORD_LENGTH, maxLength: 200, description: 'Without one, a password is generated and answered once' })
  @IsOptional()
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, 200, { message: `password must be ${MIN_PASSWORD_LENGTH} to 200 characters long` })
  password?: string;
}

/** Left out, the field keeps its value; null is refused (unlike phone's, which removes it). */
const unlessAbsent = ValidateIf((_object: object, value: unknown) => value !== undefined);

export class UpdateUserDto implements UpdateUserRequest {
  @ApiPropertyOptional({ example: 'Nora Nurse' })
  @unlessAbsent
  @IsString()
  @Length(1, 200)
  @IsPlainText()
  name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @unlessAbsent
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ type: String, nullable: true, example: '+41791234567', description: 'null removes it' })
  @IsOptional()
  @IsString({ message: PHONE_MESSAGE })
  @Matches(PHONE_PATTERN, { message: PHONE_MESSAGE })
  phone?: string | null;

  @TeamIds(unlessAbsent)
  teamIds?: string[];
}

// ---- responses (for the OpenAPI document) ------------------------------------------------

export class UserView implements UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'False while deactivated' }) active: boolean;
  @ApiProperty({ enum: LANGUAGES, description: 'What the server writes for the user in (notifications, mail)' }) language: Language;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AccountView extends UserView implements AccountDto {
  @ApiProperty({ type: String, nullable: true, example: '+41791234567' }) phone: string | null;
  @ApiProperty({ type: [TeamRefView] }) teams: TeamRefDto[];
}

export class AccountPageView implements AccountPageDto {
  @ApiProperty({ type: [AccountView] }) items: AccountDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' }) nextCursor: string | null;
}

export class CreateUserView implements CreateUserResult {
  @ApiProperty({ type: AccountView }) user: AccountDto;
  @ApiPropertyOptional({ description: 'Only when no password was sent: shown this once, the server keeps only its hash' })
  initialPassword?: string;
}

export class ResetPasswordView implements ResetPasswordResult {
  @ApiProperty({ type: AccountView }) user: AccountDto;
  @ApiProperty({ description: 'Shown this once; every session of the user has ended' }) temporaryPassword: string;
}
