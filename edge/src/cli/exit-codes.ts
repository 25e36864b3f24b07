/**
 * Exit codes of every `anju-gw` command, in one table so scripts can rely on them. Each command's --help
 * lists the ones it uses.
 */
export const EXIT = {
  /** Done; all well. */
  ok: 0,
  /** Failed while running (or the agent is not running, for the commands that ask it). */
  failed: 1,
  /** Bad arguments, flags or config. */
  usage: 2,
  /** `status`: the agent runs but something is wrong (a driver down, the cloud link down, outbox growing). */
  degraded: 3,
  /** The cloud (or a camera) could not be reached, or answered with a server error. */
  unreachable: 4,
  /** `init`: the enrolment code is not valid. */
  codeInvalid: 5,
  /** `init`: the enrolment code has expired. */
  codeExpired: 6,
  /** `init`: the enrolment code has already been used. */
  codeUsed: 7,
  /** `init`: too many failed attempts from this address; wait and try again. */
  rateLimited: 8,
  /** `init`: this gateway is already enrolled (credentials exist); --force enrols again. */
  alreadyEnrolled: 9,
  /** `pair`: the device sent nothing (or too little) in time. */
  deviceSilent: 10,
  /** `pair`: the device sent data that is not its protocol (wrong port, baud rate or device). */
  deviceGarbage: 11,
  /** `pair wristband`: the band streams but did not answer the "I'm OK" prompt (downlink 0x82). */
  deviceNoAnswer: 12,
} as const;

export const EXIT_HELP = {
  ok: '  0  done',
  failed: '  1  failed',
  usage: '  2  bad arguments, flags or config',
  unreachable: '  4  the cloud could not be reached (network, TLS, or a server error)',
  codeInvalid: '  5  the enrolment code is not valid',
  codeExpired: '  6  the enrolment code has expired',
  codeUsed: '  7  the enrolment code has already been used',
  rateLimited: '  8  too many failed attempts from this address: wait, then try again',
  alreadyEnrolled: '  9  already enrolled here (credentials exist): --force to enrol again',
  deviceSilent: ' 10  the device sent nothing, or too little, in time',
  deviceGarbage: ' 11  the device sent data that is not its protocol (wrong port, baud rate or device)',
  deviceNoAnswer: ' 12  the band streams but did not answer the "I\'m OK" prompt (vibrate + beep)',
} as const;

export function exitHelp(...keys: (keyof typeof EXIT_HELP)[]): string {
  return `\nExit codes:\n${keys.map((k) => EXIT_HELP[k]).join('\n')}`;
}
