/** The gallery's cache folder (the extension's global storage); its settings are in ../settings.ts. */

let storageDir: string | undefined;

/** Called once on activation with context.globalStorageUri. */
export function setGalleryStorageDir(dir: string): void {
  storageDir = dir;
}

export function galleryStorageDir(): string | undefined {
  return storageDir;
}
