import { nothing } from 'lit';
import { until } from 'lit/directives/until.js';
import { unsafeSVG } from 'lit/directives/unsafe-svg.js';

/** The QR codes drawn so far, by text: a re-render reuses the same promise (and draws nothing new). */
const drawn = new Map<string, Promise<string>>();
/** A console shows one or two links; more is a changed base, and old ones are dropped. */
const KEEP = 8;

/**
 * An SVG QR code of `text`. The generator (about 50 KB) is fetched the first time one is drawn:
 * only the console and the projector display draw them, and a student's page never waits for it.
 */
export function qrSvg(text: string): Promise<string> {
  let svg = drawn.get(text);
  if (!svg) {
    svg = import('qrcode-generator').then(({ default: qrcode }) => {
      const qr = qrcode(0, 'M');
      qr.addData(text);
      qr.make();
      return qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
    });
    if (drawn.size >= KEEP) drawn.clear();
    drawn.set(text, svg);
  }
  return svg;
}

/** The QR code of `text` in a template: nothing until the generator has arrived, then the code. */
export function qrCode(text: string) {
  return until(qrSvg(text).then((svg) => unsafeSVG(svg)), nothing);
}
