import { type Static, Type } from '@sinclair/typebox';
import {
  BundleFile,
  BundleFileName,
  MAX_BUNDLE_FILES,
  ModelName,
  ModelVersion,
} from '../../../contracts/src/index.ts';
import { embed } from '../http/http.schemas.ts';

const ModelRef = Type.Object({ name: ModelName, version: ModelVersion });

export const PublishedModel = Type.Object(
  {
    model: ModelRef,
    bundleSha256: Type.String({ description: 'canonical bundle hash (contracts/src/model-update.ts)' }),
    files: Type.Array(embed(BundleFile)),
    publishedAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'PublishedModel',
    examples: [
      {
        model: { name: 'fall-cnn', version: '1.1.0' },
        bundleSha256: 'a3c1…(64 hex)',
        files: [{ name: 'model.json', sha256: '5f0e…(64 hex)', bytes: 20480 }],
        publishedAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);

/** What a gateway reads before it downloads a bundle's files. */
export const BundleIndex = Type.Object(
  { model: ModelRef, bundleSha256: Type.String(), files: Type.Array(embed(BundleFile)) },
  {
    examples: [
      {
        model: { name: 'fall-cnn', version: '1.1.0' },
        bundleSha256: 'a3c1…(64 hex)',
        files: [{ name: 'model.json', sha256: '5f0e…(64 hex)', bytes: 20480 }],
      },
    ],
  },
);

/** An upload: every file of the bundle, base64. Name and version come from its manifest.json. */
export const PublishModelBody = Type.Object(
  {
    files: Type.Record(BundleFileName, Type.String({ contentEncoding: 'base64' }), {
      minProperties: 1,
      maxProperties: MAX_BUNDLE_FILES,
      description: 'file name → base64 content (manifest.json, model.json, the weights, self-test.json)',
    }),
  },
  {
    additionalProperties: false,
    examples: [{ files: { 'manifest.json': 'eyJuYW1lIjoiZmFsbC1jbm4iLCJ2ZXJzaW9uIjoiMS4xLjAifQ==' } }],
  },
);
export type PublishModelBody = Static<typeof PublishModelBody>;

export const ModelParams = Type.Object({ name: ModelName, version: ModelVersion });
export type ModelParams = Static<typeof ModelParams>;
export const ModelFileParams = Type.Object({ name: ModelName, version: ModelVersion, file: BundleFileName });
export type ModelFileParams = Static<typeof ModelFileParams>;

export const DeployBody = Type.Union(
  [
    Type.Object({ gatewayId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
    Type.Object({ stationId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
  ],
  {
    description: 'one gateway, or every gateway of a station',
    examples: [{ gatewayId: 'gw-0001' }, { stationId: 'jingan' }],
  },
);
export type DeployBody = Static<typeof DeployBody>;

export const ModelUpdate = Type.Object(
  {
    commandId: Type.String(),
    gatewayId: Type.String(),
    model: ModelRef,
    bundleSha256: Type.String(),
    requestedAt: Type.String({ format: 'date-time' }),
    status: Type.Union([
      Type.Literal('sent'),
      Type.Literal('accepted'),
      Type.Literal('refused'),
      Type.Literal('rolled_back'),
    ]),
    reason: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
    activeVersion: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Union([Type.Integer(), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  {
    $id: 'ModelUpdate',
    examples: [
      {
        commandId: '7f1e…',
        gatewayId: 'gw-0001',
        model: { name: 'fall-cnn', version: '1.1.0' },
        bundleSha256: 'a3c1…(64 hex)',
        requestedAt: '2024-05-06T19:00:00.000Z',
        status: 'accepted',
        reason: null,
        detail: null,
        activeVersion: '1.1.0',
        durationMs: 5400,
        finishedAt: '2024-05-06T19:00:00.000Z',
      },
    ],
  },
);
export type ModelUpdate = Static<typeof ModelUpdate>;
