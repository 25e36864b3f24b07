/**
 * What the cloud's POST /enrol answers a gateway being set up (`anju-gw init`), shown once: the
 * gateway's MQTT credentials and where to connect. One definition for the cloud that sends it and the
 * installer CLI that reads it (the route's JSON schema is cloud/src/enrolment/enrolment.schemas.ts).
 */
export interface EnrolmentResponse {
  gatewayId: string;
  residentId: string;
  stationId: string;
  /** The MQTT password (username = gatewayId); the cloud keeps only its hash. */
  secret: string;
  mqttUrl: string;
  enrolledAt: string;
}
