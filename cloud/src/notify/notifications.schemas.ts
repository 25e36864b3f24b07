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
  { $id: 'Notification' },
);
export type Notification = Static<typeof Notification>;
