// One line of the duty desk's live queue, as the cloud sends it and the web console shows it (issue 19).
// Types only: the console's bundle imports this file too.

export interface QueueItem {
  id: string;
  residentId: string;
  residentName: string;
  stationId: string | null;
  kind: string;
  severity: string;
  status: string;
  level: number | null;
  test: boolean;
  openedAt: string;
  updatedAt: string;
  ackDeadlineAt: string | null;
  assigneeId: string | null;
  assignee: string | null;
}
