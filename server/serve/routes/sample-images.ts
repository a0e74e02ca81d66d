/**
 * `GET /api/sample-images`: the picture files beside the model's reference data (the reference CSV's
 * folder, else the model file's folder), for the Predict tab's image inputs. Not recursive, bounded in
 * count and size (SAMPLE_IMAGE_LIMITS); empty for a model without an image input. Mounted with the lab,
 * so the owner-only check on `/api/*` covers it: share links cannot list or read files.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import type { Hono } from 'hono';
import { SAMPLE_IMAGE_LIMITS, SAMPLE_IMAGE_TYPES, type SampleImageList } from '../../protocol/sample-images';
import type { ModelHost } from '../host';

export async function listSampleImages(folder: string): Promise<Omit<SampleImageList, 'folder'>> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => !name.startsWith('.') && extname(name).toLowerCase() in SAMPLE_IMAGE_TYPES);
  } catch {
    return { images: [], skipped: 0 };
  }
  names.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const images: SampleImageList['images'] = [];
  let skipped = 0;
  for (const name of names) {
    const path = join(folder, name);
    try {
      const info = await stat(path);
      if (!info.isFile() || info.size > SAMPLE_IMAGE_LIMITS.bytes || images.length >= SAMPLE_IMAGE_LIMITS.count) {
        skipped++;
        continue;
      }
      const bytes = await readFile(path);
      images.push({ name, mediaType: SAMPLE_IMAGE_TYPES[extname(name).toLowerCase()], base64: bytes.toString('base64') });
    } catch {
      skipped++; // vanished or unreadable since the listing: not worth failing the others for
    }
  }
  return { images, skipped };
}

export function registerSampleImageRoutes(app: Hono, host: ModelHost): void {
  app.get('/api/sample-images', async (c) => {
    const model = host.current();
    if (!model.signature.features.some((f) => f.kind === 'image'))
      return c.json({ folder: null, images: [], skipped: 0 } satisfies SampleImageList);
    const folder = dirname(model.reference?.path ?? model.info.path);
    return c.json({ folder, ...(await listSampleImages(folder)) } satisfies SampleImageList);
  });
}
