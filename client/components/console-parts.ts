/**
 * The instructor's console: its controls, setup forms (network, dataset), class bar, share panel
 * (with the QR code), key help and the narration recorder. lecture-page.ts imports this only on an
 * instructor link, so a student's first paint never downloads them.
 */
import './instructor-controls.js';
import './share-panel.js';
import './key-help.js';
import './class-bar.js';
import './narration-control.js';
