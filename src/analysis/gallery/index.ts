export * from './types';
export {
  defaultGalleryLayer,
  galleryLayer,
  galleryLayerNames,
  isGalleryLayer,
} from './chooseLayer';
export { rankUnits, localMaxima, unitCandidates, imageCandidates, iou } from './imagePatches';
export type { Candidate, LayerMap } from './imagePatches';
export { BoundedTopK, LayerGalleries, comparePatches } from './boundedTopK';
export { cropPatch, channelOf } from './crops';
export type { PatchCrop } from './crops';
export * from './galleryCache';
export { listFolderImages, hashFolderImages, hashBytes } from './folderImages';
