import { ApiProperty } from '@nestjs/swagger';

export class DeleteUserResponseDto {
  @ApiProperty({ enum: [true], example: true })
  success: true;

  @ApiProperty({ example: 'User account deleted successfully' })
  message: 'User account deleted successfully';

  @ApiProperty({ example: 'usr_4ab3bd9533df40318468ed9cc0d8c391' })
  user_id: string;
}
