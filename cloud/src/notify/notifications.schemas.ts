import { type Static, Type } from '@sinclair/typebox';
import { Language } from '../residents/residents.schemas.ts';

export const NotificationStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('sent'),
  Type.Literal('failed'),
]);
export type NotificationStatus = Static<typeof NotificationStatus>;

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
  },
  { $id: 'Notification' },
);
export type Notification = Static<typeof Notification>;
