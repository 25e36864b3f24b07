import { numberInRange } from '../tools/cli-args.ts';

/**
 * A numeric command-line option of a bench, checked against its range (the tools' check): out of range,
 * empty or not a number prints the bench's usage and exits 2.
 */
export function numberArg(bench: string, usage: string) {
  return (name: string, v: string | undefined, min: number, max: number): number => {
    const n = numberInRange(v, min, max);
    if (n === undefined) {
      console.error(`${bench}: --${name} must be a number in ${min}..${max}, got ${v}\n${usage}`);
      process.exit(2);
    }
    return n;
  };
}
