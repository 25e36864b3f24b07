import { describe, expect, it } from 'vitest';
import { DEFAULT_FALL_MODEL_DIR } from '../../../edge/src/scoring/fall-model/index.ts';
import { UserError } from '../errors.ts';
import { indexBundle, readBundleFolder } from './model-bundle.ts';

const shipped = () => readBundleFolder(DEFAULT_FALL_MODEL_DIR);
const problem = (files: Map<string, Buffer>) => {
  try {
    indexBundle(files);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  return 'accepted';
};

describe('indexBundle', () => {
  it('indexes the shipped fall model: its four files, name and version from its manifest', () => {
    const index = indexBundle(shipped());
    expect(index.model).toEqual({ name: 'fall-model', version: '3.2.0' });
    expect(index.files.map((f) => f.name)).toEqual([
      'manifest.json',
      'model.json',
      'self-test.json',
      'weights.bin',
    ]);
    expect(index.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a bundle without its self-test, with weights it does not carry, or a version that is not one', () => {
    const noSelfTest = shipped();
    noSelfTest.delete('self-test.json');
    expect(problem(noSelfTest)).toMatch(/self-test.json missing/);
    const noWeights = shipped();
    noWeights.delete('weights.bin');
    expect(problem(noWeights)).toMatch(/weights "weights.bin" not in the upload/);
    const badVersion = shipped();
    badVersion.set(
      'manifest.json',
      Buffer.from(JSON.stringify({ name: 'fall-model', version: '../../etc' })),
    );
    expect(problem(badVersion)).toMatch(/version missing or malformed/);
    const badName = shipped();
    badName.set('.hidden', Buffer.from('x'));
    expect(problem(badName)).toMatch(/file name ".hidden" is not allowed/);
  });
});
