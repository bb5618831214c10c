import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from './user-response.dto.js';

export class RestoreUserResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({ type: UserResponseDto })
  user: UserResponseDto;

  @ApiProperty({
    description: 'A fresh API key for the restored user. Shown this once; the keys it had before stay revoked.',
    example: 'ak_Q2x8mZbN4tR7vK1pL9sD3fG6hJ0wE5yU2iO8aC4n',
  })
  api_key: string;
}
