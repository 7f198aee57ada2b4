/**
 * Exported notebooks by (lecture, seq): the same moment of a lecture exports to the same bytes, so
 * a class downloading it at once costs one build (asked for while it is being built, they share
 * it). Bounded by total size; the oldest go first.
 */
export class ExportCache {
  private readonly entries = new Map<string, string>();
  private readonly building = new Map<string, Promise<string>>();
  private bytes = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(lectureId: string, seq: number, build: () => Promise<string>): Promise<string> {
    const key = `${lectureId}@${seq}`;
    const under = this.building.get(key);
    if (under) return under;
    const built = this.lookUp(key, build).finally(() => this.building.delete(key));
    this.building.set(key, built);
    return built;
  }

  private async lookUp(key: string, build: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const text = await build();
    if (text.length <= this.maxBytes / 4) {
      this.entries.set(key, text);
      this.bytes += text.length;
      for (const [oldKey, oldText] of this.entries) {
        if (this.bytes <= this.maxBytes) break;
        this.entries.delete(oldKey);
        this.bytes -= oldText.length;
      }
    }
    return text;
  }
}
