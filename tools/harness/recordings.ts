// Real recordings from ../shared/datasets/falls used by the end-to-end tests and the demo.
/** SisFall F01 (forward fall while walking, caused by a slip), young subject SA01: 15 s, impact at 7.3 s. */
export const FALL_RECORDING = 'sisfall/F01_SA01_R01.csv.gz';
/** SisFall D07 (slowly sit in a half height chair, wait a moment, and up slowly), subject SA01. */
export const QUIET_ADL_RECORDING = 'sisfall/D07_SA01_R01.csv.gz';
/** The demo's fall: a wrist recording (where the band sits). */
export const DEMO_FALL_RECORDING = FALL_RECORDING;
