import { type Static, Type } from '@sinclair/typebox';
import { Language } from '../residents/residents.schemas.ts';

export const NotificationStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('sent'),
  Type.Literal('failed'),
]);
export type NotificationStatus = Static<typeof NotificationStatus>;

/** Who a text is for, in the response chain of issue 4. */
export const RecipientRole = Type.Union([
  Type.Literal('guardian'),
  Type.Literal('worker'),
  Type.Literal('supervisor'),
  Type.Literal('duty_desk'),
]);
export type RecipientRole = Static<typeof RecipientRole>;

export const Notification = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    recipientPhone: Type.String(),
    language: Language,
    body: Type.String(),
    channel: Type.String(),
    status: NotificationStatus,
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    recipientRole: RecipientRole,
    recipientId: Type.Union([Type.String(), Type.Null()]),
    notBefore: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: "held until then (guardian's quiet hours); null = send at once",
    }),
  },
  {
    $id: 'Notification',
    examples: [
      {
        id: '9d8e7f6a-0000-4000-8000-000000000002',
        caseId: '0b9c8f7e-1d2c-4b3a-9e8f-7a6b5c4d3e2f',
        recipientPhone: '+8613800000001',
        language: 'zh-CN',
        body: '【安居·跌倒提醒】王奶奶可能跌倒了（5月7日 03:00）。……编号0B9C8F7E',
        channel: 'aliyun-sms',
        status: 'sent',
        error: null,
        createdAt: '2024-05-06T19:00:00.000Z',
        updatedAt: '2024-05-06T19:00:00.000Z',
        recipientRole: 'guardian',
        recipientId: 'a3f1c2d4-0000-4000-8000-000000000001',
        notBefore: null,
      },
    ],
  },
);
export type Notification = Static<typeof Notification>;
