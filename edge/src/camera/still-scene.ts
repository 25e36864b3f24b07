import type { Frame } from './frame.ts';

/** The thumbnail a frame is compared at: 32 × 24 grey cells (20 × 20 pixels each at 640 × 480). */
const COLS = 32;
const ROWS = 24;

export interface StillSceneOptions {
  /** A cell whose grey level moved more than this (0–255) since the last analysed frame is a change. */
  minCellChange: number;
  /** Analyse at least this often even in a still, empty scene (0: never skip a frame). */
  maxSkipMs: number;
}

export const DEFAULT_STILL_SCENE: StillSceneOptions = { minCellChange: 12, maxSkipMs: 60_000 };

/** Luma (BT.601) of the pixel whose red byte is at `i`. */
const grey = (rgb: Uint8Array, i: number) =>
  0.299 * (rgb[i] ?? 0) + 0.587 * (rgb[i + 1] ?? 0) + 0.114 * (rgb[i + 2] ?? 0);

/** At most this many pixels a row and a column are read (a 1920-wide snapshot: every 12th). */
const SAMPLES = 160;

/**
 * Mean grey level of each cell of the frame (cells split the frame evenly; sizes need not divide), from a
 * grid of at most SAMPLES × SAMPLES pixels: ≥ 25 a cell, plenty to average camera noise out.
 */
export function thumbnail(frame: Frame): Float32Array {
  const sums = new Float32Array(COLS * ROWS);
  const counts = new Uint32Array(COLS * ROWS);
  const { width, height, rgb } = frame;
  const stepX = Math.max(1, Math.floor(width / SAMPLES));
  const stepY = Math.max(1, Math.floor(height / SAMPLES));
  const colCell: number[] = [];
  for (let x = 0; x < width; x += stepX) colCell.push(Math.min(COLS - 1, Math.floor((x * COLS) / width)));
  for (let y = 0; y < height; y += stepY) {
    const row = Math.min(ROWS - 1, Math.floor((y * ROWS) / height)) * COLS;
    for (let k = 0, x = 0; k < colCell.length; k++, x += stepX) {
      const i = (y * width + x) * 3;
      const cell = row + (colCell[k] ?? 0);
      sums[cell] = (sums[cell] ?? 0) + grey(rgb, i);
      counts[cell] = (counts[cell] ?? 0) + 1;
    }
  }
  for (let c = 0; c < sums.length; c++) {
    const n = counts[c] ?? 0;
    if (n > 0) sums[c] = (sums[c] ?? 0) / n;
    else {
      // A frame narrower or lower than the grid leaves cells empty: they take the pixel under their centre.
      const x = Math.floor((((c % COLS) + 0.5) * width) / COLS);
      const y = Math.floor(((Math.floor(c / COLS) + 0.5) * height) / ROWS);
      sums[c] = grey(rgb, (y * width + x) * 3);
    }
  }
  return sums;
}

/**
 * Skips the face detector on a frame of a camera whose last analysed frame held no face and that has not
 * changed since: an empty room otherwise costs a detector pass every frame interval, all day. Anything
 * that moves a cell of the thumbnail (someone coming in, a lamp switched on) is analysed, a frame after one
 * with faces always is, and so is one every `maxSkipMs` whatever the scene does. One gate per camera.
 */
export class StillSceneGate {
  private last: { thumb: Float32Array; atMs: number; faces: number } | undefined;

  constructor(private readonly o: StillSceneOptions = DEFAULT_STILL_SCENE) {}

  /** Whether to analyse this frame; `thumb` is reused by `analysed` (compute it once). */
  shouldAnalyse(frame: Frame, thumb: Float32Array): boolean {
    const last = this.last;
    if (this.o.maxSkipMs === 0 || !last || last.faces > 0) return true;
    if (frame.atMs - last.atMs >= this.o.maxSkipMs) return true;
    for (let c = 0; c < thumb.length; c++)
      if (Math.abs((thumb[c] ?? 0) - (last.thumb[c] ?? 0)) > this.o.minCellChange) return true;
    return false;
  }

  /** The frame was analysed and held `faces` faces: the next frames are compared with it. */
  analysed(frame: Frame, thumb: Float32Array, faces: number): void {
    this.last = { thumb, atMs: frame.atMs, faces };
  }
}
