import { type Static, Type } from '@sinclair/typebox';
import { Language } from '../residents/residents.schemas.ts';

const Time = Type.String({ format: 'date-time' });
const TimeOrNull = Type.Union([Time, Type.Null()]);
const StringOrNull = Type.Union([Type.String(), Type.Null()]);
const ScoreOrNull = Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()]);

export const Survey = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    guardianId: Type.Union([Type.String(), Type.Null()], {
      description: 'null once the guardian is removed',
    }),
    language: Language,
    dueAt: Type.String({ format: 'date-time', description: 'when it goes out (after quiet hours)' }),
    sentAt: Type.Union([Time, Type.Null()], { description: 'when its text was queued; null while it waits' }),
    notificationId: StringOrNull,
    skipped: Type.Union([Type.String(), Type.Null()], { description: "never sent: 'guardian_removed'" }),
    score: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()], {
      description: 'the first valid answer, 1 (poor) … 5 (very good)',
    }),
    repliedAt: TimeOrNull,
    rawReply: Type.Union([Type.String(), Type.Null()], { description: 'the text that carried the score' }),
    lateReplies: Type.Integer({ minimum: 0, description: 'scores sent after the first (ignored)' }),
    helpReplies: Type.Integer({ minimum: 0, description: 'replies that were not understood' }),
  },
  {
    $id: 'Survey',
    examples: [
      {
        id: '5c2e0d1a-7a51-4a4e-9d0c-0f4f3c0f6a11',
        caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        guardianId: 'a3f1c2d4-0000-4000-8000-000000000001',
        language: 'zh-CN',
        dueAt: '2024-05-07T00:00:00.000Z',
        sentAt: '2024-05-07T00:00:00.000Z',
        notificationId: '9d8e7f6a-0000-4000-8000-000000000002',
        skipped: null,
        score: 4,
        repliedAt: '2024-05-07T00:12:00.000Z',
        rawReply: '4分',
        lateReplies: 0,
        helpReplies: 0,
      },
    ],
  },
);
export type Survey = Static<typeof Survey>;

export const ComplaintSource = Type.Union(
  [Type.Literal('low_score'), Type.Literal('survey_text'), Type.Literal('duty_desk')],
  { description: 'a survey score of 1 or 2, words sent back after a survey, or recorded by the duty desk' },
);
export type ComplaintSource = Static<typeof ComplaintSource>;

export const Complaint = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    source: ComplaintSource,
    surveyId: StringOrNull,
    guardianId: StringOrNull,
    score: ScoreOrNull,
    text: StringOrNull,
    recordedBy: Type.Union([Type.String(), Type.Null()], { description: 'the duty-desk operator' }),
    createdAt: Time,
  },
  {
    $id: 'Complaint',
    examples: [
      {
        id: '7e6d5c4b-0000-4000-8000-000000000003',
        caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        source: 'duty_desk',
        surveyId: null,
        guardianId: null,
        score: null,
        text: '家属来电：社工到得太晚',
        recordedBy: '值班员 陈',
        createdAt: '2024-05-07T02:00:00.000Z',
      },
    ],
  },
);
export type Complaint = Static<typeof Complaint>;

export const CreateComplaintBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: 1000, description: 'what the person complained about' }),
    by: Type.String({ minLength: 1, maxLength: 100, description: 'the duty-desk operator recording it' }),
  },
  {
    additionalProperties: false,
    examples: [{ text: '家属来电：社工到得太晚', by: '值班员 陈' }],
  },
);
export type CreateComplaintBody = Static<typeof CreateComplaintBody>;
