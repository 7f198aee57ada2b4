/** Input limits, shared so the client can check before sending and the server enforces them. */
export const LIMITS = {
  maxEpochs: 100_000,
  maxLearningRate: 100,
  maxWeightMagnitude: 1e6,
  maxSeed: 0xffff_ffff,
  maxTitleLength: 120,
  maxNameLength: 40,
  /** Bytes of one HTTP body or socket.io message. */
  maxPayloadBytes: 16 * 1024,
  /**
   * Rows of a pass the instructor steps through: every row's tensors go to every student, so a
   * full batch of 10,000 rows would be megabytes a stage. Training has no such limit.
   */
  maxStepRows: 500,
  /** Commands `back` can undo; older ones are kept in the recording but no longer undoable. */
  undoDepth: 1000,
  /** …and at most this many bytes of the states they restore (each pass of a big batch is large). */
  undoBytes: 64 * 1024 * 1024,
} as const;
