import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { log } from '../log.js';

/** A lecture's command channel: only its owner subscribes, so PUBLISH's receiver count says whether it has one. */
const commandChannel = (lectureId: string) => `bpl:cmd:${lectureId}`;
/** A process's reply channel (its instance id: a restarted node is another instance). */
const replyChannel = (instance: string) => `bpl:reply:${instance}`;
/** A lecture's live channel (sharded pub/sub; the braces are its hash tag on a Redis Cluster). */
const liveChannel = (lectureId: string) => `bpl:live:{${lectureId}}`;

type Handler = (message: string) => void;

/**
 * Redis as the cluster's message bus, and nothing more (it stores nothing the lecture needs: losing
 * it delays, never loses). Three connections: one publishes (and fails at once while Redis is down,
 * rather than queueing: a frame lost meanwhile is recovered through `head` and the database), one
 * subscribes to the command channels of the lectures this node owns and to its own reply channel,
 * one subscribes (sharded) to the live channels of the lectures it has sockets for. ioredis
 * reconnects and subscribes again after Redis comes back.
 */
export class ClusterBus {
  /** This process, as named in messages: the node id and a random part (a restarted node is another process). */
  readonly instance: string;
  private readonly commandHandlers = new Map<string, Handler>();
  private readonly liveHandlers = new Map<string, Handler>();
  private replyHandler: Handler = () => undefined;

  private constructor(
    readonly nodeId: string,
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly ssub: Redis,
  ) {
    this.instance = `${nodeId}/${randomBytes(4).toString('hex')}`;
    sub.on('message', (channel: string, message: string) => {
      if (channel === replyChannel(this.instance)) return this.replyHandler(message);
      this.commandHandlers.get(channel)?.(message);
    });
    ssub.on('smessage', (channel: string, message: string) => this.liveHandlers.get(channel)?.(message));
  }

  /** Connects to REDIS_URL; rejects when Redis cannot be reached at start. */
  static async open(url: string, nodeId: string): Promise<ClusterBus> {
    const options = {
      // Back within a second of Redis coming back.
      retryStrategy: (times: number) => Math.min(50 * times, 1_000),
      lazyConnect: true,
    };
    const pub = new Redis(url, { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const sub = new Redis(url, options);
    const ssub = new Redis(url, options);
    for (const [name, client] of [['publisher', pub], ['subscriber', sub], ['sharded subscriber', ssub]] as const) {
      client.on('error', (err: Error) => log.warn({ err: err.message }, `Redis ${name}: ${err.message}`));
    }
    await Promise.all([pub.connect(), sub.connect(), ssub.connect()]);
    const bus = new ClusterBus(nodeId, pub, sub, ssub);
    await sub.subscribe(replyChannel(bus.instance));
    return bus;
  }

  /** Two more connections like the publisher, for socket.io's sharded adapter (its own channels and handlers). */
  adapterClients(): [Redis, Redis] {
    return [this.pub.duplicate({ enableOfflineQueue: true }), this.pub.duplicate({ enableOfflineQueue: true })];
  }

  /** Sends a message to a lecture's owner; resolves with how many received it (0: the lecture has no owner). */
  async toOwner(lectureId: string, message: object): Promise<number> {
    return this.pub.publish(commandChannel(lectureId), JSON.stringify(message));
  }

  /** Answers a message's sender. */
  async reply(instance: string, message: object): Promise<void> {
    await this.pub.publish(replyChannel(instance), JSON.stringify(message));
  }

  onReply(handler: Handler): void {
    this.replyHandler = handler;
  }

  /** Receives a lecture's commands (this node owns it now). */
  async serveCommands(lectureId: string, handler: Handler): Promise<void> {
    this.commandHandlers.set(commandChannel(lectureId), handler);
    await this.sub.subscribe(commandChannel(lectureId));
  }

  async stopServing(lectureId: string): Promise<void> {
    this.commandHandlers.delete(commandChannel(lectureId));
    await this.sub.unsubscribe(commandChannel(lectureId)).catch(() => undefined);
  }

  /** Publishes on a lecture's live channel (SPUBLISH); rejects while Redis is unreachable. */
  async publishLive(lectureId: string, message: object): Promise<void> {
    await this.pub.spublish(liveChannel(lectureId), JSON.stringify(message));
  }

  /** Receives what a lecture's owner publishes (this node has sockets of it). */
  async followLive(lectureId: string, handler: Handler): Promise<void> {
    this.liveHandlers.set(liveChannel(lectureId), handler);
    await this.ssub.ssubscribe(liveChannel(lectureId));
  }

  async unfollowLive(lectureId: string): Promise<void> {
    this.liveHandlers.delete(liveChannel(lectureId));
    await this.ssub.sunsubscribe(liveChannel(lectureId)).catch(() => undefined);
  }

  /** How many lectures' live channels this node follows (for /metrics and tests). */
  get followed(): number {
    return this.liveHandlers.size;
  }

  /** The raw publisher, for the cluster-wide counters (presence, guesses) that live in Redis. */
  get redis(): Redis {
    return this.pub;
  }

  /** Resolves when Redis answers PING; what /api/ready reports. */
  async ping(): Promise<void> {
    if (this.pub.status !== 'ready') throw new Error(`Redis is ${this.pub.status}`);
    await this.pub.ping();
  }

  async close(): Promise<void> {
    await Promise.all([this.pub, this.sub, this.ssub].map((c) => c.quit().catch(() => c.disconnect())));
  }
}
