// Real recordings from ../shared/datasets/falls used by the end-to-end tests and the demo. Both are wrist
// recordings (UMAFall), where the band sits.
/** UMAFall subject 18, forward fall; impact about 2.2 s in, then lying. */
export const FALL_RECORDING = 'umafall/Subject_18_Fall_forwardFall_1_2016-05-29_21-37-58.csv.gz';
/** UMAFall subject 5, walking. */
export const QUIET_ADL_RECORDING = 'umafall/Subject_05_ADL_Walking_1_2016-06-15_21-43-41.csv.gz';
/** The demo's fall. */
export const DEMO_FALL_RECORDING = FALL_RECORDING;
