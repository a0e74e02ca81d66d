/**
 * An image feature: a file picker whose picture is drawn, stretched, into a canvas of exactly the
 * signature's size; the canvas is the preview and its pixels are what the codec encodes.
 */
import type { Feature, ImageSpec } from '../../../server/protocol/signature';
import { h, slug, uniqueId } from '../dom';
import type { FieldControl } from './field-control';
import type { ImagePixels } from './inference';

export function createImageField(feature: Feature, spec: ImageSpec | undefined, onInput: () => void): FieldControl {
  const width = spec?.width ?? 224;
  const height = spec?.height ?? 224;
  const id = uniqueId(`img-${slug(feature.name)}`);
  const canvas = h('canvas', {
    className: 'image-preview',
    attrs: { width, height, role: 'img', 'aria-label': `${feature.name} preview` },
  }) as HTMLCanvasElement;
  canvas.hidden = true;
  const status = h('div', { className: 'field-hint' }, [
    `image · any picture, resized to ${width}×${height}${spec?.channels === 1 ? ', grayscale' : ''}`,
  ]);
  const error = h('div', { className: 'field-error', attrs: { 'aria-live': 'polite' } });
  error.hidden = true;
  let pixels: ImagePixels | null = null;
  let fileName = '';

  const input = h('input', {
    className: 'file-input',
    attrs: { id, type: 'file', accept: 'image/*', 'data-feature': feature.name },
  }) as HTMLInputElement;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    void drawFile(file);
  });

  async function drawFile(file: File): Promise<void> {
    try {
      // createImageBitmap decodes without an <img>, so no image URL needs to be allowed by the CSP.
      const bitmap = await createImageBitmap(file);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.clearRect(0, 0, width, height);
      ctx.drawImage(bitmap, 0, 0, width, height);
      bitmap.close();
      const data = ctx.getImageData(0, 0, width, height);
      pixels = { width, height, data: data.data };
      fileName = file.name;
      canvas.hidden = false;
      status.textContent = `${file.name} → ${width}×${height}`;
      setError(null);
    } catch {
      pixels = null;
      setError(`Cannot read "${file.name}" as an image; choose a PNG, JPEG, GIF, WebP or BMP file.`);
    }
    onInput();
  }

  function setError(message: string | null): void {
    error.textContent = message ?? '';
    error.hidden = !message;
    status.hidden = !!message;
    wrapper.classList.toggle('is-invalid', !!message);
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  const label = h('label', { className: 'field-label', attrs: { for: id } }, [feature.name]);
  const wrapper = h('div', { className: 'field field-wide field-image' }, [label, input, canvas, status, error]);
  return {
    key: feature.name,
    element: wrapper,
    setError,
    // Only the file name is kept in values/history; the pixels are re-chosen after a reload.
    read: () => fileName,
    write: () => {
      /* a file cannot be restored from state */
    },
    focus: () => input.focus(),
    image: () => pixels,
  };
}
