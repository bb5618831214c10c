import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export interface TextFieldOptions {
  /** Absent allowed (and, in a body, `null`: `@IsOptional` lets both through). */
  optional?: boolean;
  /** A body field, where `null` is a value (for a query parameter, leave it out). */
  nullable?: boolean;
  minLength?: number;
  maxLength: number;
  pattern?: { regex: RegExp; message: string };
  description?: string;
  example: string;
}

/**
 * A text field: its validators and its OpenAPI schema from one set of options, so the document
 * states every rule the service enforces (issue 11; test/openapi-rules.e2e-spec.ts checks it).
 * The validators are applied in the order `@IsOptional() @IsString() @MinLength @MaxLength @Matches`
 * written above a property would register them, which is the order a 422 lists the broken rules in.
 */
export function TextField(options: TextFieldOptions): PropertyDecorator {
  const { optional = false, nullable = false, minLength, maxLength, pattern, description, example } = options;
  const Documented = optional ? ApiPropertyOptional : ApiProperty;
  return applyDecorators(
    ...(pattern ? [Matches(pattern.regex, { message: pattern.message })] : []),
    MaxLength(maxLength),
    ...(minLength !== undefined ? [MinLength(minLength)] : []),
    IsString(),
    ...(optional ? [IsOptional()] : []),
    Documented({
      type: String,
      ...(nullable ? { nullable: true } : {}),
      ...(minLength !== undefined ? { minLength } : {}),
      maxLength,
      ...(pattern ? { pattern: pattern.regex.source } : {}),
      ...(description ? { description } : {}),
      example,
    }),
  );
}
