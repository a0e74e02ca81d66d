/**
 * An image feature. Three ways to a picture — a file, one of the sample pictures of the reference data,
 * or (for small grayscale inputs such as 8×8 or 28×28 digits) a drawing pad — all end the same way: the
 * picture is drawn, stretched, into a canvas of exactly the signature's size; that canvas is the preview
 * and its pixels are what the codec encodes. A file that is not a picture clears the previous one and
 * says so until another picture is chosen.
 */
import type { Feature, ImageSpec } from '../../../server/protocol/signature';
import type { SampleImage } from '../../../server/protocol/sample-images';
import { h, slug, uniqueId } from '../dom';
import type { FieldControl } from './field-control';
import type { ImagePixels } from './inference';
import { createDrawPad } from './draw-pad';

/** Where an image field gets the sample pictures from (none when absent or when the call fails). */
export type SampleImageSource = () => Promise<SampleImage[]>;

const PICTURE_KINDS = 'PNG, JPEG, GIF, WebP or BMP';

/** Inputs small and grayscale enough that drawing one by hand makes sense (digits, letters, sketches). */
export function isDrawable(spec: ImageSpec | undefined): boolean {
  return !!spec && spec.channels === 1 && spec.width <= 64 && spec.height <= 64;
}

function decodeBase64(base64: string, mediaType: string): Blob {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: mediaType });
}

/**
 * Draws `picture` into a `width`×`height` context, halving it step by step first: one bilinear draw from
 * far bigger only samples a few source pixels (a stroke between them vanishes), halving averages them all.
 */
function drawShrunk(ctx: CanvasRenderingContext2D, picture: ImageBitmap | HTMLCanvasElement, width: number, height: number): void {
  let source: ImageBitmap | HTMLCanvasElement = picture;
  while (source.width >= width * 2 && source.height >= height * 2) {
    const half = document.createElement('canvas');
    half.width = Math.ceil(source.width / 2);
    half.height = Math.ceil(source.height / 2);
    half.getContext('2d')!.drawImage(source, 0, 0, half.width, half.height);
    source = half;
  }
  ctx.drawImage(source, 0, 0, width, height);
}

