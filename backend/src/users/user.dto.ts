import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ROLES, type Role, type UpdateUserRequest, type UserDto } from '@clinic/contracts';

export class UpdateUserDto implements UpdateUserRequest {
  @ApiPropertyOptional({ example: 'Nora Nurse' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;
}

export class UserView implements UserDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ description: 'False while deactivated' }) active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}
