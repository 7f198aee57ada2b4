/** Inputs an attacker reaches for first: the fuzz tests and the regression tests draw on one list. */

/** Every name on Object.prototype, and a few more that code often looks up by accident. */
export const PROTOTYPE_NAMES: readonly string[] = [...Object.getOwnPropertyNames(Object.prototype), 'prototype', 'Constructor', 'toJSON', 'then'];

/**
 * Every character Python's `str.splitlines` (and so IPython, splitting a cell into lines) breaks a
 * line at: text holding one of these, written into a code cell's comment, starts a new line of code.
 */
export const LINE_SEPARATORS: readonly string[] = ['\n', '\r', '\r\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029'];