export function createImageField(
  feature: Feature,
  spec: ImageSpec | undefined,
  onInput: () => void,
  sampleImages?: SampleImageSource,
): FieldControl {
  const width = spec?.width ?? 224;
  const height = spec?.height ?? 224;
  const id = uniqueId(`img-${slug(feature.name)}`);
  const canvas = h('canvas', {
    className: 'image-preview',
    attrs: { width, height, role: 'img', 'aria-label': `${feature.name} preview`, 'data-feature-preview': feature.name },
  }) as HTMLCanvasElement;
  canvas.hidden = true;
  const hint = `any picture, resized to ${width}×${height}${spec?.channels === 1 ? ', grayscale' : ''}`;
  const status = h('div', { className: 'field-hint' }, [`image · ${hint}`]);
  const error = h('div', { className: 'field-error', attrs: { 'aria-live': 'polite' } });
  error.hidden = true;
  let pixels: ImagePixels | null = null;
  let source = '';
  let problem: string | null = null;

  const input = h('input', {
    className: 'file-input',
    attrs: { id, type: 'file', accept: 'image/*', 'data-feature': feature.name },
  }) as HTMLInputElement;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void useFile(file);
  });

  /** Draws a decoded picture at the model's size and keeps its pixels. */
  function show(picture: ImageBitmap | HTMLCanvasElement, name: string, how: string): void {
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.clearRect(0, 0, width, height);
    drawShrunk(ctx, picture, width, height);
    pixels = { width, height, data: ctx.getImageData(0, 0, width, height).data };
    source = name;
    problem = null;
    canvas.hidden = false;
    status.textContent = `${name}${how} → ${width}×${height}`;
    setError(null);
    onInput();
  }

  /** Forgets the picture (a bad file must not leave the previous preview looking chosen). */
  function refuse(message: string): void {
    pixels = null;
    source = '';
    problem = message;
    canvas.hidden = true;
    samples?.select(null);
    setError(message);
    onInput();
  }

  async function useFile(file: File): Promise<void> {
    const otherWays = samples || pad ? ', or use one of the ways below' : '';
    const notPicture = `"${file.name}" is not a picture; choose a ${PICTURE_KINDS} file${otherWays}.`;
    // The file dialog's filter is only a hint: a CSV can still be picked (or dropped).
    if (file.type && !file.type.startsWith('image/')) return refuse(notPicture);
    try {
      // createImageBitmap decodes without an <img>, so no image URL needs to be allowed by the CSP.
      const bitmap = await createImageBitmap(file);
      samples?.select(null);
      show(bitmap, file.name, '');
      bitmap.close();
    } catch {
      refuse(notPicture);
    }
  }

  function setError(message: string | null): void {
    error.textContent = message ?? '';
    error.hidden = !message;
    status.hidden = !!message;
    wrapper.classList.toggle('is-invalid', !!message);
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  const pad = isDrawable(spec)
    ? createDrawPad({
        width,
        height,
        label: `Draw the ${feature.name}`,
        onDrawn: (drawing) => {
          input.value = '';
          samples?.select(null);
          show(drawing, 'your drawing', '');
        },
      })
    : null;
  const samples = sampleImages
    ? createSamplePicker(sampleImages, feature.name, (bitmap, name) => {
        input.value = '';
        show(bitmap, name, ' (sample)');
      })
    : null;

  const label = h('label', { className: 'field-label', attrs: { for: id } }, [feature.name]);
  const sources = h('div', { className: 'image-sources' }, [
    h('div', { className: 'image-source' }, [h('h3', {}, ['Preview']), canvas]),
    samples?.element,
    pad ? h('div', { className: 'image-source' }, [h('h3', {}, ['Or draw one']), pad.element]) : null,
  ]);
  const wrapper = h('div', { className: 'field field-wide field-image' }, [label, input, status, error, sources]);
  return {
    key: feature.name,
    element: wrapper,
    setError: (message) => setError(message ?? problem),
    // Only the picture's name is kept in values/history; the pixels are chosen again after a reload.
    read: () => source,
    write: () => {
      /* a picture cannot be restored from state */
    },
    focus: () => input.focus(),
    image: () => pixels,
    problem: () => problem,
  };
}

interface SamplePicker {
  readonly element: HTMLElement;
  /** Highlights the sample shown (null: none, another source was used). */
  select(name: string | null): void;
}

/** Thumbnails of the sample pictures, filled in once they arrive; hidden when there are none. */
function createSamplePicker(
  load: SampleImageSource,
  featureName: string,
  onPick: (bitmap: ImageBitmap, name: string) => void,
): SamplePicker {
  const list = h('div', { className: 'sample-images', attrs: { role: 'group', 'aria-label': `Sample pictures for ${featureName}` } });
  const element = h('div', { className: 'image-source' }, [h('h3', {}, ['Or pick a sample']), list]);
  element.hidden = true;
  const buttons: HTMLElement[] = [];
  const select = (name: string | null): void => {
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.sample === name));
  };
  void load()
    .then(async (images) => {
      for (const image of images) {
        let bitmap: ImageBitmap;
        try {
          bitmap = await createImageBitmap(decodeBase64(image.base64, image.mediaType));
        } catch {
          continue; // a broken file among the samples is skipped, not shown as an error on the field
        }
        const thumb = h('canvas', { attrs: { width: bitmap.width, height: bitmap.height, 'aria-hidden': 'true' } }) as HTMLCanvasElement;
        thumb.getContext('2d')!.drawImage(bitmap, 0, 0);
        const button = h(
          'button',
          {
            className: 'sample-image',
            attrs: { type: 'button', 'data-sample': image.name, 'aria-pressed': 'false', title: `Use ${image.name}` },
            on: {
              click: () => {
                select(image.name);
                onPick(bitmap, image.name);
              },
            },
          },
          [thumb, h('span', {}, [image.name])],
        );
        buttons.push(button);
        list.append(button);
      }
      element.hidden = buttons.length === 0;
    })
    .catch(() => {
      /* no samples (a share link, an older server): the other ways to a picture remain */
    });
  return { element, select };
}
