import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { io, type Socket } from 'socket.io-client';
import { mlpLayout } from '../../shared/engine/mlp/layout.js';
import type { Tensor } from '../../shared/engine/tensor.js';
import type { FlagTarget, PredictionCount, PredictionReveal, PredictionUpdate } from '../../shared/protocol/collab.js';
import { parseCommand, type Command } from '../../shared/protocol/commands.js';
import { applyFrame, type Frame, type Snapshot } from '../../shared/protocol/snapshot.js';
import { CONNECT_ERRORS, type CatchUp, type CommandAck, type ClientToServerEvents, type ConnectErrorCode, type Display, type HandshakeAuth, type Outcome, type Presence, type ServerToClientEvents, type SyncRefusal, type TrainingProgress } from '../../shared/protocol/socket.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { flagKey } from '../../shared/protocol/flag-key.js';
import { CsvGate, loadCsvTexts, missingCsv } from './csv-texts.js';
import { sendCommand } from './command-sender.js';
import { clientId, displayName, rememberClientId } from './identity.js';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'refused';

/** Why the server refused us: shown instead of the lecture, never retried. */
export interface Refusal {
  readonly code: ConnectErrorCode | 'unknown';
  readonly message: string;
}

/** A loss measured during training, before the train frame lands in the history. */
export interface LivePoint {
  readonly epoch: number;
  readonly loss: number;
  /** The held-out rows' loss after that epoch; null when the dataset holds none out. */
  readonly testLoss: number | null;
}

/** Every refusal the server names is final for this page view: retrying would only repeat it. */
const FATAL: ReadonlySet<string> = new Set(Object.values(CONNECT_ERRORS));
const COMMAND_TIMEOUT_MS = 15_000;
/** A head ahead of us is believed after this long (the frames it counts may still be on the way). */
const HEAD_GRACE_MS = 1_000;
/**
 * Owns the socket of one lecture page: joins, keeps the snapshot current by applying frames,
 * resynchronises on gaps, reconnects with `lastSeq` so the server sends only what we missed,
 * and sends the instructor's commands. The host re-renders on every change.
 */
export class LiveController implements ReactiveController {
  snapshot: Snapshot | null = null;
  status: ConnectionStatus = 'connecting';
  presence: Presence | null = null;
  progress: TrainingProgress | null = null;
  livePoints: LivePoint[] = [];
  refusal: Refusal | null = null;
  /** Instructor: the answers so far to the open prediction. */
  predictionUpdate: PredictionUpdate | null = null;
  /** Everyone but the instructor: how many answered the open prediction (never what). */
  predictionCount: PredictionCount | null = null;
  /** The last reveal heard (the frame's prediction says the same; this covers a frame still on its way). */
  reveal: PredictionReveal | null = null;
  /** Instructor: "I'm lost here" counts of the pass. */
  flagCounts: Readonly<Record<string, number>> | null = null;
  /** Student: the keys this student flagged in this pass (the server forgets them at a new pass; so do we). */
  myFlags: ReadonlySet<string> = new Set();

