/** A command's client-generated id: its rules, and how it travels beside a command without becoming part of it. */
import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_ID_LENGTH, parseCommandId, parseIdentifiedCommand } from '../../shared/protocol/commands.js';
import { LINE_SEPARATORS, PROTOTYPE_NAMES } from '../support/hostile.js';

describe('parseCommandId', () => {
  it('takes 1 to 64 letters, digits, "_", ".", ":" and "-": a UUID, a ULID, every Object.prototype name', () => {
    for (const id of ['a', '0', crypto.randomUUID(), '01J9ZQ3K8W5Y6T7R2M4N0P1B3C', 'lecture:step.1_a-b', 'x'.repeat(MAX_COMMAND_ID_LENGTH), ...PROTOTYPE_NAMES]) {
      expect(parseCommandId(id), id).toEqual({ ok: true, value: id });
    }
  });

  it('refuses anything else with a sentence', () => {
    for (const id of ['', 'x'.repeat(MAX_COMMAND_ID_LENGTH + 1), ' ', 'a b', 'a/b', 'a,b', 'é', '\u202e', '\u0000', ...LINE_SEPARATORS]) {
      const parsed = parseCommandId(id);
      expect(parsed.ok, JSON.stringify(id)).toBe(false);
      if (!parsed.ok) expect(parsed.error).toMatch(/^commandId must be 1 to 64 letters, digits, "_", ".", ":" or "-" \(a UUID fits\); (got \d+ characters|it has another character)$/);
    }
    for (const id of [1, true, null, undefined, {}, ['a'], { toString: () => 'a' }]) {
      expect(parseCommandId(id)).toEqual({ ok: false, error: 'commandId must be a string of 1 to 64 letters, digits, "_", ".", ":" or "-" (a UUID fits)' });
    }
  });
});

describe('parseIdentifiedCommand', () => {
  it('takes the id from beside `type`, and the command parses as it would without one', () => {
    expect(parseIdentifiedCommand({ type: 'step', commandId: 'a-1' })).toEqual({ ok: true, value: { command: { type: 'step' }, commandId: 'a-1' } });
    expect(parseIdentifiedCommand({ type: 'train', epochs: 3 })).toEqual({ ok: true, value: { command: { type: 'train', epochs: 3 }, commandId: undefined } });
    expect(parseIdentifiedCommand({ type: 'train', epochs: 0, commandId: 'a' })).toEqual({ ok: false, error: 'train: epochs: must be at least 1' });
    expect(parseIdentifiedCommand({ type: 'step', commandId: 'a b' })).toMatchObject({ ok: false, error: expect.stringMatching(/^commandId must be/) });
    expect(parseIdentifiedCommand({ type: 'step', commandId: undefined })).toMatchObject({ ok: false });
    expect(parseIdentifiedCommand('step')).toEqual({ ok: false, error: 'a command must be a JSON object with a "type"' });
  });

  it('keeps an own "__proto__" key a key, refused as unknown, and sets no prototype', () => {
    const parsed = parseIdentifiedCommand(JSON.parse('{"type":"step","commandId":"a","__proto__":{"polluted":true}}'));
    expect(parsed).toEqual({ ok: false, error: 'step: unknown field "__proto__"' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
