/**
 * The instructor's console: its controls, setup forms (network, dataset), class bar, share panel
 * (with the QR code), key help, the narration recorder and the bookmark. lecture-page.ts imports this only on an
 * instructor link, so a student's first paint never downloads them.
 */
import './instructor-controls.js';
import './share-panel.js';
import './key-help.js';
import './class-bar.js';
import './narration-control.js';
import './bookmark-control.js';
