/**
 * The broker identity of each consumer session of a cloud process in external-broker mode: session `n` of
 * the process with client id `clientId` is `<clientId>-<n>`, and it is BOTH the MQTT client id and the
 * broker user it logs in as. Mosquitto (`use_username_as_clientid true`, written by mosquitto-config)
 * replaces every client's id by its user name, so only a holder of that user's password can take that
 * session: a gateway cannot take over a cloud session, nor another gateway's (issue #7).
 */
export function consumerUserName(clientId: string, n: number): string {
  return `${clientId}-${n}`;
}

/** Every consumer user of the given processes (`clientIds`), `consumers` sessions each. */
export function consumerUserNames(clientIds: readonly string[], consumers: number): string[] {
  return clientIds.flatMap((id) => Array.from({ length: consumers }, (_, n) => consumerUserName(id, n)));
}
