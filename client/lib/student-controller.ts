import type { ReactiveControllerHost } from 'lit';
import type { FlagTarget, Prediction } from '../../shared/protocol/collab.js';
import type { Command } from '../../shared/protocol/commands.js';
import type { Frame, Snapshot } from '../../shared/protocol/snapshot.js';
import { describeCommand } from './describe.js';
import type { FlagView, PredictionContext } from './collab.js';
import { displayName, loadJson, saveJson, setDisplayName } from './identity.js';
import type { LiveController } from './live-controller.js';
import { RewindController } from './rewind-controller.js';
import { Sandbox } from './sandbox.js';
import type { StudentAction } from './events.js';

export type StudentMode = 'live' | 'rewind' | 'sandbox';

/**
 * Everything a student does beyond watching: answering predictions, flagging, looking back
 * privately and the sandbox. Only answers and flags reach the server; rewinding reads the
 * recording (GET) and the sandbox runs the decider here.
 */
export class StudentController {
  mode: StudentMode = 'live';
  sandbox: Sandbox | null = null;
  sandboxError = '';
  flagError = '';
  /** The refusal of the last answer, for the question it was about. */
  predictionError: { askSeq: number; text: string } | null = null;
  predictionBusy = false;
  /** Said once when the instructor's follow mode took the student back to live. */
  notice = '';
  name = displayName();

  readonly rewind: RewindController;
  private answers = new Map<number, number | null>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly live: LiveController,
    private readonly lectureId: string,
  ) {
    this.rewind = new RewindController(host, lectureId);
    live.frameListeners.add(this.rewind.onFrame);
    live.frameListeners.add(this.onFrame);
  }

  /** The open question as of the last frame (a frame that ends it no longer says what it was). */
  private open: Prediction | null = null;

  /** A question this student answered that ends without a reveal (its pass was wiped) is said so. */
  private readonly onFrame = (frame: Frame): void => {
    const asked = this.open;
    const now = this.live.snapshot?.prediction ?? null;
    this.open = now?.status === 'open' ? now : null;
    const network = this.live.snapshot?.network;
    if (!asked || !network || frame.prediction !== null || this.answer(asked.askSeq) === null) return;
    const element = describeCommand({ type: 'ask', tensor: asked.tensor, index: [...asked.index] }, network).replace(/^Ask the class: predict /, '');
    this.notice = `The question on ${element} ended without a reveal (${describeCommand(frame.command, network)}): your answer was not counted.`;
    this.host.requestUpdate();
  };

  /** What the page shows: live, the moment looked back at, or the sandbox. */
  get view(): Snapshot | null {
    if (this.mode === 'sandbox' && this.sandbox) return this.sandbox.snapshot;
    if (this.mode === 'rewind') return this.rewind.snapshot ?? this.live.view;
    return this.live.view;
  }

  get flags(): FlagView | null {
    return this.mode === 'live' ? { counts: null, mine: this.live.myFlags } : null;
  }

  get prediction(): PredictionContext {
    const askSeq = this.view?.prediction?.askSeq;
    return {
      mode: this.mode === 'live' ? 'student' : 'view',
      mine: askSeq === undefined ? null : this.answer(askSeq),
      aggregate: null,
      error: this.predictionError && this.predictionError.askSeq === askSeq ? this.predictionError.text : null,
      busy: this.predictionBusy,
    };
  }

  /** The banner's words for the event looked at. */
  get rewindLabel(): string {
    const seq = this.rewind.seq;
    if (seq === null || seq === 0) return seq === 0 ? 'as created' : '';
    const command = this.rewind.commandAt(seq);
    const network = this.rewind.snapshot?.network;
    return command && network ? describeCommand(command, network) : '';
  }

  /** Called before each render: follow mode ends any private view. */
  sync(): void {
    if (this.live.snapshot?.pacing === 'follow' && this.mode !== 'live') {
      this.toLive();
      this.notice = 'The instructor switched to follow mode: you are back on the live lecture.';
    }
  }

  act(action: StudentAction): void {
    const live = this.live.snapshot;
    switch (action.type) {
      case 'live':
        return this.toLive();
      case 'rewind':
        if (!live || live.pacing === 'follow') return;
        this.notice = '';
        this.mode = 'rewind';
        this.sandbox = null;
        void this.rewind.open(live.seq - 1, live.seq);
        return;
      case 'seek':
        if (live && this.mode === 'rewind') void this.rewind.seek(action.seq, live.seq);
        return;
      case 'sandbox':
        if (!live || live.pacing === 'follow') return;
        this.notice = '';
        this.rewind.close();
        // Forked from what the student sees live (during training: the last progress weights).
        this.sandbox = new Sandbox(this.live.view ?? live);
        this.sandboxError = '';
        this.mode = 'sandbox';
        this.host.requestUpdate();
        return;
      case 'name':
        this.name = setDisplayName(action.name);
        this.live.rejoin();
        this.host.requestUpdate();
        return;
    }
  }

  /** A command from the sandbox's controls or weight cells: run here, never sent. */
  runLocally(command: Command): void {
    if (this.mode !== 'sandbox' || !this.sandbox) return;
    this.sandboxError = this.sandbox.run(command) ?? '';
    this.host.requestUpdate();
  }

  async flag(target: FlagTarget, on: boolean): Promise<void> {
    const outcome = await this.live.flag(target, on);
    this.flagError = outcome.ok
      ? ''
      : outcome.status === 429
        ? `Too many flags at once: ${outcome.error}. Wait a moment and try again.`
        : `Your flag was not recorded: ${outcome.error}`;
    this.host.requestUpdate();
  }

  async submit(value: number): Promise<void> {
    const askSeq = this.live.snapshot?.prediction?.askSeq;
    if (askSeq === undefined) return;
    this.predictionBusy = true;
    this.host.requestUpdate();
    const outcome = await this.live.submitPrediction(value);
    this.predictionBusy = false;
    if (outcome.ok) {
      this.answers.set(askSeq, value);
      saveJson(this.answerKey(askSeq), value);
      this.predictionError = null;
    } else {
      this.predictionError = { askSeq, text: `Your answer was not accepted: ${outcome.error}` };
    }
    this.host.requestUpdate();
  }

  /**
   * Keys of the student page: ← looks back (and steps back while looking), → steps forward,
   * L or Esc return to live. Returns whether the key was used.
   */
  key(key: string): boolean {
    const live = this.live.snapshot;
    if (!live) return false;
    if ((key === 'l' || key === 'Escape') && this.mode !== 'live') {
      this.toLive();
      return true;
    }
    if (key === 'ArrowLeft' && this.mode === 'live' && live.pacing === 'free' && live.seq > 0) {
      this.act({ type: 'rewind' });
      return true;
    }
    if (this.mode === 'rewind' && this.rewind.seq !== null && (key === 'ArrowLeft' || key === 'ArrowRight')) {
      this.act({ type: 'seek', seq: this.rewind.seq + (key === 'ArrowLeft' ? -1 : 1) });
      return true;
    }
    return false;
  }

  private toLive(): void {
    this.mode = 'live';
    this.sandbox = null;
    this.sandboxError = '';
    this.rewind.close();
    this.host.requestUpdate();
  }

  private answerKey(askSeq: number): string {
    return `backprop-live:answer:${this.lectureId}:${askSeq}`;
  }

  private answer(askSeq: number): number | null {
    if (!this.answers.has(askSeq)) {
      const stored = loadJson<number>(this.answerKey(askSeq));
      this.answers.set(askSeq, typeof stored === 'number' && Number.isFinite(stored) ? stored : null);
    }
    return this.answers.get(askSeq) ?? null;
  }
}
