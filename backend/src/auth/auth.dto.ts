import { ApiProperty } from '@nestjs/swagger';
import { isEmail, IsString, Length, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';
import type { LoginRequest, RefreshRequest } from '@clinic/contracts';

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

export class RefreshDto implements RefreshRequest {
  @ApiProperty({ description: 'The refresh token from the last login or refresh' })
  @IsString()
  @Length(16, 200)
  refreshToken: string;
}

/** @IsEmail, except that validator's isEmail throws (a 500) on a lone surrogate, which is simply not an email. */
function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
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
