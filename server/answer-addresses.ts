/**
 * Where one prediction's answers came from: the address of each answering student, kept in memory
 * only. It tells the instructor how many distinct addresses answered ("31 answers from 29 devices")
 * and caps how many students one address may answer as, so a machine minting client ids by
 * reconnecting cannot stuff the reveal.
 */
export class AnswerAddresses {
  private readonly byClient = new Map<string, string>();
  private readonly perAddress = new Map<string, number>();

  /** The question these answers belong to. */
  constructor(readonly askSeq: number) {}

  /** Records that `clientId` answers from `address`; false when that address is at its cap of students. */
  admit(clientId: string, address: string, maxPerAddress: number): boolean {
    if (this.byClient.has(clientId)) return true;
    const count = this.perAddress.get(address) ?? 0;
    if (count >= maxPerAddress) return false;
    this.byClient.set(clientId, address);
    this.perAddress.set(address, count + 1);
    return true;
  }

  /** Distinct addresses that answered. */
  get addresses(): number {
    return this.perAddress.size;
  }
}
