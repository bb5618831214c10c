import { ApiProperty } from '@nestjs/swagger';

export class DeleteUserResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({ example: 'User account deleted successfully' })
  message: 'User account deleted successfully';

  @ApiProperty({ example: 'usr_abc123' })
  user_id: string;
}
