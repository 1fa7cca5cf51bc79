import { ApiProperty } from '@nestjs/swagger';
import { isEmail, IsOptional, IsString, Length, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';
import { type ChangePasswordRequest, type LoginRequest, MIN_PASSWORD_LENGTH, type RefreshRequest } from '@clinic/contracts';

export class LoginDto implements LoginRequest {
  @ApiProperty({ example: 'nurse@clinic.test' })
  @IsEmailAddress({ message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Nurse123!' })
  @IsString()
  @Length(1, 200)
  password: string;
}

export class ChangePasswordDto implements ChangePasswordRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  currentPassword: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH, maxLength: 200 })
  @IsString()
  @Length(MIN_PASSWORD_LENGTH, 200, { message: `newPassword must be ${MIN_PASSWORD_LENGTH} to 200 characters long` })
  newPassword: string;
}

/** For the OpenAPI document: refresh and logout read this body by hand, as it may be absent. */
export class RefreshDto implements RefreshRequest {
  @ApiProperty({ required: false, description: 'Non-browser clients: the refresh token from the last login or refresh. Browsers send none and rely on the cookie.' })
  @IsOptional()
  @IsString()
  @Length(16, 200)
  refreshToken?: string;
}

/** @IsEmail, except that validator's isEmail throws (a 500) on a lone surrogate, which is simply not an email. */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmail',
      validator: {
        validate: (value: unknown) => {
          try {
            return typeof value === 'string' && isEmail(value);
          } catch {
            return false;
          }
        },
      },
    },
    options,
  );
}
