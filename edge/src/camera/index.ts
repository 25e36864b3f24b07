export { CameraReader, type CameraReaderOptions, type CameraStatus } from './camera-reader.ts';
export {
  CameraError,
  type CameraErrorCode,
  type Frame,
  type FrameLimits,
  type FrameSource,
} from './frame.ts';
export { openFrameSource } from './open-source.ts';
