import type { RecordedCommand } from '../../shared/index.js';
import { elementLabel } from './collab.js';
import { fmt } from './format.js';

/** One line in words for a recorded command: the replay's event label. */
export function describeCommand(c: RecordedCommand): string {
  switch (c.type) {
    case 'step':
      return 'Step';
    case 'back':
      return 'Back (undo)';
    case 'forward':
      return 'Forward pass';
    case 'backward':
      return 'Backward pass';
    case 'update':
      return 'Update';
    case 'selectSample':
      return `Select sample ${c.index}`;
    case 'train':
      return c.epochsRun === c.epochs ? `Train ${c.epochs} epochs` : `Train ${c.epochs} epochs (stopped after ${c.epochsRun})`;
    case 'reset':
      return c.preset === 'random' ? `Reset (random, seed ${c.seed})` : 'Reset (notebook weights)';
    case 'setLearningRate':
      return `Learning rate η = ${c.value}`;
    case 'setWeight':
      return `Set ${c.tensor}[${c.index[0] + 1},${c.index[1] + 1}] = ${fmt(c.value)}`;
    case 'ask':
      return `Ask the class: predict ${elementLabel(c.tensor, c.index)}`;
    case 'reveal':
      return 'Reveal the prediction';
    case 'clearFlags':
      return 'Clear flags';
    case 'setPacing':
      return c.mode === 'follow' ? 'Pacing: follow' : 'Pacing: free';
    default:
      // Commands added to the protocol later still get a label: their type.
      return String((c as { type: string }).type);
  }
}
