import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import type { LoginRequest, RefreshRequest } from '@clinic/contracts';

export class LoginDto implements LoginRequest {
  @ApiProperty({ example: 'nurse@clinic.test' })
  @IsEmail({}, { message: 'email must be an email address' })
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
