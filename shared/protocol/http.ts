import { z } from 'zod';
import { LIMITS } from './limits.js';
import { printableText } from '../datasets/safe-text.js';
import { LearningRateSchema, PresetSchema, SeedSchema } from './commands.js';
import type { Frame, Snapshot } from './snapshot.js';
import type { RecordedCommand } from './commands.js';

export const CreateLectureBody = z.strictObject({
  // Shown to every student and written into exports: printable text only (no control or format characters).
  title: z.string().trim().max(LIMITS.maxTitleLength, `title must be at most ${LIMITS.maxTitleLength} characters`).superRefine(printableText('the title')).optional(),
  preset: PresetSchema.optional(),
  seed: SeedSchema.optional(),
  learningRate: LearningRateSchema.optional(),
  listed: z.boolean({ error: 'listed must be true or false' }).optional(),
});
export type CreateLectureBody = z.infer<typeof CreateLectureBody>;

export interface CreatedLecture {
  readonly id: string;
  readonly instructorToken: string;
  readonly studentUrl: string;
  readonly instructorUrl: string;
}

export interface LectureSummary {
  readonly id: string;
  readonly title: string;
  readonly createdAt: number;
  readonly eventCount: number;
}

export interface RecordedEvent {
  readonly seq: number;
  readonly at: number;
  readonly command: RecordedCommand;
  readonly frame: Frame;
}

/** A whole lecture: its state at creation, then every applied command with the frame it produced. */
export interface Recording {
  readonly lecture: LectureSummary & { readonly initial: Snapshot };
  readonly events: readonly RecordedEvent[];
}

export interface ErrorBody {
  readonly error: string;
}