  /** Called with every frame applied to the live state (the private rewind keeps its index growing). */
  readonly frameListeners = new Set<(frame: Frame) => void>();

  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private syncing = false;
  private pending: Frame[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Snapshots and frames wait here, in order, while an uploaded table they name is fetched. */
  private readonly arrivals = new CsvGate(() => {
    // The table could not be fetched: a fresh connection tries again from a snapshot.
    this.socket?.disconnect();
    this.retrySoon();
  });

  constructor(
    private readonly host: ReactiveControllerHost,
    /** `display: 'projector'`: the class's shared screen, which watches as a student but is nobody. */
    private readonly options: { lectureId: string; token?: string | null; display?: Display },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      // A function so that each reconnection sends the seq we hold at that moment.
      auth: (cb) => cb(this.auth() as unknown as object),
      transports: ['websocket'],
    });
    this.socket = socket;
    socket.on('connect', () => this.set({ status: 'live' }));
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return this.set({ status: 'offline' });
      // The server closing us (e.g. a restart) is not retried by socket.io on its own.
      if (reason === 'io server disconnect') this.retrySoon();
      this.set({ status: 'reconnecting' });
    });
    socket.on('connect_error', (err) => {
      const code = (err as Error & { data?: { code?: string } }).data?.code;
      if (code && FATAL.has(code)) {
        socket.disconnect();
        this.set({ status: 'refused', refusal: { code: code as ConnectErrorCode, message: err.message } });
        return;
      }
      // Transport errors are retried by socket.io; a refusal we do not know is retried by us.
      if (!socket.active) this.retrySoon();
      this.set({ status: navigator.onLine === false ? 'offline' : 'reconnecting' });
    });
    socket.io.on('reconnect_failed', () => this.set({ status: 'offline' }));
    socket.on('identity', ({ clientId: issued }) => {
      // A projector is nobody: it must not take over the id of a student on the same browser.
      if (!this.options.token && !this.options.display) rememberClientId(issued);
    });
    socket.on('snapshot', (snapshot) => this.arrivals.push([snapshot.dataset], () => this.acceptSnapshot(snapshot)));
    socket.on('frame', (frame) => this.arrivals.push([frame.dataset], () => this.acceptFrame(frame)));
    socket.on('progress', (progress) => {
      if (!this.snapshot) return;
      // Chart x is the epoch: training extends the history by one epoch per epoch done.
      const epoch = this.snapshot.lossCount + progress.epochsDone;
      const last = this.livePoints.at(-1);
      const livePoints = last && last.epoch >= epoch ? this.livePoints : [...this.livePoints, { epoch, loss: progress.loss, testLoss: progress.testLoss }];
      this.set({ progress, livePoints });
    });
    // A student who reloads gets back the flags the server still counts for them.
    socket.on('flags:mine', ({ keys }) => this.set({ myFlags: new Set(keys) }));
    // The server's seq: a frame that never came shows as a head ahead of us once the arrivals are applied.
    socket.on('head', ({ seq }) => {
      setTimeout(() => {
        if (this.socket === socket && this.snapshot && seq > this.snapshot.seq && !this.arrivals.busy) void this.resync();
      }, HEAD_GRACE_MS);
    });
    socket.on('presence', (presence) => this.set({ presence }));
    socket.on('prediction:update', (predictionUpdate) => this.set({ predictionUpdate }));
    socket.on('prediction:count', (predictionCount) => this.set({ predictionCount }));
    socket.on('prediction:reveal', (reveal) => this.set({ reveal }));
    socket.on('flags', (flags) => this.set({ flagCounts: flags.counts }));
    addEventListener('offline', this.onOffline);
  }

  hostDisconnected(): void {
    clearTimeout(this.retryTimer);
    removeEventListener('offline', this.onOffline);
    this.socket?.disconnect();
    this.socket = null;
  }

  /**
   * Sends a command with an id of its own, once more with the same id when its answer is lost (a
   * timeout or a reconnect: the server applies it once); resolves with the server's ack (or a
   * readable failure, never throws).
   */
  async send(command: Command): Promise<CommandAck> {
    const parsed = parseCommand(command);
    if (!parsed.ok) return { ok: false, error: parsed.error, status: 400 };
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: 'Not connected to the server: the command was not sent.', status: 0 };
    // The command as given, checked but not transformed: the server parses it again, and a parsed
    // setNetwork (its network completed with a placeholder `inputs`) would not parse twice.
    return sendCommand(socket, command, { timeoutMs: COMMAND_TIMEOUT_MS });
  }

  /** A student's answer to the open prediction; resolves with the server's ack, never throws. */
  submitPrediction(value: number): Promise<Outcome> {
    return this.emitOutcome((socket) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('prediction:submit', { value }));
  }

  /** Flags or unflags a stage or element for this student; the local mark follows the server's ack. */
  async flag(target: FlagTarget, on: boolean): Promise<Outcome> {
    const outcome = await this.emitOutcome((socket) => socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('flag', { target, on }));
    if (outcome.ok) {
      const mine = new Set(this.myFlags);
      if (on) mine.add(flagKey(target));
      else mine.delete(flagKey(target));
      this.set({ myFlags: mine });
    }
    return outcome;
  }

  /** Joins again, e.g. with a new display name (the handshake carries it). */
  rejoin(): void {
    this.socket?.disconnect().connect();
  }

  private async emitOutcome(send: (socket: Socket<ServerToClientEvents, ClientToServerEvents>) => Promise<Outcome>): Promise<Outcome> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: 'Not connected to the server: nothing was sent.', status: 0 };
    try {
      return await send(socket);
    } catch {
      return { ok: false, error: 'The server did not answer in time; check the connection and try again.', status: 0 };
    }
  }

  /**
   * The snapshot to show: during training, the parameters the last progress report carried, so
   * every view (diagram, tensors, dataset predictions, decision boundary) follows the training.
   * Training starts from a finished pass, so the pass's tensors are not shown meanwhile.
   */
  get view(): Snapshot | null {
    const s = this.snapshot;
    const p = this.progress;
    if (!s || !p) return s;
    const tensors: Record<string, Tensor> = {};
    for (const name of mlpLayout(s.network).parameters) {
      const t = p.params[name] ?? s.tensors[name];
      if (t) tensors[name] = t;
    }
    return {
      ...s,
      stage: 'idle',
      tensors,
      training: { epochsDone: p.epochsDone, epochsTotal: p.epochsTotal, ...(p.queued ? { queued: p.queued } : {}) },
    };
  }

  private auth(): HandshakeAuth {
    const auth: HandshakeAuth = { protocol: PROTOCOL_VERSION, lectureId: this.options.lectureId };
    if (this.options.token) auth.token = this.options.token;
    else if (this.options.display) auth.display = this.options.display;
    else {
      const id = clientId();
      if (id) auth.clientId = id;
      const name = displayName();
      if (name) auth.name = name;
    }
    if (this.snapshot) auth.lastSeq = this.snapshot.seq;
    return auth;
  }

  private onOffline = () => {
    if (this.status !== 'refused') this.set({ status: 'offline' });
  };

  private retrySoon(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.socket?.connect(), 1500);
  }

  private acceptSnapshot(snapshot: Snapshot): void {
    const training = snapshot.training !== null;
    this.set({
      snapshot,
      progress: training ? this.progress : null,
      livePoints: training ? this.livePoints : [],
    });
  }

  private acceptFrame(frame: Frame): void {
    if (this.syncing) {
      this.pending.push(frame);
      return;
    }
    const s = this.snapshot;
    if (!s || frame.seq <= s.seq) return; // a duplicate after a catch-up
    try {
      // A frame ends any training: its progress is now in the history.
      this.set({ snapshot: applyFrame(s, frame), progress: null, livePoints: [], ...this.afterFrame(frame) });
      for (const listener of this.frameListeners) listener(frame);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.pending.push(frame);
      void this.resync();
    }
  }

  /** What a frame changes beyond the snapshot: own flags end with the pass, as they do on the server. */
  private afterFrame(frame: Frame): Partial<Pick<LiveController, 'myFlags' | 'predictionUpdate' | 'predictionCount'>> {
    const patch: Partial<Pick<LiveController, 'myFlags' | 'predictionUpdate' | 'predictionCount'>> = {};
    const type = frame.command.type;
    if (this.myFlags.size && frame.flagsCleared) patch.myFlags = new Set();
    // A new question: the counts heard were about the last one.
    if (type === 'ask') Object.assign(patch, { predictionUpdate: null, predictionCount: null });
    return patch;
  }

  /** We missed frames: ask for them, apply them, then the ones that arrived meanwhile. */
  private async resync(): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.snapshot || this.syncing) return;
    this.syncing = true;
    try {
      const result = await this.catchUp(socket);
      let s = this.snapshot;
      if (result.type === 'snapshot') s = result.snapshot;
      else
        for (const f of result.frames) {
          if (f.seq !== s.seq + 1) continue;
          s = applyFrame(s, f);
          Object.assign(this, this.afterFrame(f));
          for (const listener of this.frameListeners) listener(f);
        }
      this.set({ snapshot: s, progress: s.training ? this.progress : null, livePoints: s.training ? this.livePoints : [] });
    } catch {
      // Could not catch up this way: a reconnection brings a fresh snapshot.
      socket.disconnect().connect();
    } finally {
      this.syncing = false;
      const queued = this.pending.sort((a, b) => a.seq - b.seq);
      this.pending = [];
      for (const f of queued) this.acceptFrame(f);
    }
  }

  /**
   * Asks the server for what we missed, with the tables it names loaded. The server sends one
   * snapshot per socket every few seconds; sooner it says 429 and when to ask again, and we do.
   */
  private async catchUp(socket: Socket<ServerToClientEvents, ClientToServerEvents>): Promise<CatchUp> {
    for (;;) {
      const result: CatchUp | SyncRefusal = await socket.timeout(COMMAND_TIMEOUT_MS).emitWithAck('sync', { lastSeq: this.snapshot!.seq });
      if ('error' in result) {
        if (result.status !== 429 || result.retryAfter === undefined) throw new Error(result.error);
        await new Promise((resolve) => setTimeout(resolve, result.retryAfter! * 1000));
        if (this.socket !== socket || !socket.connected) throw new Error('disconnected while waiting to sync');
        continue;
      }
      await loadCsvTexts(missingCsv(result.type === 'snapshot' ? [result.snapshot.dataset] : result.frames.map((f) => f.dataset)));
      return result;
    }
  }

  private set(
    patch: Partial<
      Pick<LiveController, 'snapshot' | 'status' | 'presence' | 'progress' | 'livePoints' | 'refusal' | 'predictionUpdate' | 'predictionCount' | 'reveal' | 'flagCounts' | 'myFlags'>
    >,
  ): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
