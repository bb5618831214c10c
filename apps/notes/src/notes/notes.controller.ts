import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, type Caller, CurrentUser } from '@users-service/users';
import { CreateNoteDto, NoteResponseDto } from './dto/note.dto.js';
import { NotesService } from './notes.service.js';

/** Notes of the caller (ApiKeyGuard, global: the key of a live user of the users service). */
@ApiTags('notes')
@ApiKeyAuth()
@Controller('v1/notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a note of the caller' })
  @ApiCreatedResponse({ type: NoteResponseDto })
  createNote(@Body() dto: CreateNoteDto, @CurrentUser() caller: Caller): Promise<NoteResponseDto> {
    return this.notes.create(dto, caller);
  }

  @Get()
  @ApiOperation({ summary: 'The caller’s visible notes, oldest first' })
  @ApiOkResponse({ description: '`{ items: Note[] }`' })
  listNotes(@CurrentUser() caller: Caller): Promise<{ items: NoteResponseDto[] }> {
    return this.notes.listOwn(caller);
  }
}
