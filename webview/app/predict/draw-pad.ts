/**
 * A drawing pad for small grayscale image inputs: white ink on black (the convention of digit data sets
 * such as MNIST and scikit-learn's digits), drawn at a comfortable size and handed over, when a stroke
 * ends, as a canvas the image field shrinks to the model's size. Mouse, pen and touch (pointer events);
 * the keyboard gets a Clear button.
 */
import { h } from '../dom';

export interface DrawPadOptions {
  /** The model's input size; the pad keeps its aspect ratio. */
  width: number;
  height: number;
  label: string;
  /** Called after each stroke with the pad's canvas (full resolution). */
  onDrawn(drawing: HTMLCanvasElement): void;
}

export interface DrawPad {
  readonly element: HTMLElement;
  clear(): void;
}

/** Pad resolution: 192 px on the longer side, so a stroke is smooth before it is shrunk. */
const PAD_SIZE = 192;

export function createDrawPad(options: DrawPadOptions): DrawPad {
  const scale = PAD_SIZE / Math.max(options.width, options.height);
  const pad = h('canvas', {
    className: 'draw-pad',
    attrs: {
      width: Math.round(options.width * scale),
      height: Math.round(options.height * scale),
      role: 'img',
      'aria-label': `${options.label}: drawing pad, draw with the mouse, a pen or a finger`,
      'data-draw-pad': '',
    },
  }) as HTMLCanvasElement;
  const ctx = pad.getContext('2d')!;
  // A stroke about 1/10 of the picture wide: like a pen on the digit data sets' originals.
  const lineWidth = Math.max(options.width, options.height) * scale * 0.11;
  let drawing = false;
  let last: { x: number; y: number } | null = null;

  function clear(): void {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
  }
  clear();

  const point = (event: PointerEvent): { x: number; y: number } => {
    const box = pad.getBoundingClientRect();
    return { x: ((event.clientX - box.left) / box.width) * pad.width, y: ((event.clientY - box.top) / box.height) * pad.height };
  };
  function strokeTo(to: { x: number; y: number }): void {
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineWidth = lineWidth;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    if (last) {
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    } else {
      ctx.arc(to.x, to.y, lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
    }
    last = to;
  }

  pad.addEventListener('pointerdown', (event) => {
    drawing = true;
    last = null;
    pad.setPointerCapture(event.pointerId);
    strokeTo(point(event));
    event.preventDefault();
  });
  pad.addEventListener('pointermove', (event) => {
    if (drawing) strokeTo(point(event));
  });
  const end = (): void => {
    if (!drawing) return;
    drawing = false;
    last = null;
    options.onDrawn(pad);
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  const clearButton = h(
    'vscode-button',
    {
      attrs: { appearance: 'secondary', 'aria-label': `Clear the drawing (${options.label})` },
      on: {
        click: () => {
          clear();
          options.onDrawn(pad);
        },
      },
    },
    ['Clear'],
  );
  const element = h('div', { className: 'draw-pad-wrap' }, [pad, h('div', { className: 'draw-actions' }, [clearButton])]);
  return { element, clear };
}
