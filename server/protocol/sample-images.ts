/**
 * `GET /api/sample-images`: pictures a person can try an image model on without hunting for a file —
 * the image files of the model's reference data (the reference CSV's folder, else the model's own).
 * Owner-only (it reads files), so a share link's page simply shows none.
 */

/** The file kinds offered, by extension, with the media type the browser decodes them as. */
export const SAMPLE_IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
};

/** At most this many pictures, each at most this many bytes: a few thumbnails, never a data set. */
export const SAMPLE_IMAGE_LIMITS = { count: 24, bytes: 512 * 1024 };

export interface SampleImage {
  /** File name (no folder). */
  name: string;
  mediaType: string;
  /** The file's bytes, base64: the UI decodes them with createImageBitmap (no image URL for the CSP to allow). */
  base64: string;
}

export interface SampleImageList {
  /** The folder the pictures come from; null when the model has no image input. */
  folder: string | null;
  images: SampleImage[];
  /** Files left out because there were more than the limit or they were too big. */
  skipped: number;
}
