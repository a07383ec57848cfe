/** A photo as the data URL a chat request carries: EXIF-rotated, longest side capped, JPEG. */
import sharp from 'sharp';

export async function imageDataUrl(file: string, maxSide: number): Promise<string> {
  const jpeg = await sharp(file, { failOn: 'none' })
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}
