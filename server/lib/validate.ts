import { z } from 'zod';
import zhCN from 'zod/v4/locales/zh-CN.cjs';
import { AppError } from '../../core/errors';
import type { FieldIssue } from '../../typings/errors';

z.config(zhCN());

/** Parses input at the edge; a failure becomes COMMON.INVALID_INPUT listing each bad field. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0];
  const message = first ? `填写的内容有误：${first.path ? `${first.path} ` : ''}${first.message}` : undefined;
  throw new AppError('COMMON.INVALID_INPUT', message, issues);
}

export { z };
